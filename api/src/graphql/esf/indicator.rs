//! One ESF+ common indicator of an operation (`EsfIndicator`), in total and by gender.

use async_graphql::SimpleObject;
use parcours_domain::esf::IndicatorLine;

/// One common indicator of an operation, in total and by gender.
#[derive(SimpleObject)]
#[graphql(name = "EsfIndicator")]
pub struct IndicatorLineGql {
    /// `participants`, `unemployed`, `longTermUnemployed`, `inactive`, `employed`, `under18`,
    /// `aged18To29`, `aged55AndOver`, `isced0To2`, `isced3To4`, `isced5To8`, `disability`,
    /// `thirdCountryNationals`, `foreignBackground`, `minority`, `homeless`, `ruralArea`, and
    /// the result indicators of those who left during the period: `exitJobSearching`,
    /// `exitInEducationOrTraining`, `exitQualificationGained`, `exitInEmployment`,
    /// `laterInEmployment`, `laterImprovedSituation`.
    indicator: String,
    total: i64,
    women: i64,
    men: i64,
    non_binary: i64,
}

impl From<IndicatorLine> for IndicatorLineGql {
    fn from(l: IndicatorLine) -> Self {
        Self {
            indicator: l.indicator.to_owned(),
            total: l.total,
            women: l.women,
            men: l.men,
            non_binary: l.non_binary,
        }
    }
}
