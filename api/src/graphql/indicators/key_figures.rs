//! The `KeyFigures` object, and the `PeriodInput` of days it covers (the ESF+ indicators take
//! it too).

use async_graphql::{InputObject, Object};
use parcours_domain::indicators::{KeyFigures, Period};

use crate::graphql::scalars::{Date, Money};

/// A period of days, both ends included.
#[derive(InputObject)]
pub struct PeriodInput {
    from: Date,
    to: Date,
}

impl PeriodInput {
    pub(crate) fn period(&self) -> parcours_domain::Result<Period> {
        Period::new(self.from.0, self.to.0)
    }
}

/// The key figures of a period. Shares are percentages of `accompanied`, rounded to one
/// decimal, null when nobody was accompanied.
pub struct KeyFiguresObj(pub(super) KeyFigures);

#[Object(name = "KeyFigures")]
impl KeyFiguresObj {
    async fn from(&self) -> Date {
        Date(self.0.period.from)
    }
    async fn to(&self) -> Date {
        Date(self.0.period.to)
    }
    /// Participants accompanied on at least one day of the period (flow): entry validated on
    /// or before its last day, no exit before its first day.
    async fn accompanied(&self) -> i64 {
        self.0.accompanied
    }
    /// Mean number accompanied per day of the period (stock).
    async fn average_accompanied(&self) -> f64 {
        self.0.average_accompanied
    }
    /// Mean age in whole years at entry.
    async fn average_age(&self) -> Option<f64> {
        self.0.average_age
    }
    async fn women(&self) -> i64 {
        self.0.women
    }
    async fn women_percent(&self) -> Option<f64> {
        self.0.share(self.0.women)
    }
    async fn men(&self) -> i64 {
        self.0.men
    }
    async fn men_percent(&self) -> Option<f64> {
        self.0.share(self.0.men)
    }
    /// Education level 1 to 3 (CAP/BEP or below).
    async fn level_3_or_below(&self) -> i64 {
        self.0.level_3_or_below
    }
    async fn level_3_or_below_percent(&self) -> Option<f64> {
        self.0.share(self.0.level_3_or_below)
    }
    /// Living in a priority neighbourhood (QPV).
    async fn priority_neighbourhood(&self) -> i64 {
        self.0.priority_neighbourhood
    }
    async fn priority_neighbourhood_percent(&self) -> Option<f64> {
        self.0.share(self.0.priority_neighbourhood)
    }
    /// On RSA (minimum income).
    async fn rsa(&self) -> i64 {
        self.0.rsa
    }
    async fn rsa_percent(&self) -> Option<f64> {
        self.0.share(self.0.rsa)
    }
    /// Exits dated within the period.
    async fn exits(&self) -> i64 {
        self.0.exits
    }
    /// Positive ones (validated by the committee where the rule needs it).
    async fn positive_exits(&self) -> i64 {
        self.0.positive_exits
    }
    /// Positive exits in percent of the exits; null without exits.
    async fn positive_exit_rate_percent(&self) -> Option<f64> {
        self.0.positive_exit_rate()
    }
    /// Mean months (365.25 / 12 days) from entry to exit, over the period's exits.
    async fn average_path_months(&self) -> Option<f64> {
        self.0.average_path_months
    }
    /// Convention amounts pro rata of their days within the period.
    async fn convention_amounts(&self) -> Money {
        Money(self.0.convention_amounts)
    }
    /// `conventionAmounts` over `accompanied`.
    async fn average_cost_per_participant(&self) -> Option<Money> {
        self.0.average_cost_per_participant().map(Money)
    }
}
