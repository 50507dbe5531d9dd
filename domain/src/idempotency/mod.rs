//! Idempotency keys of retried writes (`recordAttendance`, `createParticipant`). A client that
//! did not get an answer (a tablet losing its network) sends the same write again with the same
//! key: the first one's answer is returned and nothing is written twice. A key is claimed by an
//! `INSERT … ON CONFLICT DO NOTHING` on its `(tenant, key)` primary key, in the change's own
//! transaction: of two concurrent writes with one key, the second waits for the first and
//! then replays its answer (PostgreSQL), or runs after it (SQLite's serialised writers). A key
//! reused by another subject or for another request is `CONFLICT`.

mod store;

use crate::db::{Change, TenantTx};
use crate::error::{DomainError, Result};
use crate::principal::Principal;

/// The answer stored under `key` if this very request was made before; `CONFLICT` if the key
/// was used for another request or by someone else; `None` if the key is new.
async fn seen(
    tx: &TenantTx,
    principal: &Principal,
    key: &str,
    fingerprint: &str,
) -> Result<Option<serde_json::Value>> {
    let Some(seen) = store::find(tx, key).await? else {
        return Ok(None);
    };
    if seen.request_hash != fingerprint || seen.subject != principal.subject() {
        return Err(DomainError::Conflict(
            "this idempotency key was used for another request".into(),
        ));
    }
    Ok(Some(seen.response))
}

/// Claim `key` for this request with its `response`: `None` when claimed, or the answer of
/// the same request that claimed it first (see [`seen`]).
pub(crate) async fn claim(
    tx: &Change,
    principal: &Principal,
    key: &str,
    fingerprint: &str,
    response: serde_json::Value,
) -> Result<Option<serde_json::Value>> {
    let claimed = store::insert_if_new(tx, principal, key, fingerprint, response).await?;
    if claimed {
        return Ok(None);
    }
    seen(tx, principal, key, fingerprint)
        .await?
        .map(Some)
        .ok_or_else(|| DomainError::Internal("a claimed idempotency key vanished".into()))
}
