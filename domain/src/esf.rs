//! ESF+ participant records (Regulation (EU) 2021/1057, Annex I): the data the European Social
//! Fund wants for each participant of each operation, at entry, at exit and six months later.
//!
//! An operation is either the PLIE's accompaniment (identified by the tenant) or the action of
//! one convention. Rules:
//! - One record per participant and operation. A re-entry into the same operation keeps the
//!   first entry's data; it may only fill items still missing.
//! - At entry: the employment status is given; the age band (under 18, 18–29, 30–54, 55 and
//!   over) is derived from the birth date (or year) at the entry date; the education band
//!   (ISCED 0–2, 3–4, 5–8) from the French level — 1 and 2 → ISCED 0–2; 3 (CAP/BEP) and
//!   4 (baccalauréat) → 3–4; 5 to 8 → 5–8; disability from the participant's record. Third-
//!   country national, foreign background, homelessness or housing exclusion and rural area are
//!   asked; minority is optional and sensitive (null: not asked or declined).
//! - At exit (the situation within four weeks): job searching, in education or training,
//!   qualification gained, in employment (including self-employment). Six months after the
//!   exit: in employment, improved labour-market situation — not before that date.
//! - Completeness: the items still missing of each record (`missing`); minority is never
//!   "missing".
//! - Who: steering every record; a referent their own participants' records; a provider the
//!   records of its conventions' operations, for the participants of its cohorts. The export and
//!   the indicators of an operation: steering, and the provider for its own convention.
//! - The export discloses each participant's disability: it records one access entry per
//!   exported participant (channel `esf_export`) before it returns, and returns nothing when
//!   that fails (see [`crate::access_log`]).

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use crate::access_log::{Channel, Read, SensitiveField};
use crate::audit::Action;
use crate::db::{Change, TenantTx, Tx};
use crate::entities::{esf_record, participant};
use crate::error::{DomainError, Result};
use crate::ids::{ConventionId, EsfRecordId, ParticipantId};
use crate::indicators::Period;
use crate::page::{Page, PageRequest};
use crate::participants::{self, ParticipantStatus};
use crate::principal::{Principal, Role};

text_enum!(
    /// Labour-market status at entry.
    EmploymentStatus {
        Unemployed = "unemployed",
        LongTermUnemployed = "long_term_unemployed",
        Inactive = "inactive",
        Employed = "employed",
    }
);
text_enum!(
    /// Age band at entry.
    AgeBand { Under18 = "under_18", From18To29 = "18_29", From30To54 = "30_54", From55 = "55_plus" }
);
text_enum!(
    /// ISCED band of the highest education level.
    IscedBand { Isced0To2 = "0_2", Isced3To4 = "3_4", Isced5To8 = "5_8" }
);

/// The ISCED band of a French level of the 2019 nomenclature (1 to 8).
pub fn isced_band(level: u8) -> IscedBand {
    match level {
        0..=2 => IscedBand::Isced0To2,
        3 | 4 => IscedBand::Isced3To4,
        _ => IscedBand::Isced5To8,
    }
}

/// The age band on `on` of someone born on `birth` (or in `birth_year` when the date is not
/// known: their age is then counted as if born on 1 January).
pub fn age_band(
    birth: Option<NaiveDate>,
    birth_year: Option<i32>,
    on: NaiveDate,
) -> Option<AgeBand> {
    let birth = birth.or_else(|| birth_year.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)))?;
    let age = on.years_since(birth)?;
    Some(match age {
        0..=17 => AgeBand::Under18,
        18..=29 => AgeBand::From18To29,
        30..=54 => AgeBand::From30To54,
        _ => AgeBand::From55,
    })
}

/// An operation: the PLIE's accompaniment, or a convention's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    Plie,
    Convention(ConventionId),
}

impl Operation {
    /// The operation an identifier names for `principal`: a convention's ID, or the
    /// principal's own tenant ID for the PLIE's accompaniment (another tenant's, or any other
    /// kind of ID, is not found).
    pub fn identified(principal: &Principal, kind: &str, id: uuid::Uuid) -> Result<Self> {
        match kind {
            "Convention" => Ok(Self::Convention(ConventionId(id))),
            "Tenant" if principal.tenant_id()?.0 == id => Ok(Self::Plie),
            _ => Err(DomainError::NotFound {
                entity: "operation",
            }),
        }
    }
}

