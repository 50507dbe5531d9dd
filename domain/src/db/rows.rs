//! Rows decoded by position rather than by name, for the hot reads (a page of participants
//! decodes 31 columns × 50 rows): by name, each value costs a hash lookup of its column's name,
//! and, under a prefix (`select_also`, `commune_…`), a string built for it.
//!
//! A decoder reads the columns in the order it names them, from the first column of the row or
//! from a given position; debug builds (every test) check that each position holds the column
//! the decoder names, so a decoder that disagrees with its query fails the tests.

use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic, QueryResult, QuerySelect,
    Select, TryGetable,
};

/// The next columns of a row, read in order.
/// (`pub` in a crate-private module: the sealed `Decode` traits of the stores name it.)
pub struct Positional<'r> {
    row: &'r QueryResult,
    next: usize,
    /// The row's column names, to check each position against (debug builds).
    #[cfg(debug_assertions)]
    names: Vec<String>,
}

impl<'r> Positional<'r> {
    /// The columns of `row` from position `at`.
    pub(crate) fn new(row: &'r QueryResult, at: usize) -> Self {
        Self {
            row,
            next: at,
            #[cfg(debug_assertions)]
            names: row.column_names(),
        }
    }

    /// The value of the next column, which is `column` (under any prefix).
    pub(crate) fn get<T: TryGetable>(&mut self, column: impl IdenStatic) -> Result<T, DbErr> {
        let at = self.next;
        self.next += 1;
        #[cfg(debug_assertions)]
        {
            let found = self.names.get(at).map(String::as_str).unwrap_or("(none)");
            debug_assert!(
                found.ends_with(column.as_str()),
                "column {at} is {found}, the decoder reads {}",
                column.as_str()
            );
        }
        #[cfg(not(debug_assertions))]
        let _ = column;
        self.row.try_get_by_index(at)
    }
}

impl Positional<'_> {
    /// The value of the next column, which is not consumed (a left join's absent row: a null
    /// ID).
    pub(crate) fn peek<T: TryGetable>(&self) -> Result<T, DbErr> {
        self.row.try_get_by_index(self.next)
    }
}

/// A shape an entity's rows are read in: the columns its query selects, and the decoder that
/// reads them in that order (a store's hot reads: participants, diagnostics, members).
pub trait Shaped: Sized + Send + Sync {
    /// The entity whose rows these are.
    type Entity: EntityTrait;
    /// The selected columns, in decoding order.
    fn columns() -> &'static [<Self::Entity as EntityTrait>::Column];
    /// Decode one row from `at`, reading the columns of [`Shaped::columns`] in order.
    fn decode(at: &mut Positional<'_>) -> Result<Self, DbErr>;
}

/// A row decoded as the shape `S`.
struct Decoded<S>(S);

impl<S: Shaped> FromQueryResult for Decoded<S> {
    fn from_query_result(row: &QueryResult, _: &str) -> Result<Self, DbErr> {
        S::decode(&mut Positional::new(row, 0)).map(Self)
    }
}

/// The rows `query` selects, reading only the columns of `S`.
pub(crate) async fn read<S: Shaped>(
    conn: &impl ConnectionTrait,
    query: Select<S::Entity>,
) -> Result<Vec<S>, DbErr> {
    Ok(query
        .select_only()
        .columns(S::columns().iter().copied())
        .into_model::<Decoded<S>>()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.0)
        .collect())
}
