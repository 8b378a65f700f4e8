//! The tus 1.0 resumable upload protocol (core, creation, termination, checksum, expiration)
//! under `/api/v1/uploads`, and file downloads with `Range` under `/api/v1/files`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures::StreamExt;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use workhub_core::{Code, Error};
use workhub_domain::files::{MAX_SIZE, NewUpload};
use workhub_store::files::Upload;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::Session;

const TUS_VERSION: &str = "1.0.0";

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Every tus request but OPTIONS names the protocol version it speaks; the refusal if not.
fn version_refusal(headers: &HeaderMap) -> Option<Response> {
    if header_str(headers, "tus-resumable") == Some(TUS_VERSION) {
        return None;
    }
    Some(
        (
            StatusCode::PRECONDITION_FAILED,
            [("tus-version", TUS_VERSION)],
            "Tus-Resumable 1.0.0 required",
        )
            .into_response(),
    )
}

/// `Upload-Metadata`: comma-separated `key base64value` pairs.
fn metadata(headers: &HeaderMap, key: &str) -> String {
    header_str(headers, "upload-metadata")
        .unwrap_or("")
        .split(',')
        .filter_map(|pair| {
            let mut parts = pair.trim().splitn(2, ' ');
            (parts.next()? == key).then(|| parts.next().unwrap_or(""))
        })
        .find_map(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok())
        .unwrap_or_default()
}

/// An HTTP date (RFC 7231) for `Upload-Expires`.
fn http_date(ms: i64) -> String {
    let at =
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    httpdate::fmt_http_date(at)
}

/// The headers every answer about an upload carries.
fn upload_headers(u: &Upload) -> HeaderMap {
    let mut h = HeaderMap::new();
    let mut put = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    put("tus-resumable", TUS_VERSION.into());
    put("upload-offset", u.offset.to_string());
    put("upload-length", u.length.to_string());
    put("cache-control", "no-store".into());
    match &u.file_id {
        Some(id) => put("workhub-file-id", id.clone()),
        None => put("upload-expires", http_date(u.expires_at)),
    }
    h
}

/// OPTIONS /api/v1/uploads
pub async fn options() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            ("tus-resumable", TUS_VERSION.to_string()),
            ("tus-version", TUS_VERSION.to_string()),
            (
                "tus-extension",
                "creation,termination,checksum,expiration".to_string(),
            ),
            ("tus-max-size", MAX_SIZE.to_string()),
            ("tus-checksum-algorithm", "sha1".to_string()),
        ],
    )
        .into_response()
}

/// GET /api/v1/uploads: the caller's unfinished uploads, newest first, so that any of their
/// devices can resume one (a tus client continues at `offset` with PATCH `location`).
pub async fn unfinished(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let uploads = state.files.unfinished(&who).await?;
    let list: Vec<serde_json::Value> = uploads
        .iter()
        .map(|u| {
            serde_json::json!({
                "id": u.upload_id,
                "name": u.name,
                "content_type": u.content_type,
                "length": u.length,
                "offset": u.offset,
                "created_at": u.created_at,
                "expires_at": u.expires_at,
                "location": format!("/api/v1/uploads/{}", u.upload_id),
            })
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "uploads": list })))
}

/// POST /api/v1/uploads (creation): `Upload-Length`, optional `Upload-Metadata` with
/// `filename` and `filetype`.
pub async fn create(
    State(state): State<AppState>,
    Session(who): Session,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(r) = version_refusal(&headers) {
        return Ok(r);
    }
    let length = header_str(&headers, "upload-length")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .ok_or_else(|| Error::with(Code::MissingField, "Upload-Length"))?;
    let new = NewUpload {
        length,
        name: metadata(&headers, "filename"),
        content_type: metadata(&headers, "filetype"),
    };
    let upload = state.files.create(&who, new).await?;
    let mut h = upload_headers(&upload);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/uploads/{}", upload.upload_id)) {
        h.insert(header::LOCATION, v);
    }
    Ok((StatusCode::CREATED, h).into_response())
}

/// HEAD /api/v1/uploads/{id}
pub async fn head(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(r) = version_refusal(&headers) {
        return Ok(r);
    }
    let upload = state.files.status(&who, &id).await?;
    Ok((StatusCode::OK, upload_headers(&upload)).into_response())
}

/// PATCH /api/v1/uploads/{id}: `Upload-Offset`, `Content-Type: application/offset+octet-stream`,
/// optional `Upload-Checksum: sha1 BASE64`.
pub async fn patch(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if let Some(r) = version_refusal(&headers) {
        return Ok(r);
    }
    if header_str(&headers, "content-type") != Some("application/offset+octet-stream") {
        return Ok((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type: application/offset+octet-stream",
        )
            .into_response());
    }
    let offset = header_str(&headers, "upload-offset")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .ok_or_else(|| Error::with(Code::MissingField, "Upload-Offset"))?;
    let sha1 = match header_str(&headers, "upload-checksum").map(|v| v.trim().split_once(' ')) {
        None => None,
        Some(Some(("sha1", value))) => Some(value.to_string()),
        // An algorithm this server does not offer.
        Some(_) => {
            return Ok((StatusCode::BAD_REQUEST, "Upload-Checksum: sha1 only").into_response());
        }
    };
    let stream = body.into_data_stream();
    let upload = state
        .files
        .append(&who, &id, offset, sha1.as_deref(), stream)
        .await?;
    Ok((StatusCode::NO_CONTENT, upload_headers(&upload)).into_response())
}

