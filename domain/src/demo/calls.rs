//! The seed call, replayed at its real dates (the clock is set for each step); a call of this
//! year replayed the same way, a few months back, so that a convention is in force today; and
//! a call open now so that a newcomer can answer it through GraphiQL.

use super::act;
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::calls::{self, CallFields, NewQuestion, ParisTime};
use crate::conventions::{self, AmendmentKind, Convention, NewAmendment};
use crate::db::{Clock, Db};
use crate::error::Result;
use crate::ids::ConventionId;
use crate::money::Money;
use crate::principal::Principal;
use crate::submissions::{self, DraftFields};

pub(super) fn at(db: &Db, instant: DateTime<Utc>) -> Db {
    db.clone().with_clock(Clock::from_fn(move || instant))
}

/// `db` with its clock stopped at `hour`:00 UTC on `day`.
pub(super) fn on(db: &Db, day: NaiveDate, hour: u32) -> Db {
    let time = NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default();
    at(db, day.and_time(time).and_utc())
}

/// The same, but never later than `db`'s own clock: for what happens today, in the hours that
/// may not have come yet.
pub(super) fn by(db: &Db, day: NaiveDate, hour: u32) -> Db {
    let time = NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default();
    at(db, day.and_time(time).and_utc().min(db.clock().now()))
}

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn questions() -> Vec<NewQuestion> {
    [
        (
            "Présentation de la structure et de son expérience auprès du public du PLIE",
            true,
        ),
        (
            "Contenu et méthodes de l'action (diagnostics FLE, mobilité, CléA)",
            true,
        ),
        ("Calendrier des entrées et organisation des séances", true),
        (
            "Partenariats mobilisés (Mission locale, plateforme mobilité)",
            false,
        ),
    ]
    .into_iter()
    .map(|(text, required)| NewQuestion {
        text: text.into(),
        required,
    })
    .collect()
}

fn fields(reference: &str, opens: NaiveDate, deadline: NaiveDate, start: NaiveDate) -> CallFields {
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
    let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default();
    CallFields {
        reference: Some(reference.into()),
        title: Some("Action de remobilisation autour des compétences".into()),
        summary: Some(
            "Groupes de 8 à 12 participants toutes les 3 semaines, diagnostics FLE, mobilité et CléA"
                .into(),
        ),
        specification: Some(
            "# Cahier des charges\n\n120 participants par an, entrées toutes les 3 semaines, \
             séances à temps partiel en journée. Émargement, données FSE, fiche de suivi, bilans."
                .into(),
        ),
        budget_cap: Money::from_cents(4_000_000).ok(),
        target_participants_per_year: Some(120),
        group_size_min: Some(8),
        group_size_max: Some(12),
        cadence_weeks: Some(3),
        // Five mornings a week at most: half-time.
        max_half_days_per_week: Some(5),
        opens: Some(ParisTime { date: opens, time: nine }),
        deadline: Some(ParisTime { date: deadline, time: five }),
        expected_start: Some(start),
        questions: Some(questions()),
    }
}

