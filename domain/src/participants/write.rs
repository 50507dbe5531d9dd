//! Creating, editing, deciding on and erasing participants, each in one audited transaction.

use chrono::NaiveDate;

use super::model::*;
use super::{policy, store};
use crate::audit::Action;
use crate::db::{Change, TenantTx, Tx};
use crate::error::{DomainError, Result, RuleCode};
use crate::ids::{ParticipantId, StaffId};
use crate::principal::{Principal, Role};
use crate::text::{Email, Name, clean};
use crate::{staff, tenants};

/// Minimum age at creation.
pub const MIN_AGE: u32 = 16;
const MAX_DIFFICULTIES: usize = 20;

/// Create a participant: a referent in their own portfolio, or steering for a referent.
pub async fn create(tx: &Tx, principal: &Principal, input: NewParticipant) -> Result<Participant> {
    policy::require_creator(principal)?;
    let key = input
        .idempotency_key
        .as_deref()
        .map(|k| crate::text::clean("idempotencyKey", k, 200))
        .transpose()?;
    // What makes a retry the same request: everything it sends.
    let fingerprint = format!("{:?}", (&input.fields, input.referent_id, input.entry_date));
    let tx = tx.change(principal).await?;
    // The key is claimed first, for the ID the participant will have: a concurrent retry
    // waits on the key and then replays, rather than seeing the new person as a duplicate.
    // A create refused below rolls the claim back with it.
    let id = ParticipantId::generate();
    if let Some(key) = &key {
        let response = serde_json::json!({ "participant": id.0 });
        if let Some(first) =
            crate::idempotency::claim(&tx, principal, key, &fingerprint, response).await?
        {
            return replay(tx, principal, first).await;
        }
    }
    let p = Participant {
        id,
        ..prepare_create(&tx, principal, input).await?
    };
    let created = insert_created(&tx, &p).await?;
    tx.commit(created).await?;
    Ok(p)
}

/// The participant a first `create` with the same idempotency key made; nothing written.
async fn replay(
    tx: Change,
    principal: &Principal,
    first: serde_json::Value,
) -> Result<Participant> {
    let id = first["participant"]
        .as_str()
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .ok_or_else(|| DomainError::Internal("stored idempotent response unreadable".into()))?;
    let p = store::find_visible(&tx, principal, ParticipantId(id)).await?;
    tx.unchanged().await?;
    Ok(p)
}

/// Everything [`create`] checks, in `tx`, without writing: the participant it would insert.
pub(super) async fn prepare_create(
    tx: &TenantTx,
    principal: &Principal,
    input: NewParticipant,
) -> Result<Participant> {
    policy::require_creator(principal)?;
    let today = crate::paris::today(tx.now());
    let referent_id = policy::referent_of_new(principal, input.referent_id)?;
    check_referent(tx, referent_id).await?;
    let f = input.fields;
    let required = |v: Option<String>, field: &str| {
        v.ok_or_else(|| DomainError::validation(field, "is required"))
    };
    let mut p = Participant {
        id: ParticipantId::generate(),
        first_name: Some(required(f.first_name.clone(), "firstName")?),
        last_name: Some(required(f.last_name.clone(), "lastName")?),
        birth_date: Some(
            f.birth_date
                .ok_or_else(|| DomainError::validation("birthDate", "is required"))?,
        ),
        birth_year: None,
        gender: f
            .gender
            .ok_or_else(|| DomainError::validation("gender", "is required"))?,
        email: None,
        phone: None,
        postal_address: None,
        commune_id: f
            .commune_id
            .ok_or_else(|| DomainError::validation("communeId", "is required"))?,
        long_term_job_seeker: f.long_term_job_seeker.unwrap_or(false),
        rsa_beneficiary: f.rsa_beneficiary.unwrap_or(false),
        priority_neighbourhood: f.priority_neighbourhood.unwrap_or(false),
        education_level: EducationLevel::new(
            f.education_level
                .ok_or_else(|| DomainError::validation("educationLevel", "is required"))?,
        )?,
        recognised_disability: f.recognised_disability.unwrap_or(false),
        authorised_to_work: f.authorised_to_work.unwrap_or(false),
        difficulties: Vec::new(),
        consent_date: Some(
            f.consent_date
                .ok_or_else(|| DomainError::validation("consentDate", "is required"))?,
        ),
        consent_scope: Some(required(f.consent_scope.clone(), "consentScope")?),
        referent_id,
        status: ParticipantStatus::Candidate,
        entry_date: Some(input.entry_date.unwrap_or(today)),
        committee_date: None,
        refusal_reason: None,
        anonymised_at: None,
        created_at: tx.now(),
        updated_at: tx.now(),
        version: 1,
    };
    apply_fields(&mut p, f, today)?;
    check_dates(&p, today)?;
    check_eligibility(tx, &p, today).await?;
    if !input.allow_duplicate
        && let (Some(last), Some(first), Some(birth)) = (&p.last_name, &p.first_name, p.birth_date)
        && store::same_person(tx, &crate::text::name_key(last, first), birth).await?
    {
        return Err(DomainError::Rule {
            code: RuleCode::PossibleDuplicate,
            message: "a participant of this PLIE has the same name and birth date: search for \
                      them first; if this is another person, create them explicitly \
                      (allowDuplicate: true; allowDuplicates=true for an import)"
                .into(),
        });
    }
    Ok(p)
}

