//! A test server and the fixtures tests build on.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use workhub_core::FixedClock;
use workhub_domain::corps::NewCompany;
use workhub_domain::{Actor, Domain, Meta};
use workhub_server::config::Config;
use workhub_server::serve::{self, Running};
use workhub_testkit::TestDb;

pub const ADMIN_PASSWORD: &str = "Admin-Passw0rd!";
pub const MEMBER_PASSWORD: &str = "Member-Passw0rd!";

pub struct TestServer {
    pub url: String,
    pub clock: FixedClock,
    pub config: Config,
    pub db: TestDb,
    /// A second handle on the same database, for fixtures (as the CLI would).
    pub domain: Domain,
    running: Running,
    pub http: reqwest::Client,
}

/// A company made for one test, with its administrator signed in.
pub struct TestCorp {
    pub corpid: String,
    pub contacts_secret: String,
    pub admin_token: String,
}

impl TestServer {
    pub async fn sqlite() -> TestServer {
        TestServer::on(TestDb::sqlite()).await
    }

    pub async fn on(db: TestDb) -> TestServer {
        let clock = FixedClock::at(1_800_000_000_000);
        TestServer::with(db, clock, |_| {}).await
    }

    pub async fn with(
        db: TestDb,
        clock: FixedClock,
        tweak: impl FnOnce(&mut Config),
    ) -> TestServer {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            data_dir: db.dir.path().to_path_buf(),
            ..Config::default()
        };
        if db.engine() == "postgres" {
            config.database_url = db.url.clone();
        }
        tweak(&mut config);
        let running = serve::start_with_clock(config.clone(), Arc::new(clock.clone()))
            .await
            .expect("server starts");
        let store = serve::open_store(&config).await.expect("fixture store");
        let domain = serve::domain_with_clock(&config, &store, Arc::new(clock.clone()))
            .await
            .expect("fixture domain");
        let url = format!("http://{}", running.addr);
        TestServer {
            url,
            clock,
            config,
            db,
            domain,
            running,
            http: reqwest::Client::new(),
        }
    }

    /// Stops gracefully and starts again on the same database and clock.
    pub async fn restart(self) -> TestServer {
        self.restart_with(|_| {}).await
    }

    /// The same, with the configuration changed by `tweak`.
    pub async fn restart_with(self, tweak: impl FnOnce(&mut Config)) -> TestServer {
        self.running.shutdown.cancel();
        self.running.done.await.unwrap().unwrap();
        let config = self.config.clone();
        TestServer::with(self.db, self.clock, move |c| {
            *c = Config {
                listen: "127.0.0.1:0".into(),
                ..config
            };
            tweak(c);
        })
        .await
    }

    pub async fn stop(self) {
        self.running.shutdown.cancel();
        let _ = self.running.done.await;
        self.db.cleanup().await;
    }

    /// A verified company with its administrator `admin` (not signed in).
    pub async fn new_corp(&self) -> workhub_domain::corps::CreatedCorp {
        let new = NewCompany {
            name: "Acme 测试".into(),
            admin_userid: "admin".into(),
            admin_name: "管理员".into(),
            admin_password: ADMIN_PASSWORD.into(),
            admin_mobile: None,
            admin_email: Some("admin@acme.test".into()),
            edition: workhub_core::Edition::Standard,
            uscc: None,
        };
        let created = self
            .domain
            .corps
            .create(&Actor::Operator("test".into()), &Meta::default(), new)
            .await
            .unwrap();
        let corp = workhub_core::CorpId::parse(&created.corpid).unwrap();
        self.domain
            .corps
            .verify("test", &Meta::default(), &corp)
            .await
            .unwrap();
        created
    }

    /// A verified company whose administrator `admin` is signed in on device `admin-dev`.
    pub async fn corp(&self) -> TestCorp {
        let created = self.new_corp().await;
        let (status, body) = self
            .login(&created.corpid, "admin", ADMIN_PASSWORD, "admin-dev")
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        TestCorp {
            corpid: created.corpid,
            contacts_secret: created.contacts_secret,
            admin_token: body["token"].as_str().unwrap().to_string(),
        }
    }

    /// A member of `c` in the root department, activated and signed in; their bearer token.
    pub async fn member(&self, c: &TestCorp, userid: &str) -> String {
        let body = json!({ "userid": userid, "name": userid, "department": [1],
                           "email": format!("{userid}@acme.test") });
        let t = Some(c.admin_token.as_str());
        let (status, created) = self
            .call(Method::POST, "/api/v1/directory/members", t, Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{created}");
        let path = format!("/api/v1/directory/members/{userid}/invite");
        let (_, invite) = self.call(Method::POST, &path, t, Some(json!({}))).await;
        let url = invite["activation_url"].as_str().unwrap();
        let token = url.split("token=").nth(1).unwrap();
        let body = json!({ "corpid": c.corpid, "token": token, "password": MEMBER_PASSWORD });
        let (status, _) = self
            .call(Method::POST, "/api/v1/auth/activate", None, Some(body))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body) = self
            .login(&c.corpid, userid, MEMBER_PASSWORD, &format!("{userid}-dev"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_string()
    }

    pub async fn login(
        &self,
        corpid: &str,
        login: &str,
        password: &str,
        device: &str,
    ) -> (StatusCode, Value) {
        let body = json!({ "corpid": corpid, "login": login, "password": password, "device_id": device, "device_name": "test", "platform": "web" });
        self.call(Method::POST, "/api/v1/auth/login", None, Some(body))
            .await
    }

    /// A JSON call; the answer's status and body (Null when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header("accept-language", "en");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// A WebSocket from `since` that follows large groups from now (as a current client).
    pub async fn ws(&self, token: &str, since: i64) -> Ws {
        self.ws_with(token, &format!("since={since}&conversations="))
            .await
    }

    /// A WebSocket with these query arguments (`since=…&conversations=…`).
    pub async fn ws_with(&self, token: &str, query: &str) -> Ws {
        let url = format!("{}/api/v1/ws?{query}", self.url.replace("http://", "ws://"));
        let mut req = url.into_client_request().unwrap();
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (stream, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("websocket connects");
        Ws { stream }
    }
}

pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Ws {
    /// The next event, or None if none comes within `wait` (or the server closed).
    pub async fn next_event(&mut self, wait: Duration) -> Option<Value> {
        Some(self.next_frame(wait).await?["event"].clone())
    }

    /// The next event frame whole (a large group's names it: `conversation_id`).
    pub async fn next_frame(&mut self, wait: Duration) -> Option<Value> {
        let frame = self.next_json(wait).await?;
        assert_eq!(frame["type"], "event", "{frame}");
        Some(frame)
    }

    /// The next text frame, whatever its type, or None if none comes within `wait` (or the
    /// server closed).
    pub async fn next_json(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(wait, self.stream.next())
                .await
                .ok()??
                .ok()?;
            match msg {
                Message::Text(t) => return Some(serde_json::from_str(&t).unwrap()),
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// Whether the server closes the connection within `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.send(Message::Close(None)).await;
    }
}

pub const SECOND: Duration = Duration::from_secs(1);

/// A query-string value, percent-encoded.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
