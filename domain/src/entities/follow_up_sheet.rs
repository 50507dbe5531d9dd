use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_up_sheet")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    pub id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub cohort_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub participant_id: Uuid,
    pub status: String,
    pub sessions_planned: i32,
    pub sessions_present: i32,
    pub sessions_late: i32,
    pub sessions_excused: i32,
    pub sessions_absent: i32,
    pub recommendations: String,
    pub written_by: String,
    pub updated_at: DateTimeUtc,
    pub transmitted_at: Option<DateTimeUtc>,
    pub transmitted_by: Option<String>,
    pub referent_read_at: Option<DateTimeUtc>,
    pub steering_read_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
