//! Supplying register records (台账供给): a department granted a register for a region pushes its
//! list — 民政局's 低保户 — village by village, in the register's import layout (CSV or XLSX, the
//! header matched by name). The village's list takes it as the clerk's own import would: all or
//! nothing, new keys added, known ones updated, the village's other records left alone; the
//! counts derived from the register follow at once.

use onetable_core::RegionCode;

use super::push::approved;
use crate::actor::Actor;
use crate::imports::FileFormat;
use crate::problem::{AppResult, Problem};
use crate::registers::import::{import_as, RegisterImportReport};
use crate::App;

/// Whether the department may push `register`'s records for `village` under supply `id` —
/// asked before the file is read.
///
/// # Errors
/// 403 not its approved supply, a register it does not name, a village outside its region; 404
/// a supply it does not see; 422 a region that is not a village.
pub async fn may_push(app: &App, actor: &Actor, id: i64, register: &str, village: RegionCode) -> AppResult<()> {
    let supply = approved(app, actor, id).await?;
    let outside = Problem::forbidden("outside_supply", "超出本数据供给的台账或地区，未保存");
    if !supply.register_list().iter().any(|r| r == register) {
        return Err(outside.with_detail(
            Some("register"),
            "outside_supply",
            format!("数据供给 {id} 不含台账 {register}（含：{}）", supply.register_list().join("、")),
        ));
    }
    let granted = RegionCode::parse(&supply.region_code).map_err(Problem::internal)?;
    if village.level() != onetable_core::RegionLevel::Village {
        return Err(Problem::unprocessable("validation_failed", "village 须为村级区划代码").with_detail(
            Some("village"),
            "not_a_village",
            format!("{village} 不是村级区划"),
        ));
    }
    if !granted.contains(village) {
        return Err(outside.with_detail(
            Some("village"),
            "outside_supply",
            format!("{village} 不在本供给的地区 {granted} 内"),
        ));
    }
    Ok(())
}

/// Pushes a village's records of `register` (checked by [`may_push`] first). Audited as
/// `supply.records`.
///
/// # Errors
/// As [`may_push`]; 413 beyond the reading limits; 422 an unreadable file, no header, or refused
/// values (row and column each; nothing stored).
#[allow(clippy::too_many_arguments)]
pub async fn push(
    app: &App,
    actor: &Actor,
    _turn: &crate::uploads::UploadTurn,
    id: i64,
    register: String,
    village: RegionCode,
    format: FileFormat,
    bytes: Vec<u8>,
    dry_run: bool,
) -> AppResult<RegisterImportReport> {
    may_push(app, actor, id, &register, village).await?;
    import_as(app, actor, "supply.records", register, village, format, bytes, dry_run).await
}
