//! Writing, submitting, withdrawing, reviewing and deciding submissions, each in one audited
//! transaction.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::model::*;
use super::policy;
use super::{find_in, store};
use crate::audit::Action;
use crate::calls::{self, CallForProjects, CallStatus};
use crate::db::{Change, TenantTx, Tx};
use crate::error::{DomainError, Result, RuleCode};
use crate::ids::{CallId, SubmissionId};
use crate::money::Money;
use crate::notifications::{self, Audience, Kind, Notice};
use crate::principal::Principal;
use crate::text::clean;

const MAX_ANSWER: usize = 20_000;
const MAX_LINES: usize = 100;

/// A provider starts its structure's response to a published, open call.
pub async fn create(
    tx: &Tx,
    principal: &Principal,
    call_id: CallId,
    fields: DraftFields,
) -> Result<Submission> {
    policy::require_author(principal)?;
    let structure = principal.structure().ok_or(DomainError::Forbidden(
        "a provider token carries a structure",
    ))?;
    let tx = tx.change(principal).await?;
    let call = open_call(&tx, call_id).await?;
    let mut submission = Submission {
        id: SubmissionId::generate(),
        call_id,
        structure_id: structure,
        status: SubmissionStatus::Draft,
        answers: BTreeMap::new(),
        requested_amount: Money::default(),
        budget_lines: Vec::new(),
        receipt: None,
        decision_reason: None,
        committee_date: None,
        created_at: tx.now(),
        updated_at: tx.now(),
        version: 1,
    };
    let attachments = fields.attachment_ids.clone();
    apply(&mut submission, &call, fields)?;
    store::save(&tx, &submission, None).await?;
    if let Some(ids) = attachments {
        crate::attachments::attach(&tx, structure, submission.id, &ids).await?;
    }
    tx.commit(action("submission.create", submission.id))
        .await?;
    Ok(submission)
}

/// Edit a draft (its provider only).
pub async fn update(
    tx: &Tx,
    principal: &Principal,
    id: SubmissionId,
    version: i32,
    fields: DraftFields,
) -> Result<Submission> {
    let (tx, current) = own(tx, principal, id, version).await?;
    if current.status != SubmissionStatus::Draft {
        return Err(DomainError::Conflict(
            "a submitted response no longer changes".into(),
        ));
    }
    let call = calls::get_in(&tx, current.call_id).await?;
    let mut changed = current.clone();
    let attachments = fields.attachment_ids.clone();
    apply(&mut changed, &call, fields)?;
    if let Some(ids) = attachments {
        crate::attachments::attach(&tx, current.structure_id, current.id, &ids).await?;
    }
    save(tx, current, changed, "submission.update").await
}

/// Submit: checks the deadline, the cap and the required answers, then issues the receipt.
pub async fn submit(
    tx: &Tx,
    principal: &Principal,
    id: SubmissionId,
    version: i32,
) -> Result<Submission> {
    let (tx, current) = own(tx, principal, id, version).await?;
    if current.status != SubmissionStatus::Draft {
        return Err(DomainError::Conflict(format!(
            "the response is {}, not a draft",
            current.status.as_str()
        )));
    }
    let call = calls::get_in(&tx, current.call_id).await?;
    check_open(&call, &tx)?;
    if current.requested_amount > call.budget_cap {
        return Err(DomainError::rule(
            RuleCode::BudgetExceeded,
            format!(
                "the requested amount {} exceeds the call's cap of {} euros",
                current.requested_amount.to_decimal_string(),
                call.budget_cap.to_decimal_string()
            ),
        ));
    }
    for question in call.questions.iter().filter(|q| q.required) {
        if current
            .answers
            .get(&question.key)
            .is_none_or(|a| a.trim().is_empty())
        {
            return Err(DomainError::validation(
                format!("answers.{}", question.key),
                format!("question {:?} needs an answer", question.text),
            ));
        }
    }
    let number = store::next_receipt_number(&tx).await?;
    let changed = Submission {
        status: SubmissionStatus::Submitted,
        receipt: Some(Receipt {
            number,
            received_at: tx.now(),
        }),
        ..current.clone()
    };
    let notice = Notice::new(Kind::SubmissionReceived, "Submission", current.id.0);
    notifications::notify(&tx, principal.staff(), Audience::Steering, notice).await?;
    save(tx, current, changed, "submission.submit").await
}

