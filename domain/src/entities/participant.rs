use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The name key lists are sorted and searched by ([`crate::text::name_key`]); empty once
    /// anonymised, never NULL (`m20261203_000019`).
    pub search_name: String,
    pub birth_date: Option<Date>,
    pub birth_year: Option<i32>,
    pub gender: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub commune_id: Uuid,
    pub long_term_job_seeker: bool,
    pub rsa_beneficiary: bool,
    pub priority_neighbourhood: bool,
    pub education_level: i32,
    pub recognised_disability: bool,
    pub authorised_to_work: bool,
    pub difficulties: Json,
    pub consent_date: Option<Date>,
    pub consent_scope: Option<String>,
    pub referent_id: Uuid,
    pub status: String,
    pub entry_date: Option<Date>,
    pub committee_date: Option<Date>,
    pub refusal_reason: Option<String>,
    pub anonymised_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
