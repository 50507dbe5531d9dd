//! The scheduled jobs: they sit above every area they act on, and no area calls them. The
//! service runs each on its own timer (`api/src/startup/jobs.rs`); each opens its own transactions,
//! one per tenant, with a system principal.

pub mod reminders;
pub mod retention;

pub use reminders::remind_overdue_reports;
