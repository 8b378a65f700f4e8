//! The HTTP client behind callback pushes: short timeouts (WeCom gives receivers 5 s), no
//! redirects (a push goes where the integrator said, nowhere else).

use std::time::Duration;

use workhub_domain::callbacks::Outbound;

pub struct HttpOutbound {
    client: reqwest::Client,
}

impl HttpOutbound {
    pub fn new() -> anyhow::Result<Self> {
        // reqwest is built without a TLS crypto provider of its own; use ring, as the server does.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("workhub/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client })
    }
}

#[async_trait::async_trait]
impl Outbound for HttpOutbound {
    async fn post(&self, url: &str, body: String) -> Result<(), String> {
        let answer = self
            .client
            .post(url)
            .header("content-type", "text/xml; charset=utf-8")
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(format!("the receiver answered {}", answer.status()))
        }
    }
}