/// Insert a participant checked by [`prepare_create`] in `tx`; returns the action to audit.
pub(super) async fn insert_created(tx: &Change, p: &Participant) -> Result<Action> {
    store::insert(tx, p).await?;
    Ok(action("participant.create", p.id))
}

/// Change a participant's fields; `CONFLICT` on a stale version.
pub async fn update(
    tx: &Tx,
    principal: &Principal,
    input: ParticipantChanges,
) -> Result<Participant> {
    let tx = tx.change(principal).await?;
    let (current, changed) = prepare_update(&tx, principal, input).await?;
    save(tx, current, changed, "participant.update").await
}

/// Everything [`update`] checks, in `tx`, without writing: the participant as it is and as it
/// would be saved (with `save_in(…, "participant.update")`).
pub(super) async fn prepare_update(
    tx: &TenantTx,
    principal: &Principal,
    input: ParticipantChanges,
) -> Result<(Participant, Participant)> {
    let current = editable(tx, principal, input.id, input.version).await?;
    let today = crate::paris::today(tx.now());
    let mut changed = current.clone();
    if let Some(commune) = input.fields.commune_id
        && !tenants::commune_exists(tx, commune).await?
    {
        return Err(outside_perimeter());
    }
    apply_fields(&mut changed, input.fields, today)?;
    check_dates(&changed, today)?;
    if !changed.authorised_to_work {
        return Err(DomainError::validation(
            "authorisedToWork",
            "a participant must be allowed to work in France",
        ));
    }
    Ok((current, changed))
}

/// Steering: the validation committee admits a candidate; the participant becomes active.
pub async fn validate_entry(
    tx: &Tx,
    principal: &Principal,
    id: ParticipantId,
    version: i32,
    committee_date: NaiveDate,
) -> Result<Participant> {
    policy::require_steering(principal, "only steering records committee decisions")?;
    let tx = tx.change(principal).await?;
    let current = editable(&tx, principal, id, version).await?;
    require_status(&current, ParticipantStatus::Candidate)?;
    check_committee_date(&current, committee_date, crate::paris::today(tx.now()))?;
    let changed = Participant {
        status: ParticipantStatus::Active,
        committee_date: Some(committee_date),
        ..current.clone()
    };
    save(tx, current, changed, "participant.validate_entry").await
}

/// Steering: the validation committee refuses a candidate, with its reason.
pub async fn refuse_entry(
    tx: &Tx,
    principal: &Principal,
    id: ParticipantId,
    version: i32,
    committee_date: NaiveDate,
    reason: &str,
) -> Result<Participant> {
    policy::require_steering(principal, "only steering records committee decisions")?;
    let reason = clean("reason", reason, 1000)?;
    let tx = tx.change(principal).await?;
    let current = editable(&tx, principal, id, version).await?;
    require_status(&current, ParticipantStatus::Candidate)?;
    check_committee_date(&current, committee_date, crate::paris::today(tx.now()))?;
    let changed = Participant {
        status: ParticipantStatus::Refused,
        committee_date: Some(committee_date),
        refusal_reason: Some(reason),
        ..current.clone()
    };
    save(tx, current, changed, "participant.refuse_entry").await
}

/// Steering: give the participant another referent (a single referent per path).
pub async fn reassign_referent(
    tx: &Tx,
    principal: &Principal,
    id: ParticipantId,
    version: i32,
    referent_id: StaffId,
) -> Result<Participant> {
    policy::require_steering(principal, "only steering reassigns referents")?;
    let tx = tx.change(principal).await?;
    let current = editable(&tx, principal, id, version).await?;
    check_referent(&tx, referent_id).await?;
    let changed = Participant {
        referent_id,
        ..current.clone()
    };
    save(tx, current, changed, "participant.reassign_referent").await
}

