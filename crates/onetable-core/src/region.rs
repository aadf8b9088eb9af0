//! Region codes (统计用区划代码): the 12-digit statistical division code `PP CC DD TTT VVV`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Digits of each segment: province, prefecture, county, township, village.
const SEGMENT_WIDTHS: [u32; 5] = [2, 2, 2, 3, 3];
/// How many leading digits a code of each level keeps (its significant prefix).
const PREFIX_LENGTHS: [u32; 5] = [2, 4, 6, 9, 12];
const TOTAL_DIGITS: u32 = 12;

/// The level of a region in the administrative hierarchy, province (1) to village (5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省级
    Province = 1,
    /// 地级
    Prefecture = 2,
    /// 县级
    County = 3,
    /// 乡级
    Township = 4,
    /// 村级
    Village = 5,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 5] = [Self::Province, Self::Prefecture, Self::County, Self::Township, Self::Village];

    /// 1 for a province … 5 for a village.
    #[must_use]
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|level| i32::from(level.number()) == n)
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Prefecture => "prefecture",
            Self::County => "county",
            Self::Township => "township",
            Self::Village => "village",
        }
    }

    /// How many leading digits identify a region of this level.
    #[must_use]
    pub fn prefix_len(self) -> usize {
        PREFIX_LENGTHS[self.index()] as usize
    }

    pub fn index(self) -> usize {
        usize::from(self.number()) - 1
    }
}

impl FromStr for RegionLevel {
    type Err = RegionCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|level| level.as_str() == s)
            .ok_or_else(|| RegionCodeError::UnknownLevel(s.to_owned()))
    }
}

/// What kind of unit a township- or village-level code stands for, read from its segment range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    /// 街道 (township segment 001–099)
    Subdistrict,
    /// 镇 (100–199)
    Town,
    /// 乡 (200–399)
    Township,
    /// 类似乡级单位 (400 and above: development zones, farms …)
    TownshipLike,
    /// 社区/居委会 (village segment 001–199)
    Community,
    /// 村委会 (200 and above)
    VillageCommittee,
}

impl RegionKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Subdistrict => "subdistrict",
            Self::Town => "town",
            Self::Township => "township",
            Self::TownshipLike => "township_like",
            Self::Community => "community",
            Self::VillageCommittee => "village_committee",
        }
    }

    /// The Chinese name clerks know the kind by.
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Subdistrict => "街道",
            Self::Town => "镇",
            Self::Township => "乡",
            Self::TownshipLike => "类似乡级单位",
            Self::Community => "社区",
            Self::VillageCommittee => "村",
        }
    }
}

/// Why a string is not a region code. Messages are Chinese: clerks read them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("区划代码不能为空")]
    Empty,
    #[error("区划代码只能包含数字：{0}")]
    NotDigits(String),
    #[error("区划代码应为 2、4、6、9 或 12 位数字，收到 {0} 位")]
    WrongLength(usize),
    #[error("区划代码的省级部分不能为 00")]
    ZeroProvince,
    #[error("区划代码 {0} 无效：上级段为 0 时下级段必须为 0")]
    OrphanSegment(String),
    #[error("未知的区划级别：{0}（应为 province、prefecture、county、township 或 village）")]
    UnknownLevel(String),
}

/// A parsed, valid 12-digit region code.
///
/// Shorter prefixes (2, 4, 6 or 9 digits, e.g. a GB/T 2260 county code) are padded with zeros.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(u64);

