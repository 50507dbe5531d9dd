//! The positive-exit rule engine: pure, no I/O, every rule of DESIGN.md §5.
//!
//! An exit is positive when one of these rules matches the participant's recorded episodes on
//! the assessment date (the exit date, or today for a preview):
//!
//! | rule | matches when |
//! |---|---|
//! | `PERMANENT_CONTRACT` | a CDI started at least 6 calendar months before the date and still running, at least half-time (17.5 h a week) — less only with the participant's agreement |
//! | `TEMPORARY_AGENCY_WORK` | temporary agency missions totalling at least 183 days within a 365-day window |
//! | `FIXED_TERM_CONTRACTS` | one or several CDD totalling at least 183 days within a 365-day window; a CDD under 17.5 h a week counts only with the participant's agreement |
//! | `QUALIFYING_TRAINING` | a qualifying training started on or before the date |
//! | `BUSINESS_CREATION` | a business created or taken over at least 6 calendar months before the date (the post-creation follow-up) |
//! | `SUBSIDISED_CONTRACT` | a subsidised contract planned for more than 6 calendar months (work-integration worksites excluded) |
//! | `SENIOR_INTEGRATION_WORKSITE` | a participant aged 55 or more on the date, in a work-integration worksite for at least 6 calendar months, once the validation committee agrees (case by case) |
//!
//! "6 months" for a single contract is calendar months (a CDI from 1 March counts from 1
//! September); totals over several contracts are counted in days, 6 months = 183 days, 12 months
//! = 365 days, both bounds of an episode inclusive and episodes cut at the assessment date.
//! Rules are tried in the order above; the first that matches is the answer.

use chrono::{Months, NaiveDate};

use crate::ids::EpisodeId;

/// Half-time: 17.5 hours a week, in minutes.
pub const HALF_TIME_MINUTES: i32 = 17 * 60 + 30;
/// A cumulated "6 months", in days.
pub const SIX_MONTHS_DAYS: i64 = 183;
/// The sliding window of cumulated durations, in days.
pub const WINDOW_DAYS: i64 = 365;
/// Age from which the integration-worksite exception applies.
pub const SENIOR_AGE: u32 = 55;

/// Kind of employment contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContractKind {
    Permanent,
    FixedTerm,
    TemporaryAgency,
    Subsidised,
    IntegrationWorksite,
}

/// Kind of training.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrainingKind {
    Qualifying,
    Other,
}

/// What an episode is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EpisodeKind {
    Employment(ContractKind),
    Training(TrainingKind),
    BusinessCreation,
}

/// An employment, training or business-creation episode, as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpisodeFacts {
    pub id: EpisodeId,
    pub kind: EpisodeKind,
    pub start: NaiveDate,
    /// Planned or actual end; `None` while open-ended (a CDI).
    pub end: Option<NaiveDate>,
    /// Weekly working time in minutes, when known.
    pub minutes_per_week: Option<i32>,
    /// The participant agreed to a working time under half-time.
    pub participant_agreement: bool,
}

/// The positive-exit rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PositiveRule {
    PermanentContract,
    TemporaryAgencyWork,
    FixedTermContracts,
    QualifyingTraining,
    BusinessCreation,
    SubsidisedContract,
    SeniorIntegrationWorksite,
}

/// What matched and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub episodes: Vec<EpisodeId>,
    /// Days counted (for cumulated rules) or days in the job.
    pub days: i64,
    pub window_start: Option<NaiveDate>,
    pub window_end: Option<NaiveDate>,
}

/// The answer of the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub positive: bool,
    pub rule: Option<PositiveRule>,
    pub evidence: Option<Evidence>,
    /// The senior worksite exception would apply once the committee agrees.
    pub needs_committee_validation: bool,
    /// Why each rule that was close did not match (empty when one matched).
    pub reasons: Vec<String>,
}

/// The facts about the participant the rules need.
#[derive(Clone, Copy, Debug)]
pub struct ExitFacts {
    pub assessed_on: NaiveDate,
    pub birth_date: Option<NaiveDate>,
    pub committee_validated: bool,
}

