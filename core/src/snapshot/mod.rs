//! Snapshots and rollback over the blob store (DESIGN.md §4.4).
//!
//! A snapshot is `<home>/snapshots/<collection>/<id>.toml`: the text of `collection.toml` and
//! `collection.lock`, and for each artifact its files as `(path, sha256, executable)` whose bytes
//! are in the store. Blobs are shared between snapshots (and with deploy bases), so a snapshot
//! costs kilobytes. A snapshot may also list `saved` copies: deployed files a command was about
//! to overwrite or delete that were not already in the store (project edits), so nothing a
//! destructive command replaces is ever lost.
//!
//! This module (models tier) owns the format and taking a snapshot; `snapshot create|list|restore`
//! are in [`ops`] (operations tier).

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::artifact::{ArtifactKind, HashError, list_files};
use crate::collection::{Collection, CollectionError};
use crate::fsx;
use crate::home::{Home, HomeError, atomic_write, create_private_dir_all};
use crate::store::{Store, StoreError};
use crate::text::line_col;
use crate::time::Timestamp;

pub mod ops;

/// What can go wrong with snapshots.
#[derive(Debug, Error)]
pub enum SnapshotError {
    #[error("no snapshot `{id}` of collection `{collection}`{}", match latest {
        Some(l) => format!(" (the latest is {l})"),
        None => " (it has none)".to_string(),
    })]
    NotFound {
        id: String,
        collection: String,
        /// The collection's latest snapshot, if it has any.
        latest: Option<String>,
    },
    #[error("{path}:{line}:{col}: {message}; the snapshot file was damaged — restore another one")]
    Syntax {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error(
        "snapshot {path} names the unsafe path `{rel}`; it was edited by hand — restore another snapshot"
    )]
    UnsafePath { path: PathBuf, rel: String },
    #[error(transparent)]
    Collection(#[from] CollectionError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Home(#[from] HomeError),
}

impl crate::hint::Hinted for SnapshotError {
    fn kind(&self) -> crate::hint::ErrorKind {
        use crate::hint::ErrorKind as K;
        match self {
            SnapshotError::NotFound { .. } => K::NotFound,
            SnapshotError::Syntax { .. } | SnapshotError::UnsafePath { .. } => K::Invalid,
            SnapshotError::Collection(e) => e.kind(),
            SnapshotError::Store(e) => e.kind(),
            SnapshotError::Hash(e) => e.kind(),
            SnapshotError::Home(e) => e.kind(),
        }
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        use crate::hint::Fix;
        match self {
            SnapshotError::NotFound {
                collection, latest, ..
            } => vec![match latest {
                Some(_) => Fix::op_with(
                    "snapshot_list",
                    serde_json::json!({"collection": collection}),
                )
                .why("to see them all"),
                None => Fix::op_with(
                    "snapshot_create",
                    serde_json::json!({"collection": collection}),
                )
                .why("to take one"),
            }],
            SnapshotError::Collection(e) => e.fixes(),
            SnapshotError::Store(e) => e.fixes(),
            SnapshotError::Hash(e) => e.fixes(),
            SnapshotError::Home(e) => e.fixes(),
            _ => Vec::new(),
        }
    }
}

/// One file in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SnapFile {
    /// Path relative to the artifact, `/`-separated.
    pub path: String,
    /// Hex SHA-256; the bytes are in the store.
    pub sha256: String,
    /// Whether it is executable.
    #[serde(default)]
    pub executable: bool,
}

/// One artifact in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SnapArtifact {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name.
    pub name: String,
    /// Its path relative to the collection folder.
    pub path: String,
    /// Its files.
    pub files: Vec<SnapFile>,
}

/// A deployed copy saved before a command overwrote or removed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SavedCopy {
    /// Absolute path of the copy (a folder, or one file for commands and agents).
    pub path: PathBuf,
    /// Whether it was a single file.
    pub single_file: bool,
    /// Its files.
    pub files: Vec<SnapFile>,
}

/// `[snapshot]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SnapshotHeader {
    /// The snapshot's id (sortable by time).
    pub id: String,
    /// The collection.
    pub collection: String,
    /// When it was taken.
    pub created: Timestamp,
    /// Why it was taken (`manual`, `before sync`, …).
    pub reason: String,
}

/// A snapshot file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Snapshot {
    /// About the snapshot.
    pub snapshot: SnapshotHeader,
    /// The text of `collection.toml`.
    pub manifest: String,
    /// The text of `collection.lock`, if there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// The artifacts.
    #[serde(default)]
    pub artifacts: Vec<SnapArtifact>,
    /// Deployed copies saved before being replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub saved: Vec<SavedCopy>,
}

