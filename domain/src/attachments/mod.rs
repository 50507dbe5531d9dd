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

use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::AttachmentId;
use crate::principal::Principal;

mod model;
mod policy;
mod store;
mod upload;

pub use model::Attachment;
use policy::readable;
use store::to_attachment;
pub(crate) use store::{attach, of_submission};
pub use upload::upload;

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

/// Download a file the principal may read: (metadata, content).
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
