//! Creating conventions and adding amendments (steering only), each in one audited transaction.

use chrono::{Datelike, Months, NaiveDate};

use super::{Amendment, AmendmentKind, Convention, MAX_RENEWALS, find_in};
use super::{policy, store};
use crate::audit::Action;
use crate::calls;
use crate::db::Tx;
use crate::error::{DomainError, Result, RuleCode};
use crate::ids::{AmendmentId, ConventionId, SubmissionId};
use crate::money::Money;
use crate::principal::Principal;
use crate::submissions::{self, SubmissionStatus};
use crate::text::clean;

/// Input of `create`.
#[derive(Clone, Debug)]
pub struct NewConvention {
    pub submission_id: SubmissionId,
    pub number: Option<String>,
    pub amount: Option<Money>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

/// Create the convention of an accepted submission.
pub async fn create(tx: &Tx, principal: &Principal, input: NewConvention) -> Result<Convention> {
    policy::require_signatory(principal)?;
    let tx = tx.change(principal).await?;
    let submission = submissions::find_in(&tx, None, input.submission_id).await?;
    if submission.status != SubmissionStatus::Accepted {
        return Err(DomainError::Conflict(
            "a convention follows an accepted submission".into(),
        ));
    }
    let call = calls::get_in(&tx, submission.call_id).await?;
    let amount = input.amount.unwrap_or(submission.requested_amount);
    if amount > call.budget_cap {
        return Err(DomainError::Rule {
            code: RuleCode::BudgetExceeded,
            message: "the amount exceeds the call's budget cap".into(),
        });
    }
    let end_date = match input.end_date {
        Some(end) => end,
        None => one_year(input.start_date)?,
    };
    if end_date <= input.start_date {
        return Err(DomainError::validation(
            "endDate",
            "must be after the start date",
        ));
    }
    let number = match input.number {
        Some(n) => clean("number", &n, 50)?,
        None => format!(
            "CONV-{}-{:04}",
            input.start_date.year(),
            submission.receipt.map_or(0, |r| r.number)
        ),
    };
    let c = Convention {
        id: ConventionId::generate(),
        submission_id: submission.id,
        structure_id: submission.structure_id,
        number,
        amount,
        start_date: input.start_date,
        end_date,
        renewals: 0,
        created_at: tx.now(),
        updated_at: tx.now(),
        version: 1,
    };
    store::insert(&tx, &c).await.map_err(|e| match e {
        DomainError::Conflict(_) => DomainError::Conflict(
            "this submission already has a convention, or the number is taken".into(),
        ),
        other => other,
    })?;
    tx.commit(action("convention.create", c.id.0)).await?;
    Ok(c)
}

/// Input of `add_amendment`.
#[derive(Clone, Debug)]
pub struct NewAmendment {
    pub convention_id: ConventionId,
    pub version: i32,
    pub kind: AmendmentKind,
    pub description: String,
    pub signed_on: NaiveDate,
    /// For an extension (default: one more year).
    pub new_end_date: Option<NaiveDate>,
    /// For a budget change.
    pub new_amount: Option<Money>,
}

/// Amend a convention: extend it (at most twice), change its budget, or record another change.
pub async fn add_amendment(
    tx: &Tx,
    principal: &Principal,
    input: NewAmendment,
) -> Result<Convention> {
    policy::require_amendment_signatory(principal)?;
    let description = clean("description", &input.description, 2_000)?;
    let tx = tx.change(principal).await?;
    let current = find_in(&tx, None, input.convention_id).await?;
    if current.version != input.version {
        return Err(DomainError::stale("convention"));
    }
    let mut changed = current.clone();
    let (mut new_end, mut new_amount) = (None, None);
    match input.kind {
        AmendmentKind::Extension => {
            if current.renewals >= MAX_RENEWALS {
                return Err(DomainError::Rule {
                    code: RuleCode::RenewalLimit,
                    message: format!("a convention is renewed at most {MAX_RENEWALS} times"),
                });
            }
            let end = match input.new_end_date {
                Some(end) => end,
                None => one_year(current.end_date + chrono::Duration::days(1))?,
            };
            if end <= current.end_date {
                return Err(DomainError::validation(
                    "newEndDate",
                    "must be after the current end",
                ));
            }
            changed.end_date = end;
            changed.renewals += 1;
            new_end = Some(end);
        }
        AmendmentKind::BudgetChange => {
            let amount = input.new_amount.ok_or_else(|| {
                DomainError::validation("newAmount", "is required for a budget change")
            })?;
            changed.amount = amount;
            new_amount = Some(amount);
        }
        AmendmentKind::Other => {}
    }
    changed.updated_at = tx.now();
    changed.version += 1;
    if !store::save(&tx, &changed, current.version).await? {
        return Err(DomainError::stale("convention"));
    }
    let amendment = Amendment {
        id: AmendmentId::generate(),
        convention_id: current.id,
        kind: input.kind,
        description,
        signed_on: input.signed_on,
        new_end_date: new_end,
        new_amount,
    };
    store::insert_amendment(&tx, &amendment).await?;
    tx.commit(action("convention.amend", current.id.0)).await?;
    Ok(changed)
}

/// The last day of a year that starts on `start`.
fn one_year(start: NaiveDate) -> Result<NaiveDate> {
    start
        .checked_add_months(Months::new(12))
        .map(|d| d - chrono::Duration::days(1))
        .ok_or_else(|| DomainError::validation("startDate", "is out of range"))
}

fn action(name: &'static str, id: uuid::Uuid) -> Action {
    Action {
        name,
        object_type: "Convention",
        object_id: id,
    }
}
