use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "episode")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    pub kind: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub minutes_per_week: Option<i32>,
    pub participant_agreement: bool,
    pub employer: Option<String>,
    pub created_at: DateTimeUtc,
    pub version: i32,
    /// Why it ended before its planned end, once ended early.
    pub end_reason: Option<String>,
    /// Cancelled as recorded by mistake: out of every rule and list.
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancel_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
