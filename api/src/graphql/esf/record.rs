//! The `EsfRecord` object: a participant's ESF+ record in one operation, with the bands it
//! reports and what it still misses today.

use async_graphql::{Context, Enum, ID, Object};
use chrono::NaiveDate;
use parcours_domain::esf::{AgeBand, EmploymentStatus, EsfRecord, IscedBand, Operation};

use crate::graphql::participants::ParticipantObj;
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, ids, req};

/// Labour-market status at entry.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "EsfEmploymentStatus")]
pub enum EmploymentStatusGql {
    Unemployed,
    LongTermUnemployed,
    /// Neither employed nor looking for work.
    Inactive,
    /// Including self-employed.
    Employed,
}

/// Age band at entry.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "EsfAgeBand")]
pub enum AgeBandGql {
    Under18,
    From18To29,
    From30To54,
    From55,
}

/// ISCED band of the highest education level (from the French level: 1–2 → 0–2, 3–4 → 3–4,
/// 5–8 → 5–8).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "EsfIscedBand")]
pub enum IscedBandGql {
    Isced0To2,
    Isced3To4,
    Isced5To8,
}

/// A participant's ESF+ record in one operation.
pub struct EsfRecordObj(pub(super) EsfRecord, pub(super) NaiveDate);

impl EsfRecordObj {
    /// The record as read today (its completeness depends on the day).
    pub(crate) fn read(ctx: &Context<'_>, record: EsfRecord) -> Self {
        Self(record, today(ctx))
    }
}

#[Object(name = "EsfRecord")]
impl EsfRecordObj {
    /// Global ID.
    pub async fn id(&self) -> ID {
        ids::encode("EsfRecord", self.0.id.0)
    }
    async fn participant(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ParticipantObj>> {
        crate::graphql::loaders::participant(ctx, self.0.participant_id).await
    }
    /// The convention's ID, or the tenant's ID for the PLIE's accompaniment.
    async fn operation_id(&self, ctx: &Context<'_>) -> async_graphql::Result<ID> {
        Ok(match self.0.operation {
            Operation::Convention(c) => ids::encode("Convention", c.0),
            Operation::Plie => ids::encode("Tenant", req(ctx).principal.tenant_id().gql(ctx)?.0),
        })
    }
    async fn entry_date(&self) -> Date {
        Date(self.0.entry_date)
    }
    /// Kept from the first entry.
    async fn employment_status(&self) -> EmploymentStatusGql {
        match self.0.employment_status {
            EmploymentStatus::Unemployed => EmploymentStatusGql::Unemployed,
            EmploymentStatus::LongTermUnemployed => EmploymentStatusGql::LongTermUnemployed,
            EmploymentStatus::Inactive => EmploymentStatusGql::Inactive,
            EmploymentStatus::Employed => EmploymentStatusGql::Employed,
        }
    }
    /// At entry; null when the birth date and year are unknown.
    async fn age_band(&self) -> Option<AgeBandGql> {
        self.0.age_band.map(|a| match a {
            AgeBand::Under18 => AgeBandGql::Under18,
            AgeBand::From18To29 => AgeBandGql::From18To29,
            AgeBand::From30To54 => AgeBandGql::From30To54,
            AgeBand::From55 => AgeBandGql::From55,
        })
    }
    async fn isced_band(&self) -> IscedBandGql {
        match self.0.isced_band {
            IscedBand::Isced0To2 => IscedBandGql::Isced0To2,
            IscedBand::Isced3To4 => IscedBandGql::Isced3To4,
            IscedBand::Isced5To8 => IscedBandGql::Isced5To8,
        }
    }
    /// Recognised disability at entry: a sensitive read, recorded in the access log.
    async fn disability(&self, ctx: &Context<'_>) -> bool {
        crate::graphql::access::note(
            ctx,
            self.0.participant_id,
            parcours_domain::access_log::SensitiveField::RecognisedDisability,
        );
        self.0.disability
    }
    async fn third_country_national(&self) -> Option<bool> {
        self.0.entry.third_country_national
    }
    async fn foreign_background(&self) -> Option<bool> {
        self.0.entry.foreign_background
    }
    /// Optional and sensitive: null when not asked or declined.
    async fn minority(&self) -> Option<bool> {
        self.0.entry.minority
    }
    /// Homelessness or housing exclusion.
    async fn homeless(&self) -> Option<bool> {
        self.0.entry.homeless
    }
    async fn rural_area(&self) -> Option<bool> {
        self.0.entry.rural_area
    }
    async fn exit_date(&self) -> Option<Date> {
        self.0.exit.map(|x| Date(x.date))
    }
    async fn exit_job_searching(&self) -> Option<bool> {
        self.0.exit.and_then(|x| x.job_searching)
    }
    async fn exit_in_education_or_training(&self) -> Option<bool> {
        self.0.exit.and_then(|x| x.in_education_or_training)
    }
    async fn exit_qualification_gained(&self) -> Option<bool> {
        self.0.exit.and_then(|x| x.qualification_gained)
    }
    /// Including self-employment.
    async fn exit_in_employment(&self) -> Option<bool> {
        self.0.exit.and_then(|x| x.in_employment)
    }
    /// Six months after the exit.
    async fn later_in_employment(&self) -> Option<bool> {
        self.0.later.in_employment
    }
    /// Six months after the exit.
    async fn later_improved_situation(&self) -> Option<bool> {
        self.0.later.improved_situation
    }
    /// The items still missing today (field names of this type).
    async fn missing_items(&self) -> Vec<&'static str> {
        self.0.missing(self.1)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub(super) fn today(ctx: &Context<'_>) -> NaiveDate {
    parcours_domain::paris::wall_clock(req(ctx).tx.now()).date()
}
