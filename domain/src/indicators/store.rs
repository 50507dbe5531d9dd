//! The two aggregates behind the key figures, in SQL that both backends run: every statement
//! names the transaction's tenant as `$1` (and row-level security filters it on PostgreSQL).

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::model::Period;
use crate::db::TenantTx;
use crate::error::{DomainError, Result};

/// SQL that differs between the backends: date arithmetic, extraction and placeholders.
struct Dialect(DbBackend);

impl Dialect {
    /// Days from `a` to `b`.
    fn days(&self, a: &str, b: &str) -> String {
        match self.0 {
            DbBackend::Postgres => format!("({b} - {a})"),
            _ => format!("CAST(julianday({b}) - julianday({a}) AS INTEGER)"),
        }
    }
    fn least(&self, a: &str, b: &str) -> String {
        match self.0 {
            DbBackend::Postgres => format!("LEAST({a}, {b})"),
            _ => format!("MIN({a}, {b})"),
        }
    }
    fn greatest(&self, a: &str, b: &str) -> String {
        match self.0 {
            DbBackend::Postgres => format!("GREATEST({a}, {b})"),
            _ => format!("MAX({a}, {b})"),
        }
    }
    fn year(&self, d: &str) -> String {
        match self.0 {
            DbBackend::Postgres => format!("CAST(EXTRACT(YEAR FROM {d}) AS INTEGER)"),
            _ => format!("CAST(strftime('%Y', {d}) AS INTEGER)"),
        }
    }
    fn month_day(&self, d: &str) -> String {
        match self.0 {
            DbBackend::Postgres => format!("to_char({d}, 'MM-DD')"),
            _ => format!("strftime('%m-%d', {d})"),
        }
    }
    /// A statement with `$n` placeholders (`?n` on SQLite).
    fn statement(&self, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
        let sql = match self.0 {
            DbBackend::Postgres => sql.to_owned(),
            _ => sql.replace('$', "?"),
        };
        Statement::from_sql_and_values(self.0, sql, values)
    }
}

/// The participants' sums over a period, before any rounding (see the module's definitions).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Sums {
    /// Participants accompanied on at least one day of the period (the flow).
    pub accompanied: i64,
    /// Their accompanied days within the period, summed.
    pub person_days: i64,
    /// Mean age at entry, in years, of the flow.
    pub average_age: Option<f64>,
    pub women: i64,
    pub men: i64,
    pub level_3_or_below: i64,
    pub priority_neighbourhood: i64,
    pub rsa: i64,
    /// Exits dated within the period.
    pub exits: i64,
    /// Of them, positive (and validated by the committee where it must).
    pub positive_exits: i64,
    /// Days from entry to exit, summed over the exits of the period.
    pub path_days: i64,
}

/// `$1` tenant, `$2` from, `$3` to.
fn values(tx: &TenantTx, period: Period) -> Vec<sea_orm::Value> {
    vec![tx.tenant().0.into(), period.from.into(), period.to.into()]
}