impl RegionCode {
    /// Parses a code of 2, 4, 6, 9 or 12 digits.
    ///
    /// # Errors
    /// When the text is empty, holds anything but ASCII digits, has another length, or has a
    /// non-zero segment below a zero township or prefecture (no such unit exists).
    pub fn parse(text: &str) -> Result<Self, RegionCodeError> {
        if text.is_empty() {
            return Err(RegionCodeError::Empty);
        }
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError::NotDigits(text.to_owned()));
        }
        if !PREFIX_LENGTHS.iter().any(|&len| len as usize == text.len()) {
            return Err(RegionCodeError::WrongLength(text.chars().count()));
        }
        let mut value: u64 = 0;
        for b in text.bytes() {
            value = value * 10 + u64::from(b - b'0');
        }
        // At most 12 digits: cannot overflow, and the exponent is at most 10.
        #[allow(clippy::cast_possible_truncation)]
        let pad = TOTAL_DIGITS - text.len() as u32;
        Self::from_number(value * 10u64.pow(pad))
    }

    /// The code as a number (the 12 digits), for columnar storage.
    #[must_use]
    pub fn number(self) -> u64 {
        self.0
    }

    /// The code whose 12 digits are `value`.
    ///
    /// # Errors
    /// As [`RegionCode::parse`], for a value that names no possible unit.
    pub fn from_number(value: u64) -> Result<Self, RegionCodeError> {
        if value >= 10u64.pow(TOTAL_DIGITS) {
            return Err(RegionCodeError::WrongLength(value.to_string().len()));
        }
        let code = Self(value);
        let [province, prefecture, county, township, village] = code.segments();
        if province == 0 {
            return Err(RegionCodeError::ZeroProvince);
        }
        // Dongguan, Zhongshan, Danzhou and Jiayuguan have townships directly under the
        // prefecture (county segment 00), so only these gaps are impossible.
        let orphan =
            (township == 0 && village != 0) || (prefecture == 0 && (county != 0 || township != 0 || village != 0));
        if orphan {
            return Err(RegionCodeError::OrphanSegment(code.to_string()));
        }
        Ok(code)
    }

    /// The five segments, province first.
    #[must_use]
    pub fn segments(self) -> [u64; 5] {
        let mut rest = self.0;
        let mut out = [0u64; 5];
        for (i, width) in SEGMENT_WIDTHS.iter().enumerate().rev() {
            let base = 10u64.pow(*width);
            out[i] = rest % base;
            rest /= base;
        }
        out
    }

    /// The level, read from the trailing zero segments.
    #[must_use]
    pub fn level(self) -> RegionLevel {
        let segments = self.segments();
        let deepest = segments.iter().rposition(|&s| s != 0).unwrap_or(0);
        RegionLevel::ALL[deepest]
    }

    /// The kind of township or village unit; `None` above the township level.
    #[must_use]
    pub fn kind(self) -> Option<RegionKind> {
        let [_, _, _, township, village] = self.segments();
        match self.level() {
            RegionLevel::Village if village < 200 => Some(RegionKind::Community),
            RegionLevel::Village => Some(RegionKind::VillageCommittee),
            RegionLevel::Township => Some(match township {
                1..=99 => RegionKind::Subdistrict,
                100..=199 => RegionKind::Town,
                200..=399 => RegionKind::Township,
                _ => RegionKind::TownshipLike,
            }),
            _ => None,
        }
    }

    /// The code with its lowest non-zero segment zeroed; `None` for a province.
    #[must_use]
    pub fn parent(self) -> Option<Self> {
        let level = self.level();
        if level == RegionLevel::Province {
            return None;
        }
        let mut parent = self.truncated_to(RegionLevel::ALL[level.index() - 1]);
        // Skip empty levels (a township directly under a prefecture has no county).
        while parent.level() != RegionLevel::Province && parent.segments()[parent.level().index()] == 0 {
            parent = parent.truncated_to(RegionLevel::ALL[parent.level().index() - 1]);
        }
        Some(parent)
    }

    /// Every ancestor, province first, not including the code itself.
    #[must_use]
    pub fn ancestors(self) -> Vec<Self> {
        let mut out = Vec::with_capacity(4);
        let mut current = self.parent();
        while let Some(code) = current {
            out.push(code);
            current = code.parent();
        }
        out.reverse();
        out
    }

    /// The code cut to the given level (zeros below it). Cutting to a deeper level is a no-op.
    #[must_use]
    pub fn truncated_to(self, level: RegionLevel) -> Self {
        let keep = TOTAL_DIGITS - PREFIX_LENGTHS[level.index()];
        let base = 10u64.pow(keep);
        Self(self.0 / base * base)
    }

    /// The digits that identify this region (2 for a province … 12 for a village).
    #[must_use]
    pub fn prefix(self) -> String {
        let full = self.to_string();
        full[..self.level().prefix_len()].to_owned()
    }

    /// Whether `other` is this region or lies inside it.
    #[must_use]
    pub fn contains(self, other: Self) -> bool {
        other.truncated_to(self.level()) == self
    }

    /// The inclusive range of 12-digit codes inside this region, for range scans on an index.
    #[must_use]
    pub fn descendant_range(self) -> (Self, Self) {
        let keep = TOTAL_DIGITS - PREFIX_LENGTHS[self.level().index()];
        (self, Self(self.0 + 10u64.pow(keep) - 1))
    }

    /// The last code of the descendant range, as text (it need not be a valid code).
    #[must_use]
    pub fn descendant_upper_bound(self) -> String {
        format!("{:012}", self.descendant_range().1 .0)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012}", self.0)
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({self})")
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> RegionCode {
        RegionCode::parse(text).unwrap()
    }

    #[test]
    fn every_level_is_read_from_trailing_zeros() {
        assert_eq!(code("520000000000").level(), RegionLevel::Province);
        assert_eq!(code("522300000000").level(), RegionLevel::Prefecture);
        assert_eq!(code("522301000000").level(), RegionLevel::County);
        assert_eq!(code("522301001000").level(), RegionLevel::Township);
        assert_eq!(code("522301001001").level(), RegionLevel::Village);
    }

    #[test]
    fn short_prefixes_are_padded() {
        assert_eq!(code("52").to_string(), "520000000000");
        assert_eq!(code("5223").to_string(), "522300000000");
        assert_eq!(code("522301").to_string(), "522301000000");
        assert_eq!(code("522301001").to_string(), "522301001000");
        assert_eq!(code("522301").level(), RegionLevel::County);
    }

    #[test]
    fn parent_and_ancestors() {
        let village = code("522301001001");
        assert_eq!(village.parent(), Some(code("522301001")));
        assert_eq!(village.ancestors(), vec![code("52"), code("5223"), code("522301"), code("522301001")]);
        assert_eq!(code("52").parent(), None);
        assert!(code("52").ancestors().is_empty());
    }

    #[test]
    fn a_township_directly_under_a_prefecture_skips_the_county() {
        // 东莞市 has no counties: its towns hang off the prefecture.
        let town = code("441900003000");
        assert_eq!(town.level(), RegionLevel::Township);
        assert_eq!(town.parent(), Some(code("4419")));
        assert_eq!(code("441900003001").ancestors(), vec![code("44"), code("4419"), code("441900003")]);
    }

    #[test]
    fn kinds_follow_segment_ranges() {
        assert_eq!(code("522301001").kind(), Some(RegionKind::Subdistrict));
        assert_eq!(code("522301099").kind(), Some(RegionKind::Subdistrict));
        assert_eq!(code("522301100").kind(), Some(RegionKind::Town));
        assert_eq!(code("522301199").kind(), Some(RegionKind::Town));
        assert_eq!(code("522301200").kind(), Some(RegionKind::Township));
        assert_eq!(code("522301399").kind(), Some(RegionKind::Township));
        assert_eq!(code("522301400").kind(), Some(RegionKind::TownshipLike));
        assert_eq!(code("522301100001").kind(), Some(RegionKind::Community));
        assert_eq!(code("522301100199").kind(), Some(RegionKind::Community));
        assert_eq!(code("522301100200").kind(), Some(RegionKind::VillageCommittee));
        assert_eq!(code("522301").kind(), None);
    }

    #[test]
    fn invalid_input_is_refused() {
        assert_eq!(RegionCode::parse(""), Err(RegionCodeError::Empty));
        assert!(matches!(RegionCode::parse("52230100100a"), Err(RegionCodeError::NotDigits(_))));
        assert!(matches!(RegionCode::parse("５２"), Err(RegionCodeError::NotDigits(_))));
        assert_eq!(RegionCode::parse("52230100100"), Err(RegionCodeError::WrongLength(11)));
        assert_eq!(RegionCode::parse("5223010010011"), Err(RegionCodeError::WrongLength(13)));
        assert_eq!(RegionCode::parse("522"), Err(RegionCodeError::WrongLength(3)));
        assert_eq!(RegionCode::parse("000000000000"), Err(RegionCodeError::ZeroProvince));
        // A village under a zero township.
        assert!(matches!(RegionCode::parse("522301000001"), Err(RegionCodeError::OrphanSegment(_))));
        // A county under a zero prefecture.
        assert!(matches!(RegionCode::parse("520001000000"), Err(RegionCodeError::OrphanSegment(_))));
        assert!(matches!(RegionCode::parse(" 52"), Err(RegionCodeError::NotDigits(_))));
    }

    #[test]
    fn containment_and_ranges() {
        let county = code("522301");
        assert!(county.contains(code("522301001001")));
        assert!(county.contains(county));
        assert!(!county.contains(code("522302001001")));
        assert!(!code("522301001001").contains(county));
        assert_eq!(county.prefix(), "522301");
        assert_eq!(county.descendant_upper_bound(), "522301999999");
        assert!(code("4419").contains(code("441900003001")));
    }
}
