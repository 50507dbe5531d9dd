//! `GET /esf/export?operationId=…&from=…&to=…`: an operation's ESF+ records over a period, as
//! CSV for a spreadsheet — UTF-8 with a byte-order mark, `;` between fields, CRLF line ends,
//! fields quoted when they hold `;`, `"` or a line break, and a leading `'` on any text that a
//! spreadsheet would run as a formula. Columns: see [`HEADER`] and the README. The `disability`
//! column is a sensitive read: the domain records one access entry per exported participant
//! before it hands the rows over, so no file leaves without them (`UNAVAILABLE` otherwise).

use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use parcours_domain::DomainError;
use parcours_domain::esf::{self, Export};
use parcours_domain::indicators::Period;

use crate::http::{Caller, MediaType, Params, Read, Refusal, error_response};

/// The query string.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportQuery {
    operation_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The columns, in order.
pub const HEADER: [&str; 24] = [
    "record_id",
    "participant_id",
    "last_name",
    "first_name",
    "operation",
    "entry_date",
    "gender",
    "age_band",
    "isced_band",
    "employment_status",
    "disability",
    "third_country_national",
    "foreign_background",
    "minority",
    "homeless",
    "rural_area",
    "exit_date",
    "exit_job_searching",
    "exit_in_education_or_training",
    "exit_qualification_gained",
    "exit_in_employment",
    "later_in_employment",
    "later_improved_situation",
    "missing_items",
];

fn date(field: &str, raw: Option<&str>) -> Result<NaiveDate, DomainError> {
    raw.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .ok_or_else(|| DomainError::validation(field, "a date, YYYY-MM-DD"))
        .and_then(|d| parcours_domain::paris::within_range(field, d))
}

/// The CSV.
pub async fn esf_export(caller: Caller<Read>, Params(query): Params<ExportQuery>) -> Response {
    let Caller {
        tx,
        principal,
        request_id: rid,
        ..
    } = &caller;
    let result = async {
        let fail = |e: DomainError| Refusal::from_domain(e, rid);
        let operation = crate::graphql::esf_operation(
            principal,
            &async_graphql::ID(query.operation_id.clone().unwrap_or_default()),
        )
        .map_err(fail)?;
        let from = date("from", query.from.as_deref()).map_err(fail)?;
        let to = date("to", query.to.as_deref()).map_err(fail)?;
        let period = Period::new(from, to).map_err(fail)?;
        // The export and its access entries, committed before the file leaves.
        let export = esf::export(tx, principal, operation, period)
            .await
            .map_err(fail)?;
        caller.finish().await?;
        let mut response = csv(&export).into_response();
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        response.headers_mut().insert(
            CONTENT_DISPOSITION,
            crate::http::content_disposition("attachment", &format!("fse-{from}-{to}.csv")),
        );
        Ok::<_, Refusal>(response)
    }
    .await;
    result.unwrap_or_else(|refusal| error_response(refusal, MediaType::Json))
}

/// One field, quoted where needed, defused where a spreadsheet would see a formula.
fn field(out: &mut String, value: &str) {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([';', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&value);
    }
}

fn flag(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "1",
        Some(false) => "0",
        None => "",
    }
}

/// The file.
fn csv(export: &Export) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADER.join(";"));
    out.push_str("\r\n");
    for row in &export.rows {
        let r = &row.record;
        let x = r.exit;
        let cells: [String; 24] = [
            crate::graphql::ids::encode("EsfRecord", r.id.0).0,
            crate::graphql::ids::encode("Participant", r.participant_id.0).0,
            row.last_name.clone().unwrap_or_default(),
            row.first_name.clone().unwrap_or_default(),
            export.operation.clone(),
            r.entry_date.to_string(),
            r.gender.clone(),
            r.age_band
                .map(|a| a.as_str())
                .unwrap_or_default()
                .to_owned(),
            r.isced_band.as_str().to_owned(),
            r.employment_status.as_str().to_owned(),
            flag(Some(r.disability)).to_owned(),
            flag(r.entry.third_country_national).to_owned(),
            flag(r.entry.foreign_background).to_owned(),
            flag(r.entry.minority).to_owned(),
            flag(r.entry.homeless).to_owned(),
            flag(r.entry.rural_area).to_owned(),
            x.map(|x| x.date.to_string()).unwrap_or_default(),
            flag(x.and_then(|x| x.job_searching)).to_owned(),
            flag(x.and_then(|x| x.in_education_or_training)).to_owned(),
            flag(x.and_then(|x| x.qualification_gained)).to_owned(),
            flag(x.and_then(|x| x.in_employment)).to_owned(),
            flag(r.later.in_employment).to_owned(),
            flag(r.later.improved_situation).to_owned(),
            row.missing.join(" "),
        ];
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            field(&mut out, cell);
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_defused() {
        let f = |v: &str| {
            let mut s = String::new();
            field(&mut s, v);
            s
        };
        assert_eq!(f("Lefèvre"), "Lefèvre");
        assert_eq!(f("a;b"), "\"a;b\"");
        assert_eq!(f("dit \"Jo\""), "\"dit \"\"Jo\"\"\"");
        assert_eq!(f("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(f("-"), "'-");
    }
}
