//! The first two cohorts of the seed convention, replayed at their real dates (March–April
//! 2018) like the call itself, so that every recorded time is the one it would have had.
//!
//! Ten participants per cohort enter the PLIE two weeks before its start, are admitted by the
//! committee, prescribed by their referent and enrolled by the provider; attendance is signed on
//! paper at each of the nine sessions; one member of the second group leaves after the first
//! week because they found a job. Each member gets a final diagnostic; the sheets are
//! transmitted once the cohort is closed and about half are read by the referent. The provider
//! collects the action's ESF+ data at its start, at each member's exit of the action and six
//! months later. Then most of them find a job or a training and leave the PLIE in 2018–2019,
//! positively or not. (How a member enters, and how a cohort starts, serve this week's cohort
//! too: see `this_week`.)

use super::act;
use chrono::{Duration, NaiveDate, Weekday};

use super::calls::{date, on};
use super::cohort_diagnostics::diagnostic;
use super::cohort_exits::{BACK_TO_WORK, Next, afterwards};
use super::esf;
use super::names::person;
use super::participants::{LAST, Seq, ascii, born, close_step, commune};
use crate::auth::{self, Claims};
use crate::cohorts::{self, AttendanceLine, Cohort, CohortStatus, HalfDay, NewCohort, Session};
use crate::db::Db;
use crate::diagnostics::{self, DiagnosticContent};
use crate::error::Result;
use crate::esf::{EsfRecord, Operation};
use crate::follow_up;
use crate::ids::{ConventionId, ParticipantId, StructureId};
use crate::participants::path::{self, NewPathStep};
use crate::participants::{self, NewParticipant, ParticipantFields, PathStep, PathStepKind};
use crate::principal::{Principal, Role};
use crate::tenants::Commune;

/// Members per cohort (the call asks for 8 to 12).
pub(super) const MEMBERS: usize = 10;

/// The outcome of the diagnostic step that leads to a cohort.
const TO_THE_ACTION: &str = "Diagnostic réalisé : orientation vers l'action de remobilisation";
/// The outcome of the cohort's step for a member who followed it to the end.
const ACTION_DONE: &str = "Action de remobilisation suivie jusqu'au bout ; fiche de suivi reçue";

/// Where the demo provider's sessions take place (a fictitious address).
pub(super) const PLACE: &str = "Salle Ariane, 12 rue de l'Exemple, 21000 Dijon";

/// Who does what in the replay.
pub(super) struct Actors<'a> {
    pub tenant: &'a str,
    pub steering: &'a Principal,
    /// The convention's provider.
    pub provider: &'a Principal,
    pub referents: &'a [(String, StructureId)],
    pub communes: &'a [Commune],
}

/// One member of a demo cohort.
pub(super) struct Member<'a> {
    pub id: ParticipantId,
    pub referent: &'a Principal,
    /// The cohort's step in the member's path, open until the member leaves the action.
    pub action_step: PathStep,
    /// The ESF+ answers given at entry into the PLIE, given again at entry into the action.
    pub esf_entry: esf::Entry,
    /// The ESF+ record of the PLIE's accompaniment.
    pub plie: EsfRecord,
    pub fle_need: bool,
    pub diagnostic: DiagnosticContent,
}

/// The referents, signed in.
pub(super) async fn referents(db: &Db, who: &Actors<'_>) -> Result<Vec<Principal>> {
    let mut referents = Vec::new();
    for (subject, structure) in who.referents {
        let claims = Claims {
            subject: subject.clone(),
            role: Role::Referent,
            tenant: Some(who.tenant.to_owned()),
            structure: Some(structure.0),
        };
        referents.push(
            act(db, async |tx| auth::authenticate(tx, claims).await)
                .await?
                .with_request_id("demo"),
        );
    }
    Ok(referents)
}

