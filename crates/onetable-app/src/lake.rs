//! The partitioned extract for data lakes (数据湖导出): a period's villages written
//! as Hive-style partitions, `period=2025/province=52/part-00000.parquet`, with a
//! `_manifest.json` beside them (every column with its type and the registry version it was
//! written under, rows, bytes and SHA-256 of every file). Each partition is one file, replaced by
//! writing a hidden temporary file and renaming it over the old one — atomic on POSIX — so a
//! reader sees the old partition or the new, never half of one; an extract killed half way leaves
//! the previous partitions readable. An incremental run (`changed_since`) rewrites only the
//! provinces where an entry changed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use onetable_analytics::extract::{column_name, column_type, ProvincePart};
use onetable_core::Period;
use onetable_store::connection::DbConn;
use onetable_store::registry;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cubes::{internal, CubeCache};
use crate::problem::Problem;

/// What an extract asks for.
#[derive(Debug, Clone, Default)]
pub struct ExtractAsk {
    pub period: String,
    /// Indicator codes; every indicator of the period when empty.
    pub indicators: Vec<String>,
    /// Rewrite only the provinces where an entry changed after this.
    pub changed_since: Option<DateTime<Utc>>,
}

/// One column of the extract.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestColumn {
    pub name: String,
    /// `string`, `bigint`, `double` or `boolean` (Spark SQL / DuckDB names).
    #[serde(rename = "type")]
    pub kind: String,
    /// The indicator it holds, with its name, unit and registry version.
    pub indicator: Option<String>,
    pub label: String,
    pub unit: Option<String>,
    pub version: Option<i32>,
    pub derived: bool,
}

/// One file of the extract.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestFile {
    /// Relative to the extract's folder: `period=2025/province=52/part-00000.parquet`.
    pub path: String,
    pub province: String,
    pub rows: usize,
    pub bytes: usize,
    pub sha256: String,
    pub written_at: DateTime<Utc>,
}

/// `period=…/_manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    pub period: String,
    pub generated_at: DateTime<Utc>,
    pub changed_since: Option<DateTime<Utc>>,
    /// The registry's fingerprint: a reader can tell an extract of another registry.
    pub registry_fingerprint: String,
    pub columns: Vec<ManifestColumn>,
    /// Every partition of the period, the ones this run did not rewrite included.
    pub files: Vec<ManifestFile>,
    /// The partitions this run wrote.
    pub written: Vec<String>,
}

const KEY_COLUMNS: [(&str, &str); 12] = [
    ("village_code", "村（社区）代码"),
    ("village_name", "村（社区）名称"),
    ("township_code", "乡镇代码"),
    ("township_name", "乡镇名称"),
    ("county_code", "县区代码"),
    ("county_name", "县区名称"),
    ("prefecture_code", "市州代码"),
    ("prefecture_name", "市州名称"),
    ("province_code", "省代码"),
    ("province_name", "省名称"),
    ("status", "填报状态：open、submitted、approved"),
    ("approved_at", "审核通过时间（UTC，ISO 8601）"),
];

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn io(path: &Path, e: std::io::Error) -> Problem {
    Problem::internal(format!("{}: {e}", path.display()))
}

/// Writes `bytes` to `path` through a hidden file in the same folder and a rename.
fn replace(path: &Path, bytes: &[u8]) -> Result<(), Problem> {
    let dir = path.parent().ok_or_else(|| Problem::internal("a file without a folder"))?;
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut file = std::fs::File::create(&temporary).map_err(|e| io(&temporary, e))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| io(path, e))
}

fn write_part(dir: &Path, period: &str, part: &mut ProvincePart) -> Result<ManifestFile, Problem> {
    let relative = format!("period={period}/province={}/part-00000.parquet", part.province);
    let bytes = part.to_parquet().map_err(Problem::internal)?;
    replace(&dir.join(&relative), &bytes)?;
    Ok(ManifestFile {
        path: relative,
        province: part.province.clone(),
        rows: part.rows(),
        bytes: bytes.len(),
        sha256: hex(&Sha256::digest(&bytes)),
        written_at: Utc::now(),
    })
}

