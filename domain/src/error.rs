//! The domain's error type. The api maps each variant to one stable `extensions.code`.

use sea_orm::{DbErr, SqlErr};

/// Result of a domain call.
pub type Result<T, E = DomainError> = std::result::Result<T, E>;

/// Everything a domain call can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The credentials do not identify an active principal.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// The principal is known but may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such object for this principal (also: it belongs to another tenant).
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// An input field is invalid.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// The change collides with the current state (stale version, duplicate key).
    #[error("{0}")]
    Conflict(String),
    /// A business rule refused the change; [`RuleCode`] names the rule.
    #[error("{message}")]
    Rule { code: RuleCode, message: String },
    /// The database cannot be reached or is overloaded; retrying later may succeed.
    #[error("service temporarily unavailable")]
    Unavailable(String),
    /// A bug or an unexpected database failure. The message is for logs only.
    #[error("internal error")]
    Internal(String),
}

/// Declares [`RuleCode`] with its list and its codes from one table, so none can be left out.
macro_rules! rule_codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $code:literal,)*) => {
        /// The business rules a refusal can name. Each is answered as its own stable
        /// `extensions.code` ([`RuleCode::as_str`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum RuleCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl RuleCode {
            /// Every rule code, for the tables that list them.
            pub const ALL: &[RuleCode] = &[$(Self::$variant),*];

            /// The stable code a client reads in `extensions.code`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }
        }
    };
}

rule_codes! {
    /// A call's answer asks for more than the call's budget allows.
    BudgetExceeded => "BUDGET_EXCEEDED",
    /// A call's deadline has passed.
    DeadlinePassed => "DEADLINE_PASSED",
    /// A convention has had its two extensions already.
    RenewalLimit => "RENEWAL_LIMIT",
    /// A cohort has no seat left.
    CapacityReached => "CAPACITY_REACHED",
    /// A follow-up sheet needs the member's diagnostic to be final.
    DiagnosticNotFinal => "DIAGNOSTIC_NOT_FINAL",
    /// A participant with the same name and birth date exists (`allowDuplicate` overrides).
    PossibleDuplicate => "POSSIBLE_DUPLICATE",
    /// A file's content is not of the type it declares.
    ContentTypeMismatch => "CONTENT_TYPE_MISMATCH",
    /// A file's type is not one the service keeps.
    UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
    /// A file or an import is over its bound.
    PayloadTooLarge => "PAYLOAD_TOO_LARGE",
    /// A subscription fell behind and some notifications were dropped.
    NotificationsMissed => "NOTIFICATIONS_MISSED",
}

impl std::fmt::Display for RuleCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DomainError {
    /// A refusal by the business rule `code`.
    pub fn rule(code: RuleCode, message: impl Into<String>) -> Self {
        Self::Rule {
            code,
            message: message.into(),
        }
    }

    /// A validation error on `field`.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A stale `version` on an update.
    pub fn stale(entity: &str) -> Self {
        Self::Conflict(format!(
            "{entity} was changed by someone else; reload it and try again"
        ))
    }
}

impl From<DbErr> for DomainError {
    fn from(err: DbErr) -> Self {
        // Constraint errors are answered generically: the driver's text names constraints and
        // values, and a tenant-blind message could tell one tenant about another's data.
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                return Self::Conflict("a record with the same unique value already exists".into());
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return Self::Conflict("the change refers to a record that does not exist".into());
            }
            _ => {}
        }
        if is_transient(&err) {
            Self::Unavailable(err.to_string())
        } else {
            Self::Internal(err.to_string())
        }
    }
}

/// Whether a database error is a passing condition that a retry may overcome: the pool is
/// exhausted, the connection was lost or refused, the server is shutting down or starting,
/// a statement ran past its timeout, a lock was not granted in time. Such errors are answered
/// `UNAVAILABLE` (503), never as an internal error.
fn is_transient(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            is_transient_sqlx(e)
        }
        _ => {
            let text = err.to_string();
            text.contains("database is locked") || text.contains("PoolTimedOut")
        }
    }
}