/// What is asked at entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EntryAnswers {
    pub third_country_national: Option<bool>,
    pub foreign_background: Option<bool>,
    pub minority: Option<bool>,
    pub homeless: Option<bool>,
    pub rural_area: Option<bool>,
}

/// The situation at exit (within four weeks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitAnswers {
    pub date: NaiveDate,
    pub job_searching: Option<bool>,
    pub in_education_or_training: Option<bool>,
    pub qualification_gained: Option<bool>,
    pub in_employment: Option<bool>,
}

/// The situation six months after the exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaterAnswers {
    pub in_employment: Option<bool>,
    pub improved_situation: Option<bool>,
}

/// A participant's record in one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EsfRecord {
    pub id: EsfRecordId,
    pub participant_id: ParticipantId,
    pub operation: Operation,
    pub entry_date: NaiveDate,
    pub gender: String,
    pub age_band: Option<AgeBand>,
    pub isced_band: IscedBand,
    pub employment_status: EmploymentStatus,
    pub disability: bool,
    pub entry: EntryAnswers,
    pub exit: Option<ExitAnswers>,
    pub later: LaterAnswers,
    pub version: i32,
}

impl EsfRecord {
    /// The items still missing on `today` (exit items once exited, the later ones from six
    /// months after the exit).
    pub fn missing(&self, today: NaiveDate) -> Vec<&'static str> {
        let mut out = Vec::new();
        let e = &self.entry;
        for (item, value) in [
            ("ageBand", self.age_band.map(|_| true)),
            ("thirdCountryNational", e.third_country_national),
            ("foreignBackground", e.foreign_background),
            ("homeless", e.homeless),
            ("ruralArea", e.rural_area),
        ] {
            if value.is_none() {
                out.push(item);
            }
        }
        if let Some(x) = &self.exit {
            for (item, value) in [
                ("exitJobSearching", x.job_searching),
                ("exitInEducationOrTraining", x.in_education_or_training),
                ("exitQualificationGained", x.qualification_gained),
                ("exitInEmployment", x.in_employment),
            ] {
                if value.is_none() {
                    out.push(item);
                }
            }
            if later_from(x.date) <= today {
                for (item, value) in [
                    ("laterInEmployment", self.later.in_employment),
                    ("laterImprovedSituation", self.later.improved_situation),
                ] {
                    if value.is_none() {
                        out.push(item);
                    }
                }
            }
        }
        out
    }
}

/// The first day the six-month situation may be recorded.
pub fn later_from(exit: NaiveDate) -> NaiveDate {
    exit.checked_add_months(Months::new(6)).unwrap_or(exit)
}

fn operation_of(tx: &TenantTx, r: &esf_record::Model) -> Operation {
    if r.operation_kind == "plie" && r.operation_id == tx.tenant().0 {
        Operation::Plie
    } else {
        Operation::Convention(ConventionId(r.operation_id))
    }
}

fn key(tx: &TenantTx, operation: Operation) -> (&'static str, uuid::Uuid) {
    match operation {
        Operation::Plie => ("plie", tx.tenant().0),
        Operation::Convention(c) => ("convention", c.0),
    }
}

/// The records the principal may read: the scope of this area.
async fn readable(tx: &TenantTx, principal: &Principal) -> Result<Select<esf_record::Entity>> {
    let q = tx.select::<esf_record::Entity>();
    Ok(
        match (principal.role(), principal.staff(), principal.structure()) {
            (Role::Steering, _, _) => q,
            (Role::Referent, Some(staff), _) => {
                let own: Vec<uuid::Uuid> = tx
                    .select::<participant::Entity>()
                    .select_only()
                    .column(participant::Column::Id)
                    .filter(participant::Column::ReferentId.eq(staff.0))
                    .into_tuple()
                    .all(tx.conn())
                    .await?;
                q.filter(esf_record::Column::ParticipantId.is_in(own))
            }
            (Role::Provider, _, Some(structure)) => {
                let conventions = crate::conventions::ids_of_structure(tx, structure).await?;
                q.filter(esf_record::Column::OperationKind.eq("convention"))
                    .filter(esf_record::Column::OperationId.is_in(conventions))
            }
            _ => q.filter(esf_record::Column::Version.lt(0)),
        },
    )
}

