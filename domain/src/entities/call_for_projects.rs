use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call_for_projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub reference: String,
    pub title: String,
    pub summary: String,
    pub specification: String,
    pub budget_cap_cents: i64,
    pub target_participants_per_year: i32,
    pub group_size_min: i32,
    pub group_size_max: i32,
    pub cadence_weeks: i32,
    pub opens_at: DateTimeUtc,
    pub deadline_at: DateTimeUtc,
    pub expected_start: Option<Date>,
    pub questions: Json,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    /// The action's part-time frame: at most this many half-days a week (1 to 9).
    pub max_half_days_per_week: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
