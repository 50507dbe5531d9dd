//! Key figures for steering (definitions in `parcours_domain::indicators`) as the schema shows
//! them: the `KeyFigures` of a period and the `indicators` query.

mod key_figures;
mod queries;

pub use key_figures::PeriodInput;
pub use queries::IndicatorQuery;
