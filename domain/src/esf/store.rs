//! Queries of ESF+ records, scoped by the transaction's tenant; reads are further scoped to a
//! referent's own participants and a provider's own conventions.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, QueryFilter, QueryOrder, Select,
};

use super::model::*;
use super::policy::{self, Readable};
use crate::db::{Change, TenantTx};
use crate::entities::{esf_record, participant};
use crate::error::{DomainError, Result};
use crate::ids::{ConventionId, EsfRecordId, ParticipantId};
use crate::indicators::Period;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

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

/// The records the principal may read (see [`policy::readable`]): the scope of this area.
async fn readable(tx: &TenantTx, principal: &Principal) -> Result<Select<esf_record::Entity>> {
    let q = tx.select::<esf_record::Entity>();
    Ok(match policy::readable(principal) {
        Readable::All => q,
        Readable::OfReferent(staff) => {
            let own = crate::participants::ids_of_referent(tx, staff).await?;
            q.filter(tx.is_in(esf_record::Column::ParticipantId, own))
        }
        Readable::OfProvider(structure) => {
            let conventions = crate::conventions::ids_of_structure(tx, structure).await?;
            q.filter(esf_record::Column::OperationKind.eq("convention"))
                .filter(tx.is_in(esf_record::Column::OperationId, conventions))
        }
        Readable::Nothing => q.filter(esf_record::Column::Version.lt(0)),
    })
}

pub(super) async fn find_readable(
    tx: &TenantTx,
    principal: &Principal,
    id: EsfRecordId,
) -> Result<EsfRecord> {
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

/// The participant's record in `operation`, whoever reads it.
pub(super) async fn find_of(
    tx: &TenantTx,
    participant: ParticipantId,
    operation: Operation,
) -> Result<Option<EsfRecord>> {
    tx.select::<esf_record::Entity>()
        .filter(esf_record::Column::ParticipantId.eq(participant.0))
        .filter(esf_record::Column::OperationId.eq(key(tx, operation).1))
        .one(tx.conn())
        .await?
        .map(|row| to_record(tx, row))
        .transpose()
}

pub(super) async fn list(
    tx: &TenantTx,
    principal: &Principal,
    filter: RecordFilter,
    page: &PageRequest,
) -> Result<Page<EsfRecord>> {
    let mut q = readable(tx, principal).await?;
    if let Some(op) = filter.operation {
        q = q.filter(esf_record::Column::OperationId.eq(key(tx, op).1));
    }
    if let Some(p) = filter.participant {
        q = q.filter(esf_record::Column::ParticipantId.eq(p.0));
    }
    if filter.incomplete {
        let today = crate::paris::wall_clock(tx.now()).date();
        q = q.filter(incomplete(today));
    }
    crate::page::oldest_first(tx.conn(), q, esf_record::Column::Id, page)
        .await?
        .try_map(|r| to_record(tx, r))
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

/// The records of `operation` present during `period` (entered on or before its end, not
/// exited before its start), by entry date.
pub(super) async fn present_during(
    tx: &TenantTx,
    operation: Operation,
    period: Period,
) -> Result<Vec<EsfRecord>> {
    tx.select::<esf_record::Entity>()
        .filter(esf_record::Column::OperationId.eq(key(tx, operation).1))
        .filter(esf_record::Column::EntryDate.lte(period.to))
        .filter(
            Condition::any()
                .add(esf_record::Column::ExitDate.is_null())
                .add(esf_record::Column::ExitDate.gte(period.from)),
        )
        .order_by_asc(esf_record::Column::EntryDate)
        .order_by_asc(esf_record::Column::Id)
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|row| to_record(tx, row))
        .collect()
}

/// The (last name, first name) of each of `people`.
pub(super) async fn names_of(
    tx: &TenantTx,
    people: impl IntoIterator<Item = ParticipantId>,
) -> Result<HashMap<ParticipantId, (Option<String>, Option<String>)>> {
    Ok(tx
        .select::<participant::Entity>()
        .filter(tx.is_in(participant::Column::Id, people.into_iter().map(|p| p.0)))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|p| (ParticipantId(p.id), (p.last_name, p.first_name)))
        .collect())
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
pub(super) async fn indicators(
    tx: &TenantTx,
    operation: Operation,
    period: Period,
) -> Result<Vec<IndicatorLine>> {
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
        key(tx, operation).1.into(),
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

/// Insert (`new`) or update the record, as written by `principal`.
pub(super) async fn save(
    tx: &Change,
    principal: &Principal,
    r: &EsfRecord,
    new: bool,
) -> Result<()> {
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
