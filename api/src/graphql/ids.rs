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
    // Written without `format!`: a page of 50 participants writes 50 of them.
    let mut uuid = Uuid::encode_buffer();
    let uuid = id.hyphenated().encode_lower(&mut uuid);
    let mut text = String::with_capacity(kind.len() + 1 + uuid.len());
    text.push_str(kind);
    text.push(':');
    text.push_str(uuid);
    ID(URL_SAFE_NO_PAD.encode(text))
}

/// The global ID of an object `kind` known by two IDs (an attendance record: its session and
/// its participant): the URL-safe base64 of `Type:uuid:uuid`.
pub fn encode_pair(kind: &str, a: Uuid, b: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{a}:{b}")))
}

/// The two UUIDs of a global ID made by [`encode_pair`] for `kind`, if it is one.
pub fn decode_pair(id: &str, kind: &str) -> Option<(Uuid, Uuid)> {
    if id.len() > 160 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix(kind)?.strip_prefix(':')?;
    let (a, b) = rest.split_once(':')?;
    Some((Uuid::parse_str(a).ok()?, Uuid::parse_str(b).ok()?))
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

/// What a cursor was made for: the connection field and every argument that chooses or orders
/// its rows (all but `first` and `after`), as the first [`TAG_BYTES`] bytes of their SHA-256.
/// A cursor carries its list's tag, and a list refuses a cursor with another tag (a cursor of
/// another list, another sort or another filter): keyset pagination would otherwise answer an
/// unrelated page without a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListTag([u8; TAG_BYTES]);

/// How many bytes of the digest a cursor carries.
const TAG_BYTES: usize = 6;

impl ListTag {
    /// The tag of the connection field being resolved.
    pub fn of(ctx: &async_graphql::Context<'_>) -> Self {
        Self::of_list(ctx, None)
    }

    /// The tag of a list that belongs to one object (a structure's staff): the object's ID
    /// is part of it, so that another object's list refuses the cursor.
    pub fn of_child(ctx: &async_graphql::Context<'_>, parent: Uuid) -> Self {
        Self::of_list(ctx, Some(parent))
    }

    fn of_list(ctx: &async_graphql::Context<'_>, parent: Option<Uuid>) -> Self {
        let field = ctx.field();
        let mut arguments: Vec<(String, String)> = field
            .arguments()
            .unwrap_or_default()
            .into_iter()
            .filter(|(name, value)| {
                !matches!(name.as_str(), "first" | "after")
                    && !matches!(value, async_graphql::Value::Null)
            })
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        if let Some(parent) = parent {
            arguments.push((" parent".to_owned(), parent.to_string()));
        }
        arguments.sort();
        Self::new(field.name(), &arguments)
    }

    fn new(list: &str, arguments: &[(String, String)]) -> Self {
        use sha2::Digest;
        let mut digest = sha2::Sha256::new();
        digest.update(list.as_bytes());
        for (name, value) in arguments {
            digest.update([0]);
            digest.update(name.as_bytes());
            digest.update([0]);
            digest.update(value.as_bytes());
        }
        let mut tag = [0; TAG_BYTES];
        tag.copy_from_slice(&digest.finalize()[..TAG_BYTES]);
        Self(tag)
    }

    /// A cursor of this list around `position` (the list's own bytes: a row's UUID, or a sort
    /// key and a UUID).
    pub fn cursor(&self, position: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode([&self.0[..], position].concat())
    }

    /// The position inside `cursor`, if it is a cursor of this list; otherwise `VALIDATION` on
    /// `after`.
    pub fn position(&self, cursor: &str) -> Result<Vec<u8>, DomainError> {
        let bad = || DomainError::validation("after", "is not a cursor of this list");
        if cursor.len() > 1024 {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
        match bytes.split_at_checked(TAG_BYTES) {
            Some((tag, position)) if tag == self.0 => Ok(position.to_vec()),
            _ => Err(bad()),
        }
    }

    /// The row a cursor of this list points after.
    pub fn row(&self, cursor: Option<&str>) -> Result<Option<Uuid>, DomainError> {
        cursor
            .map(|c| {
                Uuid::from_slice(&self.position(c)?)
                    .map_err(|_| DomainError::validation("after", "is not a cursor of this list"))
            })
            .transpose()
    }
}

/// An edge's cursor, written only when the client reads it (the edge's `cursor`, or
/// `pageInfo`'s `startCursor` and `endCursor`): a query that selects neither, as screens
/// listing a page mostly do, encodes no cursor.
pub enum EdgeCursor {
    /// A row of a list in ID order: the tag and the row's UUID.
    Row(ListTag, Uuid),
    /// A participant's place in the list's sort: the tag and the domain's cursor.
    Participant(ListTag, parcours_domain::participants::Cursor),
    /// A cursor as received (async-graphql's `CursorType` decodes arguments with it; the
    /// lists here read `after` through [`ListTag::position`] instead).
    Received(String),
}

impl async_graphql::connection::CursorType for EdgeCursor {
    type Error = std::convert::Infallible;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        Ok(Self::Received(s.to_owned()))
    }

    fn encode_cursor(&self) -> String {
        match self {
            Self::Row(tag, id) => tag.cursor(id.as_bytes()),
            Self::Participant(tag, cursor) => tag.cursor(cursor.encode().as_bytes()),
            Self::Received(cursor) => cursor.clone(),
        }
    }
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
        // The text, as the spec of global IDs here says: `Type:uuid` (lower-case, hyphenated).
        assert_eq!(
            id.0,
            URL_SAFE_NO_PAD.encode(format!("Structure:{uuid}")),
            "written without format!"
        );
    }

    #[test]
    fn an_edge_cursor_is_the_cursor_of_its_list() {
        use async_graphql::connection::CursorType;
        let tag = ListTag::new("cohorts", &[]);
        let row = Uuid::now_v7();
        let cursor = EdgeCursor::Row(tag, row).encode_cursor();
        assert_eq!(cursor, tag.cursor(row.as_bytes()));
        assert_eq!(tag.row(Some(&cursor)).ok(), Some(Some(row)));
        let received = EdgeCursor::decode_cursor(&cursor).expect("infallible");
        assert_eq!(received.encode_cursor(), cursor);
    }

    #[test]
    fn a_cursor_is_read_only_by_the_list_it_was_made_for() {
        let args = |sort: &str| vec![("sort".to_owned(), sort.to_owned())];
        let by_name = ListTag::new("participants", &args("NAME"));
        let by_date = ListTag::new("participants", &args("ENTRY_DATE"));
        let audit = ListTag::new("auditLog", &[]);
        let row = Uuid::now_v7();
        let cursor = by_name.cursor(row.as_bytes());
        assert_eq!(by_name.row(Some(&cursor)).ok(), Some(Some(row)));
        assert!(by_date.row(Some(&cursor)).is_err(), "another sort");
        assert!(audit.row(Some(&cursor)).is_err(), "another list");
        assert!(by_name.row(Some("not a cursor")).is_err());
        assert!(by_name.row(Some("")).is_err());
        assert_eq!(by_name.row(None).ok(), Some(None));
    }
}
