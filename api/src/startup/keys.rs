//! Signing keys and tokens: the development secret, `parcours token` and its checks.

use std::path::Path;

use rand::Rng;

use super::{StartError, connect_and_migrate, fail};
use crate::auth::{TokenRequest, mint};
use crate::config::{Config, Mode, Secret};

/// The development secret: generated once and kept in the data folder. `None` in production
/// or when keys are configured.
pub fn dev_secret(config: &Config) -> Result<Option<Secret>, StartError> {
    let jwt = &config.jwt;
    if config.mode == Mode::Production {
        // An HS256 secret in production must be given explicitly, and not be the generated one.
        if let (Some(secret), Ok(generated)) = (
            &jwt.secret,
            std::fs::read_to_string(config.dev_secret_path()),
        ) && secret.expose() == generated.trim().as_bytes()
        {
            return Err(fail(
                "PARCOURS_JWT_SECRET: production refuses the generated development secret",
            ));
        }
        return Ok(None);
    }
    if jwt.secret.is_some() || !jwt.public_keys.is_empty() || jwt.jwks_file.is_some() {
        return Ok(None);
    }
    let path = config.dev_secret_path();
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= 32 {
            return Ok(Some(Secret::new(existing)));
        }
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        fail(format!(
            "PARCOURS_DATA_DIR: cannot create {}: {e}",
            config.data_dir.display()
        ))
    })?;
    let bytes: [u8; 32] = rand::rng().random();
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret)
        .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
    Ok(Some(Secret::new(secret)))
}

pub(super) fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(content.as_bytes())
}

/// The HS256 secret that `parcours token` and the demo sign with.
pub(super) fn signing_secret(config: &Config) -> Result<Secret, StartError> {
    if config.mode == Mode::Production {
        return Err(fail(
            "PARCOURS_ENV: `parcours token` refuses to run in production; tokens come from the identity provider",
        ));
    }
    match &config.jwt.secret {
        Some(secret) => Ok(secret.clone()),
        None => dev_secret(config)?.ok_or_else(|| {
            fail("PARCOURS_JWT_SECRET: keys are configured, so there is no development secret to sign with")
        }),
    }
}

/// Mint a development token.
pub fn token(config: &Config, request: &TokenRequest) -> Result<String, StartError> {
    let secret = signing_secret(config)?;
    mint(&secret, &config.jwt, request).map_err(fail)
}

/// The structure a `--structure` argument names: a Structure's global ID, as the API gives
/// it, or a bare UUID.
pub fn structure_argument(text: &str) -> Result<uuid::Uuid, String> {
    uuid::Uuid::parse_str(text)
        .ok()
        .or_else(|| {
            crate::graphql::ids::decode_any(text)
                .filter(|(kind, _)| kind == "Structure")
                .map(|(_, id)| id)
        })
        .ok_or_else(|| "--structure: must be a structure's global ID or UUID".to_owned())
}

/// `parcours token`: a token only for an account the service would accept — the claims are
/// authenticated against the database exactly as a request's would be (the tenant exists and
/// is not suspended; the subject is an active staff member of it, of that role, in that
/// active structure), and a refusal says why instead of printing a token that would fail.
pub async fn checked_token(config: &Config, request: &TokenRequest) -> Result<String, StartError> {
    let secret = signing_secret(config)?;
    let db = connect_and_migrate(config).await?;
    let claims = parcours_domain::auth::Claims {
        subject: request.subject.clone(),
        role: request.role,
        tenant: request.tenant.clone(),
        structure: request.structure,
    };
    match parcours_domain::auth::begin(&db, claims, parcours_domain::db::Mode::Read).await {
        Ok((tx, _)) => tx.rollback().await,
        Err(e) => {
            return Err(fail(format!(
                "no token: the service would refuse these claims ({e})"
            )));
        }
    }
    mint(&secret, &config.jwt, request).map_err(fail)
}