/// Refuse an operation the principal may not report on (a provider: only its conventions);
/// its label otherwise (`PLIE`, or the convention's number).
async fn check_operation(
    tx: &TenantTx,
    principal: &Principal,
    operation: Operation,
) -> Result<String> {
    let scope = match principal.role() {
        Role::Provider => {
            if operation == Operation::Plie {
                return Err(DomainError::Forbidden(
                    "a provider reports on its own conventions' operations",
                ));
            }
            principal.structure()
        }
        _ => None,
    };
    Ok(match operation {
        Operation::Convention(id) => crate::conventions::find_in(tx, scope, id).await?.number,
        Operation::Plie => "PLIE".to_owned(),
    })
}

/// Record a participant's entry into an operation; a re-entry keeps the first entry's data and
/// fills only what is still missing. Returns the record and whether it already existed.
pub async fn record_entry(
    tx: &Tx,
    principal: &Principal,
    participant: ParticipantId,
    operation: Operation,
    entry_date: Option<NaiveDate>,
    status: EmploymentStatus,
    answers: EntryAnswers,
) -> Result<(EsfRecord, bool)> {
    principal.require(
        &[Role::Steering, Role::Referent, Role::Provider],
        "steering, referents and providers collect ESF data",
    )?;
    let tx = tx.change(principal).await?;
    check_operation(&tx, principal, operation).await?;
    let p = participants::find_readable_in(&tx, principal, participant).await?;
    if !matches!(
        p.status,
        ParticipantStatus::Active | ParticipantStatus::Exited
    ) {
        return Err(DomainError::Conflict(
            "ESF data is collected once the participant's entry is validated".into(),
        ));
    }
    let today = crate::paris::wall_clock(tx.now()).date();
    let entry_date = match (entry_date, operation) {
        (Some(d), _) => d,
        (None, Operation::Plie) => p.entry_date.unwrap_or(today),
        (None, Operation::Convention(_)) => today,
    };
    if entry_date > today {
        return Err(DomainError::validation(
            "entryDate",
            "must not be in the future",
        ));
    }
    if p.entry_date.is_some_and(|e| entry_date < e) {
        return Err(DomainError::validation(
            "entryDate",
            "must not be before the participant's entry into the PLIE",
        ));
    }
    let operation_id = key(&tx, operation).1;
    let existing = tx
        .select::<esf_record::Entity>()
        .filter(esf_record::Column::ParticipantId.eq(participant.0))
        .filter(esf_record::Column::OperationId.eq(operation_id))
        .one(tx.conn())
        .await?;
    let (record, reentry) = match existing {
        Some(row) => {
            // A re-entry: the first entry's data stays; only missing answers are filled.
            let mut r = to_record(&tx, row)?;
            let e = &mut r.entry;
            e.third_country_national = e.third_country_national.or(answers.third_country_national);
            e.foreign_background = e.foreign_background.or(answers.foreign_background);
            e.minority = e.minority.or(answers.minority);
            e.homeless = e.homeless.or(answers.homeless);
            e.rural_area = e.rural_area.or(answers.rural_area);
            r.version += 1;
            save(&tx, principal, &r, false).await?;
            (r, true)
        }
        None => {
            let r = EsfRecord {
                id: EsfRecordId::generate(),
                participant_id: participant,
                operation,
                entry_date,
                gender: p.gender.as_str().to_owned(),
                age_band: age_band(p.birth_date, p.birth_year, entry_date),
                isced_band: isced_band(p.education_level.get()),
                employment_status: status,
                disability: p.recognised_disability,
                entry: answers,
                exit: None,
                later: LaterAnswers {
                    in_employment: None,
                    improved_situation: None,
                },
                version: 1,
            };
            save(&tx, principal, &r, true).await.map_err(|e| match e {
                DomainError::Conflict(_) => DomainError::Conflict(
                    "this participant's entry into the operation was just recorded".into(),
                ),
                other => other,
            })?;
            (r, false)
        }
    };
    tx.commit(action("esf.entry", record.id)).await?;
    Ok((record, reentry))
}