/// Assess `episodes` on `facts.assessed_on`.
pub fn assess(episodes: &[EpisodeFacts], facts: &ExitFacts) -> Assessment {
    let on = facts.assessed_on;
    // Only what had started by the assessment date counts.
    let started: Vec<&EpisodeFacts> = episodes.iter().filter(|e| e.start <= on).collect();
    let mut reasons = Vec::new();
    let mut needs_committee = false;

    let of_contract = |kind: ContractKind| {
        started
            .iter()
            .copied()
            .filter(move |e| e.kind == EpisodeKind::Employment(kind))
    };

    // Permanent contract, 6 months in the company, at least half-time or agreed.
    for e in of_contract(ContractKind::Permanent) {
        let running = e.end.is_none_or(|end| end >= on);
        let six_months = six_months_after(e.start).is_some_and(|d| d <= on);
        let time_ok = half_time_or_agreed(e);
        if running && six_months && time_ok {
            return matched(
                PositiveRule::PermanentContract,
                vec![e.id],
                days(e.start, on),
                None,
            );
        }
        reasons.push(format!(
            "permanent contract from {}: {}",
            e.start,
            [
                (!running).then_some("ended before the date"),
                (!six_months).then_some("less than 6 months in the company"),
                (!time_ok).then_some("under half-time without the participant's agreement"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
        ));
    }

    let temporary: Vec<&EpisodeFacts> = of_contract(ContractKind::TemporaryAgency).collect();
    if let Some(evidence) = cumulated(&temporary, on) {
        return with_evidence(PositiveRule::TemporaryAgencyWork, evidence);
    }
    if !temporary.is_empty() {
        reasons.push(format!(
            "temporary agency work: less than {SIX_MONTHS_DAYS} days within {WINDOW_DAYS}"
        ));
    }

    let fixed_term: Vec<&EpisodeFacts> = of_contract(ContractKind::FixedTerm)
        .filter(|e| half_time_or_agreed(e))
        .collect();
    if let Some(evidence) = cumulated(&fixed_term, on) {
        return with_evidence(PositiveRule::FixedTermContracts, evidence);
    }
    if of_contract(ContractKind::FixedTerm).next().is_some() {
        reasons.push(format!(
            "fixed-term contracts: less than {SIX_MONTHS_DAYS} days within {WINDOW_DAYS} \
             (contracts under 17.5 h a week count only with the participant's agreement)"
        ));
    }

    if let Some(e) = started
        .iter()
        .find(|e| e.kind == EpisodeKind::Training(TrainingKind::Qualifying))
    {
        return matched(
            PositiveRule::QualifyingTraining,
            vec![e.id],
            days(e.start, on),
            None,
        );
    }

    for e in started
        .iter()
        .filter(|e| e.kind == EpisodeKind::BusinessCreation)
    {
        if six_months_after(e.start).is_some_and(|d| d <= on) {
            return matched(
                PositiveRule::BusinessCreation,
                vec![e.id],
                days(e.start, on),
                None,
            );
        }
        reasons.push(format!(
            "business created on {}: less than 6 months of follow-up",
            e.start
        ));
    }

    for e in of_contract(ContractKind::Subsidised) {
        let longer = match (e.end, six_months_after(e.start)) {
            (None, _) => true,
            (Some(end), Some(six)) => end > six,
            (Some(_), None) => false,
        };
        if longer {
            let until = e.end.map_or(on, |end| end.min(on));
            return matched(
                PositiveRule::SubsidisedContract,
                vec![e.id],
                days(e.start, until),
                None,
            );
        }
        reasons.push(format!(
            "subsidised contract from {}: not more than 6 months",
            e.start
        ));
    }

    let senior = facts
        .birth_date
        .and_then(|b| on.years_since(b))
        .is_some_and(|age| age >= SENIOR_AGE);
    for e in of_contract(ContractKind::IntegrationWorksite) {
        let six_months = six_months_after(e.start).is_some_and(|d| d <= on)
            && e.end
                .is_none_or(|end| six_months_after(e.start).is_some_and(|d| end >= d));
        if senior && six_months {
            if facts.committee_validated {
                return matched(
                    PositiveRule::SeniorIntegrationWorksite,
                    vec![e.id],
                    days(e.start, e.end.map_or(on, |end| end.min(on))),
                    None,
                );
            }
            needs_committee = true;
            reasons.push(
                "work-integration worksite of a participant aged 55 or more: positive once the \
                 validation committee agrees"
                    .into(),
            );
        } else {
            reasons.push(format!(
                "work-integration worksite from {}: excluded{}",
                e.start,
                if senior {
                    " (less than 6 months in the job)"
                } else {
                    " (the exception is for participants aged 55 or more)"
                }
            ));
        }
    }

    if reasons.is_empty() {
        reasons.push("no employment, training or business creation recorded".into());
    }
    Assessment {
        positive: false,
        rule: None,
        evidence: None,
        needs_committee_validation: needs_committee,
        reasons,
    }
}

fn six_months_after(date: NaiveDate) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(6))
}

