//! The index on its own: words found in both languages, filters, order, low priority.

use super::*;

fn message(id: &str, conversation: &str, text: &str) -> IndexedMessage {
    IndexedMessage {
        id: id.into(),
        corp_id: "corp".into(),
        conversation_id: conversation.into(),
        sender: "zhangsan".into(),
        text: text.into(),
        created_at: 0,
        has_file: false,
    }
}

fn query(text: &str, conversations: &[&str]) -> MessageQuery {
    MessageQuery {
        corp_id: "corp".into(),
        text: text.into(),
        conversations: conversations.iter().map(|c| c.to_string()).collect(),
        sender: None,
        limit: 10,
        ..MessageQuery::default()
    }
}

#[test]
fn chinese_and_english_words_are_found_and_highlighted() {
    let index = MessageIndex::in_memory().unwrap();
    index
        .upsert(&[
            message("m1", "c1", "我们明天讨论第三季度的预算"),
            message("m2", "c1", "The Budget review is on Friday"),
            message("m3", "c2", "预算已经批准"),
        ])
        .unwrap();
    let ids = |hits: Vec<Hit>| -> Vec<String> {
        let mut ids: Vec<String> = hits.into_iter().map(|h| h.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(
        ids(index.search(&query("预算", &["c1", "c2"])).unwrap()),
        ["m1", "m3"]
    );
    assert_eq!(
        ids(index.search(&query("预算", &["c1"])).unwrap()),
        ["m1"],
        "only the given conversations"
    );
    assert_eq!(
        ids(index.search(&query("budget", &["c1"])).unwrap()),
        ["m2"],
        "case-insensitive"
    );
    let hit = &index.search(&query("季度 预算", &["c1"])).unwrap()[0];
    assert!(hit.highlight.contains("<b>预算</b>"), "{}", hit.highlight);
    index.remove(&["m1".into()]).unwrap();
    assert!(index.search(&query("讨论", &["c1"])).unwrap().is_empty());
    assert!(index.search(&query("  ", &["c1"])).unwrap().is_empty());
}

/// Filters are part of the index's query, so they hold however many other messages match, and
/// the newest matches come first.
#[test]
fn time_and_file_filters_apply_to_every_match_and_the_newest_come_first() {
    let index = MessageIndex::in_memory().unwrap();
    let docs: Vec<IndexedMessage> = (0..500)
        .map(|i| IndexedMessage {
            created_at: i,
            has_file: i % 100 == 7,
            ..message(&format!("m{i}"), "c1", "项目周报 weekly report")
        })
        .collect();
    index.upsert(&docs).unwrap();
    let ids = |q: MessageQuery| -> Vec<String> {
        index
            .search(&q)
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    let base = || MessageQuery {
        limit: 3,
        ..query("周报", &["c1"])
    };
    assert_eq!(ids(base()), ["m499", "m498", "m497"], "newest first");
    let window = MessageQuery {
        from: Some(100),
        to: Some(101),
        ..base()
    };
    assert_eq!(ids(window), ["m101", "m100"], "both bounds included");
    let before = MessageQuery {
        to: Some(1),
        ..base()
    };
    assert_eq!(ids(before), ["m1", "m0"]);
    let files = MessageQuery {
        has_file: true,
        limit: 10,
        ..base()
    };
    assert_eq!(ids(files), ["m407", "m307", "m207", "m107", "m7"]);
    let old_files = MessageQuery {
        has_file: true,
        to: Some(200),
        ..base()
    };
    assert_eq!(ids(old_files), ["m107", "m7"]);
}

/// The indexing threads give way to requests: they run at nice 10, also the indexing thread
/// tantivy starts anew at each commit (from the committing thread, whose priority it inherits:
/// here a test thread at nice 0).
#[cfg(target_os = "linux")]
#[test]
fn indexing_threads_run_at_low_priority() {
    let index = MessageIndex::in_memory().unwrap();
    index.upsert(&[message("m1", "c1", "提交之后")]).unwrap();
    let nice_of = |task: &std::path::Path| -> Option<(String, i64)> {
        let comm = std::fs::read_to_string(task.join("comm")).ok()?;
        let stat = std::fs::read_to_string(task.join("stat")).ok()?;
        // Fields after the command's closing parenthesis; nice is the 19th of the line.
        let rest = stat.rsplit_once(')')?.1;
        let nice = rest.split_whitespace().nth(16)?.parse().ok()?;
        Some((comm.trim().to_string(), nice))
    };
    let tasks = || -> Vec<(String, i64)> {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|t| nice_of(&t.ok()?.path()))
            .collect()
    };
    // A new thread names itself once it runs: until then it shows its parent's name, so wait
    // (briefly) for tantivy's named threads to appear.
    let is_tantivy = |comm: &str| {
        [
            "search-writer",
            "thrd-tantivy",
            "merge_thread",
            "segment_updater",
        ]
        .iter()
        .any(|name| comm.starts_with(name))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut seen = tasks();
    let committed =
        |seen: &[(String, i64)]| seen.iter().any(|(c, _)| c.starts_with("thrd-tantivy"));
    while !committed(&seen) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
        seen = tasks();
    }
    let indexing: Vec<&(String, i64)> = seen.iter().filter(|(comm, _)| is_tantivy(comm)).collect();
    assert!(!indexing.is_empty(), "{seen:?}");
    assert!(indexing.iter().all(|(_, nice)| *nice == 10), "{seen:?}");
    let (_, mine) = nice_of(std::path::Path::new("/proc/thread-self")).unwrap();
    assert_eq!(mine, 0, "the caller's own thread keeps its priority");
}
