//! GraphiQL, served whole by the binary (development only): the page and a pinned release of
//! GraphiQL with its dependencies, so that the documentation explorer, autocompletion and the
//! headers tab work on a machine without internet. The files are the packages' own builds as
//! published on npm (versions and licences in `api/assets/graphiql/README.md`).

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The page, at `GET /graphql` with `Accept: text/html`.
pub const PAGE: &str = include_str!("graphiql.html");

/// The files under `/graphiql/`: name, media type, content.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.css"),
    ),
];

/// `GET /graphiql/{file}`: one of the files the page loads, cached for a day (their names do
/// not change within a release of the binary); anything else 404.
pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, ..)| *name == file) {
        Some((_, media, content)) => (
            [
                (CONTENT_TYPE, HeaderValue::from_static(media)),
                (
                    CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                ),
            ],
            *content,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
