//! A period and the key figures over it (definitions in the module's header).

use chrono::NaiveDate;

use super::store::Sums;
use crate::error::{DomainError, Result};
use crate::money::Money;

/// A period of days, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// A period of at least one day and at most ten years.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        if to < from {
            return Err(DomainError::validation(
                "period.to",
                "must be on or after period.from",
            ));
        }
        if (to - from).num_days() > 3_660 {
            return Err(DomainError::validation(
                "period.to",
                "a period is at most ten years",
            ));
        }
        Ok(Self { from, to })
    }

    /// Its number of days.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// The key figures of a period (see the module's definitions).
#[derive(Clone, Debug, PartialEq)]
pub struct KeyFigures {
    pub period: Period,
    pub accompanied: i64,
    pub average_accompanied: f64,
    pub average_age: Option<f64>,
    pub women: i64,
    pub men: i64,
    pub level_3_or_below: i64,
    pub priority_neighbourhood: i64,
    pub rsa: i64,
    pub exits: i64,
    pub positive_exits: i64,
    pub average_path_months: Option<f64>,
    pub convention_amounts: Money,
}

impl KeyFigures {
    /// `part` in percent of the flow, one decimal; `None` for an empty flow.
    pub fn share(&self, part: i64) -> Option<f64> {
        percent(part, self.accompanied)
    }

    /// Positive exits in percent of the exits.
    pub fn positive_exit_rate(&self) -> Option<f64> {
        percent(self.positive_exits, self.exits)
    }

    /// Convention amounts over the flow.
    pub fn average_cost_per_participant(&self) -> Option<Money> {
        if self.accompanied == 0 {
            return None;
        }
        let cents = self.convention_amounts.cents();
        // Rounded half up to the cent.
        Money::from_cents((2 * cents + self.accompanied) / (2 * self.accompanied)).ok()
    }
}

impl KeyFigures {
    /// The figures from the aggregates of [`super::store`]: means and rates rounded to one
    /// decimal, the convention amounts (in fractional cents) to the cent.
    pub(super) fn from_sums(period: Period, sums: &Sums, convention_cents: f64) -> Result<Self> {
        Ok(Self {
            period,
            accompanied: sums.accompanied,
            average_accompanied: round1(sums.person_days as f64 / period.days() as f64),
            average_age: sums.average_age.map(round1),
            women: sums.women,
            men: sums.men,
            level_3_or_below: sums.level_3_or_below,
            priority_neighbourhood: sums.priority_neighbourhood,
            rsa: sums.rsa,
            exits: sums.exits,
            positive_exits: sums.positive_exits,
            average_path_months: (sums.exits > 0)
                .then(|| round1(sums.path_days as f64 / sums.exits as f64 / (365.25 / 12.0))),
            convention_amounts: Money::from_cents(convention_cents.round() as i64)?,
        })
    }
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round1(part as f64 * 100.0 / whole as f64))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
