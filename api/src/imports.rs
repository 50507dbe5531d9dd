//! `POST /imports/participants?mode=preview|import`: steering's bulk import of participants
//! from a CSV file, sent as the body with `Content-Type: text/csv` (other types 415), read
//! under a 2 MiB cap (413). The domain reads the file and decides; this answers its report as
//! JSON: 200 for a preview and for a written import, 422 `VALIDATION` with the same lines when
//! an import is refused for their errors, 400 `VALIDATION` with `extensions.field` when the
//! file itself cannot be read (`file`) or the mode is wrong (`mode`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Limited};
use parcours_domain::DomainError;
use parcours_domain::participants::import::{
    self, ImportMode, ImportReport, ImportedRow, MAX_BYTES, RowAction,
};
use serde_json::{Value, json};

use crate::errors;
use crate::graphql::ids;
use crate::http::{Bearer, Caller, MediaType, Params, Refusal, error_response, refuse};
use crate::state::GraphqlState;
use parcours_domain::db::Mode;

/// The query string.
#[derive(serde::Deserialize)]
pub struct ImportQuery {
    mode: Option<String>,
    /// `true`: create lines even where a participant with the same name and birth date exists
    /// (otherwise such a line is an error on `row`).
    #[serde(rename = "allowDuplicates")]
    allow_duplicates: Option<String>,
}

/// Preview or import the file.
pub async fn participants(
    // The token first; the transaction's mode depends on `mode`, so it opens below.
    bearer: Bearer,
    State(state): State<Arc<GraphqlState>>,
    Params(query): Params<ImportQuery>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let rid = bearer.request_id.as_str();
    let result = async {
        let as_json = |r| error_response(r, MediaType::Json);
        let fail = |e: DomainError| as_json(Refusal::from_domain(e, rid));
        let mode = match query.mode.as_deref() {
            Some("preview") => ImportMode::Preview,
            Some("import") => ImportMode::Import,
            _ => {
                return Err(fail(DomainError::validation(
                    "mode",
                    "must be preview or import",
                )));
            }
        };
        let allow_duplicates = match query.allow_duplicates.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(fail(DomainError::validation(
                    "allowDuplicates",
                    "must be true or false",
                )));
            }
        };
        let tx_mode = match mode {
            ImportMode::Preview => Mode::Read,
            ImportMode::Import => Mode::write(),
        };
        let caller = bearer.open(&state, tx_mode).await.map_err(as_json)?;
        let Caller { tx, principal, .. } = &caller;
        // Refused before the body is read.
        import::authorize(principal).map_err(fail)?;
        let essence = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase());
        if essence.as_deref() != Some("text/csv") {
            return Err(error_response(
                refuse(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    errors::UNSUPPORTED_MEDIA_TYPE,
                    "send the file as the body, with Content-Type: text/csv",
                ),
                MediaType::Json,
            ));
        }
        let bytes = match Limited::new(body, MAX_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(err) if err.is::<http_body_util::LengthLimitError>() => {
                return Err(error_response(
                    refuse(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        errors::PAYLOAD_TOO_LARGE,
                        format!("an import file is at most {MAX_BYTES} bytes: split it"),
                    ),
                    MediaType::Json,
                ));
            }
            Err(_) => {
                return Err(error_response(
                    refuse(
                        StatusCode::BAD_REQUEST,
                        errors::BAD_REQUEST,
                        "the body could not be read",
                    ),
                    MediaType::Json,
                ));
            }
        };
        let report = import::import(
            tx,
            principal,
            &bytes,
            mode,
            participant_uuid,
            allow_duplicates,
        )
        .await
        .map_err(fail)?;
        caller.finish().await.map_err(as_json)?;
        Ok(answer(&report))
    }
    .await;
    result.unwrap_or_else(|response| response)
}

/// The UUID of a `Participant` global ID.
fn participant_uuid(raw: &str) -> Option<uuid::Uuid> {
    match ids::decode_any(raw) {
        Some((kind, uuid)) if kind == "Participant" => Some(uuid),
        _ => None,
    }
}

fn answer(report: &ImportReport) -> Response {
    let mut body = json!({
        "mode": match report.mode {
            ImportMode::Preview => "preview",
            ImportMode::Import => "import",
        },
        "rows": report.rows.iter().map(row).collect::<Vec<_>>(),
        "creates": report.creates(),
        "updates": report.updates(),
        "errorCount": report.error_count(),
        "imported": report.imported,
    });
    if report.mode == ImportMode::Import && !report.imported {
        let lines = report.rows.iter().filter(|r| !r.errors.is_empty()).count();
        body["errors"] = json!([{
            "message": format!(
                "{} errors on {lines} lines: nothing was imported",
                report.error_count()
            ),
            "extensions": { "code": errors::VALIDATION },
        }]);
        return json_response(StatusCode::UNPROCESSABLE_ENTITY, &body);
    }
    json_response(StatusCode::OK, &body)
}

fn row(r: &ImportedRow) -> Value {
    json!({
        "line": r.line,
        "action": match r.action {
            RowAction::Create => "create",
            RowAction::Update => "update",
        },
        "participantId": r.participant_id.map(|id| ids::encode("Participant", id.0).0),
        "errors": r.errors.iter()
            .map(|e| json!({ "field": e.field, "message": e.message }))
            .collect::<Vec<_>>(),
    })
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}
