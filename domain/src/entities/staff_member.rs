use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subject: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub structure_id: Uuid,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter)]
pub enum Relation {
    /// The structure the staff member works for (same tenant).
    Structure,
}

impl RelationTrait for Relation {
    fn def(&self) -> RelationDef {
        match self {
            Self::Structure => Entity::belongs_to(super::structure::Entity)
                .from((Column::TenantId, Column::StructureId))
                .to((
                    super::structure::Column::TenantId,
                    super::structure::Column::Id,
                ))
                .into(),
        }
    }
}

impl ActiveModelBehavior for ActiveModel {}
