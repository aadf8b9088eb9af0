//! Keeping the audit trail (审计留存, 网络安全法 §21: at least six months): each month that has
//! ended goes to a compressed file of its events, every line carrying the hash of the one before
//! (a hash chain, continued from the previous archived month), with a manifest of the file's
//! checksum and the chain's head that the CLI signs with the server's key. Events of an archived
//! month older than the retention may then be deleted — never others (the database refuses).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use onetable_core::Period;
use onetable_store::audit::{self, AuditArchiveRow, AuditEventRow};
use onetable_store::DbConn;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::lake::hex;
use crate::problem::Problem;

/// The least retention the law allows (网络安全法第二十一条: six months).
pub const MIN_RETENTION_DAYS: u32 = 180;

/// What a chain starts from when no month before it was archived.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What is signed: the file, its checksum, its first and last hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `2026-05`
    pub month: String,
    /// The archive's file name, beside the manifest.
    pub file: String,
    pub events: i64,
    pub first_id: Option<i64>,
    pub last_id: Option<i64>,
    /// SHA-256 of the file as written (hex).
    pub file_sha256: String,
    /// The month the chain continues from (none: the first archive), and its head.
    pub previous_month: Option<String>,
    pub previous_head: String,
    /// The hash of the last event (of `previous_head` when the month had none).
    pub head: String,
    pub archived_at: String,
}

/// An event as archived; its JSON (fields in this order) is what is hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ArchivedEvent {
    id: i64,
    occurred_at: String,
    actor: Option<String>,
    role: Option<String>,
    action: String,
    target: Option<String>,
    outcome: String,
    request_id: Option<String>,
    client_addr: Option<String>,
    detail: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Line {
    event: ArchivedEvent,
    prev: String,
    hash: String,
}

fn chain(prev: &str, event: &ArchivedEvent) -> Result<String, serde_json::Error> {
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(b"\n");
    hasher.update(serde_json::to_string(event)?.as_bytes());
    Ok(hex(&hasher.finalize()))
}

fn archived(row: AuditEventRow) -> ArchivedEvent {
    ArchivedEvent {
        id: row.id,
        occurred_at: row.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        actor: row.actor,
        role: row.role,
        action: row.action,
        target: row.target,
        outcome: row.outcome,
        request_id: row.request_id,
        client_addr: row.client_addr,
        detail: row.detail,
    }
}

