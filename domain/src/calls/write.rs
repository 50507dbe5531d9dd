//! Creating, editing and publishing calls (steering only), each in one audited transaction.

use super::model::*;
use super::policy;
use super::store;
use crate::audit::Action;
use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::CallId;
use crate::paris;
use crate::principal::Principal;
use crate::text::{Name, clean};

/// The part-time frame of a new call: half-time, five of a working week's ten half-days.
pub const DEFAULT_HALF_DAYS_PER_WEEK: i32 = 5;

const MAX_QUESTIONS: usize = 50;

/// Create a call as a draft.
pub async fn create(tx: &Tx, principal: &Principal, input: CallFields) -> Result<CallForProjects> {
    policy::require_writer(principal)?;
    let required =
        |v: Option<()>, field: &str| v.ok_or_else(|| DomainError::validation(field, "is required"));
    required(input.reference.as_ref().map(|_| ()), "reference")?;
    required(input.title.as_ref().map(|_| ()), "title")?;
    required(input.budget_cap.map(|_| ()), "budgetCap")?;
    let opens = input
        .opens
        .ok_or_else(|| DomainError::validation("opens", "is required"))?;
    let deadline = input
        .deadline
        .ok_or_else(|| DomainError::validation("deadline", "is required"))?;
    let tx = tx.change(principal).await?;
    let mut call = CallForProjects {
        id: CallId::generate(),
        reference: String::new(),
        title: String::new(),
        summary: String::new(),
        specification: String::new(),
        budget_cap: Default::default(),
        target_participants_per_year: 0,
        group_size_min: 1,
        group_size_max: 1,
        cadence_weeks: 1,
        max_half_days_per_week: DEFAULT_HALF_DAYS_PER_WEEK,
        opens_at: paris::instant("opens", opens.date, opens.time)?,
        deadline_at: paris::instant("deadline", deadline.date, deadline.time)?,
        expected_start: None,
        questions: Vec::new(),
        stored_status: StoredCallStatus::Draft,
        created_at: tx.now(),
        updated_at: tx.now(),
        version: 1,
    };
    apply(&mut call, input)?;
    store::save(&tx, &call, None).await?;
    tx.commit(action("call.create", call.id)).await?;
    Ok(call)
}

/// Edit a draft call; `CONFLICT` on a stale version or once published.
pub async fn update(
    tx: &Tx,
    principal: &Principal,
    id: CallId,
    version: i32,
    input: CallFields,
) -> Result<CallForProjects> {
    policy::require_writer(principal)?;
    let tx = tx.change(principal).await?;
    let current = current(&tx, id, version).await?;
    if current.stored_status != StoredCallStatus::Draft {
        return Err(DomainError::Conflict(
            "a published call no longer changes".into(),
        ));
    }
    let mut changed = current.clone();
    apply(&mut changed, input)?;
    changed.updated_at = tx.now();
    changed.version += 1;
    if !store::save(&tx, &changed, Some(version)).await? {
        return Err(DomainError::stale("call for projects"));
    }
    tx.commit(action("call.update", id)).await?;
    Ok(changed)
}

/// Publish a draft: providers of the tenant can read it and answer until the deadline.
pub async fn publish(
    tx: &Tx,
    principal: &Principal,
    id: CallId,
    version: i32,
) -> Result<CallForProjects> {
    policy::require_publisher(principal)?;
    let tx = tx.change(principal).await?;
    let current = current(&tx, id, version).await?;
    if current.stored_status != StoredCallStatus::Draft {
        return Err(DomainError::Conflict(
            "the call is already published".into(),
        ));
    }
    if current.deadline_at <= tx.now() {
        return Err(DomainError::validation(
            "deadline",
            "is already past: nobody could answer",
        ));
    }
    let changed = CallForProjects {
        stored_status: StoredCallStatus::Published,
        updated_at: tx.now(),
        version: version + 1,
        ..current
    };
    if !store::save(&tx, &changed, Some(version)).await? {
        return Err(DomainError::stale("call for projects"));
    }
    tx.commit(action("call.publish", id)).await?;
    Ok(changed)
}

async fn current(tx: &crate::db::TenantTx, id: CallId, version: i32) -> Result<CallForProjects> {
    let current = store::find(tx, id).await?.ok_or(DomainError::NotFound {
        entity: "call for projects",
    })?;
    if current.version != version {
        return Err(DomainError::stale("call for projects"));
    }
    Ok(current)
}

fn apply(call: &mut CallForProjects, input: CallFields) -> Result<()> {
    if let Some(v) = input.reference {
        call.reference = clean("reference", &v, 50)?;
    }
    if let Some(v) = input.title {
        call.title = Name::parse("title", &v)?.into_inner();
    }
    if let Some(v) = input.summary {
        call.summary = clean("summary", &v, 2_000)?;
    }
    if let Some(v) = input.specification {
        // Markdown: newlines are text here, other control characters are not.
        if v.len() > 200_000 {
            return Err(DomainError::validation(
                "specification",
                "must be at most 200,000 bytes",
            ));
        }
        if v.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(DomainError::validation(
                "specification",
                "must not contain control characters",
            ));
        }
        call.specification = v;
    }
    if let Some(v) = input.budget_cap {
        call.budget_cap = v;
    }
    let positive = |field: &str, v: i32, max: i32| {
        if (1..=max).contains(&v) {
            Ok(v)
        } else {
            Err(DomainError::validation(
                field,
                format!("must be between 1 and {max}"),
            ))
        }
    };
    if let Some(v) = input.target_participants_per_year {
        call.target_participants_per_year = positive("targetParticipantsPerYear", v, 100_000)?;
    }
    if let Some(v) = input.group_size_min {
        call.group_size_min = positive("groupSizeMin", v, 1_000)?;
    }
    if let Some(v) = input.group_size_max {
        call.group_size_max = positive("groupSizeMax", v, 1_000)?;
    }
    if call.group_size_min > call.group_size_max {
        return Err(DomainError::validation(
            "groupSizeMax",
            "must not be below groupSizeMin",
        ));
    }
    if let Some(v) = input.cadence_weeks {
        call.cadence_weeks = positive("cadenceWeeks", v, 52)?;
    }
    if let Some(v) = input.max_half_days_per_week {
        call.max_half_days_per_week = positive("maxHalfDaysPerWeek", v, 9)?;
    }
    if let Some(t) = input.opens {
        call.opens_at = paris::instant("opens", t.date, t.time)?;
    }
    if let Some(t) = input.deadline {
        call.deadline_at = paris::instant("deadline", t.date, t.time)?;
    }
    if call.deadline_at <= call.opens_at {
        return Err(DomainError::validation(
            "deadline",
            "must be after the opening",
        ));
    }
    if input.expected_start.is_some() {
        call.expected_start = input.expected_start;
    }
    if let Some(questions) = input.questions {
        if questions.len() > MAX_QUESTIONS {
            return Err(DomainError::validation(
                "questions",
                format!("at most {MAX_QUESTIONS}"),
            ));
        }
        call.questions = questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                Ok(Question {
                    key: format!("q{}", i + 1),
                    text: clean(&format!("questions[{i}].text"), &q.text, 2_000)?,
                    required: q.required,
                })
            })
            .collect::<Result<Vec<_>>>()?;
    }
    Ok(())
}

fn action(name: &'static str, id: CallId) -> Action {
    Action {
        name,
        object_type: "CallForProjects",
        object_id: id.0,
    }
}