/// Replay the two cohorts of `convention`.
pub(super) async fn load(db: &Db, who: &Actors<'_>, convention: ConventionId) -> Result<()> {
    let referents = referents(db, who).await?;
    if referents.is_empty() || who.communes.is_empty() {
        return Ok(());
    }
    let mut seq = Seq(2018);
    let groups = [
        ("Groupe 1 — mars 2018", date(2018, 3, 5), false),
        ("Groupe 2 — mars-avril 2018", date(2018, 3, 26), true),
    ];
    for (g, (label, start, with_drop_out)) in groups.into_iter().enumerate() {
        let (cohort, sessions) = act(&on(db, start - Duration::days(21), 9), async |tx| {
            cohorts::create(
                tx,
                who.provider,
                NewCohort {
                    convention_id: convention,
                    label: label.into(),
                    start_date: start,
                    weeks: Some(3),
                    weekdays: vec![Weekday::Mon, Weekday::Tue, Weekday::Thu],
                    half_days: vec![HalfDay::Morning],
                    size_min: None,
                    size_max: None,
                    place: Some(PLACE.into()),
                    morning_hours: None,
                    afternoon_hours: None,
                },
            )
            .await
        })
        .await?;
        let mut members = Vec::new();
        for k in 0..MEMBERS {
            let referent = &referents[(g * MEMBERS + k) % referents.len()];
            let member = enter(db, who, &cohort, referent, &mut seq, g * MEMBERS + k).await?;
            members.push(member);
        }
        run(
            db,
            who,
            cohort,
            &sessions,
            &members,
            with_drop_out,
            &mut seq,
        )
        .await?;
    }
    Ok(())
}

