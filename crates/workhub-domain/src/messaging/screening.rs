//! Applying a company's sensitive words to a message before it is stored: block refuses it,
//! mask stars the words out, warn lets it through. Every hit goes to the audit log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use workhub_core::{Code, CorpId, Error};
use workhub_store::messaging::{Message, SensitiveWord};

use super::Messaging;
use super::sensitive::{Action, Hit, Matcher, mask};
use crate::StoreResultExt;
use crate::authz::catalogue as p;
use crate::context::{Meta, UserActor};

/// How long a node trusts its compiled list before checking whether the list changed (another
/// node saved it). The check reads two numbers; the list is read and compiled again only when
/// they moved.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// Largest list a company may keep.
const MAX_WORDS: usize = 50_000;

/// Compiled lists per company.
#[derive(Default)]
pub(super) struct Matchers(Mutex<HashMap<CorpId, Compiled>>);

/// A company's compiled list, the list's version it was built from, and when that was checked.
struct Compiled {
    checked: Instant,
    version: (i64, i64),
    matcher: Arc<Matcher>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WordEntry {
    pub word: String,
    pub action: String,
}

/// The text fields of a payload that people read.
fn text_fields(content: &mut Value) -> Vec<&mut Value> {
    let mut out = vec![];
    if let Some(obj) = content.as_object_mut() {
        for (name, value) in obj.iter_mut() {
            match name.as_str() {
                "content" | "code" | "title" | "description" | "name" => out.push(value),
                "articles" => {
                    for a in value.as_array_mut().into_iter().flatten() {
                        out.extend(text_fields(a));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

impl Messaging {
    async fn matcher(&self, corp: &CorpId) -> Result<Arc<Matcher>, Error> {
        let cached = match self.matchers.0.lock() {
            Ok(cache) => cache
                .get(corp)
                .map(|c| (c.checked, c.version, c.matcher.clone())),
            Err(_) => None,
        };
        if let Some((checked, _, matcher)) = &cached
            && checked.elapsed() < CHECK_EVERY
        {
            return Ok(matcher.clone());
        }
        let admin = &self.deps.stores.messaging_admin;
        let version = admin.sensitive_words_version(corp).await.or_internal()?;
        let matcher = match cached {
            Some((_, built_from, matcher)) if built_from == version => matcher,
            _ => {
                let words = admin.list_sensitive_words(corp).await.or_internal()?;
                let list: Vec<(String, Action)> = words
                    .into_iter()
                    .filter_map(|w| Some((w.word, Action::parse(&w.action)?)))
                    .collect();
                Arc::new(Matcher::new(&list))
            }
        };
        if let Ok(mut cache) = self.matchers.0.lock() {
            let checked = Instant::now();
            let compiled = Compiled {
                checked,
                version,
                matcher: matcher.clone(),
            };
            cache.insert(corp.clone(), compiled);
        }
        Ok(matcher)
    }

    /// Screens a message in place. A block is an error; hits are audited either way.
    pub(super) async fn screen(&self, message: &mut Message) -> Result<(), Error> {
        let matcher = self.matcher(&message.corp_id).await?;
        if matcher.is_empty() {
            return Ok(());
        }
        let mut content: Value = serde_json::from_str(&message.content).unwrap_or(Value::Null);
        let mut hits: Vec<Hit> = vec![];
        for field in text_fields(&mut content) {
            let Some(text) = field.as_str() else { continue };
            let found = matcher.find(text);
            if found.iter().any(|h| h.action == Action::Mask) {
                let masked: Vec<Hit> = found
                    .iter()
                    .filter(|h| h.action == Action::Mask)
                    .cloned()
                    .collect();
                *field = Value::String(mask(text, &masked));
            }
            hits.extend(found);
        }
        if hits.is_empty() {
            return Ok(());
        }
        let blocked = hits.iter().any(|h| h.action == Action::Block);
        let refusal = Error::with(
            Code::SensitiveWord,
            hits.iter()
                .filter(|h| h.action == Action::Block)
                .map(|h| h.word.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
        for hit in &hits {
            let target = format!(
                "{}:{}:{}",
                message.conversation_id,
                hit.word,
                hit.action.name()
            );
            let outcome = if blocked { Err(&refusal) } else { Ok(()) };
            self.audit
                .record_named(
                    message.corp_id.as_str(),
                    &message.sender,
                    &Meta::default(),
                    "messaging.sensitive_word",
                    &target,
                    outcome,
                )
                .await;
        }
        if blocked {
            return Err(refusal);
        }
        message.content = content.to_string();
        Ok(())
    }

    /// GET /admin/sensitive-words
    pub async fn sensitive_words(&self, who: &UserActor) -> Result<Vec<WordEntry>, Error> {
        who.require(p::MESSAGING_SENSITIVE_WORD_READ)?;
        let words = self
            .deps
            .stores
            .messaging_admin
            .list_sensitive_words(&who.corp_id)
            .await
            .or_internal()?;
        Ok(words
            .into_iter()
            .map(|w| WordEntry {
                word: w.word,
                action: w.action,
            })
            .collect())
    }

    /// PUT /admin/sensitive-words: replaces the list.
    pub async fn save_sensitive_words(
        &self,
        who: &UserActor,
        meta: &Meta,
        entries: Vec<WordEntry>,
    ) -> Result<usize, Error> {
        who.require(p::MESSAGING_SENSITIVE_WORD_EDIT)?;
        if entries.len() > MAX_WORDS {
            return Err(Error::with(
                Code::InvalidRequest,
                format!("at most {MAX_WORDS} words"),
            ));
        }
        let mut words = Vec::with_capacity(entries.len());
        for e in entries {
            let word = e.word.trim().to_string();
            let action = Action::parse(&e.action).ok_or_else(|| {
                Error::with(Code::InvalidRequest, format!("action: {}", e.action))
            })?;
            if word.is_empty()
                || word.chars().count() > 50
                || super::sensitive::fold_word(&word).is_empty()
            {
                return Err(Error::with(Code::InvalidRequest, format!("word: {word}")));
            }
            words.push(SensitiveWord {
                word,
                action: action.name().to_string(),
            });
        }
        let count = words.len();
        self.deps
            .stores
            .messaging_admin
            .save_sensitive_words(&who.corp_id, words, self.deps.now())
            .await
            .or_internal()?;
        if let Ok(mut cache) = self.matchers.0.lock() {
            cache.remove(&who.corp_id);
        }
        self.audit
            .record_named(
                who.corp_id.as_str(),
                who.userid.as_str(),
                meta,
                "messaging.sensitive_words_saved",
                &count.to_string(),
                Ok(()),
            )
            .await;
        Ok(count)
    }

    /// POST /admin/sensitive-words/import: a text file, one `word` or `word,action` per line
    /// (action defaults to `default_action`), replacing the list.
    pub async fn import_sensitive_words(
        &self,
        who: &UserActor,
        meta: &Meta,
        file: &str,
        default_action: &str,
    ) -> Result<usize, Error> {
        let entries = file
            .lines()
            .map(|l| l.trim().trim_start_matches('\u{feff}'))
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (word, action) = l
                    .rsplit_once([',', '，', '\t'])
                    .filter(|(_, a)| Action::parse(a).is_some())
                    .unwrap_or((l, default_action));
                WordEntry {
                    word: word.trim().to_string(),
                    action: action.trim().to_string(),
                }
            })
            .collect();
        self.save_sensitive_words(who, meta, entries).await
    }
}
