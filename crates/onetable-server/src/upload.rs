//! An uploaded file, as a raw body or the first fitting part of a multipart form, read up to a
//! limit: the imports and the form analyzer take files the same way.

use actix_multipart::Multipart;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use crate::error::ApiError;

/// The bytes of an uploaded file and what the request said they are.
pub struct Upload {
    /// Lower case; the part's own type for multipart.
    pub content_type: String,
    /// The multipart part's file name.
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("上传的文件不能超过 {} MiB", limit / (1024 * 1024)),
    )
}

async fn collect<S, E>(mut stream: S, limit: usize) -> Result<Vec<u8>, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Reads the body, or from a multipart form every part `wanted` accepts (at most `max_parts`),
/// `limit` bytes in all.
///
/// # Errors
/// 413 beyond `limit` or `max_parts`, 400 a broken body or multipart form.
pub async fn read_uploads(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    max_parts: usize,
    wanted: impl Fn(&str, Option<&str>) -> bool,
) -> Result<Vec<Upload>, ApiError> {
    let content_type = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if declared_length(req).is_some_and(|len| len > limit) {
        return Err(too_large(limit));
    }
    if !content_type.starts_with("multipart/form-data") {
        let bytes = collect(payload, limit).await?;
        return Ok(vec![Upload { content_type, file_name: None, bytes }]);
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut out: Vec<Upload> = Vec::new();
    // Parts that are not files are read too (a multipart stream can only be read in order):
    // they count against the limit, so a 1 GiB text field before the file is refused.
    let mut skipped = 0usize;
    while let Some(field) = multipart.next().await {
        let field =
            field.map_err(|e| ApiError::bad_request("invalid_multipart", format!("multipart 无法解析：{e}")))?;
        let file_name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_owned);
        let part_type = field.content_type().map(|t| t.to_string().to_ascii_lowercase()).unwrap_or_default();
        let used: usize = out.iter().map(|u| u.bytes.len()).sum::<usize>() + skipped;
        if !wanted(&part_type, file_name.as_deref()) {
            skipped += drain(field, limit - used).await?;
            continue;
        }
        if out.len() == max_parts {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_many_files",
                format!("一次最多上传 {max_parts} 个文件"),
            ));
        }
        let bytes = collect(field, limit - used).await.map_err(|_| too_large(limit))?;
        out.push(Upload { content_type: part_type, file_name, bytes });
    }
    Ok(out)
}

/// Reads a part that is not wanted to its end, counting its bytes: at most `limit`.
async fn drain<S, E>(mut stream: S, limit: usize) -> Result<usize, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut read = 0usize;
    while let Some(chunk) = stream.next().await {
        read += chunk.map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?.len();
        if read > limit {
            return Err(too_large(limit));
        }
    }
    Ok(read)
}

fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok())
}

/// Reads the body, or from a multipart form the first part `wanted` accepts (by its content type
/// and file name). `None` for a multipart form with no such part.
///
/// # Errors
/// 413 beyond `limit` (by `Content-Length` before reading), 400 a broken body or multipart form.
pub async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    wanted: impl Fn(&str, Option<&str>) -> bool,
) -> Result<Option<Upload>, ApiError> {
    let content_type = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if declared_length(req).is_some_and(|len| len > limit) {
        return Err(too_large(limit));
    }
    if !content_type.starts_with("multipart/form-data") {
        let bytes = collect(payload, limit).await?;
        return Ok(Some(Upload { content_type, file_name: None, bytes }));
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut skipped = 0usize;
    while let Some(field) = multipart.next().await {
        let field =
            field.map_err(|e| ApiError::bad_request("invalid_multipart", format!("multipart 无法解析：{e}")))?;
        let file_name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_owned);
        let part_type = field.content_type().map(|t| t.to_string().to_ascii_lowercase()).unwrap_or_default();
        if !wanted(&part_type, file_name.as_deref()) {
            skipped += drain(field, limit - skipped).await?;
            continue;
        }
        let bytes = collect(field, limit - skipped).await?;
        return Ok(Some(Upload { content_type: part_type, file_name, bytes }));
    }
    Ok(None)
}
