//! Queries of reports and of the records their quantitative part counts, scoped by the
//! transaction's tenant; report reads are further scoped to a provider's own conventions.

use std::collections::HashMap;

use sea_orm::{ActiveValue::Set, ColumnTrait, PaginatorTrait, QueryFilter, QuerySelect, Select};

use super::model::*;
use super::policy;
use crate::conventions;
use crate::db::{Change, TenantTx};
use crate::entities::{
    attachment, attendance, cohort, cohort_member, cohort_session, diagnostic, participant_exit,
    report, report_attachment,
};
use crate::error::{DomainError, Result};
use crate::ids::{AttachmentId, ConventionId, ReportId, StructureId};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// The reports the principal may read: the scope of this area.
async fn readable(tx: &TenantTx, principal: &Principal) -> Result<Select<report::Entity>> {
    let q = tx.select::<report::Entity>();
    Ok(match policy::require_party(principal)? {
        None => q,
        Some(structure) => q.filter(tx.is_in(
            report::Column::ConventionId,
            conventions::ids_of_structure(tx, structure).await?,
        )),
    })
}

pub(super) async fn find_readable(
    tx: &TenantTx,
    principal: &Principal,
    id: ReportId,
) -> Result<Report> {
    let row = readable(tx, principal)
        .await?
        .filter(report::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .ok_or(DomainError::NotFound { entity: "report" })?;
    to_report(tx, row).await
}

pub(super) async fn list(
    tx: &TenantTx,
    principal: &Principal,
    convention: Option<ConventionId>,
    page: &PageRequest,
) -> Result<Page<Report>> {
    let mut q = readable(tx, principal).await?;
    if let Some(c) = convention {
        q = q.filter(report::Column::ConventionId.eq(c.0));
    }
    crate::page::oldest_first(tx.conn(), q, report::Column::Id, page)
        .await?
        .try_map_all(async |rows| to_reports(tx, rows).await)
        .await
}

/// The reports started for any of `conventions`.
pub(super) async fn of_conventions(
    tx: &TenantTx,
    conventions: Vec<uuid::Uuid>,
) -> Result<Vec<Report>> {
    let rows = tx
        .select::<report::Entity>()
        .filter(tx.is_in(report::Column::ConventionId, conventions))
        .all(tx.conn())
        .await?;
    to_reports(tx, rows).await
}

pub(super) async fn insert(tx: &Change, r: &Report) -> Result<()> {
    let mut row = to_row(tx, r);
    row.created_at = Set(tx.now());
    tx.insert(row).await?;
    Ok(())
}

pub(super) async fn update(tx: &Change, r: &Report) -> Result<()> {
    let result = tx
        .update_many::<report::Entity>()
        .set(to_row(tx, r))
        .filter(report::Column::Id.eq(r.id.0))
        .filter(report::Column::Version.eq(r.version - 1))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("report"));
    }
    Ok(())
}

/// How many of `files` are files of `structure`.
pub(super) async fn count_files_of(
    tx: &TenantTx,
    structure: StructureId,
    files: Vec<uuid::Uuid>,
) -> Result<u64> {
    Ok(tx
        .select::<attachment::Entity>()
        .filter(attachment::Column::StructureId.eq(structure.0))
        .filter(tx.is_in(attachment::Column::Id, files))
        .count(tx.conn())
        .await?)
}

/// Replace the report's supporting documents by `files`.
pub(super) async fn replace_attachments(
    tx: &Change,
    report: ReportId,
    files: Vec<uuid::Uuid>,
) -> Result<()> {
    tx.delete_many::<report_attachment::Entity>()
        .filter(report_attachment::Column::ReportId.eq(report.0))
        .exec(tx.conn())
        .await?;
    if !files.is_empty() {
        tx.insert_many(files.into_iter().map(|a| report_attachment::ActiveModel {
            tenant_id: Set(tx.tenant().0),
            report_id: Set(report.0),
            attachment_id: Set(a),
        }))
        .await?;
    }
    Ok(())
}

/// The cohorts of a convention.
pub(super) async fn cohorts_of(
    tx: &TenantTx,
    convention: ConventionId,
) -> Result<Vec<cohort::Model>> {
    Ok(tx
        .select::<cohort::Entity>()
        .filter(cohort::Column::ConventionId.eq(convention.0))
        .all(tx.conn())
        .await?)
}

/// Every membership (prescription) of `cohorts`.
pub(super) async fn members_of(
    tx: &TenantTx,
    cohorts: Vec<uuid::Uuid>,
) -> Result<Vec<cohort_member::Model>> {
    Ok(tx
        .select::<cohort_member::Entity>()
        .filter(tx.is_in(cohort_member::Column::CohortId, cohorts))
        .all(tx.conn())
        .await?)
}