/// Record the situation at exit. For an action's record, a participant who dropped out of
/// the action (their last membership of its cohorts) left it on their drop-out date: that is
/// the exit date.
pub async fn record_exit(
    tx: &Tx,
    principal: &Principal,
    id: EsfRecordId,
    version: i32,
    answers: ExitAnswers,
) -> Result<EsfRecord> {
    principal.require(
        &[Role::Steering, Role::Referent, Role::Provider],
        "steering, referents and providers collect ESF data",
    )?;
    let tx = tx.change(principal).await?;
    let mut r = find_readable(&tx, principal, id).await?;
    if r.version != version {
        return Err(DomainError::stale("ESF record"));
    }
    if answers.date < r.entry_date {
        return Err(DomainError::validation(
            "date",
            "must not be before the entry",
        ));
    }
    if answers.date > crate::paris::today(tx.now()) {
        return Err(DomainError::validation("date", "must not be in the future"));
    }
    if let Operation::Convention(convention) = r.operation
        && let Some(left) =
            crate::cohorts::dropped_out_of_action(&tx, convention, r.participant_id).await?
        && answers.date != left
    {
        return Err(DomainError::validation(
            "date",
            format!("the participant dropped out of the action on {left}: that is the exit date"),
        ));
    }
    r.exit = Some(answers);
    r.version += 1;
    save(&tx, principal, &r, false).await?;
    tx.commit(action("esf.exit", r.id)).await?;
    Ok(r)
}

/// Record the situation six months after the exit (not before).
pub async fn record_later(
    tx: &Tx,
    principal: &Principal,
    id: EsfRecordId,
    version: i32,
    answers: LaterAnswers,
) -> Result<EsfRecord> {
    change(tx, principal, id, version, "esf.later", |r, today| {
        let Some(exit) = r.exit else {
            return Err(DomainError::Conflict("record the exit first".into()));
        };
        let from = later_from(exit.date);
        if today < from {
            return Err(DomainError::validation(
                "inEmployment",
                format!("the six-month situation is recorded from {from}"),
            ));
        }
        r.later = answers;
        Ok(())
    })
    .await
}

async fn change(
    tx: &Tx,
    principal: &Principal,
    id: EsfRecordId,
    version: i32,
    name: &'static str,
    apply: impl FnOnce(&mut EsfRecord, NaiveDate) -> Result<()>,
) -> Result<EsfRecord> {
    principal.require(
        &[Role::Steering, Role::Referent, Role::Provider],
        "steering, referents and providers collect ESF data",
    )?;
    let tx = tx.change(principal).await?;
    let mut r = find_readable(&tx, principal, id).await?;
    if r.version != version {
        return Err(DomainError::stale("ESF record"));
    }
    apply(&mut r, crate::paris::wall_clock(tx.now()).date())?;
    r.version += 1;
    save(&tx, principal, &r, false).await?;
    tx.commit(action(name, r.id)).await?;
    Ok(r)
}

async fn find_readable(tx: &TenantTx, principal: &Principal, id: EsfRecordId) -> Result<EsfRecord> {
    let row = readable(tx, principal)
        .await?
        .filter(esf_record::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .ok_or(DomainError::NotFound {
            entity: "ESF record",
        })?;
    to_record(tx, row)
}

async fn save(tx: &Change, principal: &Principal, r: &EsfRecord, new: bool) -> Result<()> {
    let (kind, operation_id) = key(tx, r.operation);
    let exit = r.exit;
    let row = esf_record::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(r.id.0),
        participant_id: Set(r.participant_id.0),
        operation_kind: Set(kind.to_owned()),
        operation_id: Set(operation_id),
        entry_date: Set(r.entry_date),
        gender: Set(r.gender.clone()),
        age_band: Set(r.age_band.map(|a| a.as_str().to_owned())),
        isced_band: Set(r.isced_band.as_str().to_owned()),
        employment_status: Set(r.employment_status.as_str().to_owned()),
        disability: Set(r.disability),
        third_country_national: Set(r.entry.third_country_national),
        foreign_background: Set(r.entry.foreign_background),
        minority: Set(r.entry.minority),
        homeless: Set(r.entry.homeless),
        rural_area: Set(r.entry.rural_area),
        exit_date: Set(exit.map(|x| x.date)),
        exit_job_searching: Set(exit.and_then(|x| x.job_searching)),
        exit_in_education_or_training: Set(exit.and_then(|x| x.in_education_or_training)),
        exit_qualification_gained: Set(exit.and_then(|x| x.qualification_gained)),
        exit_in_employment: Set(exit.and_then(|x| x.in_employment)),
        later_in_employment: Set(r.later.in_employment),
        later_improved_situation: Set(r.later.improved_situation),
        recorded_by: Set(principal.subject().to_owned()),
        created_at: if new {
            Set(tx.now())
        } else {
            Default::default()
        },
        updated_at: Set(tx.now()),
        version: Set(r.version),
    };
    if new {
        tx.insert(row).await?;
        return Ok(());
    }
    let result = tx
        .update_many::<esf_record::Entity>()
        .set(row)
        .filter(esf_record::Column::Id.eq(r.id.0))
        .filter(esf_record::Column::Version.eq(r.version - 1))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("ESF record"));
    }
    Ok(())
}

