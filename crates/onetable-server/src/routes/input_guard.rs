//! Refuses, before routing, a request whose path or query parameters hold characters no field may
//! hold ([`onetable_core::text`]): a NUL in `q=` made PostgreSQL fail (500) and matched every
//! region on SQLite. JSON bodies are checked by [`crate::routes::json`], imported cells by the
//! import.

use actix_web::dev::ServiceRequest;

use crate::error::ApiError;

/// Longest a query parameter's name may be; values are bounded by the URL length.
const MAX_NAME_CHARS: usize = 100;

/// # Errors
/// 422 `invalid_text` naming the parameter (or `path`).
pub fn check(req: &ServiceRequest) -> Result<(), ApiError> {
    let refuse = |field: &str, problem: onetable_core::text::TextProblem| {
        ApiError::unprocessable("invalid_text", format!("参数 {field} 含不允许的字符")).with_detail(
            Some(field),
            problem.code(),
            format!("{field}：{problem}"),
        )
    };
    let path = percent_encoding::percent_decode_str(req.path()).decode_utf8_lossy();
    onetable_core::text::check_chars(&path).map_err(|p| refuse("path", p))?;
    let query = req.query_string();
    if query.is_empty() {
        return Ok(());
    }
    for (name, value) in form_pairs(query) {
        let shown: String = name.chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
        onetable_core::text::check_text(&name, MAX_NAME_CHARS).map_err(|p| refuse(&shown, p))?;
        onetable_core::text::check_chars(&value).map_err(|p| refuse(&shown, p))?;
    }
    Ok(())
}

fn form_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::check;

    #[test]
    fn a_nul_in_a_query_value_or_the_path_is_refused() {
        let req = TestRequest::with_uri("/api/v1/regions?q=%00&within=52").to_srv_request();
        let error = check(&req).err().map(|e| e.body());
        assert_eq!(error.as_ref().map(|e| e.error.as_str()), Some("invalid_text"));
        assert_eq!(error.and_then(|e| e.details[0].field.clone()).as_deref(), Some("q"));
        let req = TestRequest::with_uri("/api/v1/indicators/POP%00X").to_srv_request();
        assert!(check(&req).is_err());
        let req = TestRequest::with_uri("/api/v1/regions?q=%E6%9D%91&within=52").to_srv_request();
        assert!(check(&req).is_ok());
    }
}
