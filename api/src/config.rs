//! Configuration: one typed struct, read once from the environment at start-up. Each invalid
//! value stops the start with a message naming its variable; secrets never print.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jsonwebtoken::Algorithm;
use parcours_domain::db::PoolSettings;

/// `development` (the default) or `production`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret as text, for a client library that takes it so.
    pub fn expose_str(&self) -> &str {
        &self.0
    }

    /// Wrap `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret's bytes, for the signature code only.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A configured public key: its `kid`, the one algorithm it verifies, and its PEM file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyFile {
    pub kid: String,
    pub algorithm: Algorithm,
    pub path: PathBuf,
}

/// How tokens are verified.
#[derive(Clone, Debug)]
pub struct JwtConfig {
    pub issuer: String,
    pub audience: String,
    /// HS256 secret given explicitly (`PARCOURS_JWT_SECRET`).
    pub secret: Option<Secret>,
    pub public_keys: Vec<PublicKeyFile>,
    pub jwks_file: Option<PathBuf>,
}

/// The whole configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub mode: Mode,
    /// Runtime connection (a non-owner role on PostgreSQL).
    pub database_url: String,
    /// Connection that runs migrations (the owner role); defaults to `database_url`.
    pub database_owner_url: String,
    pub listen: SocketAddr,
    pub jwt: JwtConfig,
    pub log_filter: String,
    /// Where development keeps its generated secret (beside the SQLite file by default).
    pub data_dir: PathBuf,
    /// Where attachment files are stored (a local folder).
    pub attachments_dir: PathBuf,
    /// An object-store URL that replaces the folder (`s3://bucket/prefix`, `memory:///`).
    pub attachments_url: Option<String>,
    /// The object store's `AWS_*` options (endpoint, region, keys), secrets included.
    pub attachments_options: Vec<(String, Secret)>,
    /// Requests per subject and per tenant.
    pub rate_limits: crate::limits::RateLimits,
    /// The bearer token of `/metrics` (required for it in production).
    pub metrics_token: Option<Secret>,
    /// The runtime pool: its size, how long a request waits for a connection, the
    /// PostgreSQL statement timeout, and how long a caller's account is kept.
    pub pool: PoolSettings,
    /// WebSocket connections: at most this many open on the instance, and a ping every
    /// `ws_ping` (a peer silent for two of them is closed).
    pub ws: WsSettings,
}

/// Subscription connections on one instance.
#[derive(Clone, Copy, Debug)]
pub struct WsSettings {
    pub max_connections: usize,
    pub ping_every: Duration,
}

impl Default for WsSettings {
    fn default() -> Self {
        Self {
            max_connections: 1_000,
            ping_every: Duration::from_secs(30),
        }
    }
}

/// The object-store options read from the environment.
pub const OBJECT_STORE_VARIABLES: &[&str] = &[
    "AWS_ENDPOINT",
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ALLOW_HTTP",
    "AWS_VIRTUAL_HOSTED_STYLE_REQUEST",
];

/// The PostgreSQL statement timeout when `PARCOURS_DB_STATEMENT_TIMEOUT_MS` is not set: below
/// the 30 s request timeout, so that a request given up on does not leave its statement
/// running (and holding its locks) on the server.
pub const DEFAULT_STATEMENT_TIMEOUT_MS: u64 = 25_000;

/// The SQLite database used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/parcours.db?mode=rwc";

/// An invalid configuration value.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn invalid(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

