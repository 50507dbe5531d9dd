//! Bearer JWT verification (DESIGN.md §4, RFC 8725).
//!
//! Each configured key verifies exactly one algorithm; the key is chosen by `kid` from the
//! configured set only (an unknown `kid` is refused; `jku`/`x5u` are never followed); `alg:
//! none` cannot be expressed. `exp`, `iss`, `aud` and `sub` are required, `nbf` is checked, the
//! leeway is 30 s, and `typ` must say JWT. The Parcours claims are then checked against the
//! data by the domain.

use std::path::Path;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use parcours_domain::Role;
use parcours_domain::auth::Claims;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::{JwtConfig, Secret, parse_asymmetric};

/// The leeway on `exp` and `nbf`.
pub const LEEWAY_SECONDS: u64 = 30;

/// Why a token is not valid. The reason goes to the logs, not to the client.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidToken(pub String);

/// A key set that verifies tokens.
pub struct Verifier {
    keys: Vec<VerifyingKey>,
    issuer: String,
    audience: String,
}

struct VerifyingKey {
    kid: Option<String>,
    algorithm: Algorithm,
    key: DecodingKey,
}

/// The `aud` claim: a string, or an array of strings.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims of a Parcours token, as signed.
#[derive(Debug, Serialize, Deserialize)]
pub struct TokenClaims {
    pub sub: String,
    pub iss: String,
    /// One audience or several (RFC 7519 §4.1.3); the configured one must be among them
    /// (checked by `jsonwebtoken`).
    pub aud: Audience,
    pub exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Verifier {
    /// Build the key set from the configuration; `dev_secret` is the generated development
    /// secret, used only when nothing else is configured.
    pub fn from_config(config: &JwtConfig, dev_secret: Option<&Secret>) -> Result<Self, String> {
        let mut keys = Vec::new();
        if let Some(secret) = config.secret.as_ref().or(dev_secret) {
            keys.push(VerifyingKey {
                kid: None,
                algorithm: Algorithm::HS256,
                key: DecodingKey::from_secret(secret.expose())
                    .map_err(|e| format!("PARCOURS_JWT_SECRET: {e}"))?,
            });
        }
        for file in &config.public_keys {
            let pem = std::fs::read(&file.path).map_err(|e| {
                format!(
                    "PARCOURS_JWT_PUBLIC_KEYS: cannot read {}: {e}",
                    file.path.display()
                )
            })?;
            let key = match file.algorithm {
                Algorithm::RS256 => DecodingKey::from_rsa_pem(&pem),
                Algorithm::ES256 => DecodingKey::from_ec_pem(&pem),
                _ => DecodingKey::from_ed_pem(&pem),
            }
            .map_err(|e| format!("PARCOURS_JWT_PUBLIC_KEYS: {}: {e}", file.path.display()))?;
            keys.push(VerifyingKey {
                kid: Some(file.kid.clone()),
                algorithm: file.algorithm,
                key,
            });
        }
        if let Some(path) = &config.jwks_file {
            keys.extend(read_jwks(path)?);
        }
        if keys.is_empty() {
            return Err("PARCOURS_JWT_SECRET: no key to verify tokens with".into());
        }
        Ok(Self {
            keys,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
        })
    }

    /// Verify `token` and return its Parcours claims.
    pub fn verify(&self, token: &str) -> Result<Claims, InvalidToken> {
        self.verify_until(token).map(|(claims, _)| claims)
    }

    /// Verify `token`; its claims and its expiry (a subscription ends then).
    pub fn verify_until(
        &self,
        token: &str,
    ) -> Result<(Claims, chrono::DateTime<chrono::Utc>), InvalidToken> {
        let invalid = |why: &str| InvalidToken(why.to_owned());
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| InvalidToken(format!("bad header: {e}")))?;
        match header
            .typ
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("jwt" | "at+jwt") => {}
            _ => return Err(invalid("the token type is not JWT")),
        }
        let key = match header.kid.as_deref() {
            Some(kid) => self
                .keys
                .iter()
                .find(|k| k.kid.as_deref() == Some(kid))
                .ok_or_else(|| invalid("unknown kid"))?,
            None => match self.keys.as_slice() {
                [only] => only,
                _ => {
                    return Err(invalid(
                        "several keys are configured: the token needs a kid",
                    ));
                }
            },
        };
        if header.alg != key.algorithm {
            return Err(invalid("the algorithm does not match the key"));
        }
        let mut validation = Validation::new(key.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let data = jsonwebtoken::decode::<TokenClaims>(token, &key.key, &validation)
            .map_err(|e| InvalidToken(format!("invalid token: {e}")))?;
        let claims = data.claims;
        let role: Role = claims.role.parse().map_err(|_| invalid("unknown role"))?;
        let structure = claims
            .structure
            .as_deref()
            .map(Uuid::parse_str)
            .transpose()
            .map_err(|_| invalid("the structure claim is not an ID"))?;
        let expires_at = chrono::DateTime::from_timestamp(claims.exp, 0)
            .ok_or_else(|| invalid("the expiry is out of range"))?;
        Ok((
            Claims {
                subject: claims.sub,
                role,
                tenant: claims.tenant,
                structure,
            },
            expires_at,
        ))
    }
}

fn read_jwks(path: &Path) -> Result<Vec<VerifyingKey>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "PARCOURS_JWT_JWKS_FILE: cannot read {}: {e}",
            path.display()
        )
    })?;
    let set: JwkSet = serde_json::from_str(&text)
        .map_err(|e| format!("PARCOURS_JWT_JWKS_FILE: not a JWKS document: {e}"))?;
    set.keys
        .iter()
        .map(|jwk| {
            let kid = jwk
                .common
                .key_id
                .clone()
                .ok_or("PARCOURS_JWT_JWKS_FILE: every key needs a kid")?;
            let algorithm = jwk
                .common
                .key_algorithm
                .and_then(|a| parse_asymmetric(&format!("{a:?}")))
                .ok_or("PARCOURS_JWT_JWKS_FILE: every key needs alg RS256, ES256 or EdDSA")?;
            let key = DecodingKey::from_jwk(jwk)
                .map_err(|e| format!("PARCOURS_JWT_JWKS_FILE: key {kid}: {e}"))?;
            Ok(VerifyingKey {
                kid: Some(kid),
                algorithm,
                key,
            })
        })
        .collect()
}

/// What a minted token says.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    pub tenant: Option<String>,
    pub role: Role,
    pub subject: String,
    pub structure: Option<Uuid>,
    pub ttl: chrono::Duration,
}

/// Sign an HS256 token with `secret` (development and tests).
pub fn mint(secret: &Secret, jwt: &JwtConfig, request: &TokenRequest) -> Result<String, String> {
    let now = chrono::Utc::now().timestamp();
    let claims = TokenClaims {
        sub: request.subject.clone(),
        iss: jwt.issuer.clone(),
        aud: Audience::One(jwt.audience.clone()),
        exp: now + request.ttl.num_seconds(),
        nbf: None,
        iat: Some(now),
        tenant: request.tenant.clone(),
        role: request.role.as_str().to_owned(),
        structure: request.structure.map(|s| s.to_string()),
        name: None,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.expose()).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())
}
