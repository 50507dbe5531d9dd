//! Follow-up sheets (fiches de suivi): at the end of a cohort, the provider issues one per
//! member — an attendance summary computed from the records, the diagnostic, recommendations —
//! and transmits it to the participant's referent and to steering.
//!
//! Rules: the cohort's provider (or steering) prepares the sheet of an enrolled or dropped-out
//! member of a running or closed cohort, as a draft it may revise; it transmits it once the
//! cohort is closed (or the member dropped out), and for a member who completed the cohort only
//! once the diagnostic is final (`DIAGNOSTIC_NOT_FINAL`). The attendance summary is computed
//! again at transmission and frozen: what the referent reads is what was sent. A transmitted
//! sheet no longer changes. Who reads: the provider the sheets of its cohorts, drafts included;
//! steering and the participant's referent the transmitted ones, and each records when they
//! first read it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use crate::audit::Action;
use crate::cohorts::{self, CohortStatus, MemberStatus, Presence};
use crate::db::{Change, TenantTx, Tx};
use crate::entities::{attendance, follow_up_sheet, participant};
use crate::error::{DomainError, Result, RuleCode};
use crate::ids::{CohortId, FollowUpSheetId, ParticipantId, SessionId};
use crate::notifications::{self, Audience, Kind, Notice};
use crate::page::{Page, PageRequest};
use crate::principal::{Principal, Role};
use crate::text::clean_paragraphs;
use crate::{diagnostics, participants};

/// What the attendance records say about one member over the cohort's sessions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttendanceSummary {
    /// Sessions in the cohort's calendar.
    pub planned: i32,
    pub present: i32,
    pub late: i32,
    pub excused: i32,
    pub absent: i32,
}

impl AttendanceSummary {
    /// Sessions with no record for the member.
    pub fn unrecorded(&self) -> i32 {
        (self.planned - self.present - self.late - self.excused - self.absent).max(0)
    }

    /// Sessions attended (present or late) as a percentage of the planned ones, rounded down;
    /// `None` for a cohort without sessions.
    pub fn rate_percent(&self) -> Option<i32> {
        (self.planned > 0).then(|| (self.present + self.late) * 100 / self.planned)
    }
}

/// Where a sheet stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetStatus {
    Draft,
    Transmitted,
}

/// A follow-up sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpSheet {
    pub id: FollowUpSheetId,
    pub cohort_id: CohortId,
    pub participant_id: ParticipantId,
    pub status: SheetStatus,
    pub attendance: AttendanceSummary,
    pub recommendations: String,
    pub written_by: String,
    pub updated_at: DateTime<Utc>,
    pub transmitted_at: Option<DateTime<Utc>>,
    pub transmitted_by: Option<String>,
    pub referent_read_at: Option<DateTime<Utc>>,
    pub steering_read_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// The sheets the principal may read, in the transaction's tenant: the structural scope of
/// this area.
async fn readable(tx: &TenantTx, principal: &Principal) -> Result<Select<follow_up_sheet::Entity>> {
    let q = tx.select::<follow_up_sheet::Entity>();
    let transmitted = follow_up_sheet::Column::Status.eq("transmitted");
    Ok(
        match (principal.role(), principal.structure(), principal.staff()) {
            (Role::Steering, _, _) => q.filter(transmitted),
            (Role::Provider, Some(structure), _) => {
                let own = cohorts::ids_of_structure(tx, structure).await?;
                q.filter(follow_up_sheet::Column::CohortId.is_in(own))
            }
            (Role::Referent, _, Some(staff)) => {
                let own: Vec<uuid::Uuid> = tx
                    .select::<participant::Entity>()
                    .select_only()
                    .column(participant::Column::Id)
                    .filter(participant::Column::ReferentId.eq(staff.0))
                    .into_tuple()
                    .all(tx.conn())
                    .await?;
                q.filter(transmitted)
                    .filter(follow_up_sheet::Column::ParticipantId.is_in(own))
            }
            // Nobody else reads any sheet.
            _ => q.filter(follow_up_sheet::Column::Version.lt(0)),
        },
    )
}

/// Filters of [`list`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SheetFilter {
    pub cohort: Option<CohortId>,
    /// Only those the principal's side (referent or steering) has not read yet.
    pub unread: bool,
}