/// Withdraw a submitted response, until the deadline.
pub async fn withdraw(
    tx: &Tx,
    principal: &Principal,
    id: SubmissionId,
    version: i32,
) -> Result<Submission> {
    let (tx, current) = own(tx, principal, id, version).await?;
    if current.status != SubmissionStatus::Submitted {
        return Err(DomainError::Conflict(format!(
            "only a submitted response can be withdrawn; this one is {}",
            current.status.as_str()
        )));
    }
    let call = calls::get_in(&tx, current.call_id).await?;
    if tx.now() >= call.deadline_at {
        return Err(DomainError::rule(
            RuleCode::DeadlinePassed,
            "the deadline has passed: the response stays submitted",
        ));
    }
    let changed = Submission {
        status: SubmissionStatus::Withdrawn,
        ..current.clone()
    };
    save(tx, current, changed, "submission.withdraw").await
}

/// Steering starts the review (instruction) of a submitted response.
pub async fn start_review(
    tx: &Tx,
    principal: &Principal,
    id: SubmissionId,
    version: i32,
) -> Result<Submission> {
    let (tx, current) = steering(tx, principal, id, version).await?;
    if current.status != SubmissionStatus::Submitted {
        return Err(DomainError::Conflict(format!(
            "only a submitted response goes under review; this one is {}",
            current.status.as_str()
        )));
    }
    let changed = Submission {
        status: SubmissionStatus::UnderReview,
        ..current.clone()
    };
    save(tx, current, changed, "submission.start_review").await
}

/// Steering records the steering committee's decision.
pub async fn record_decision(
    tx: &Tx,
    principal: &Principal,
    id: SubmissionId,
    version: i32,
    accepted: bool,
    reason: &str,
    committee_date: NaiveDate,
) -> Result<Submission> {
    let reason = clean("reason", reason, 2_000)?;
    let (tx, current) = steering(tx, principal, id, version).await?;
    if !matches!(
        current.status,
        SubmissionStatus::Submitted | SubmissionStatus::UnderReview
    ) {
        return Err(DomainError::Conflict(format!(
            "a decision is recorded on a submitted response; this one is {}",
            current.status.as_str()
        )));
    }
    if committee_date > crate::paris::today(tx.now()) {
        return Err(DomainError::validation(
            "committeeDate",
            "must not be in the future",
        ));
    }
    let changed = Submission {
        status: if accepted {
            SubmissionStatus::Accepted
        } else {
            SubmissionStatus::Rejected
        },
        decision_reason: Some(reason),
        committee_date: Some(committee_date),
        ..current.clone()
    };
    let call = calls::get_in(&tx, current.call_id).await?;
    let changed = Submission {
        updated_at: tx.now(),
        version: current.version + 1,
        ..changed
    };
    if !store::save(&tx, &changed, Some(current.version)).await? {
        return Err(DomainError::stale("submission"));
    }
    let notice = Notice::new(Kind::SubmissionDecided, "Submission", changed.id.0);
    let provider = Audience::Provider(changed.structure_id);
    notifications::notify(&tx, principal.staff(), provider, notice).await?;
    if call.status(tx.now()) == CallStatus::Closed && store::pending(&tx, call.id).await? == 0 {
        calls::set_decided(&tx, call.id).await?;
    }
    tx.commit(action("submission.decide", changed.id)).await?;
    Ok(changed)
}

async fn own(
    tx: &Tx,
    principal: &Principal,
    id: SubmissionId,
    version: i32,
) -> Result<(Change, Submission)> {
    policy::require_own_author(principal)?;
    let tx = tx.change(principal).await?;
    let current = find_in(&tx, super::reader_scope(principal)?, id).await?;
    if current.version != version {
        return Err(DomainError::stale("submission"));
    }
    Ok((tx, current))
}

