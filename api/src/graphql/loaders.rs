//! Dataloaders, built per request and bound to the request's principal (hence its tenant).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use parcours_domain::ids::StructureId;
use parcours_domain::structures::{self, Structure};

use super::RequestCtx;
use super::error::to_graphql;

/// Structures by ID, in one query per batch.
pub struct StructureLoader {
    pub(crate) ctx: RequestCtx,
}

impl Loader<StructureId> for StructureLoader {
    type Value = Structure;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[StructureId],
    ) -> Result<HashMap<StructureId, Structure>, Self::Error> {
        structures::load_many(&self.ctx.db, &self.ctx.principal, keys)
            .await
            .map_err(|e| to_graphql(e, &self.ctx.request_id))
    }
}
