//! `GET /cohorts/{id}/attendance-sheet?week=N`: the printable attendance sheet of a cohort's
//! week, as PDF. The domain decides who may have it and what it prints; this renders it.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use parcours_domain::DomainError;
use parcours_domain::cohorts::{self, HalfDay};
use parcours_domain::ids::CohortId;

use crate::attachments::domain_refusal;
use crate::graphql::ids;
use crate::http::{GraphqlState, MediaType, Refusal, authenticate_request, error_response};

/// Which week.
#[derive(serde::Deserialize)]
pub struct SheetQuery {
    week: Option<u32>,
}

const DAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];

/// The PDF.
pub async fn attendance_sheet(
    State(state): State<Arc<GraphqlState>>,
    Path(id): Path<String>,
    Query(query): Query<SheetQuery>,
    headers: HeaderMap,
) -> Response {
    let rid = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let result = async {
        let principal = authenticate_request(&state, &headers, &rid).await?;
        let fail = |e: DomainError| domain_refusal(e, &rid);
        let id = ids::decode(&async_graphql::ID(id), "Cohort", "cohort")
            .map(CohortId)
            .map_err(fail)?;
        let sheet = cohorts::week_sheet(&state.db, &principal, id, query.week.unwrap_or(1))
            .await
            .map_err(fail)?;
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
                format!("{weekday} {}\n{half}", s.day.format("%d/%m"))
            })
            .collect();
        let names: Vec<String> = sheet
            .names
            .iter()
            .map(|(last, first)| format!("{} {first}", last.to_uppercase()))
            .collect();
        let (week, from, to) = (sheet.week, sheet.from, sheet.to);
        let cohort = sheet.cohort;
        let bytes = crate::pdf::attendance_sheet(
            &format!("Feuille d'émargement — {}", cohort.label),
            &format!(
                "Semaine {week} : du {} au {}",
                from.format("%d/%m/%Y"),
                to.format("%d/%m/%Y")
            ),
            &sessions,
            &names,
        );
        let mut response = bytes.into_response();
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
        if let Ok(v) = HeaderValue::from_str(&format!(
            "inline; filename=\"emargement-semaine-{week}.pdf\""
        )) {
            response.headers_mut().insert(CONTENT_DISPOSITION, v);
        }
        Ok::<_, Refusal>(response)
    }
    .await;
    result.unwrap_or_else(|refusal| error_response(refusal, MediaType::Json))
}
