//! The `Notification` object: something the caller is told, of which `NotificationKind`, with
//! its subject as the caller may read it now.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::DomainError;
use parcours_domain::notifications::{Kind, Notification};
use parcours_domain::reports::ReportKind;

use crate::graphql::node::{self, Node};
use crate::graphql::reports::{ReportKindGql, kind_gql};
use crate::graphql::{GqlResult, RequestCtx, ids};

/// What happened.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum NotificationKind {
    /// (Referent) A follow-up sheet of one of your participants was transmitted; `subjectId`
    /// is the sheet, `relatedId` the participant.
    FollowUpSheetTransmitted,
    /// (Referent) The provider enrolled your participant; `subjectId` is the cohort,
    /// `relatedId` the participant.
    PrescriptionAccepted,
    /// (Referent) The provider declined your prescription; as above.
    PrescriptionDeclined,
    /// (Steering) A submission was received; `subjectId` is the submission.
    SubmissionReceived,
    /// (Provider) A decision was recorded on your submission; `subjectId` is the submission.
    SubmissionDecided,
    /// (Steering) A report was submitted; `subjectId` is the report.
    ReportSubmitted,
    /// (Provider) Your report was accepted or sent back for changes; `subjectId` is the report.
    ReportReviewed,
    /// (Steering) A report is overdue; `subjectId` is the convention, `reportKind` which report.
    ReportOverdue,
}

fn kind(k: Kind) -> NotificationKind {
    match k {
        Kind::FollowUpSheetTransmitted => NotificationKind::FollowUpSheetTransmitted,
        Kind::PrescriptionAccepted => NotificationKind::PrescriptionAccepted,
        Kind::PrescriptionDeclined => NotificationKind::PrescriptionDeclined,
        Kind::SubmissionReceived => NotificationKind::SubmissionReceived,
        Kind::SubmissionDecided => NotificationKind::SubmissionDecided,
        Kind::ReportSubmitted => NotificationKind::ReportSubmitted,
        Kind::ReportReviewed => NotificationKind::ReportReviewed,
        Kind::ReportOverdue => NotificationKind::ReportOverdue,
    }
}

/// Something the caller is told. Kinds and IDs only: read the subject through its query.
pub struct NotificationObj(pub Notification);

#[Object(name = "Notification")]
impl NotificationObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Notification", self.0.id.0)
    }
    /// What happened.
    async fn kind(&self) -> NotificationKind {
        kind(self.0.kind)
    }
    /// The object to open, a `node` ID.
    async fn subject_id(&self) -> ID {
        ids::encode(&self.0.subject.type_name, self.0.subject.id)
    }
    /// The GraphQL type of the subject, e.g. `FollowUpSheet`.
    async fn subject_type(&self) -> &str {
        &self.0.subject.type_name
    }
    /// The subject itself, as the caller may read it now (so that an inbox renders in one
    /// request); null when the caller can no longer read it, and in live subscription
    /// deliveries (open `subjectId` with `node`).
    async fn subject(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Node>> {
        if ctx.data_opt::<RequestCtx>().is_none() {
            return Ok(None);
        }
        let id = ids::encode(&self.0.subject.type_name, self.0.subject.id);
        match node::resolve(ctx, &id).await {
            Ok(node) => Ok(Some(node)),
            Err(DomainError::NotFound { .. } | DomainError::Forbidden(_)) => Ok(None),
            Err(other) => Err(other).gql(ctx),
        }
    }
    /// The participant concerned, for a follow-up sheet or a prescription.
    async fn related_id(&self) -> Option<ID> {
        self.0
            .related
            .as_ref()
            .map(|r| ids::encode(&r.type_name, r.id))
    }
    /// For `REPORT_OVERDUE`: which report.
    async fn report_kind(&self) -> Option<ReportKindGql> {
        self.0
            .detail
            .as_deref()
            .and_then(ReportKind::parse)
            .map(kind_gql)
    }
    /// When it happened (the instant of the change's transaction).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the caller marked it read; null while unread.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
}
