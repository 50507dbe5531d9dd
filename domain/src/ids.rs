//! Typed identifiers: UUIDv7 inside, so that one kind of ID is never passed for another.

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered identifier.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A tenant (one PLIE territory).
    TenantId
);
id_type!(
    /// A commune of a tenant's perimeter.
    CommuneId
);
id_type!(
    /// A structure (steering body, referent carrier, provider, partner).
    StructureId
);
id_type!(
    /// A staff member.
    StaffId
);
id_type!(
    /// An audit entry.
    AuditEntryId
);
id_type!(
    /// A notification sent to one staff member.
    NotificationId
);
id_type!(
    /// An entry of the access log (a read of a participant's sensitive field).
    AccessEntryId
);
id_type!(
    /// A participant.
    ParticipantId
);
id_type!(
    /// A step of a participant's path.
    PathStepId
);
id_type!(
    /// An employment, training or business-creation episode.
    EpisodeId
);
id_type!(
    /// A call for projects.
    CallId
);
id_type!(
    /// A structure's response to a call.
    SubmissionId
);
id_type!(
    /// A funding agreement.
    ConventionId
);
id_type!(
    /// An amendment to a convention.
    AmendmentId
);
id_type!(
    /// A file attached to a submission.
    AttachmentId
);
id_type!(
    /// A cohort (groupe) of an action.
    CohortId
);
id_type!(
    /// A session (séance) of a cohort.
    SessionId
);
id_type!(
    /// A follow-up sheet (fiche de suivi) of a cohort member.
    FollowUpSheetId
);
id_type!(
    /// An ESF+ participant record (one participant in one operation).
    EsfRecordId
);
id_type!(
    /// A report (bilan) of a convention.
    ReportId
);
