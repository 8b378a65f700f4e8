//! Bulk import of members from CSV: preview, job, idempotence, the mass-deletion guard, export.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestServer;

async fn preview(s: &TestServer, token: &str, csv: &str, mode: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/directory/import/preview?mode={mode}");
    upload(s, token, &path, csv.as_bytes().to_vec()).await
}

async fn apply(s: &TestServer, token: &str, import_id: &str, mode: &str) -> (StatusCode, Value) {
    s.call(
        reqwest::Method::POST,
        &format!("/api/v1/directory/import/{import_id}/apply?mode={mode}"),
        Some(token),
        None,
    )
    .await
}

async fn finish(s: &TestServer, token: &str, jobid: &str) -> Value {
    for _ in 0..200 {
        let (_, job) = s
            .get(&format!("/api/v1/directory/jobs/{jobid}"), token)
            .await;
        if job["status"] == 3 {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {jobid} did not finish");
}

const HEADER: &str = "姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,地址,座机,禁用,禁用项说明：(0-启用;1-禁用)\n";

#[tokio::test]
async fn import_previews_applies_and_is_idempotent() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let t = c.admin_token.as_str();
    let bad = format!(
        "{HEADER}张三,zhangsan,138001380,zs@acme.test,1,工程师,男,0,0,,,,0,\n李四,zhangsan,13900139000,,1,,,,,,,,0,\n王五,wangwu,,ww@acme.test,0,,,,,,,,0,\n"
    );
    let (status, body) = preview(&s, t, &bad, "sync").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let errors: Vec<(i64, &str)> = body["preview"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        vec![(2, "mobile"), (3, "userid"), (4, "department")]
    );
    assert!(
        body["preview"]["errors"][0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("手机")
    );
    let (status, refused) = apply(&s, t, body["import_id"].as_str().unwrap(), "sync").await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("import_invalid"))
    );
    assert_eq!(
        s.get("/api/v1/directory/members", t).await.1["members"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing half-applied"
    );

    let mut good = HEADER.to_string();
    for i in 0..120 {
        good.push_str(&format!(
            "成员{i},m{i:03},139{i:08},,1,工程师,{},0,0,,,,0,\n",
            if i % 2 == 0 { "男" } else { "女" }
        ));
    }
    let (_, body) = preview(&s, t, &good, "sync").await;
    assert_eq!(
        (
            body["preview"]["create"].as_i64(),
            body["preview"]["errors"].as_array().unwrap().len()
        ),
        (Some(120), 0)
    );
    let (status, started) = apply(&s, t, body["import_id"].as_str().unwrap(), "sync").await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let job = finish(&s, t, started["jobid"].as_str().unwrap()).await;
    assert_eq!(
        (job["percentage"].as_i64(), job["total"].as_i64()),
        (Some(100), Some(120))
    );
    assert!(
        job["result"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["errcode"] == 0),
        "{job}"
    );
    let (_, stream) = s.get("/api/v1/sync?since=0&limit=1000", t).await;
    let kinds: Vec<&str> = stream["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "directory.imported").count(),
        1,
        "one event for the whole import"
    );
    assert!(
        !kinds.contains(&"member.created"),
        "rows are not announced one by one"
    );
    let (_, m) = s.get("/api/v1/directory/members/m007", t).await;
    assert_eq!(
        (
            m["name"].as_str(),
            m["gender"].as_str(),
            m["status"].as_i64()
        ),
        (Some("成员7"), Some("2"), Some(4))
    );

    let (_, again) = preview(&s, t, &good, "sync").await;
    assert_eq!(
        (
            again["preview"]["unchanged"].as_i64(),
            again["preview"]["create"].as_i64(),
            again["preview"]["update"].as_i64()
        ),
        (Some(120), Some(0), Some(0)),
        "re-running changes nothing"
    );

    // Replacing with a file of 10 would delete 110 of 121: refused, nothing deleted.
    let small: String = good.lines().take(11).collect::<Vec<_>>().join("\n");
    let (_, body) = preview(&s, t, &small, "replace").await;
    assert!(
        body["preview"]["blocked"]
            .as_str()
            .unwrap()
            .contains("delete"),
        "{body}"
    );
    let (status, refused) = apply(&s, t, body["import_id"].as_str().unwrap(), "replace").await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::CONFLICT, Some("mass_deletion"))
    );
    assert_eq!(
        s.get("/api/v1/directory/members", t).await.1["members"]
            .as_array()
            .unwrap()
            .len(),
        121
    );

    // Export round-trips: importing the export changes nothing.
    let exported = s
        .http
        .get(format!("{}/api/v1/directory/export.csv", s.url))
        .bearer_auth(t)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(exported.starts_with("\u{feff}姓名,帐号,手机号"));
    let (_, round) = preview(&s, t, &exported, "sync").await;
    assert_eq!(
        (
            round["preview"]["unchanged"].as_i64(),
            round["preview"]["errors"].as_array().unwrap().len()
        ),
        (Some(121), 0),
        "{round}"
    );
}

