//! `collection.lock` (DESIGN.md §2.3): what each artifact resolved to and its content hash.
//!
//! The lock is machine-written, so it is rendered whole and sorted (like `Cargo.lock`), keeping
//! any per-entry keys it does not know. A lock written by the Python tool (`version = "1.0.0"`,
//! entries keyed by plain name with a `type` field) loads as is; it is rewritten as version 2,
//! with hashes recomputed by the caller, on the first write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml_edit::{DocumentMut, Item, Table, value};

use super::CollectionError;
use super::manifest::toml_error;
use crate::artifact::ArtifactKind;
use crate::time::Timestamp;

/// The lock format this version writes.
pub const LOCK_VERSION: &str = "2";

/// The key of an artifact in the lock: `"<name>::<kind>"`.
pub fn lock_key(kind: ArtifactKind, name: &str) -> String {
    format!("{name}::{kind}")
}

/// One `[lock.entries."name::kind"]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LockEntry {
    /// The content hash of the collection copy when it was last written by SkillMeat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    /// When it was fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched: Option<Timestamp>,
    /// Where it was fetched from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// The commit it was fetched at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_sha: Option<String>,
    /// The tag or branch it was fetched at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_version: Option<String>,
    /// `ed25519:<key id>` of the pack signer, pinned on first use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The Python tool's lock names the kind here instead of in the key.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Keys this version does not know, kept as written.
    #[serde(flatten, default)]
    #[schemars(skip)]
    pub extra: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct LockFile {
    lock: LockHeader,
}

#[derive(Deserialize)]
struct LockHeader {
    version: String,
    #[serde(default)]
    entries: BTreeMap<String, LockEntry>,
}

/// `collection.lock`, loaded.
#[derive(Debug, Clone)]
pub struct Lock {
    path: PathBuf,
    /// The format version read (`"2"`, or `"1.0.0"` for the Python tool's).
    pub version: String,
    /// Entries by `"name::kind"` key (Python entries are re-keyed on load).
    pub entries: BTreeMap<String, LockEntry>,
}

impl Lock {
    /// An empty lock at `path`.
    pub fn new(path: PathBuf) -> Lock {
        Lock {
            path,
            version: LOCK_VERSION.into(),
            entries: BTreeMap::new(),
        }
    }

    /// Parses `text`; errors name the file, line and column.
    pub fn parse(path: PathBuf, text: &str) -> Result<Lock, CollectionError> {
        let file: LockFile = toml::from_str(text)
            .map_err(|e: toml::de::Error| toml_error(&path, text, e.span(), e.message()))?;
        let mut entries = BTreeMap::new();
        for (key, mut entry) in file.lock.entries {
            let key = if key.contains("::") {
                key
            } else {
                // Python lock: plain name, kind in `type`.
                let kind = entry
                    .kind
                    .as_deref()
                    .and_then(|k| k.parse::<ArtifactKind>().ok());
                match kind {
                    Some(k) => lock_key(k, &key),
                    None => format!("{key}::"),
                }
            };
            entry.kind = None;
            entries.insert(key, entry);
        }
        Ok(Lock {
            path,
            version: file.lock.version,
            entries,
        })
    }

    /// The file the lock lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this lock was written by an older format and must be rewritten.
    pub fn is_legacy(&self) -> bool {
        self.version != LOCK_VERSION
    }

    /// The entry of `(kind, name)`.
    pub fn get(&self, kind: ArtifactKind, name: &str) -> Option<&LockEntry> {
        self.entries
            .get(&lock_key(kind, name))
            .or_else(|| self.entries.get(&format!("{name}::")))
    }

    /// Renders the lock as version 2, sorted by key.
    pub fn render(&self) -> String {
        let mut doc = DocumentMut::new();
        let mut lock = Table::new();
        lock.insert("version", value(LOCK_VERSION));
        let mut entries = Table::new();
        entries.set_implicit(true);
        for (key, e) in &self.entries {
            let mut t = Table::new();
            let s = |t: &mut Table, k: &str, v: &Option<String>| {
                if let Some(v) = v {
                    t.insert(k, value(v.as_str()));
                }
            };
            s(&mut t, "content_hash", &e.content_hash);
            if let Some(f) = &e.fetched {
                t.insert("fetched", value(f.to_toml()));
            }
            s(&mut t, "upstream", &e.upstream);
            s(&mut t, "resolved_sha", &e.resolved_sha);
            s(&mut t, "resolved_version", &e.resolved_version);
            s(&mut t, "signer", &e.signer);
            for (k, v) in &e.extra {
                if let Ok(item) = toml_value_to_item(v) {
                    t.insert(k, item);
                }
            }
            entries.insert(key, Item::Table(t));
        }
        lock.insert("entries", Item::Table(entries));
        lock.set_implicit(false);
        doc.insert("lock", Item::Table(lock));
        doc.to_string()
    }
}

/// Converts a `toml::Value` kept from an unknown key back into an editable item.
fn toml_value_to_item(v: &toml::Value) -> Result<Item, toml_edit::TomlError> {
    let mut t = toml::Table::new();
    t.insert("x".into(), v.clone());
    let rendered = toml::to_string(&t).unwrap_or_default();
    let doc: DocumentMut = rendered.parse()?;
    Ok(doc.get("x").cloned().unwrap_or(Item::None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_lock_loads_and_rewrites_as_v2() {
        let text = r#"[lock]
version = "1.0.0"

[lock.entries.code-review]
type = "skill"
upstream = "https://github.com/acme/skills/tree/main/code-review"
content_hash = "sha256:00"
fetched = "2025-10-01T12:34:56.123456"
note = "kept"
"#;
        let lock = Lock::parse("l".into(), text).unwrap();
        assert!(lock.is_legacy());
        let e = lock.get(ArtifactKind::Skill, "code-review").unwrap();
        assert_eq!(e.fetched.as_ref().unwrap().0, "2025-10-01T12:34:56.123456");
        let out = lock.render();
        assert!(
            out.contains("[lock.entries.\"code-review::skill\"]"),
            "{out}"
        );
        assert!(out.contains("version = \"2\""));
        assert!(out.contains("note = \"kept\""));
        let again = Lock::parse("l".into(), &out).unwrap();
        assert!(!again.is_legacy());
        assert_eq!(again.entries, lock.entries);
    }

    #[test]
    fn bad_lock_names_line() {
        let err = Lock::parse("x.lock".into(), "[lock]\nversion = \n").unwrap_err();
        assert!(err.to_string().starts_with("x.lock:2:"), "{err}");
        let err = Lock::parse("x.lock".into(), "[other]\n").unwrap_err();
        assert!(err.to_string().starts_with("x.lock:"), "{err}");
    }
}
