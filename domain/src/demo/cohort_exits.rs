//! What the members of the demo cohorts did afterwards: their next episode (a job, a training)
//! and, for most, their exit from the PLIE in 2018–2019, as a table; and the ESF+ situations
//! at their exit and six months later.

use super::act;
use chrono::{Duration, NaiveDate};

use super::calls::on;
use super::cohorts::Member;
use super::esf;
use super::participants::Seq;
use crate::db::Db;
use crate::error::Result;
use crate::participants::ExitKind;
use crate::participants::exit_assessment::{ContractKind, EpisodeKind, TrainingKind};
use crate::participants::exit_recording::{self, NewExit};
use crate::participants::path::{self, NewEpisode};

/// What a member did after the cohort: an episode of `kind` starting `start` days after the
/// cohort's end (a few more for later members), lasting `days` (open-ended without), `hours` a
/// week, and an exit of kind `exit.1` `exit.0` days after the episode's start (still on the
/// path without).
#[derive(Clone, Copy)]
pub(super) struct Next {
    kind: EpisodeKind,
    start: i64,
    days: Option<i64>,
    hours: Option<i32>,
    employer: &'static str,
    exit: Option<(i64, ExitKind)>,
}

const fn next(
    kind: EpisodeKind,
    start: i64,
    days: Option<i64>,
    hours: Option<i32>,
    employer: &'static str,
    exit: Option<(i64, ExitKind)>,
) -> Next {
    Next {
        kind,
        start,
        days,
        hours,
        employer,
        exit,
    }
}

const POSITIVE: ExitKind = ExitKind::EmploymentOrTraining;
const MOVED: ExitKind = ExitKind::MovedAway;
const QUALIFYING: EpisodeKind = EpisodeKind::Training(TrainingKind::Qualifying);
const FRENCH: EpisodeKind = EpisodeKind::Training(TrainingKind::Other);
const PERMANENT: EpisodeKind = EpisodeKind::Employment(ContractKind::Permanent);
const TEMPORARY: EpisodeKind = EpisodeKind::Employment(ContractKind::TemporaryAgency);
const SUBSIDISED: EpisodeKind = EpisodeKind::Employment(ContractKind::Subsidised);
const FIXED_TERM: EpisodeKind = EpisodeKind::Employment(ContractKind::FixedTerm);

/// What members did after the cohort, as a table because it reads best as one.
#[rustfmt::skip]
const AFTER: [Next; 7] = [
    next(QUALIFYING, 49, Some(240), None,     "AFPA Dijon",             Some((14, POSITIVE))),
    next(PERMANENT,  28, None,      Some(35), "Logistique de Longvic",  Some((190, POSITIVE))),
    next(TEMPORARY,  28, Some(200), Some(35), "Intérim dijonnais",      Some((200, POSITIVE))),
    // Three months at 24 hours a week: the exit is not a positive one.
    next(FIXED_TERM, 28, Some(90),  Some(24), "Restaurant de Quetigny", Some((90, POSITIVE))),
    next(SUBSIDISED, 28, Some(270), Some(26), "Commune de Chenôve",     Some((60, POSITIVE))),
    next(FIXED_TERM, 28, Some(30),  Some(35), "Employeur dijonnais",    Some((45, MOVED))),
    next(FRENCH,     28, Some(90),  None,     "Atelier FLE",            None),
];

/// The member who left in week one: back to work on the Tuesday after (12 days before the
/// cohort's end), seven months of a full-time fixed-term contract.
#[rustfmt::skip]
pub(super) const BACK_TO_WORK: Next =
    next(FIXED_TERM, -12, Some(210), Some(35), "Nettoyage industriel", Some((210, POSITIVE)));

impl Next {
    /// By position in the cohort; a French course first for some of those who need it.
    pub(super) fn of(i: usize, fle_need: bool) -> Self {
        match i % 5 {
            _ if fle_need && i.is_multiple_of(3) => AFTER[6],
            3 if i > 5 => AFTER[5],
            r => AFTER[r],
        }
    }

    /// The episode, for a member whose next step is counted `from` that day.
    pub(super) fn episode(&self, from: NaiveDate) -> esf::Episode {
        let start = from + Duration::days(self.start);
        esf::Episode {
            kind: self.kind,
            start,
            end: self.days.map(|d| start + Duration::days(d)),
        }
    }
}

/// The member's next episode and, for most, their exit, each recorded when it happened, with
/// the ESF+ situations at exit and six months later.
pub(super) async fn afterwards(
    db: &Db,
    m: &Member<'_>,
    from: NaiveDate,
    next: Next,
    seq: &mut Seq,
) -> Result<()> {
    let start = from + Duration::days(next.start);
    act(&on(db, start, 9), async |tx| {
        path::record_episode(
            tx,
            m.referent,
            NewEpisode {
                participant_id: m.id,
                kind: next.kind,
                start_date: start,
                end_date: next.days.map(|d| start + Duration::days(d)),
                minutes_per_week: next.hours.map(|h| h * 60),
                participant_agreement: false,
                employer: Some(next.employer.into()),
            },
        )
        .await
    })
    .await?;
    if let Some((after, kind)) = next.exit {
        let day = start + Duration::days(after);
        act(&on(db, day, 9), async |tx| {
            exit_recording::record_exit(
                tx,
                m.referent,
                NewExit {
                    participant_id: m.id,
                    version: 2,
                    date: day,
                    kind,
                    reason: (kind == ExitKind::MovedAway)
                        .then(|| "déménagement hors du territoire".into()),
                },
            )
            .await
        })
        .await?;
        let episodes = [next.episode(from)];
        let answers = esf::at_exit(day, &episodes, kind != ExitKind::MovedAway);
        let record = esf::leave(&on(db, day, 10), m.referent, &m.plie, answers).await?;
        if kind != ExitKind::MovedAway {
            let six_months = esf::later_from(day);
            let answers = esf::six_months_on(seq, day, &episodes);
            esf::later(&on(db, six_months, 10), m.referent, &record, answers).await?;
        }
    }
    Ok(())
}
