//! A change's claim, its checks' read and its writes sent as one statement on PostgreSQL, where
//! a data-modifying `WITH` runs once and to completion whether or not the statement reads it:
//! `recordAttendance` claims its idempotency key, reads the session and the memberships it
//! checks, upserts its records and writes its audit entry in one round trip. The use case then
//! checks the rows it read, and keeps the change or, on a refusal, drops it and everything is
//! undone with the transaction. SQLite, which has no data-modifying `WITH`, sends the claim
//! and the read, then the writes once the checks passed; the outcome is the same on both.

use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Expr, ExprTrait, InsertStatement, IntoIden, JoinType,
    OnConflict, Query, SelectStatement, SimpleExpr, Value, WithClause,
};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityName, EntityTrait, Iterable, QueryResult,
    QueryTrait,
};

use super::scope::{Action, Change, TenantOwned};
use crate::error::{DomainError, Result};

/// A read a store built, carried by a use case to be sent with another statement.
pub(crate) type Read = SelectStatement;
/// The rows of a [`Read`], decoded by the store that built it.
pub(crate) type Rows = Vec<QueryResult>;

/// The name of the checks' read in the statement's `WITH`, for a [`Guarded`] condition to
/// count its rows.
pub(crate) const READ: &str = "checked";
/// The other names of the statement's `WITH`.
const CLAIMED: &str = "claimed";
const CHANGED: &str = "changed";
/// The extra columns of the PostgreSQL statement's answer, after those of the read.
const FOUND: &str = "parcours_read_found";
const INSERTED: &str = "parcours_inserted";
const WRITTEN: &str = "parcours_written";

/// The read of what a write checks, and the condition its rows must meet for the write to be
/// attempted in the same statement (SQL over the `WITH` named [`READ`]): the rows the checks
/// will accept always meet it, and rows that meet it cannot break a constraint of the
/// written table (a foreign key to a session or a member that the read did not find).
pub(crate) struct Guarded {
    pub(crate) read: Read,
    pub(crate) guard: SimpleExpr,
}

/// A row a change writes: an active model of a tenant-owned entity (its tenant is set by
/// the change).
pub(crate) trait TenantRow: ActiveModelTrait<Entity: TenantOwned> + Send {}

impl<A: ActiveModelTrait<Entity: TenantOwned> + Send> TenantRow for A {}

/// The upsert a use case sends with its claim, and the audit entry of the change.
pub(crate) struct Upsert<A> {
    pub(crate) rows: Vec<A>,
    pub(crate) on_conflict: OnConflict,
    pub(crate) action: Action,
}

/// What [`Change::claim_read_and_upsert`] found.
#[expect(clippy::large_enum_variant, reason = "one per write, matched at once")]
pub(crate) enum Claimed<A> {
    /// The claim was inserted: the rows of the read, decoded by position as the read selects
    /// them, and the writes to keep once they pass the use case's checks.
    New { rows: Rows, writes: Pending<A> },
    /// The claim's key existed: nothing was written, and the change is handed back.
    Taken(Change),
}

/// A change's upsert and audit entry, sent (PostgreSQL) or to send (SQLite): kept by
/// [`Pending::commit`]; dropped, the change is undone.
pub(crate) struct Pending<A> {
    change: Change,
    state: PendingState<A>,
}

enum PendingState<A> {
    Sent { written: u64, expected: u64 },
    ToSend(Upsert<A>),
}

impl<A: TenantRow> Pending<A> {
    /// Keep the change, its upsert and its audit entry written. On PostgreSQL the upsert ran
    /// with the claim: it must have written every row, or the change is undone with an
    /// internal error (its guard and the checks disagreed).
    pub(crate) async fn commit(self) -> Result<()> {
        match self.state {
            PendingState::Sent { written, expected } => {
                if written != expected {
                    return Err(DomainError::Internal(format!(
                        "the guarded upsert wrote {written} rows of {expected}"
                    )));
                }
                self.change.keep().await
            }
            PendingState::ToSend(upsert) => {
                self.change
                    .upsert_many(upsert.rows, upsert.on_conflict)
                    .await?;
                self.change.commit(upsert.action).await
            }
        }
    }
}