async fn steering(
    tx: &Tx,
    principal: &Principal,
    id: SubmissionId,
    version: i32,
) -> Result<(Change, Submission)> {
    policy::require_reviewer(principal)?;
    let tx = tx.change(principal).await?;
    let current = find_in(&tx, None, id).await?;
    if current.version != version {
        return Err(DomainError::stale("submission"));
    }
    Ok((tx, current))
}

async fn save(
    tx: Change,
    current: Submission,
    changed: Submission,
    name: &'static str,
) -> Result<Submission> {
    let changed = Submission {
        updated_at: tx.now(),
        version: current.version + 1,
        ..changed
    };
    if !store::save(&tx, &changed, Some(current.version)).await? {
        return Err(DomainError::stale("submission"));
    }
    tx.commit(action(name, changed.id)).await?;
    Ok(changed)
}

/// The call, published and open now (drafts are invisible to providers: `NOT_FOUND`).
async fn open_call(tx: &TenantTx, id: CallId) -> Result<CallForProjects> {
    let call = calls::find_in(tx, id)
        .await?
        .filter(|c| c.status(tx.now()) != CallStatus::Draft)
        .ok_or(DomainError::NotFound {
            entity: "call for projects",
        })?;
    check_open(&call, tx)?;
    Ok(call)
}

fn check_open(call: &CallForProjects, tx: &TenantTx) -> Result<()> {
    if tx.now() >= call.deadline_at {
        return Err(DomainError::rule(
            RuleCode::DeadlinePassed,
            format!(
                "the deadline was {} (Paris time)",
                crate::paris::wall_clock(call.deadline_at).format("%d/%m/%Y %H:%M")
            ),
        ));
    }
    if tx.now() < call.opens_at {
        return Err(DomainError::Conflict(format!(
            "the call opens on {} (Paris time)",
            crate::paris::wall_clock(call.opens_at).format("%d/%m/%Y %H:%M")
        )));
    }
    Ok(())
}

fn apply(s: &mut Submission, call: &CallForProjects, fields: DraftFields) -> Result<()> {
    if let Some(answers) = fields.answers {
        crate::batch::distinct("answers", Some("key"), &answers, |(key, _)| key.clone())?;
        for (key, text) in answers {
            if !call.questions.iter().any(|q| q.key == key) {
                return Err(DomainError::validation(
                    format!("answers.{key}"),
                    "is not a question of this call",
                ));
            }
            if text.trim().is_empty() {
                s.answers.remove(&key);
                continue;
            }
            if text.len() > MAX_ANSWER * 4 || text.chars().count() > MAX_ANSWER {
                return Err(DomainError::validation(
                    format!("answers.{key}"),
                    format!("must be at most {MAX_ANSWER} characters"),
                ));
            }
            if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                return Err(DomainError::validation(
                    format!("answers.{key}"),
                    "must not contain control characters",
                ));
            }
            s.answers.insert(key, text);
        }
    }
    if let Some(amount) = fields.requested_amount {
        s.requested_amount = amount;
    }
    if let Some(lines) = fields.budget_lines {
        if lines.len() > MAX_LINES {
            return Err(DomainError::validation(
                "budgetLines",
                format!("at most {MAX_LINES}"),
            ));
        }
        s.budget_lines = lines
            .into_iter()
            .enumerate()
            .map(|(i, (label, amount))| {
                Ok(BudgetLine {
                    label: clean(&format!("budgetLines[{i}].label"), &label, 200)?,
                    amount_cents: amount.cents(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
    }
    if !s.budget_lines.is_empty() {
        let total: i64 = s.budget_lines.iter().map(|l| l.amount_cents).sum();
        if total != s.requested_amount.cents() {
            return Err(DomainError::validation(
                "budgetLines",
                "the budget lines must add up to the requested amount",
            ));
        }
    }
    Ok(())
}

fn action(name: &'static str, id: SubmissionId) -> Action {
    Action {
        name,
        object_type: "Submission",
        object_id: id.0,
    }
}
