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
    /// A business rule refused the change, with its own stable code (`DEADLINE_PASSED`,
    /// `BUDGET_EXCEEDED`, `RENEWAL_LIMIT`, …).
    #[error("{message}")]
    Rule { code: &'static str, message: String },
    /// The database cannot be reached or is overloaded; retrying later may succeed.
    #[error("service temporarily unavailable")]
    Unavailable(String),
    /// A bug or an unexpected database failure. The message is for logs only.
    #[error("internal error")]
    Internal(String),
}

impl DomainError {
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
        match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Self::Unavailable(err.to_string()),
            _ => {
                let text = err.to_string();
                if text.contains("database is locked") || text.contains("PoolTimedOut") {
                    Self::Unavailable(text)
                } else {
                    Self::Internal(text)
                }
            }
        }
    }
}