impl Change {
    /// Insert `claim` in this tenant unless its key exists (`unless_claimed` must be `DO
    /// NOTHING`) and run `checks.read` (a query of the store, scoped by this tenant); when
    /// the claim was inserted, also upsert `upsert.rows` in this tenant with the audit entry
    /// of `upsert.action`, to keep with [`Pending::commit`] once the read's rows pass the
    /// caller's checks.
    ///
    /// On PostgreSQL one statement:
    ///
    /// ```sql
    /// WITH claimed AS (INSERT … ON CONFLICT DO NOTHING RETURNING 1),
    ///      checked AS (read),
    ///      changed AS (INSERT INTO t (…) SELECT … FROM (VALUES …) v
    ///                  WHERE EXISTS (SELECT 1 FROM claimed) AND guard
    ///                  ON CONFLICT … RETURNING 1),
    ///      audited AS (INSERT INTO audit_entry (…) SELECT …
    ///                  WHERE EXISTS (SELECT 1 FROM changed))
    /// SELECT r.*, … FROM (SELECT 1) one LEFT JOIN checked r ON true
    /// ```
    ///
    /// The left join keeps the answer's one row when the read finds nothing. Its snapshot is
    /// the statement's: when the claim waited for a concurrent transaction holding the same
    /// key, the read does not see what that one committed, and nothing is written: a caller
    /// uses the rows only when the claim was inserted. The guard keeps a write the checks
    /// will refuse from failing first on a constraint; a refused change is undone whole.
    pub(crate) async fn claim_read_and_upsert<K, A>(
        self,
        claim: K,
        unless_claimed: OnConflict,
        checks: Guarded,
        upsert: Upsert<A>,
    ) -> Result<Claimed<A>>
    where
        K: TenantRow,
        A: TenantRow,
    {
        if upsert.rows.is_empty() {
            return Err(DomainError::Internal("an upsert of no rows".into()));
        }
        if self.conn().get_database_backend() != DbBackend::Postgres {
            if self.upsert(claim, unless_claimed).await? == 0 {
                return Ok(Claimed::Taken(self));
            }
            let rows = self.conn().query_all(&checks.read).await?;
            let state = PendingState::ToSend(upsert);
            let writes = Pending {
                change: self,
                state,
            };
            return Ok(Claimed::New { rows, writes });
        }
        self.writes::<K::Entity>();
        self.writes::<A::Entity>();
        let expected = upsert.rows.len() as u64;
        let claimed = self.claim_query(claim, unless_claimed);
        let changed = self.guarded_upsert(upsert.rows, upsert.on_conflict, checks.guard)?;
        let audited = insert_select(
            &[self.audit_row(upsert.action)],
            Expr::cust(format!("EXISTS (SELECT 1 FROM \"{CHANGED}\")")),
        )?;
        let mut read = checks.read;
        read.expr_as(Expr::cust("TRUE"), Alias::new(FOUND));
        // The builders are filled in place and moved, never copied with `to_owned()`: a copy
        // of the `WITH` and of each of its queries was an eighth of W3's instructions.
        let mut one = Query::select();
        one.expr(Expr::cust("1"));
        let mut with = WithClause::new();
        with.cte(cte(CLAIMED, claimed))
            .cte(cte(READ, read))
            .cte(cte(CHANGED, changed))
            .cte(cte("audited", audited));
        let mut statement = Query::select();
        statement
            .column((Alias::new("r"), Asterisk))
            .expr_as(count_of(CLAIMED), Alias::new(INSERTED))
            .expr_as(count_of(CHANGED), Alias::new(WRITTEN))
            .from_subquery(one, Alias::new("one"))
            .join_as(
                JoinType::LeftJoin,
                Alias::new(READ),
                Alias::new("r"),
                Expr::cust("TRUE"),
            )
            .with_cte(with);
        let rows = self.conn().query_all(&statement).await?;
        let (inserted, written) = match rows.first() {
            Some(row) => (
                row.try_get_by::<i64, _>(INSERTED)? > 0,
                row.try_get_by::<i64, _>(WRITTEN)?,
            ),
            None => (false, 0),
        };
        if !inserted {
            return Ok(Claimed::Taken(self));
        }
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            if row.try_get_by::<Option<bool>, _>(FOUND)?.unwrap_or(false) {
                found.push(row);
            }
        }
        let state = PendingState::Sent {
            written: u64::try_from(written).unwrap_or_default(),
            expected,
        };
        Ok(Claimed::New {
            rows: found,
            writes: Pending {
                change: self,
                state,
            },
        })
    }

    /// `INSERT claim … ON CONFLICT DO NOTHING RETURNING 1`, in this tenant.
    fn claim_query<K: TenantRow>(&self, claim: K, unless_claimed: OnConflict) -> InsertStatement {
        let rows: Vec<K> = self.in_tenant([claim]).collect();
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        let mut insert = K::Entity::insert_many(rows)
            .on_conflict(unless_claimed)
            .into_query();
        // Constants in the text, not bound parameters: the planner folds them.
        insert.returning(Query::returning().expr(Expr::cust("1")));
        insert
    }

    /// `INSERT INTO t (…) SELECT … FROM (VALUES …) WHERE <claimed> AND guard ON CONFLICT …
    /// RETURNING 1`, the rows in this tenant.
    fn guarded_upsert<A: TenantRow>(
        &self,
        rows: Vec<A>,
        on_conflict: OnConflict,
        guard: SimpleExpr,
    ) -> Result<InsertStatement> {
        let rows: Vec<A> = self.in_tenant(rows).collect();
        let claimed = Expr::cust(format!("EXISTS (SELECT 1 FROM \"{CLAIMED}\")"));
        let mut upsert = insert_select(&rows, claimed.and(guard))?;
        upsert
            .on_conflict(on_conflict)
            .returning(Query::returning().expr(Expr::cust("1")));
        Ok(upsert)
    }
}

