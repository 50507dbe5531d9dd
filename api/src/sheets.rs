//! Printable documents, as PDF: `GET /cohorts/{id}/attendance-sheet?week=N` (a cohort week's
//! attendance sheet) and `GET /follow-up-sheets/{id}` (a member's follow-up sheet). The domain
//! decides who may have them and what they hold; this renders them in French.

use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use parcours_domain::DomainError;
use parcours_domain::cohorts::{self, HalfDay, Presence};
use parcours_domain::diagnostics::{Acquisition, CLEA_DOMAINS, Cefr, clea_summary};
use parcours_domain::follow_up::{self, SheetDocument, SheetStatus};
use parcours_domain::ids::{CohortId, FollowUpSheetId};

use crate::graphql::ids;
use crate::http::{Caller, MediaType, Params, PathParam, Read, Refusal, error_response};
use crate::pdf::Line;

/// Which week.
#[derive(serde::Deserialize)]
pub struct SheetQuery {
    /// The week of the cohort, from 1 (default 1); read here, so that a malformed one is a
    /// coded `VALIDATION` on `week` like an out-of-range one.
    week: Option<String>,
}

const DAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];

/// The PDF.
pub async fn attendance_sheet(
    caller: Caller<Read>,
    PathParam(id): PathParam,
    Params(query): Params<SheetQuery>,
) -> Response {
    let Caller {
        tx,
        principal,
        request_id: rid,
        ..
    } = &caller;
    let result = async {
        let fail = |e: DomainError| Refusal::from_domain(e, rid);
        let id = ids::decode(&async_graphql::ID(id), "Cohort", "cohort")
            .map(CohortId)
            .map_err(fail)?;
        let week = match query.week.as_deref() {
            None => 1,
            Some(text) => text.parse::<u32>().map_err(|_| {
                fail(DomainError::validation(
                    "week",
                    "must be a week number of the cohort, from 1",
                ))
            })?,
        };
        let sheet = cohorts::week_sheet(tx, principal, id, week)
            .await
            .map_err(fail)?;
        caller.finish().await?;
        let sessions: Vec<String> = sheet
            .sessions
            .iter()
            .map(|s| {
                let weekday =
                    DAYS[chrono::Datelike::weekday(&s.day).num_days_from_monday() as usize];
                let half = match s.half_day {
                    HalfDay::Morning => "matin",
                    HalfDay::Afternoon => "après-midi",
                };
                format!(
                    "{weekday} {}\n{half}\n{}–{}",
                    s.day.format("%d/%m"),
                    s.hours.start.format("%H:%M"),
                    s.hours.end.format("%H:%M")
                )
            })
            .collect();
        let rows: Vec<crate::pdf::SheetRow> = sheet
            .members
            .iter()
            .map(|m| crate::pdf::SheetRow {
                name: match m.dropped_out_on {
                    Some(on) => format!(
                        "{} {}\nsorti(e) le {}",
                        m.last_name.to_uppercase(),
                        m.first_name,
                        on.format("%d/%m/%Y")
                    ),
                    None => format!("{} {}", m.last_name.to_uppercase(), m.first_name),
                },
                // No box to sign after the member's last day.
                signs: sheet
                    .sessions
                    .iter()
                    .map(|s| m.dropped_out_on.is_none_or(|on| s.day <= on))
                    .collect(),
            })
            .collect();
        let (week, from, to) = (sheet.week, sheet.from, sheet.to);
        let cohort = sheet.cohort;
        let bytes = crate::pdf::attendance_sheet(
            &format!("Feuille d'émargement — {}", cohort.label),
            &format!(
                "{} — action conduite par {} (convention {})\nLieu : {}\nSemaine {week} : du {} au {} ; action du {} au {}",
                sheet.plie,
                sheet.provider,
                sheet.convention,
                cohort.place.as_deref().unwrap_or("non renseigné"),
                from.format("%d/%m/%Y"),
                to.format("%d/%m/%Y"),
                cohort.start_date.format("%d/%m/%Y"),
                cohort.end_date.format("%d/%m/%Y"),
            ),
            &sessions,
            &rows,
        );
        Ok::<_, Refusal>(pdf_response(
            bytes,
            &format!("emargement-semaine-{week}.pdf"),
        ))
    }
    .await;
    result.unwrap_or_else(|refusal| error_response(refusal, MediaType::Json))
}

fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    let mut response = bytes.into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    response.headers_mut().insert(
        CONTENT_DISPOSITION,
        crate::http::content_disposition("inline", filename),
    );
    response
}

/// The PDF of a follow-up sheet, for whoever may read the sheet.
pub async fn follow_up_sheet(caller: Caller<Read>, PathParam(id): PathParam) -> Response {
    let Caller {
        tx,
        principal,
        request_id: rid,
        ..
    } = &caller;
    let result = async {
        let fail = |e: DomainError| Refusal::from_domain(e, rid);
        let id = ids::decode(&async_graphql::ID(id), "FollowUpSheet", "follow-up sheet")
            .map(FollowUpSheetId)
            .map_err(fail)?;
        let doc = follow_up::document(tx, principal, id).await.map_err(fail)?;
        caller.finish().await?;
        Ok::<_, Refusal>(pdf_response(
            crate::pdf::document(&follow_up_lines(&doc)),
            "fiche-de-suivi.pdf",
        ))
    }
    .await;
    result.unwrap_or_else(|refusal| error_response(refusal, MediaType::Json))
}

fn cefr(level: Cefr) -> &'static str {
    match level {
        Cefr::PreA1 => "pré-A1",
        Cefr::A1_1 => "A1.1",
        Cefr::A1 => "A1",
        Cefr::A2 => "A2",
        Cefr::B1 => "B1",
        Cefr::B2 => "B2",
        Cefr::C1 => "C1",
        Cefr::C2 => "C2",
    }
}

fn yes(b: bool) -> &'static str {
    if b { "oui" } else { "non" }
}

