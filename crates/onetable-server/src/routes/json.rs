//! The JSON body extractor every handler uses instead of `web::Json`: one that names the field at
//! fault, in Chinese, and refuses invisible control characters in any string before a handler
//! sees the body.
//!
//! `web::Json` reports a body that does not fit its type with serde's English message and no
//! path ("premature end of input at line 1 column 318"). Here the body is parsed to a JSON value
//! first (a syntax error is a 400 naming line and column), every string and key is checked
//! ([`onetable_core::text`]), and the value is then deserialised with `serde_path_to_error`, so a
//! wrong type or a missing field is a 422 whose detail's `field` is the path (`values.POP.MALE`).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::routes::JSON_LIMIT;

/// Longest any string in a JSON body may be, in characters, unless its field sets a lower limit
/// (see [`onetable_app::text::Text`]).
pub const MAX_STRING_CHARS: usize = 20_000;

/// A JSON request body of type `T`, at most `LIMIT` bytes (1 MiB unless a route that takes bulk
/// rows says more).
#[derive(Debug)]
pub struct Json<T, const LIMIT: usize = JSON_LIMIT>(pub T);

impl<T, const LIMIT: usize> Json<T, LIMIT> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T, const LIMIT: usize> std::ops::Deref for Json<T, LIMIT> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Send + 'static, const LIMIT: usize> FromRequest for Json<T, LIMIT> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase);
        let length = req.headers().get("content-length").and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            let is_json = content_type.as_deref().is_some_and(|t| {
                let essence = t.split(';').next().unwrap_or("").trim();
                essence == "application/json" || essence.ends_with("+json")
            });
            if !is_json {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "请求体必须是 JSON（Content-Type: application/json）",
                ));
            }
            if length.is_some_and(|n| n > LIMIT) {
                return Err(too_large(LIMIT));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad_request("invalid_body", format!("请求体读取失败：{e}")))?;
                if bytes.len() + chunk.len() > LIMIT {
                    return Err(too_large(LIMIT));
                }
                bytes.extend_from_slice(&chunk);
            }
            if LIMIT > JSON_LIMIT {
                // A bulk body (a department's push) is parsed off the async workers.
                return actix_web::web::block(move || parse(&bytes))
                    .await
                    .map_err(|_| ApiError::internal("the JSON parser stopped"))?
                    .map(Json);
            }
            parse(&bytes).map(Json)
        })
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("请求体过大，JSON 请求体不能超过 {} KiB", limit / 1024),
    )
}

/// Parses, checks and deserialises a JSON body.
///
/// # Errors
/// 400 `invalid_json` for a syntax error, 422 `invalid_text` for a refused character or a string
/// over [`MAX_STRING_CHARS`], 422 `invalid_field` when the value does not fit `T`.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        let message = if e.is_eof() {
            "请求体不完整：JSON 在结尾处被截断".to_owned()
        } else {
            format!("请求体不是有效的 JSON：第 {} 行第 {} 列附近有语法错误", e.line(), e.column())
        };
        ApiError::bad_request("invalid_json", message.clone()).with_detail(None, "syntax", message)
    })?;
    if let Some(number) = underflowing_number(bytes) {
        let message = format!("数字 {number} 太接近零，无法准确表示（会被当成 0）；请写成普通小数");
        return Err(ApiError::unprocessable("invalid_field", message.clone()).with_detail(
            None,
            "out_of_range",
            message,
        ));
    }
    let mut problems = Vec::new();
    check_strings(&value, &mut String::new(), &mut problems);
    if !problems.is_empty() {
        let mut error = ApiError::unprocessable("invalid_text", "请求中有文字含不允许的字符或过长，请按提示修改");
        for (field, problem) in problems {
            error = error.with_detail(Some(&field), problem.code(), format!("{field}：{problem}"));
        }
        return Err(error);
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let (field, code, message) = describe_problem(&path, &e.into_inner().to_string());
        let field = (!field.is_empty() && field != ".").then_some(field);
        ApiError::unprocessable("invalid_field", format!("请求体字段不符合要求：{message}")).with_detail(
            field.as_deref(),
            code,
            message,
        )
    })
}

