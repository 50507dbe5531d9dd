//! The positive-exit rule engine: pure, no I/O, every rule of DESIGN.md §5.
//!
//! An exit is positive when one of these rules matches the participant's recorded episodes on
//! the assessment date (the exit date, or today for a preview):
//!
//! | rule | matches when | the PLIE's text (DESIGN.md §5) |
//! |---|---|---|
//! | `PERMANENT_CONTRACT` | a CDI still running on the date that has lasted 6 months by then, at least half-time (17.5 h a week) — less only with the participant's agreement | "after 6 months in the company": 6 months reached, bound included |
//! | `TEMPORARY_AGENCY_WORK` | temporary agency missions totalling at least 6 months within the 12 months that end on the date | "totalling at least 6 months within 12 months": bound included |
//! | `FIXED_TERM_CONTRACTS` | one or several CDD totalling at least 6 months within the 12 months that end on the date; a CDD under 17.5 h a week counts only with the participant's agreement | "totalling 6 months within 12": bound included |
//! | `QUALIFYING_TRAINING` | a qualifying training started on or before the date | "a qualifying training" |
//! | `BUSINESS_CREATION` | a business created or taken over whose follow-up has lasted 6 months by the date | "after 6 months of post-creation follow-up": bound included |
//! | `SUBSIDISED_CONTRACT` | a subsidised contract planned for more than 6 months (work-integration worksites excluded) | "of more than 6 months": bound excluded, so exactly 6 months is not enough |
//! | `SENIOR_INTEGRATION_WORKSITE` | a participant aged 55 or more on the date, in a work-integration worksite for 6 months by then, once the validation committee agrees (case by case) | "after 6 months in the job": bound included |
//!
//! **Durations, one way.** Every "6 months" and "12 months" is counted in calendar months, both
//! ends of a period included: a period starting on day S lasts `n` months once it includes the
//! day before the same day `n` months later — 1 January to 30 June is 6 months, 1 March to
//! 31 August too — and when that later month has no such day, once it includes that month's last
//! day: 31 August + 6 months ends on 28 February (29 in a leap year), 29 February 2024 + 6
//! months on 28 August ([`months_end`]). A total over several episodes is laid end to end from
//! its first counted day: missions that cover 182 days from 1 January reach 6 months, as a
//! single contract from 1 January to 30 June does. Overlapping episodes count their shared days
//! once. The 12 months of a cumulated rule are those that end on the assessment date (the exit
//! date, or today for a preview): an episode older than that no longer counts, however long it
//! was. Only what started by the date counts, and an episode counts up to its end or the date.
//! Rules are tried in the order above; the first that matches is the answer.

use chrono::{Months, NaiveDate};

use crate::ids::EpisodeId;

/// Half-time: 17.5 hours a week, in minutes.
pub const HALF_TIME_MINUTES: i32 = 17 * 60 + 30;
/// The duration the rules ask for, in calendar months.
pub const SIX_MONTHS: u32 = 6;
/// The window of the cumulated rules, in calendar months ending on the assessment date.
pub const WINDOW_MONTHS: u32 = 12;
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
        let six_months = lasts_months(e.start, on, SIX_MONTHS);
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
            "temporary agency work: less than {SIX_MONTHS} months within the {WINDOW_MONTHS} \
             months ending on {on}"
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
            "fixed-term contracts: less than {SIX_MONTHS} months within the {WINDOW_MONTHS} \
             months ending on {on} (contracts under 17.5 h a week count only with the \
             participant's agreement)"
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
        if lasts_months(e.start, on, SIX_MONTHS) {
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
        // "More than 6 months": planned beyond the day 6 months end.
        let longer = e
            .end
            .is_none_or(|end| end > months_end(e.start, SIX_MONTHS));
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
        let six_months = lasts_months(e.start, e.end.map_or(on, |end| end.min(on)), SIX_MONTHS);
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

/// The last day of a period of `n` calendar months starting on `start`: the day before the
/// same day `n` months later or, when that month has no such day, that month's last day
/// (31 August + 6 months: 28 February, 29 in a leap year). Saturates at the calendar's end.
pub fn months_end(start: NaiveDate, n: u32) -> NaiveDate {
    use chrono::Datelike;
    match start.checked_add_months(Months::new(n)) {
        // Clamped to a shorter month: the period ends with that month.
        Some(later) if later.day() != start.day() => later,
        Some(later) => later.pred_opt().unwrap_or(later),
        None => NaiveDate::MAX,
    }
}

/// Whether the period from `start` to `end`, both included, lasts at least `n` months.
pub fn lasts_months(start: NaiveDate, end: NaiveDate, n: u32) -> bool {
    end >= months_end(start, n)
}

/// The first day of the `n` calendar months that end on `end`: the day after `end`'s date `n`
/// months earlier (12 months ending on 30 June 2025 start on 1 July 2024) or, when that day
/// does not exist, the first of the next month (12 months ending on 28 February 2024 start on
/// 1 March 2023): a window never holds more than `n` months.
pub fn months_start(end: NaiveDate, n: u32) -> NaiveDate {
    use chrono::Datelike;
    let Some(next) = end.succ_opt() else {
        return NaiveDate::MIN;
    };
    match next.checked_sub_months(Months::new(n)) {
        Some(earlier) if earlier.day() != next.day() => earlier.succ_opt().unwrap_or(earlier),
        Some(earlier) => earlier,
        None => NaiveDate::MIN,
    }
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

/// Whether `episodes` total at least 6 months within the 12 months that end on `on` (their
/// days in that window, each day once however many episodes cover it, laid end to end from the
/// first counted day), with the evidence if so.
fn cumulated(episodes: &[&EpisodeFacts], on: NaiveDate) -> Option<Evidence> {
    let window_start = months_start(on, WINDOW_MONTHS);
    let mut clipped: Vec<(NaiveDate, NaiveDate, EpisodeId)> = episodes
        .iter()
        .map(|e| {
            (
                e.start.max(window_start),
                e.end.map_or(on, |end| end.min(on)),
                e.id,
            )
        })
        .filter(|(s, e, _)| s <= e)
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
    let first = clipped.first()?.0;
    let needed = days(first, months_end(first, SIX_MONTHS));
    (total >= needed).then(|| Evidence {
        episodes: clipped.iter().map(|c| c.2).collect(),
        days: total,
        window_start: Some(window_start),
        window_end: Some(on),
    })
}

#[cfg(test)]
mod tests;
