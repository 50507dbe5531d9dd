//! The rule table of the positive-exit engine: each rule on both sides of its edge.

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
            facts("2024-08-30"),
            None,
        ),
        (
            "CDI half-time, 6 months: 1 March to 31 August",
            vec![ep(
                Employment(Permanent),
                "2024-03-01",
                None,
                Some(17.5),
                false,
            )],
            facts("2024-08-31"),
            Some(PositiveRule::PermanentContract),
        ),
        (
            "CDI from 31 August: not yet on 27 February",
            vec![ep(
                Employment(Permanent),
                "2025-08-31",
                None,
                Some(35.0),
                false,
            )],
            facts("2026-02-27"),
            None,
        ),
        (
            "CDI from 31 August: 6 months with February's last day",
            vec![ep(
                Employment(Permanent),
                "2025-08-31",
                None,
                Some(35.0),
                false,
            )],
            facts("2026-02-28"),
            Some(PositiveRule::PermanentContract),
        ),
        (
            "CDI from 31 August, leap year: not yet on 28 February",
            vec![ep(
                Employment(Permanent),
                "2023-08-31",
                None,
                Some(35.0),
                false,
            )],
            facts("2024-02-28"),
            None,
        ),
        (
            "CDI from 31 August, leap year: 6 months on 29 February",
            vec![ep(
                Employment(Permanent),
                "2023-08-31",
                None,
                Some(35.0),
                false,
            )],
            facts("2024-02-29"),
            Some(PositiveRule::PermanentContract),
        ),
        (
            "CDI from 29 February: not yet on 27 August",
            vec![ep(
                Employment(Permanent),
                "2024-02-29",
                None,
                Some(35.0),
                false,
            )],
            facts("2024-08-27"),
            None,
        ),
        (
            "CDI from 29 February: 6 months on 28 August",
            vec![ep(
                Employment(Permanent),
                "2024-02-29",
                None,
                Some(35.0),
                false,
            )],
            facts("2024-08-28"),
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
            "temporary work: 1 January to 29 June, a day short of 6 months",
            vec![ep(
                Employment(TemporaryAgency),
                "2024-01-01",
                Some("2024-06-29"),
                None,
                false,
            )],
            facts("2024-12-01"),
            None,
        ),
        (
            "temporary work: 1 January to 30 June, 6 months",
            vec![ep(
                Employment(TemporaryAgency),
                "2024-01-01",
                Some("2024-06-30"),
                None,
                false,
            )],
            facts("2024-12-01"),
            Some(PositiveRule::TemporaryAgencyWork),
        ),
        (
            "temporary work: 7 months in early 2024, exit in June 2026",
            vec![ep(
                Employment(TemporaryAgency),
                "2024-01-01",
                Some("2024-07-31"),
                None,
                false,
            )],
            facts("2026-06-01"),
            None,
        ),
        (
            "temporary work: the window still holds the 7 months on 31 December",
            vec![ep(
                Employment(TemporaryAgency),
                "2024-01-01",
                Some("2024-07-31"),
                None,
                false,
            )],
            facts("2024-12-31"),
            Some(PositiveRule::TemporaryAgencyWork),
        ),
        (
            "temporary work: the window has slid past most of them on 1 July 2025",
            vec![ep(
                Employment(TemporaryAgency),
                "2024-01-01",
                Some("2024-07-31"),
                None,
                false,
            )],
            facts("2025-07-01"),
            None,
        ),
        (
            "temporary work: two missions at once count their days once (181 days)",
            vec![
                ep(
                    Employment(TemporaryAgency),
                    "2025-01-01",
                    Some("2025-03-31"),
                    Some(17.5),
                    false,
                ),
                ep(
                    Employment(TemporaryAgency),
                    "2025-01-01",
                    Some("2025-03-31"),
                    Some(17.5),
                    false,
                ),
                ep(
                    Employment(TemporaryAgency),
                    "2025-04-01",
                    Some("2025-06-29"),
                    None,
                    false,
                ),
            ],
            facts("2025-07-15"),
            None,
        ),
        (
            "temporary work: two missions at once, then to 30 June",
            vec![
                ep(
                    Employment(TemporaryAgency),
                    "2025-01-01",
                    Some("2025-03-31"),
                    Some(17.5),
                    false,
                ),
                ep(
                    Employment(TemporaryAgency),
                    "2025-01-01",
                    Some("2025-03-31"),
                    Some(17.5),
                    false,
                ),
                ep(
                    Employment(TemporaryAgency),
                    "2025-04-01",
                    Some("2025-06-30"),
                    None,
                    false,
                ),
            ],
            facts("2025-07-15"),
            Some(PositiveRule::TemporaryAgencyWork),
        ),
        (
            "CDD 1 January to 29 June",
            vec![ep(
                Employment(FixedTerm),
                "2025-01-01",
                Some("2025-06-29"),
                Some(35.0),
                false,
            )],
            facts("2025-06-30"),
            None,
        ),
        (
            "CDD 1 January to 30 June: 6 months (181 days)",
            vec![ep(
                Employment(FixedTerm),
                "2025-01-01",
                Some("2025-06-30"),
                Some(35.0),
                false,
            )],
            facts("2025-06-30"),
            Some(PositiveRule::FixedTermContracts),
        ),
        (
            "CDD planned to 30 June, assessed on 29 June: counted up to the date",
            vec![ep(
                Employment(FixedTerm),
                "2025-01-01",
                Some("2025-06-30"),
                Some(35.0),
                false,
            )],
            facts("2025-06-29"),
            None,
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
            "business creation on 2 March: 6 months on 1 September",
            vec![ep(BusinessCreation, "2024-03-02", None, None, false)],
            facts("2024-09-01"),
            Some(PositiveRule::BusinessCreation),
        ),
        (
            "business creation on 3 March: a day short on 1 September",
            vec![ep(BusinessCreation, "2024-03-03", None, None, false)],
            facts("2024-09-01"),
            None,
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
            "subsidised contract of exactly 6 months (1 January to 30 June)",
            vec![ep(
                Employment(Subsidised),
                "2024-01-01",
                Some("2024-06-30"),
                Some(20.0),
                false,
            )],
            facts("2024-09-01"),
            None,
        ),
        (
            "subsidised contract of 6 months and a day (1 January to 1 July)",
            vec![ep(
                Employment(Subsidised),
                "2024-01-01",
                Some("2024-07-01"),
                Some(20.0),
                false,
            )],
            facts("2024-09-01"),
            Some(PositiveRule::SubsidisedContract),
        ),
        (
            "55+ worksite from 31 August: not yet on 27 February",
            vec![ep(
                Employment(IntegrationWorksite),
                "2025-08-31",
                None,
                Some(26.0),
                false,
            )],
            senior("2026-02-27", true),
            None,
        ),
        (
            "55+ worksite from 31 August: 6 months on 28 February",
            vec![ep(
                Employment(IntegrationWorksite),
                "2025-08-31",
                None,
                Some(26.0),
                false,
            )],
            senior("2026-02-28", true),
            Some(PositiveRule::SeniorIntegrationWorksite),
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
    assert_eq!(
        (evidence.window_start, evidence.window_end),
        (Some(d("2023-12-02")), Some(d("2024-12-01"))),
        "the 12 months that end on the date"
    );
    assert_eq!(evidence.episodes, vec![a.id, b.id]);
}

#[test]
fn calendar_months_end_on_the_eve_or_at_a_short_months_end() {
    for (start, n, end) in [
        ("2025-01-01", 6, "2025-06-30"),
        ("2025-03-01", 6, "2025-08-31"),
        ("2025-08-31", 6, "2026-02-28"),
        ("2023-08-31", 6, "2024-02-29"),
        ("2024-02-29", 6, "2024-08-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2025-08-30", 6, "2026-02-28"),
        ("2025-08-28", 6, "2026-02-27"),
        ("2025-01-31", 1, "2025-02-28"),
    ] {
        assert_eq!(months_end(d(start), n), d(end), "{start} + {n} months");
    }
    for (end, n, start) in [
        ("2025-06-30", 12, "2024-07-01"),
        ("2024-12-01", 12, "2023-12-02"),
        ("2024-02-28", 12, "2023-03-01"),
    ] {
        assert_eq!(months_start(d(end), n), d(start), "{n} months to {end}");
    }
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