/// What a follow-up sheet prints, in French.
fn follow_up_lines(doc: &SheetDocument) -> Vec<Line> {
    let (sheet, cohort) = (&doc.sheet, &doc.cohort);
    let a = sheet.attendance;
    let mut lines = vec![
        Line::Title(format!(
            "Fiche de suivi — {} {}",
            doc.name.0.to_uppercase(),
            doc.name.1
        )),
        Line::Text(format!(
            "{} — action conduite par {} (convention {})",
            doc.heading.plie, doc.heading.provider, doc.heading.convention
        )),
        Line::Text(format!(
            "{}, du {} au {} ; lieu : {}",
            cohort.label,
            cohort.start_date.format("%d/%m/%Y"),
            cohort.end_date.format("%d/%m/%Y"),
            cohort.place.as_deref().unwrap_or("non renseigné")
        )),
    ];
    if let Some((on, reason)) = &doc.dropped_out {
        lines.push(Line::Text(format!(
            "Sorti(e) de l'action le {}{}",
            on.format("%d/%m/%Y"),
            reason
                .as_deref()
                .map(|r| format!(" : {r}"))
                .unwrap_or_default()
        )));
    }
    lines.push(Line::Heading("Séances".into()));
    for (s, presence) in &doc.sessions {
        let weekday = DAYS[chrono::Datelike::weekday(&s.day).num_days_from_monday() as usize];
        lines.push(Line::Text(format!(
            "{weekday} {}, {}, {}–{} : {}",
            s.day.format("%d/%m/%Y"),
            match s.half_day {
                HalfDay::Morning => "matin",
                HalfDay::Afternoon => "après-midi",
            },
            s.hours.start.format("%H:%M"),
            s.hours.end.format("%H:%M"),
            match presence {
                Some(Presence::Present) => "présent(e)",
                Some(Presence::Late) => "en retard",
                Some(Presence::Excused) => "absence excusée",
                Some(Presence::Absent) => "absent(e)",
                None => "non renseigné",
            }
        )));
    }
    lines.extend([
        Line::Heading("Assiduité".into()),
        Line::Text(format!(
            "Séances prévues : {} ; présent : {} ; en retard : {} ; excusé : {} ; absent : {} ; non renseigné : {}",
            a.planned,
            a.present,
            a.late,
            a.excused,
            a.absent,
            a.unrecorded()
        )),
        Line::Text(match a.rate_percent() {
            Some(rate) => format!("Taux de présence : {rate} %"),
            None => "Taux de présence : sans objet (aucune séance)".into(),
        }),
    ]);
    match &doc.diagnostic {
        None => lines.push(Line::Heading("Diagnostic : non réalisé".into())),
        Some(d) => {
            let c = &d.content;
            lines.push(Line::Heading(format!(
                "Diagnostic ({})",
                if d.is_final {
                    "définitif"
                } else {
                    "brouillon"
                }
            )));
            lines.push(Line::Text(format!(
                "Français (CECRL) : compréhension orale {}, compréhension écrite {}, expression orale {}, expression écrite {} ; formation FLE nécessaire : {}",
                cefr(c.fle.listening),
                cefr(c.fle.reading),
                cefr(c.fle.speaking),
                cefr(c.fle.writing),
                yes(c.fle.training_needed)
            )));
            let m = &c.mobility;
            lines.push(Line::Text(format!(
                "Mobilité : permis de conduire {} ; véhicule {} ; autonomie en transports en commun {} ; trajet acceptable {} min ; freins psychologiques {} ; orientation vers la plateforme mobilité {}",
                yes(m.driving_licence),
                yes(m.vehicle_access),
                yes(m.public_transport_autonomy),
                m.acceptable_commute_minutes,
                yes(m.psychological_barriers),
                yes(m.platform_referral)
            )));
            lines.push(Line::Text("Positionnement CléA :".into()));
            for (domain, acquisition) in CLEA_DOMAINS.iter().zip(&c.clea) {
                let level = match acquisition {
                    Acquisition::Acquired => "acquis",
                    Acquisition::PartlyAcquired => "partiellement acquis",
                    Acquisition::NotAcquired => "non acquis",
                };
                lines.push(Line::Text(format!(
                    "  – {}. {} : {level}",
                    domain.number(),
                    domain.french_name()
                )));
            }
            let summary = clea_summary(&c.clea, doc.clea_threshold_percent);
            lines.push(Line::Text(format!(
                "Part des points : {} % (seuil {} %) ; modules à travailler : {}",
                summary.share_percent,
                summary.threshold_percent,
                if summary.modules_to_train.is_empty() {
                    "aucun".to_owned()
                } else {
                    summary
                        .modules_to_train
                        .iter()
                        .map(|d| format!("{} ({})", d.number(), d.french_name()))
                        .collect::<Vec<_>>()
                        .join(" ; ")
                }
            )));
            lines.push(Line::Text(format!(
                "Orientation vers le dispositif régional d'accès à la qualification (DAQ) : {}",
                yes(c.daq_orientation)
            )));
        }
    }
    lines.push(Line::Heading("Préconisations".into()));
    lines.push(Line::Text(if sheet.recommendations.is_empty() {
        "—".into()
    } else {
        sheet.recommendations.clone()
    }));
    lines.push(Line::Gap);
    lines.push(Line::Text(match (sheet.status, sheet.transmitted_at) {
        (SheetStatus::Transmitted, Some(at)) => format!(
            "Transmise le {} par {}",
            parcours_domain::paris::wall_clock(at).format("%d/%m/%Y à %H:%M"),
            sheet.transmitted_by.as_deref().unwrap_or("—")
        ),
        _ => "Brouillon : non transmise".into(),
    }));
    lines.push(Line::Gap);
    lines.push(Line::Text(
        "Intervenant(e) — nom et signature : ____________________________________".into(),
    ));
    lines
}
