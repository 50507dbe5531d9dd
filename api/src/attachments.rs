//! `POST /attachments` and `GET /attachments/{id}`: files of submissions over plain
//! authenticated HTTP (not GraphQL multipart). The body is read under the size cap (413); the
//! type must be allowed (415); the domain decides who may read a file (others: 404).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Limited};
use parcours_domain::attachments::{self, MAX_BYTES};
use parcours_domain::ids::AttachmentId;
use serde_json::json;

use crate::errors;
use crate::graphql::ids;
use crate::http::{
    Caller, MediaType, Params, PathParam, Read, Refusal, Write, error_response, refuse,
};
use crate::state::GraphqlState;

/// Query of an upload.
#[derive(serde::Deserialize)]
pub struct UploadQuery {
    filename: Option<String>,
}

/// Upload a file for the caller's structure; answers 201 with its ID.
pub async fn upload(
    caller: Caller<Write>,
    State(state): State<Arc<GraphqlState>>,
    Params(query): Params<UploadQuery>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let Caller {
        principal,
        request_id: rid,
        ..
    } = &caller;
    let result = async {
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let filename = query.filename.ok_or_else(|| {
            refuse(
                StatusCode::BAD_REQUEST,
                errors::VALIDATION,
                "the filename parameter is required",
            )
        })?;
        let bytes = match Limited::new(body, MAX_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(err) if err.is::<http_body_util::LengthLimitError>() => {
                return Err(refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    errors::PAYLOAD_TOO_LARGE,
                    format!("a file is at most {MAX_BYTES} bytes"),
                ));
            }
            Err(_) => {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    errors::BAD_REQUEST,
                    "the body could not be read",
                ));
            }
        };
        let stored = attachments::upload(
            &caller.tx,
            &state.files,
            principal,
            &filename,
            &content_type,
            bytes,
        )
        .await
        .map_err(|e| Refusal::from_domain(e, rid))?;
        if let Err(refusal) = caller.finish().await {
            if let Some(tenant) = principal.tenant() {
                attachments::forget(&state.files, tenant.id, &stored).await;
            }
            return Err(refusal);
        }
        Ok::<_, Refusal>(
            (
                StatusCode::CREATED,
                axum::Json(json!({
                    "id": ids::encode("Attachment", stored.id.0).0,
                    "filename": stored.filename,
                    "contentType": stored.content_type,
                    "sizeBytes": stored.size_bytes,
                })),
            )
                .into_response(),
        )
    }
    .await;
    result.unwrap_or_else(|refusal| error_response(refusal, MediaType::Json))
}

/// Download a file the caller may read.
pub async fn download(
    caller: Caller<Read>,
    State(state): State<Arc<GraphqlState>>,
    PathParam(id): PathParam,
) -> Response {
    let Caller {
        tx,
        principal,
        request_id: rid,
        ..
    } = &caller;
    let result = async {
        let id = ids::decode(&async_graphql::ID(id), "Attachment", "attachment")
            .map(AttachmentId)
            .map_err(|e| Refusal::from_domain(e, rid))?;
        let (meta, content) = attachments::download(tx, &state.files, principal, id)
            .await
            .map_err(|e| Refusal::from_domain(e, rid))?;
        caller.finish().await?;
        let mut response = Response::new(Body::from(content));
        let headers = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&meta.content_type) {
            headers.insert(CONTENT_TYPE, v);
        }
        headers.insert(
            CONTENT_DISPOSITION,
            crate::http::content_disposition("attachment", &meta.filename),
        );
        Ok::<_, Refusal>(response)
    }
    .await;
    result.unwrap_or_else(|refusal| error_response(refusal, MediaType::Json))
}
