//! Lists in inputs. A list that names the same thing twice is a mistake the client must see,
//! not a last-one-wins: `entries: [{P, ABSENT}, {P, EXCUSED}]` records neither silently. Each
//! check runs before the change begins, so that a refused batch spends no idempotency key and
//! writes nothing.

use std::collections::HashMap;
use std::hash::Hash;

use crate::error::{DomainError, Result};

/// Refuse an empty list, naming `field`.
pub fn not_empty<T>(field: &str, items: &[T]) -> Result<()> {
    if items.is_empty() {
        return Err(DomainError::validation(field, "must not be empty"));
    }
    Ok(())
}

/// Refuse a list in which two items have the same key, naming the second one as
/// `field[i]` (followed by `.part` when given, the part of an entry that repeats).
pub fn distinct<T, K: Eq + Hash>(
    field: &str,
    part: Option<&str>,
    items: &[T],
    key: impl Fn(&T) -> K,
) -> Result<()> {
    let mut seen: HashMap<K, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if let Some(first) = seen.insert(key(item), i) {
            let name = match part {
                Some(part) => format!("{field}[{i}].{part}"),
                None => format!("{field}[{i}]"),
            };
            return Err(DomainError::validation(
                name,
                format!("repeats {field}[{first}]: name each one once"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<()>) -> String {
        match r {
            Err(DomainError::Validation { field, .. }) => field,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn the_second_of_two_equal_entries_is_named() {
        assert_eq!(
            field(distinct(
                "entries",
                Some("participantId"),
                &[1, 2, 1],
                |x| *x
            )),
            "entries[2].participantId"
        );
        assert_eq!(
            field(distinct("weekdays", None, &["a", "a"], |x| *x)),
            "weekdays[1]"
        );
        assert!(distinct("ids", None, &[1, 2, 3], |x| *x).is_ok());
        assert_eq!(field(not_empty::<u8>("entries", &[])), "entries");
        assert!(not_empty("entries", &[1]).is_ok());
    }
}
