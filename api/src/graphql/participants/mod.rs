//! The participants area (`parcours_domain::participants`) as the schema shows it: the
//! `Participant` and what hangs off it — its path (`PathStep`), its episodes (`Episode`), its
//! exit (`Exit`, `ExitAssessment`) — with the `participants` and `participant` queries and the
//! mutations of each. Authorization and rules stay in the domain; resolvers only map.

use async_graphql::{ID, MergedObject};
use parcours_domain::DomainError;
use parcours_domain::ids::ParticipantId;

use crate::graphql::ids;

/// A GraphQL enum that mirrors a domain enum variant for variant, with both conversions.
macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident => $domain:path { $($(#[$vdoc:meta])* $variant:ident),* $(,)? }) => {
        #[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
        $(#[$doc])*
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl From<$domain> for $name {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$variant => Self::$variant),* }
            }
        }

        impl From<$name> for $domain {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => Self::$variant),* }
            }
        }
    };
}

mod episodes;
mod exit;
mod mutations;
mod participant;
mod path;
mod queries;

pub use episodes::EpisodeObj;
use exit::{ExitAssessment, ExitObj};
pub use participant::{EducationLevel, Gender, ParticipantObj, ParticipantStatus};
pub(crate) use participant::{ParticipantShape, shape_of};
pub use path::PathStepObj;
pub use queries::ParticipantQuery;

pub(crate) fn participant_id(id: &ID) -> Result<ParticipantId, DomainError> {
    ids::decode(id, "Participant", "participant").map(ParticipantId)
}

/// The participants' mutations, in the order the schema lists them.
#[derive(MergedObject, Default)]
pub struct ParticipantMutation(
    mutations::ParticipantRecordMutation,
    path::PathStepMutation,
    episodes::EpisodeMutation,
    exit::ExitMutation,
);
