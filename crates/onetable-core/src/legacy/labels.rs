//! The columns that name a form's rows rather than hold its data: 序号, 区划代码, 县区, 乡镇,
//! 村名 (and 地区, 自然村（屯）, 指标 in tables whose rows are areas), 备注.

use serde::{Deserialize, Serialize};

/// What a row-label column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelKind {
    /// 序号
    Sequence,
    /// 区划代码
    RegionCode,
    /// 县区, 县（市、区）
    County,
    /// 乡镇
    Township,
    /// 村名, 行政村名称, 村（社区）
    Village,
    /// 备注
    Remark,
}

/// A row-label column: not data, but how the form names its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelColumn {
    pub index: usize,
    pub header: String,
    pub kind: LabelKind,
}

/// Which label a header names, when it names one.
#[must_use]
pub fn label_kind(header: &str) -> Option<LabelKind> {
    let h: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    let h = h.as_str();
    if matches!(h, "序号" | "编号" | "序" | "No" | "No.") {
        return Some(LabelKind::Sequence);
    }
    if h.contains("代码") || h.contains("编码") {
        return Some(LabelKind::RegionCode);
    }
    if matches!(h, "备注" | "说明") {
        return Some(LabelKind::Remark);
    }
    let county = [
        "区（县）",
        "区(县)",
        "县区",
        "区县",
        "县市区",
        "县（市、区）",
        "县(市、区)",
        "县（市）",
        "县(市)",
        "县（区）",
        "县",
        "县名",
        "所属县区",
    ];
    if county.contains(&h) {
        return Some(LabelKind::County);
    }
    let township = [
        "镇名称",
        "乡名称",
        "街道名称",
        "乡镇",
        "乡（镇）",
        "乡(镇)",
        "镇（乡）",
        "乡镇（街道）",
        "乡镇名称",
        "所属乡镇",
        "镇",
        "乡镇街道",
    ];
    if township.contains(&h) {
        return Some(LabelKind::Township);
    }
    let village_words =
        ["村名", "村名称", "行政村", "行政村名称", "村（社区）", "村(社区)", "村（居）", "村居", "村委会"];
    // What names a row when it is not a village: an area of any level (地区, written 地 区 or
    // 年份地区 in statistical yearbooks), a hamlet (自然村（屯）, 村民小组), or the stub of a table
    // whose rows are areas (指标, 项目). All of them are the row's name, as 村名 is.
    let row_names =
        ["地区", "地区名称", "区域", "年份地区", "自然村", "村民小组", "组别", "组名", "指标", "项目", "街道"];
    let bare = super::naming::without_brackets(h);
    let is_village = village_words.iter().any(|w| h == *w || h == format!("{w}名称"))
        || (["村", "行政村", "自然村", "村民小组", "屯"].iter().any(|p| h.starts_with(p))
            && (h.ends_with("名称") || h.ends_with("名")))
        || matches!(h, "单位名称" | "村社区名称" | "村（社区）名称" | "单位")
        || row_names.contains(&h)
        || (bare != h && (row_names.contains(&bare.as_str()) || village_words.contains(&bare.as_str())));
    is_village.then_some(LabelKind::Village)
}
