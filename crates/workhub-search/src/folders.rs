//! Where an index lives on disk. Each schema version has a folder (and its owner's cursor file)
//! of its own, so a node upgraded to a new schema builds a new index instead of opening one it
//! cannot read, and deletes what older versions left.

use std::path::{Path, PathBuf};

/// The schema's version: bumped whenever `schema()` changes.
const SCHEMA_VERSION: u32 = 2;

/// The current schema's files under `dir`.
pub struct IndexFiles {
    /// The index itself.
    pub index: PathBuf,
    /// Where the caller keeps how far it has indexed: it belongs to this index and goes with it.
    pub cursor: PathBuf,
}

impl IndexFiles {
    pub fn in_dir(dir: &Path) -> IndexFiles {
        IndexFiles {
            index: dir.join(format!("index-v{SCHEMA_VERSION}")),
            cursor: dir.join(format!("cursor-v{SCHEMA_VERSION}")),
        }
    }

    /// Deletes what indexes of older schemas left beside these; the paths deleted (best effort:
    /// a leftover only costs disk).
    pub fn forget_older(&self, dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return vec![];
        };
        let mut gone = vec![];
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // The first schema's were named `index` and `cursor`; later ones carry their version.
            let older = ["index", "cursor"]
                .iter()
                .any(|n| name == *n || name.starts_with(&format!("{n}-v")));
            if older && path != self.index && path != self.cursor {
                let removed =
                    std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
                if removed.is_ok() {
                    gone.push(path);
                }
            }
        }
        gone
    }
}
