//! Parcours business rules and persistence.
//!
//! Every service function takes the acting [`Principal`] first and refuses what that principal
//! may not do; every query goes through an area's `store.rs`, which scopes it by the principal's
//! tenant inside a [`db::TenantTx`]. Nothing here knows about HTTP or GraphQL.
//!
//! **Layers.** No area imports another that imports it back, even through others
//! (`tests/it/layout.rs` fails on a cycle). From the bottom:
//! 1. vocabulary and values: [`error`], [`ids`], [`text`], [`paris`], [`money`], [`page`],
//!    [`principal`], [`batch`], [`membership`], the entities;
//! 2. the transaction layer, [`db`]: transactions, tenant scoping, each change's audit entry,
//!    the notification `db::bus` a commit publishes on, and the start-up [`checks`] of its
//!    isolation walls; beside it, `idempotency`, which the areas' retried writes use;
//! 3. the areas, each above those it uses: [`audit`], [`access_log`], [`notifications`] and
//!    [`indicators`] use no other area; [`tenants`] above [`staff`] above
//!    [`structures`]; [`participants`] below [`cohorts`], which is below [`diagnostics`],
//!    [`follow_up`], [`reports`] and [`esf`]; [`attachments`] below [`submissions`] below
//!    [`conventions`]; [`auth`] above [`tenants`] and [`staff`];
//! 4. what acts on many areas: the scheduled [`jobs`] and the [`demo`].

/// An enum stored as text: `as_str` gives the stored code, `parse` reads it back (`None` for a
/// code this version does not know).
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            /// The stored (and exported) code.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub(crate) fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

pub mod access_log;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod batch;
pub mod calls;
pub use db::checks;
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
pub mod jobs;
pub mod membership;
pub mod money;
pub mod notifications;
pub mod page;
pub mod paris;
pub mod participants;
pub mod principal;
pub mod reports;
pub mod staff;
pub mod structures;
pub mod submissions;
pub mod tenants;
pub mod text;

pub use db::{Clock, Db};
pub use error::{DomainError, Result, RuleCode};
pub use principal::{Principal, Role};
