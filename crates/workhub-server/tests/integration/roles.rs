//! Admin roles end to end: managing roles, and the table that walks endpoints × roles × scopes
//! to prove each role reaches exactly what it should (a branch admin never leaves their subtree).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use workhub_testkit::TestDb;

use crate::support::{SECOND, TestCorp, TestServer};

/// The tree every test here builds: 1 ─┬─ 2 Sales ── 3 East
///                                     └─ 4 R&D
async fn tree(s: &TestServer, c: &TestCorp) {
    for (name, parent) in [("Sales", 1), ("East", 2), ("R&D", 1)] {
        let body = json!({ "name": name, "parentid": parent });
        let (status, answer) = s
            .call(
                Method::POST,
                "/api/v1/directory/departments",
                Some(&c.admin_token),
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
}

/// A member placed in `dept` (not signed in).
async fn placed(s: &TestServer, c: &TestCorp, userid: &str, dept: i64) {
    let body = json!({ "userid": userid, "name": userid, "department": [dept],
                       "mobile": format!("1380013{:04}", userid.len() * 100 + dept as usize),
                       "email": format!("{userid}@acme.test") });
    let (status, answer) = s
        .call(
            Method::POST,
            "/api/v1/directory/members",
            Some(&c.admin_token),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn grant(s: &TestServer, c: &TestCorp, role: &str, userid: &str, depts: &[i64]) {
    let path = format!("/api/v1/admin/roles/{role}/holders/{userid}");
    let body = json!({ "departments": depts });
    let (status, answer) = s
        .call(Method::PUT, &path, Some(&c.admin_token), Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn roles_are_managed_and_nobody_grants_more_than_they_hold() {
    for db in TestDb::both("roles").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let admin = c.admin_token.as_str();
        tree(&s, &c).await;
        let lisi = s.member(&c, "lisi").await;

        let (status, catalogue) = s.get("/api/v1/admin/permissions", admin).await;
        assert_eq!(status, StatusCode::OK);
        assert!(catalogue["permissions"].as_array().unwrap().len() >= 140);
        assert_eq!(catalogue["areas"].as_array().unwrap().len(), 10);

        let (_, listed) = s.get("/api/v1/admin/roles", admin).await;
        let ids: Vec<&str> = listed["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "super_admin",
                "branch_admin",
                "contacts_admin",
                "approvals_admin",
                "customers_admin",
                "security_admin"
            ]
        );
        assert_eq!(
            listed["roles"][0]["name"], "Super admin",
            "in the caller's language"
        );
        assert_eq!(listed["roles"][0]["holders"][0]["userid"], "admin");
        assert_eq!(listed["roles"][1]["scoped"], "required");

        // Custom roles: validated, unique, refused deletion while held.
        let create =
            |body: Value| s.call(Method::POST, "/api/v1/admin/roles", Some(admin), Some(body));
        let (status, bad) =
            create(json!({ "name": "前台", "permissions": ["contacts.member.fly"] })).await;
        assert_eq!(
            (status, bad["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_permission"))
        );
        assert!(
            bad["message"]
                .as_str()
                .unwrap()
                .contains("contacts.member.fly"),
            "{bad}"
        );
        let (status, bad) = create(json!({ "name": "", "permissions": ["audit.log.read"] })).await;
        assert_eq!(
            (status, bad["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_name"))
        );
        let (status, role) = create(json!({ "name": "前台", "description": "reception",
            "permissions": ["contacts.member.read_mobile", "contacts.member.read_mobile"] }))
        .await;
        assert_eq!(status, StatusCode::CREATED, "{role}");
        assert_eq!(role["permissions"], json!(["contacts.member.read_mobile"]));
        let (status, dup) =
            create(json!({ "name": "前台", "permissions": ["audit.log.read"] })).await;
        assert_eq!(
            (status, dup["code"].as_str()),
            (StatusCode::CONFLICT, Some("role_exists"))
        );
        let id = role["id"].as_str().unwrap().to_string();

        // lisi's devices hear when their roles change.
        let (_, me) = s.get("/api/v1/me", &lisi).await;
        assert_eq!(me["permissions"], json!([]));
        let mut ws = s.ws(&lisi, 0).await;
        while ws.next_event(SECOND / 5).await.is_some() {}
        grant(&s, &c, &id, "lisi", &[4]).await;
        let event = ws.next_event(5 * SECOND).await.expect("roles_changed");
        assert_eq!(event["kind"], "admin.roles_changed", "{event}");
        let (_, me) = s.get("/api/v1/me", &lisi).await;
        assert_eq!(me["permissions"], json!(["contacts.member.read_mobile"]));
        assert_eq!(me["roles"], json!([{ "id": id, "departments": [4] }]));
        ws.close().await;

        let path = format!("/api/v1/admin/roles/{id}");
        let (status, busy) = s.call(Method::DELETE, &path, Some(admin), None).await;
        assert_eq!(
            (status, busy["code"].as_str()),
            (StatusCode::CONFLICT, Some("role_in_use"))
        );
        let (status, edited) = s
            .call(
                Method::PATCH,
                &path,
                Some(admin),
                Some(json!({ "permissions": ["audit.log.read"] })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!(edited["holders"][0]["name"], "lisi");
        let (status, _) = s.get("/api/v1/admin/audit", &lisi).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "a scoped grant never reaches company-wide pages"
        );

        // Scopes follow the role's kind.
        let put = |role: &str, user: &str, depts: Value| {
            let path = format!("/api/v1/admin/roles/{role}/holders/{user}");
            let s = &s;
            async move {
                let body = json!({ "departments": depts });
                s.call(Method::PUT, &path, Some(admin), Some(body)).await
            }
        };
        let (status, e) = put("branch_admin", "lisi", json!([])).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("scope_required"))
        );
        let (status, e) = put("contacts_admin", "lisi", json!([2])).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("scope_not_allowed"))
        );
        let (status, e) = put("branch_admin", "lisi", json!([99])).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_department"))
        );
        let (status, e) = put("branch_admin", "nobody", json!([2])).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("user_not_found"))
        );
        let (status, e) = put("r_missing", "lisi", json!([])).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("role_not_found"))
        );

        // A security admin reads roles but appoints nobody, least of all themselves.
        let wang = s.member(&c, "wangwu").await;
        grant(&s, &c, "security_admin", "wangwu", &[]).await;
        let (status, _) = s.get("/api/v1/admin/roles", &wang).await;
        assert_eq!(status, StatusCode::OK);
        for role in ["super_admin", "contacts_admin", "security_admin"] {
            let path = format!("/api/v1/admin/roles/{role}/holders/wangwu");
            let (status, _) = s
                .call(Method::PUT, &path, Some(&wang), Some(json!({})))
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        }

        // The company always keeps a super admin.
        let path = "/api/v1/admin/roles/super_admin/holders/admin";
        let (status, e) = s.call(Method::DELETE, path, Some(admin), None).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::CONFLICT, Some("last_super_admin"))
        );
        grant(&s, &c, "super_admin", "lisi", &[]).await;
        let (_, me) = s.get("/api/v1/me", &lisi).await;
        assert_eq!(me["is_admin"], true);
        let (status, _) = s.call(Method::DELETE, path, Some(&lisi), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, me) = s.get("/api/v1/me", admin).await;
        assert_eq!(me["is_admin"], false);
        let (status, _) = s.get("/api/v1/admin/audit", admin).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Removing the holder frees the role for deletion; the audit log has it all.
        let path = format!("/api/v1/admin/roles/{id}/holders/lisi");
        let (status, _) = s.call(Method::DELETE, &path, Some(&lisi), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = s
            .call(
                Method::DELETE,
                &format!("/api/v1/admin/roles/{id}"),
                Some(&lisi),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, audit) = s
            .get("/api/v1/admin/audit?action=admin_role.assign", &lisi)
            .await;
        assert!(
            audit["entries"].as_array().is_some_and(|r| !r.is_empty()),
            "{audit}"
        );
        s.stop().await;
    }
}