/// DELETE /api/v1/uploads/{id} (termination)
pub async fn terminate(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(r) = version_refusal(&headers) {
        return Ok(r);
    }
    state.files.terminate(&who, &id).await?;
    Ok((StatusCode::NO_CONTENT, [("tus-resumable", TUS_VERSION)]).into_response())
}

/// One `bytes=START-END` range (END optional, or `-SUFFIX`), clamped to the file.
fn range(headers: &HeaderMap, size: u64) -> Option<(u64, u64)> {
    let spec = header_str(headers, "range")?.strip_prefix("bytes=")?;
    let (start, end) = spec.split_once('-')?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (size.saturating_sub(n), size.checked_sub(1)?)
        }
        (s, "") => (s.parse().ok()?, size.checked_sub(1)?),
        (s, e) => (
            s.parse().ok()?,
            e.parse::<u64>().ok()?.min(size.checked_sub(1)?),
        ),
    };
    (start <= end && start < size).then_some((start, end))
}

/// GET /api/v1/files/{id}: the bytes, whole or a `Range`.
pub async fn download(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (record, key) = state.files.open(&who, &id).await?;
    Ok(serve_file(&state.files, &record, &key, &headers).await?)
}

/// GET /api/v1/files/{id}/thumbnail: a PNG of at most 320×320 for images.
pub async fn thumbnail(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (record, key) = state.files.thumbnail(&who, &id).await?;
    Ok(serve_file(&state.files, &record, &key, &headers).await?)
}

/// A stored file as a response: whole, or the one `Range` asked for.
pub async fn serve_file(
    files: &workhub_domain::files::Files,
    record: &workhub_store::files::FileRecord,
    key: &workhub_domain::files::BlobKey,
    headers: &HeaderMap,
) -> Result<Response, Error> {
    let size = u64::try_from(record.size).unwrap_or(0);
    let (status, start, end) = match range(headers, size) {
        Some((s, e)) => (StatusCode::PARTIAL_CONTENT, s, e),
        None if headers.contains_key("range") && size > 0 => {
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{size}"))],
            )
                .into_response());
        }
        None => (StatusCode::OK, 0, size.saturating_sub(1)),
    };
    let len = if size == 0 { 0 } else { end - start + 1 };
    let stream = if len == 0 {
        futures::stream::empty().boxed()
    } else {
        files.stream(key, Some(start..end + 1)).await?
    };
    // An ASCII fallback for old clients; `filename*` carries the real (UTF-8) name.
    let name: String = record
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut res = Response::new(Body::from_stream(stream));
    *res.status_mut() = status;
    let h = res.headers_mut();
    let content_type = if record.content_type.is_empty() {
        "application/octet-stream"
    } else {
        &record.content_type
    };
    let mut put = |name: header::HeaderName, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    put(header::CONTENT_TYPE, content_type.to_string());
    put(header::CONTENT_LENGTH, len.to_string());
    put(header::ACCEPT_RANGES, "bytes".into());
    // Raster images open in the browser; everything else (SVG and HTML included, which could
    // carry scripts) downloads, and no type is ever sniffed.
    let inline = matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    );
    put(
        header::CONTENT_DISPOSITION,
        format!(
            "{}; filename=\"{name}\"; filename*=UTF-8''{}",
            if inline { "inline" } else { "attachment" },
            utf8_percent_encode(&record.name, NON_ALPHANUMERIC)
        ),
    );
    put(header::X_CONTENT_TYPE_OPTIONS, "nosniff".into());
    if status == StatusCode::PARTIAL_CONTENT {
        put(header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}"));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_and_ranges() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            http_date(1_800_000_000_000),
            "Fri, 15 Jan 2027 08:00:00 GMT"
        );
        let mut h = HeaderMap::new();
        h.insert("range", HeaderValue::from_static("bytes=2-5"));
        assert_eq!(range(&h, 10), Some((2, 5)));
        h.insert("range", HeaderValue::from_static("bytes=-3"));
        assert_eq!(range(&h, 10), Some((7, 9)));
        h.insert("range", HeaderValue::from_static("bytes=8-"));
        assert_eq!(range(&h, 10), Some((8, 9)));
        h.insert("range", HeaderValue::from_static("bytes=12-20"));
        assert_eq!(range(&h, 10), None);
    }
}
