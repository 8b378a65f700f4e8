//! HTTPS with TLS 1.3 only, when given a certificate and key.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;
use workhub_testkit::TestDb;

use crate::support::{ADMIN_PASSWORD, TestServer};

#[tokio::test]
async fn serves_tls13_only_and_marks_cookies_secure() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (ca, ca_key, csr, cert, key, ext) = (
        path("ca.pem"),
        path("ca.key"),
        path("leaf.csr"),
        path("cert.pem"),
        path("key.pem"),
        path("ext.cnf"),
    );
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let steps: [Vec<&str>; 3] = [
        [
            &["req", "-x509"][..],
            &ec,
            &[
                "-days",
                "1",
                "-subj",
                "/CN=Workhub test CA",
                "-keyout",
                &ca_key,
                "-out",
                &ca,
            ],
        ]
        .concat(),
        [
            &["req"][..],
            &ec,
            &["-subj", "/CN=127.0.0.1", "-keyout", &key, "-out", &csr],
        ]
        .concat(),
        vec![
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            &ext,
            "-out",
            &cert,
        ],
    ];
    for args in steps {
        let out = Command::new("openssl")
            .args(&args)
            .output()
            .expect("openssl is installed (.ci/run installs it)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (c, k) = (cert.clone(), key.clone());
    let s = TestServer::with(
        TestDb::sqlite(),
        workhub_core::FixedClock::at(1_800_000_000_000),
        move |config| {
            config.tls.cert = c;
            config.tls.key = k;
        },
    )
    .await;
    let https = s.url.replace("http://", "https://");
    let root = reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([root.clone()])
        .build()
        .unwrap();
    let res = client.get(format!("{https}/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let c = s.new_corp().await.corpid;
    let body = json!({ "corpid": c, "login": "admin", "password": ADMIN_PASSWORD, "device_id": "d", "platform": "web" });
    let res = client
        .post(format!("{https}/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );

    let old = reqwest::Client::builder()
        .tls_certs_only([root])
        .tls_version_max(reqwest::tls::Version::TLS_1_2)
        .build()
        .unwrap();
    assert!(
        old.get(format!("{https}/healthz")).send().await.is_err(),
        "TLS 1.2 is refused"
    );
    assert!(
        s.http
            .get(format!("{}/healthz", s.url))
            .send()
            .await
            .is_err(),
        "no plain HTTP on the TLS port"
    );
}
