//! The `parcours` service: configuration, start-up, the router and the CLI commands.
//! `main.rs` parses the command line and calls these; the black-box tests build the same router.

mod attachments;
pub mod auth;
pub mod config;
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
pub mod telemetry;
mod ws;

pub use startup::{
    StartError, build_router, checked_token, connect_and_migrate, demo, dev_secret, migrate,
    retention, schema_sdl, serve, serve_on, structure_argument, token,
};