/// The sheets the principal may read, oldest first.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    filter: SheetFilter,
    page: PageRequest,
) -> Result<Page<FollowUpSheet>> {
    let tx = tx.scoped(principal).await?;
    let mut q = readable(&tx, principal).await?;
    if let Some(c) = filter.cohort {
        q = q.filter(follow_up_sheet::Column::CohortId.eq(c.0));
    }
    if filter.unread {
        q = match principal.role() {
            Role::Referent => q.filter(follow_up_sheet::Column::ReferentReadAt.is_null()),
            Role::Steering => q.filter(follow_up_sheet::Column::SteeringReadAt.is_null()),
            _ => q,
        };
    }
    let total = crate::page::total(&page, &q, tx.conn()).await?;
    if let Some(after) = page.after {
        q = q.filter(follow_up_sheet::Column::Id.gt(after));
    }
    let rows = q
        .order_by_asc(follow_up_sheet::Column::Id)
        .limit(page.limit())
        .all(tx.conn())
        .await?;
    let rows = rows.into_iter().map(to_sheet).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(rows, &page, total))
}

/// One sheet the principal may read.
pub async fn get(tx: &Tx, principal: &Principal, id: FollowUpSheetId) -> Result<FollowUpSheet> {
    let tx = tx.scoped(principal).await?;
    let found = find_readable(&tx, principal, id).await?;
    Ok(found)
}

async fn find_readable(
    tx: &TenantTx,
    principal: &Principal,
    id: FollowUpSheetId,
) -> Result<FollowUpSheet> {
    readable(tx, principal)
        .await?
        .filter(follow_up_sheet::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_sheet)
        .transpose()?
        .ok_or(DomainError::NotFound {
            entity: "follow-up sheet",
        })
}

/// Batch read for dataloaders: the sheets of the memberships `keys` the principal may read.
pub async fn load_many(
    tx: &Tx,
    principal: &Principal,
    keys: &[(CohortId, ParticipantId)],
) -> Result<HashMap<(CohortId, ParticipantId), FollowUpSheet>> {
    let tx = tx.scoped(principal).await?;
    let people: Vec<uuid::Uuid> = keys.iter().map(|k| k.1.0).collect();
    let rows = readable(&tx, principal)
        .await?
        .filter(follow_up_sheet::Column::ParticipantId.is_in(people))
        .all(tx.conn())
        .await?;
    let mut out = HashMap::new();
    for row in rows {
        let sheet = to_sheet(row)?;
        let key = (sheet.cohort_id, sheet.participant_id);
        if keys.contains(&key) {
            out.insert(key, sheet);
        }
    }
    Ok(out)
}

/// The attendance summary of `participant` in `cohort`, from the records: the sessions planned
/// while they were a member (up to their last day, for a drop-out) and their presence at each.
async fn summarise(
    tx: &TenantTx,
    cohort: CohortId,
    participant: ParticipantId,
) -> Result<AttendanceSummary> {
    let last_day = cohorts::members_in(tx, cohort)
        .await?
        .into_iter()
        .find(|m| m.participant_id == participant)
        .and_then(|m| m.dropped_out_on);
    let sessions: Vec<uuid::Uuid> = cohorts::sessions_in(tx, cohort)
        .await?
        .iter()
        .filter(|s| last_day.is_none_or(|on| s.day <= on))
        .map(|s| s.id.0)
        .collect();
    let mut summary = AttendanceSummary {
        planned: sessions.len() as i32,
        ..AttendanceSummary::default()
    };
    let records = tx
        .select::<attendance::Entity>()
        .filter(attendance::Column::ParticipantId.eq(participant.0))
        .filter(attendance::Column::SessionId.is_in(sessions))
        .all(tx.conn())
        .await?;
    for r in records {
        match Presence::parse(&r.status) {
            Some(Presence::Present) => summary.present += 1,
            Some(Presence::Late) => summary.late += 1,
            Some(Presence::Excused) => summary.excused += 1,
            Some(Presence::Absent) => summary.absent += 1,
            None => return Err(DomainError::Internal("unknown presence".into())),
        }
    }
    Ok(summary)
}

async fn find_of(
    tx: &TenantTx,
    cohort: CohortId,
    participant: ParticipantId,
) -> Result<Option<FollowUpSheet>> {
    tx.select::<follow_up_sheet::Entity>()
        .filter(follow_up_sheet::Column::CohortId.eq(cohort.0))
        .filter(follow_up_sheet::Column::ParticipantId.eq(participant.0))
        .one(tx.conn())
        .await?
        .map(to_sheet)
        .transpose()
}

