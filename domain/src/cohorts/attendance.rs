//! Recording attendance: a whole session at once, under an idempotency key, for the members
//! enrolled on that day.

use super::action;
use super::model::*;
use super::policy;
use super::store;
use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::idempotency::{self, Claim};
use crate::ids::{ParticipantId, SessionId};
use crate::principal::Principal;
use crate::text::clean;

/// The largest signature image accepted.
pub const MAX_SIGNATURE_BYTES: usize = 64 * 1024;

/// Record a whole session's attendance under an idempotency key. A replay with the same key
/// and payload returns the first answer without a second effect; another payload is `CONFLICT`.
///
/// One statement on PostgreSQL whatever the number of entries (four on SQLite): the key is
/// claimed with the answer it will replay (`INSERT … ON CONFLICT DO NOTHING`: a concurrent
/// request with the same key waits on the unique index until this one commits or rolls back,
/// then replays or claims), the session, its cohort and the entries' memberships are read,
/// and, when the key was claimed, the entries are upserted with the audit entry. The rules
/// are then checked on what was read; a refusal undoes the claim and the writes with the
/// transaction.
pub async fn record_attendance(
    tx: &Tx,
    principal: &Principal,
    session_id: SessionId,
    lines: Vec<AttendanceLine>,
    idempotency_key: &str,
) -> Result<Vec<Attendance>> {
    policy::require_runner(principal)?;
    let key = clean("idempotencyKey", idempotency_key, 200)?;
    crate::batch::not_empty("entries", &lines)?;
    crate::batch::distinct("entries", Some("participantId"), &lines, |l| {
        l.participant_id
    })?;
    let fingerprint = serde_json::to_string(&(session_id.0, &lines))
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    let now = tx.now();
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let presence = check_line(i, line)?;
        out.push(Attendance {
            session_id,
            participant_id: ParticipantId(line.participant_id),
            presence,
            signed: line.signature.is_some() || line.signed_on_paper,
            signed_on_paper: line.signed_on_paper,
            recorded_by: principal.subject().to_owned(),
            recorded_at: now,
        });
    }
    let response = serde_json::Value::Array(
        out.iter()
            .map(|a| {
                serde_json::json!({
                    "session": a.session_id.0, "participant": a.participant_id.0,
                    "presence": a.presence.as_str(), "signed": a.signed,
                    "onPaper": a.signed_on_paper, "by": a.recorded_by, "at": a.recorded_at,
                })
            })
            .collect(),
    );

    let tx = tx.change(principal).await?;
    let people: Vec<uuid::Uuid> = lines.iter().map(|l| l.participant_id).collect();
    let checks = super::session_for_attendance_query(&tx, principal, session_id, &people)?;
    // `out` was built from `lines`, one record per entry, in order.
    let signatures = lines.iter().map(|l| l.signature.as_deref());
    let upsert = store::attendance_upsert(
        out.iter().zip(signatures),
        action("attendance.record", "CohortSession", session_id.0),
    );
    let claim = idempotency::claim_read_and_upsert(
        tx,
        principal,
        &key,
        &fingerprint,
        response,
        checks,
        upsert,
    );
    let (rows, writes) = match claim.await? {
        Claim::New { rows, writes } => (rows, writes),
        Claim::Replay(response) => return replay(response),
    };
    // A refusal below drops `writes`: the records, their audit entry and the claim are undone.
    let (day, enrolled) = super::session_for_attendance(&rows)?;
    if day > crate::paris::wall_clock(now).date() {
        return Err(DomainError::validation(
            "sessionId",
            "the session has not taken place yet",
        ));
    }
    for (i, line) in lines.iter().enumerate() {
        let field = || format!("entries[{i}].participantId");
        match enrolled.get(&ParticipantId(line.participant_id)) {
            None => {
                return Err(DomainError::validation(
                    field(),
                    "is not enrolled in this session's cohort",
                ));
            }
            Some(Some(left)) if *left < day => {
                return Err(DomainError::validation(
                    field(),
                    format!("dropped out on {left}: no attendance after that date"),
                ));
            }
            Some(_) => {}
        }
    }
    writes.commit().await?;
    Ok(out)
}

/// The checks of one entry that need no data: its presence, its signature.
fn check_line(i: usize, line: &AttendanceLine) -> Result<Presence> {
    let field = |f: &str| format!("entries[{i}].{f}");
    let presence = Presence::parse(line.presence)
        .ok_or_else(|| DomainError::validation(field("presence"), "unknown presence"))?;
    if let Some(sig) = &line.signature {
        if sig.len() > MAX_SIGNATURE_BYTES {
            return Err(DomainError::validation(
                field("signature"),
                format!("at most {MAX_SIGNATURE_BYTES} bytes"),
            ));
        }
        let image = sig.starts_with(b"\x89PNG\r\n\x1a\n") || sig.starts_with(b"\xff\xd8\xff");
        if !image {
            return Err(DomainError::validation(
                field("signature"),
                "must be a PNG or JPEG image",
            ));
        }
    }
    let signed = line.signature.is_some() || line.signed_on_paper;
    if matches!(presence, Presence::Present | Presence::Late) && !signed {
        return Err(DomainError::validation(
            field("signature"),
            "a presence is signed: capture a signature or mark it signed on paper",
        ));
    }
    Ok(presence)
}

fn replay(response: serde_json::Value) -> Result<Vec<Attendance>> {
    let bad = || DomainError::Internal("stored idempotent response unreadable".into());
    response
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|v| {
            Ok(Attendance {
                session_id: SessionId(
                    serde_json::from_value(v["session"].clone()).map_err(|_| bad())?,
                ),
                participant_id: ParticipantId(
                    serde_json::from_value(v["participant"].clone()).map_err(|_| bad())?,
                ),
                presence: v["presence"]
                    .as_str()
                    .and_then(Presence::parse)
                    .ok_or_else(bad)?,
                signed: v["signed"].as_bool().unwrap_or(false),
                signed_on_paper: v["onPaper"].as_bool().unwrap_or(false),
                recorded_by: v["by"].as_str().unwrap_or_default().to_owned(),
                recorded_at: serde_json::from_value(v["at"].clone()).map_err(|_| bad())?,
            })
        })
        .collect()
}