/// The first instant of a month and of the month after it.
///
/// # Errors
/// 400 for anything but a month (`2026-05`).
pub fn month_span(month: &str) -> Result<(NaiveDateTime, NaiveDateTime), Problem> {
    let bad = || {
        Problem::bad_request("invalid_month", format!("月份“{month}”无效：应为 2026-05 这样的月份")).with_detail(
            Some("month"),
            "invalid_month",
            "如 2026-05",
        )
    };
    let Ok(Period::Month(year, m)) = Period::parse(month) else { return Err(bad()) };
    let start = NaiveDate::from_ymd_opt(year, u32::from(m), 1).ok_or_else(bad)?;
    let Period::Month(ny, nm) = Period::Month(year, m).next() else { return Err(bad()) };
    let end = NaiveDate::from_ymd_opt(ny, u32::from(nm), 1).ok_or_else(bad)?;
    Ok((start.and_time(chrono::NaiveTime::MIN), end.and_time(chrono::NaiveTime::MIN)))
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> Problem {
    Problem::internal(format!("{}: {e}", path.display()))
}

/// Writes `dir/audit-MONTH.jsonl.gz` and returns its manifest, unsigned and not yet recorded (see
/// [`record`]). The month must have ended an hour ago (so that no event of it is still being
/// written) and not be archived already.
///
/// # Errors
/// 400 for a bad month, 422 for a month not over, 409 for one archived already; file faults.
pub fn write(conn: &mut DbConn, month: &str, dir: &Path, now: NaiveDateTime) -> Result<(Manifest, PathBuf), Problem> {
    let (start, end) = month_span(month)?;
    if end + Duration::hours(1) > now {
        return Err(Problem::unprocessable("month_not_over", format!("{month} 尚未结束（结束一小时后才能归档）")));
    }
    let archives = audit::archives(conn)?;
    if archives.iter().any(|a| a.month == month) {
        return Err(Problem::conflict("month_archived", format!("{month} 已归档")));
    }
    let previous = archives.iter().rev().find(|a| a.month.as_str() < month);
    let previous_head = previous.map_or_else(|| GENESIS.to_owned(), |a| a.head.clone());
    let events = audit::between(conn, start, end)?;
    let (first_id, last_id) = (events.first().map(|e| e.id), events.last().map(|e| e.id));
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let mut body = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut head = previous_head.clone();
    for row in events {
        let event = archived(row);
        let hash = chain(&head, &event).map_err(Problem::internal)?;
        let line = Line { event, prev: head, hash: hash.clone() };
        serde_json::to_writer(&mut body, &line).map_err(Problem::internal)?;
        body.write_all(b"\n").map_err(Problem::internal)?;
        head = hash;
    }
    let bytes = body.finish().map_err(Problem::internal)?;
    let name = format!("audit-{month}.jsonl.gz");
    std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    let path = dir.join(&name);
    let partial = dir.join(format!("{name}.partial"));
    std::fs::write(&partial, &bytes).map_err(|e| file_error(&partial, e))?;
    std::fs::rename(&partial, &path).map_err(|e| file_error(&path, e))?;
    let manifest = Manifest {
        month: month.to_owned(),
        file: name,
        events: count,
        first_id,
        last_id,
        file_sha256: hex(&Sha256::digest(&bytes)),
        previous_month: previous.map(|a| a.month.clone()),
        previous_head,
        head,
        archived_at: now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    Ok((manifest, path))
}

/// Records the month as archived (after its signed manifest is on disk): its events may now be
/// deleted once past the retention, and the next month's chain continues from its head.
///
/// # Errors
/// On a database fault.
pub fn record(conn: &mut DbConn, manifest: &Manifest, now: NaiveDateTime) -> Result<(), Problem> {
    let row = AuditArchiveRow {
        month: manifest.month.clone(),
        events: manifest.events,
        first_id: manifest.first_id,
        last_id: manifest.last_id,
        file_sha256: manifest.file_sha256.clone(),
        head: manifest.head.clone(),
        archived_at: now,
    };
    Ok(audit::record_archive(conn, &row)?)
}

/// Checks an archive file against its manifest: the checksum, then every line's link to the one
/// before and its hash, the count and the head. The events read, or what is wrong (with the line).
///
/// # Errors
/// The first thing that does not hold, in words.
pub fn verify(file: &Path, manifest: &Manifest) -> Result<i64, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let sum = hex(&Sha256::digest(&bytes));
    if sum != manifest.file_sha256 {
        return Err(format!("the file's SHA-256 is {sum}, the manifest says {}", manifest.file_sha256));
    }
    let mut head = manifest.previous_head.clone();
    let mut count = 0i64;
    for (number, line) in std::io::BufReader::new(flate2::read::GzDecoder::new(bytes.as_slice())).lines().enumerate() {
        let at = number + 1;
        let line = line.map_err(|e| format!("line {at}: {e}"))?;
        let line: Line = serde_json::from_str(&line).map_err(|e| format!("line {at}: not an archived event: {e}"))?;
        if line.prev != head {
            return Err(format!("line {at} (event {}): does not follow the line before", line.event.id));
        }
        let hash = chain(&head, &line.event).map_err(|e| e.to_string())?;
        if hash != line.hash {
            return Err(format!("line {at} (event {}): altered — its hash does not match its content", line.event.id));
        }
        head = hash;
        count += 1;
    }
    if count != manifest.events {
        return Err(format!("{count} events in the file, the manifest says {}", manifest.events));
    }
    if head != manifest.head {
        return Err("the chain's last hash is not the manifest's head".to_owned());
    }
    Ok(count)
}

/// Deletes the events of archived months that ended more than `retention_days` ago; the months
/// pruned with their event counts.
///
/// # Errors
/// 422 for a retention under [`MIN_RETENTION_DAYS`]; a database fault.
pub fn prune(conn: &mut DbConn, retention_days: u32, now: NaiveDateTime) -> Result<Vec<(String, usize)>, Problem> {
    check_retention(retention_days)?;
    let cutoff = now - Duration::days(i64::from(retention_days));
    let mut pruned = Vec::new();
    for archive in audit::archives(conn)? {
        let (start, end) = month_span(&archive.month)?;
        if end <= cutoff {
            let deleted = audit::delete_between(conn, start, end)?;
            if deleted > 0 {
                pruned.push((archive.month, deleted));
            }
        }
    }
    Ok(pruned)
}

/// # Errors
/// 422 under [`MIN_RETENTION_DAYS`].
pub fn check_retention(days: u32) -> Result<(), Problem> {
    if days < MIN_RETENTION_DAYS {
        let message =
            format!("审计日志保留期不得少于 {MIN_RETENTION_DAYS} 天（网络安全法第二十一条），配置为 {days} 天");
        return Err(Problem::unprocessable("retention_too_short", message.clone()).with_detail(
            Some("audit_retention_days"),
            "retention_too_short",
            message,
        ));
    }
    Ok(())
}
