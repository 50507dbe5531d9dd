//! Conventions (funding agreements) and their amendments (avenants).
//!
//! Rules: steering creates a convention from an accepted submission: one year by default,
//! an amount no higher than the call's cap; it is extended by amendment, renewed at most twice
//! (a third extension is `RENEWAL_LIMIT`); a budget change sets a new amount. The report
//! calendar follows from the dates: a first-quarter report 3 months after the start, a mid-term
//! report and budget statement at the middle, a final report and budget statement one month
//! after the end. The provider reads its own structure's conventions; steering all; others none.

mod model;
pub(crate) mod policy;
mod store;
mod write;

pub use model::*;
use policy::reader_scope;
pub(crate) use store::{all_in, find_in, ids_of_structure};
pub use write::{NewAmendment, NewConvention, add_amendment, create};

use chrono::NaiveDate;

use crate::db::Tx;
use crate::error::Result;
use crate::ids::{ConventionId, SubmissionId};
use crate::money::Money;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

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

/// One convention the principal may read.
pub async fn get(tx: &Tx, principal: &Principal, id: ConventionId) -> Result<Convention> {
    let scope = reader_scope(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = find_in(&tx, scope, id).await?;
    Ok(found)
}

/// The conventions the principal may read, in creation order.
pub async fn list(tx: &Tx, principal: &Principal, page: PageRequest) -> Result<Page<Convention>> {
    let scope = reader_scope(principal)?;
    let tx = tx.scoped(principal).await?;
    store::page(&tx, scope, &page).await
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
    store::amendments_of(&tx, id).await
}
