//! Safe retries of an import (`Idempotency-Key`): the same key and request replay the first
//! answer; the same key with another request is refused; a retry while the first still runs is
//! told to wait; a claim whose holder died is taken over: at once on PostgreSQL, where each
//! process's life is an advisory lock the database frees when the process ends; after a lease
//! otherwise (and SQLite releases its own claims at start).

use onetable_store::idempotency::{self as store, IdempotencyRow};
use sha2::{Digest, Sha256};

use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

/// How long a claimed key may stay `running` before a retry may take it over whatever its holder
/// (the longest import measured takes seconds; see docs/benchmarks.md).
pub const KEY_LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The fingerprint of a request: its parameters and its body.
#[must_use]
pub fn request_hash(parameters: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(parameters.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    format!("{:x}", hasher.finalize())
}

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// The key is this request's now: run it, then [`finish`] or [`release`].
    Fresh,
    /// The key's request ran before: answer what it answered.
    Replay { status: u16, body: String },
}

/// Claims `key` for the actor's request with fingerprint `request_hash`.
///
/// # Errors
/// 422 `idempotency_key_reused` for another request under the same key, 409
/// `request_in_progress` while the first still runs.
pub async fn claim(app: &App, actor: &Actor, key: String, request_hash: String) -> AppResult<Claim> {
    let claim = IdempotencyRow {
        key,
        actor: actor.subject.clone(),
        request_hash: request_hash.clone(),
        state: "running".to_owned(),
        response_status: None,
        response_body: None,
        created_at: chrono::Utc::now().naive_utc(),
        holder: app.holder.as_ref().map(|h| h.id),
    };
    let stale_before = claim.created_at - KEY_LEASE;
    let Some(earlier) = app.run(move |conn| Ok(store::claim_key(conn, &claim, stale_before)?)).await? else {
        return Ok(Claim::Fresh);
    };
    if earlier.request_hash != request_hash {
        return Err(Problem::unprocessable(
            "idempotency_key_reused",
            "该 Idempotency-Key 已用于另一个请求；新的导入请使用新的键",
        ));
    }
    if earlier.state == "running" {
        return Err(Problem::conflict("request_in_progress", "同一个导入正在处理中，请稍后用同一个键重试以取得结果"));
    }
    let status = earlier.response_status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200);
    Ok(Claim::Replay { status, body: earlier.response_body.unwrap_or_default() })
}

/// Keeps the answer of the request that holds `key`, for its retries.
///
/// # Errors
/// When the database fails.
pub async fn finish(app: &App, actor: &Actor, key: String, status: u16, body: String) -> AppResult<()> {
    let subject = actor.subject.clone();
    app.run(move |conn| Ok(store::finish_key(conn, &subject, &key, i32::from(status), &body)?)).await
}

/// Gives `key` up after an internal failure, so that a retry runs the request again.
///
/// # Errors
/// When the database fails.
pub async fn release(app: &App, actor: &Actor, key: String) -> AppResult<()> {
    let subject = actor.subject.clone();
    app.run(move |conn| Ok(store::release_key(conn, &subject, &key)?)).await
}