/// Filters of [`list`].
#[derive(Clone, Copy, Debug, Default)]
pub struct RecordFilter {
    pub operation: Option<Operation>,
    pub participant: Option<ParticipantId>,
    /// Only the records that miss an item.
    pub incomplete: bool,
}

/// One record the principal may read (`NOT_FOUND` otherwise, like a missing one).
pub async fn get(tx: &Tx, principal: &Principal, id: EsfRecordId) -> Result<EsfRecord> {
    let tx = tx.scoped(principal).await?;
    find_readable(&tx, principal, id).await
}

/// The records the principal may read, in creation order.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    filter: RecordFilter,
    page: PageRequest,
) -> Result<Page<EsfRecord>> {
    let tx = tx.scoped(principal).await?;
    let mut q = readable(&tx, principal).await?;
    if let Some(op) = filter.operation {
        q = q.filter(esf_record::Column::OperationId.eq(key(&tx, op).1));
    }
    if let Some(p) = filter.participant {
        q = q.filter(esf_record::Column::ParticipantId.eq(p.0));
    }
    if filter.incomplete {
        let today = crate::paris::wall_clock(tx.now()).date();
        q = q.filter(incomplete(today));
    }
    let total = crate::page::total(&page, &q, tx.conn()).await?;
    if let Some(after) = page.after {
        q = q.filter(esf_record::Column::Id.gt(after));
    }
    let rows = q
        .order_by_asc(esf_record::Column::Id)
        .limit(page.limit())
        .all(tx.conn())
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| to_record(&tx, r))
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(rows, &page, total))
}

/// The SQL form of [`EsfRecord::missing`] being non-empty.
fn incomplete(today: NaiveDate) -> Condition {
    use esf_record::Column as C;
    let six_months_ago = today.checked_sub_months(Months::new(6)).unwrap_or(today);
    Condition::any()
        .add(C::AgeBand.is_null())
        .add(C::ThirdCountryNational.is_null())
        .add(C::ForeignBackground.is_null())
        .add(C::Homeless.is_null())
        .add(C::RuralArea.is_null())
        .add(
            Condition::all().add(C::ExitDate.is_not_null()).add(
                Condition::any()
                    .add(C::ExitJobSearching.is_null())
                    .add(C::ExitInEducationOrTraining.is_null())
                    .add(C::ExitQualificationGained.is_null())
                    .add(C::ExitInEmployment.is_null()),
            ),
        )
        .add(
            Condition::all().add(C::ExitDate.lte(six_months_ago)).add(
                Condition::any()
                    .add(C::LaterInEmployment.is_null())
                    .add(C::LaterImprovedSituation.is_null()),
            ),
        )
}

/// An operation's export.
#[derive(Clone, Debug)]
pub struct Export {
    /// `PLIE`, or the convention's number.
    pub operation: String,
    pub rows: Vec<ExportRow>,
}

/// One row of an operation's export: the record and the participant's name.
#[derive(Clone, Debug)]
pub struct ExportRow {
    pub record: EsfRecord,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub missing: Vec<&'static str>,
}

