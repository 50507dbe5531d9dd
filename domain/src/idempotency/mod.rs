//! Idempotency keys of retried writes (`recordAttendance`, `createParticipant`). A client that
//! did not get an answer (a tablet losing its network) sends the same write again with the same
//! key: the first one's answer is returned and nothing is written twice. A key is claimed by an
//! `INSERT … ON CONFLICT DO NOTHING` on its `(tenant, key)` primary key, in the change's own
//! transaction: of two concurrent writes with one key, the second waits for the first and
//! then replays its answer (PostgreSQL), or runs after it (SQLite's serialised writers). A key
//! reused by another subject or for another request is `CONFLICT`.

mod store;

use crate::db::{Change, Read, Rows, TenantTx};
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
    replay(tx, principal, key, fingerprint).await.map(Some)
}

/// What [`claim_and_read`] found.
pub(crate) enum Claim {
    /// The key is this request's now: the rows of the read that came with the claim.
    New(Rows),
    /// The answer of the same request, made before (see [`seen`]).
    Replay(serde_json::Value),
}

/// [`claim`], with `read` (a store's query of what the write checks) sent in the same round
/// trip on PostgreSQL: one statement, where the key is claimed before `read` runs, and
/// `read`'s rows are kept only when the key is new (a replay answers as before, whatever
/// changed since). The caller decodes the rows by position, as `read` selects them.
pub(crate) async fn claim_and_read(
    tx: &Change,
    principal: &Principal,
    key: &str,
    fingerprint: &str,
    response: serde_json::Value,
    read: Read,
) -> Result<Claim> {
    let (claimed, rows) =
        store::insert_if_new_and_read(tx, principal, key, fingerprint, response, read).await?;
    if claimed {
        return Ok(Claim::New(rows));
    }
    replay(tx, principal, key, fingerprint)
        .await
        .map(Claim::Replay)
}

/// The stored answer of a key this request could not claim: a concurrent claim of the same
/// key committed first (read by a statement of its own, whose snapshot sees it).
async fn replay(
    tx: &Change,
    principal: &Principal,
    key: &str,
    fingerprint: &str,
) -> Result<serde_json::Value> {
    seen(tx, principal, key, fingerprint)
        .await?
        .ok_or_else(|| DomainError::Internal("a claimed idempotency key vanished".into()))
}