fn is_transient_sqlx(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match err {
        Error::Io(_)
        | Error::Tls(_)
        | Error::Protocol(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed
        | Error::BeginFailed => true,
        Error::Database(db) => db.code().is_some_and(|code| transient_code(&code)),
        _ => false,
    }
}

/// Whether a connection taken from the pool turned out to be closed by the server or the
/// network (an I/O error, or the server's notice that it terminated the session: `08xxx`,
/// `57P01`, `57P02`), so that the first message sent on it failed before anything began.
pub(crate) fn lost_connection(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match err {
        Error::Io(_) => true,
        Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || matches!(&*code, "57P01" | "57P02")),
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs (always five characters) and SQLite extended result codes (numbers
/// below 10,000) of passing conditions.
fn transient_code(code: &str) -> bool {
    if code.len() == 5 {
        // PostgreSQL: connection exceptions (08), insufficient resources (53, e.g. too many
        // connections), admin or crash shutdown and "starting up" (57P01-57P03), statement
        // timeout or cancel (57014), lock not available (55P03), serialization failure and
        // deadlock (40001, 40P01: the transaction was rolled back whole and can be retried).
        return code.starts_with("08")
            || code.starts_with("53")
            || matches!(
                code,
                "57P01" | "57P02" | "57P03" | "57014" | "55P03" | "40001" | "40P01"
            );
    }
    // SQLite: SQLITE_BUSY (5) or SQLITE_LOCKED (6) and their extended codes: "database is
    // locked".
    code.parse::<i32>()
        .is_ok_and(|extended| matches!(extended & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};

    use super::{DomainError, RuleCode, transient_code};

    #[test]
    fn each_rule_code_is_its_variant_in_screaming_snake_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for &code in RuleCode::ALL {
            let mut expected = String::new();
            for (i, c) in format!("{code:?}").chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    expected.push('_');
                }
                expected.push(c.to_ascii_uppercase());
            }
            assert_eq!(code.as_str(), expected);
            assert!(seen.insert(code), "{code} listed twice");
        }
    }

    fn sqlx(err: sea_orm::sqlx::Error) -> RuntimeErr {
        RuntimeErr::SqlxError(Arc::new(err))
    }

    #[test]
    fn only_a_closed_connection_is_begun_again_on_another() {
        use sea_orm::sqlx::Error;
        let closed = Error::Io(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "broken pipe",
        ));
        assert!(super::lost_connection(&closed));
        for other in [
            Error::PoolTimedOut,
            Error::PoolClosed,
            Error::Protocol("unexpected message".into()),
            Error::RowNotFound,
        ] {
            assert!(!super::lost_connection(&other), "{other}");
        }
    }

    #[test]
    fn lost_connections_and_timeouts_are_unavailable_other_failures_internal() {
        let broken = || {
            sea_orm::sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed",
            ))
        };
        let unavailable = [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::Conn(sqlx(broken())),
            DbErr::Exec(sqlx(broken())),
            DbErr::Query(sqlx(broken())),
            DbErr::Query(sqlx(sea_orm::sqlx::Error::PoolTimedOut)),
            DbErr::Exec(sqlx(sea_orm::sqlx::Error::Protocol(
                "unexpected message".into(),
            ))),
        ];
        for err in unavailable {
            let text = err.to_string();
            assert!(
                matches!(DomainError::from(err), DomainError::Unavailable(_)),
                "{text}"
            );
        }
        let internal = [
            DbErr::Query(sqlx(sea_orm::sqlx::Error::ColumnNotFound("x".into()))),
            DbErr::Type("bad".into()),
            DbErr::RecordNotFound("x".into()),
        ];
        for err in internal {
            let text = err.to_string();
            assert!(
                matches!(DomainError::from(err), DomainError::Internal(_)),
                "{text}"
            );
        }
    }

    #[test]
    fn passing_conditions_are_recognised_by_their_codes() {
        for code in [
            "08006", "08001", "53300", "57P01", "57P02", "57P03", "57014", "55P03",
        ] {
            assert!(transient_code(code), "{code} is transient");
        }
        for code in ["5", "6", "261", "517", "773", "262"] {
            assert!(transient_code(code), "SQLite {code} is busy or locked");
        }
        for code in ["23505", "23503", "42P01", "22001", "1", "19", "2067"] {
            assert!(!transient_code(code), "{code} is not transient");
        }
    }
}
