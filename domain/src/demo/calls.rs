//! The seed call, replayed at its real dates (the clock is set for each step), and a call open
//! now so that a newcomer can answer it through GraphiQL.

use super::act;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::calls::{self, CallFields, NewQuestion, ParisTime};
use crate::conventions::{self, AmendmentKind, NewAmendment};
use crate::db::{Clock, Db};
use crate::error::Result;
use crate::ids::ConventionId;
use crate::money::Money;
use crate::principal::Principal;
use crate::submissions::{self, DraftFields};

pub(super) fn at(db: &Db, instant: DateTime<Utc>) -> Db {
    db.clone().with_clock(Clock::from_fn(move || instant))
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

/// Load the seed call (decided, with its convention and one amendment) and an open call.
/// Returns the seed convention, to which the demo cohorts belong.
pub(super) async fn load(
    db: &Db,
    steering: &Principal,
    providers: &[Principal],
) -> Result<Option<ConventionId>> {
    let t0 = at(db, utc(2017, 12, 1, 9));
    let call = act(&t0, async |tx| {
        calls::create(
            tx,
            steering,
            fields(
                "AAP-2017-REMOBILISATION",
                date(2017, 12, 7),
                date(2017, 12, 21),
                date(2018, 2, 1),
            ),
        )
        .await
    })
    .await?;
    act(&t0, async |tx| {
        calls::publish(tx, steering, call.id, 1).await
    })
    .await?;
    let amounts = [4_000_000, 3_850_000, 4_200_000];
    let mut submitted = Vec::new();
    for (i, (provider, cents)) in providers.iter().zip(amounts).enumerate() {
        let t = at(db, utc(2017, 12, 12 + i as u32 * 3, 10));
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
    let review = at(db, utc(2018, 1, 10, 14));
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
            submissions::record_decision(
                tx,
                steering,
                s.id,
                s.version,
                yes,
                reason,
                date(2018, 1, 10),
            )
            .await
        })
        .await?;
        if yes {
            accepted = Some(s);
        }
    }
    let mut seed = None;
    if let Some(s) = accepted {
        let signed = at(db, utc(2018, 1, 25, 10));
        let c = act(&signed, async |tx| {
            conventions::create(
                tx,
                steering,
                conventions::write_input(s.id, None, None, date(2018, 2, 1), None),
            )
            .await
        })
        .await?;
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
        seed = Some(c.id);
    }

    // A call open now: answer it from GraphiQL with a provider token.
    let today = db.clock().now().date_naive();
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
    Ok(seed)
}