impl Config {
    /// Read the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Read the configuration from `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        // A secret given as a file (`NAME_FILE`, e.g. a Docker secret) when `NAME` is not set.
        let secret_var =
            |name: &'static str, file_var: &'static str| -> Result<Option<String>, ConfigError> {
                if let Some(value) = get(name) {
                    return Ok(Some(value));
                }
                match get(file_var) {
                    None => Ok(None),
                    Some(path) => std::fs::read_to_string(&path)
                        .map(|text| Some(text.trim().to_owned()).filter(|t| !t.is_empty()))
                        .map_err(|e| invalid(file_var, format!("cannot read {path}: {e}"))),
                }
            };
        let mode = match get("PARCOURS_ENV").as_deref() {
            None | Some("development") => Mode::Development,
            Some("production") => Mode::Production,
            Some(other) => {
                return Err(invalid(
                    "PARCOURS_ENV",
                    format!("must be development or production, not {other:?}"),
                ));
            }
        };
        let database_url = secret_var("DATABASE_URL", "DATABASE_URL_FILE")?
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(invalid(
                "DATABASE_URL",
                "must be a sqlite:// or postgres:// URL",
            ));
        }
        let database_owner_url = secret_var("DATABASE_OWNER_URL", "DATABASE_OWNER_URL_FILE")?
            .unwrap_or_else(|| database_url.clone());
        let listen = get("PARCOURS_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|_| {
                invalid(
                    "PARCOURS_LISTEN",
                    "must be an address such as 127.0.0.1:8080",
                )
            })?;
        let secret =
            secret_var("PARCOURS_JWT_SECRET", "PARCOURS_JWT_SECRET_FILE")?.map(Secret::new);
        if let Some(secret) = &secret
            && secret.expose().len() < 32
        {
            return Err(invalid(
                "PARCOURS_JWT_SECRET",
                "an HS256 secret must be at least 32 bytes",
            ));
        }
        let public_keys = match get("PARCOURS_JWT_PUBLIC_KEYS") {
            Some(list) => parse_public_keys(&list)?,
            None => Vec::new(),
        };
        let jwks_file = get("PARCOURS_JWT_JWKS_FILE").map(PathBuf::from);
        let data_dir = get("PARCOURS_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| sqlite_dir(&database_url).unwrap_or_else(|| PathBuf::from("data")));
        let attachments_dir = get("PARCOURS_ATTACHMENTS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("attachments"));
        let attachments_options = OBJECT_STORE_VARIABLES
            .iter()
            .filter_map(|name| get(name).map(|v| ((*name).to_owned(), Secret::new(v))))
            .collect();
        let defaults = crate::limits::RateLimits::default();
        let number = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| invalid(name, "must be a whole number (0 turns the limit off)")),
            }
        };
        let rate = |per_minute: &'static str, burst: &'static str, default: crate::limits::Rate| {
            let rate = crate::limits::Rate {
                per_minute: number(per_minute, default.per_minute)?,
                burst: number(burst, default.burst)?,
            };
            if rate.per_minute > 0 && rate.burst == 0 {
                return Err(invalid(burst, "must be at least 1 when the limit is on"));
            }
            Ok(rate)
        };
        let rate_limits = crate::limits::RateLimits {
            subject: rate(
                "PARCOURS_RATE_SUBJECT_PER_MINUTE",
                "PARCOURS_RATE_SUBJECT_BURST",
                defaults.subject,
            )?,
            tenant: rate(
                "PARCOURS_RATE_TENANT_PER_MINUTE",
                "PARCOURS_RATE_TENANT_BURST",
                defaults.tenant,
            )?,
        };
        let metrics_token =
            secret_var("PARCOURS_METRICS_TOKEN", "PARCOURS_METRICS_TOKEN_FILE")?.map(Secret::new);
        let millis = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| invalid(name, "must be a whole number of milliseconds")),
            }
        };
        let pool_defaults = PoolSettings::default();
        let max_connections = match get("PARCOURS_DB_MAX_CONNECTIONS") {
            None => pool_defaults.max_connections,
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    invalid(
                        "PARCOURS_DB_MAX_CONNECTIONS",
                        "must be a whole number, at least 1",
                    )
                })?,
        };
        let acquire_ms = millis(
            "PARCOURS_DB_ACQUIRE_TIMEOUT_MS",
            u64::try_from(pool_defaults.acquire_timeout.as_millis()).unwrap_or(u64::MAX),
        )?;
        if acquire_ms == 0 {
            return Err(invalid(
                "PARCOURS_DB_ACQUIRE_TIMEOUT_MS",
                "must be at least 1 millisecond",
            ));
        }
        let statement_ms = millis(
            "PARCOURS_DB_STATEMENT_TIMEOUT_MS",
            DEFAULT_STATEMENT_TIMEOUT_MS,
        )?;
        let callers_ms = millis(
            "PARCOURS_CALLERS_MAX_AGE_MS",
            u64::try_from(pool_defaults.callers_max_age.as_millis()).unwrap_or(u64::MAX),
        )?;
        let pool = PoolSettings {
            max_connections,
            acquire_timeout: Duration::from_millis(acquire_ms),
            statement_timeout: (statement_ms > 0).then(|| Duration::from_millis(statement_ms)),
            callers_max_age: Duration::from_millis(callers_ms),
        };
        let ws_defaults = WsSettings::default();
        let ws = WsSettings {
            max_connections: match number(
                "PARCOURS_WS_MAX_CONNECTIONS",
                u32::try_from(ws_defaults.max_connections).unwrap_or(u32::MAX),
            )? {
                0 => return Err(invalid("PARCOURS_WS_MAX_CONNECTIONS", "must be at least 1")),
                n => n as usize,
            },
            ping_every: match millis(
                "PARCOURS_WS_PING_MS",
                u64::try_from(ws_defaults.ping_every.as_millis()).unwrap_or(u64::MAX),
            )? {
                0 => {
                    return Err(invalid(
                        "PARCOURS_WS_PING_MS",
                        "must be at least 1 millisecond",
                    ));
                }
                ms => Duration::from_millis(ms),
            },
        };
        let config = Self {
            ws,
            pool,
            metrics_token,
            rate_limits,
            attachments_options,
            attachments_url: get("PARCOURS_ATTACHMENTS_URL"),
            attachments_dir,
            mode,
            database_url,
            database_owner_url,
            listen,
            jwt: JwtConfig {
                issuer: get("PARCOURS_JWT_ISSUER").unwrap_or_else(|| "parcours".into()),
                audience: get("PARCOURS_JWT_AUDIENCE").unwrap_or_else(|| "parcours".into()),
                secret,
                public_keys,
                jwks_file,
            },
            log_filter: get("PARCOURS_LOG").unwrap_or_else(|| "info,sqlx=warn".into()),
            data_dir,
        };
        if mode == Mode::Production
            && config.jwt.secret.is_none()
            && config.jwt.public_keys.is_empty()
            && config.jwt.jwks_file.is_none()
        {
            return Err(invalid(
                "PARCOURS_JWT_PUBLIC_KEYS",
                "production needs PARCOURS_JWT_PUBLIC_KEYS, PARCOURS_JWT_JWKS_FILE or an explicit PARCOURS_JWT_SECRET",
            ));
        }
        Ok(config)
    }

    /// The file holding the generated development secret.
    pub fn dev_secret_path(&self) -> PathBuf {
        self.data_dir.join("dev-jwt-secret")
    }
}