/// The records of `operation` present during `period` (entered on or before its end, not
/// exited before its start), by entry date: steering, or the provider of the convention.
pub async fn export(
    tx: &Tx,
    principal: &Principal,
    operation: Operation,
    period: Period,
) -> Result<Export> {
    let (tx, label) = report_tx(tx, principal, operation).await?;
    let rows = in_period(&tx, operation, period)
        .order_by_asc(esf_record::Column::EntryDate)
        .order_by_asc(esf_record::Column::Id)
        .all(tx.conn())
        .await?;
    let people: Vec<uuid::Uuid> = rows.iter().map(|r| r.participant_id).collect();
    let names: HashMap<uuid::Uuid, (Option<String>, Option<String>)> = tx
        .select::<participant::Entity>()
        .filter(participant::Column::Id.is_in(people))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|p| (p.id, (p.last_name, p.first_name)))
        .collect();
    let today = crate::paris::wall_clock(tx.now()).date();
    let out = rows
        .into_iter()
        .map(|row| {
            let (last_name, first_name) =
                names.get(&row.participant_id).cloned().unwrap_or_default();
            let record = to_record(&tx, row)?;
            Ok(ExportRow {
                missing: record.missing(today),
                record,
                last_name,
                first_name,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // Every row carries the participant's disability: no file without its access entries.
    crate::access_log::record(
        tx.tx(),
        principal,
        Channel::EsfExport,
        out.iter().map(|row| Read {
            participant: row.record.participant_id,
            field: SensitiveField::RecognisedDisability,
        }),
    )
    .await?;
    Ok(Export {
        operation: label,
        rows: out,
    })
}

async fn report_tx(
    tx: &Tx,
    principal: &Principal,
    operation: Operation,
) -> Result<(TenantTx, String)> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "ESF exports are for steering and the operation's provider",
    )?;
    let tx = tx.scoped(principal).await?;
    let label = check_operation(&tx, principal, operation).await?;
    Ok((tx, label))
}

fn in_period(tx: &TenantTx, operation: Operation, period: Period) -> Select<esf_record::Entity> {
    tx.select::<esf_record::Entity>()
        .filter(esf_record::Column::OperationId.eq(key(tx, operation).1))
        .filter(esf_record::Column::EntryDate.lte(period.to))
        .filter(
            Condition::any()
                .add(esf_record::Column::ExitDate.is_null())
                .add(esf_record::Column::ExitDate.gte(period.from)),
        )
}

/// One common indicator: its count in total and by gender.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndicatorLine {
    pub indicator: &'static str,
    pub total: i64,
    pub women: i64,
    pub men: i64,
    pub non_binary: i64,
}

/// The common indicators (and their SQL condition) counted per operation. Output indicators
/// count the participants present in the period; result indicators those who left during it.
const INDICATORS: &[(&str, &str)] = &[
    ("participants", "1 = 1"),
    (
        "unemployed",
        "employment_status IN ('unemployed', 'long_term_unemployed')",
    ),
    (
        "longTermUnemployed",
        "employment_status = 'long_term_unemployed'",
    ),
    ("inactive", "employment_status = 'inactive'"),
    ("employed", "employment_status = 'employed'"),
    ("under18", "age_band = 'under_18'"),
    ("aged18To29", "age_band = '18_29'"),
    ("aged55AndOver", "age_band = '55_plus'"),
    ("isced0To2", "isced_band = '0_2'"),
    ("isced3To4", "isced_band = '3_4'"),
    ("isced5To8", "isced_band = '5_8'"),
    ("disability", "disability"),
    ("thirdCountryNationals", "third_country_national"),
    ("foreignBackground", "foreign_background"),
    ("minority", "minority"),
    ("homeless", "homeless"),
    ("ruralArea", "rural_area"),
    ("exitJobSearching", "$EXITED AND exit_job_searching"),
    (
        "exitInEducationOrTraining",
        "$EXITED AND exit_in_education_or_training",
    ),
    (
        "exitQualificationGained",
        "$EXITED AND exit_qualification_gained",
    ),
    ("exitInEmployment", "$EXITED AND exit_in_employment"),
    ("laterInEmployment", "$EXITED AND later_in_employment"),
    (
        "laterImprovedSituation",
        "$EXITED AND later_improved_situation",
    ),
];

