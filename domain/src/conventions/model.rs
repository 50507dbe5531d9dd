//! Read models and inputs of conventions and amendments, and the report calendar that follows
//! from a convention's dates.

use chrono::{DateTime, Months, NaiveDate, Utc};

use crate::ids::{AmendmentId, ConventionId, StructureId, SubmissionId};
use crate::money::Money;

/// How many times a convention may be renewed.
pub const MAX_RENEWALS: i32 = 2;

/// A funding agreement with a structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Convention {
    pub id: ConventionId,
    pub submission_id: SubmissionId,
    pub structure_id: StructureId,
    pub number: String,
    pub amount: Money,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub renewals: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Kind of amendment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmendmentKind {
    Extension,
    BudgetChange,
    Other,
}

impl AmendmentKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Extension => "extension",
            Self::BudgetChange => "budget_change",
            Self::Other => "other",
        }
    }
}

/// An amendment (avenant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amendment {
    pub id: AmendmentId,
    pub convention_id: ConventionId,
    pub kind: AmendmentKind,
    pub description: String,
    pub signed_on: NaiveDate,
    pub new_end_date: Option<NaiveDate>,
    pub new_amount: Option<Money>,
}

/// Which report of a convention (bilan): the convention's calendar and `Report.kind` share it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportKind {
    /// Three months after the start.
    FirstQuarter,
    /// At the middle of the convention, with a budget statement.
    MidTerm,
    /// One month after the end, with a budget statement.
    Final,
}

impl ReportKind {
    /// Every kind, in calendar order.
    pub const ALL: [Self; 3] = [Self::FirstQuarter, Self::MidTerm, Self::Final];

    /// The stored name (`first_quarter`, `mid_term`, `final`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstQuarter => "first_quarter",
            Self::MidTerm => "mid_term",
            Self::Final => "final",
        }
    }

    /// The kind named by [`ReportKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether it carries a budget statement (the mid-term and final reports).
    pub fn has_budget(self) -> bool {
        self != Self::FirstQuarter
    }

    /// The due date of this report of `c`: three months after the start, the middle of the
    /// convention, one month after its end (a month end carries over to the next month's last
    /// day: 30 November + 3 months is 28 or 29 February).
    pub fn due(self, c: &Convention) -> NaiveDate {
        let months = |d: NaiveDate, m: u32| d.checked_add_months(Months::new(m)).unwrap_or(d);
        match self {
            Self::FirstQuarter => months(c.start_date, 3),
            Self::MidTerm => c.start_date + (c.end_date - c.start_date) / 2,
            Self::Final => months(c.end_date, 1),
        }
    }
}

impl Convention {
    /// The report calendar, derived from the dates: each report with its due date.
    pub fn calendar(&self) -> Vec<(ReportKind, NaiveDate)> {
        ReportKind::ALL
            .into_iter()
            .map(|k| (k, k.due(self)))
            .collect()
    }
}