/// The provider (or steering) prepares or revises the draft sheet of a cohort member.
/// `recommendations` default to the diagnostic's when the sheet is first prepared.
pub async fn save(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
    version: Option<i32>,
    recommendations: Option<&str>,
) -> Result<FollowUpSheet> {
    principal.require(
        &[Role::Provider, Role::Steering],
        "the cohort's provider issues follow-up sheets",
    )?;
    let recommendations = match recommendations.map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(clean_paragraphs("recommendations", text, 5_000)?),
    };
    let tx = tx.change(principal).await?;
    let cohort = cohorts::find_in(&tx, principal, cohort_id).await?;
    if cohort.status == CohortStatus::Planned {
        return Err(DomainError::Conflict(
            "the cohort has not started: no follow-up sheet yet".into(),
        ));
    }
    member_of(&tx, cohort_id, participant).await?;
    let existing = find_of(&tx, cohort_id, participant).await?;
    let attendance = summarise(&tx, cohort_id, participant).await?;
    let now = tx.now();
    let sheet = match (existing, version) {
        (None, None | Some(0)) => {
            let recommendations = match recommendations {
                Some(r) => r,
                None => diagnostics::find(&tx, cohort_id, participant)
                    .await?
                    .map(|d| d.content.recommendations)
                    .unwrap_or_default(),
            };
            let sheet = FollowUpSheet {
                id: FollowUpSheetId::generate(),
                cohort_id,
                participant_id: participant,
                status: SheetStatus::Draft,
                attendance,
                recommendations,
                written_by: principal.subject().to_owned(),
                updated_at: now,
                transmitted_at: None,
                transmitted_by: None,
                referent_read_at: None,
                steering_read_at: None,
                version: 1,
            };
            tx.insert(to_row(&tx, &sheet)).await.map_err(|e| match e {
                DomainError::Conflict(_) => DomainError::stale("follow-up sheet"),
                other => other,
            })?;
            sheet
        }
        (Some(current), Some(v)) if current.version == v => {
            if current.status == SheetStatus::Transmitted {
                return Err(DomainError::Conflict(
                    "a transmitted follow-up sheet no longer changes".into(),
                ));
            }
            let sheet = FollowUpSheet {
                attendance,
                recommendations: recommendations.unwrap_or(current.recommendations.clone()),
                written_by: principal.subject().to_owned(),
                updated_at: now,
                version: v + 1,
                ..current
            };
            update(&tx, &sheet).await?;
            sheet
        }
        _ => return Err(DomainError::stale("follow-up sheet")),
    };
    tx.commit(action("follow_up_sheet.save", sheet.id)).await?;
    Ok(sheet)
}

/// The provider (or steering) transmits a draft sheet to the referent and steering.
pub async fn transmit(
    tx: &Tx,
    principal: &Principal,
    id: FollowUpSheetId,
    version: i32,
) -> Result<FollowUpSheet> {
    principal.require(
        &[Role::Provider, Role::Steering],
        "the cohort's provider transmits follow-up sheets",
    )?;
    let tx = tx.change(principal).await?;
    let current = tx
        .select::<follow_up_sheet::Entity>()
        .filter(follow_up_sheet::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_sheet)
        .transpose()?
        .ok_or(DomainError::NotFound {
            entity: "follow-up sheet",
        })?;
    // The provider's scope: another provider's sheet does not exist for it.
    let cohort = cohorts::find_in(&tx, principal, current.cohort_id)
        .await
        .map_err(|e| match e {
            DomainError::NotFound { .. } => DomainError::NotFound {
                entity: "follow-up sheet",
            },
            other => other,
        })?;
    if current.version != version {
        return Err(DomainError::stale("follow-up sheet"));
    }
    if current.status == SheetStatus::Transmitted {
        return Err(DomainError::Conflict(
            "this follow-up sheet was already transmitted".into(),
        ));
    }
    let member = member_of(&tx, current.cohort_id, current.participant_id).await?;
    let completed = member == MemberStatus::Enrolled;
    if completed && cohort.status != CohortStatus::Closed {
        return Err(DomainError::Conflict(
            "a follow-up sheet is transmitted once the cohort is closed".into(),
        ));
    }
    let diagnostic = diagnostics::find(&tx, current.cohort_id, current.participant_id).await?;
    if completed && !diagnostic.is_some_and(|d| d.is_final) {
        return Err(DomainError::Rule {
            code: RuleCode::DiagnosticNotFinal,
            message: "finalise the participant's diagnostic before transmitting the sheet".into(),
        });
    }
    let now = tx.now();
    let sheet = FollowUpSheet {
        status: SheetStatus::Transmitted,
        attendance: summarise(&tx, current.cohort_id, current.participant_id).await?,
        updated_at: now,
        transmitted_at: Some(now),
        transmitted_by: Some(principal.subject().to_owned()),
        version: version + 1,
        ..current
    };
    update(&tx, &sheet).await?;
    let referent = participants::referent_of(&tx, sheet.participant_id).await?;
    let notice = Notice::new(Kind::FollowUpSheetTransmitted, "FollowUpSheet", id.0)
        .about("Participant", sheet.participant_id.0);
    notifications::notify(&tx, principal.staff(), Audience::Staff(referent), notice).await?;
    tx.commit(action("follow_up_sheet.transmit", id)).await?;
    Ok(sheet)
}

