//! Queries of attachments, scoped by the transaction's tenant.

use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, PaginatorTrait, QueryFilter, QuerySelect};

use super::model::Attachment;
use crate::db::{Change, TenantTx};
use crate::entities::{attachment, report, report_attachment, submission};
use crate::error::{DomainError, Result};
use crate::ids::{AttachmentId, StructureId, SubmissionId};

/// Link `ids` to `submission` (a draft of the same structure), inside its transaction.
pub(crate) async fn attach(
    tx: &Change,
    structure: StructureId,
    submission: SubmissionId,
    ids: &[AttachmentId],
) -> Result<()> {
    crate::batch::distinct("attachmentIds", None, ids, |id| *id)?;
    for id in ids {
        let result = tx
            .update_many::<attachment::Entity>()
            .col_expr(attachment::Column::SubmissionId, Some(submission.0).into())
            .filter(attachment::Column::Id.eq(id.0))
            .filter(attachment::Column::StructureId.eq(structure.0))
            .filter(
                Condition::any()
                    .add(attachment::Column::SubmissionId.is_null())
                    .add(attachment::Column::SubmissionId.eq(submission.0)),
            )
            .exec(tx.conn())
            .await?;
        if result.rows_affected != 1 {
            return Err(DomainError::NotFound {
                entity: "attachment",
            });
        }
    }
    Ok(())
}

/// The attachments of a submission (the caller has checked it may read the submission).
pub(crate) async fn of_submission(
    tx: &TenantTx,
    submission: SubmissionId,
) -> Result<Vec<Attachment>> {
    Ok(tx
        .select::<attachment::Entity>()
        .filter(attachment::Column::SubmissionId.eq(submission.0))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_attachment)
        .collect())
}

/// The file's row, whoever uploaded it (the policy decides who may read it).
pub(super) async fn find(tx: &TenantTx, id: AttachmentId) -> Result<Option<attachment::Model>> {
    Ok(tx
        .select::<attachment::Entity>()
        .filter(attachment::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?)
}

/// Insert the row of a file just stored under `key`, before any submission uses it.
pub(super) async fn insert(tx: &Change, file: &Attachment, key: &str) -> Result<()> {
    tx.insert(attachment::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(file.id.0),
        structure_id: Set(file.structure_id.0),
        submission_id: Set(file.submission_id.map(|s| s.0)),
        filename: Set(file.filename.clone()),
        content_type: Set(file.content_type.clone()),
        size_bytes: Set(file.size_bytes),
        storage_key: Set(key.to_owned()),
        created_at: Set(tx.now()),
    })
    .await
}

pub(super) fn to_attachment(row: attachment::Model) -> Attachment {
    Attachment {
        id: AttachmentId(row.id),
        structure_id: StructureId(row.structure_id),
        submission_id: row.submission_id.map(SubmissionId),
        filename: row.filename,
        content_type: row.content_type,
        size_bytes: row.size_bytes,
    }
}

/// Whether the submission `id` was received (it has its receipt: it is no longer a draft).
pub(super) async fn supports_received_submission(tx: &TenantTx, id: uuid::Uuid) -> Result<bool> {
    Ok(tx
        .select::<submission::Entity>()
        .filter(submission::Column::Id.eq(id))
        .filter(submission::Column::ReceivedAt.is_not_null())
        .count(tx.conn())
        .await?
        > 0)
}

/// Whether `attachment` supports a report that was submitted at least once (what lets
/// steering download it).
pub(super) async fn supports_submitted_report(
    tx: &TenantTx,
    attachment: uuid::Uuid,
) -> Result<bool> {
    let reports: Vec<uuid::Uuid> = tx
        .select::<report_attachment::Entity>()
        .select_only()
        .column(report_attachment::Column::ReportId)
        .filter(report_attachment::Column::AttachmentId.eq(attachment))
        .into_tuple()
        .all(tx.conn())
        .await?;
    Ok(tx
        .select::<report::Entity>()
        .filter(tx.is_in(report::Column::Id, reports))
        .filter(report::Column::SubmittedAt.is_not_null())
        .count(tx.conn())
        .await?
        > 0)
}
