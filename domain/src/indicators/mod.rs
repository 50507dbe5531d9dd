//! Key figures of a tenant over a period, for steering and its committee — computed by SQL
//! aggregates, never by loading participants into memory.
//!
//! Definitions, for a period `[from, to]` (both days included, `D` days long):
//! - A participant is *accompanied on day d* when their entry was validated (status active or
//!   exited; refused and candidate participants never count), their entry date is on or before
//!   d, and they have no exit or exited on or after d. Anonymised participants keep these dates
//!   and still count.
//! - **accompanied** (flow): participants accompanied on at least one day of the period.
//! - **average accompanied** (stock): the mean over the period's days of the number accompanied
//!   that day, i.e. the sum of each participant's accompanied days within the period over `D`.
//! - **average age**: mean age in whole years at the entry date, of the flow (a participant
//!   whose birth date was erased counts with their birth year).
//! - **women / men**: gender as recorded, in percent of the flow (non-binary people are in the
//!   flow and in neither share).
//! - **level 3 or below**: education level 1 to 3 of the 2019 nomenclature (CAP/BEP or below),
//!   in percent of the flow.
//! - **priority neighbourhoods**, **RSA**: the flags as recorded, in percent of the flow.
//! - **exits**: exits dated within the period; **positive exit rate**: positive exits (those
//!   that need the committee count once it validated them) in percent of those exits.
//! - **average path length**: mean of (exit date − entry date) in months of 365.25 / 12 days,
//!   over the exits of the period.
//! - **convention amounts**: each convention's amount pro rata of its days within the period
//!   (amount × days in the period / days of the convention); **average cost per participant**:
//!   that sum over the flow.
//!
//! Percentages and means are rounded to one decimal; money to the cent.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::db::{TenantTx, Tx};
use crate::error::{DomainError, Result};
use crate::money::Money;
use crate::principal::{Principal, Role};

/// A period of days, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// A period of at least one day and at most ten years.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        if to < from {
            return Err(DomainError::validation(
                "period.to",
                "must be on or after period.from",
            ));
        }
        if (to - from).num_days() > 3_660 {
            return Err(DomainError::validation(
                "period.to",
                "a period is at most ten years",
            ));
        }
        Ok(Self { from, to })
    }

    /// Its number of days.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// The key figures of a period (see the module's definitions).
#[derive(Clone, Debug, PartialEq)]
pub struct KeyFigures {
    pub period: Period,
    pub accompanied: i64,
    pub average_accompanied: f64,
    pub average_age: Option<f64>,
    pub women: i64,
    pub men: i64,
    pub level_3_or_below: i64,
    pub priority_neighbourhood: i64,
    pub rsa: i64,
    pub exits: i64,
    pub positive_exits: i64,
    pub average_path_months: Option<f64>,
    pub convention_amounts: Money,
}

impl KeyFigures {
    /// `part` in percent of the flow, one decimal; `None` for an empty flow.
    pub fn share(&self, part: i64) -> Option<f64> {
        percent(part, self.accompanied)
    }

    /// Positive exits in percent of the exits.
    pub fn positive_exit_rate(&self) -> Option<f64> {
        percent(self.positive_exits, self.exits)
    }

    /// Convention amounts over the flow.
    pub fn average_cost_per_participant(&self) -> Option<Money> {
        if self.accompanied == 0 {
            return None;
        }
        let cents = self.convention_amounts.cents();
        // Rounded half up to the cent.
        Money::from_cents((2 * cents + self.accompanied) / (2 * self.accompanied)).ok()
    }
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round1(part as f64 * 100.0 / whole as f64))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

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

/// The key figures of the principal's tenant over `period` (steering only).
pub async fn key_figures(tx: &Tx, principal: &Principal, period: Period) -> Result<KeyFigures> {
    principal.require(&[Role::Steering], "key figures are for steering")?;
    let tx = tx.scoped(principal).await?;
    let figures = compute(&tx, period).await?;
    Ok(figures)
}

#[expect(
    clippy::disallowed_methods,
    reason = "two SQL aggregates; their WHERE names the tenant (and RLS filters them)"
)]
async fn compute(tx: &TenantTx, period: Period) -> Result<KeyFigures> {
    let d = Dialect(tx.conn().get_database_backend());
    // $1 tenant, $2 from, $3 to: every statement of this module is scoped by $1.
    let values = || -> Vec<sea_orm::Value> {
        vec![tx.tenant().0.into(), period.from.into(), period.to.into()]
    };
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
        .query_one_raw(d.statement(&sql, values()))
        .await?
        .ok_or_else(|| DomainError::Internal("an aggregate returned no row".into()))?;
    let get = |name: &str| -> Result<i64> { Ok(row.try_get::<i64>("", name)?) };
    let accompanied = get("accompanied")?;
    let exits = get("exits")?;
    let share = d.days(&d.greatest("start_date", "$2"), &d.least("end_date", "$3"));
    let length = d.days("start_date", "end_date");
    let convention_sql = format!(
        "SELECT CAST(COALESCE(SUM(amount_cents * ({share} + 1.0) / ({length} + 1.0)), 0)
                AS DOUBLE PRECISION) AS cents
         FROM convention
         WHERE tenant_id = $1 AND start_date <= $3 AND end_date >= $2"
    );
    let amounts = tx
        .conn()
        .query_one_raw(d.statement(&convention_sql, values()))
        .await?
        .ok_or_else(|| DomainError::Internal("an aggregate returned no row".into()))?
        .try_get::<f64>("", "cents")?;
    Ok(KeyFigures {
        period,
        accompanied,
        average_accompanied: round1(get("person_days")? as f64 / period.days() as f64),
        average_age: row.try_get::<Option<f64>>("", "average_age")?.map(round1),
        women: get("women")?,
        men: get("men")?,
        level_3_or_below: get("low_level")?,
        priority_neighbourhood: get("qpv")?,
        rsa: get("rsa")?,
        exits,
        positive_exits: get("positive_exits")?,
        average_path_months: (exits > 0)
            .then(|| round1(get("path_days").unwrap_or(0) as f64 / exits as f64 / (365.25 / 12.0))),
        convention_amounts: Money::from_cents(amounts.round() as i64)?,
    })
}
