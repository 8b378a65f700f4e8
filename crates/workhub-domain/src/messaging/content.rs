//! What a message may contain. Each type's payload is rebuilt from the fields it may have, so
//! nothing unexpected is ever stored or relayed.

use serde_json::{Map, Value, json};
use workhub_core::{Code, Error};

/// Largest text or markdown body, in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;
/// Largest code snippet, in bytes.
pub const MAX_CODE_BYTES: usize = 64 * 1024;

/// Types a person can send from a client.
pub const USER_TYPES: &[&str] = &["text", "markdown", "code", "link", "image", "file"];
/// Types apps and robots can send as well.
pub const MACHINE_TYPES: &[&str] = &[
    "text", "markdown", "image", "file", "voice", "video", "textcard", "news", "link",
];

fn field<'a>(content: &'a Value, name: &str) -> Option<&'a str> {
    content.get(name).and_then(Value::as_str)
}

/// A string field that must be present and non-blank.
fn required(content: &Value, name: &str, max: usize) -> Result<String, Error> {
    let value = field(content, name).unwrap_or("");
    if value.trim().is_empty() {
        return Err(Error::with(Code::EmptyMessage, name.to_string()));
    }
    limited(value, name, max)
}

fn optional(content: &Value, name: &str, max: usize) -> Result<String, Error> {
    limited(field(content, name).unwrap_or(""), name, max)
}

fn limited(value: &str, name: &str, max: usize) -> Result<String, Error> {
    if value.len() > max {
        return Err(Error::with(
            Code::MessageTooLarge,
            format!("{name} > {max} bytes"),
        ));
    }
    Ok(value.to_string())
}

fn url(content: &Value, name: &str, need: bool) -> Result<String, Error> {
    let value = if need {
        required(content, name, 2048)?
    } else {
        optional(content, name, 2048)?
    };
    let web = value.starts_with("https://") || value.starts_with("http://");
    if !(value.is_empty() || web) {
        return Err(Error::with(
            Code::InvalidRequest,
            format!("{name}: http(s) URL"),
        ));
    }
    Ok(value)
}

fn article(a: &Value) -> Result<Value, Error> {
    Ok(json!({
        "title": required(a, "title", 128)?,
        "description": optional(a, "description", 512)?,
        "url": url(a, "url", false)?,
        "picurl": url(a, "picurl", false)?,
    }))
}

/// Checks `content` for message type `kind` and returns the payload to store.
pub fn normalize(kind: &str, content: &Value) -> Result<Value, Error> {
    if !content.is_object() {
        return Err(Error::with(Code::InvalidRequest, "content: object"));
    }
    Ok(match kind {
        "text" | "markdown" => json!({ "content": required(content, "content", MAX_TEXT_BYTES)? }),
        "code" => json!({
            "language": optional(content, "language", 32)?,
            "code": required(content, "code", MAX_CODE_BYTES)?,
        }),
        "link" => json!({
            "url": url(content, "url", true)?,
            "title": optional(content, "title", 128)?,
            "description": optional(content, "description", 512)?,
        }),
        "image" | "file" | "voice" | "video" => {
            let mut out = Map::new();
            // A file uploaded here (`file_id`, from /api/v1/uploads) or WeCom media (`media_id`).
            if field(content, "file_id").is_some() {
                out.insert("file_id".into(), required(content, "file_id", 64)?.into());
            } else {
                out.insert(
                    "media_id".into(),
                    required(content, "media_id", 128)?.into(),
                );
            }
            for name in ["name", "title", "description"] {
                let value = optional(content, name, 512)?;
                if !value.is_empty() {
                    out.insert(name.into(), value.into());
                }
            }
            Value::Object(out)
        }
        "textcard" => json!({
            "title": required(content, "title", 128)?,
            "description": required(content, "description", 512)?,
            "url": url(content, "url", true)?,
            "btntxt": optional(content, "btntxt", 16)?,
        }),
        "news" => {
            let articles = content
                .get("articles")
                .and_then(Value::as_array)
                .filter(|a| (1..=8).contains(&a.len()))
                .ok_or_else(|| Error::with(Code::InvalidRequest, "articles: 1 to 8"))?;
            json!({ "articles": articles.iter().map(article).collect::<Result<Vec<_>, _>>()? })
        }
        _ => return Err(Error::with(Code::InvalidMsgType, kind.to_string())),
    })
}

/// A short plain-text form of a message, for previews and search.
pub fn preview(kind: &str, content: &Value) -> String {
    let text = match kind {
        "text" | "markdown" => field(content, "content").unwrap_or(""),
        "code" => field(content, "code").unwrap_or(""),
        "link" | "textcard" => field(content, "title").unwrap_or(""),
        "news" => content
            .pointer("/articles/0/title")
            .and_then(Value::as_str)
            .unwrap_or(""),
        "image" | "file" | "voice" | "video" => field(content, "name").unwrap_or(""),
        _ => "",
    };
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_must_have_content_within_the_limit() {
        assert_eq!(
            normalize("text", &json!({"content": "  "}))
                .unwrap_err()
                .code,
            Code::EmptyMessage
        );
        let long = "字".repeat(MAX_TEXT_BYTES);
        assert_eq!(
            normalize("text", &json!({ "content": long }))
                .unwrap_err()
                .code,
            Code::MessageTooLarge
        );
        assert_eq!(
            normalize("text", &json!({"content": "hi", "extra": 1})).unwrap(),
            json!({"content": "hi"})
        );
    }

    #[test]
    fn unknown_types_and_bad_urls_are_refused() {
        assert_eq!(
            normalize("sticker", &json!({})).unwrap_err().code,
            Code::InvalidMsgType
        );
        assert_eq!(
            normalize("link", &json!({"url": "javascript:alert(1)"}))
                .unwrap_err()
                .code,
            Code::InvalidRequest
        );
        assert!(normalize("news", &json!({"articles": []})).is_err());
        assert!(normalize("news", &json!({"articles": [{"title": "t"}]})).is_ok());
    }
}