/// The referent or steering records having read a transmitted sheet. The first reading is the
/// one kept; a second call changes nothing.
pub async fn mark_read(
    tx: &Tx,
    principal: &Principal,
    id: FollowUpSheetId,
) -> Result<FollowUpSheet> {
    principal.require(
        &[Role::Referent, Role::Steering],
        "the participant's referent and steering read follow-up sheets",
    )?;
    let tx = tx.change(principal).await?;
    let mut sheet = find_readable(&tx, principal, id).await?;
    let (column, already) = match principal.role() {
        Role::Referent => (
            follow_up_sheet::Column::ReferentReadAt,
            &mut sheet.referent_read_at,
        ),
        _ => (
            follow_up_sheet::Column::SteeringReadAt,
            &mut sheet.steering_read_at,
        ),
    };
    if already.is_some() {
        tx.unchanged().await?;
        return Ok(sheet);
    }
    *already = Some(tx.now());
    tx.update_many::<follow_up_sheet::Entity>()
        .col_expr(column, tx.now().into())
        .filter(follow_up_sheet::Column::Id.eq(id.0))
        .exec(tx.conn())
        .await?;
    tx.commit(action("follow_up_sheet.read", id)).await?;
    Ok(sheet)
}

/// What a follow-up sheet prints.
#[derive(Clone, Debug)]
pub struct SheetDocument {
    pub sheet: FollowUpSheet,
    pub cohort: cohorts::Cohort,
    /// The PLIE, the provider and the convention.
    pub heading: cohorts::SheetHeading,
    /// (last name, first name).
    pub name: (String, String),
    /// The member's last day, when they dropped out, and why.
    pub dropped_out: Option<(chrono::NaiveDate, Option<String>)>,
    /// The cohort's sessions up to the member's last day, each with the member's presence
    /// when recorded.
    pub sessions: Vec<(cohorts::Session, Option<cohorts::Presence>)>,
    pub diagnostic: Option<diagnostics::Diagnostic>,
    pub clea_threshold_percent: i32,
}

/// The content of a sheet's PDF, for whoever may read the sheet.
pub async fn document(
    tx: &Tx,
    principal: &Principal,
    id: FollowUpSheetId,
) -> Result<SheetDocument> {
    let tx = tx.scoped(principal).await?;
    let sheet = find_readable(&tx, principal, id).await?;
    let cohort = cohorts::find_in(&tx, principal, sheet.cohort_id).await?;
    let person = tx
        .select::<participant::Entity>()
        .filter(participant::Column::Id.eq(sheet.participant_id.0))
        .one(tx.conn())
        .await?
        .ok_or(DomainError::NotFound {
            entity: "participant",
        })?;
    let diagnostic = diagnostics::find(&tx, sheet.cohort_id, sheet.participant_id).await?;
    let clea_threshold_percent = crate::tenants::clea_threshold(&tx).await?;
    let heading = cohorts::sheet_heading(&tx, &cohort).await?;
    let dropped_out = cohorts::members_in(&tx, cohort.id)
        .await?
        .into_iter()
        .find(|m| m.participant_id == sheet.participant_id)
        .and_then(|m| m.dropped_out_on.map(|on| (on, m.reason)));
    let presences: std::collections::HashMap<SessionId, cohorts::Presence> =
        cohorts::member_attendance_in(&tx, cohort.id, sheet.participant_id)
            .await?
            .into_iter()
            .map(|(_, a)| (a.session_id, a.presence))
            .collect();
    let sessions = cohorts::sessions_in(&tx, cohort.id)
        .await?
        .into_iter()
        .filter(|s| dropped_out.as_ref().is_none_or(|(on, _)| s.day <= *on))
        .map(|s| (s, presences.get(&s.id).copied()))
        .collect();
    Ok(SheetDocument {
        sheet,
        cohort,
        heading,
        dropped_out,
        sessions,
        name: (
            person.last_name.unwrap_or_else(|| "—".into()),
            person.first_name.unwrap_or_default(),
        ),
        diagnostic,
        clea_threshold_percent,
    })
}

