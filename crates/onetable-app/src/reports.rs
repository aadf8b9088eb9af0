//! What a report may be asked for as: its file format, its column headers, the indicators a
//! comma-separated list names.

use onetable_analytics::Headers;

use crate::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
    Parquet,
}

impl Format {
    /// # Errors
    /// 400 for anything else.
    pub fn parse(text: Option<&str>) -> Result<Self, Problem> {
        match text.unwrap_or("json") {
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            "xlsx" => Ok(Self::Xlsx),
            "parquet" => Ok(Self::Parquet),
            other => Err(Problem::bad_request(
                "invalid_format",
                format!("不支持的格式 {other}：可选 json、csv、xlsx、parquet"),
            )
            .with_detail(Some("format"), "invalid_format", "json、csv、xlsx 或 parquet")),
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Parquet => "parquet",
        }
    }
}

/// `headers=code` gives indicator codes as column headers; Chinese names are the default.
///
/// # Errors
/// 400 for anything else.
pub fn parse_headers(text: Option<&str>) -> Result<Headers, Problem> {
    match text.unwrap_or("name") {
        "name" => Ok(Headers::Names),
        "code" => Ok(Headers::Codes),
        other => Err(Problem::bad_request("invalid_query", format!("headers 须为 name 或 code，而不是 {other}"))),
    }
}

/// The codes of a comma-separated list, trimmed, each once, in the order first named.
#[must_use]
pub fn code_list(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    text.split(',').map(str::trim).filter(|c| !c.is_empty() && seen.insert(*c)).map(str::to_owned).collect()
}
