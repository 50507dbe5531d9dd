//! Relay `Node`: any object with an identity, by global ID.

use async_graphql::{Context, ID, Interface, Object};
use parcours_domain::ids::{
    CallId, CommuneId, ConventionId, ParticipantId, StaffId, StructureId, SubmissionId, TenantId,
};
use parcours_domain::{
    DomainError, calls, conventions, participants, staff, structures, submissions, tenants,
};

use super::access::AccessEntryObj;
use super::attachments::AttachmentObj;
use super::calls::CallObj;
use super::cohorts::{AttendanceObj, CohortObj, SessionObj};
use super::conventions::ConventionObj;
use super::esf::EsfRecordObj;
use super::follow_up::FollowUpSheetObj;
use super::notifications::NotificationObj;
use super::participants::{EpisodeObj, ParticipantObj, PathStepObj};
use super::reports::ReportObj;
use super::staff::StaffMemberObj;
use super::structures::StructureObj;
use super::submissions::SubmissionObj;
use super::tenants::{CommuneObj, TenantObj};
use super::{GqlResult, ids, req};

/// An object with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global ID."))]
pub enum Node {
    Tenant(TenantObj),
    Structure(StructureObj),
    StaffMember(StaffMemberObj),
    Commune(CommuneObj),
    Participant(ParticipantObj),
    CallForProjects(CallObj),
    Submission(SubmissionObj),
    Convention(ConventionObj),
    Cohort(CohortObj),
    CohortSession(SessionObj),
    Attendance(AttendanceObj),
    PathStep(PathStepObj),
    Episode(EpisodeObj),
    Notification(NotificationObj),
    Attachment(AttachmentObj),
    AccessEntry(AccessEntryObj),
    FollowUpSheet(FollowUpSheetObj),
    Report(ReportObj),
    EsfRecord(EsfRecordObj),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by global ID. An ID of another tenant's object, of an unknown type or that
    /// does not decode answers `NOT_FOUND`, exactly like an ID that does not exist.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        resolve(ctx, &id).await.map(Some).gql(ctx)
    }
}

/// The object a global ID names, as the caller may read it; every "not there" (unknown,
/// another tenant's, of a type without `node`, unreadable by this caller) is the same
/// `NOT_FOUND`.
pub(crate) async fn resolve(ctx: &Context<'_>, id: &ID) -> Result<Node, DomainError> {
    let r = req(ctx);
    let (db, p) = (&r.tx, &r.principal);
    let not_found = DomainError::NotFound { entity: "node" };
    if let Some((session, participant)) = ids::decode_pair(id, "Attendance") {
        return parcours_domain::cohorts::attendance_record(
            db,
            p,
            parcours_domain::ids::SessionId(session),
            ParticipantId(participant),
        )
        .await
        .map(|a| Node::Attendance(AttendanceObj(a)))
        .map_err(|e| match e {
            DomainError::NotFound { .. } => not_found,
            other => other,
        });
    }
    let node = match ids::decode_any(id) {
        Some((kind, uuid)) => match kind.as_str() {
            "Tenant" => tenants::get(db, p, TenantId(uuid))
                .await
                .map(|t| Node::Tenant(TenantObj(t))),
            "Structure" => structures::get(db, p, StructureId(uuid))
                .await
                .map(|s| Node::Structure(StructureObj(s))),
            "StaffMember" => staff::get(db, p, StaffId(uuid))
                .await
                .map(|s| Node::StaffMember(StaffMemberObj(s))),
            "Commune" => tenants::load_communes::<tenants::Commune>(db, p, &[CommuneId(uuid)])
                .await
                .and_then(|mut found| {
                    found
                        .remove(&CommuneId(uuid))
                        .map(|c| Node::Commune(CommuneObj::Whole(c)))
                        .ok_or(DomainError::NotFound { entity: "node" })
                }),
            "Participant" => participants::get(db, p, ParticipantId(uuid))
                .await
                .map(|x| Node::Participant(ParticipantObj::from(x))),
            "CallForProjects" => calls::get(db, p, CallId(uuid))
                .await
                .map(|x| Node::CallForProjects(CallObj(x))),
            "Submission" => submissions::get(db, p, SubmissionId(uuid))
                .await
                .map(|x| Node::Submission(SubmissionObj(x))),
            "Convention" => conventions::get(db, p, ConventionId(uuid))
                .await
                .map(|x| Node::Convention(ConventionObj(x))),
            "Cohort" => parcours_domain::cohorts::get(db, p, parcours_domain::ids::CohortId(uuid))
                .await
                .map(|x| Node::Cohort(CohortObj(x))),
            "CohortSession" => {
                parcours_domain::cohorts::session(db, p, parcours_domain::ids::SessionId(uuid))
                    .await
                    .map(|x| Node::CohortSession(SessionObj(x)))
            }
            "PathStep" => participants::path_step(db, p, parcours_domain::ids::PathStepId(uuid))
                .await
                .map(|x| Node::PathStep(PathStepObj(x))),
            "Episode" => participants::episode(db, p, parcours_domain::ids::EpisodeId(uuid))
                .await
                .map(|x| Node::Episode(EpisodeObj(x))),
            "Notification" => parcours_domain::notifications::get(
                db,
                p,
                parcours_domain::ids::NotificationId(uuid),
            )
            .await
            .map(|x| Node::Notification(NotificationObj(x))),
            "Attachment" => {
                parcours_domain::attachments::get(db, p, parcours_domain::ids::AttachmentId(uuid))
                    .await
                    .map(|x| Node::Attachment(AttachmentObj(x)))
            }
            "AccessEntry" => {
                parcours_domain::access_log::get(db, p, parcours_domain::ids::AccessEntryId(uuid))
                    .await
                    .map(|x| Node::AccessEntry(AccessEntryObj(x)))
            }
            "FollowUpSheet" => {
                parcours_domain::follow_up::get(db, p, parcours_domain::ids::FollowUpSheetId(uuid))
                    .await
                    .map(|x| Node::FollowUpSheet(FollowUpSheetObj(x)))
            }
            "Report" => parcours_domain::reports::get(db, p, parcours_domain::ids::ReportId(uuid))
                .await
                .map(|x| Node::Report(ReportObj(x))),
            "EsfRecord" => {
                parcours_domain::esf::get(db, p, parcours_domain::ids::EsfRecordId(uuid))
                    .await
                    .map(|x| Node::EsfRecord(EsfRecordObj::read(ctx, x)))
            }
            _ => Err(not_found),
        },
        None => Err(not_found),
    };
    // Every "not there" reads the same, whatever the type.
    node.map_err(|e| match e {
        DomainError::NotFound { .. } => DomainError::NotFound { entity: "node" },
        other => other,
    })
}
