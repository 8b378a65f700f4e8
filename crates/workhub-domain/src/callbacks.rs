//! Pushes to integrators' callback URLs, signed and encrypted as WeCom does (§10.2), so their
//! existing receivers (wechatpy's `WeChatCrypto`, WeCom's sample code) read them unchanged.
//! Today: the `batch_job_result` event of a batch import that named a `callback`.

use std::sync::Arc;

use serde::Deserialize;
use workhub_core::callback_crypto::CallbackCipher;
use workhub_core::{Code, CorpId, Error, secret};

/// Sends a request body to a URL; the binary chooses the HTTP client.
#[async_trait::async_trait]
pub trait Outbound: Send + Sync {
    /// POSTs `body` (XML); Err with a reason when the receiver did not answer 2xx.
    async fn post(&self, url: &str, body: String) -> Result<(), String>;
}

/// Sends nothing (tools and benchmarks that push no callbacks).
pub struct NoOutbound;

#[async_trait::async_trait]
impl Outbound for NoOutbound {
    async fn post(&self, _: &str, _: String) -> Result<(), String> {
        Ok(())
    }
}

/// A `callback` object as WeCom's batch APIs take it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallbackTarget {
    pub url: Option<String>,
    pub token: Option<String>,
    pub encodingaeskey: Option<String>,
}

/// Where and how to push.
#[derive(Debug, Clone)]
pub struct Callback {
    url: String,
    corp: CorpId,
    cipher: CallbackCipher,
}

impl Callback {
    /// None when the caller gave no URL (wechatpy sends nulls when no callback is wanted).
    pub fn of(target: Option<CallbackTarget>, corp: &CorpId) -> Result<Option<Callback>, Error> {
        let Some(target) = target else {
            return Ok(None);
        };
        let Some(url) = target.url.filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let url = url.trim().to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2048 {
            return Err(Error::with(Code::InvalidCallbackUrl, "http:// or https://"));
        }
        let key = target.encodingaeskey.unwrap_or_default();
        let token = target.token.unwrap_or_default();
        let cipher = CallbackCipher::new(&token, &key, corp.as_str())
            .map_err(|e| Error::with(Code::InvalidCallbackUrl, e.to_string()))?;
        Ok(Some(Callback {
            url,
            corp: corp.clone(),
            cipher,
        }))
    }
}

/// Text inside CDATA, with any `]]>` split so it cannot end the section early.
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// The plaintext of a `batch_job_result` event.
pub(crate) fn batch_job_result(corp: &CorpId, job_id: &str, job_type: &str, now_s: i64) -> String {
    format!(
        "<xml><ToUserName>{}</ToUserName><FromUserName>{}</FromUserName><CreateTime>{now_s}</CreateTime>\
         <MsgType>{}</MsgType><Event>{}</Event><BatchJob><JobId>{}</JobId><JobType>{}</JobType>\
         <ErrCode>0</ErrCode><ErrMsg>{}</ErrMsg></BatchJob></xml>",
        cdata(corp.as_str()),
        cdata("sys"),
        cdata("event"),
        cdata("batch_job_result"),
        cdata(job_id),
        cdata(job_type),
        cdata("ok"),
    )
}

/// Encrypts and signs `plaintext`, then POSTs it, trying three times in all (as WeCom does),
/// in the background: a slow receiver never holds up the caller.
pub(crate) fn push(outbound: Arc<dyn Outbound>, callback: Callback, plaintext: String, now_s: i64) {
    let timestamp = now_s.to_string();
    let nonce = secret::random_hex(10);
    // 16 random letters and digits, as wechatpy makes them.
    let mut random = [b'0'; 16];
    random.copy_from_slice(&secret::random_hex(16).as_bytes()[..16]);
    let encrypted = callback.cipher.encrypt(&plaintext, random);
    let signature = callback.cipher.signature(&timestamp, &nonce, &encrypted);
    let separator = if callback.url.contains('?') { '&' } else { '?' };
    let url = format!(
        "{}{separator}msg_signature={signature}&timestamp={timestamp}&nonce={nonce}",
        callback.url
    );
    let body = format!(
        "<xml><ToUserName>{}</ToUserName><AgentID>{}</AgentID><Encrypt>{}</Encrypt></xml>",
        cdata(callback.corp.as_str()),
        cdata(""),
        cdata(&encrypted)
    );
    tokio::spawn(async move {
        for attempt in 1..=3u64 {
            match outbound.post(&url, body.clone()).await {
                Ok(()) => return,
                Err(why) => tracing::warn!(%why, attempt, "a callback push failed"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(attempt)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdata_cannot_be_closed_early() {
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
    }

    #[test]
    fn no_url_means_no_callback_and_a_bad_key_is_refused() {
        let corp = CorpId::generate();
        assert!(Callback::of(None, &corp).unwrap().is_none());
        let empty = CallbackTarget::default();
        assert!(Callback::of(Some(empty), &corp).unwrap().is_none());
        let bad = CallbackTarget {
            url: Some("http://example.test/cb".into()),
            token: Some("t".into()),
            encodingaeskey: Some("short".into()),
        };
        assert_eq!(
            Callback::of(Some(bad), &corp).unwrap_err().code,
            Code::InvalidCallbackUrl
        );
    }
}
