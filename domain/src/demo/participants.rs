//! Synthetic participants for the demo: deterministic (a fixed seed), spread over the referents,
//! with paths, episodes and exits such that about half of the exits are positive.

use super::act;
use super::esf;
use super::names::person;
use chrono::{Duration, Months, NaiveDate};

use crate::auth::{self, Claims};
use crate::db::Db;
use crate::error::Result;
use crate::esf::Operation;
use crate::participants::exit_assessment::{ContractKind, EpisodeKind, TrainingKind};
use crate::participants::exit_recording::{self, NewExit};
use crate::participants::path::{self, NewEpisode, NewPathStep, PathStepChanges};
use crate::participants::{
    self, ExitKind, NewParticipant, ParticipantFields, PathStep, PathStepKind,
};
use crate::principal::{Principal, Role};
use crate::tenants::Commune;

pub(super) const LAST: &[&str] = &[
    "Diallo", "Martin", "Benali", "Petit", "Moreau", "Traoré", "Lefèvre", "Haddad", "Garcia",
    "Roux", "Nguyen", "Fontaine", "Mercier", "Keita", "Bonnet", "Lambert", "Cissé", "Dupuis",
];

/// A small deterministic generator (a linear congruential generator; no dependency needed).
pub(super) struct Seq(pub(super) u64);

impl Seq {
    pub(super) fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Create `count` participants spread over `referents` (subjects with their structure) of
/// `tenant`, whose steering principal is `steering`.
pub(super) async fn load(
    db: &Db,
    tenant: &str,
    steering: &Principal,
    referents: &[(String, crate::ids::StructureId)],
    communes: &[Commune],
    count: usize,
    seed: u64,
) -> Result<()> {
    let mut seq = Seq(seed);
    let today = db.clock().now().date_naive();
    let mut principals = Vec::new();
    for (subject, structure) in referents {
        principals.push(
            act(db, async |tx| {
                auth::authenticate(
                    tx,
                    Claims {
                        subject: subject.clone(),
                        role: Role::Referent,
                        tenant: Some(tenant.to_owned()),
                        structure: Some(structure.0),
                    },
                )
                .await
            })
            .await?
            .with_request_id("demo"),
        );
    }
    for i in 0..count {
        let referent = &principals[i % principals.len()];
        let entry = today - Duration::days(60 + seq.next(900) as i64);
        let age = 18 + seq.next(45) as i32;
        let birth = born(entry, age, &mut seq);
        let person = person(&mut seq);
        let first = person.first_name;
        let last = LAST[seq.next(LAST.len() as u64) as usize];
        let commune = commune(&mut seq, communes);
        let long_term_job_seeker = seq.next(10) < 6;
        let rsa_beneficiary = seq.next(10) < 4;
        // Only a commune with priority neighbourhoods has residents living in one.
        let priority_neighbourhood =
            !commune.priority_neighbourhoods.is_empty() && seq.next(10) < 5;
        let p = act(db, async |tx| {
            participants::create(
                tx,
                referent,
                NewParticipant {
                    fields: ParticipantFields {
                        first_name: Some(first.into()),
                        last_name: Some(last.into()),
                        birth_date: Some(birth),
                        gender: Some(person.gender),
                        email: Some(format!("{}.{}{i}@exemple.fr", ascii(first), ascii(last))),
                        phone: Some(format!(
                            "06 {:02} {:02} {:02} {:02}",
                            seq.next(100),
                            seq.next(100),
                            seq.next(100),
                            seq.next(100)
                        )),
                        postal_address: Some(format!("{} rue de la République", 1 + seq.next(120))),
                        commune_id: Some(commune.id),
                        long_term_job_seeker: Some(long_term_job_seeker),
                        rsa_beneficiary: Some(rsa_beneficiary),
                        priority_neighbourhood: Some(priority_neighbourhood),
                        education_level: Some(2 + seq.next(4) as i32),
                        recognised_disability: Some(seq.next(10) == 0),
                        authorised_to_work: Some(true),
                        difficulties: Some(vec!["mobilité".into()]),
                        consent_date: Some(entry),
                        consent_scope: Some("accompagnement PLIE et collecte FSE".into()),
                    },
                    referent_id: None,
                    entry_date: Some(entry),
                    // Demo names repeat by design.
                    allow_duplicate: true,
                    idempotency_key: None,
                },
            )
            .await
        })
        .await?;
        let roll = seq.next(100);
        if roll < 8 {
            continue; // still a candidate
        }
        let committee = entry + Duration::days(10);
        if roll < 11 {
            act(db, async |tx| {
                participants::refuse_entry(
                    tx,
                    steering,
                    p.id,
                    1,
                    committee,
                    "hors critères du PLIE",
                )
                .await
            })
            .await?;
            continue;
        }
        act(db, async |tx| {
            participants::validate_entry(tx, steering, p.id, 1, committee).await
        })
        .await?;
        // The referent collects the ESF+ entry data once the entry is validated.
        let facts = esf::Facts {
            age,
            long_term_job_seeker,
            rsa_beneficiary,
            fle_name: person.fle_name,
            fle_need: false,
            rural: esf::rural(&commune.name),
        };
        let entered = esf::entry(&mut seq, facts);
        let record = esf::enter(db, referent, p.id, Operation::Plie, None, entered).await?;
        let diagnostic = act(db, async |tx| {
            path::add_step(
                tx,
                referent,
                NewPathStep {
                    participant_id: p.id,
                    kind: PathStepKind::Diagnostic,
                    title: "Diagnostic socio-professionnel".into(),
                    start_date: committee,
                    end_date: Some(committee + Duration::days(14)),
                },
            )
            .await
        })
        .await?;
        // Two weeks later (long before today) the diagnostic is done: the referent closes it,
        // so that no step of a path stays open once its end has passed, nor after an exit.
        close_step(db, referent, &diagnostic, None, DIAGNOSTIC_DONE).await?;
        // Episodes and an exit for those whose path is long enough.
        let job_start = committee + Duration::days(30 + seq.next(60) as i64);
        let exit_date = job_start + Duration::days(200 + seq.next(60) as i64);
        if exit_date > today || roll < 40 {
            continue; // still on the path
        }
        let (kind, minutes, end, exit_kind) = match roll % 6 {
            0 => (
                EpisodeKind::Employment(ContractKind::Permanent),
                Some(35 * 60),
                None,
                ExitKind::EmploymentOrTraining,
            ),
            1 => (
                EpisodeKind::Employment(ContractKind::Subsidised),
                Some(26 * 60),
                Some(job_start + Duration::days(120)),
                ExitKind::DroppedOut,
            ),
            2 => (
                EpisodeKind::Training(TrainingKind::Qualifying),
                None,
                Some(job_start + Duration::days(300)),
                ExitKind::EmploymentOrTraining,
            ),
            3 => (
                EpisodeKind::Employment(ContractKind::FixedTerm),
                Some(20 * 60),
                Some(job_start + Duration::days(90)),
                ExitKind::EmploymentOrTraining,
            ),
            4 => (
                EpisodeKind::Employment(ContractKind::TemporaryAgency),
                Some(35 * 60),
                Some(job_start + Duration::days(195)),
                ExitKind::EmploymentOrTraining,
            ),
            _ => (
                EpisodeKind::Employment(ContractKind::FixedTerm),
                Some(35 * 60),
                Some(job_start + Duration::days(30)),
                ExitKind::MovedAway,
            ),
        };
        act(db, async |tx| {
            path::record_episode(
                tx,
                referent,
                NewEpisode {
                    participant_id: p.id,
                    kind,
                    start_date: job_start,
                    end_date: end,
                    minutes_per_week: minutes,
                    participant_agreement: false,
                    employer: Some("Employeur du bassin dijonnais".into()),
                },
            )
            .await
        })
        .await?;
        act(db, async |tx| {
            exit_recording::record_exit(
                tx,
                referent,
                NewExit {
                    participant_id: p.id,
                    version: 2,
                    date: exit_date,
                    kind: exit_kind,
                    reason: match exit_kind {
                        ExitKind::MovedAway => Some("déménagement hors du territoire".into()),
                        ExitKind::DroppedOut => Some("abandon du parcours".into()),
                        _ => None,
                    },
                },
            )
            .await
        })
        .await?;
        let episode = esf::Episode {
            kind,
            start: job_start,
            end,
        };
        let reached = exit_kind != ExitKind::MovedAway;
        let answers = esf::at_exit(exit_date, &[episode], reached);
        let record = esf::leave(db, referent, &record, answers).await?;
        if reached && crate::esf::later_from(exit_date) <= today {
            let answers = esf::six_months_on(&mut seq, exit_date, &[episode]);
            esf::later(db, referent, &record, answers).await?;
        }
    }
    Ok(())
}

/// Where a participant lives: most in the towns with priority neighbourhoods (Dijon, Chenôve;
/// Besançon), where most of the public lives; the others anywhere on the territory.
pub(super) fn commune<'a>(seq: &mut Seq, communes: &'a [Commune]) -> &'a Commune {
    let towns: Vec<&Commune> = communes
        .iter()
        .filter(|c| !c.priority_neighbourhoods.is_empty())
        .collect();
    if !towns.is_empty() && seq.next(10) < 6 {
        towns[seq.next(towns.len() as u64) as usize]
    } else {
        &communes[seq.next(communes.len() as u64) as usize]
    }
}