/// Steering: right to erasure. Names, birth date, contact, consent text and the free texts of
/// the path are erased; the anonymous facts statistics need (gender, birth year, commune,
/// situation at entry, status, dates, episodes' kinds and dates, exit) remain.
pub async fn anonymise(
    tx: &Tx,
    principal: &Principal,
    id: ParticipantId,
    version: i32,
) -> Result<Participant> {
    policy::require_steering(principal, "only steering anonymises participants")?;
    let tx = tx.change(principal).await?;
    let current = editable(&tx, principal, id, version).await?;
    let changed = Participant {
        first_name: None,
        last_name: None,
        birth_year: current.birth_date.map(|d| chrono::Datelike::year(&d)),
        birth_date: None,
        email: None,
        phone: None,
        postal_address: None,
        consent_scope: None,
        refusal_reason: None,
        difficulties: Vec::new(),
        anonymised_at: Some(tx.now()),
        ..current.clone()
    };
    store::erase_texts(&tx, id).await?;
    save(tx, current, changed, "participant.anonymise").await
}

/// The participant, checked editable by `principal` at `version`.
pub(super) async fn editable(
    tx: &TenantTx,
    principal: &Principal,
    id: ParticipantId,
    version: i32,
) -> Result<Participant> {
    let current = store::find_visible(tx, principal, id).await?;
    policy::require_owner(principal, &current)?;
    if current.anonymised_at.is_some() {
        return Err(DomainError::Conflict(
            "this participant has been anonymised".into(),
        ));
    }
    if current.version != version {
        return Err(DomainError::stale("participant"));
    }
    Ok(current)
}

/// The participant, checked editable by `principal` (for writes on its path and episodes,
/// which carry their own versions).
pub(super) async fn editable_unversioned(
    tx: &TenantTx,
    principal: &Principal,
    id: ParticipantId,
) -> Result<Participant> {
    let current = store::find_visible(tx, principal, id).await?;
    policy::require_owner(principal, &current)?;
    if current.anonymised_at.is_some() {
        return Err(DomainError::Conflict(
            "this participant has been anonymised".into(),
        ));
    }
    if current.status == ParticipantStatus::Exited || current.status == ParticipantStatus::Refused {
        return Err(DomainError::Conflict(format!(
            "the participant is {}: the path is closed",
            current.status.as_str()
        )));
    }
    Ok(current)
}

/// Write `changed` over `current` (version + 1) and commit the change, audited as `name`.
pub(super) async fn save(
    tx: Change,
    current: Participant,
    changed: Participant,
    name: &'static str,
) -> Result<Participant> {
    let (saved, done) = save_in(&tx, &current, changed, name).await?;
    tx.commit(done).await?;
    Ok(saved)
}

/// Write `changed` over `current` (version + 1) in `tx`; returns it and the action to audit
/// as `name`.
pub(super) async fn save_in(
    tx: &Change,
    current: &Participant,
    changed: Participant,
    name: &'static str,
) -> Result<(Participant, Action)> {
    let changed = Participant {
        updated_at: tx.now(),
        version: current.version + 1,
        ..changed
    };
    if !store::update(tx, &changed, current.version).await? {
        return Err(DomainError::stale("participant"));
    }
    let done = action(name, changed.id);
    Ok((changed, done))
}

pub(super) fn action(name: &'static str, id: ParticipantId) -> Action {
    Action {
        name,
        object_type: "Participant",
        object_id: id.0,
    }
}

fn require_status(p: &Participant, status: ParticipantStatus) -> Result<()> {
    if p.status == status {
        Ok(())
    } else {
        Err(DomainError::Conflict(format!(
            "the participant is {}, not {}",
            p.status.as_str(),
            status.as_str()
        )))
    }
}

fn check_committee_date(p: &Participant, date: NaiveDate, today: NaiveDate) -> Result<()> {
    if date > today {
        return Err(DomainError::validation(
            "committeeDate",
            "must not be in the future",
        ));
    }
    if p.entry_date.is_some_and(|entry| date < entry) {
        return Err(DomainError::validation(
            "committeeDate",
            "must not be before the entry date",
        ));
    }
    Ok(())
}

async fn check_referent(tx: &TenantTx, id: StaffId) -> Result<()> {
    let referent = staff::find_in(tx, id).await?;
    match referent {
        Some(r) if r.role == Role::Referent && r.active => Ok(()),
        Some(_) => Err(DomainError::validation(
            "referentId",
            "must be an active referent of this tenant",
        )),
        None => Err(DomainError::NotFound { entity: "referent" }),
    }
}

