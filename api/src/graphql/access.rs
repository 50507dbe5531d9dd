//! The access log of sensitive-field reads (steering only), and the per-request recorder that
//! feeds it.
//!
//! Resolvers that answer a sensitive value push (participant, field) into the request's
//! [`AccessRecorder`]; once the operation has run, the endpoint writes them all in one statement
//! and sends the response only if that succeeded (`api/src/http/graphql.rs`). Rules: see
//! `parcours_domain::access_log`.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use parcours_domain::access_log::{self, AccessEntry, AccessFilter, Channel, Read, SensitiveField};
use parcours_domain::ids::ParticipantId;

use super::participants::{ParticipantObj, participant_id};
use super::{Conn, GqlResult, connection, ids, page_request, req};

/// The sensitive reads of one request, deduplicated.
#[derive(Clone, Default)]
pub struct AccessRecorder(Arc<Mutex<BTreeSet<Read>>>);

impl AccessRecorder {
    /// Note that `field` of `participant` is being answered.
    pub fn push(&self, participant: ParticipantId, field: SensitiveField) {
        // A poisoned lock only means another resolver panicked; the set itself is still whole.
        let mut reads = self.0.lock().unwrap_or_else(|e| e.into_inner());
        reads.insert(Read { participant, field });
    }

    /// The reads noted so far, emptying the recorder.
    pub fn take(&self) -> Vec<Read> {
        let mut reads = self.0.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *reads).into_iter().collect()
    }
}

/// Note a sensitive read in the request's recorder.
pub(crate) fn note(ctx: &Context<'_>, participant: ParticipantId, field: SensitiveField) {
    ctx.data_unchecked::<AccessRecorder>()
        .push(participant, field);
}

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
        super::loaders::participant(ctx, self.0.participant_id).await
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

/// Filters of `accessLog`; all optional, combined with AND.
#[derive(InputObject, Default)]
pub struct AccessLogFilter {
    /// Only reads of this participant (a Participant's global ID).
    participant_id: Option<ID>,
    /// Only reads by this subject (`sub` claim), 1 to 320 characters.
    subject: Option<String>,
    /// From this instant, inclusive.
    from: Option<DateTime<Utc>>,
    /// Until this instant, exclusive; not before `from`.
    to: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// Who read which participant's RSA status or recognised disability, newest first.
    /// Steering only.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AccessLogFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Option<Conn<AccessEntryObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let filter = filter.unwrap_or_default();
        let participant = filter
            .participant_id
            .as_ref()
            .map(|id| {
                participant_id(id).map_err(|_| {
                    parcours_domain::DomainError::validation(
                        "filter.participantId",
                        "is not a Participant ID",
                    )
                })
            })
            .transpose()
            .gql(ctx)?;
        let filter = AccessFilter {
            participant,
            subject: filter.subject,
            from: filter.from,
            to: filter.to,
        };
        let page = access_log::list(&r.tx, &r.principal, &filter, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |e| e.id.0, AccessEntryObj)))
    }
}
