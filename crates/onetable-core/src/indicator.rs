//! Indicators (指标): the registry's unit. Codes, value types, constraints and the enumerations
//! the catalogue uses, parsed from the reference CSV's spelling.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoEnumIterator};

/// Upper-case ASCII, dot-separated: `POP.REGISTERED`. Stable forever.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct IndicatorCode(String);

impl IndicatorCode {
    /// # Errors
    /// When the text is not upper-case letters, digits and `_` in at least two dot-separated parts.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split('.').collect();
        let part_ok = |p: &&str| {
            !p.is_empty()
                && p.starts_with(|c: char| c.is_ascii_uppercase())
                && p.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        };
        if text.len() <= 64 && parts.len() >= 2 && parts.iter().all(part_ok) {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!("指标代码“{text}”无效：应为大写字母、数字、下划线，以点分段，如 POP.REGISTERED"))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IndicatorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a cell holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ValueType {
    Integer,
    /// A decimal with at most `scale` digits after the point.
    Decimal {
        scale: u32,
    },
    Boolean,
    /// One of fixed options.
    Enum {
        options: Vec<String>,
    },
    /// Text of at most `max_length` characters.
    Text {
        max_length: u32,
    },
    /// `YYYY-MM-DD`
    Date,
}

pub const DEFAULT_DECIMAL_SCALE: u32 = 2;
pub const DEFAULT_TEXT_LENGTH: u32 = 200;

impl ValueType {
    /// The catalogue's spelling: `integer`, `decimal`, `decimal(4)`, `boolean`, `enum:A|B|C`,
    /// `text`, `text(500)`, `date`.
    ///
    /// # Errors
    /// For anything else.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let with_arg = |prefix: &str| -> Option<Result<u32, String>> {
            let rest = text.strip_prefix(prefix)?;
            let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
            Some(inner.trim().parse().map_err(|_| format!("“{text}”中的数字无效")))
        };
        Ok(match text {
            "integer" => Self::Integer,
            "decimal" => Self::Decimal { scale: DEFAULT_DECIMAL_SCALE },
            "boolean" => Self::Boolean,
            "text" => Self::Text { max_length: DEFAULT_TEXT_LENGTH },
            "date" => Self::Date,
            _ => {
                if let Some(options) = text.strip_prefix("enum:") {
                    let options: Vec<String> = options.split('|').map(|o| o.trim().to_owned()).collect();
                    if options.iter().any(String::is_empty) {
                        return Err("枚举选项不能为空".to_owned());
                    }
                    Self::Enum { options }
                } else if let Some(scale) = with_arg("decimal") {
                    Self::Decimal { scale: scale? }
                } else if let Some(length) = with_arg("text") {
                    Self::Text { max_length: length? }
                } else {
                    return Err(format!(
                        "未知的值类型“{text}”（应为 integer、decimal、boolean、enum:A|B、text 或 date）"
                    ));
                }
            }
        })
    }

    /// The catalogue's spelling (defaults left implicit).
    #[must_use]
    pub fn spelling(&self) -> String {
        match self {
            Self::Integer => "integer".to_owned(),
            Self::Decimal { scale } if *scale == DEFAULT_DECIMAL_SCALE => "decimal".to_owned(),
            Self::Decimal { scale } => format!("decimal({scale})"),
            Self::Boolean => "boolean".to_owned(),
            Self::Enum { options } => format!("enum:{}", options.join("|")),
            Self::Text { max_length } if *max_length == DEFAULT_TEXT_LENGTH => "text".to_owned(),
            Self::Text { max_length } => format!("text({max_length})"),
            Self::Date => "date".to_owned(),
        }
    }

    #[must_use]
    pub fn is_numeric(&self) -> bool {
        matches!(self, Self::Integer | Self::Decimal { .. })
    }
}

/// Parses one of an enumeration's snake_case names, or says in Chinese which ones exist.
///
/// # Errors
/// When `text` names none of them.
pub fn parse_choice<T>(text: &str, what: &str) -> Result<T, String>
where
    T: IntoEnumIterator + AsRef<str> + FromStr,
{
    text.trim().parse().map_err(|_| {
        let names: Vec<String> = T::iter().map(|v| v.as_ref().to_owned()).collect();
        format!("“{}”不是有效的{what}（可选：{}）", text.trim(), names.join("、"))
    })
}

/// How a value rolls up the hierarchy. `ratio` is for derived indicators: ratio of sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, EnumString, AsRefStr, EnumIter, Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Aggregation {
    Sum,
    Avg,
    Min,
    Max,
    CountTrue,
    None,
    Ratio,
}

/// How often villages report it; the form of a period holds the indicators of its frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, EnumString, AsRefStr, EnumIter, Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Frequency {
    Annual,
    Quarterly,
    Monthly,
}

/// Who may see village-level values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, EnumString, AsRefStr, EnumIter, Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Sensitivity {
    Public,
    Internal,
    Sensitive,
}

/// Life cycle of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, EnumString, AsRefStr, EnumIter, Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum IndicatorStatus {
    Draft,
    Active,
    Deprecated,
}

/// Range and presence constraints on entered values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Constraints {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub required: bool,
}

/// One version of an indicator's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorDef {
    pub code: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub value_type: ValueType,
    pub constraints: Constraints,
    pub category: String,
    pub frequency: Frequency,
    pub aggregation: Aggregation,
    pub sensitivity: Sensitivity,
    pub owner_department: String,
    pub legal_basis: String,
    pub formula: Option<String>,
    /// A register aggregate (`count(REG.DIBAO)`): the value is derived from the village's
    /// register and kept in its entry with source `register` — stored, not computed on read.
    #[serde(default)]
    pub register_aggregate: Option<String>,
    pub status: IndicatorStatus,
    /// Aliases (别名): other names departments use for it, matched exactly by the legacy-form
    /// analyzer. Never `|`.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl IndicatorDef {
    #[must_use]
    pub fn is_derived(&self) -> bool {
        self.formula.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert!(IndicatorCode::parse("POP.REGISTERED").is_ok());
        assert!(IndicatorCode::parse("DER.AGEING_RATE").is_ok());
        for bad in ["pop.registered", "POP", "POP.", ".POP", "POP..X", "POP.人口", "POP-X.Y"] {
            assert!(IndicatorCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn value_types_round_trip_their_spelling() {
        for text in ["integer", "decimal", "decimal(4)", "boolean", "enum:平原|丘陵|山区", "text", "text(500)", "date"]
        {
            assert_eq!(ValueType::parse(text).unwrap().spelling(), text);
        }
        assert!(ValueType::parse("float").is_err());
        assert!(ValueType::parse("enum:A||B").is_err());
        assert_eq!(parse_choice::<Aggregation>("count_true", "汇总方式"), Ok(Aggregation::CountTrue));
        assert!(parse_choice::<Frequency>("weekly", "频率").unwrap_err().contains("annual、quarterly、monthly"));
        assert_eq!(Frequency::Quarterly.as_ref(), "quarterly");
    }
}
