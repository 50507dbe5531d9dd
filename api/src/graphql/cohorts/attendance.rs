//! Attendance: the `Attendance` object and `recordAttendance`, a whole session at once,
//! idempotent by key.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use chrono::{DateTime, Utc};
use parcours_domain::DomainError;
use parcours_domain::cohorts::{self, AttendanceLine, Presence};
use parcours_domain::ids::ParticipantId;

use super::session_id;
use crate::graphql::{GqlResult, ids, req};

/// Attendance at a session.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Presence")]
pub enum PresenceGql {
    Present,
    Absent,
    Excused,
    Late,
}

pub(super) fn presence_str(p: PresenceGql) -> &'static str {
    match p {
        PresenceGql::Present => "present",
        PresenceGql::Absent => "absent",
        PresenceGql::Excused => "excused",
        PresenceGql::Late => "late",
    }
}

/// One attendance record.
pub struct AttendanceObj(pub cohorts::Attendance);

#[Object(name = "Attendance")]
impl AttendanceObj {
    /// Global ID of this record (one per session and participant).
    pub(crate) async fn id(&self) -> ID {
        ids::encode_pair("Attendance", self.0.session_id.0, self.0.participant_id.0)
    }
    /// The session, as a `CohortSession` global ID.
    async fn session_id(&self) -> ID {
        ids::encode("CohortSession", self.0.session_id.0)
    }
    async fn participant_id(&self) -> ID {
        ids::encode("Participant", self.0.participant_id.0)
    }
    async fn presence(&self) -> PresenceGql {
        match self.0.presence {
            Presence::Present => PresenceGql::Present,
            Presence::Absent => PresenceGql::Absent,
            Presence::Excused => PresenceGql::Excused,
            Presence::Late => PresenceGql::Late,
        }
    }
    /// A signature image was captured.
    async fn signed(&self) -> bool {
        self.0.signed
    }
    async fn signed_on_paper(&self) -> bool {
        self.0.signed_on_paper
    }
    /// Who recorded it.
    async fn recorded_by(&self) -> &str {
        &self.0.recorded_by
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// One participant's attendance at the session.
#[derive(InputObject)]
pub struct AttendanceEntryInput {
    participant_id: ID,
    presence: PresenceGql,
    /// A PNG or JPEG image, base64 (one line, at most 100,000 characters), at most 64 KiB
    /// decoded.
    signature: Option<String>,
    #[graphql(default)]
    signed_on_paper: bool,
}

/// Input of `recordAttendance`: a whole session at once.
#[derive(InputObject)]
pub struct RecordAttendanceInput {
    session_id: ID,
    /// Chosen by the client, reused on retry: a replay has no second effect. 1 to 200
    /// characters, one line.
    idempotency_key: String,
    entries: Vec<AttendanceEntryInput>,
}

/// Result of `recordAttendance`.
#[derive(SimpleObject)]
pub struct RecordAttendancePayload {
    attendance: Vec<AttendanceObj>,
}

#[derive(Default)]
pub struct AttendanceMutation;

#[Object]
impl AttendanceMutation {
    /// Record a whole session's attendance (the provider); idempotent by key.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordAttendanceInput,
    ) -> async_graphql::Result<Option<RecordAttendancePayload>> {
        let r = req(ctx);
        let session = session_id(&input.session_id).gql(ctx)?;
        let mut lines = Vec::with_capacity(input.entries.len());
        for (i, e) in input.entries.into_iter().enumerate() {
            let participant = ids::decode(&e.participant_id, "Participant", "participant")
                .map(|id: uuid::Uuid| ParticipantId(id).0)
                .map_err(|_| {
                    DomainError::validation(
                        format!("entries[{i}].participantId"),
                        "is not enrolled in this session's cohort",
                    )
                })
                .gql(ctx)?;
            let signature = match e.signature {
                Some(text) if text.len() > 100_000 => {
                    return Err(DomainError::validation(
                        format!("entries[{i}].signature"),
                        "at most 64 KiB",
                    ))
                    .gql(ctx);
                }
                Some(text) => Some(
                    base64::engine::general_purpose::STANDARD
                        .decode(text.as_bytes())
                        .map_err(|_| {
                            DomainError::validation(
                                format!("entries[{i}].signature"),
                                "is not base64",
                            )
                        })
                        .gql(ctx)?,
                ),
                None => None,
            };
            let digest = signature
                .as_ref()
                .map(|s| format!("{:016x}-{}", fnv1a(s), s.len()));
            lines.push(AttendanceLine {
                participant_id: participant,
                presence: presence_str(e.presence),
                signature,
                signature_digest: digest,
                signed_on_paper: e.signed_on_paper,
            });
        }
        let recorded =
            cohorts::record_attendance(&r.tx, &r.principal, session, lines, &input.idempotency_key)
                .await
                .gql(ctx)?;
        Ok(Some(RecordAttendancePayload {
            attendance: recorded.into_iter().map(AttendanceObj).collect(),
        }))
    }
}

/// FNV-1a: a fingerprint of a signature image for the idempotency comparison.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
