//! Dataloaders, built per request and bound to the request's principal (hence its tenant).
//! Each batches the keys of one execution tick into one domain batch read.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use parcours_domain::ids::{CommuneId, ParticipantId, StaffId, StructureId};
use parcours_domain::participants::{self, Episode, Exit, PathStep};
use parcours_domain::staff::{self, StaffMember};
use parcours_domain::structures::{self, Structure};
use parcours_domain::tenants::{self, Commune};
use parcours_domain::{DomainError, Result};

use super::RequestCtx;
use super::error::to_graphql;

macro_rules! loader {
    ($(#[$doc:meta])* $name:ident: $key:ty => $value:ty, $read:path) => {
        $(#[$doc])*
        pub struct $name {
            pub(crate) ctx: RequestCtx,
        }

        impl Loader<$key> for $name {
            type Value = $value;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, Self::Error> {
                let read: Result<HashMap<$key, $value>, DomainError> =
                    $read(&self.ctx.db, &self.ctx.principal, keys).await;
                read.map_err(|e| to_graphql(e, &self.ctx.request_id))
            }
        }
    };
}

loader!(
    /// Structures by ID.
    StructureLoader: StructureId => Structure, structures::load_many
);
loader!(
    /// Staff members (referents) by ID.
    StaffLoader: StaffId => StaffMember, staff::load_many
);
loader!(
    /// Communes by ID.
    CommuneLoader: CommuneId => Commune, tenants::load_communes
);
loader!(
    /// The path steps of each participant.
    PathStepsLoader: ParticipantId => Vec<PathStep>, participants::path_steps_of
);
loader!(
    /// The episodes of each participant.
    EpisodesLoader: ParticipantId => Vec<Episode>, participants::episodes_of
);
loader!(
    /// The exit of each participant.
    ExitLoader: ParticipantId => Exit, participants::exits_of
);
