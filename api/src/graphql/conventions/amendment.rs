//! The `Amendment` (avenant) object and its kind.

use async_graphql::{Enum, SimpleObject};
use parcours_domain::conventions::{Amendment, AmendmentKind};

use crate::graphql::scalars::{Date, Money};

/// Kind of amendment.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "AmendmentKind")]
pub enum AmendmentKindGql {
    /// One more period (at most two renewals).
    Extension,
    /// A new amount.
    BudgetChange,
    /// Any other change.
    Other,
}

impl From<AmendmentKindGql> for AmendmentKind {
    fn from(k: AmendmentKindGql) -> Self {
        match k {
            AmendmentKindGql::Extension => Self::Extension,
            AmendmentKindGql::BudgetChange => Self::BudgetChange,
            AmendmentKindGql::Other => Self::Other,
        }
    }
}

/// An amendment (avenant).
#[derive(SimpleObject)]
#[graphql(name = "Amendment")]
pub struct AmendmentObj {
    kind: AmendmentKindGql,
    description: String,
    signed_on: Date,
    new_end_date: Option<Date>,
    new_amount: Option<Money>,
}

impl From<Amendment> for AmendmentObj {
    fn from(a: Amendment) -> Self {
        Self {
            kind: match a.kind {
                AmendmentKind::Extension => AmendmentKindGql::Extension,
                AmendmentKind::BudgetChange => AmendmentKindGql::BudgetChange,
                AmendmentKind::Other => AmendmentKindGql::Other,
            },
            description: a.description,
            signed_on: Date(a.signed_on),
            new_end_date: a.new_end_date.map(Date),
            new_amount: a.new_amount.map(Money),
        }
    }
}
