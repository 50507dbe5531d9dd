//! The ESF+ data of the demo participants, collected as the PLIE's documents ask: at entry
//! (the PLIE's accompaniment by the referent, the remobilisation action by its provider), at
//! exit (the situation within four weeks) and six months later. The answers are drawn so that
//! they go with the person: the employment status with the long-term job seeker flag and the
//! age, the nationality and background questions with the French need, the rural area with the
//! commune; the exit and later situations follow the recorded employment and training episodes.
//! Those who moved away could not be reached: their exit answers stay missing, as they would.

use chrono::{Duration, NaiveDate};

use super::act;
use super::participants::Seq;
use crate::db::Db;
use crate::error::Result;
use crate::esf::{
    self, EmploymentStatus, EntryAnswers, EsfRecord, ExitAnswers, LaterAnswers, Operation,
};
use crate::ids::ParticipantId;
use crate::participants::exit_assessment::{ContractKind, EpisodeKind, TrainingKind};
use crate::principal::Principal;

pub(super) use crate::esf::later_from;

/// The villages of Dijon Métropole taken as rural (thinly populated) areas for the demo.
const RURAL_COMMUNES: &[&str] = &[
    "Bressey-sur-Tille",
    "Bretenière",
    "Corcelles-les-Monts",
    "Crimolois",
    "Fénay",
    "Flavignerot",
    "Magny-sur-Tille",
    "Ouges",
];

/// Whether the demo counts the commune named `name` as a rural area.
pub(super) fn rural(name: &str) -> bool {
    RURAL_COMMUNES.contains(&name)
}

/// What is known of a person when their entry answers are drawn.
#[derive(Clone, Copy, Debug)]
pub(super) struct Facts {
    /// Age at entry.
    pub age: i32,
    pub long_term_job_seeker: bool,
    pub rsa_beneficiary: bool,
    /// The first name is one often met in FLE groups.
    pub fle_name: bool,
    /// A French-language need seen at entry.
    pub fle_need: bool,
    pub rural: bool,
}

/// The employment status and the answers given at entry.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    pub status: EmploymentStatus,
    pub answers: EntryAnswers,
}

/// Plausible answers for a person with these facts.
pub(super) fn entry(seq: &mut Seq, facts: Facts) -> Entry {
    let status = if facts.long_term_job_seeker {
        EmploymentStatus::LongTermUnemployed
    } else {
        match seq.next(20) {
            // Young people and RSA beneficiaries often are not registered as job seekers.
            0..8 if facts.age < 26 => EmploymentStatus::Inactive,
            0..5 if facts.rsa_beneficiary => EmploymentStatus::Inactive,
            // A few hold a small part-time job.
            19 => EmploymentStatus::Employed,
            _ => EmploymentStatus::Unemployed,
        }
    };
    let third_country = match (facts.fle_need, facts.fle_name) {
        (true, _) => seq.next(10) < 8,
        (false, true) => seq.next(10) < 4,
        (false, false) => seq.next(50) == 0,
    };
    let foreign_background = third_country
        || seq.next(100)
            < if facts.fle_name || facts.fle_need {
                85
            } else {
                12
            };
    let homeless = seq.next(100)
        < if facts.rsa_beneficiary && facts.age < 30 {
            15
        } else {
            5
        };
    Entry {
        status,
        answers: EntryAnswers {
            third_country_national: Some(third_country),
            foreign_background: Some(foreign_background),
            // Optional and sensitive: the demo's referents do not ask it.
            minority: None,
            homeless: Some(homeless),
            rural_area: Some(facts.rural),
        },
    }
}

/// Record `entry` for `participant` in `operation` (on `date`, or the service's default),
/// as `principal`, on `db`'s clock.
pub(super) async fn enter(
    db: &Db,
    principal: &Principal,
    participant: ParticipantId,
    operation: Operation,
    date: Option<NaiveDate>,
    entry: Entry,
) -> Result<EsfRecord> {
    let (record, _) = act(db, async |tx| {
        esf::record_entry(
            tx,
            principal,
            participant,
            operation,
            date,
            entry.status,
            entry.answers,
        )
        .await
    })
    .await?;
    Ok(record)
}

/// An employment or training episode, as far as the ESF+ situations go.
#[derive(Clone, Copy, Debug)]
pub(super) struct Episode {
    pub kind: EpisodeKind,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl Episode {
    /// Whether the episode runs at some point from `from` to `to`.
    fn during(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.start <= to && self.end.is_none_or(|end| end >= from)
    }

    fn is_job(&self) -> bool {
        matches!(
            self.kind,
            EpisodeKind::Employment(_) | EpisodeKind::BusinessCreation
        )
    }
}

/// The situation within four weeks of leaving on `date`, from the episodes; unknown for a
/// person who could not be reached.
pub(super) fn at_exit(date: NaiveDate, episodes: &[Episode], reached: bool) -> ExitAnswers {
    if !reached {
        return ExitAnswers {
            date,
            job_searching: None,
            in_education_or_training: None,
            qualification_gained: None,
            in_employment: None,
        };
    }
    let weeks = date + Duration::days(28);
    let employed = episodes.iter().any(|e| e.is_job() && e.during(date, weeks));
    let training = episodes
        .iter()
        .any(|e| !e.is_job() && e.during(date, weeks));
    let qualified = episodes.iter().any(|e| {
        e.kind == EpisodeKind::Training(TrainingKind::Qualifying)
            && e.end.is_some_and(|end| end <= weeks)
    });
    ExitAnswers {
        date,
        job_searching: Some(!employed && !training),
        in_education_or_training: Some(training),
        qualification_gained: Some(qualified),
        in_employment: Some(employed),
    }
}

/// The situation six months after leaving on `exit`: in employment when an episode says so,
/// or after a finished qualifying training for most; improved when the job is a lasting one
/// (permanent, or six months and more) or the training led to a qualification.
pub(super) fn six_months_on(seq: &mut Seq, exit: NaiveDate, episodes: &[Episode]) -> LaterAnswers {
    let on = later_from(exit);
    let job = episodes.iter().find(|e| e.is_job() && e.during(on, on));
    let qualified = episodes.iter().any(|e| {
        e.kind == EpisodeKind::Training(TrainingKind::Qualifying)
            && e.end.is_some_and(|end| end <= on)
    });
    let employed = job.is_some() || (qualified && seq.next(10) < 6);
    let lasting = job.is_some_and(|e| {
        e.kind == EpisodeKind::Employment(ContractKind::Permanent)
            || e.end.is_none_or(|end| end - e.start >= Duration::days(182))
    });
    LaterAnswers {
        in_employment: Some(employed),
        improved_situation: Some(lasting || qualified),
    }
}

/// Record the situation at exit on `record`, as `principal`, on `db`'s clock.
pub(super) async fn leave(
    db: &Db,
    principal: &Principal,
    record: &EsfRecord,
    answers: ExitAnswers,
) -> Result<EsfRecord> {
    act(db, async |tx| {
        esf::record_exit(tx, principal, record.id, record.version, answers).await
    })
    .await
}

/// Record the situation six months after the exit on `record`, likewise.
pub(super) async fn later(
    db: &Db,
    principal: &Principal,
    record: &EsfRecord,
    answers: LaterAnswers,
) -> Result<EsfRecord> {
    act(db, async |tx| {
        esf::record_later(tx, principal, record.id, record.version, answers).await
    })
    .await
}