fn half_time_or_agreed(e: &EpisodeFacts) -> bool {
    e.participant_agreement || e.minutes_per_week.is_none_or(|m| m >= HALF_TIME_MINUTES)
}

/// Days from `start` to `end`, both inclusive.
fn days(start: NaiveDate, end: NaiveDate) -> i64 {
    (end - start).num_days() + 1
}

fn matched(
    rule: PositiveRule,
    episodes: Vec<EpisodeId>,
    days: i64,
    window: Option<(NaiveDate, NaiveDate)>,
) -> Assessment {
    with_evidence(
        rule,
        Evidence {
            episodes,
            days,
            window_start: window.map(|w| w.0),
            window_end: window.map(|w| w.1),
        },
    )
}

fn with_evidence(rule: PositiveRule, evidence: Evidence) -> Assessment {
    Assessment {
        positive: true,
        rule: Some(rule),
        evidence: Some(evidence),
        needs_committee_validation: false,
        reasons: Vec::new(),
    }
}

/// The best 365-day window (ending on an episode's last counted day) in which `episodes` total
/// at least 183 days, if any. Overlapping episodes count each day once.
fn cumulated(episodes: &[&EpisodeFacts], on: NaiveDate) -> Option<Evidence> {
    let spans: Vec<(NaiveDate, NaiveDate, EpisodeId)> = episodes
        .iter()
        .map(|e| (e.start, e.end.map_or(on, |end| end.min(on)), e.id))
        .filter(|(s, e, _)| s <= e)
        .collect();
    let mut best: Option<Evidence> = None;
    for &(_, window_end, _) in &spans {
        let window_start = window_end - chrono::Duration::days(WINDOW_DAYS - 1);
        let mut clipped: Vec<(NaiveDate, NaiveDate, EpisodeId)> = spans
            .iter()
            .filter(|(s, e, _)| *e >= window_start && *s <= window_end)
            .map(|&(s, e, id)| (s.max(window_start), e.min(window_end), id))
            .collect();
        clipped.sort();
        let (mut total, mut cursor) = (0i64, None::<NaiveDate>);
        for &(s, e, _) in &clipped {
            let from = match cursor {
                Some(c) if c >= s => c + chrono::Duration::days(1),
                _ => s,
            };
            if from <= e {
                total += days(from, e);
            }
            cursor = Some(cursor.map_or(e, |c| c.max(e)));
        }
        if total >= SIX_MONTHS_DAYS && best.as_ref().is_none_or(|b| total > b.days) {
            best = Some(Evidence {
                episodes: clipped.iter().map(|c| c.2).collect(),
                days: total,
                window_start: Some(window_start),
                window_end: Some(window_end),
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn ep(
        kind: EpisodeKind,
        start: &str,
        end: Option<&str>,
        hours: Option<f32>,
        agreed: bool,
    ) -> EpisodeFacts {
        EpisodeFacts {
            id: EpisodeId(Uuid::now_v7()),
            kind,
            start: d(start),
            end: end.map(d),
            minutes_per_week: hours.map(|h| (h * 60.0) as i32),
            participant_agreement: agreed,
        }
    }

    fn facts(on: &str) -> ExitFacts {
        ExitFacts {
            assessed_on: d(on),
            birth_date: Some(d("1980-01-01")),
            committee_validated: false,
        }
    }

    use ContractKind::*;
    use EpisodeKind::*;

    /// (case, episodes, facts, expected rule or None)
    fn cases() -> Vec<(
        &'static str,
        Vec<EpisodeFacts>,
        ExitFacts,
        Option<PositiveRule>,
    )> {
        let senior = |on: &str, validated: bool| ExitFacts {
            assessed_on: d(on),
            birth_date: Some(d("1965-01-01")),
            committee_validated: validated,
        };
        vec![
            (
                "CDI half-time, 6 months minus one day",
                vec![ep(
                    Employment(Permanent),
                    "2024-03-01",
                    None,
                    Some(17.5),
                    false,
                )],
                facts("2024-08-31"),
                None,
            ),
            (
                "CDI half-time, exactly 6 months",
                vec![ep(
                    Employment(Permanent),
                    "2024-03-01",
                    None,
                    Some(17.5),
                    false,
                )],
                facts("2024-09-01"),
                Some(PositiveRule::PermanentContract),
            ),
            (
                "CDI under half-time without agreement",
                vec![ep(
                    Employment(Permanent),
                    "2024-01-01",
                    None,
                    Some(17.0),
                    false,
                )],
                facts("2024-09-01"),
                None,
            ),
            (
                "CDI under half-time with agreement",
                vec![ep(
                    Employment(Permanent),
                    "2024-01-01",
                    None,
                    Some(17.0),
                    true,
                )],
                facts("2024-09-01"),
                Some(PositiveRule::PermanentContract),
            ),
            (
                "CDI ended before the date",
                vec![ep(
                    Employment(Permanent),
                    "2024-01-01",
                    Some("2024-08-01"),
                    Some(35.0),
                    false,
                )],
                facts("2024-09-01"),
                None,
            ),
            (
                "temporary work: 6 months in 12 out of three missions",
                vec![
                    ep(
                        Employment(TemporaryAgency),
                        "2024-01-01",
                        Some("2024-02-29"),
                        None,
                        false,
                    ),
                    ep(
                        Employment(TemporaryAgency),
                        "2024-04-01",
                        Some("2024-05-31"),
                        None,
                        false,
                    ),
                    ep(
                        Employment(TemporaryAgency),
                        "2024-08-01",
                        Some("2024-10-01"),
                        None,
                        false,
                    ),
                ],
                facts("2024-12-01"),
                Some(PositiveRule::TemporaryAgencyWork),
            ),
            (
                "temporary work: 6 months spread over 13",
                vec![
                    ep(
                        Employment(TemporaryAgency),
                        "2024-01-01",
                        Some("2024-03-31"),
                        None,
                        false,
                    ),
                    ep(
                        Employment(TemporaryAgency),
                        "2024-11-01",
                        Some("2025-01-31"),
                        None,
                        false,
                    ),
                ],
                facts("2025-03-01"),
                None,
            ),
            (
                "temporary work: 182 days in 12 months",
                vec![ep(
                    Employment(TemporaryAgency),
                    "2024-01-01",
                    Some("2024-06-30"),
                    None,
                    false,
                )],
                facts("2024-12-01"),
                None,
            ),
            (
                "temporary work: 183 days in 12 months",
                vec![ep(
                    Employment(TemporaryAgency),
                    "2024-01-01",
                    Some("2024-07-01"),
                    None,
                    false,
                )],
                facts("2024-12-01"),
                Some(PositiveRule::TemporaryAgencyWork),
            ),
            (
                "CDD at 17.5 h",
                vec![ep(
                    Employment(FixedTerm),
                    "2024-01-01",
                    Some("2024-07-31"),
                    Some(17.5),
                    false,
                )],
                facts("2024-09-01"),
                Some(PositiveRule::FixedTermContracts),
            ),
            (
                "CDD at 17 h without agreement",
                vec![ep(
                    Employment(FixedTerm),
                    "2024-01-01",
                    Some("2024-07-31"),
                    Some(17.0),
                    false,
                )],
                facts("2024-09-01"),
                None,
            ),
            (
                "CDD at 17 h with agreement",
                vec![ep(
                    Employment(FixedTerm),
                    "2024-01-01",
                    Some("2024-07-31"),
                    Some(17.0),
                    true,
                )],
                facts("2024-09-01"),
                Some(PositiveRule::FixedTermContracts),
            ),
            (
                "worksite contract, under 55: excluded",
                vec![ep(
                    Employment(IntegrationWorksite),
                    "2024-01-01",
                    Some("2024-12-31"),
                    Some(26.0),
                    false,
                )],
                facts("2024-09-01"),
                None,
            ),
            (
                "55+ worksite, 6 months, no committee",
                vec![ep(
                    Employment(IntegrationWorksite),
                    "2024-01-01",
                    None,
                    Some(26.0),
                    false,
                )],
                senior("2024-09-01", false),
                None,
            ),
            (
                "55+ worksite, 6 months, committee agreed",
                vec![ep(
                    Employment(IntegrationWorksite),
                    "2024-01-01",
                    None,
                    Some(26.0),
                    false,
                )],
                senior("2024-09-01", true),
                Some(PositiveRule::SeniorIntegrationWorksite),
            ),
            (
                "55+ worksite, 5 months, committee agreed",
                vec![ep(
                    Employment(IntegrationWorksite),
                    "2024-04-01",
                    None,
                    Some(26.0),
                    false,
                )],
                senior("2024-09-01", true),
                None,
            ),
            (
                "business creation, 6 months of follow-up",
                vec![ep(BusinessCreation, "2024-03-01", None, None, false)],
                facts("2024-09-01"),
                Some(PositiveRule::BusinessCreation),
            ),
            (
                "business creation, 5 months of follow-up",
                vec![ep(BusinessCreation, "2024-04-01", None, None, false)],
                facts("2024-09-01"),
                None,
            ),
            (
                "qualifying training",
                vec![ep(
                    Training(TrainingKind::Qualifying),
                    "2024-08-01",
                    Some("2025-06-30"),
                    None,
                    false,
                )],
                facts("2024-09-01"),
                Some(PositiveRule::QualifyingTraining),
            ),
            (
                "other training",
                vec![ep(
                    Training(TrainingKind::Other),
                    "2024-08-01",
                    Some("2025-06-30"),
                    None,
                    false,
                )],
                facts("2024-09-01"),
                None,
            ),
            (
                "subsidised contract of exactly 6 months",
                vec![ep(
                    Employment(Subsidised),
                    "2024-01-01",
                    Some("2024-07-01"),
                    Some(20.0),
                    false,
                )],
                facts("2024-09-01"),
                None,
            ),
            (
                "subsidised contract of 6 months and a day",
                vec![ep(
                    Employment(Subsidised),
                    "2024-01-01",
                    Some("2024-07-02"),
                    Some(20.0),
                    false,
                )],
                facts("2024-09-01"),
                Some(PositiveRule::SubsidisedContract),
            ),
            (
                "a contract that starts after the date does not count",
                vec![ep(
                    Employment(Permanent),
                    "2025-01-01",
                    None,
                    Some(35.0),
                    false,
                )],
                facts("2024-09-01"),
                None,
            ),
            ("nothing recorded", vec![], facts("2024-09-01"), None),
        ]
    }

    #[test]
    fn every_rule_on_both_sides_of_its_edge() {
        for (case, episodes, facts, expected) in cases() {
            let assessment = assess(&episodes, &facts);
            assert_eq!(assessment.rule, expected, "{case}: {assessment:?}");
            assert_eq!(assessment.positive, expected.is_some(), "{case}");
            if expected.is_none() {
                assert!(!assessment.reasons.is_empty(), "{case}: a refusal says why");
            } else {
                let evidence = assessment.evidence.expect("evidence");
                assert!(
                    !evidence.episodes.is_empty(),
                    "{case}: evidence names episodes"
                );
            }
        }
    }

    #[test]
    fn cumulated_evidence_names_the_window_and_counts_overlaps_once() {
        let a = ep(
            Employment(TemporaryAgency),
            "2024-01-01",
            Some("2024-04-30"),
            None,
            false,
        );
        let b = ep(
            Employment(TemporaryAgency),
            "2024-04-01",
            Some("2024-07-31"),
            None,
            false,
        );
        let assessment = assess(&[a.clone(), b.clone()], &facts("2024-12-01"));
        let evidence = assessment.evidence.expect("positive");
        assert_eq!(evidence.days, 213, "1 January to 31 July, April once");
        assert_eq!(evidence.window_end, Some(d("2024-07-31")));
        assert_eq!(evidence.window_start, Some(d("2023-08-02")));
        assert_eq!(evidence.episodes, vec![a.id, b.id]);
    }

    #[test]
    fn the_senior_exception_asks_for_the_committee() {
        let e = ep(
            Employment(IntegrationWorksite),
            "2024-01-01",
            None,
            Some(26.0),
            false,
        );
        let f = ExitFacts {
            assessed_on: d("2024-09-01"),
            birth_date: Some(d("1969-08-31")),
            committee_validated: false,
        };
        let assessment = assess(&[e], &f);
        assert!(!assessment.positive);
        assert!(
            assessment.needs_committee_validation,
            "55 on the day before"
        );
    }
}