fn previous(path: &Path) -> Option<Manifest> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Writes the extract of `ask` under `dir` and returns its manifest.
///
/// # Errors
/// 422 a bad period or an indicator the period's cube does not have; a store or file fault.
pub fn write_extract(conn: &mut DbConn, cubes: &CubeCache, dir: &Path, ask: &ExtractAsk) -> Result<Manifest, Problem> {
    let period = Period::parse(ask.period.trim()).map_err(|e| {
        Problem::unprocessable("invalid_period", e).with_detail(Some("period"), "invalid", "期别格式不正确")
    })?;
    // An empty database is a set-up step missed, said as such (not a fault of ours).
    if !onetable_store::regions::has_villages(conn)? {
        return Err(Problem::unprocessable(
            "no_regions",
            "数据库中还没有区划：请先导入区划（onetable regions import --from <区划目录>），或运行 onetable demo",
        ));
    }
    let current = registry::current(conn)?;
    if current.is_empty() {
        return Err(Problem::unprocessable(
            "no_indicators",
            "指标库是空的：请先导入指标目录（onetable catalogue load --indicators <文件>）",
        ));
    }
    let fingerprint = registry::fingerprint(conn)?;
    let since = ask.changed_since.map(|t| t.timestamp_millis());
    let (mut parts, measures) = cubes.read_with(conn, period, |cube, containing| {
        if let Some(unknown) = ask.indicators.iter().find(|c| cube.measure(c).is_none()) {
            return Err(Problem::unprocessable("unknown_indicator", format!("{period} 期没有指标 {unknown}"))
                .with_detail(
                    Some("indicators"),
                    "unknown_indicator",
                    format!("指标 {unknown} 不存在，或不是 {period} 这一期别频率的指标"),
                ));
        }
        let parts = cube.extract_within(&ask.indicators, since, None, None, containing).map_err(internal)?;
        let measures: Vec<_> = if ask.indicators.is_empty() {
            cube.measures().to_vec()
        } else {
            ask.indicators.iter().filter_map(|c| cube.measure(c).cloned()).collect()
        };
        Ok((parts, measures))
    })?;
    let period_text = period.to_string();
    let manifest_path: PathBuf = dir.join(format!("period={period_text}/_manifest.json"));
    let mut files: BTreeMap<String, ManifestFile> = BTreeMap::new();
    if ask.changed_since.is_some() {
        for file in previous(&manifest_path).map(|m| m.files).unwrap_or_default() {
            files.insert(file.province.clone(), file);
        }
    }
    let mut written = Vec::new();
    for part in &mut parts {
        let file = write_part(dir, &period_text, part)?;
        written.push(file.path.clone());
        files.insert(file.province.clone(), file);
    }
    let columns = manifest_columns(&measures, &current);
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        period: period_text,
        generated_at: Utc::now(),
        changed_since: ask.changed_since,
        registry_fingerprint: fingerprint,
        columns,
        files: files.into_values().collect(),
        written,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(Problem::internal)?;
    replace(&manifest_path, &json)?;
    Ok(manifest)
}

/// The manifest's name of this layout.
pub const FORMAT: &str = "onetable-extract/1";

/// The columns of an extract of `measures`, key columns first.
#[must_use]
pub fn manifest_columns(
    measures: &[onetable_analytics::Measure],
    current: &crate::registry::Current,
) -> Vec<ManifestColumn> {
    let mut columns: Vec<ManifestColumn> = KEY_COLUMNS
        .iter()
        .map(|(name, label)| ManifestColumn {
            name: (*name).to_owned(),
            kind: "string".to_owned(),
            indicator: None,
            label: (*label).to_owned(),
            unit: None,
            version: None,
            derived: false,
        })
        .collect();
    columns.extend(measures.iter().map(|m| ManifestColumn {
        name: column_name(&m.code),
        kind: column_type(m).to_owned(),
        indicator: Some(m.code.clone()),
        label: m.name.clone(),
        unit: (!m.unit.is_empty()).then(|| m.unit.clone()),
        version: current.get(&m.code).map(|r| r.version),
        derived: m.is_derived(),
    }));
    columns
}