/// Who may call it, and what: fresh targets are made per attempt where the call destroys them.
struct Row {
    method: Method,
    path: &'static str,
    body: Value,
    allowed: &'static [&'static str],
}

const ROLES: &[&str] = &[
    "admin", "branch", "hr", "approver", "crm", "auditor", "custom", "plain",
];

fn row(method: Method, path: &'static str, body: Value, allowed: &'static [&'static str]) -> Row {
    Row {
        method,
        path,
        body,
        allowed,
    }
}

fn table() -> Vec<Row> {
    use Method as M;
    const SECURITY: &[&str] = &["admin", "auditor"];
    const ADMIN: &[&str] = &["admin"];
    const SALES: &[&str] = &["admin", "branch", "hr"];
    const RND: &[&str] = &["admin", "hr"];
    let none = Value::Null;
    vec![
        row(
            M::GET,
            "/api/v1/admin/security-policy",
            none.clone(),
            SECURITY,
        ),
        row(
            M::GET,
            "/api/v1/admin/audit",
            none.clone(),
            &["admin", "auditor"],
        ),
        row(
            M::GET,
            "/api/v1/admin/audit/export.csv",
            none.clone(),
            SECURITY,
        ),
        row(M::GET, "/api/v1/admin/sessions", none.clone(), SECURITY),
        row(
            M::GET,
            "/api/v1/admin/device-approvals",
            none.clone(),
            SECURITY,
        ),
        row(M::GET, "/api/v1/admin/roles", none.clone(), SECURITY),
        row(M::GET, "/api/v1/admin/permissions", none.clone(), SECURITY),
        row(
            M::POST,
            "/api/v1/admin/roles",
            json!({ "name": "{role} r", "permissions": ["audit.log.read"] }),
            ADMIN,
        ),
        row(M::GET, "/api/v1/admin/apps", none.clone(), ADMIN),
        row(M::GET, "/api/v1/admin/rate-limits", none.clone(), ADMIN),
        row(M::GET, "/api/v1/admin/messaging", none.clone(), ADMIN),
        row(M::GET, "/api/v1/admin/sensitive-words", none.clone(), ADMIN),
        row(
            M::POST,
            "/api/v1/directory/departments",
            json!({ "name": "{role} a", "parentid": 3 }),
            SALES,
        ),
        row(
            M::POST,
            "/api/v1/directory/departments",
            json!({ "name": "{role} b", "parentid": 4 }),
            RND,
        ),
        row(
            M::PATCH,
            "/api/v1/directory/departments/3",
            json!({ "order": 7 }),
            SALES,
        ),
        row(
            M::PATCH,
            "/api/v1/directory/departments/4",
            json!({ "order": 7 }),
            RND,
        ),
        // Moving a department out of Sales: out of the branch admin's reach.
        row(
            M::PATCH,
            "/api/v1/directory/departments/{dept_in_sales}",
            json!({ "parentid": 4 }),
            RND,
        ),
        row(
            M::DELETE,
            "/api/v1/directory/departments/{dept_in_sales}",
            none.clone(),
            SALES,
        ),
        row(
            M::DELETE,
            "/api/v1/directory/departments/{dept_in_rnd}",
            none.clone(),
            RND,
        ),
        row(
            M::POST,
            "/api/v1/directory/members",
            json!({ "userid": "{role}-n1", "name": "n", "department": [3], "email": "{role}-n1@acme.test" }),
            SALES,
        ),
        row(
            M::POST,
            "/api/v1/directory/members",
            json!({ "userid": "{role}-n2", "name": "n", "department": [4], "email": "{role}-n2@acme.test" }),
            RND,
        ),
        row(
            M::PATCH,
            "/api/v1/directory/members/east",
            json!({ "position": "{role}" }),
            SALES,
        ),
        row(
            M::PATCH,
            "/api/v1/directory/members/rnd",
            json!({ "position": "{role}" }),
            &["admin", "hr", "custom"],
        ),
        // Out of Sales into R&D: the branch admin loses the target, the R&D custom role never had it.
        row(
            M::PATCH,
            "/api/v1/directory/members/{member_in_sales}",
            json!({ "department": [4] }),
            RND,
        ),
        row(
            M::PATCH,
            "/api/v1/directory/members/{member_in_both}",
            json!({ "position": "x" }),
            RND,
        ),
        row(
            M::POST,
            "/api/v1/directory/members/{member_in_sales}/disable",
            json!({}),
            SALES,
        ),
        row(
            M::DELETE,
            "/api/v1/directory/members/{member_in_sales}",
            none.clone(),
            SALES,
        ),
        row(
            M::DELETE,
            "/api/v1/directory/members/{member_in_rnd}",
            none.clone(),
            RND,
        ),
        // Only super admins change super admins.
        row(
            M::PATCH,
            "/api/v1/directory/members/admin",
            json!({ "position": "boss" }),
            ADMIN,
        ),
        row(
            M::POST,
            "/api/v1/directory/tags",
            json!({ "name": "{role} t" }),
            RND,
        ),
        row(M::GET, "/api/v1/directory/export.csv", none.clone(), RND),
    ]
}

#[tokio::test]
async fn endpoints_by_role_and_scope() {
    for db in TestDb::both("roles_table").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        tree(&s, &c).await;
        placed(&s, &c, "east", 3).await;
        placed(&s, &c, "rnd", 4).await;
        let (status, role) = s
            .call(
                Method::POST,
                "/api/v1/admin/roles",
                Some(&c.admin_token),
                Some(json!({ "name": "R&D desk", "permissions":
                    ["contacts.member.edit", "contacts.member.read_mobile", "audit.log.read"] })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{role}");
        let mut tokens = vec![("admin", c.admin_token.clone())];
        for (name, role_id, depts) in [
            ("branch", "branch_admin", vec![2]),
            ("hr", "contacts_admin", vec![]),
            ("approver", "approvals_admin", vec![]),
            ("crm", "customers_admin", vec![]),
            ("auditor", "security_admin", vec![]),
            ("custom", role["id"].as_str().unwrap(), vec![4]),
            ("plain", "", vec![]),
        ] {
            let token = s.member(&c, name).await;
            if !role_id.is_empty() {
                grant(&s, &c, role_id, name, &depts).await;
            }
            tokens.push((name, token));
        }

        let mut fresh = 0;
        for row in table() {
            for (who, token) in &tokens {
                fresh += 1;
                let path = fill(&s, &c, row.path, fresh).await;
                let body = (!row.body.is_null()).then(|| {
                    serde_json::from_str(&row.body.to_string().replace("{role}", who)).unwrap()
                });
                let (status, answer) = s.call(row.method.clone(), &path, Some(token), body).await;
                let allowed = row.allowed.contains(who);
                if allowed {
                    assert!(
                        status.is_success(),
                        "{who} {} {path}: {status} {answer}",
                        row.method
                    );
                } else {
                    assert_eq!(
                        (status, answer["code"].as_str()),
                        (StatusCode::FORBIDDEN, Some("forbidden")),
                        "{who} {} {path}",
                        row.method
                    );
                }
            }
        }
        assert!(ROLES.iter().all(|r| tokens.iter().any(|(t, _)| t == r)));

        // Reading: mobiles come in full only where a role reaches the member's department.
        for (who, token) in &tokens {
            for (member, reach) in [
                ("east", ["admin", "hr", "branch"]),
                ("rnd", ["admin", "hr", "custom"]),
            ] {
                let (_, m) = s
                    .get(&format!("/api/v1/directory/members/{member}"), token)
                    .await;
                let masked = m["mobile"].as_str().unwrap().contains('*');
                assert_eq!(masked, !reach.contains(who), "{who} reads {member}: {m}");
            }
        }
        s.stop().await;
    }
}

/// Replaces a `{placeholder}` in the path with a target made for this attempt alone.
async fn fill(s: &TestServer, c: &TestCorp, path: &str, n: usize) -> String {
    let admin = Some(c.admin_token.as_str());
    let dept = |parent: i64| {
        let body = json!({ "name": format!("tmp{n}"), "parentid": parent });
        s.call(
            Method::POST,
            "/api/v1/directory/departments",
            admin,
            Some(body),
        )
    };
    let member = |depts: Value| {
        let userid = format!("tmp{n}");
        let body = json!({ "userid": userid, "name": userid, "department": depts,
                           "email": format!("{userid}@acme.test") });
        async move {
            let (status, answer) = s
                .call(Method::POST, "/api/v1/directory/members", admin, Some(body))
                .await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            userid
        }
    };
    let id = |(status, answer): (StatusCode, Value)| {
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer["id"].as_i64().unwrap().to_string()
    };
    if path.contains("{dept_in_sales}") {
        path.replace("{dept_in_sales}", &id(dept(2).await))
    } else if path.contains("{dept_in_rnd}") {
        path.replace("{dept_in_rnd}", &id(dept(4).await))
    } else if path.contains("{member_in_sales}") {
        path.replace("{member_in_sales}", &member(json!([3])).await)
    } else if path.contains("{member_in_rnd}") {
        path.replace("{member_in_rnd}", &member(json!([4])).await)
    } else if path.contains("{member_in_both}") {
        path.replace("{member_in_both}", &member(json!([3, 4])).await)
    } else {
        path.to_string()
    }
}

#[tokio::test]
async fn visibility_rules_limit_which_parts_of_the_tree_members_see() {
    for db in TestDb::both("visibility").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let admin = c.admin_token.as_str();
        tree(&s, &c).await;
        placed(&s, &c, "east", 3).await;
        placed(&s, &c, "rnd", 4).await;
        let seller = s.member(&c, "seller").await;
        let engineer = s.member(&c, "engineer").await;
        for (userid, dept) in [("seller", 2), ("engineer", 4)] {
            let path = format!("/api/v1/directory/members/{userid}");
            let body = json!({ "department": [dept] });
            let (status, _) = s.call(Method::PATCH, &path, Some(admin), Some(body)).await;
            assert_eq!(status, StatusCode::OK);
        }
        let sees = |token: String| {
            let s = &s;
            async move {
                let (_, d) = s.get("/api/v1/directory/departments", &token).await;
                let (_, m) = s.get("/api/v1/directory/members", &token).await;
                let ids: Vec<i64> = d["departments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["id"].as_i64().unwrap())
                    .collect();
                let mut users: Vec<String> = m["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["userid"].as_str().unwrap().to_string())
                    .collect();
                users.sort();
                (ids, users)
            }
        };
        let everyone = vec!["admin", "east", "engineer", "rnd", "seller"];
        assert_eq!(
            sees(seller.clone()).await.1,
            everyone,
            "no rule: everything"
        );

        let rule = |dept: i64, visible: Value, token: &str| {
            let path = format!("/api/v1/directory/visibility/{dept}");
            let (s, token) = (&s, token.to_string());
            async move {
                s.call(
                    Method::PUT,
                    &path,
                    Some(&token),
                    Some(json!({ "visible": visible })),
                )
                .await
            }
        };
        let (status, _) = rule(2, json!([]), &seller).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "members do not set rules");
        let (status, e) = rule(2, json!([99]), admin).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_department"))
        );
        let (status, _) = rule(2, json!([]), admin).await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        // Sales sees its own subtree only; the root is listed to draw the tree, its people are not.
        let (depts, users) = sees(seller.clone()).await;
        assert_eq!(
            (depts.clone(), users),
            (vec![1, 2, 3], vec!["east".to_string(), "seller".into()])
        );
        let (status, _) = s.get("/api/v1/directory/members/rnd", &seller).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, found) = s.get("/api/v1/directory/search?q=rnd", &seller).await;
        assert_eq!(found["members"], json!([]));
        assert_eq!(sees(engineer.clone()).await.1, everyone, "R&D has no rule");

        // A rule on the root reaches every department without its own; Sales keeps its own.
        let (status, _) = rule(1, json!([4]), admin).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, listed) = s.get("/api/v1/directory/visibility", admin).await;
        assert_eq!(
            listed["rules"],
            json!([{ "department": 1, "visible": [4] }, { "department": 2, "visible": [] }])
        );
        assert_eq!(
            sees(engineer.clone()).await,
            (vec![1, 4], vec!["engineer".to_string(), "rnd".into()])
        );
        assert_eq!(sees(seller.clone()).await.0, depts);
        assert_eq!(
            sees(admin.to_string()).await.1,
            everyone,
            "the super admin sees everything"
        );

        // Removing the rules gives everything back.
        rule(1, Value::Null, admin).await;
        rule(2, Value::Null, admin).await;
        assert_eq!(sees(seller).await.1, everyone);
        s.stop().await;
    }
}
