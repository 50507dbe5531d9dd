//! Attachments (`parcours_domain::attachments`) as the schema shows them: the `Attachment`
//! object, a file attached to a submission or a report. The upload and the download are HTTP
//! routes (`crate::attachments`); who may read a file is the domain's.

mod attachment;

pub use attachment::AttachmentObj;
