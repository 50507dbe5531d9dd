//! Rows decoded by position rather than by name, for the hot reads (a page of participants
//! decodes 31 columns × 50 rows): by name, each value costs a hash lookup of its column's name,
//! and, under a prefix (`select_also`, `commune_…`), a string built for it.
//!
//! A decoder reads the columns in the order it names them, from the first column of the row or
//! from a given position; debug builds (every test) check that each position holds the column
//! the decoder names, so a decoder that disagrees with its query fails the tests.
//!
//! On PostgreSQL the scalar columns ([`Cell`]) are read without sqlx's check of the column's
//! SQL type against the Rust type, outside debug builds, which make it and fail on a
//! mismatch: that check cost a page of 50 participants a third of its decoding (each value
//! clones the column's type and compares it with every type its Rust type accepts). The
//! types are those of the entities, fixed by the migrations, and every decoder runs in the
//! tests on both databases.

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
    pub(crate) fn get<T: Cell>(&mut self, column: impl IdenStatic) -> Result<T, DbErr> {
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
        T::read(self.row, at)
    }
}

/// A value a decoder reads ([`Positional::get`]): by default with sea-orm's decoding; the
/// scalar types, on PostgreSQL, straight from sqlx without its type check outside debug
/// builds (see the module's header).
pub trait Cell: TryGetable {
    /// The value at position `at` of `row`.
    fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
        row.try_get_by_index(at)
    }
}

macro_rules! scalar_cells {
    ($($t:ty),* $(,)?) => {$(
        impl Cell for $t {
            fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                scalar(row, at)
            }
        }

        impl Cell for Option<$t> {
            fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                scalar(row, at)
            }
        }
    )*};
}

/// A scalar value: on PostgreSQL read by [`unchecked`], on SQLite by sea-orm.
fn scalar<T>(row: &QueryResult, at: usize) -> Result<T, DbErr>
where
    T: TryGetable
        + for<'r> sea_orm::sqlx::Decode<'r, sea_orm::sqlx::Postgres>
        + sea_orm::sqlx::Type<sea_orm::sqlx::Postgres>,
{
    match row.try_as_pg_row() {
        Some(pg) => unchecked(pg, at),
        None => row.try_get_by_index(at),
    }
}

/// The value at `at` of a PostgreSQL row, decoded without sqlx's type check, which debug
/// builds (every test) still make, failing on a column whose type the decoder does not accept.
fn unchecked<T>(row: &sea_orm::sqlx::postgres::PgRow, at: usize) -> Result<T, DbErr>
where
    T: for<'r> sea_orm::sqlx::Decode<'r, sea_orm::sqlx::Postgres>
        + sea_orm::sqlx::Type<sea_orm::sqlx::Postgres>,
{
    use sea_orm::sqlx::Row as _;
    #[cfg(debug_assertions)]
    if let Err(e) = row.try_get::<T, _>(at) {
        // A null in a column read as required is an error of its own, below.
        let mismatch = matches!(e, sea_orm::sqlx::Error::ColumnDecode { ref source, .. }
            if !source.is::<sea_orm::sqlx::error::UnexpectedNullError>());
        debug_assert!(
            !mismatch,
            "column {at} does not decode as the decoder reads it: {e}"
        );
    }
    row.try_get_unchecked::<T, _>(at)
        .map_err(|e| DbErr::Type(e.to_string()))
}

scalar_cells!(
    String,
    bool,
    i32,
    uuid::Uuid,
    chrono::NaiveDate,
    chrono::DateTime<chrono::Utc>,
);

/// JSON columns, decoded by sea-orm (serde from the column's text).
impl Cell for serde_json::Value {}

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