/// `kid:ALG:path` entries separated by commas, e.g. `main:RS256:/etc/parcours/jwt.pem`.
fn parse_public_keys(list: &str) -> Result<Vec<PublicKeyFile>, ConfigError> {
    const VAR: &str = "PARCOURS_JWT_PUBLIC_KEYS";
    list.split(',')
        .map(|entry| {
            let mut parts = entry.trim().splitn(3, ':');
            let (Some(kid), Some(alg), Some(path)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(invalid(VAR, "each entry is kid:ALGORITHM:path"));
            };
            let algorithm = parse_asymmetric(alg)
                .ok_or_else(|| invalid(VAR, format!("{alg} is not one of RS256, ES256, EdDSA")))?;
            if kid.is_empty() {
                return Err(invalid(VAR, "each key needs a kid"));
            }
            Ok(PublicKeyFile {
                kid: kid.to_owned(),
                algorithm,
                path: PathBuf::from(path),
            })
        })
        .collect()
}

/// The asymmetric algorithms accepted for public keys.
pub fn parse_asymmetric(alg: &str) -> Option<Algorithm> {
    match alg {
        "RS256" => Some(Algorithm::RS256),
        "ES256" => Some(Algorithm::ES256),
        "EdDSA" => Some(Algorithm::EdDSA),
        _ => None,
    }
}