async fn upload(s: &TestServer, token: &str, path: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let res = s
        .http
        .post(format!("{}{path}", s.url))
        .bearer_auth(token)
        .header("accept-language", "en")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

async fn download(s: &TestServer, token: &str, path: &str) -> (String, Vec<u8>) {
    let res = s
        .http
        .get(format!("{}{path}", s.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let kind = res.headers()["content-type"].to_str().unwrap().to_string();
    (kind, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn xlsx_exports_read_back_as_imports_and_unknown_departments_wait_under_pending() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let t = c.admin_token.as_str();
    let csv = format!(
        "{HEADER}张三,zhangsan,13800138000,zs@acme.test,1,工程师,男,0,0,,,,0,\n李四,lisi,,ls@acme.test,1;88,,,,,,,,0,\n"
    );
    let (_, body) = preview(&s, t, &csv, "sync").await;
    assert_eq!(
        body["preview"]["pending_departments"],
        serde_json::json!([88]),
        "{body}"
    );
    assert_eq!(
        body["preview"]["errors"].as_array().unwrap().len(),
        0,
        "{body}"
    );
    let (_, started) = apply(&s, t, body["import_id"].as_str().unwrap(), "sync").await;
    let job = finish(&s, t, started["jobid"].as_str().unwrap()).await;
    assert!(
        job["result"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["errcode"] == 0),
        "{job}"
    );
    let (_, tree) = s.get("/api/v1/directory/departments", t).await;
    let find = |id: i64| {
        tree["departments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .cloned()
    };
    let pending = find(88).expect("department 88 created");
    let parent = find(pending["parentid"].as_i64().unwrap()).unwrap();
    assert_eq!(parent["name"], "待分配部门");

    // The workbook export reads back as an import that changes nothing.
    let (kind, book) = download(&s, t, "/api/v1/directory/export.xlsx").await;
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert!(book.starts_with(b"PK"), "a zip archive");
    let (status, again) = upload(&s, t, "/api/v1/directory/import/preview?mode=sync", book).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    let p = &again["preview"];
    assert_eq!(
        (p["total"].as_i64(), p["unchanged"].as_i64()),
        (Some(3), Some(3)),
        "{again}"
    );
    assert_eq!(p["errors"].as_array().unwrap().len(), 0, "{again}");

    let (kind, tree_csv) = download(&s, t, "/api/v1/directory/departments/export.csv").await;
    assert!(kind.starts_with("text/csv"));
    let text = String::from_utf8(tree_csv).unwrap();
    assert!(
        text.starts_with("\u{feff}部门名称,部门ID,父部门ID,排序\n"),
        "{text}"
    );
    assert!(text.contains("\n88,88,"), "{text}");
    s.stop().await;
}

#[tokio::test]
async fn department_files_are_checked_whole_before_anything_changes() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let t = c.admin_token.as_str();
    let path = "/api/v1/directory/departments/import/preview";
    let head = "部门名称,部门ID,父部门ID,排序\n";
    let (status, bad) = upload(&s, t, path, "名称,编号\n".into()).await;
    assert_eq!(
        (status, bad["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("import_invalid"))
    );
    // A cycle, a missing parent, a repeated id, a bad name: each named by row and field.
    let file = format!("{head}甲,10,11,\n乙,11,10,\n丙,12,99,\n丁,13,1,\n戊,13,1,\n己:,14,1,\n");
    let (status, body) = upload(&s, t, path, file.into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let errors: Vec<(i64, &str)> = body["preview"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (2, "parentid"),
            (3, "parentid"),
            (4, "parentid"),
            (6, "id"),
            (7, "name")
        ],
        "{body}"
    );
    let apply = format!(
        "/api/v1/directory/departments/import/{}/apply",
        body["import_id"].as_str().unwrap()
    );
    let (status, refused) = s.call(reqwest::Method::POST, &apply, Some(t), None).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("import_invalid"))
    );
    let (_, tree) = s.get("/api/v1/directory/departments", t).await;
    assert_eq!(
        tree["departments"].as_array().unwrap().len(),
        1,
        "nothing half-applied"
    );

    // A good file: children listed before their parents still land.
    let rows = format!("{head}上海,21,20,3\n华东,20,1,9\n");
    let (status, body) = upload(&s, t, path, rows.into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["preview"]["create"], 2, "{body}");
    let apply = format!(
        "/api/v1/directory/departments/import/{}/apply",
        body["import_id"].as_str().unwrap()
    );
    let (status, started) = s.call(reqwest::Method::POST, &apply, Some(t), None).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let job = finish(&s, t, started["jobid"].as_str().unwrap()).await;
    assert_eq!(job["type"], "replace_party");
    assert!(
        job["result"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["errcode"] == 0),
        "{job}"
    );
    let (_, tree) = s.get("/api/v1/directory/departments", t).await;
    let shanghai = tree["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == 21)
        .cloned()
        .unwrap();
    assert_eq!(
        (shanghai["parentid"].as_i64(), shanghai["order"].as_i64()),
        (Some(20), Some(3))
    );
    s.stop().await;
}

#[tokio::test]
async fn a_job_whose_node_died_is_taken_over_and_finishes() {
    use workhub_core::Clock;
    use workhub_store::directory::Job;
    for db in workhub_testkit::TestDb::both("job_resume").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let t = c.admin_token.as_str();
        let csv = format!(
            "{HEADER}甲,r1,,r1@acme.test,1,,,,,,,,0,\n乙,r2,,r2@acme.test,1,,,,,,,,0,\n丙,r3,,r3@acme.test,1,,,,,,,,0,\n"
        );
        let (_, body) = preview(&s, t, &csv, "sync").await;
        let import_id = body["import_id"].as_str().unwrap();
        // Jobs as nodes left them: one died mid-way (its heartbeat three minutes old), one is
        // still beating.
        let now = s.clock.now_ms();
        let corp = workhub_core::CorpId::parse(&c.corpid).unwrap();
        let source = serde_json::json!({ "file_id": import_id, "mode": "sync",
                                         "actor": { "type": "user", "userid": "admin" } });
        for (id, heartbeat) in [("deadnode", now - 180_000), ("alivenode", now - 1_000)] {
            let job = Job {
                job_id: id.into(),
                corp_id: corp.clone(),
                kind: "sync_user".into(),
                status: 2,
                total: 3,
                done: 1,
                result: "[]".into(),
                created_at: now - 200_000,
                source: source.to_string(),
                heartbeat_at: heartbeat,
            };
            s.domain
                .deps
                .stores
                .directory
                .create_job(job)
                .await
                .unwrap();
        }
        let files = workhub_domain::files::Files::new(
            s.domain.deps.clone(),
            s.domain.accounts.clone(),
            s.config.data_dir.join("files"),
            workhub_server::serve::blobs(&s.config).unwrap(),
        );
        let resume = workhub_server::serve::resume_stale_jobs;
        assert_eq!(resume(&s.domain, &files).await, 1);
        assert_eq!(
            resume(&s.domain, &files).await,
            0,
            "a job is taken over once"
        );
        let job = finish(&s, t, "deadnode").await;
        assert_eq!(job["total"], 3, "{job}");
        assert!(
            job["result"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["errcode"] == 0),
            "{job}"
        );
        for userid in ["r1", "r2", "r3"] {
            let (status, _) = s
                .get(&format!("/api/v1/directory/members/{userid}"), t)
                .await;
            assert_eq!(status, StatusCode::OK, "{userid}");
        }
        let (_, alive) = s.get("/api/v1/directory/jobs/alivenode", t).await;
        assert_eq!(alive["status"], 2, "a beating job is left to its node");
        s.stop().await;
    }
}
