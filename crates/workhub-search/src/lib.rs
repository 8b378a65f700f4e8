//! The full-text index of messages: tantivy, with Chinese segmented by jieba (English words,
//! numbers and mixed text are split by it too) and lower-cased. The index is a cache of the
//! database, never the truth: callers check every hit against the store (membership, recall,
//! retention) before showing it, and a lost index is rebuilt from the messages table.

use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    BooleanQuery, Occur, Query as TantivyQuery, QueryParser, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, TextAnalyzer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e.to_string())
    }
}

pub type SearchResult<T> = Result<T, SearchError>;

/// One message as the index sees it.
#[derive(Debug, Clone)]
pub struct IndexedMessage {
    pub id: String,
    pub corp_id: String,
    pub conversation_id: String,
    pub sender: String,
    /// The words people read (text, titles, file names).
    pub text: String,
    pub created_at: i64,
}

/// What to look for, within which conversations of one company.
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    pub corp_id: String,
    pub text: String,
    pub conversations: Vec<String>,
    pub sender: Option<String>,
    pub limit: usize,
}

/// A matching message and its text with the matched words in `<b>…</b>` (HTML-escaped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub id: String,
    pub highlight: String,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    corp: Field,
    conversation: Field,
    sender: Field,
    text: Field,
}

pub struct MessageIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

const TOKENIZER: &str = "jieba_lower";
/// Memory the writer may buffer before it flushes a segment.
const WRITER_MEMORY: usize = 50_000_000;

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_options = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        corp: b.add_text_field("corp", STRING),
        conversation: b.add_text_field("conversation", STRING),
        sender: b.add_text_field("sender", STRING),
        text: b.add_text_field("text", text_options),
    };
    (b.build(), fields)
}

/// The index's writer, made on a thread of low priority (nice 10) so that the threads it starts
/// (indexing, segment merges), which inherit it, give way to requests: indexing runs in bursts
/// every half second, and on a small machine a burst at normal priority showed as latency in
/// message delivery.
fn background_writer(index: &Index) -> SearchResult<IndexWriter> {
    let index = index.clone();
    std::thread::spawn(move || {
        // Linux gives each thread its own nice value; elsewhere this may fail, harmlessly.
        let _ = rustix::process::setpriority_process(None, 10);
        index.writer_with_num_threads(1, WRITER_MEMORY)
    })
    .join()
    .map_err(|_| SearchError::Index("could not start the index writer".into()))?
    .map_err(SearchError::from)
}

impl MessageIndex {
    /// Opens the index in `dir`, creating it if needed.
    pub fn open(dir: &Path) -> SearchResult<MessageIndex> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Index(e.to_string()))?;
        let (schema, fields) = schema();
        let directory = MmapDirectory::open(dir).map_err(|e| SearchError::Index(e.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        Self::with(index, fields)
    }

    /// An index in memory (tests and benchmarks).
    pub fn in_memory() -> SearchResult<MessageIndex> {
        let (schema, fields) = schema();
        Self::with(Index::create_in_ram(schema), fields)
    }

    fn with(index: Index, fields: Fields) -> SearchResult<MessageIndex> {
        let analyzer = TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
            .filter(LowerCaser)
            .build();
        index.tokenizers().register(TOKENIZER, analyzer);
        // One indexing thread: the index must not take the cores that serve requests.
        let writer = background_writer(&index)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(MessageIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    fn writer(&self) -> SearchResult<std::sync::MutexGuard<'_, IndexWriter>> {
        self.writer
            .lock()
            .map_err(|_| SearchError::Index("writer poisoned".into()))
    }

    /// Adds or replaces messages, and makes them searchable.
    pub fn upsert(&self, messages: &[IndexedMessage]) -> SearchResult<()> {
        let f = self.fields;
        let mut writer = self.writer()?;
        for m in messages {
            writer.delete_term(Term::from_field_text(f.id, &m.id));
            let mut doc = TantivyDocument::default();
            doc.add_text(f.id, &m.id);
            doc.add_text(f.corp, &m.corp_id);
            doc.add_text(f.conversation, &m.conversation_id);
            doc.add_text(f.sender, &m.sender);
            doc.add_text(f.text, &m.text);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Forgets messages (recalled or purged).
    pub fn remove(&self, ids: &[String]) -> SearchResult<()> {
        let mut writer = self.writer()?;
        for id in ids {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// The best matches, most relevant first.
    pub fn search(&self, q: &MessageQuery) -> SearchResult<Vec<Hit>> {
        let f = self.fields;
        if q.text.trim().is_empty() || q.conversations.is_empty() {
            return Ok(vec![]);
        }
        let mut parser = QueryParser::for_index(&self.index, vec![f.text]);
        parser.set_conjunction_by_default();
        // Lenient: what people type is not query syntax.
        let (text_query, _) = parser.parse_query_lenient(&q.text);
        let term = |field, value: &str| -> Box<dyn TantivyQuery> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        let conversations = TermSetQuery::new(
            q.conversations
                .iter()
                .map(|c| Term::from_field_text(f.conversation, c)),
        );
        let mut parts: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![
            (Occur::Must, text_query.box_clone()),
            (Occur::Must, term(f.corp, &q.corp_id)),
            (Occur::Must, Box::new(conversations)),
        ];
        if let Some(sender) = &q.sender {
            parts.push((Occur::Must, term(f.sender, sender)));
        }
        let query = BooleanQuery::new(parts);
        let searcher = self.reader.searcher();
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(q.limit.max(1)).order_by_score(),
        )?;
        let snippets = SnippetGenerator::create(&searcher, &*text_query, f.text)?;
        let mut hits = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(id) = doc.get_first(f.id).and_then(|v| v.as_str()) else {
                continue;
            };
            hits.push(Hit {
                id: id.to_string(),
                highlight: snippets.snippet_from_doc(&doc).to_html(),
            });
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str, conversation: &str, text: &str) -> IndexedMessage {
        IndexedMessage {
            id: id.into(),
            corp_id: "corp".into(),
            conversation_id: conversation.into(),
            sender: "zhangsan".into(),
            text: text.into(),
            created_at: 0,
        }
    }

    fn query(text: &str, conversations: &[&str]) -> MessageQuery {
        MessageQuery {
            corp_id: "corp".into(),
            text: text.into(),
            conversations: conversations.iter().map(|c| c.to_string()).collect(),
            sender: None,
            limit: 10,
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

    /// The indexing threads give way to requests: they run at nice 10.
    #[cfg(target_os = "linux")]
    #[test]
    fn indexing_threads_run_at_low_priority() {
        let _index = MessageIndex::in_memory().unwrap();
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
            ["thrd-tantivy", "merge_thread", "segment_updater"]
                .iter()
                .any(|name| comm.starts_with(name))
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut seen = tasks();
        while !seen.iter().any(|(comm, _)| is_tantivy(comm)) && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(20));
            seen = tasks();
        }
        let indexing: Vec<&(String, i64)> =
            seen.iter().filter(|(comm, _)| is_tantivy(comm)).collect();
        assert!(!indexing.is_empty(), "{seen:?}");
        assert!(indexing.iter().all(|(_, nice)| *nice == 10), "{seen:?}");
        let (_, mine) = nice_of(std::path::Path::new("/proc/thread-self")).unwrap();
        assert_eq!(mine, 0, "the caller's own thread keeps its priority");
    }
}
