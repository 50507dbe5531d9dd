//! The `Commune` object: a commune of a tenant's perimeter, whole or as its summary.

use async_graphql::{Context, ID, Lookahead, Object};
use parcours_domain::tenants::{Commune, CommuneSummary};

use crate::graphql::ids;
use crate::graphql::loaders::{CommuneLoader, Loaded};

/// A commune of a tenant's perimeter: read whole, or as its summary (everything but its
/// priority neighbourhoods) when the selection asks no more ([`summary_suffices`]); a summary
/// asked for its priority neighbourhoods all the same reads them through [`CommuneLoader`],
/// one batched statement for the request, never a wrong answer.
pub enum CommuneObj {
    Whole(Commune),
    Summary(CommuneSummary),
}

/// The `Commune` fields a [`CommuneSummary`] answers.
const SERVED_FROM_SUMMARY: &[&str] = &["__typename", "id", "inseeCode", "name"];

/// Whether `selection` (a `commune` field) asks only what the summary answers.
pub(crate) fn summary_suffices(selection: Lookahead<'_>) -> bool {
    crate::graphql::selects_only(&selection, &[SERVED_FROM_SUMMARY])
}

#[Object(name = "Commune")]
impl CommuneObj {
    /// Global ID (what `communeId` inputs take).
    pub(crate) async fn id(&self) -> ID {
        let id = match self {
            Self::Whole(c) => c.id,
            Self::Summary(c) => c.id,
        };
        ids::encode("Commune", id.0)
    }
    /// INSEE code, where known (e.g. 21231 for Dijon).
    async fn insee_code(&self) -> Option<&str> {
        match self {
            Self::Whole(c) => c.insee_code.as_deref(),
            Self::Summary(c) => c.insee_code.as_deref(),
        }
    }
    /// Name, e.g. "Chenôve".
    async fn name(&self) -> &str {
        match self {
            Self::Whole(c) => &c.name,
            Self::Summary(c) => &c.name,
        }
    }
    /// Priority neighbourhoods (QPV) of the commune, where known.
    async fn priority_neighbourhoods(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<String>> {
        Ok(match self {
            Self::Whole(c) => c.priority_neighbourhoods.clone(),
            Self::Summary(c) => ctx
                .data_unchecked::<Loaded<CommuneLoader>>()
                .load_one(c.id)
                .await?
                .map(|whole| whole.priority_neighbourhoods)
                .unwrap_or_default(),
        })
    }
}

impl From<Commune> for CommuneObj {
    fn from(c: Commune) -> Self {
        Self::Whole(c)
    }
}

impl From<CommuneSummary> for CommuneObj {
    fn from(c: CommuneSummary) -> Self {
        Self::Summary(c)
    }
}