/// A snapshot, as listed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SnapshotInfo {
    /// Its id.
    pub id: String,
    /// The collection.
    pub collection: String,
    /// When it was taken.
    pub created: Timestamp,
    /// Why.
    pub reason: String,
    /// How many artifacts it holds.
    pub artifacts: usize,
    /// How many deployed copies it saved.
    pub saved: usize,
    /// The snapshot file.
    pub path: PathBuf,
    /// Size of the snapshot file in bytes (the blobs are shared and not counted).
    pub bytes: u64,
}

impl From<SnapshotError> for CollectionError {
    fn from(e: SnapshotError) -> Self {
        CollectionError::Snapshot(Box::new(e))
    }
}

fn dir_of(home: &Home, collection: &str) -> PathBuf {
    home.root().join("snapshots").join(collection)
}

/// Puts the files of an artifact (folder or single file) into the store.
pub fn store_files(store: &Store, root: &Path) -> Result<Vec<SnapFile>, SnapshotError> {
    let files = list_files(root)?;
    files
        .iter()
        .map(|(rel, p)| {
            let bytes = fs::read(p).map_err(|e| HomeError::io(p, e))?;
            let sha256 = store.put(&bytes)?;
            Ok(SnapFile {
                path: rel.clone(),
                sha256,
                executable: fsx::is_executable(p),
            })
        })
        .collect()
}

/// Saves a deployed copy's files to the store before it is replaced.
pub fn save_copy(store: &Store, path: &Path) -> Result<SavedCopy, SnapshotError> {
    Ok(SavedCopy {
        path: path.to_path_buf(),
        single_file: path.is_file(),
        files: store_files(store, path)?,
    })
}

/// Takes a snapshot of an opened collection. The caller holds the home lock.
pub fn take(
    home: &Home,
    coll: &Collection,
    reason: &str,
    saved: Vec<SavedCopy>,
) -> Result<SnapshotInfo, SnapshotError> {
    let store = Store::open(home);
    let manifest = fs::read_to_string(coll.manifest.path())
        .map_err(|e| HomeError::io(coll.manifest.path(), e))?;
    let lock = fs::read_to_string(coll.lock.path()).ok();
    let artifacts = coll
        .manifest
        .file
        .artifacts
        .par_iter()
        .map(|e| {
            let p = coll.artifact_path(e)?;
            let files = match store_files(&store, &p) {
                Ok(f) => f,
                Err(SnapshotError::Hash(HashError::Missing { .. })) => Vec::new(),
                Err(err) => return Err(err),
            };
            Ok(SnapArtifact {
                kind: e.kind,
                name: e.name.clone(),
                path: e.path.clone(),
                files,
            })
        })
        .collect::<Result<Vec<_>, SnapshotError>>()?;
    let now = jiff::Timestamp::now();
    let id = format!(
        "{}-{:04x}",
        now.strftime("%Y%m%d-%H%M%S"),
        (now.subsec_nanosecond() as u32 / 1000) & 0xffff
    );
    let snap = Snapshot {
        snapshot: SnapshotHeader {
            id: id.clone(),
            collection: coll.name.clone(),
            created: Timestamp::now(),
            reason: reason.to_string(),
        },
        manifest,
        lock,
        artifacts,
        saved,
    };
    let text = toml::to_string(&snap).unwrap_or_default();
    let dir = dir_of(home, &coll.name);
    create_private_dir_all(&dir)?;
    let path = dir.join(format!("{id}.toml"));
    atomic_write(&path, text.as_bytes())?;
    Ok(info(&snap, path, text.len() as u64))
}

fn info(s: &Snapshot, path: PathBuf, bytes: u64) -> SnapshotInfo {
    SnapshotInfo {
        id: s.snapshot.id.clone(),
        collection: s.snapshot.collection.clone(),
        created: s.snapshot.created.clone(),
        reason: s.snapshot.reason.clone(),
        artifacts: s.artifacts.len(),
        saved: s.saved.len(),
        path,
        bytes,
    }
}

fn read(path: &Path) -> Result<Snapshot, SnapshotError> {
    let text = fs::read_to_string(path).map_err(|e| HomeError::io(path, e))?;
    toml::from_str(&text).map_err(|e: toml::de::Error| {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
        SnapshotError::Syntax {
            path: path.to_path_buf(),
            line,
            col,
            message: e.message().trim().replace('\n', " "),
        }
    })
}
