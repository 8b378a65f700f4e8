//! The full-text index of messages: tantivy, with Chinese segmented by jieba (English words,
//! numbers and mixed text are split by it too) and lower-cased. The index is a cache of the
//! database, never the truth: callers check every hit against the store (membership, recall,
//! retention) before showing it, and a lost index is rebuilt from the messages table.
//!
//! Matches come newest first, the order chat search reads best in, and the time and attachment
//! filters are part of the index's query: applied after it, a filter would see only the first
//! candidates, and a search of last week in a busy company would find nothing.

mod folders;
pub mod sample;
mod writer;

pub use folders::IndexFiles;

use std::ops::Bound;
use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    BooleanQuery, Occur, Query as TantivyQuery, QueryParser, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, TextAnalyzer};
use tantivy::{Index, IndexReader, Order, ReloadPolicy, TantivyDocument, Term};

use writer::BackgroundWriter;

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
    /// It carries a file or an image.
    pub has_file: bool,
}

/// What to look for, within which conversations of one company.
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    pub corp_id: String,
    pub text: String,
    pub conversations: Vec<String>,
    pub sender: Option<String>,
    /// Sent at or after / at or before (unix ms).
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Only messages with a file or image.
    pub has_file: bool,
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
    created_at: Field,
    has_file: Field,
}

pub struct MessageIndex {
    index: Index,
    reader: IndexReader,
    writer: BackgroundWriter,
    fields: Fields,
}

const TOKENIZER: &str = "jieba_lower";
/// Memory the writer may buffer before it flushes a segment.
const WRITER_MEMORY: usize = 50_000_000;
const CREATED_AT: &str = "created_at";
const HAS_FILE: &str = "1";

/// Changing it means bumping `folders::SCHEMA_VERSION`.
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
        created_at: b.add_i64_field(CREATED_AT, INDEXED | FAST),
        has_file: b.add_text_field("has_file", STRING),
    };
    (b.build(), fields)
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
        let writer = BackgroundWriter::start(&index, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(MessageIndex {
            index,
            reader,
            writer,
            fields,
        })
    }

    /// Adds or replaces messages, and makes them searchable.
    pub fn upsert(&self, messages: &[IndexedMessage]) -> SearchResult<()> {
        let f = self.fields;
        let docs: Vec<(Term, TantivyDocument)> = messages
            .iter()
            .map(|m| {
                let mut doc = TantivyDocument::default();
                doc.add_text(f.id, &m.id);
                doc.add_text(f.corp, &m.corp_id);
                doc.add_text(f.conversation, &m.conversation_id);
                doc.add_text(f.sender, &m.sender);
                doc.add_text(f.text, &m.text);
                doc.add_i64(f.created_at, m.created_at);
                if m.has_file {
                    doc.add_text(f.has_file, HAS_FILE);
                }
                (Term::from_field_text(f.id, &m.id), doc)
            })
            .collect();
        self.writer.run(move |writer| {
            for (id, doc) in docs {
                writer.delete_term(id);
                writer.add_document(doc)?;
            }
            writer.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// Forgets messages (recalled or purged).
    pub fn remove(&self, ids: &[String]) -> SearchResult<()> {
        let field = self.fields.id;
        let terms: Vec<Term> = ids
            .iter()
            .map(|id| Term::from_field_text(field, id))
            .collect();
        self.writer.run(move |writer| {
            for term in terms {
                writer.delete_term(term);
            }
            writer.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// The newest matches first.
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
        if q.has_file {
            parts.push((Occur::Must, term(f.has_file, HAS_FILE)));
        }
        if q.from.is_some() || q.to.is_some() {
            let at = |t: Option<i64>| match t {
                Some(t) => Bound::Included(Term::from_field_i64(f.created_at, t)),
                None => Bound::Unbounded,
            };
            parts.push((Occur::Must, Box::new(RangeQuery::new(at(q.from), at(q.to)))));
        }
        let query = BooleanQuery::new(parts);
        let searcher = self.reader.searcher();
        let newest =
            TopDocs::with_limit(q.limit.max(1)).order_by_fast_field(CREATED_AT, Order::Desc);
        let top: Vec<(Option<i64>, _)> = searcher.search(&query, &newest)?;
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
mod tests;