/// The member's status, refusing a participant who is not (or no longer) in the cohort.
async fn member_of(
    tx: &TenantTx,
    cohort: CohortId,
    participant: ParticipantId,
) -> Result<MemberStatus> {
    cohorts::members_in(tx, cohort)
        .await?
        .into_iter()
        .find(|m| m.participant_id == participant)
        .map(|m| m.status)
        .filter(|s| matches!(s, MemberStatus::Enrolled | MemberStatus::DroppedOut))
        .ok_or_else(|| DomainError::validation("participantId", "is not enrolled in this cohort"))
}

async fn update(tx: &Change, sheet: &FollowUpSheet) -> Result<()> {
    let result = tx
        .update_many::<follow_up_sheet::Entity>()
        .set(to_row(tx, sheet))
        .filter(follow_up_sheet::Column::Id.eq(sheet.id.0))
        .filter(follow_up_sheet::Column::Version.eq(sheet.version - 1))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("follow-up sheet"));
    }
    Ok(())
}

fn action(name: &'static str, id: FollowUpSheetId) -> Action {
    Action {
        name,
        object_type: "FollowUpSheet",
        object_id: id.0,
    }
}

fn to_row(tx: &TenantTx, s: &FollowUpSheet) -> follow_up_sheet::ActiveModel {
    follow_up_sheet::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(s.id.0),
        cohort_id: Set(s.cohort_id.0),
        participant_id: Set(s.participant_id.0),
        status: Set(match s.status {
            SheetStatus::Draft => "draft",
            SheetStatus::Transmitted => "transmitted",
        }
        .to_owned()),
        sessions_planned: Set(s.attendance.planned),
        sessions_present: Set(s.attendance.present),
        sessions_late: Set(s.attendance.late),
        sessions_excused: Set(s.attendance.excused),
        sessions_absent: Set(s.attendance.absent),
        recommendations: Set(s.recommendations.clone()),
        written_by: Set(s.written_by.clone()),
        updated_at: Set(s.updated_at),
        transmitted_at: Set(s.transmitted_at),
        transmitted_by: Set(s.transmitted_by.clone()),
        referent_read_at: Set(s.referent_read_at),
        steering_read_at: Set(s.steering_read_at),
        version: Set(s.version),
    }
}

fn to_sheet(r: follow_up_sheet::Model) -> Result<FollowUpSheet> {
    Ok(FollowUpSheet {
        id: FollowUpSheetId(r.id),
        cohort_id: CohortId(r.cohort_id),
        participant_id: ParticipantId(r.participant_id),
        status: match r.status.as_str() {
            "draft" => SheetStatus::Draft,
            "transmitted" => SheetStatus::Transmitted,
            _ => return Err(DomainError::Internal("unknown sheet status".into())),
        },
        attendance: AttendanceSummary {
            planned: r.sessions_planned,
            present: r.sessions_present,
            late: r.sessions_late,
            excused: r.sessions_excused,
            absent: r.sessions_absent,
        },
        recommendations: r.recommendations,
        written_by: r.written_by,
        updated_at: r.updated_at,
        transmitted_at: r.transmitted_at,
        transmitted_by: r.transmitted_by,
        referent_read_at: r.referent_read_at,
        steering_read_at: r.steering_read_at,
        version: r.version,
    })
}

#[cfg(test)]
mod tests {
    use super::AttendanceSummary;

    #[test]
    fn the_rate_counts_late_as_attended_and_rounds_down() {
        let s = AttendanceSummary {
            planned: 9,
            present: 6,
            late: 1,
            excused: 1,
            absent: 0,
        };
        assert_eq!(s.rate_percent(), Some(77));
        assert_eq!(s.unrecorded(), 1);
        assert_eq!(AttendanceSummary::default().rate_percent(), None);
    }
}