/// `INSERT INTO t (columns) SELECT v.column1, … FROM (VALUES (…), …) v WHERE condition`: the
/// columns set in the first row, each row's values bound as parameters of their own type
/// (the entity's `save_as` casts are not applied: its columns must take their values as
/// they are). Built here, the one scoped entry point, from rows already in the change's
/// tenant.
fn insert_select<A: ActiveModelTrait>(
    rows: &[A],
    condition: SimpleExpr,
) -> Result<InsertStatement> {
    let Some(first) = rows.first() else {
        return Err(DomainError::Internal("an insert of no rows".into()));
    };
    let columns: Vec<<A::Entity as EntityTrait>::Column> =
        <A::Entity as EntityTrait>::Column::iter()
            .filter(|c| !first.get(*c).is_not_set())
            .collect();
    let mut values = Vec::with_capacity(rows.len());
    for row in rows {
        let mut tuple: Vec<Value> = Vec::with_capacity(columns.len());
        for column in &columns {
            let Some(value) = row.get(*column).into_value() else {
                return Err(DomainError::Internal(
                    "the rows of one insert set the same columns".into(),
                ));
            };
            tuple.push(value);
        }
        values.push(sea_orm::sea_query::ValueTuple::Many(tuple));
    }
    let v = Alias::new("v");
    let mut select = Query::select();
    for i in 1..=columns.len() {
        select.column((v.clone(), Alias::new(format!("column{i}"))));
    }
    select.from_values(values, v.clone()).and_where(condition);
    let mut insert = Query::insert();
    insert
        .into_table(A::Entity::default().table_ref())
        .columns(columns.iter().map(|c| c.into_iden()))
        .select_from(select)
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok(insert)
}

/// `(SELECT count(*) FROM "name")`.
fn count_of(name: &str) -> SimpleExpr {
    Expr::cust(format!("(SELECT count(*) FROM \"{name}\")"))
}

/// `name AS (query)` in a `WITH`.
fn cte(
    name: &str,
    query: impl Into<sea_orm::sea_query::SubQueryStatement>,
) -> CommonTableExpression {
    let mut cte = CommonTableExpression::new();
    cte.query(query).table_name(Alias::new(name));
    cte
}
