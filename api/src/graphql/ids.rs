//! Opaque global IDs (Relay `Node`) and connection cursors.
//!
//! A global ID is the URL-safe base64 of `Type:uuid`. Decoding checks the type: an ID of
//! another type, or one that does not decode, answers `NOT_FOUND` exactly like an unknown ID.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use parcours_domain::DomainError;
use uuid::Uuid;

/// The global ID of the object `kind` with `id`.
pub fn encode(kind: &str, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// The type and UUID inside a global ID, if it is one.
pub fn decode_any(id: &str) -> Option<(String, Uuid)> {
    if id.len() > 128 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (kind, uuid) = text.split_once(':')?;
    Some((kind.to_owned(), Uuid::parse_str(uuid).ok()?))
}

/// The UUID of a global ID that must name a `kind`.
pub fn decode(id: &ID, kind: &'static str, entity: &'static str) -> Result<Uuid, DomainError> {
    match decode_any(id) {
        Some((k, uuid)) if k == kind => Ok(uuid),
        _ => Err(DomainError::NotFound { entity }),
    }
}

/// The cursor of a row.
pub fn cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// The row a cursor points after.
pub fn decode_cursor(cursor: Option<&str>) -> Result<Option<Uuid>, DomainError> {
    cursor
        .map(|c| {
            URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| Uuid::from_slice(&b).ok())
                .ok_or_else(|| DomainError::validation("after", "is not a cursor of this list"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_check_their_type() {
        let uuid = Uuid::now_v7();
        let id = encode("Structure", uuid);
        assert_eq!(decode(&id, "Structure", "structure").ok(), Some(uuid));
        assert!(decode(&id, "StaffMember", "staff member").is_err());
        assert!(decode(&ID("garbage!".into()), "Structure", "structure").is_err());
        assert!(decode_any(&"A".repeat(10_000)).is_none());
    }
}
