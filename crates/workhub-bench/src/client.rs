//! Talking to the server under test: members and their sign-ins, conversations, sends, sync,
//! and WebSockets that record when each message arrives.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Passwords of the members the benchmark makes (they are reused by later runs).
const MEMBER_PASSWORD: &str = "Bench-Passw0rd!";

#[derive(Clone)]
pub struct Server {
    pub url: String,
    pub corpid: String,
    pub http: reqwest::Client,
}

/// A signed-in member.
#[derive(Clone)]
pub struct Member {
    pub userid: String,
    pub token: String,
}

impl Server {
    pub fn new(url: &str, corpid: &str) -> Result<Server> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .build()?;
        Ok(Server {
            url: url.trim_end_matches('/').to_string(),
            corpid: corpid.to_string(),
            http,
        })
    }

    /// A JSON call with a bearer token; fails on a non-2xx answer.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await?;
        let status = res.status();
        let text = res.text().await?;
        if !status.is_success() {
            bail!("{path}: {status} {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn login(&self, userid: &str, password: &str) -> Result<String> {
        let body = json!({ "corpid": self.corpid, "login": userid, "password": password,
                           "device_id": format!("bench-{userid}"), "device_name": "workhub-bench",
                           "platform": "desktop" });
        let res = self
            .http
            .post(format!("{}/api/v1/auth/login", self.url))
            .json(&body)
            .send()
            .await?;
        let status = res.status();
        let body: Value = res.json().await?;
        match body["token"].as_str() {
            Some(t) if status.is_success() => Ok(t.to_string()),
            _ => bail!("login {userid}: {status} {body}"),
        }
    }

    /// Signs in member `userid`, creating and activating them first if needed.
    pub async fn member(&self, admin: &str, userid: &str) -> Result<Member> {
        if let Ok(token) = self.login(userid, MEMBER_PASSWORD).await {
            return Ok(Member {
                userid: userid.into(),
                token,
            });
        }
        let body = json!({ "userid": userid, "name": userid, "department": [1],
                           "email": format!("{userid}@bench.invalid") });
        // Already there from an earlier run that stopped half-way: fine.
        let _ = self
            .call(
                reqwest::Method::POST,
                "/api/v1/directory/members",
                admin,
                Some(body),
            )
            .await;
        let invite = self
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/directory/members/{userid}/invite"),
                admin,
                Some(json!({})),
            )
            .await?;
        let url = invite["activation_url"]
            .as_str()
            .context("activation url")?;
        let token = url.split("token=").nth(1).context("activation token")?;
        let body = json!({ "corpid": self.corpid, "token": token, "password": MEMBER_PASSWORD });
        let res = self
            .http
            .post(format!("{}/api/v1/auth/activate", self.url))
            .json(&body)
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("activate {userid}: {}", res.text().await?);
        }
        Ok(Member {
            userid: userid.into(),
            token: self.login(userid, MEMBER_PASSWORD).await?,
        })
    }

    /// The newest seq of a member's stream.
    pub async fn latest_seq(&self, m: &Member) -> Result<i64> {
        let latest = self
            .call(reqwest::Method::GET, "/api/v1/sync/latest", &m.token, None)
            .await?;
        latest["seq"]
            .as_i64()
            .context("/api/v1/sync/latest without a seq")
    }

    pub async fn send(&self, m: &Member, conversation: &str, client_msg_id: &str) -> Result<Value> {
        let text = format!("bench {client_msg_id}");
        self.send_text(m, conversation, client_msg_id, &text).await
    }

    pub async fn send_text(
        &self,
        m: &Member,
        conversation: &str,
        client_msg_id: &str,
        text: &str,
    ) -> Result<Value> {
        let body = json!({ "client_msg_id": client_msg_id, "type": "text",
                           "content": { "content": text } });
        self.call(
            reqwest::Method::POST,
            &format!("/api/v1/conversations/{conversation}/messages"),
            &m.token,
            Some(body),
        )
        .await
    }
}

/// When each message (by client id) reached one receiver, and in what order.
#[derive(Default)]
pub struct Inbox {
    pub arrivals: HashMap<String, Instant>,
    pub duplicates: usize,
    pub out_of_order: usize,
    last_seq: HashMap<String, i64>,
}

impl Inbox {
    fn record(&mut self, message: &PushedMessage<'_>, at: Instant) {
        let last = self
            .last_seq
            .entry(message.conversation_id.to_string())
            .or_insert(0);
        if message.seq <= *last {
            self.out_of_order += 1;
        }
        *last = message.seq.max(*last);
        if self
            .arrivals
            .insert(message.client_msg_id.to_string(), at)
            .is_some()
        {
            self.duplicates += 1;
        }
    }
}

/// A pushed frame, read only as far as the benchmark needs (as a client that knows the
/// protocol would): events other than new messages keep their data unread.
#[derive(serde::Deserialize)]
struct Frame<'a> {
    #[serde(borrow)]
    event: Option<PushedEvent<'a>>,
}

/// A page of `GET /sync`.
#[derive(serde::Deserialize)]
pub struct SyncPage<'a> {
    #[serde(borrow)]
    pub events: Vec<PushedEvent<'a>>,
    pub next_since: i64,
    pub has_more: bool,
}

#[derive(serde::Deserialize)]
pub struct PushedEvent<'a> {
    #[serde(borrow)]
    pub kind: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub data: &'a serde_json::value::RawValue,
}

#[derive(serde::Deserialize)]
pub struct PushedMessage<'a> {
    #[serde(borrow)]
    pub conversation_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub client_msg_id: std::borrow::Cow<'a, str>,
    pub seq: i64,
}

/// Opens a member's WebSocket from `since`; the returned inbox fills as messages arrive.
pub async fn listen(server: &Server, m: &Member, since: i64) -> Result<Arc<Mutex<Inbox>>> {
    // `conversations=`: large groups too, from now.
    let query = format!("since={since}&conversations=");
    let (inbox, _) = listen_with(server, m, &query).await?;
    Ok(inbox)
}

/// The same with any query (`since=…&conversations=…`; large groups' messages are recorded like
/// the others), and a handle that closes the socket when aborted.
pub async fn listen_with(
    server: &Server,
    m: &Member,
    query: &str,
) -> Result<(Arc<Mutex<Inbox>>, tokio::task::AbortHandle)> {
    let url = format!("{}/api/v1/ws?{query}", server.url.replacen("http", "ws", 1));
    let mut req = url.into_client_request()?;
    req.headers_mut()
        .insert("authorization", format!("Bearer {}", m.token).parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    let inbox = Arc::new(Mutex::new(Inbox::default()));
    let filling = inbox.clone();
    let reading = tokio::spawn(async move {
        while let Some(Ok(msg)) = ws.next().await {
            let Message::Text(text) = msg else { continue };
            let at = Instant::now();
            let Ok(Frame { event: Some(event) }) = serde_json::from_str::<Frame>(&text) else {
                continue;
            };
            if event.kind == "message.new"
                && let Ok(message) = serde_json::from_str::<PushedMessage>(event.data.get())
                && let Ok(mut inbox) = filling.lock()
            {
                inbox.record(&message, at);
            }
        }
    });
    Ok((inbox, reading.abort_handle()))
}
