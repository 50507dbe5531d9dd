//! The `Attachment` object: a file attached to a submission or a report (the upload and who
//! may read a file are `parcours_domain::attachments`).

use async_graphql::{ID, Object};

use crate::graphql::ids;

/// A file attached to a submission or a report.
pub struct AttachmentObj(pub parcours_domain::attachments::Attachment);

#[Object(name = "Attachment")]
impl AttachmentObj {
    /// Global ID; the file is at `GET /attachments/{id}`.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Attachment", self.0.id.0)
    }
    /// The uploaded file's name, as given.
    async fn filename(&self) -> &str {
        &self.0.filename
    }
    /// Its media type, checked against its content at upload.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
}
