//! The `parcours` command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use parcours_api::auth::TokenRequest;
use parcours_api::config::Config;
use parcours_domain::Role;

/// mimalloc rather than glibc's malloc: answers are trees of many small allocations, and
/// glibc's allocator took about 40% of the instructions of a large answer (callgrind).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Parcours: a multi-tenant GraphQL service for PLIE networks.
#[derive(Parser)]
#[command(name = "parcours", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the migrations, then serve (the default).
    Serve,
    /// Run the migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL) on stdout.
    Schema,
    /// Print a development token signed with the development secret (refused in production).
    Token {
        /// The tenant's slug (not for --role admin).
        #[arg(long)]
        tenant: Option<String>,
        /// steering, referent, provider or admin.
        #[arg(long)]
        role: String,
        /// The `sub` claim: a staff member's subject.
        #[arg(long)]
        sub: Option<String>,
        /// The staff member's structure (required for referent and provider): its global ID
        /// as the API gives it, or its UUID.
        #[arg(long)]
        structure: Option<String>,
        /// Lifetime, e.g. 30m, 12h, 7d.
        #[arg(long, default_value = "12h")]
        ttl: String,
    },
    /// Load the demo data into an empty database.
    Demo,
    /// Anonymise the participants whose retention period has passed (the daily job of a
    /// production service), and print one line per tenant.
    Retention {
        /// Only count who is due; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Ask the running service on `PARCOURS_LISTEN` whether it is ready (`/readyz`): exit 0 when
    /// it is, 1 otherwise. For container health checks, with no HTTP client in the image.
    Probe,
}

/// `GET /readyz` on the configured address, over plain HTTP/1.0.
async fn probe(config: &Config) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut address = config.listen;
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        stream
            .write_all(b"GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), exchange)
        .await
        .map_err(|_| format!("{address}: no answer within 5 s"))?
        .map_err(|e| format!("{address}: {e}"))?;
    let status = String::from_utf8_lossy(&answer);
    let line = status.lines().next().unwrap_or_default().to_owned();
    if line.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else {
        Err(format!("{address}: not ready ({line})"))
    }
}

fn parse_ttl(text: &str) -> Result<chrono::Duration, String> {
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number
        .parse()
        .map_err(|_| format!("--ttl: {text:?} is not a duration such as 30m, 12h or 7d"))?;
    let seconds = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("--ttl: {text:?} needs a unit: s, m, h or d")),
    };
    if !(1..=30 * 86_400).contains(&seconds) {
        return Err("--ttl: between 1 second and 30 days".into());
    }
    Ok(chrono::Duration::seconds(seconds))
}

async fn run(cli: Cli) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Schema = command {
        print!("{}", parcours_api::schema_sdl());
        return Ok(());
    }
    let config = Config::from_env().map_err(|e| e.to_string())?;
    parcours_api::telemetry::init(&config.log_filter, config.mode);
    match command {
        Command::Serve => parcours_api::serve(config).await.map_err(|e| e.to_string()),
        Command::Migrate => parcours_api::migrate(&config)
            .await
            .map_err(|e| e.to_string()),
        Command::Schema => Ok(()),
        Command::Token {
            tenant,
            role,
            sub,
            structure,
            ttl,
        } => {
            let role: Role = role
                .parse()
                .map_err(|_| "--role: must be steering, referent, provider or admin".to_owned())?;
            let structure = structure
                .as_deref()
                .map(parcours_api::structure_argument)
                .transpose()?;
            let request = TokenRequest {
                tenant,
                role,
                subject: sub.unwrap_or_else(|| format!("{}@example.org", role.as_str())),
                structure,
                ttl: parse_ttl(&ttl)?,
            };
            let token = parcours_api::checked_token(&config, &request)
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        Command::Demo => {
            let accounts = parcours_api::demo(&config)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Demo data loaded: {} accounts with tokens (see `parcours token`).",
                accounts.len()
            );
            Ok(())
        }
        Command::Probe => probe(&config).await,
        Command::Retention { dry_run } => {
            for line in parcours_api::retention(&config, dry_run)
                .await
                .map_err(|e| e.to_string())?
            {
                println!("{line}");
            }
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("parcours: {message}");
            ExitCode::FAILURE
        }
    }
}
