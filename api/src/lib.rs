//! The `parcours` service: configuration, start-up, the router and the CLI commands.
//! `main.rs` parses the command line and calls these; the black-box tests build the same router.
//!
//! **Layers** (no module imports one that imports it back: `tests/it/layout.rs`). From the
//! bottom: configuration, limits, the error table (`errors`), the document guard and the
//! GraphQL schema; the shared `state`; the HTTP pipeline (`http`: negotiation, request,
//! caller, refusal, response); the routes built on it (`attachments`, `exports`, `imports`,
//! `sheets`, `ws`); and `startup`, which assembles the router and runs the jobs.

// Inline objects nest their futures' types (a page of cohorts, their members, each member's
// participant: `graphql::inline`); proving such a future `Send` takes the compiler deeper than
// its default limit of 128.
#![recursion_limit = "256"]

mod attachments;
pub mod auth;
pub mod config;
mod connections;
pub mod errors;
mod exports;
mod graphiql;
pub mod graphql;
pub mod guard;
pub mod http;
mod imports;
pub mod limits;
pub mod metrics;
mod pdf;
mod sheets;
mod startup;
pub mod state;
pub mod telemetry;
mod ws;

pub use startup::{
    StartError, build_router, checked_token, connect_and_migrate, demo, dev_secret, migrate,
    retention, schema_sdl, serve, serve_on, structure_argument, token,
};