/// The folder of an SQLite database file, if `url` names one.
fn sqlite_dir(url: &str) -> Option<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.starts_with(":memory:") {
        return None;
    }
    Some(
        Path::new(path)
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from(".")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_development_on_sqlite() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.mode, Mode::Development);
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert_eq!(c.jwt.issuer, "parcours");
        assert_eq!(c.pool.max_connections, 10);
        assert_eq!(c.pool.acquire_timeout, Duration::from_secs(5));
        assert_eq!(c.pool.statement_timeout, Some(Duration::from_secs(25)));
        assert_eq!(c.pool.callers_max_age, Duration::from_secs(5));
    }

    #[test]
    fn pool_settings_are_read_and_zero_turns_the_statement_timeout_and_the_callers_off() {
        let c = config(&[
            ("PARCOURS_DB_MAX_CONNECTIONS", "3"),
            ("PARCOURS_DB_ACQUIRE_TIMEOUT_MS", "200"),
            ("PARCOURS_DB_STATEMENT_TIMEOUT_MS", "0"),
            ("PARCOURS_CALLERS_MAX_AGE_MS", "0"),
        ])
        .expect("valid");
        assert_eq!(c.pool.callers_max_age, Duration::ZERO);
        assert_eq!(c.pool.max_connections, 3);
        assert_eq!(c.pool.acquire_timeout, Duration::from_millis(200));
        assert_eq!(c.pool.statement_timeout, None);
        let c = config(&[("PARCOURS_DB_STATEMENT_TIMEOUT_MS", "750")]).expect("valid");
        assert_eq!(c.pool.statement_timeout, Some(Duration::from_millis(750)));
    }

    #[test]
    fn invalid_values_name_their_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("PARCOURS_ENV", "staging")], "PARCOURS_ENV"),
            (&[("PARCOURS_LISTEN", "nowhere")], "PARCOURS_LISTEN"),
            (&[("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (&[("PARCOURS_JWT_SECRET", "short")], "PARCOURS_JWT_SECRET"),
            (
                &[("PARCOURS_JWT_PUBLIC_KEYS", "k:HS256:/x")],
                "PARCOURS_JWT_PUBLIC_KEYS",
            ),
            (
                &[("PARCOURS_JWT_PUBLIC_KEYS", "nonsense")],
                "PARCOURS_JWT_PUBLIC_KEYS",
            ),
            (
                &[("PARCOURS_ENV", "production")],
                "PARCOURS_JWT_PUBLIC_KEYS",
            ),
            (
                &[("PARCOURS_DB_MAX_CONNECTIONS", "0")],
                "PARCOURS_DB_MAX_CONNECTIONS",
            ),
            (
                &[("PARCOURS_DB_ACQUIRE_TIMEOUT_MS", "0")],
                "PARCOURS_DB_ACQUIRE_TIMEOUT_MS",
            ),
            (
                &[("PARCOURS_DB_ACQUIRE_TIMEOUT_MS", "2s")],
                "PARCOURS_DB_ACQUIRE_TIMEOUT_MS",
            ),
            (
                &[("PARCOURS_DB_STATEMENT_TIMEOUT_MS", "-1")],
                "PARCOURS_DB_STATEMENT_TIMEOUT_MS",
            ),
            (
                &[("PARCOURS_CALLERS_MAX_AGE_MS", "5s")],
                "PARCOURS_CALLERS_MAX_AGE_MS",
            ),
        ];
        for (vars, variable) in cases {
            let err = config(vars).expect_err("must be refused");
            assert_eq!(err.variable, *variable, "{vars:?}");
        }
    }

    #[test]
    fn secrets_never_print() {
        let c =
            config(&[("PARCOURS_JWT_SECRET", "0123456789abcdef0123456789abcdef")]).expect("valid");
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn public_keys_are_bound_to_one_algorithm() {
        let c = config(&[(
            "PARCOURS_JWT_PUBLIC_KEYS",
            "a:RS256:/k/a.pem, b:EdDSA:/k/b.pem",
        )])
        .expect("valid");
        assert_eq!(c.jwt.public_keys.len(), 2);
        assert_eq!(c.jwt.public_keys[1].algorithm, Algorithm::EdDSA);
        assert_eq!(c.jwt.public_keys[1].path, PathBuf::from("/k/b.pem"));
    }
}
