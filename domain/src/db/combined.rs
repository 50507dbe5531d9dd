//! Two statements of a change sent as one on PostgreSQL, where a data-modifying `WITH` runs
//! once and to completion whether or not the statement reads it: one round trip fewer on the
//! hot writes (`recordAttendance`: the idempotency key with the session check, the upsert
//! with its audit entry). SQLite, which has no data-modifying `WITH`, sends the two in turn;
//! the outcome is the same on both.

use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Expr, JoinType, OnConflict, Query, SelectStatement,
    WithClause,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, QueryResult, QueryTrait};

use super::scope::{Action, Change, TenantOwned};
use crate::error::Result;

/// A read a store built, carried by a use case to be sent with another statement.
pub(crate) type Read = SelectStatement;
/// The rows of a [`Read`], decoded by the store that built it.
pub(crate) type Rows = Vec<QueryResult>;

/// The extra columns of [`Change::insert_if_new_and_read`]'s PostgreSQL statement, after
/// those of the read.
const FOUND: &str = "parcours_read_found";
const INSERTED: &str = "parcours_inserted";
/// The claiming insert's name in the statement's `WITH`.
const CLAIMED: &str = "claimed";

impl Change {
    /// Insert `row` in this tenant unless its key exists (`on_conflict` must be `DO
    /// NOTHING`), then run `read` (a query of the store, scoped by this tenant): whether the
    /// row was inserted, and `read`'s rows, decoded by position as `read` selects them.
    ///
    /// On PostgreSQL one statement: `WITH claimed AS (INSERT … ON CONFLICT DO NOTHING
    /// RETURNING 1) SELECT r.*, (SELECT count(*) FROM claimed) FROM (SELECT 1) LEFT JOIN
    /// (read) r ON true`; the left join keeps the answer's one row when `read` finds nothing.
    /// Its snapshot is the statement's: when the insert waited for a concurrent transaction
    /// holding the same key, `read` does not see what that one committed, so a caller uses
    /// the rows only when the row was inserted.
    pub(crate) async fn insert_if_new_and_read<A>(
        &self,
        row: A,
        on_conflict: OnConflict,
        read: Read,
    ) -> Result<(bool, Rows)>
    where
        A: ActiveModelTrait + Send,
        A::Entity: TenantOwned,
    {
        if self.conn().get_database_backend() != DbBackend::Postgres {
            let inserted = self.upsert(row, on_conflict).await? > 0;
            return Ok((inserted, self.conn().query_all(&read).await?));
        }
        let rows: Vec<A> = self.in_tenant([row]).collect();
        self.writes::<A::Entity>();
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        let mut insert = A::Entity::insert_many(rows)
            .on_conflict(on_conflict)
            .into_query();
        // Constants in the text, not bound parameters: the planner folds them.
        insert.returning(Query::returning().expr(Expr::cust("1")));
        let mut read = read;
        read.expr_as(Expr::cust("TRUE"), Alias::new(FOUND));
        let mut statement = Query::select();
        statement
            .column((Alias::new("r"), Asterisk))
            .expr_as(
                Expr::cust(format!("(SELECT count(*) FROM \"{CLAIMED}\")")),
                Alias::new(INSERTED),
            )
            .from_subquery(
                Query::select().expr(Expr::cust("1")).to_owned(),
                Alias::new("one"),
            )
            .join_subquery(
                JoinType::LeftJoin,
                read,
                Alias::new("r"),
                Expr::cust("TRUE"),
            )
            .with_cte(
                WithClause::new()
                    .cte(
                        CommonTableExpression::new()
                            .query(insert)
                            .table_name(Alias::new(CLAIMED))
                            .to_owned(),
                    )
                    .to_owned(),
            );
        let rows = self.conn().query_all(&statement).await?;
        let inserted = match rows.first() {
            Some(row) => row.try_get_by::<i64, _>(INSERTED)? > 0,
            None => false,
        };
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            if row.try_get_by::<Option<bool>, _>(FOUND)?.unwrap_or(false) {
                found.push(row);
            }
        }
        Ok((inserted, found))
    }

    /// Upsert `rows` as [`Change::upsert_many`] does, then keep the change with the audit
    /// entry of `action`, as [`Change::commit`] does. On PostgreSQL both writes are one
    /// statement, `WITH change AS (INSERT … ON CONFLICT …) INSERT INTO audit_entry …` (a
    /// data-modifying `WITH` runs to completion whether or not it is read): one round trip
    /// fewer for a change whose last write is an upsert, and still nothing kept unaudited (the
    /// statement fails or succeeds whole). SQLite has no data-modifying `WITH`: two statements.
    pub(crate) async fn upsert_many_and_commit<A>(
        self,
        rows: impl IntoIterator<Item = A>,
        on_conflict: OnConflict,
        action: Action,
    ) -> Result<()>
    where
        A: ActiveModelTrait + Send,
        A::Entity: TenantOwned,
    {
        let rows: Vec<A> = rows.into_iter().collect();
        if rows.is_empty() {
            return self.commit(action).await;
        }
        if self.conn().get_database_backend() != DbBackend::Postgres {
            self.upsert_many(rows, on_conflict).await?;
            return self.commit(action).await;
        }
        let rows = self.in_tenant(rows);
        self.writes::<A::Entity>();
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        let upsert = A::Entity::insert_many(rows)
            .on_conflict(on_conflict)
            .into_query();
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        let mut audited =
            crate::entities::audit_entry::Entity::insert(self.audit_row(action)).into_query();
        audited.with_cte(
            WithClause::new()
                .cte(
                    CommonTableExpression::new()
                        .query(upsert)
                        .table_name("change")
                        .to_owned(),
                )
                .to_owned(),
        );
        self.conn().execute(&audited).await?;
        self.keep().await
    }
}
