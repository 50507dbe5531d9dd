//! Batch lookups by a list of keys (a loader's batch, the members of a page of cohorts), in
//! the shape each database plans best.
//!
//! On PostgreSQL a list travels as one array parameter: one statement text whatever its
//! length, prepared once per connection and planned generically, with no SQL built per value
//! and no bound on its length. An `IN` list takes one parameter per key (built value by value,
//! a new statement for each length, at most 65,535 parameters). SQLite, which has no arrays,
//! gets the `IN` list.

use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Func, PgFunc, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend};
use uuid::Uuid;

use super::TenantTx;

impl TenantTx {
    /// `column IN ids` ([the module's header](self)).
    pub(crate) fn is_in(
        &self,
        column: impl ColumnTrait,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Expr {
        is_in(self.conn().get_database_backend(), column, ids)
    }

    /// `(first, second) IN pairs`: the rows of exactly these pairs, each looked up by its
    /// whole key ([the module's header](self)).
    pub(crate) fn pairs_in(
        &self,
        columns: (impl ColumnTrait, impl ColumnTrait),
        pairs: impl IntoIterator<Item = (Uuid, Uuid)>,
    ) -> Expr {
        pairs_in(self.conn().get_database_backend(), columns, pairs)
    }
}

/// On PostgreSQL `column = ANY($n)`, one `uuid[]` parameter.
#[expect(
    clippy::disallowed_methods,
    reason = "the one IN list of keys, for SQLite"
)]
fn is_in(
    backend: DbBackend,
    column: impl ColumnTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::col(column.as_column_ref())
            .eq(PgFunc::any(Expr::val(ids.into_iter().collect::<Vec<_>>()))),
        _ => column.is_in(ids),
    }
}

/// On PostgreSQL `(first, second) IN (SELECT * FROM unnest($n, $m))`, the pairs as two
/// `uuid[]` parameters: planned as one index probe per pair, where `first = ANY(…) AND second
/// = ANY(…)` would probe every combination of the two lists (PostgreSQL 15 walks their
/// product). SQLite compares row values.
fn pairs_in(
    backend: DbBackend,
    (first, second): (impl ColumnTrait, impl ColumnTrait),
    pairs: impl IntoIterator<Item = (Uuid, Uuid)>,
) -> Expr {
    let key = Expr::tuple([
        Expr::col(first.as_column_ref()),
        Expr::col(second.as_column_ref()),
    ]);
    match backend {
        DbBackend::Postgres => {
            let (firsts, seconds): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
            let mut unnest = Query::select();
            unnest.column(Asterisk).from_function(
                Func::cust("unnest")
                    .arg(Expr::val(firsts))
                    .arg(Expr::val(seconds)),
                "pair",
            );
            key.in_subquery(unnest)
        }
        _ => key.in_tuples(pairs),
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
    use sea_orm::{EntityTrait, QueryFilter, QueryTrait};

    use super::*;
    use crate::entities::diagnostic::{Column, Entity};

    fn ids(n: u128) -> Vec<Uuid> {
        (1..=n).map(Uuid::from_u128).collect()
    }

    /// On PostgreSQL a list of any length is the same statement with one parameter; SQLite
    /// binds one parameter per key. Both carry exactly the keys given.
    #[test]
    fn a_list_is_one_array_parameter_on_postgres_and_an_in_list_on_sqlite() {
        #[expect(clippy::disallowed_methods, reason = "SQL text only, never executed")]
        let select = |backend, n| {
            Entity::find()
                .filter(is_in(backend, Column::CohortId, ids(n)))
                .into_query()
        };
        let (one, values) = select(DbBackend::Postgres, 1).build(PostgresQueryBuilder);
        let (many, many_values) = select(DbBackend::Postgres, 300).build(PostgresQueryBuilder);
        assert_eq!(one, many, "one statement text whatever the length");
        assert!(
            many.ends_with(r#"WHERE "diagnostic"."cohort_id" = ANY($1)"#),
            "{many}"
        );
        assert_eq!(values.0.len(), 1);
        assert_eq!(many_values.0, vec![sea_orm::Value::from(ids(300))]);
        let (empty, _) = select(DbBackend::Postgres, 0).build(PostgresQueryBuilder);
        assert_eq!(empty, one, "an empty list too (it matches nothing)");

        let (sql, values) = select(DbBackend::Sqlite, 3).build(SqliteQueryBuilder);
        assert!(
            sql.ends_with(r#"WHERE "diagnostic"."cohort_id" IN (?, ?, ?)"#),
            "{sql}"
        );
        let expected: Vec<sea_orm::Value> = ids(3).into_iter().map(Into::into).collect();
        assert_eq!(values.0, expected);
    }

    /// Pairs are compared whole: never the combinations of their two lists.
    #[test]
    fn pairs_are_looked_up_whole_on_both_databases() {
        let pairs: Vec<(Uuid, Uuid)> = ids(3).into_iter().zip(ids(6).into_iter().skip(3)).collect();
        #[expect(clippy::disallowed_methods, reason = "SQL text only, never executed")]
        let select = |backend| {
            Entity::find()
                .filter(pairs_in(
                    backend,
                    (Column::CohortId, Column::ParticipantId),
                    pairs.clone(),
                ))
                .into_query()
        };
        let (sql, values) = select(DbBackend::Postgres).build(PostgresQueryBuilder);
        assert!(
            sql.ends_with(
                r#"WHERE ("diagnostic"."cohort_id", "diagnostic"."participant_id") IN (SELECT * FROM unnest($1, $2) AS "pair")"#
            ),
            "{sql}"
        );
        let (firsts, seconds): (Vec<_>, Vec<_>) = pairs.iter().copied().unzip();
        assert_eq!(
            values.0,
            vec![sea_orm::Value::from(firsts), sea_orm::Value::from(seconds)]
        );

        let (sql, values) = select(DbBackend::Sqlite).build(SqliteQueryBuilder);
        assert!(
            sql.ends_with(
                r#"WHERE ("diagnostic"."cohort_id", "diagnostic"."participant_id") IN ((?, ?), (?, ?), (?, ?))"#
            ),
            "{sql}"
        );
        let flat: Vec<sea_orm::Value> = pairs
            .iter()
            .flat_map(|&(a, b)| [a.into(), b.into()])
            .collect();
        assert_eq!(values.0, flat);
    }
}
