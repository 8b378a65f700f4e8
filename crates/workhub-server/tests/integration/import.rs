//! Bulk import of members from CSV: preview, job, idempotence, the mass-deletion guard, export.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestServer;

async fn preview(s: &TestServer, token: &str, csv: &str, mode: &str) -> (StatusCode, Value) {
    let res = s
        .http
        .post(format!(
            "{}/api/v1/directory/import/preview?mode={mode}",
            s.url
        ))
        .bearer_auth(token)
        .header("accept-language", "en")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
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
        "{HEADER}张三,zhangsan,138001380,zs@acme.test,1,工程师,男,0,0,,,,0,\n李四,zhangsan,13900139000,,1,,,,,,,,0,\n王五,wangwu,,ww@acme.test,77,,,,,,,,0,\n"
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
