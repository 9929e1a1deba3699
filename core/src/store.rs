//! The content-addressed blob store, `<home>/objects/sha256/<aa>/<rest>` (DESIGN.md §2): every
//! file SkillMeat must be able to bring back — the merge base of a deployed artifact, the files of
//! a snapshot, the bytes of a settings file before SkillMeat touched it — is kept here once, by
//! the SHA-256 of its bytes. Deploy records and snapshots then cost only a list of hashes.
//!
//! A blob is written to a temp file in its fan-out folder and renamed into place, so a reader
//! never sees half a blob. Blobs are not fsynced one by one (a deploy of 1,000 artifacts would
//! pay 1,000 syncs); instead [`Store::get`] checks the hash of what it reads, so a blob torn by a
//! crash is reported as missing, never returned.
//!
//! A *tree* is the list of `"<file hex>  <path>\n"` lines of an artifact (§2.1): its SHA-256 is
//! the artifact's content hash, so storing it as a blob makes every content hash resolvable back
//! to the file hashes it was computed from.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::artifact::{FileEntry, to_hex};
use crate::home::{Home, HomeError, create_private_dir_all};

/// What can go wrong reading or writing blobs.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A blob that a record or snapshot names is not in the store.
    #[error(
        "blob {hash} is missing from {store} (or damaged); the record naming it cannot be used — redeploy the artifact, or restore an older snapshot"
    )]
    Missing { hash: String, store: PathBuf },
    /// A hash is not 64 lowercase hex digits.
    #[error(
        "`{0}` is not a SHA-256 hash (64 hex digits); the file naming it was edited by hand — fix or remove that entry"
    )]
    BadHash(String),
    /// A tree blob does not have the `"<hex>  <path>"` line shape.
    #[error("tree {0} in the store is not a list of `<hash>  <path>` lines; redeploy the artifact")]
    BadTree(String),
    #[error(transparent)]
    Home(#[from] HomeError),
}

impl crate::hint::Hinted for StoreError {
    fn kind(&self) -> crate::hint::ErrorKind {
        match self {
            StoreError::Home(e) => e.kind(),
            _ => crate::hint::ErrorKind::Invalid,
        }
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        match self {
            StoreError::Home(e) => e.fixes(),
            _ => Vec::new(),
        }
    }
}

/// The blob store of one home.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// Strips an optional `sha256:` prefix and checks the rest is 64 lowercase hex digits.
pub fn plain_hex(hash: &str) -> Result<&str, StoreError> {
    let h = hash.strip_prefix("sha256:").unwrap_or(hash);
    if h.len() == 64
        && h.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(h)
    } else {
        Err(StoreError::BadHash(hash.to_string()))
    }
}

impl Store {
    /// The store of `home` (`objects/sha256/`); folders are created on first write.
    pub fn open(home: &Home) -> Store {
        Store {
            root: home.root().join("objects").join("sha256"),
        }
    }

    /// The store's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob with hex hash `hex` lives (whether or not it exists).
    pub fn path_of(&self, hex: &str) -> PathBuf {
        let (a, rest) = hex.split_at(2.min(hex.len()));
        self.root.join(a).join(rest)
    }

    /// Whether the blob `hash` (hex, or `sha256:` + hex) is present.
    pub fn has(&self, hash: &str) -> bool {
        plain_hex(hash).is_ok_and(|h| self.path_of(h).is_file())
    }

