//! `GET /.well-known/jwks.json` (public)

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::reload_keys;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// One public key (RFC 8037: `kty` OKP, `crv` Ed25519).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwk {
    pub kty: &'static str,
    pub crv: &'static str,
    /// The public key, base64url.
    pub x: String,
    pub kid: String,
    pub alg: &'static str,
    #[serde(rename = "use")]
    pub use_: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// The public keys that verify onetable's access tokens.
#[utoipa::path(tag = "auth", responses((status = 200, body = Jwks), (status = 500, body = ErrorBody)))]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    reload_keys(&state).await?;
    let keys = state
        .keys
        .public_keys()
        .into_iter()
        .map(|(kid, x)| Jwk { kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA", use_: "sig" })
        .collect();
    Ok(HttpResponse::Ok().insert_header(("cache-control", "public, max-age=300")).json(Jwks { keys }))
}
