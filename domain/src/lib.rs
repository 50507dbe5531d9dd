//! Parcours business rules and persistence.
//!
//! Every service function takes the acting [`Principal`] first and refuses what that principal
//! may not do; every query goes through an area's `store.rs`, which scopes it by the principal's
//! tenant inside a [`db::TenantTx`]. Nothing here knows about HTTP or GraphQL.

pub mod access_log;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod batch;
pub mod calls;
pub mod checks;
pub mod cohorts;
pub mod conventions;
pub mod db;
pub mod demo;
pub mod diagnostics;
mod entities;
pub mod error;
pub mod esf;
pub mod follow_up;
mod idempotency;
pub mod ids;
pub mod indicators;
pub mod money;
pub mod notifications;
pub mod page;
pub mod paris;
pub mod participants;
pub mod principal;
pub mod reports;
pub mod retention;
pub mod staff;
pub mod structures;
pub mod submissions;
pub mod tenants;
pub mod text;

pub use db::{Clock, Db};
pub use error::{DomainError, Result, RuleCode};
pub use principal::{Principal, Role};