fn outside_perimeter() -> DomainError {
    DomainError::validation("communeId", "is not a commune of this PLIE's perimeter")
}

/// Copy the given fields onto `p`, each parsed and checked.
fn apply_fields(p: &mut Participant, f: ParticipantFields, today: NaiveDate) -> Result<()> {
    if let Some(v) = f.first_name {
        p.first_name = Some(Name::parse("firstName", &v)?.into_inner());
    }
    if let Some(v) = f.last_name {
        p.last_name = Some(Name::parse("lastName", &v)?.into_inner());
    }
    if let Some(v) = f.birth_date {
        p.birth_date = Some(v);
    }
    if let Some(v) = f.gender {
        p.gender = v;
    }
    if let Some(v) = f.email {
        p.email = if v.trim().is_empty() {
            None
        } else {
            Some(Email::parse("email", &v)?.into_inner())
        };
    }
    if let Some(v) = f.phone {
        let phone = clean("phone", &v, 30)?;
        if !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-' | '(' | ')'))
        {
            return Err(DomainError::validation("phone", "is not a phone number"));
        }
        p.phone = Some(phone);
    }
    if let Some(v) = f.postal_address {
        p.postal_address = Some(clean("postalAddress", &v, 500)?);
    }
    if let Some(v) = f.commune_id {
        p.commune_id = v;
    }
    if let Some(v) = f.long_term_job_seeker {
        p.long_term_job_seeker = v;
    }
    if let Some(v) = f.rsa_beneficiary {
        p.rsa_beneficiary = v;
    }
    if let Some(v) = f.priority_neighbourhood {
        p.priority_neighbourhood = v;
    }
    if let Some(v) = f.education_level {
        p.education_level = EducationLevel::new(v)?;
    }
    if let Some(v) = f.recognised_disability {
        p.recognised_disability = v;
    }
    if let Some(v) = f.authorised_to_work {
        p.authorised_to_work = v;
    }
    if let Some(list) = f.difficulties {
        if list.len() > MAX_DIFFICULTIES {
            return Err(DomainError::validation(
                "difficulties",
                format!("at most {MAX_DIFFICULTIES}"),
            ));
        }
        p.difficulties = list
            .iter()
            .map(|d| clean("difficulties", d, 100))
            .collect::<Result<Vec<_>>>()?;
    }
    if let Some(v) = f.consent_date {
        if v > today {
            return Err(DomainError::validation(
                "consentDate",
                "must not be in the future",
            ));
        }
        p.consent_date = Some(v);
    }
    if let Some(v) = f.consent_scope {
        p.consent_scope = Some(clean("consentScope", &v, 1000)?);
    }
    Ok(())
}

fn check_dates(p: &Participant, today: NaiveDate) -> Result<()> {
    if let Some(birth) = p.birth_date {
        if birth > today {
            return Err(DomainError::validation(
                "birthDate",
                "must not be in the future",
            ));
        }
        if birth.years_since(NaiveDate::MIN).is_none() || chrono::Datelike::year(&birth) < 1900 {
            return Err(DomainError::validation("birthDate", "is not plausible"));
        }
    }
    if let Some(entry) = p.entry_date
        && entry > today
    {
        return Err(DomainError::validation(
            "entryDate",
            "must not be in the future",
        ));
    }
    Ok(())
}

/// Entry criteria: perimeter, right to work, age, at least one difficulty or targeting
/// criterion.
async fn check_eligibility(tx: &TenantTx, p: &Participant, today: NaiveDate) -> Result<()> {
    if !tenants::commune_exists(tx, p.commune_id).await? {
        return Err(outside_perimeter());
    }
    if !p.authorised_to_work {
        return Err(DomainError::validation(
            "authorisedToWork",
            "a participant must be allowed to work in France",
        ));
    }
    // Entry criteria hold on the entry date (today until one is recorded).
    let on = p.entry_date.unwrap_or(today);
    let age = p.birth_date.and_then(|b| on.years_since(b)).unwrap_or(0);
    if age < MIN_AGE {
        return Err(DomainError::validation(
            "birthDate",
            format!("a participant must be at least {MIN_AGE} years old on the entry date"),
        ));
    }
    let targeted = p.long_term_job_seeker
        || p.rsa_beneficiary
        || p.priority_neighbourhood
        || p.education_level.is_low()
        || age >= super::exit_assessment::SENIOR_AGE
        || p.recognised_disability
        || !p.difficulties.is_empty();
    if !targeted {
        return Err(DomainError::validation(
            "difficulties",
            "record at least one integration difficulty or targeting criterion",
        ));
    }
    Ok(())
}
