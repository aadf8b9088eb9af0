//! A department's extract (数据湖导出, 按需求): the partitioned layout of `onetable extract`, for
//! the region and indicators its approved request grants and approved entries only, as one ZIP
//! (partitions and `_manifest.json`) to unpack into its lake. A read under the request like a
//! pull: the same grant rules, logged for the villages.

use std::io::Write;

use chrono::{DateTime, Utc};
use onetable_analytics::EntryState;
use onetable_core::{RegionLevel, Role};
use onetable_store::registry;
use sha2::{Digest, Sha256};

use super::pull::{grant, record, visible, PullAsk};
use crate::actor::Actor;
use crate::lake::{hex, manifest_columns, Manifest, ManifestFile, FORMAT};
use crate::problem::{AppResult, Problem};
use crate::App;

/// The extract as a ZIP.
#[derive(Debug)]
pub struct ExtractZip {
    pub bytes: Vec<u8>,
    /// `request-3-2025-extract.zip`.
    pub file_name: String,
}

/// A department (or an admin) takes the extract request `id` grants for `period`.
///
/// # Errors
/// 403 other roles or outside the grant, 404 a request the actor does not see, 400 a bad period.
pub async fn extract(
    app: &App,
    actor: &Actor,
    id: i64,
    period: String,
    changed_since: Option<DateTime<Utc>>,
) -> AppResult<ExtractZip> {
    let action = "data_request.pull";
    app.authorize(actor, action, Some(id.to_string()), actor.require_role(&[Role::Department, Role::Admin])).await?;
    let request = visible(app, actor, id).await?;
    let ask = PullAsk { period, level: Some(RegionLevel::Village), changed_since, ..PullAsk::default() };
    let granted = match grant(actor, &request, &ask) {
        Ok(granted) => granted,
        Err(e) => {
            let mut event = actor.event(action, Some(id.to_string()), "denied");
            event.detail = Some(e.code().to_owned());
            app.audit(event).await?;
            return Err(e);
        }
    };
    let cubes = app.cubes.clone();
    let read = granted.clone();
    let since = changed_since.map(|t| t.timestamp_millis());
    let (manifest, bytes) = app
        .run(move |conn| {
            let current = registry::current(conn)?;
            let fingerprint = registry::fingerprint(conn)?;
            let (mut parts, measures) = cubes.read_with(conn, read.period, |cube, containing| {
                let codes: Vec<String> =
                    read.indicators.iter().filter(|c| cube.measure(c).is_some()).cloned().collect();
                if codes.is_empty() {
                    return Err(Problem::bad_request(
                        "no_indicators_for_period",
                        format!("本申请的指标中没有 {} 这一期别频率的指标", read.period),
                    ));
                }
                let parts = cube
                    .extract_within(&codes, since, Some(read.within), Some(EntryState::Approved), containing)
                    .map_err(crate::cubes::internal)?;
                let measures: Vec<_> = codes.iter().filter_map(|c| cube.measure(c).cloned()).collect();
                Ok((parts, measures))
            })?;
            let period = read.period.to_string();
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            let mut files = Vec::new();
            for part in &mut parts {
                let bytes = part.to_parquet().map_err(Problem::internal)?;
                let path = format!("period={period}/province={}/part-00000.parquet", part.province);
                zip.start_file(path.as_str(), stored).map_err(Problem::internal)?;
                zip.write_all(&bytes).map_err(Problem::internal)?;
                files.push(ManifestFile {
                    path: path.clone(),
                    province: part.province.clone(),
                    rows: part.rows(),
                    bytes: bytes.len(),
                    sha256: hex(&Sha256::digest(&bytes)),
                    written_at: Utc::now(),
                });
            }
            let manifest = Manifest {
                format: FORMAT.to_owned(),
                period: period.clone(),
                generated_at: Utc::now(),
                changed_since,
                registry_fingerprint: fingerprint,
                columns: manifest_columns(&measures, &current),
                written: files.iter().map(|f| f.path.clone()).collect(),
                files,
            };
            let json = serde_json::to_vec_pretty(&manifest).map_err(Problem::internal)?;
            zip.start_file(format!("period={period}/_manifest.json").as_str(), stored).map_err(Problem::internal)?;
            zip.write_all(&json).map_err(Problem::internal)?;
            let bytes = zip.finish().map_err(Problem::internal)?.into_inner();
            Ok((manifest, bytes))
        })
        .await?;
    let rows = manifest.files.iter().map(|f| f.rows).sum();
    let indicators = manifest.columns.iter().filter_map(|c| c.indicator.clone()).collect::<Vec<_>>().join(",");
    record(app, actor, &request, &granted, indicators, rows, "extract").await?;
    Ok(ExtractZip { bytes, file_name: format!("request-{id}-{}-extract.zip", manifest.period) })
}
