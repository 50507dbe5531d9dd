//! The `AccessEntry` object: one read of a participant's sensitive field (`SensitiveField`),
//! through which `AccessChannel`.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::access_log::{AccessEntry, Channel, SensitiveField};

use crate::graphql::ids;
use crate::graphql::participants::ParticipantObj;

/// A sensitive field of a participant.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "SensitiveField")]
pub enum SensitiveFieldGql {
    /// `Participant.rsaBeneficiary` (or the `rsaBeneficiary` filter of `participants`).
    RsaBeneficiary,
    /// `Participant.recognisedDisability` (or `EsfRecord.disability`, or the ESF+ export).
    RecognisedDisability,
}

/// How a sensitive value left the service.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AccessChannel {
    /// A GraphQL response.
    Graphql,
    /// The ESF+ CSV export (`GET /esf/export`).
    EsfExport,
}

pub struct AccessEntryObj(pub AccessEntry);

/// One read of a participant's sensitive field. Holds identifiers only, never the value.
#[Object(name = "AccessEntry")]
impl AccessEntryObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("AccessEntry", self.0.id.0)
    }
    /// When the read was recorded (just before the response was sent).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The `sub` claim of the reader.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The reader's role, e.g. `steering` or `referent`.
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// The global ID of the participant whose field was read.
    async fn participant_id(&self) -> ID {
        ids::encode("Participant", self.0.participant_id.0)
    }
    /// The participant whose field was read (reading its fields is recorded like any read).
    async fn participant(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ParticipantObj>> {
        crate::graphql::loaders::participant(ctx, self.0.participant_id).await
    }
    /// Which field was read.
    async fn field(&self) -> SensitiveFieldGql {
        match self.0.field {
            SensitiveField::RsaBeneficiary => SensitiveFieldGql::RsaBeneficiary,
            SensitiveField::RecognisedDisability => SensitiveFieldGql::RecognisedDisability,
        }
    }
    /// Through which channel.
    async fn channel(&self) -> AccessChannel {
        match self.0.channel {
            Channel::Graphql => AccessChannel::Graphql,
            Channel::EsfExport => AccessChannel::EsfExport,
        }
    }
    /// The request id (also in the `x-request-id` response header and the logs).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}
