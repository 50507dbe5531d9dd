//! Attachments of submissions: the file in the object store, its metadata in the database.
//!
//! Rules: a provider uploads files for its own structure (at most [`MAX_BYTES`], of an allowed
//! type: PDF, images, office documents, text); a file is then attached to one of its structure's
//! draft submissions, or cited as a supporting document by one of its convention's reports. It
//! can be downloaded by its structure, and by steering once the submission or a report it
//! supports is submitted; anyone else gets `NOT_FOUND`, as for a missing file.
//! The object is written before its row, and removed again when the row cannot be written.

use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, PaginatorTrait, QueryFilter, QuerySelect};

use crate::audit::Action;
use crate::db::{Change, TenantTx, Tx};
use crate::entities::{attachment, report, report_attachment, submission};
use crate::error::{DomainError, Result, RuleCode};
use crate::ids::{AttachmentId, StructureId, SubmissionId};
use crate::principal::{Principal, Role};
use crate::text::clean;

/// The largest file accepted: 10 MiB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The content types accepted.
pub const ALLOWED_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/csv",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// Where file contents live (a local folder by default).
#[derive(Clone)]
pub struct Files(Arc<dyn ObjectStore>);

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Files")
    }
}

impl Files {
    /// A local folder, created when missing.
    pub fn local(dir: &std::path::Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| DomainError::Internal(format!("cannot create {}: {e}", dir.display())))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| DomainError::Internal(e.to_string()))?;
        Ok(Self(Arc::new(store)))
    }

    /// A store named by URL: `file:///abs/dir`, `memory:///`, or — in a build with the `s3`
    /// feature — `s3://bucket/prefix` for any S3-compatible service, with `options` such as
    /// `aws_endpoint`, `aws_region`, `aws_access_key_id`, `aws_secret_access_key`,
    /// `aws_allow_http`.
    pub fn from_url(url: &str, options: Vec<(String, String)>) -> Result<Self> {
        let parsed = url::Url::parse(url)
            .map_err(|e| DomainError::validation("attachmentsUrl", format!("not a URL: {e}")))?;
        let options = options
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v));
        let (store, prefix) = object_store::parse_url_opts(&parsed, options).map_err(|e| {
            DomainError::validation(
                "attachmentsUrl",
                format!("{e} (s3:// needs a build with `--features s3`)"),
            )
        })?;
        Ok(Self(Arc::new(object_store::prefix::PrefixStore::new(
            store, prefix,
        ))))
    }

    /// Any object store (S3-compatible, in memory, …).
    pub fn from_store(store: Arc<dyn ObjectStore>) -> Self {
        Self(store)
    }
}

/// An attachment's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub id: AttachmentId,
    pub structure_id: StructureId,
    pub submission_id: Option<SubmissionId>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// Hold a file to its declared type: its first bytes (sniffed by the `infer` crate) must say
/// the same, and a text file must be UTF-8 text with no control character other than tab,
/// line and page breaks. A browser or a reader that trusts the content rather than the label
/// would otherwise open an executable stored as a PDF. Refused with `CONTENT_TYPE_MISMATCH`.
fn content_matches(declared: &str, content: &[u8]) -> Result<()> {
    let sniffed = infer::get(content).map(|t| t.mime_type());
    let text = declared.starts_with("text/");
    let matches = if text {
        sniffed.is_none()
            && std::str::from_utf8(content).is_ok_and(|t| {
                !t.chars()
                    .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
            })
    } else {
        sniffed == Some(declared)
    };
    if matches {
        return Ok(());
    }
    let found = match sniffed {
        Some(mime) => format!("its content is {mime}"),
        None if text => "its content is not UTF-8 text".to_owned(),
        None => "its content is of no accepted type".to_owned(),
    };
    Err(DomainError::rule(
        RuleCode::ContentTypeMismatch,
        format!("the file is declared as {declared} but {found}"),
    ))
}