/// A birth date that makes someone exactly `age` on `on`.
pub(super) fn born(on: NaiveDate, age: i32, seq: &mut Seq) -> NaiveDate {
    // Up to 11 months and 27 days more than `age` years: never a birthday too many or too few.
    let months = age.unsigned_abs() * 12 + seq.next(12) as u32;
    on.checked_sub_months(Months::new(months))
        .map_or(on, |d| d - Duration::days(seq.next(28) as i64))
}

/// The outcome of a finished socio-professional diagnostic.
pub(super) const DIAGNOSTIC_DONE: &str =
    "Diagnostic réalisé : freins identifiés, projet professionnel à construire";

/// The referent closes `step` with its `outcome`, at the end date it has unless `end` is given.
pub(super) async fn close_step(
    db: &Db,
    referent: &Principal,
    step: &PathStep,
    end: Option<NaiveDate>,
    outcome: &str,
) -> Result<PathStep> {
    act(db, async |tx| {
        path::update_step(
            tx,
            referent,
            PathStepChanges {
                id: step.id,
                version: step.version,
                title: None,
                start_date: None,
                end_date: end,
                outcome: Some(outcome.into()),
            },
            true,
        )
        .await
    })
    .await
}

pub(super) fn ascii(name: &str) -> String {
    crate::text::sort_key(name)
        .0
        .replace(|c: char| !c.is_ascii_alphanumeric(), "")
}
