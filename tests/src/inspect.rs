//! What a test reads outside the API: a tenant's rows as stored, a PDF's text and pages.

use crate::{TestApp, global_uuid};

/// Every value of every tenant-owned table of `tenant` (global ID), as text, read as the
/// runtime role: what a leak of personal data would show.
pub async fn dump_tenant(app: &TestApp, tenant: &str) -> String {
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let tenant = global_uuid(tenant).expect("tenant id");
    let db = sea_orm::Database::connect(app.config.database_url.as_str())
        .await
        .expect("connect");
    let backend = db.get_database_backend();
    let tx = db.begin().await.expect("begin");
    if backend == DbBackend::Postgres {
        tx.execute_raw(Statement::from_sql_and_values(
            backend,
            "SELECT set_config('app.tenant_id', $1, true)",
            [tenant.to_string().into()],
        ))
        .await
        .expect("set tenant");
    }
    let mut out = String::new();
    for table in [
        "tenant",
        "commune",
        "structure",
        "staff_member",
        "audit_entry",
        "participant",
        "path_step",
        "episode",
        "participant_exit",
    ] {
        let columns_sql = match backend {
            DbBackend::Postgres => format!(
                "SELECT column_name::text FROM information_schema.columns WHERE table_name = '{table}'"
            ),
            _ => format!("SELECT name FROM pragma_table_info('{table}')"),
        };
        let columns: Vec<String> = tx
            .query_all_raw(Statement::from_string(backend, columns_sql))
            .await
            .expect("columns")
            .iter()
            .filter_map(|r| r.try_get_by_index::<String>(0).ok())
            .collect();
        let expr = columns
            .iter()
            .map(|c| format!("coalesce(CAST({c} AS TEXT), '')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let rows = tx
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT {expr} FROM {table}"),
            ))
            .await
            .expect("rows");
        for row in rows {
            out.push_str(&row.try_get_by_index::<String>(0).unwrap_or_default());
            out.push('\n');
        }
    }
    tx.commit().await.expect("commit");
    out
}

/// The text of a PDF as `pdftotext` (poppler-utils) extracts it, layout kept; `None` when
/// `pdftotext` is not installed (then the caller's check does not run, and says so), except
/// under `CI=true`, where `.ci/run` installs it and its absence fails the test.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    use std::io::Write;
    let child = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "pdftotext is required when CI=true: {e}"
            );
            eprintln!("pdftotext not found ({e}): the PDF's text is not checked");
            return None;
        }
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(pdf)
        .expect("pdf written to pdftotext");
    let out = child.wait_with_output().expect("pdftotext ran");
    assert!(out.status.success(), "pdftotext read the PDF");
    Some(String::from_utf8(out.stdout).expect("UTF-8 text"))
}

/// Render the first page of a PDF to a PNG with `pdftoppm` into `dir` (to look at it); `false`
/// when `pdftoppm` is not installed.
pub fn pdf_to_png(pdf: &[u8], dir: &std::path::Path, name: &str) -> bool {
    let source = dir.join(format!("{name}.pdf"));
    std::fs::write(&source, pdf).expect("pdf written");
    std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&source)
        .arg(dir.join(name))
        .status()
        .is_ok_and(|s| s.success())
}
