//! The database: SQLite's file prepared, the owner's migrations, the runtime pool (retrying
//! while the database starts).

use std::path::Path;
use std::time::Duration;

use parcours_domain::db::PoolSettings;
use parcours_domain::{Db, checks};

use super::{StartError, fail};
use crate::config::{Config, Mode};

/// Make sure an SQLite URL creates its file and folder.
pub(super) fn prepare_sqlite(url: &str) -> Result<String, StartError> {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(url.to_owned());
    };
    let path = rest.split('?').next().unwrap_or("");
    if !path.is_empty()
        && !path.starts_with(":memory:")
        && let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            fail(format!(
                "DATABASE_URL: cannot create {}: {e}",
                dir.display()
            ))
        })?;
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Run the migrations as the owner role.
pub async fn migrate(config: &Config) -> Result<(), StartError> {
    let url = prepare_sqlite(&config.database_owner_url)?;
    // The owner connection retries like the runtime one: the database may still be starting.
    connect_with_retries(&url, "DATABASE_OWNER_URL", &PoolSettings::default())
        .await?
        .close()
        .await
        .ok();
    parcours_migration::run(&url)
        .await
        .map_err(|e| fail(format!("DATABASE_OWNER_URL: migration failed: {e}")))?;
    Ok(())
}

pub(super) async fn connect_with_retries(
    url: &str,
    variable: &str,
    pool: &PoolSettings,
) -> Result<Db, StartError> {
    let mut delay = Duration::from_millis(250);
    let attempts = 5;
    for attempt in 1..=attempts {
        match Db::connect(url, pool).await {
            Ok(db) => match db.ping().await {
                Ok(()) => return Ok(db),
                Err(e) if attempt == attempts => {
                    return Err(fail(format!("{variable}: database not reachable: {e}")));
                }
                Err(_) => {}
            },
            Err(e) if attempt == attempts => {
                return Err(fail(format!("{variable}: database not reachable: {e}")));
            }
            Err(_) => {}
        }
        tracing::warn!(attempt, "database not reachable yet, retrying");
        tokio::time::sleep(delay).await;
        delay *= 2;
    }
    Err(fail(format!("{variable}: database not reachable")))
}

/// Migrate, connect as the runtime role and check the isolation walls (fatal in production).
pub async fn connect_and_migrate(config: &Config) -> Result<Db, StartError> {
    migrate(config).await?;
    let url = prepare_sqlite(&config.database_url)?;
    let db = connect_with_retries(&url, "DATABASE_URL", &config.pool).await?;
    let problems = checks::isolation_problems(&db)
        .await
        .map_err(|e| fail(format!("DATABASE_URL: isolation checks failed to run: {e}")))?;
    for problem in &problems {
        tracing::warn!(problem, "database isolation check failed");
    }
    if config.mode == Mode::Production && !problems.is_empty() {
        return Err(fail(format!(
            "DATABASE_URL: refusing to start in production: {}",
            problems.join("; ")
        )));
    }
    // Names are searched by a stored key: keep it in step with the folding rule.
    let rekeyed = parcours_domain::participants::rekey_names(&db)
        .await
        .map_err(|e| fail(format!("DATABASE_URL: name keys could not be updated: {e}")))?;
    if rekeyed > 0 {
        tracing::info!(rekeyed, "participants' search keys brought up to date");
    }
    Ok(db)
}
