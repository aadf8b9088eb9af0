//! `onetable extract`: a period's villages as Hive-style Parquet partitions for Spark, Trino or
//! DuckDB (see README, "Past one machine").

use std::path::Path;

use anyhow::anyhow;
use onetable_app::cubes::CubeCache;
use onetable_app::lake::{write_extract, ExtractAsk};
use onetable_store::Db;

pub fn extract(
    db: &Db,
    to: &Path,
    period: &str,
    indicators: Option<&str>,
    changed_since: Option<&str>,
) -> anyhow::Result<()> {
    let changed_since = changed_since
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).map(|t| t.to_utc()))
        .transpose()
        .map_err(|e| anyhow!("--changed-since wants an RFC 3339 time (2026-12-01T00:00:00Z): {e}"))?;
    let ask = ExtractAsk {
        period: period.to_owned(),
        indicators: indicators
            .map(|l| l.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
        changed_since,
    };
    let started = std::time::Instant::now();
    let cubes = CubeCache::default();
    let manifest = write_extract(&mut *db.conn()?, &cubes, to, &ask).map_err(|e| anyhow!(e.describe()))?;
    let rows: usize = manifest.files.iter().map(|f| f.rows).sum();
    let bytes: usize = manifest.files.iter().map(|f| f.bytes).sum();
    println!(
        "{}: {} partitions written ({} in the period), {rows} villages, {} columns, {:.1} MiB, in {:.2}s",
        to.join(format!("period={}", manifest.period)).display(),
        manifest.written.len(),
        manifest.files.len(),
        manifest.columns.len(),
        bytes as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
