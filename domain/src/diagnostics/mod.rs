//! Diagnostics of cohort members: French (FLE), mobility, CléA positioning, DAQ orientation.
//!
//! Rules: the provider running the cohort writes the diagnostic of an enrolled (or dropped-out)
//! member, as a draft until it is final; a final diagnostic no longer changes. CEFR levels go
//! from pre-A1 to C2 for each of the four skills. CléA positioning covers the 7 domains, each
//! acquired (2 points), partly acquired (1) or not acquired (0); the modules to train are the
//! domains not acquired, and the share of points is compared with the tenant's threshold (75%
//! unless steering changed it). Steering and the provider read every diagnostic of the cohort;
//! a referent reads their own participants'.

use std::collections::HashMap;

use crate::cohorts;
use crate::db::Tx;
use crate::error::Result;
use crate::ids::{CohortId, ParticipantId};
use crate::principal::Principal;

mod model;
mod policy;
mod store;
mod write;

pub use model::*;
pub(crate) use store::find;
pub use write::save;

/// Summarise a positioning against `threshold_percent`.
pub fn clea_summary(clea: &[Acquisition], threshold_percent: i32) -> CleaSummary {
    let points: i32 = clea
        .iter()
        .map(|a| match a {
            Acquisition::Acquired => 2,
            Acquisition::PartlyAcquired => 1,
            Acquisition::NotAcquired => 0,
        })
        .sum();
    let max = 2 * CLEA_DOMAINS.len() as i32;
    let share_percent = points * 100 / max;
    CleaSummary {
        share_percent,
        threshold_percent,
        meets_threshold: points * 100 >= threshold_percent * max,
        modules_to_train: clea
            .iter()
            .zip(CLEA_DOMAINS)
            .filter(|(a, _)| **a != Acquisition::Acquired)
            .map(|(_, d)| d)
            .collect(),
    }
}

/// Batch read for dataloaders: the diagnostics of `keys` the principal may read, in the shape
/// `S`, with the tenant's CléA threshold.
pub async fn load_many<S: Shape>(
    tx: &Tx,
    principal: &Principal,
    keys: &[(CohortId, ParticipantId)],
) -> Result<(HashMap<(CohortId, ParticipantId), S>, i32)> {
    let tx = tx.scoped(principal).await?;
    let threshold = crate::tenants::clea_threshold(&tx).await?;
    let rows = store::of_keys::<S>(&tx, keys).await?;
    let readable = cohorts::readable_members(&tx, principal, keys).await?;
    let mut out = HashMap::new();
    for d in rows {
        let key = d.key();
        if readable.contains(&key) {
            out.insert(key, d);
        }
    }
    Ok((out, threshold))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Acquisition::*;

    #[test]
    fn clea_share_on_both_sides_of_the_threshold() {
        // 10 of 14 points = 71%: below 75.
        let below = [
            Acquired,
            Acquired,
            Acquired,
            PartlyAcquired,
            PartlyAcquired,
            Acquired,
            NotAcquired,
        ];
        let s = clea_summary(&below, 75);
        assert_eq!((s.share_percent, s.meets_threshold), (71, false));
        assert_eq!(
            s.modules_to_train,
            vec![
                CleaDomain::RulesAndTeamwork,
                CleaDomain::AutonomousWork,
                CleaDomain::SafetyAndEnvironmentRules
            ]
        );
        // 11 of 14 = 78%: above.
        let above = [
            Acquired,
            Acquired,
            Acquired,
            Acquired,
            PartlyAcquired,
            Acquired,
            NotAcquired,
        ];
        assert!(clea_summary(&above, 75).meets_threshold);
        // 71.4%: meets a 71% threshold, not a 72% one (the edge is inclusive).
        assert!(clea_summary(&below, 71).meets_threshold);
        assert!(!clea_summary(&below, 72).meets_threshold);
        assert!(clea_summary(&[Acquired; 7], 100).meets_threshold);
    }

    /// The stored names read back as serde's derive wrote them, from text and from a parsed
    /// document, and nothing else.
    #[test]
    fn stored_names_read_back_and_others_are_refused() {
        let levels = [
            Cefr::PreA1,
            Cefr::A1_1,
            Cefr::A1,
            Cefr::A2,
            Cefr::B1,
            Cefr::B2,
            Cefr::C1,
            Cefr::C2,
        ];
        let text = serde_json::to_string(&levels).expect("written");
        assert_eq!(text, r#"["PreA1","A1_1","A1","A2","B1","B2","C1","C2"]"#);
        let read: Vec<Cefr> = serde_json::from_str(&text).expect("read");
        assert_eq!(read, levels);
        let value = serde_json::to_value(levels).expect("value");
        assert_eq!(
            serde_json::from_value::<Vec<Cefr>>(value).expect("read"),
            levels
        );

        let positioning = [Acquired, PartlyAcquired, NotAcquired];
        let text = serde_json::to_string(&positioning).expect("written");
        assert_eq!(text, r#"["Acquired","PartlyAcquired","NotAcquired"]"#);
        let read: Vec<Acquisition> = serde_json::from_str(&text).expect("read");
        assert_eq!(read, positioning);
        let value = serde_json::to_value(positioning).expect("value");
        assert_eq!(
            serde_json::from_value::<Vec<Acquisition>>(value).expect("read"),
            positioning
        );
        // An escaped name is the same name.
        assert_eq!(
            serde_json::from_str::<Cefr>(r#""\u0041\u0031""#).expect("read"),
            Cefr::A1
        );

        for refused in [
            r#""acquired""#,
            r#""Acquired ""#,
            r#""""#,
            r#""Acquis""#,
            "0",
            "null",
            "[]",
            r#"{"Acquired":null}"#,
        ] {
            let error = serde_json::from_str::<Acquisition>(refused).expect_err(refused);
            assert!(error.is_data() || error.is_syntax(), "{refused}: {error}");
        }
        let error = serde_json::from_str::<Cefr>(r#""A3""#).expect_err("A3");
        assert!(
            error
                .to_string()
                .starts_with("unknown variant `A3`, expected one of"),
            "{error}"
        );
        assert!(serde_json::from_value::<Cefr>(serde_json::json!("D1")).is_err());
        assert!(serde_json::from_value::<Cefr>(serde_json::json!(3)).is_err());
    }
}
