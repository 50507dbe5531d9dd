//! `GET /cohorts/{id}/attendance-sheet?week=N`: the printable attendance sheet of a cohort's
//! week, as PDF, for steering and the cohort's provider (others: as the cohort answers them).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use parcours_domain::cohorts::{self, HalfDay, MemberStatus};
use parcours_domain::ids::CohortId;
use parcours_domain::{DomainError, Role, participants};

use crate::attachments::domain_refusal;
use crate::graphql::ids;
use crate::http::{GraphqlState, MediaType, Refusal, authenticate_request, error_response, refuse};

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
        let cohort = cohorts::get(&state.db, &principal, id)
            .await
            .map_err(fail)?;
        if principal.role() == Role::Referent {
            return Err(fail(DomainError::Forbidden(
                "attendance sheets are for steering and the cohort's provider",
            )));
        }
        let week = query.week.unwrap_or(1);
        let weeks = ((cohort.end_date - cohort.start_date).num_days() / 7 + 1) as u32;
        if week == 0 || week > weeks {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "VALIDATION",
                format!("week must be between 1 and {weeks}"),
            ));
        }
        let from = cohort.start_date + Duration::days(i64::from(week - 1) * 7);
        let to = from + Duration::days(6);
        let sessions: Vec<String> = cohorts::sessions(&state.db, &principal, id)
            .await
            .map_err(fail)?
            .into_iter()
            .filter(|s| s.day >= from && s.day <= to)
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
        let enrolled: Vec<_> = cohorts::members(&state.db, &principal, id)
            .await
            .map_err(fail)?
            .into_iter()
            .filter(|m| matches!(m.status, MemberStatus::Enrolled | MemberStatus::DroppedOut))
            .map(|m| m.participant_id)
            .collect();
        let people = participants::load_many(&state.db, &principal, &enrolled)
            .await
            .map_err(fail)?;
        let mut names: Vec<String> = people
            .values()
            .map(|p| {
                format!(
                    "{} {}",
                    p.last_name.as_deref().unwrap_or("—").to_uppercase(),
                    p.first_name.as_deref().unwrap_or("")
                )
            })
            .collect();
        names.sort();
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
