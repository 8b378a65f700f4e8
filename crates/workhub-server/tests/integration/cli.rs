//! The `workhub` binary's commands, as scripts use them.

use std::process::Command;

use serde_json::Value;

fn workhub(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_workhub"))
        .args(args)
        .env_remove("WORKHUB_DATABASE_URL")
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn last_json(stdout: &str) -> Value {
    serde_json::from_str(stdout.lines().last().expect("a line")).expect("json")
}

#[test]
fn corp_app_operator_migrate_config_and_doctor() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, out, err) = workhub(&[
        "corp",
        "create",
        "--data-dir",
        data,
        "--name",
        "Acme",
        "--admin-userid",
        "admin",
        "--admin-password",
        "Admin-Passw0rd!",
        "--edition",
        "professional",
    ]);
    assert!(ok, "{err}");
    let corp = last_json(&out);
    let corpid = corp["corpid"].as_str().unwrap();
    assert!(corpid.starts_with("ww") && corp["contacts_secret"].as_str().unwrap().len() >= 32);
    assert_eq!(corp["admin_userid"], "admin");

    let (ok, out, err) = workhub(&[
        "app",
        "create",
        "--data-dir",
        data,
        "--corpid",
        corpid,
        "--name",
        "告警机器人",
    ]);
    assert!(ok, "{err}");
    let app = last_json(&out);
    assert_eq!(app["agentid"], 1_000_002);
    assert!(app["secret"].as_str().is_some());

    let (ok, _, err) = workhub(&[
        "corp",
        "create",
        "--data-dir",
        data,
        "--name",
        "Weak",
        "--admin-userid",
        "a",
        "--admin-password",
        "short",
    ]);
    assert!(!ok && err.contains("password"), "{err}");
    let (ok, _, err) = workhub(&[
        "app",
        "create",
        "--data-dir",
        data,
        "--corpid",
        "ww0000000000000000",
        "--name",
        "x",
    ]);
    assert!(!ok && err.contains("company"), "{err}");

    assert!(
        workhub(&[
            "operator",
            "create",
            "--data-dir",
            data,
            "--username",
            "op",
            "--password",
            "Op-Passw0rd!"
        ])
        .0
    );
    let (ok, _, err) = workhub(&[
        "operator",
        "create",
        "--data-dir",
        data,
        "--username",
        "op",
        "--password",
        "Op-Passw0rd!",
    ]);
    assert!(!ok && err.contains("exists"), "{err}");

    let (ok, out, _) = workhub(&["migrate", "--data-dir", data]);
    assert!(ok);
    assert_eq!(last_json(&out)["engine"], "sqlite");

    let (ok, example, _) = workhub(&["config", "example"]);
    assert!(ok && example.contains("listen = \"127.0.0.1:8080\""));
    let file = dir.path().join("workhub.toml");
    std::fs::write(&file, &example).unwrap();
    assert!(workhub(&["config", "check", "--config", file.to_str().unwrap()]).0);
    std::fs::write(&file, "lisen = \"x\"").unwrap();
    let (ok, _, err) = workhub(&["config", "check", "--config", file.to_str().unwrap()]);
    assert!(!ok && err.contains("unknown field"), "{err}");

    let (ok, out, err) = workhub(&["doctor", "--data-dir", data]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("ok   sqlite database at schema version"),
        "{out}"
    );
    let (ok, out, _) = workhub(&[
        "doctor",
        "--data-dir",
        data,
        "--redis-url",
        "redis://127.0.0.1:1",
    ]);
    assert!(!ok && out.contains("FAIL redis"), "{out}");
}