/// Store a file for the provider's structure. The file is stored before its row is written in
/// `tx`: when the transaction does not commit after all, call [`forget`] so that no object is
/// left without its row.
pub async fn upload(
    tx: &Tx,
    files: &Files,
    principal: &Principal,
    filename: &str,
    content_type: &str,
    content: Bytes,
) -> Result<Attachment> {
    principal.require(
        &[Role::Provider],
        "providers attach files to their responses",
    )?;
    let structure = principal.structure().ok_or(DomainError::Forbidden(
        "a provider token carries a structure",
    ))?;
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !ALLOWED_TYPES.contains(&media.as_str()) {
        return Err(DomainError::rule(
            RuleCode::UnsupportedMediaType,
            format!("accepted types: {}", ALLOWED_TYPES.join(", ")),
        ));
    }
    if content.len() > MAX_BYTES {
        return Err(DomainError::rule(
            RuleCode::PayloadTooLarge,
            format!("a file is at most {MAX_BYTES} bytes"),
        ));
    }
    if content.is_empty() {
        return Err(DomainError::validation("file", "is empty"));
    }
    content_matches(&media, &content)?;
    let filename = clean("filename", filename, 200)?;
    if filename.contains('/') || filename.contains('\\') {
        return Err(DomainError::validation(
            "filename",
            "must not contain a path",
        ));
    }
    let tenant = principal.tenant_id()?;
    let id = AttachmentId::generate();
    let key = format!("{}/{}", tenant.0, id.0);
    let size = content.len() as i64;
    files
        .0
        .as_ref()
        .put(&Path::from(key.as_str()), content.into())
        .await
        .map_err(|e| DomainError::Unavailable(format!("object store: {e}")))?;
    let attachment = Attachment {
        id,
        structure_id: structure,
        submission_id: None,
        filename,
        content_type: media,
        size_bytes: size,
    };
    let written = async {
        let tx = tx.change(principal).await?;
        tx.insert(attachment::ActiveModel {
            tenant_id: Set(tenant.0),
            id: Set(id.0),
            structure_id: Set(structure.0),
            submission_id: Set(None),
            filename: Set(attachment.filename.clone()),
            content_type: Set(attachment.content_type.clone()),
            size_bytes: Set(size),
            storage_key: Set(key.clone()),
            created_at: Set(tx.now()),
        })
        .await?;
        tx.commit(Action {
            name: "attachment.upload",
            object_type: "Attachment",
            object_id: id.0,
        })
        .await
    }
    .await;
    if let Err(err) = written {
        // No row, no file: the object would be unreachable anyway.
        let _ = files.0.as_ref().delete(&Path::from(key.as_str())).await;
        return Err(err);
    }
    Ok(attachment)
}

/// Download a file the principal may read: (metadata, content).
/// Remove the stored file of an upload whose transaction did not commit.
pub async fn forget(files: &Files, tenant: crate::ids::TenantId, attachment: &Attachment) {
    let key = format!("{}/{}", tenant.0, attachment.id.0);
    if let Err(err) = files.0.as_ref().delete(&Path::from(key.as_str())).await {
        tracing::warn!(error = %err, "an uncommitted upload's file could not be removed");
    }
}

/// An attachment's description, for whoever may read it: its provider structure; steering
/// once it supports a submitted submission or report. `NOT_FOUND` otherwise.
pub async fn get(tx: &Tx, principal: &Principal, id: AttachmentId) -> Result<Attachment> {
    let tx = tx.scoped(principal).await?;
    let row = readable(&tx, principal, id).await?;
    Ok(to_attachment(row))
}

async fn readable(
    tx: &crate::db::TenantTx,
    principal: &Principal,
    id: AttachmentId,
) -> Result<attachment::Model> {
    let not_found = || DomainError::NotFound {
        entity: "attachment",
    };
    let row = tx
        .select::<attachment::Entity>()
        .filter(attachment::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .ok_or_else(not_found)?;
    let visible = match principal.role() {
        Role::Provider => principal.structure() == Some(StructureId(row.structure_id)),
        // Steering reads what was sent to it: the file of a submission once it was received,
        // a supporting document of a report once that report was submitted.
        Role::Steering => match row.submission_id {
            Some(s) => supports_received_submission(tx, s).await?,
            None => supports_submitted_report(tx, row.id).await?,
        },
        _ => false,
    };
    if !visible {
        return Err(not_found());
    }
    Ok(row)
}

pub async fn download(
    tx: &Tx,
    files: &Files,
    principal: &Principal,
    id: AttachmentId,
) -> Result<(Attachment, Bytes)> {
    let tx = tx.scoped(principal).await?;
    let row = readable(&tx, principal, id).await?;
    let content = files
        .0
        .as_ref()
        .get(&Path::from(row.storage_key.as_str()))
        .await
        .map_err(|e| DomainError::Unavailable(format!("object store: {e}")))?
        .bytes()
        .await
        .map_err(|e| DomainError::Unavailable(format!("object store: {e}")))?;
    Ok((to_attachment(row), content))
}

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

fn to_attachment(row: attachment::Model) -> Attachment {
    Attachment {
        id: AttachmentId(row.id),
        structure_id: StructureId(row.structure_id),
        submission_id: row.submission_id.map(SubmissionId),
        filename: row.filename,
        content_type: row.content_type,
        size_bytes: row.size_bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_are_named_by_url() {
        let files = Files::from_url("memory:///attachments", Vec::new()).expect("memory store");
        let path = Path::from("t/a");
        files
            .0
            .as_ref()
            .put(&path, Bytes::from_static(b"x").into())
            .await
            .expect("put");
        let back = files
            .0
            .as_ref()
            .get(&path)
            .await
            .expect("get")
            .bytes()
            .await
            .expect("bytes");
        assert_eq!(back.as_ref(), b"x");
        assert!(Files::from_url("not a url", Vec::new()).is_err());
        assert!(Files::from_url("gopher://x/y", Vec::new()).is_err());
    }
}

/// Whether the submission `id` was received (it has its receipt: it is no longer a draft).
async fn supports_received_submission(tx: &TenantTx, id: uuid::Uuid) -> Result<bool> {
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
async fn supports_submitted_report(tx: &TenantTx, attachment: uuid::Uuid) -> Result<bool> {
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
        .filter(report::Column::Id.is_in(reports))
        .filter(report::Column::SubmittedAt.is_not_null())
        .count(tx.conn())
        .await?
        > 0)
}