fn answers() -> DraftFields {
    DraftFields {
        answers: Some(
            [
                ("q1", "Organisme de formation implanté aux Grésilles depuis 2005."),
                ("q2", "Trois semaines à mi-temps : positionnement CléA, diagnostic FLE, atelier mobilité."),
                ("q3", "Une entrée toutes les trois semaines à partir de février."),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        ),
        requested_amount: None,
        budget_lines: None,
        attachment_ids: None,
    }
}

/// The demo's conventions.
pub(super) struct Conventions {
    /// The seed call's, of 2018, to which the replayed cohorts of 2018 belong.
    pub seed: Option<ConventionId>,
    /// One in force today, to which the cohort running this week belongs.
    pub current: Option<ConventionId>,
}

/// Load the seed call (decided, with its convention and one amendment), a call decided a few
/// months ago whose convention is in force today, and an open call.
pub(super) async fn load(
    db: &Db,
    steering: &Principal,
    providers: &[Principal],
) -> Result<Conventions> {
    let seed = replay(
        db,
        steering,
        providers,
        "AAP-2017-REMOBILISATION",
        date(2017, 12, 21),
        date(2018, 2, 1),
    )
    .await?;
    if let Some(c) = &seed {
        let amended = at(db, utc(2019, 1, 15, 10));
        act(&amended, async |tx| {
            conventions::add_amendment(
                tx,
                steering,
                NewAmendment {
                    convention_id: c.id,
                    version: c.version,
                    kind: AmendmentKind::Extension,
                    description: "Reconduction pour une deuxième année".into(),
                    signed_on: date(2019, 1, 15),
                    new_end_date: None,
                    new_amount: None,
                },
            )
            .await
        })
        .await?;
    }

    // The action goes on today under a convention of this year: its call, answered and
    // decided a few months ago, replayed like the seed one. The convention starts on the first
    // of a month at least two weeks before this week's Monday, so that a cohort starting this
    // week (and ending three weeks later) fits in its year.
    let today = crate::paris::wall_clock(db.clock().now()).date();
    let monday = super::this_week::monday_of(today);
    let start = (monday - Duration::days(14))
        .with_day(1)
        .unwrap_or(monday - Duration::days(14));
    let deadline = start - Duration::days(42);
    let current = replay(
        db,
        steering,
        providers,
        &format!("AAP-{}-REMOBILISATION", deadline.format("%Y-%m")),
        deadline,
        start,
    )
    .await?;

    // A call open now: answer it from GraphiQL with a provider token.
    let open = act(db, async |tx| {
        calls::create(
            tx,
            steering,
            fields(
                &format!("AAP-{}-REMOBILISATION", today.format("%Y")),
                today - Duration::days(7),
                today + Duration::days(30),
                today + Duration::days(60),
            ),
        )
        .await
    })
    .await?;
    act(db, async |tx| {
        calls::publish(tx, steering, open.id, 1).await
    })
    .await?;
    Ok(Conventions {
        seed: seed.map(|c| c.id),
        current: current.map(|c| c.id),
    })
}

/// Replay a call for the action whose deadline is `deadline` (17:00, Paris time) and whose
/// action starts on `start`, each step at the time it took for the seed call: created six days
/// before it opens, two weeks before the deadline; each provider answers (the first at the cap,
/// the second below, the third above it, brought down to the cap); steering reviews twenty days
/// after the deadline and accepts the first provider's, and signs the one-year convention a
/// week before the start. Returns the convention.
async fn replay(
    db: &Db,
    steering: &Principal,
    providers: &[Principal],
    reference: &str,
    deadline: NaiveDate,
    start: NaiveDate,
) -> Result<Option<Convention>> {
    let opens = deadline - Duration::days(14);
    let t0 = on(db, opens - Duration::days(6), 9);
    let call = act(&t0, async |tx| {
        calls::create(tx, steering, fields(reference, opens, deadline, start)).await
    })
    .await?;
    act(&t0, async |tx| {
        calls::publish(tx, steering, call.id, 1).await
    })
    .await?;
    let amounts = [4_000_000, 3_850_000, 4_200_000];
    let mut submitted = Vec::new();
    for (i, (provider, cents)) in providers.iter().zip(amounts).enumerate() {
        let t = on(db, opens + Duration::days(5 + 3 * i as i64), 10);
        let mut draft = answers();
        draft.requested_amount = Money::from_cents(cents.min(4_000_000)).ok();
        let s = act(&t, async |tx| {
            submissions::create(tx, provider, call.id, draft).await
        })
        .await?;
        let s = act(&t, async |tx| {
            submissions::submit(tx, provider, s.id, 1).await
        })
        .await?;
        submitted.push(s);
    }
    let decided = deadline + Duration::days(20);
    let review = on(db, decided, 14);
    let mut accepted = None;
    for (i, s) in submitted.iter().enumerate() {
        let s = act(&review, async |tx| {
            submissions::start_review(tx, steering, s.id, s.version).await
        })
        .await?;
        let yes = i == 0;
        let reason = if yes {
            "Projet complet, partenariats solides, coût par participant maîtrisé"
        } else {
            "Projet moins adapté au public du PLIE que le projet retenu"
        };
        let s = act(&review, async |tx| {
            submissions::record_decision(tx, steering, s.id, s.version, yes, reason, decided).await
        })
        .await?;
        if yes {
            accepted = Some(s);
        }
    }
    let Some(s) = accepted else {
        return Ok(None);
    };
    let signed = on(db, start - Duration::days(7), 10);
    let c = act(&signed, async |tx| {
        conventions::create(
            tx,
            steering,
            conventions::write_input(s.id, None, None, start, None),
        )
        .await
    })
    .await?;
    Ok(Some(c))
}
