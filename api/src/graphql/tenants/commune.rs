//! The `Commune` object: a commune of a tenant's perimeter.

use async_graphql::{ID, Object};
use parcours_domain::tenants::Commune;

use crate::graphql::ids;

/// A commune of a tenant's perimeter.
pub struct CommuneObj(pub Commune);

#[Object(name = "Commune")]
impl CommuneObj {
    /// Global ID (what `communeId` inputs take).
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Commune", self.0.id.0)
    }
    /// INSEE code, where known (e.g. 21231 for Dijon).
    async fn insee_code(&self) -> Option<&str> {
        self.0.insee_code.as_deref()
    }
    /// Name, e.g. "Chenôve".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Priority neighbourhoods (QPV) of the commune, where known.
    async fn priority_neighbourhoods(&self) -> &[String] {
        &self.0.priority_neighbourhoods
    }
}

impl From<Commune> for CommuneObj {
    fn from(c: Commune) -> Self {
        Self(c)
    }
}
