//! Structures of a tenant (`parcours_domain::structures`) as the schema shows them: the
//! `Structure` and its staff, the `structures` list, and steering's mutations that create,
//! rename, deactivate and reactivate one. Rules stay in the domain; resolvers only map.

mod mutations;
mod queries;
mod structure;

pub use mutations::StructureMutation;
pub use queries::StructureQuery;
pub use structure::StructureObj;
