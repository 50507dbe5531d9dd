use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "esf_record")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    pub operation_kind: String,
    pub operation_id: Uuid,
    pub entry_date: Date,
    pub gender: String,
    pub age_band: Option<String>,
    pub isced_band: String,
    pub employment_status: String,
    pub disability: bool,
    pub third_country_national: Option<bool>,
    pub foreign_background: Option<bool>,
    pub minority: Option<bool>,
    pub homeless: Option<bool>,
    pub rural_area: Option<bool>,
    pub exit_date: Option<Date>,
    pub exit_job_searching: Option<bool>,
    pub exit_in_education_or_training: Option<bool>,
    pub exit_qualification_gained: Option<bool>,
    pub exit_in_employment: Option<bool>,
    pub later_in_employment: Option<bool>,
    pub later_improved_situation: Option<bool>,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
