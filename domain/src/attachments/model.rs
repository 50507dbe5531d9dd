//! Read models of attachments.

use crate::ids::{AttachmentId, StructureId, SubmissionId};

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