/// The common indicators of `operation` over `period`, by gender, in one SQL aggregate.
pub async fn indicators(
    tx: &Tx,
    principal: &Principal,
    operation: Operation,
    period: Period,
) -> Result<Vec<IndicatorLine>> {
    let (tx, _) = report_tx(tx, principal, operation).await?;
    let backend = tx.conn().get_database_backend();
    let p = |n: u8| match backend {
        sea_orm::DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    };
    let exited = format!(
        "(exit_date IS NOT NULL AND exit_date >= {} AND exit_date <= {})",
        p(3),
        p(4)
    );
    let columns: Vec<String> = INDICATORS
        .iter()
        .enumerate()
        .map(|(i, (_, condition))| {
            format!(
                "CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) AS i{i}",
                condition.replace("$EXITED", &exited)
            )
        })
        .collect();
    let sql = format!(
        "SELECT gender, {} FROM esf_record
         WHERE tenant_id = {} AND operation_id = {} AND entry_date <= {}
           AND (exit_date IS NULL OR exit_date >= {})
         GROUP BY gender",
        columns.join(", "),
        p(1),
        p(2),
        p(4),
        p(3),
    );
    let values: Vec<sea_orm::Value> = vec![
        tx.tenant().0.into(),
        key(&tx, operation).1.into(),
        period.from.into(),
        period.to.into(),
    ];
    #[expect(
        clippy::disallowed_methods,
        reason = "one SQL aggregate; its WHERE names the tenant (and RLS filters it)"
    )]
    let rows = tx
        .conn()
        .query_all_raw(sea_orm::Statement::from_sql_and_values(
            backend, sql, values,
        ))
        .await?;
    let mut lines: Vec<IndicatorLine> = INDICATORS
        .iter()
        .map(|(name, _)| IndicatorLine {
            indicator: name,
            ..IndicatorLine::default()
        })
        .collect();
    for row in rows {
        let gender: String = row.try_get("", "gender")?;
        for (i, line) in lines.iter_mut().enumerate() {
            let n: i64 = row.try_get("", &format!("i{i}"))?;
            line.total += n;
            match gender.as_str() {
                "woman" => line.women += n,
                "man" => line.men += n,
                _ => line.non_binary += n,
            }
        }
    }
    Ok(lines)
}

fn action(name: &'static str, id: EsfRecordId) -> Action {
    Action {
        name,
        object_type: "EsfRecord",
        object_id: id.0,
    }
}

fn to_record(tx: &TenantTx, r: esf_record::Model) -> Result<EsfRecord> {
    let bad = |what: &str| DomainError::Internal(format!("stored ESF {what} unreadable"));
    Ok(EsfRecord {
        id: EsfRecordId(r.id),
        participant_id: ParticipantId(r.participant_id),
        operation: operation_of(tx, &r),
        entry_date: r.entry_date,
        gender: r.gender,
        age_band: match r.age_band {
            Some(a) => Some(AgeBand::parse(&a).ok_or_else(|| bad("age band"))?),
            None => None,
        },
        isced_band: IscedBand::parse(&r.isced_band).ok_or_else(|| bad("ISCED band"))?,
        employment_status: EmploymentStatus::parse(&r.employment_status)
            .ok_or_else(|| bad("status"))?,
        disability: r.disability,
        entry: EntryAnswers {
            third_country_national: r.third_country_national,
            foreign_background: r.foreign_background,
            minority: r.minority,
            homeless: r.homeless,
            rural_area: r.rural_area,
        },
        exit: r.exit_date.map(|date| ExitAnswers {
            date,
            job_searching: r.exit_job_searching,
            in_education_or_training: r.exit_in_education_or_training,
            qualification_gained: r.exit_qualification_gained,
            in_employment: r.exit_in_employment,
        }),
        later: LaterAnswers {
            in_employment: r.later_in_employment,
            improved_situation: r.later_improved_situation,
        },
        version: r.version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn bands_on_both_sides_of_their_edges() {
        let on = d(2025, 6, 1);
        assert_eq!(
            age_band(Some(d(2007, 6, 2)), None, on),
            Some(AgeBand::Under18)
        );
        assert_eq!(
            age_band(Some(d(2007, 6, 1)), None, on),
            Some(AgeBand::From18To29)
        );
        assert_eq!(
            age_band(Some(d(1995, 6, 1)), None, on),
            Some(AgeBand::From30To54)
        );
        assert_eq!(
            age_band(Some(d(1970, 6, 2)), None, on),
            Some(AgeBand::From30To54)
        );
        assert_eq!(
            age_band(Some(d(1970, 6, 1)), None, on),
            Some(AgeBand::From55)
        );
        assert_eq!(age_band(None, Some(1970), on), Some(AgeBand::From55));
        assert_eq!(age_band(None, None, on), None);
        assert_eq!(isced_band(2), IscedBand::Isced0To2);
        assert_eq!(isced_band(3), IscedBand::Isced3To4);
        assert_eq!(isced_band(4), IscedBand::Isced3To4);
        assert_eq!(isced_band(5), IscedBand::Isced5To8);
        assert_eq!(later_from(d(2025, 8, 31)), d(2026, 2, 28));
    }
}
