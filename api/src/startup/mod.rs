//! Start-up: database preparation and isolation checks (`database`), keys and tokens
//! (`keys`), the router (`router`), the scheduled jobs (`jobs`), demo data, serving and
//! shutdown.

use std::time::Duration;

use axum::Router;
use parcours_domain::demo::DemoAccount;

use crate::auth::TokenRequest;
use crate::config::{Config, Mode};
use crate::graphql;

mod database;
mod jobs;
mod keys;
mod router;

pub use database::{connect_and_migrate, migrate};
pub use jobs::retention;
use jobs::{reminders_hourly, retention_daily};
pub use keys::{checked_token, dev_secret, structure_argument, token};
pub use router::build_router;

/// Why the service cannot start or a command cannot run.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartError(pub String);

fn fail(message: impl Into<String>) -> StartError {
    StartError(message.into())
}

/// How long a request may take, body included, before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The SDL of the schema (what `parcours schema` prints and `schema.graphql` holds).
pub fn schema_sdl() -> String {
    graphql::build(true).sdl()
}

/// Load the demo data into an empty database.
pub async fn demo(config: &Config) -> Result<Vec<DemoAccount>, StartError> {
    let db = connect_and_migrate(config).await?;
    let empty = parcours_domain::demo::is_empty(&db)
        .await
        .map_err(|e| fail(format!("reading the database: {e}")))?;
    if !empty {
        return Err(fail(
            "the database is not empty: the demo loads into an empty one only",
        ));
    }
    parcours_domain::demo::load(&db)
        .await
        .map_err(|e| fail(format!("loading the demo data: {e}")))
}

/// `parcours serve`: migrate, load the demo on an empty development database, serve until
/// SIGTERM or Ctrl-C, letting in-flight requests finish.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let db = connect_and_migrate(&config).await?;
    let mut loaded = Vec::new();
    if config.mode == Mode::Development
        && parcours_domain::demo::is_empty(&db)
            .await
            .map_err(|e| fail(format!("reading the database: {e}")))?
    {
        loaded = parcours_domain::demo::load(&db)
            .await
            .map_err(|e| fail(format!("loading the demo data: {e}")))?;
    }
    if config.mode == Mode::Production {
        tokio::spawn(retention_daily(db.clone()));
    }
    tokio::spawn(reminders_hourly(db.clone()));
    let router = build_router(&config, db)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| {
            fail(format!(
                "PARCOURS_LISTEN: cannot listen on {}: {e}",
                config.listen
            ))
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| fail(format!("PARCOURS_LISTEN: {e}")))?;
    tracing::info!(%address, mode = ?config.mode, "parcours listening");
    if config.mode == Mode::Development {
        print_welcome(&config, address, &loaded)?;
    }
    serve_on(listener, router, shutdown_signal()).await?;
    tracing::info!("parcours stopped");
    Ok(())
}

/// Serve `router` on `listener` until `shutdown` completes; then stop accepting connections
/// (the listener is closed) and return once every request in flight has been answered.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    // Upgraded WebSocket connections outlive the HTTP server's graceful shutdown: they are told
    // through `Stopping`, close with 1001 after the delivery they are sending, and are waited
    // for (a few seconds at most) once the server has stopped.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let router = router.layer(axum::Extension(crate::ws::Stopping(stopping)));
    let signalled = {
        let stop = stop.clone();
        async move {
            shutdown.await;
            let _ = stop.send(true);
        }
    };
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(signalled)
        .await
        .map_err(|e| fail(format!("server error: {e}")));
    let _ = stop.send(true);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), stop.closed()).await;
    served
}

fn print_welcome(
    config: &Config,
    address: std::net::SocketAddr,
    loaded: &[DemoAccount],
) -> Result<(), StartError> {
    println!("\nParcours (development mode) — GraphiQL: http://{address}/graphql");
    if loaded.is_empty() {
        println!(
            "Mint a token with: cargo run -- token --tenant dijon --role steering --sub pilotage@plie-dijon.example\n"
        );
        return Ok(());
    }
    println!("Demo data loaded. Paste one of these in GraphiQL's Headers tab:\n");
    for account in loaded {
        let token = token(
            config,
            &TokenRequest {
                tenant: account.tenant.clone(),
                role: account.role,
                subject: account.subject.clone(),
                structure: account.structure,
                ttl: chrono::Duration::hours(12),
            },
        )?;
        println!("  {} ({}):", account.label, account.subject);
        println!("  {{\"Authorization\": \"Bearer {token}\"}}\n");
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested: finishing in-flight requests");
}