    /// Stores `bytes`, returning their hex SHA-256. Storing bytes that are already there costs
    /// one `stat`.
    pub fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let hex = to_hex(&Sha256::digest(bytes));
        self.put_known(&hex, bytes)?;
        Ok(hex)
    }

    /// Stores `bytes` whose hex SHA-256 the caller already computed (as a deploy does while
    /// copying). The caller vouches for `hex`; [`Store::get`] checks it on every read.
    pub fn put_known(&self, hex: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.path_of(plain_hex(hex)?);
        if path.is_file() {
            return Ok(());
        }
        let dir = path.parent().unwrap_or(&self.root);
        create_private_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(dir)
            .map_err(|e| HomeError::io(dir, e))?;
        tmp.write_all(bytes).map_err(|e| HomeError::io(&path, e))?;
        // Another process may have stored the same blob meanwhile; either copy is the same bytes.
        tmp.persist(&path)
            .map_err(|e| HomeError::io(&path, e.error))?;
        Ok(())
    }

    /// Reads the blob `hash`, checking that its bytes still hash to it.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>, StoreError> {
        let hex = plain_hex(hash)?;
        let path = self.path_of(hex);
        let missing = || StoreError::Missing {
            hash: hex.to_string(),
            store: self.root.clone(),
        };
        let bytes = fs::read(&path).map_err(|_| missing())?;
        if to_hex(&Sha256::digest(&bytes)) != hex {
            return Err(missing());
        }
        Ok(bytes)
    }

    /// Stores the tree of an artifact (its file list) and returns its hash, which is the
    /// artifact's content hash (`sha256:` + hex).
    pub fn put_tree(&self, files: &[FileEntry]) -> Result<String, StoreError> {
        let mut sorted: Vec<&FileEntry> = files.iter().collect();
        sorted.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        let mut text = String::new();
        for f in sorted {
            text.push_str(&f.sha256);
            text.push_str("  ");
            text.push_str(&f.path);
            text.push('\n');
        }
        Ok(format!("sha256:{}", self.put(text.as_bytes())?))
    }

    /// Reads a tree stored by [`Store::put_tree`]: `(path, file hex)` pairs in path order.
    pub fn get_tree(&self, content_hash: &str) -> Result<Vec<(String, String)>, StoreError> {
        let bytes = self.get(content_hash)?;
        let text =
            String::from_utf8(bytes).map_err(|_| StoreError::BadTree(content_hash.into()))?;
        text.lines()
            .map(|l| {
                let (hex, path) = l
                    .split_once("  ")
                    .ok_or_else(|| StoreError::BadTree(content_hash.into()))?;
                plain_hex(hex)?;
                Ok((path.to_string(), hex.to_string()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::hash_of_entries;

    #[test]
    fn put_get_has_and_fan_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Home::at(dir.path()));
        let h = store.put(b"hello").unwrap();
        assert_eq!(
            h,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert!(store.has(&h) && store.has(&format!("sha256:{h}")));
        assert!(dir.path().join("objects/sha256/2c").join(&h[2..]).is_file());
        assert_eq!(store.get(&h).unwrap(), b"hello");
        // Idempotent.
        assert_eq!(store.put(b"hello").unwrap(), h);
        assert!(!store.has(&"0".repeat(64)));
        assert!(matches!(
            store.get(&"0".repeat(64)),
            Err(StoreError::Missing { .. })
        ));
        assert!(matches!(store.get("nope"), Err(StoreError::BadHash(_))));
    }

    #[test]
    fn damaged_blobs_read_as_missing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Home::at(dir.path()));
        let h = store.put(b"hello").unwrap();
        fs::write(store.path_of(&h), b"hellp").unwrap();
        assert!(matches!(store.get(&h), Err(StoreError::Missing { .. })));
    }

    #[test]
    fn tree_hash_is_the_content_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Home::at(dir.path()));
        let files = vec![
            FileEntry {
                path: "b.md".into(),
                sha256: store.put(b"b").unwrap(),
                size: 1,
                executable: false,
            },
            FileEntry {
                path: "a.md".into(),
                sha256: store.put(b"a").unwrap(),
                size: 1,
                executable: false,
            },
        ];
        let t = store.put_tree(&files).unwrap();
        assert_eq!(t, hash_of_entries(&files));
        let tree = store.get_tree(&t).unwrap();
        assert_eq!(tree[0].0, "a.md");
        assert_eq!(tree[1].1, files[0].sha256);
    }
}