/// The stored presence of every attendance record of the sessions of `cohorts`.
pub(super) async fn presences_in(tx: &TenantTx, cohorts: Vec<uuid::Uuid>) -> Result<Vec<String>> {
    let sessions: Vec<uuid::Uuid> = tx
        .select::<cohort_session::Entity>()
        .select_only()
        .column(cohort_session::Column::Id)
        .filter(tx.is_in(cohort_session::Column::CohortId, cohorts))
        .into_tuple()
        .all(tx.conn())
        .await?;
    Ok(tx
        .select::<attendance::Entity>()
        .select_only()
        .column(attendance::Column::Status)
        .filter(tx.is_in(attendance::Column::SessionId, sessions))
        .into_tuple()
        .all(tx.conn())
        .await?)
}

/// The final diagnostics of `cohorts`.
pub(super) async fn final_diagnostics_in(
    tx: &TenantTx,
    cohorts: Vec<uuid::Uuid>,
) -> Result<Vec<diagnostic::Model>> {
    Ok(tx
        .select::<diagnostic::Entity>()
        .filter(tx.is_in(diagnostic::Column::CohortId, cohorts))
        .filter(diagnostic::Column::Status.eq("final"))
        .all(tx.conn())
        .await?)
}

/// The exits recorded for `participants`.
pub(super) async fn exits_of(
    tx: &TenantTx,
    participants: Vec<uuid::Uuid>,
) -> Result<Vec<participant_exit::Model>> {
    Ok(tx
        .select::<participant_exit::Entity>()
        .filter(tx.is_in(participant_exit::Column::ParticipantId, participants))
        .all(tx.conn())
        .await?)
}

fn to_row(tx: &TenantTx, r: &Report) -> report::ActiveModel {
    let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or_default();
    report::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(r.id.0),
        convention_id: Set(r.convention_id.0),
        kind: Set(r.kind.as_str().to_owned()),
        due_date: Set(r.due_date),
        status: Set(r.status.as_str().to_owned()),
        qualitative: Set(r.qualitative.clone()),
        budget: Set(r.budget.as_ref().map(|b| json(serde_json::to_value(b)))),
        quantities: Set(r
            .submitted_quantities
            .as_ref()
            .map(|q| json(serde_json::to_value(q)))),
        review_comment: Set(r.review_comment.clone()),
        submitted_at: Set(r.submitted_at),
        submitted_by: Set(r.submitted_by.clone()),
        reviewed_at: Set(r.reviewed_at),
        reviewed_by: Set(r.reviewed_by.clone()),
        created_at: Default::default(),
        updated_at: Set(tx.now()),
        version: Set(r.version),
    }
}

async fn to_report(tx: &TenantTx, r: report::Model) -> Result<Report> {
    to_reports(tx, vec![r])
        .await?
        .pop()
        .ok_or_else(|| DomainError::Internal("a report vanished while read".into()))
}

/// Reports with their supporting documents, read in one statement for all of them.
async fn to_reports(tx: &TenantTx, rows: Vec<report::Model>) -> Result<Vec<Report>> {
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
    let mut files: HashMap<uuid::Uuid, Vec<AttachmentId>> = Default::default();
    if !ids.is_empty() {
        let links: Vec<(uuid::Uuid, uuid::Uuid)> = tx
            .select::<report_attachment::Entity>()
            .select_only()
            .column(report_attachment::Column::ReportId)
            .column(report_attachment::Column::AttachmentId)
            .filter(tx.is_in(report_attachment::Column::ReportId, ids))
            .into_tuple()
            .all(tx.conn())
            .await?;
        for (report, file) in links {
            files.entry(report).or_default().push(AttachmentId(file));
        }
    }
    rows.into_iter()
        .map(|r| {
            let attachments = files.remove(&r.id).unwrap_or_default();
            to_report_with(r, attachments)
        })
        .collect()
}

fn to_report_with(r: report::Model, attachments: Vec<AttachmentId>) -> Result<Report> {
    let bad = |what: &str| DomainError::Internal(format!("stored report {what} unreadable"));
    Ok(Report {
        id: ReportId(r.id),
        convention_id: ConventionId(r.convention_id),
        kind: ReportKind::parse(&r.kind).ok_or_else(|| bad("kind"))?,
        due_date: r.due_date,
        status: ReportStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
        qualitative: r.qualitative,
        budget: r
            .budget
            .map(serde_json::from_value)
            .transpose()
            .map_err(|_| bad("budget"))?,
        submitted_quantities: r
            .quantities
            .map(serde_json::from_value)
            .transpose()
            .map_err(|_| bad("quantities"))?,
        attachments,
        review_comment: r.review_comment,
        submitted_at: r.submitted_at,
        submitted_by: r.submitted_by,
        reviewed_at: r.reviewed_at,
        reviewed_by: r.reviewed_by,
        version: r.version,
    })
}
