//! The quantitative part of a report (`ReportQuantities`), counted from the records of the
//! convention's cohorts, with its counts per level and per CléA domain.

use async_graphql::{Object, SimpleObject};
use parcours_domain::reports::Quantities;

/// A count per level or domain.
#[derive(SimpleObject)]
#[graphql(name = "KeyCount")]
pub struct Count {
    key: String,
    count: i64,
}

/// How many final diagnostics have a CléA domain to train.
#[derive(SimpleObject)]
pub struct CleaDomainCount {
    domain: crate::graphql::diagnostics::CleaDomain,
    count: i64,
}

/// The quantitative part of a report, from the records of the convention's cohorts.
pub struct QuantitiesObj(pub(super) Quantities);

#[Object(name = "ReportQuantities")]
impl QuantitiesObj {
    async fn cohorts(&self) -> i64 {
        self.0.cohorts
    }
    /// Every prescription, whatever became of it.
    async fn prescribed(&self) -> i64 {
        self.0.prescribed
    }
    /// Enrolled, including those who dropped out later.
    async fn enrolled(&self) -> i64 {
        self.0.enrolled
    }
    async fn declined(&self) -> i64 {
        self.0.declined
    }
    async fn dropped_out(&self) -> i64 {
        self.0.dropped_out
    }
    /// Still enrolled when their cohort closed.
    async fn completed(&self) -> i64 {
        self.0.completed
    }
    async fn attendance_records(&self) -> i64 {
        self.0.attendance_records
    }
    /// Present or late.
    async fn attended(&self) -> i64 {
        self.0.attended
    }
    /// `attended` over `attendanceRecords`, in percent, one decimal.
    async fn attendance_rate_percent(&self) -> Option<f64> {
        self.0.attendance_rate_percent()
    }
    async fn diagnostics_final(&self) -> i64 {
        self.0.diagnostics_final
    }
    async fn fle_training_needed(&self) -> i64 {
        self.0.fle_training_needed
    }
    /// Final diagnostics by their lowest CEFR level over the four skills (`pre-A1`, `A1.1`…).
    async fn fle_lowest_levels(&self) -> Vec<Count> {
        self.0
            .fle_lowest_levels
            .iter()
            .map(|(key, count)| Count {
                key: key.clone(),
                count: *count,
            })
            .collect()
    }
    /// Final diagnostics meeting the tenant's CléA threshold.
    async fn clea_meeting_threshold(&self) -> i64 {
        self.0.clea_meeting_threshold
    }
    /// For each CléA domain (all 7, in the certificate's order), how many have it to train.
    async fn clea_modules_to_train(&self) -> Vec<CleaDomainCount> {
        parcours_domain::diagnostics::CLEA_DOMAINS
            .iter()
            .zip(&self.0.clea_modules_to_train)
            .map(|(domain, count)| CleaDomainCount {
                domain: (*domain).into(),
                count: *count,
            })
            .collect()
    }
    async fn daq_orientations(&self) -> i64 {
        self.0.daq_orientations
    }
    async fn mobility_platform_referrals(&self) -> i64 {
        self.0.mobility_platform_referrals
    }
    /// Exits recorded for the enrolled participants.
    async fn exits(&self) -> i64 {
        self.0.exits
    }
    async fn positive_exits(&self) -> i64 {
        self.0.positive_exits
    }
}
