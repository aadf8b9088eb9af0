//! A register's definition: code, unit, typed columns, key.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use strum::{AsRefStr, Display, EnumIter, EnumString};

/// `REG.` and an upper-case name: `REG.DIBAO`. Shares the indicators' code space, so a register
/// code never names an indicator too.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RegisterCode(String);

impl RegisterCode {
    /// # Errors
    /// When the text is not `REG.` followed by upper-case letters, digits and `_`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let ok = text.len() <= 64
            && text.strip_prefix("REG.").is_some_and(|rest| {
                rest.split('.').all(|p| {
                    p.starts_with(|c: char| c.is_ascii_uppercase())
                        && p.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                })
            });
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!("台账代码“{text}”无效：应以 REG. 开头，后接大写字母、数字、下划线，如 REG.DIBAO"))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegisterCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one record is: a household (户) or a person (人).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, EnumString, AsRefStr, EnumIter, Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RegisterUnit {
    Household,
    Person,
}

impl RegisterUnit {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Household => "户",
            Self::Person => "人",
        }
    }
}

/// What a column holds: the indicators' value types, and ID and phone numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, EnumString, AsRefStr, EnumIter, Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ColumnKind {
    Text,
    Integer,
    Decimal,
    Boolean,
    Enum,
    Date,
    /// 居民身份证号, checksum verified.
    IdNumber,
    /// A mainland mobile or landline number.
    Phone,
}

/// How personal a column is (个人信息保护法): `false`, `true` (personal: masked when shown) or
/// `"sensitive"` (sensitive personal information, §28: also encrypted at rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Personal {
    #[default]
    No,
    Personal,
    Sensitive,
}

impl Personal {
    #[must_use]
    pub fn is_personal(self) -> bool {
        self != Self::No
    }
}

impl Serialize for Personal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::No => s.serialize_bool(false),
            Self::Personal => s.serialize_bool(true),
            Self::Sensitive => s.serialize_str("sensitive"),
        }
    }
}

impl<'de> Deserialize<'de> for Personal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Spelling {
            Flag(bool),
            Word(String),
        }
        match Spelling::deserialize(d)? {
            Spelling::Flag(false) => Ok(Self::No),
            Spelling::Flag(true) => Ok(Self::Personal),
            Spelling::Word(w) if w == "sensitive" => Ok(Self::Sensitive),
            Spelling::Word(w) if w == "personal" => Ok(Self::Personal),
            Spelling::Word(w) => {
                Err(serde::de::Error::custom(format!("personal 应为 false、true 或 \"sensitive\"，收到“{w}”")))
            }
        }
    }
}

/// One column of a register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDef {
    /// Lower-case ASCII, `_`: `head_name`.
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnKind,
    #[serde(default)]
    pub personal: Personal,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The options of an `enum` column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Other names the column goes by in the Excel lists villages keep (matched on import).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

impl ColumnDef {
    /// Whether its values are encrypted at rest: sensitive columns, and every ID number.
    #[must_use]
    pub fn sealed(&self) -> bool {
        self.personal == Personal::Sensitive || self.kind == ColumnKind::IdNumber
    }
}

/// A register type (台账类型), as the registry keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterDef {
    pub code: String,
    pub name: String,
    pub unit: RegisterUnit,
    #[serde(default)]
    pub description: String,
    pub columns: Vec<ColumnDef>,
    /// The columns whose values identify a record within a village.
    pub key: Vec<String>,
}

/// At most this many columns in a register.
pub const MAX_COLUMNS: usize = 60;

impl RegisterDef {
    #[must_use]
    pub fn column(&self, code: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.code == code)
    }

    /// The column whose value identifies the person across villages: the first ID number.
    #[must_use]
    pub fn person_column(&self) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.kind == ColumnKind::IdNumber)
    }

    /// Every problem of the definition on its own, as `(field, code, message)`.
    #[must_use]
    pub fn problems(&self) -> Vec<(String, &'static str, String)> {
        let mut out = Vec::new();
        let mut push = |field: String, code: &'static str, message: String| out.push((field, code, message));
        if let Err(message) = RegisterCode::parse(&self.code) {
            push("code".into(), "invalid_code", message);
        }
        for (field, text, max) in [("name", &self.name, 100), ("description", &self.description, 2000)] {
            if let Err(p) = crate::text::check_text(text, max) {
                push(field.into(), p.code(), format!("{field}：{p}"));
            }
        }
        if self.name.trim().is_empty() {
            push("name".into(), "required", "台账名称不能为空".into());
        }
        if self.columns.is_empty() || self.columns.len() > MAX_COLUMNS {
            push(
                "columns".into(),
                "invalid_value",
                format!("台账应有 1 到 {MAX_COLUMNS} 列，收到 {} 列", self.columns.len()),
            );
        }
        for (i, column) in self.columns.iter().enumerate() {
            let field = format!("columns[{i}]");
            let code_ok = column.code.len() <= 40
                && column.code.starts_with(|c: char| c.is_ascii_lowercase())
                && column.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !code_ok {
                push(
                    format!("{field}.code"),
                    "invalid_code",
                    format!("列代码“{}”无效：应为小写字母、数字、下划线，如 head_name", column.code),
                );
            }
            if self.columns[..i].iter().any(|c| c.code == column.code) {
                push(format!("{field}.code"), "duplicate", format!("列代码 {} 重复", column.code));
            }
            if column.name.trim().is_empty() {
                push(format!("{field}.name"), "required", format!("列 {} 缺少名称", column.code));
            }
            if let Err(p) = crate::text::check_text(&column.name, 60) {
                push(format!("{field}.name"), p.code(), format!("列名：{p}"));
            }
            match column.kind {
                ColumnKind::Enum if column.options.is_empty() || column.options.iter().any(|o| o.trim().is_empty()) => {
                    push(format!("{field}.options"), "required", format!("枚举列 {} 须有非空的选项", column.code));
                }
                ColumnKind::Enum => {}
                _ if !column.options.is_empty() => {
                    push(format!("{field}.options"), "invalid_value", format!("只有枚举列能有选项（{}）", column.code));
                }
                _ => {}
            }
            let numeric = matches!(column.kind, ColumnKind::Integer | ColumnKind::Decimal);
            if (column.min.is_some() || column.max.is_some()) && !numeric {
                push(format!("{field}.min"), "invalid_value", format!("只有数值列能设上下限（{}）", column.code));
            }
            if let (Some(min), Some(max)) = (column.min, column.max) {
                if min > max {
                    push(
                        format!("{field}.min"),
                        "min_above_max",
                        format!("列 {} 的最小值 {min} 大于最大值 {max}", column.code),
                    );
                }
            }
            if column.kind == ColumnKind::IdNumber && column.personal != Personal::Sensitive {
                push(
                    format!("{field}.personal"),
                    "invalid_value",
                    format!("身份证号列 {} 属敏感个人信息，personal 须为 \"sensitive\"", column.code),
                );
            }
        }
        if self.key.is_empty() {
            push("key".into(), "required", "台账须指定主键列（key），如 [\"id_number\"]".into());
        }
        for key in &self.key {
            match self.column(key) {
                None => push("key".into(), "unknown_column", format!("主键列 {key} 不在列中")),
                Some(column) if !column.required => {
                    push("key".into(), "invalid_value", format!("主键列 {key} 须为必填（required: true）"));
                }
                Some(_) => {}
            }
        }
        out
    }
}