/// The first number of a (syntactically valid) JSON text that is not zero as written but parses
/// to zero (`1e-400`): serde would hand it on as 0 without a word.
fn underflowing_number(bytes: &[u8]) -> Option<String> {
    // Only an exponent can make a non-zero literal underflow.
    if !bytes.iter().any(|b| matches!(b, b'e' | b'E')) {
        return None;
    }
    let (mut i, mut in_string) = (0, false);
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                i += 1;
            }
            let token = std::str::from_utf8(&bytes[start..i]).unwrap_or("");
            let mantissa = token.split(['e', 'E']).next().unwrap_or("");
            let nonzero = mantissa.bytes().any(|d| matches!(d, b'1'..=b'9'));
            if nonzero && token.parse::<f64>().is_ok_and(|v| v == 0.0) {
                return Some(token.to_owned());
            }
            continue;
        }
        i += 1;
    }
    None
}

/// Collects every string (and object key) that holds a refused character or is too long.
fn check_strings(value: &Value, path: &mut String, problems: &mut Vec<(String, onetable_core::text::TextProblem)>) {
    const SHOWN: usize = 20;
    if problems.len() >= SHOWN {
        return;
    }
    match value {
        Value::String(text) => {
            if let Err(problem) = onetable_core::text::check_text(text, MAX_STRING_CHARS) {
                problems.push((display_path(path), problem));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                check_strings(item, path, problems);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if let Err(problem) = onetable_core::text::check_text(key, 1_000) {
                    problems.push((display_path(path), problem));
                } else {
                    check_strings(item, path, problems);
                }
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// The path as shown to people: control characters in keys written as escapes.
fn display_path(path: &str) -> String {
    if path.is_empty() {
        return "(body)".to_owned();
    }
    path.chars().map(|c| if c.is_control() { format!("\\u{{{:04x}}}", u32::from(c)) } else { c.to_string() }).collect()
}

/// Field, code and Chinese message for one of serde's messages about the value at `path` (also
/// used for query strings, whose messages have the same shape).
#[must_use]
pub fn describe_problem(path: &str, serde_message: &str) -> (String, &'static str, String) {
    let mut field = path.to_owned();
    let named = |f: &str| if f.is_empty() || f == "." { "请求体".to_owned() } else { format!("字段 {f}") };
    let without_position = serde_message.split(" at line ").next().unwrap_or(serde_message);
    if let Some(rest) = without_position.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        field = if field.is_empty() || field == "." { name.to_owned() } else { format!("{field}.{name}") };
        return (field.clone(), "required", format!("缺少必填字段 {field}"));
    }
    if let Some(rest) = without_position.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        field = if field.is_empty() || field == "." { name.to_owned() } else { format!("{field}.{name}") };
        return (field.clone(), "unknown_field", format!("不认识的字段 {field}"));
    }
    if let Some(rest) = without_position.strip_prefix("unknown variant `") {
        let (got, expected) = rest.split_once("`, expected ").unwrap_or((rest, ""));
        let options = expected.replace("one of ", "").replace('`', "").replace(", ", "、");
        return (field.clone(), "invalid_value", format!("{} 的取值 {got} 无效，应为 {options}", named(&field)));
    }
    for (prefix, code) in [("invalid type: ", "invalid_type"), ("invalid value: ", "invalid_value")] {
        if let Some(rest) = without_position.strip_prefix(prefix) {
            let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
            return (
                field.clone(),
                code,
                format!("{} 应为{}，收到的是{}", named(&field), expected_zh(expected), got_zh(got)),
            );
        }
    }
    if let Some(rest) = without_position.strip_prefix("invalid length ") {
        return (field.clone(), "invalid_length", format!("{} 的长度不对（{rest}）", named(&field)));
    }
    // Our own types' messages are Chinese already; anything else keeps serde's words behind ours.
    let chinese = without_position.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let message = if chinese {
        format!("{}：{without_position}", named(&field))
    } else {
        format!("{} 的值不符合要求（{without_position}）", named(&field))
    };
    (field, "invalid_value", message)
}

fn expected_zh(expected: &str) -> String {
    let e = expected.trim();
    let known = [
        ("a string", "文本"),
        ("a boolean", "true 或 false"),
        ("a sequence", "数组"),
        ("a map", "对象"),
        ("i64", "整数"),
        ("i32", "整数"),
        ("i16", "整数"),
        ("u64", "非负整数"),
        ("u32", "非负整数"),
        ("u16", "非负整数"),
        ("usize", "非负整数"),
        ("f64", "数字"),
        ("f32", "数字"),
        ("a number", "数字"),
        ("an integer", "整数"),
    ];
    for (english, chinese) in known {
        if e == english {
            return chinese.to_owned();
        }
    }
    if e.starts_with("struct ") || e.starts_with("a map") {
        return "对象".to_owned();
    }
    if e.contains("date") || e.contains("RFC 3339") || e.contains("RFC3339") {
        return "日期（2027-12-31）或带时区的时间（2027-12-31T16:00:00Z）".to_owned();
    }
    format!(" {e}")
}

fn got_zh(got: &str) -> String {
    let g = got.trim();
    if g == "null" {
        return " null".to_owned();
    }
    for (english, chinese) in
        [("string ", "文本 "), ("integer ", "整数 "), ("floating point ", "小数 "), ("boolean ", "布尔值 ")]
    {
        if let Some(rest) = g.strip_prefix(english) {
            return format!("{chinese}{rest}");
        }
    }
    match g {
        "sequence" => "数组".to_owned(),
        "map" => "对象".to_owned(),
        other => format!(" {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        count: i64,
        values: std::collections::BTreeMap<String, Value>,
    }

    fn error_of(json: &str) -> serde_json::Value {
        let error = parse::<Body>(json.as_bytes()).err().map(|e| e.body()).unwrap_or_default();
        serde_json::to_value(error).unwrap_or_default()
    }

    #[test]
    fn a_wrong_type_names_the_field_in_chinese() {
        let body = error_of(r#"{"name": "x", "count": "many", "values": {}}"#);
        assert_eq!(body["error"], "invalid_field");
        assert_eq!(body["details"][0]["field"], "count");
        assert_eq!(body["details"][0]["code"], "invalid_type");
        assert!(body["details"][0]["message"].as_str().unwrap_or("").contains("应为整数"), "{body}");
    }

    #[test]
    fn a_missing_field_is_named() {
        let body = error_of(r#"{"name": "x", "values": {}}"#);
        assert_eq!(body["details"][0]["field"], "count");
        assert_eq!(body["details"][0]["code"], "required");
    }

    #[test]
    fn a_syntax_error_is_a_400_with_line_and_column() {
        let body = error_of("{\"name\": \"x\",\n \"count\": }");
        assert_eq!(body["error"], "invalid_json");
        assert!(body["message"].as_str().unwrap_or("").contains("第 2 行"), "{body}");
    }

    #[test]
    fn a_number_that_would_silently_become_zero_is_refused() {
        let body = error_of(r#"{"name": "1e-400", "count": 1, "values": {"A": 1e-400}}"#);
        assert_eq!(body["details"][0]["code"], "out_of_range", "{body}");
        assert!(body["message"].as_str().unwrap_or("").contains("1e-400"));
        assert_eq!(underflowing_number(br#"{"a": 0e5, "b": "1e-400", "c": 1.5e-3}"#), None);
    }

    #[test]
    fn control_characters_anywhere_are_refused_with_their_path() {
        let body = error_of(r#"{"name": "x", "count": 1, "values": {"TXT.NOTE": "a\u0000b"}}"#);
        assert_eq!(body["error"], "invalid_text");
        assert_eq!(body["details"][0]["field"], "values.TXT.NOTE");
        assert_eq!(body["details"][0]["code"], "control_character");
        let body = error_of(r#"{"name": "x", "count": 1, "values": {"A\u0000": 1}}"#);
        assert_eq!(body["details"][0]["field"], "values.A\\u{0000}");
    }
}