/// One statement: the flow of the period and its sums.
#[expect(
    clippy::disallowed_methods,
    reason = "an SQL aggregate; its WHERE names the tenant (and RLS filters it)"
)]
pub(super) async fn participant_sums(tx: &TenantTx, period: Period) -> Result<Sums> {
    let d = Dialect(tx.conn().get_database_backend());
    let overlap = format!(
        "{} + 1",
        d.days(
            &d.greatest("entry_date", "$2"),
            &d.least("COALESCE(exit_date, $3)", "$3")
        )
    );
    let age = format!(
        "{} - COALESCE({}, birth_year) - CASE WHEN birth_date IS NOT NULL AND {} < {} THEN 1 ELSE 0 END",
        d.year("entry_date"),
        d.year("birth_date"),
        d.month_day("entry_date"),
        d.month_day("birth_date"),
    );
    let in_period = "exit_date IS NOT NULL AND exit_date >= $2 AND exit_date <= $3";
    let sql = format!(
        "WITH flow AS (
            SELECT p.gender, p.education_level, p.rsa_beneficiary, p.priority_neighbourhood,
                   p.birth_date, p.birth_year, p.entry_date, e.exit_date, e.positive,
                   e.needs_committee_validation, e.committee_validated_on
            FROM participant p
            LEFT JOIN participant_exit e
                ON e.tenant_id = p.tenant_id AND e.participant_id = p.id
            WHERE p.tenant_id = $1 AND p.status IN ('active', 'exited')
              AND p.entry_date IS NOT NULL AND p.entry_date <= $3
              AND (e.exit_date IS NULL OR e.exit_date >= $2)
        )
        SELECT
            COUNT(*) AS accompanied,
            CAST(COALESCE(SUM({overlap}), 0) AS BIGINT) AS person_days,
            CAST(AVG({age}) AS DOUBLE PRECISION) AS average_age,
            CAST(COALESCE(SUM(CASE WHEN gender = 'woman' THEN 1 ELSE 0 END), 0) AS BIGINT) AS women,
            CAST(COALESCE(SUM(CASE WHEN gender = 'man' THEN 1 ELSE 0 END), 0) AS BIGINT) AS men,
            CAST(COALESCE(SUM(CASE WHEN education_level <= 3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS low_level,
            CAST(COALESCE(SUM(CASE WHEN priority_neighbourhood THEN 1 ELSE 0 END), 0) AS BIGINT) AS qpv,
            CAST(COALESCE(SUM(CASE WHEN rsa_beneficiary THEN 1 ELSE 0 END), 0) AS BIGINT) AS rsa,
            CAST(COALESCE(SUM(CASE WHEN {in_period} THEN 1 ELSE 0 END), 0) AS BIGINT) AS exits,
            CAST(COALESCE(SUM(CASE WHEN {in_period} AND positive
                AND (NOT needs_committee_validation OR committee_validated_on IS NOT NULL)
                THEN 1 ELSE 0 END), 0) AS BIGINT) AS positive_exits,
            CAST(COALESCE(SUM(CASE WHEN {in_period} THEN {path} ELSE 0 END), 0) AS BIGINT) AS path_days
        FROM flow",
        path = d.days("entry_date", "exit_date"),
    );
    let row = tx
        .conn()
        .query_one_raw(d.statement(&sql, values(tx, period)))
        .await?
        .ok_or_else(|| DomainError::Internal("an aggregate returned no row".into()))?;
    let get = |name: &str| -> Result<i64> { Ok(row.try_get::<i64>("", name)?) };
    Ok(Sums {
        accompanied: get("accompanied")?,
        person_days: get("person_days")?,
        average_age: row.try_get::<Option<f64>>("", "average_age")?,
        women: get("women")?,
        men: get("men")?,
        level_3_or_below: get("low_level")?,
        priority_neighbourhood: get("qpv")?,
        rsa: get("rsa")?,
        exits: get("exits")?,
        positive_exits: get("positive_exits")?,
        path_days: get("path_days")?,
    })
}

/// One statement: each convention's amount pro rata of its days within the period, summed, in
/// cents (not rounded).
#[expect(
    clippy::disallowed_methods,
    reason = "an SQL aggregate; its WHERE names the tenant (and RLS filters it)"
)]
pub(super) async fn convention_cents(tx: &TenantTx, period: Period) -> Result<f64> {
    let d = Dialect(tx.conn().get_database_backend());
    let share = d.days(&d.greatest("start_date", "$2"), &d.least("end_date", "$3"));
    let length = d.days("start_date", "end_date");
    let convention_sql = format!(
        "SELECT CAST(COALESCE(SUM(amount_cents * ({share} + 1.0) / ({length} + 1.0)), 0)
                AS DOUBLE PRECISION) AS cents
         FROM convention
         WHERE tenant_id = $1 AND start_date <= $3 AND end_date >= $2"
    );
    let cents = tx
        .conn()
        .query_one_raw(d.statement(&convention_sql, values(tx, period)))
        .await?
        .ok_or_else(|| DomainError::Internal("an aggregate returned no row".into()))?
        .try_get::<f64>("", "cents")?;
    Ok(cents)
}
