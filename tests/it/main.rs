//! Black-box tests: the real router on a real database, GraphQL over HTTP with real tokens.

mod access;
mod audit;
mod auth;
mod boundary;
mod callers;
mod calls;
mod cohort_screens;
mod cohorts;
mod demo;
mod esf;
mod faults;
mod follow_up;
mod import;
mod indicators;
mod layout;
mod limits;
mod matrix;
mod metrics;
mod migrations;
mod notifications;
mod participants;
mod production;
mod races;
mod reports;
mod retention;
mod rls;
#[cfg(feature = "s3")]
mod s3;
mod schema;
mod search;
mod shapes;
mod transport;
mod websocket;
mod workloads;
mod writes;
