//! An opt-in cache of parsed collections for long-running processes (the MCP server; later the
//! LSP and the web view), which would otherwise parse `collection.toml` and `collection.lock`
//! afresh on every request — most of the time a read takes with 1,000 artifacts.
//!
//! The cache is keyed by the exact bytes of both files, read on every open, so it can never
//! serve a stale collection: any change, by SkillMeat or by hand, misses and parses again. The
//! one-shot CLI never turns it on (a clone would only add to its time).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Collection;

static ON: AtomicBool = AtomicBool::new(false);

struct Entry {
    manifest: String,
    lock: Option<String>,
    collection: Collection,
}

static CACHE: Mutex<Option<HashMap<PathBuf, Entry>>> = Mutex::new(None);

/// Turns the cache on for this process: `Collection::open` then reuses the last parse of a
/// collection while its manifest and lock bytes are unchanged.
pub fn enable_open_cache() {
    ON.store(true, Ordering::Relaxed);
}

/// The cached parse of the collection at `root`, if its files still hold these bytes.
pub(super) fn get(root: &Path, manifest: &str, lock: Option<&str>) -> Option<Collection> {
    if !ON.load(Ordering::Relaxed) {
        return None;
    }
    let cache = CACHE.lock().ok()?;
    let e = cache.as_ref()?.get(root)?;
    (e.manifest == manifest && e.lock.as_deref() == lock).then(|| e.collection.clone())
}

/// Remembers the parse of the collection at `root` from these bytes.
pub(super) fn put(root: &Path, manifest: &str, lock: Option<&str>, collection: &Collection) {
    if !ON.load(Ordering::Relaxed) {
        return;
    }
    if let Ok(mut cache) = CACHE.lock() {
        cache.get_or_insert_with(HashMap::new).insert(
            root.to_path_buf(),
            Entry {
                manifest: manifest.to_string(),
                lock: lock.map(str::to_string),
                collection: collection.clone(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Home;

    #[test]
    fn a_changed_file_is_parsed_again() {
        enable_open_cache();
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        Collection::create(&home, "c").unwrap();
        let a = Collection::open(&home, "c").unwrap();
        let b = Collection::open(&home, "c").unwrap();
        assert_eq!(
            a.manifest.file.collection.name,
            b.manifest.file.collection.name
        );
        let path = home.collection_dir("c").join("collection.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("name = \"c\"", "name = \"renamed\"")).unwrap();
        let c = Collection::open(&home, "c").unwrap();
        assert_eq!(c.manifest.file.collection.name, "renamed");
    }
}
