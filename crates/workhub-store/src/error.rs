//! Storage failures. Expected conflicts are typed; everything else is `Backend` and is logged.

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    /// A unique key already holds this value; the string names the key.
    #[error("duplicate {0}")]
    Duplicate(String),
    /// The database failed; the text is for logs only.
    #[error("database error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
