//! Conventions (funding agreements) and their amendments (avenants).
//!
//! Rules: steering creates a convention from an accepted submission: one year by default,
//! an amount no higher than the call's cap; it is extended by amendment, renewed at most twice
//! (a third extension is `RENEWAL_LIMIT`); a budget change sets a new amount. The report
//! calendar follows from the dates: a first-quarter report 3 months after the start, a mid-term
//! report and budget statement at the middle, a final report and budget statement one month
//! after the end. The provider reads its own structure's conventions; steering all; others none.

pub(crate) mod policy;
mod write;

pub use write::{NewAmendment, NewConvention, add_amendment, create};

/// Build the input of [`create`].
pub fn write_input(
    submission_id: SubmissionId,
    number: Option<String>,
    amount: Option<Money>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
) -> NewConvention {
    NewConvention {
        submission_id,
        number,
        amount,
        start_date,
        end_date,
    }
}

use chrono::{DateTime, Months, NaiveDate, Utc};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Select};

use crate::db::{TenantTx, Tx};
use crate::entities::{amendment, convention};
use crate::error::{DomainError, Result};
use crate::ids::{AmendmentId, ConventionId, StructureId, SubmissionId};
use crate::money::Money;
use crate::page::{Page, PageRequest};
use crate::principal::{Principal, Role};

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

fn reader_scope(principal: &Principal) -> Result<Option<StructureId>> {
    match principal.role() {
        Role::Steering => Ok(None),
        Role::Provider => Ok(principal.structure()),
        _ => Err(DomainError::Forbidden(
            "conventions are read by steering and the provider that holds them",
        )),
    }
}

fn visible(tx: &TenantTx, scope: Option<StructureId>) -> Select<convention::Entity> {
    let q = tx.select::<convention::Entity>();
    match scope {
        Some(s) => q.filter(convention::Column::StructureId.eq(s.0)),
        None => q,
    }
}

/// One convention the principal may read.
pub async fn get(tx: &Tx, principal: &Principal, id: ConventionId) -> Result<Convention> {
    let scope = reader_scope(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = find_in(&tx, scope, id).await?;
    Ok(found)
}

/// Every convention in `scope` (a structure's, or all), by start date.
pub(crate) async fn all_in(tx: &TenantTx, scope: Option<StructureId>) -> Result<Vec<Convention>> {
    visible(tx, scope)
        .order_by_asc(convention::Column::StartDate)
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_convention)
        .collect()
}

/// The IDs of the conventions of `structure`.
pub(crate) async fn ids_of_structure(
    tx: &TenantTx,
    structure: StructureId,
) -> Result<Vec<uuid::Uuid>> {
    Ok(visible(tx, Some(structure))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect())
}

pub(crate) async fn find_in(
    tx: &TenantTx,
    scope: Option<StructureId>,
    id: ConventionId,
) -> Result<Convention> {
    visible(tx, scope)
        .filter(convention::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_convention)
        .transpose()?
        .ok_or(DomainError::NotFound {
            entity: "convention",
        })
}

/// The conventions the principal may read, in creation order.
pub async fn list(tx: &Tx, principal: &Principal, page: PageRequest) -> Result<Page<Convention>> {
    let scope = reader_scope(principal)?;
    let tx = tx.scoped(principal).await?;
    let query = visible(&tx, scope);
    crate::page::oldest_first(tx.conn(), query, convention::Column::Id, &page)
        .await?
        .try_map(to_convention)
}

/// The amendments of a convention the principal may read, in signature order.
pub async fn amendments(
    tx: &Tx,
    principal: &Principal,
    id: ConventionId,
) -> Result<Vec<Amendment>> {
    let scope = reader_scope(principal)?;
    let tx = tx.scoped(principal).await?;
    find_in(&tx, scope, id).await?;
    let rows = tx
        .select::<amendment::Entity>()
        .filter(amendment::Column::ConventionId.eq(id.0))
        .order_by_asc(amendment::Column::SignedOn)
        .order_by_asc(amendment::Column::Id)
        .all(tx.conn())
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Amendment {
                id: AmendmentId(r.id),
                convention_id: ConventionId(r.convention_id),
                kind: match r.kind.as_str() {
                    "extension" => AmendmentKind::Extension,
                    "budget_change" => AmendmentKind::BudgetChange,
                    _ => AmendmentKind::Other,
                },
                description: r.description,
                signed_on: r.signed_on,
                new_end_date: r.new_end_date,
                new_amount: r.new_amount_cents.map(Money::from_cents).transpose()?,
            })
        })
        .collect()
}

pub(crate) fn to_convention(row: convention::Model) -> Result<Convention> {
    Ok(Convention {
        id: ConventionId(row.id),
        submission_id: SubmissionId(row.submission_id),
        structure_id: StructureId(row.structure_id),
        number: row.number,
        amount: Money::from_cents(row.amount_cents)?,
        start_date: row.start_date,
        end_date: row.end_date,
        renewals: row.renewals,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}