/// A participant enters the PLIE two weeks before the cohort, is admitted, prescribed and
/// enrolled.
pub(super) async fn enter<'a>(
    db: &Db,
    who: &Actors<'_>,
    cohort: &Cohort,
    referent: &'a Principal,
    seq: &mut Seq,
    n: usize,
) -> Result<Member<'a>> {
    let entry = cohort.start_date - Duration::days(14);
    let age = 20 + seq.next(38) as i32;
    let birth = born(entry, age, &mut *seq);
    let person = person(seq);
    let first = person.first_name;
    let last = LAST[seq.next(LAST.len() as u64) as usize];
    // Most of those who need French lessons carry a name often met in FLE groups.
    let fle_need = seq.next(10) < if person.fle_name { 7 } else { 1 };
    let mut difficulties = vec!["savoirs de base".to_owned()];
    if fle_need {
        difficulties.push("maîtrise du français".into());
    }
    if seq.next(2) == 0 {
        difficulties.push("mobilité".into());
    }
    let commune = commune(seq, who.communes);
    let long_term_job_seeker = seq.next(10) < 7;
    let rsa_beneficiary = seq.next(10) < 5;
    let priority_neighbourhood = !commune.priority_neighbourhoods.is_empty() && seq.next(10) < 7;
    let created = on(db, entry, 8 + (n % 8) as u32);
    let p = act(&created, async |tx| {
        participants::create(
            tx,
            referent,
            NewParticipant {
                fields: ParticipantFields {
                    first_name: Some(first.into()),
                    last_name: Some(last.into()),
                    birth_date: Some(birth),
                    gender: Some(person.gender),
                    email: Some(format!("{}.{}.g{n}@exemple.fr", ascii(first), ascii(last))),
                    phone: Some(format!(
                        "07 {:02} {:02} {:02} {:02}",
                        seq.next(100),
                        seq.next(100),
                        seq.next(100),
                        seq.next(100)
                    )),
                    postal_address: Some(format!("{} avenue du Drapeau", 1 + seq.next(80))),
                    commune_id: Some(commune.id),
                    long_term_job_seeker: Some(long_term_job_seeker),
                    rsa_beneficiary: Some(rsa_beneficiary),
                    priority_neighbourhood: Some(priority_neighbourhood),
                    education_level: Some(2 + seq.next(3) as i32),
                    recognised_disability: Some(seq.next(12) == 0),
                    authorised_to_work: Some(true),
                    difficulties: Some(difficulties),
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
    let committee = entry + Duration::days(3);
    act(&on(db, committee, 14), async |tx| {
        participants::validate_entry(tx, who.steering, p.id, 1, committee).await
    })
    .await?;
    let facts = esf::Facts {
        age,
        long_term_job_seeker,
        rsa_beneficiary,
        fle_name: person.fle_name,
        fle_need,
        rural: esf::rural(&commune.name),
    };
    let esf_entry = esf::entry(seq, facts);
    let collected = on(db, committee, 16);
    let plie = esf::enter(&collected, referent, p.id, Operation::Plie, None, esf_entry).await?;
    let diagnostic_step = act(&on(db, committee, 15), async |tx| {
        path::add_step(
            tx,
            referent,
            NewPathStep {
                participant_id: p.id,
                kind: PathStepKind::Diagnostic,
                title: "Diagnostic socio-professionnel".into(),
                start_date: committee,
                end_date: Some(committee + Duration::days(4)),
            },
        )
        .await
    })
    .await?;
    let prescribed = on(db, cohort.start_date - Duration::days(7), 9);
    // The diagnostic leads to the prescription: the referent closes it and opens the action.
    close_step(&prescribed, referent, &diagnostic_step, None, TO_THE_ACTION).await?;
    act(&prescribed, async |tx| {
        cohorts::prescribe(tx, referent, cohort.id, p.id).await
    })
    .await?;
    let action_step = act(&prescribed, async |tx| {
        path::add_step(
            tx,
            referent,
            NewPathStep {
                participant_id: p.id,
                kind: PathStepKind::Action,
                title: format!("Remobilisation : {}", cohort.label),
                start_date: cohort.start_date,
                end_date: Some(cohort.end_date),
            },
        )
        .await
    })
    .await?;
    let enrolled = on(db, cohort.start_date - Duration::days(5), 10);
    act(&enrolled, async |tx| {
        cohorts::enrol(tx, who.provider, cohort.id, p.id).await
    })
    .await?;
    Ok(Member {
        id: p.id,
        referent,
        action_step,
        esf_entry,
        plie,
        fle_need,
        diagnostic: diagnostic(seq, fle_need),
    })
}

/// Three weeks of sessions, the diagnostics, closing, the follow-up sheets, and what came next.
async fn run(
    db: &Db,
    who: &Actors<'_>,
    cohort: Cohort,
    sessions: &[Session],
    members: &[Member<'_>],
    with_drop_out: bool,
    seq: &mut Seq,
) -> Result<()> {
    let provider = who.provider;
    let start = cohort.start_date;
    let (cohort, records) = start_action(&on(db, start, 7), provider, cohort, members).await?;
    let end = cohort.end_date;
    let week_one = start + Duration::days(3);
    let leaves = (with_drop_out && members.len() > 4).then_some(4);
    let quit_on = start + Duration::days(4);
    // What each member does next, from which day: episodes start on staggered days rather
    // than all on the same one.
    let next: Vec<(Next, NaiveDate)> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if Some(i) == leaves {
                (BACK_TO_WORK, end)
            } else {
                (Next::of(i, m.fle_need), end + Duration::days(2 * i as i64))
            }
        })
        .collect();
    for s in sessions.iter().filter(|s| s.day <= week_one) {
        attend(db, provider, s, members, None, seq).await?;
    }
    // A first positioning in week one, kept as a draft until the end of the cohort.
    let positioned = on(db, week_one, 15);
    for m in members {
        let draft = DiagnosticContent {
            recommendations: "Positionnement de première semaine, à compléter.".into(),
            ..m.diagnostic.clone()
        };
        act(&positioned, async |tx| {
            diagnostics::save(tx, provider, cohort.id, m.id, None, draft, false).await
        })
        .await?;
    }
    if let Some(m) = leaves.and_then(|i| members.get(i)) {
        let quit = on(db, quit_on, 10);
        act(&quit, async |tx| {
            cohorts::drop_out(tx, provider, cohort.id, m.id, "reprise d'emploi", None).await
        })
        .await?;
        let outcome = "Sortie anticipée de l'action : reprise d'emploi";
        close_step(&quit, m.referent, &m.action_step, Some(quit_on), outcome).await?;
        let content = m.diagnostic.clone();
        act(&quit, async |tx| {
            diagnostics::save(tx, provider, cohort.id, m.id, Some(1), content, true).await
        })
        .await?;
    }
    // The provider collects the ESF+ situation at the exit of the action: the drop-out's on
    // the day they leave, the others' with the follow-up sheets.
    for (i, record) in records.iter().enumerate() {
        let (day, collected) = if Some(i) == leaves {
            (quit_on, on(db, quit_on, 11))
        } else {
            (end, on(db, end + Duration::days(2), 11))
        };
        let episodes = next.get(i).map(|(n, from)| n.episode(*from));
        let answers = esf::at_exit(day, episodes.as_slice(), true);
        let record = esf::leave(&collected, provider, record, answers).await?;
        let six_months = esf::later_from(day);
        let answers = esf::six_months_on(seq, day, episodes.as_slice());
        esf::later(&on(db, six_months, 11), provider, &record, answers).await?;
    }
    for s in sessions.iter().filter(|s| s.day > week_one) {
        attend(db, provider, s, members, leaves, seq).await?;
    }
    let last_day = sessions.last().map_or(cohort.end_date, |s| s.day);
    let done = on(db, last_day, 15);
    for (i, m) in members.iter().enumerate() {
        if Some(i) != leaves {
            let content = m.diagnostic.clone();
            act(&done, async |tx| {
                diagnostics::save(tx, provider, cohort.id, m.id, Some(1), content, true).await
            })
            .await?;
        }
    }
    let closing = on(db, end + Duration::days(1), 9);
    act(&closing, async |tx| {
        cohorts::set_status(
            tx,
            provider,
            cohort.id,
            cohort.version,
            CohortStatus::Closed,
        )
        .await
    })
    .await?;
    for (i, m) in members.iter().enumerate() {
        let written = on(db, end + Duration::days(2), 9);
        let sheet = act(&written, async |tx| {
            follow_up::save(tx, provider, cohort.id, m.id, None, None).await
        })
        .await?;
        let sent = on(db, end + Duration::days(2), 10);
        let sheet = act(&sent, async |tx| {
            follow_up::transmit(tx, provider, sheet.id, sheet.version).await
        })
        .await?;
        if i.is_multiple_of(2) {
            let read = on(db, end + Duration::days(3 + (i % 3) as i64), 8 + i as u32);
            act(&read, async |tx| {
                follow_up::mark_read(tx, m.referent, sheet.id).await
            })
            .await?;
        }
        if Some(i) != leaves {
            // With the sheet in hand, the referent closes the action's step of the path.
            let closed = on(db, end + Duration::days(3), 17);
            close_step(&closed, m.referent, &m.action_step, None, ACTION_DONE).await?;
        }
    }
    for (m, (next, from)) in members.iter().zip(next) {
        afterwards(db, m, from, next, seq).await?;
    }
    Ok(())
}

/// The provider starts the action on `db`'s clock and collects each member's ESF+ entry data
/// for the convention's operation (the answers given at entry into the PLIE). Returns the
/// running cohort and the members' records, in the members' order.
pub(super) async fn start_action(
    db: &Db,
    provider: &Principal,
    cohort: Cohort,
    members: &[Member<'_>],
) -> Result<(Cohort, Vec<EsfRecord>)> {
    let cohort = act(db, async |tx| {
        cohorts::set_status(
            tx,
            provider,
            cohort.id,
            cohort.version,
            CohortStatus::Running,
        )
        .await
    })
    .await?;
    let operation = Operation::Convention(cohort.convention_id);
    let mut records = Vec::with_capacity(members.len());
    for m in members {
        let start = Some(cohort.start_date);
        records.push(esf::enter(db, provider, m.id, operation, start, m.esf_entry).await?);
    }
    Ok((cohort, records))
}

/// Record one session's attendance on its day, as the provider would from the paper sheet.
/// The member at `gone` (who dropped out) has no line any more.
pub(super) async fn attend(
    db: &Db,
    provider: &Principal,
    session: &Session,
    members: &[Member<'_>],
    gone: Option<usize>,
    seq: &mut Seq,
) -> Result<()> {
    let lines = members
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != gone)
        .map(|(_, m)| {
            let presence = match seq.next(100) {
                0..82 => "present",
                82..90 => "late",
                90..95 => "excused",
                _ => "absent",
            };
            AttendanceLine {
                participant_id: m.id.0,
                presence,
                signature: None,
                signature_digest: None,
                signed_on_paper: matches!(presence, "present" | "late"),
            }
        })
        .collect();
    let key = format!("demo-{}", session.id.0);
    act(&on(db, session.day, 12), async |tx| {
        cohorts::record_attendance(tx, provider, session.id, lines, &key).await
    })
    .await?;
    Ok(())
}
