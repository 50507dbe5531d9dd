//! Refusals: a request turned away before (or instead of) execution, with its status, its
//! stable code and the headers that go with it (`Retry-After`). Written as a response by
//! `response::error_response`; the codes come from the one table (`crate::errors`).

use axum::http::StatusCode;
use parcours_domain::DomainError;

use crate::errors;

/// `Retry-After` (seconds) of a 503 `UNAVAILABLE`.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 2;

/// A refusal before execution: the one HTTP refusal type.
pub(crate) struct Refusal {
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) message: String,
    /// The offending input, for `VALIDATION`.
    pub(super) field: Option<String>,
    /// Seconds to wait, for `RATE_LIMITED` and `UNAVAILABLE`.
    pub(super) retry_after: Option<u64>,
}

impl Refusal {
    /// The stable code (`UNAUTHENTICATED`, `RATE_LIMITED`, …).
    pub(crate) fn code(&self) -> &'static str {
        self.code
    }

    /// The message for the client.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// A domain error on a plain HTTP route: its status, code, message and field from the one
    /// table (`crate::errors`).
    pub(crate) fn from_domain(err: DomainError, request_id: &str) -> Self {
        Refusal {
            field: errors::field_of(&err).map(str::to_owned),
            ..refuse(
                errors::status_of(&err),
                errors::code_of(&err),
                errors::client_message(&err, request_id),
            )
        }
        .with_retry_after_if_unavailable()
    }

    /// The same refusal, with `Retry-After` when it is a 503 (the database is unavailable).
    pub(crate) fn with_retry_after_if_unavailable(mut self) -> Self {
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            self.retry_after = Some(UNAVAILABLE_RETRY_AFTER);
        }
        self
    }
}

pub(crate) fn refuse(
    status: StatusCode,
    code: &'static str,
    message: impl Into<String>,
) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
        field: None,
        retry_after: None,
    }
}

/// The 503 of a request that met an unavailable database before executing.
pub(crate) fn unavailable(request_id: &str) -> Refusal {
    let mut refusal = refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        errors::UNAVAILABLE,
        format!("service temporarily unavailable; request id {request_id}"),
    );
    refusal.retry_after = Some(UNAVAILABLE_RETRY_AFTER);
    refusal
}
