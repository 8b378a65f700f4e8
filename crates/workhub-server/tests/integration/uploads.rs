//! tus 1.0 resumable uploads (core, creation, termination, checksum, expiration) and downloads
//! with Range: resumed after a restart, a bad checksum loses only its chunk, same bytes stored
//! once, another company cannot read the file.

use base64::Engine;
use reqwest::{Method, StatusCode};
use sha1::{Digest, Sha1};
use workhub_testkit::TestDb;

use crate::support::TestServer;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn tus(s: &TestServer, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    s.http
        .request(method, format!("{}{path}", s.url))
        .bearer_auth(token)
        .header("tus-resumable", "1.0.0")
}

async fn patch(
    s: &TestServer,
    token: &str,
    at: &str,
    offset: usize,
    chunk: &[u8],
    sum: Option<String>,
) -> reqwest::Response {
    let mut req = tus(s, Method::PATCH, at, token)
        .await
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", offset.to_string())
        .body(chunk.to_vec());
    if let Some(sum) = sum {
        req = req.header("upload-checksum", format!("sha1 {sum}"));
    }
    req.send().await.unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

async fn start(s: &TestServer, token: &str, length: usize, name: &str) -> String {
    let res = tus(s, Method::POST, "/api/v1/uploads", token)
        .await
        .header("upload-length", length.to_string())
        .header(
            "upload-metadata",
            format!(
                "filename {},filetype {}",
                b64(name.as_bytes()),
                b64(b"text/plain")
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(
        !header(&res, "upload-expires").is_empty(),
        "expiration extension"
    );
    header(&res, "location")
}

#[tokio::test]
async fn uploads_resume_after_restart_and_download_by_range() {
    for db in TestDb::both("tus uploads").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let token = c.admin_token.clone();
        let options = s
            .http
            .request(Method::OPTIONS, format!("{}/api/v1/uploads", s.url))
            .send()
            .await
            .unwrap();
        assert_eq!(header(&options, "tus-version"), "1.0.0");
        assert!(header(&options, "tus-extension").contains("checksum"));
        let no_version = s
            .http
            .post(format!("{}/api/v1/uploads", s.url))
            .bearer_auth(&token)
            .header("upload-length", "3")
            .send()
            .await
            .unwrap();
        assert_eq!(no_version.status(), StatusCode::PRECONDITION_FAILED);

        let content = "你好，Workhub！resumable bytes".as_bytes();
        let at = start(&s, &token, content.len(), "说明.txt").await;
        let first = &content[..10];
        let res = patch(&s, &token, &at, 0, first, Some(b64(&Sha1::digest(first)))).await;
        assert_eq!(
            (res.status(), header(&res, "upload-offset")),
            (StatusCode::NO_CONTENT, "10".into())
        );
        let wrong_offset = patch(&s, &token, &at, 3, &content[3..], None).await;
        assert_eq!(wrong_offset.status(), StatusCode::CONFLICT);
        let bad_sum = patch(
            &s,
            &token,
            &at,
            10,
            &content[10..],
            Some(b64(&Sha1::digest(b"other"))),
        )
        .await;
        assert_eq!(bad_sum.status().as_u16(), 460, "checksum mismatch");

        // The server restarts: the acknowledged offset is still there.
        let s = s.restart().await;
        let token = s
            .login(&c.corpid, "admin", crate::support::ADMIN_PASSWORD, "again")
            .await
            .1["token"]
            .as_str()
            .unwrap()
            .to_string();
        let head = tus(&s, Method::HEAD, &at, &token)
            .await
            .send()
            .await
            .unwrap();
        assert_eq!(
            (head.status(), header(&head, "upload-offset")),
            (StatusCode::OK, "10".into())
        );
        let done = patch(&s, &token, &at, 10, &content[10..], None).await;
        assert_eq!(done.status(), StatusCode::NO_CONTENT);
        let file_id = header(&done, "workhub-file-id");
        assert!(!file_id.is_empty());

        let file = format!("{}/api/v1/files/{file_id}", s.url);
        let whole = s.http.get(&file).bearer_auth(&token).send().await.unwrap();
        assert!(header(&whole, "content-disposition").contains("filename*=UTF-8''%E8%AF%B4"));
        assert_eq!(whole.bytes().await.unwrap().as_ref(), content);
        let part = s
            .http
            .get(&file)
            .bearer_auth(&token)
            .header("range", "bytes=3-8")
            .send()
            .await
            .unwrap();
        assert_eq!(
            (part.status(), header(&part, "content-range")),
            (
                StatusCode::PARTIAL_CONTENT,
                format!("bytes 3-8/{}", content.len())
            )
        );
        assert_eq!(part.bytes().await.unwrap().as_ref(), &content[3..9]);

        // The same bytes again are stored once.
        let again = start(&s, &token, content.len(), "copy.txt").await;
        let copy = patch(&s, &token, &again, 0, content, None).await;
        assert_ne!(header(&copy, "workhub-file-id"), file_id);
        let blobs = walk(&s.config.data_dir.join("files").join("blobs"));
        assert_eq!(blobs, 1, "deduplicated");

        // The file goes into a conversation as a message; recipients see its stored name.
        let path = crate::messaging::direct_messages_path(&s, &token, "admin").await;
        let msg = serde_json::json!({ "client_msg_id": "f-1", "type": "file", "content": { "file_id": file_id, "name": "改名.txt" } });
        let (status, sent) = s.call(Method::POST, &path, Some(&token), Some(msg)).await;
        assert_eq!(status, StatusCode::OK, "{sent}");
        assert_eq!(
            (
                sent["content"]["name"].as_str(),
                sent["content"]["size"].as_u64()
            ),
            (Some("说明.txt"), Some(content.len() as u64))
        );
        let missing = serde_json::json!({ "client_msg_id": "f-2", "type": "image", "content": { "file_id": "nope" } });
        assert_eq!(
            s.call(Method::POST, &path, Some(&token), Some(missing))
                .await
                .0,
            StatusCode::NOT_FOUND
        );

        let other = s.corp().await;
        let stranger = s
            .http
            .get(&file)
            .bearer_auth(&other.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
        let foreign_head = tus(&s, Method::HEAD, &at, &other.admin_token)
            .await
            .send()
            .await
            .unwrap();
        assert_eq!(foreign_head.status(), StatusCode::NOT_FOUND);

        let cancelled = start(&s, &token, 100, "x.bin").await;
        let res = tus(&s, Method::DELETE, &cancelled, &token)
            .await
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let gone = tus(&s, Method::HEAD, &cancelled, &token)
            .await
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
        // The security policy's limit for web and desktop clients applies.
        let (_, mut policy) = s.get("/api/v1/admin/security-policy", &token).await;
        assert_eq!(
            (
                policy["max_upload_mb_desktop"].as_i64(),
                policy["max_upload_mb_mobile"].as_i64()
            ),
            (Some(3072), Some(1024))
        );
        policy["max_upload_mb_desktop"] = serde_json::json!(1);
        assert_eq!(
            s.call(
                Method::PUT,
                "/api/v1/admin/security-policy",
                Some(&token),
                Some(policy)
            )
            .await
            .0,
            StatusCode::OK
        );
        let over = tus(&s, Method::POST, "/api/v1/uploads", &token)
            .await
            .header("upload-length", (2u64 << 20).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(over.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let under = tus(&s, Method::POST, "/api/v1/uploads", &token)
            .await
            .header("upload-length", "1000")
            .send()
            .await
            .unwrap();
        assert_eq!(under.status(), StatusCode::CREATED);
        let too_big = tus(&s, Method::POST, "/api/v1/uploads", &token)
            .await
            .header("upload-length", (4u64 << 30).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
        s.stop().await;
    }
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Uploads `content` in one request; the new file's id.
async fn upload_whole(s: &TestServer, token: &str, content: &[u8], name: &str) -> String {
    let at = start(s, token, content.len(), name).await;
    let done = patch(s, token, &at, 0, content, None).await;
    header(&done, "workhub-file-id")
}

#[tokio::test]
async fn files_no_message_names_are_purged_with_expired_messages() {
    for db in TestDb::both("file purge").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let relogin = || async {
            let (_, body) = s
                .login(&c.corpid, "admin", crate::support::ADMIN_PASSWORD, "again")
                .await;
            body["token"].as_str().unwrap().to_string()
        };
        let token = c.admin_token.clone();
        let settings = serde_json::json!({ "retention_days": 30 });
        assert_eq!(
            s.call(
                Method::PUT,
                "/api/v1/admin/messaging",
                Some(&token),
                Some(settings)
            )
            .await
            .0,
            StatusCode::OK
        );
        let old = upload_whole(&s, &token, b"old file bytes", "old.txt").await;
        let kept = upload_whole(&s, &token, b"kept file bytes", "kept.txt").await;
        let path = crate::messaging::direct_messages_path(&s, &token, "admin").await;
        let send = |token: String, id: String, file: String| {
            let (s, path) = (&s, &path);
            async move {
                let msg = serde_json::json!({ "client_msg_id": id, "type": "file", "content": { "file_id": file } });
                assert_eq!(
                    s.call(Method::POST, path, Some(&token), Some(msg)).await.0,
                    StatusCode::OK
                );
            }
        };
        send(token.clone(), "m-old".into(), old.clone()).await;
        s.clock.advance_ms(25 * 86_400_000);
        send(relogin().await, "m-kept".into(), kept.clone()).await;
        s.clock.advance_ms(6 * 86_400_000);
        assert_eq!(s.domain.messaging.purge_expired().await.unwrap(), 1);
        let files = workhub_domain::files::Files::new(
            s.domain.deps.clone(),
            s.domain.accounts.clone(),
            s.config.data_dir.join("files"),
            workhub_server::serve::blobs(&s.config).unwrap(),
        );
        assert_eq!(
            files.purge_unreferenced().await.unwrap(),
            1,
            "only the old file's bytes go"
        );
        let token = relogin().await;
        let get = |id: String| {
            s.http
                .get(format!("{}/api/v1/files/{id}", s.url))
                .bearer_auth(&token)
                .send()
        };
        assert_eq!(get(old).await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(get(kept).await.unwrap().status(), StatusCode::OK);
        assert_eq!(walk(&s.config.data_dir.join("files").join("blobs")), 1);
        s.stop().await;
    }
}

#[tokio::test]
async fn images_get_thumbnails() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let token = c.admin_token.clone();
    let file_id = upload_png(&s, &token, 1000, 600).await;
    let res = s
        .http
        .get(format!("{}/api/v1/files/{file_id}/thumbnail", s.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (res.status(), header(&res, "content-type")),
        (StatusCode::OK, "image/png".into())
    );
    let thumb = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (thumb.width(), thumb.height()),
        (320, 192),
        "fits 320×320, keeps the aspect ratio"
    );

    let full = s
        .http
        .get(format!("{}/api/v1/files/{file_id}", s.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        header(&full, "content-disposition").starts_with("inline;"),
        "a PNG opens in the browser"
    );
    assert_eq!(header(&full, "x-content-type-options"), "nosniff");
    let text = upload_whole(&s, &token, b"not a picture", "a.txt").await;
    let plain = s
        .http
        .get(format!("{}/api/v1/files/{text}", s.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(header(&plain, "content-disposition").starts_with("attachment;"));
    let none = s
        .http
        .get(format!("{}/api/v1/files/{text}/thumbnail", s.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test]
async fn each_member_lists_their_own_unfinished_uploads_to_resume_anywhere() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let admin = c.admin_token.as_str();
    let bob = s.member(&c, "bob").await;
    let half = start(&s, admin, 10, "报告.txt").await;
    let res = patch(&s, admin, &half, 0, b"hello", None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let done = start(&s, admin, 2, "done.txt").await;
    patch(&s, admin, &done, 0, b"ok", None).await;
    start(&s, &bob, 4, "bob.txt").await;

    let (status, listed) = s.get("/api/v1/uploads", admin).await;
    assert_eq!(status, StatusCode::OK);
    let uploads = listed["uploads"].as_array().unwrap();
    assert_eq!(
        uploads.len(),
        1,
        "finished ones and other people's are not listed: {listed}"
    );
    assert_eq!(uploads[0]["location"], half.as_str());
    assert_eq!(
        (uploads[0]["name"].as_str(), uploads[0]["offset"].as_i64()),
        (Some("报告.txt"), Some(5))
    );
    // Another device of the same member resumes at the listed offset.
    let res = patch(&s, admin, &half, 5, b"world", None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (_, listed) = s.get("/api/v1/uploads", admin).await;
    assert_eq!(listed["uploads"], serde_json::json!([]));
    s.stop().await;
}

/// With an S3-compatible bucket (CI runs a local moto server and sets WORKHUB_TEST_S3_URL),
/// stored bytes live in the bucket, not on the node's disk: a node without the files folder still
/// serves them and continues an upload another node began, so cluster nodes share files without
/// sharing a folder.
#[tokio::test]
async fn files_live_in_an_s3_bucket_that_any_node_can_serve() {
    let Some(endpoint) = std::env::var("WORKHUB_TEST_S3_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipping the S3 test: WORKHUB_TEST_S3_URL is not set (a local S3 server)");
        return;
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let bucket = format!("workhub-{}", std::process::id());
    // moto makes a bucket on a plain PUT.
    let made = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(
        made.status().is_success() || made.status() == StatusCode::CONFLICT,
        "{made:?}"
    );
    for db in TestDb::both("s3_files").await {
        let (endpoint, bucket) = (endpoint.clone(), bucket.clone());
        let s = TestServer::with(
            db,
            workhub_core::FixedClock::at(1_800_000_000_000),
            move |c| {
                c.files.s3_bucket = bucket;
                c.files.s3_endpoint = endpoint;
                c.files.s3_region = "us-east-1".into();
                c.files.s3_access_key_id = "test".into();
                c.files.s3_secret_access_key = "test".into();
            },
        )
        .await;
        let c = s.corp().await;
        let t = c.admin_token.as_str();
        let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let at = start(&s, t, content.len(), "大文件.bin").await;
        let res = patch(&s, t, &at, 0, &content[..100_000], None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = patch(&s, t, &at, 100_000, &content[100_000..], None).await;
        let file_id = header(&res, "workhub-file-id");
        assert!(!file_id.is_empty());
        let files_dir = s.config.data_dir.join("files");
        assert_eq!(
            walk(&files_dir.join("blobs")),
            0,
            "no blob on the node's disk"
        );
        // An upload left half done on this node.
        let half_way = start(&s, t, content.len(), "续传.bin").await;
        let res = patch(&s, t, &half_way, 0, &content[..150_000], None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);

        // A node that never saw the folder: remove it and start again.
        let _ = std::fs::remove_dir_all(&files_dir);
        let s = s.restart().await;
        // It takes the unfinished upload over from the bucket's chunks.
        let res = patch(&s, t, &half_way, 150_000, &content[150_000..], None).await;
        assert_eq!(
            res.status(),
            StatusCode::NO_CONTENT,
            "resumed on another node"
        );
        let resumed = header(&res, "workhub-file-id");
        let path = format!("{}/api/v1/files/{resumed}", s.url);
        let whole = s.http.get(&path).bearer_auth(t).send().await.unwrap();
        assert_eq!(
            whole.bytes().await.unwrap().to_vec(),
            content,
            "the bytes are whole"
        );
        let path = format!("{}/api/v1/files/{file_id}", s.url);
        let whole = s.http.get(&path).bearer_auth(t).send().await.unwrap();
        assert_eq!(whole.status(), StatusCode::OK);
        assert_eq!(whole.bytes().await.unwrap().to_vec(), content);
        let part = s
            .http
            .get(&path)
            .bearer_auth(t)
            .header("range", "bytes=299990-")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(header(&part, "content-range"), "bytes 299990-299999/300000");
        assert_eq!(
            part.bytes().await.unwrap().to_vec(),
            content[299_990..].to_vec()
        );
        s.stop().await;
    }
}

/// A generated PNG of `width`×`height`, uploaded with tus; its file id.
async fn upload_png(s: &TestServer, token: &str, width: u32, height: u32) -> String {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let png = png.into_inner();
    let at = s
        .http
        .post(format!("{}/api/v1/uploads", s.url))
        .bearer_auth(token)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", png.len().to_string())
        .header(
            "upload-metadata",
            format!(
                "filename {},filetype {}",
                b64(b"photo.png"),
                b64(b"image/png")
            ),
        )
        .send()
        .await
        .unwrap();
    let at = header(&at, "location");
    let done = patch(s, token, &at, 0, &png, None).await;
    header(&done, "workhub-file-id")
}

#[tokio::test]
async fn groups_take_a_company_image_as_their_picture_and_keep_their_member_limit() {
    for db in TestDb::both("group_avatar").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let t = c.admin_token.as_str();
        s.member(&c, "bob").await;
        let body = serde_json::json!({ "kind": "group", "name": "设计组", "members": ["bob"] });
        let (status, group) = s
            .call(Method::POST, "/api/v1/conversations", Some(t), Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{group}");
        let path = format!("/api/v1/conversations/{}", group["id"].as_str().unwrap());
        let set = |patch: serde_json::Value| s.call(Method::PATCH, &path, Some(t), Some(patch));
        let text = upload_whole(&s, t, b"not a picture", "notes.txt").await;
        let (status, e) = set(serde_json::json!({ "avatar": text })).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("unsupported_file_type"))
        );
        let (status, e) = set(serde_json::json!({ "avatar": "nosuchfile" })).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("file_not_found"))
        );
        let png = upload_png(&s, t, 64, 64).await;
        let (status, view) = set(serde_json::json!({ "avatar": png, "member_limit": 3000 })).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        let (_, detail) = s.get(&path, t).await;
        let conversation = &detail["conversation"];
        assert_eq!(conversation["avatar"], png.as_str());
        assert_eq!(conversation["member_limit"], 3000, "the limit is kept");
        let (_, cleared) = set(serde_json::json!({ "avatar": "" })).await;
        assert_eq!(cleared["avatar"], "", "{cleared}");
        s.stop().await;
    }
}
