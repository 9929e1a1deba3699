//! Snapshots and rollback over the blob store (DESIGN.md §4.4).
//!
//! A snapshot is `<home>/snapshots/<collection>/<id>.toml`: the text of `collection.toml` and
//! `collection.lock`, and for each artifact its files as `(path, sha256, executable)` whose bytes
//! are in the store. Blobs are shared between snapshots (and with deploy bases), so a snapshot
//! costs kilobytes. A snapshot may also list `saved` copies: deployed files a command was about
//! to overwrite or delete that were not already in the store (project edits), so nothing a
//! destructive command replaces is ever lost.
//!
//! `restore` stages every file from the store first, then swaps the artifact folders, manifest
//! and lock together (all-or-nothing), after taking a snapshot of the state it replaces.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::artifact::{ArtifactKind, HashError, list_files};
use crate::collection::ops::resolve_collection;
use crate::collection::{Collection, CollectionError, Lock, Manifest, Timestamp, line_col};
use crate::home::{Home, HomeError, atomic_write, create_private_dir_all};
use crate::store::{Store, StoreError};

/// What can go wrong with snapshots.
#[derive(Debug, Error)]
pub enum SnapshotError {
    #[error("no snapshot `{id}` of collection `{collection}`; {hint}")]
    NotFound {
        id: String,
        collection: String,
        hint: String,
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

/// `snapshot create`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct SnapshotCreateRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// Why (shown by `snapshot list`); `manual` when absent.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `snapshot list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SnapshotListReport {
    /// The collection.
    pub collection: String,
    /// Its snapshots, oldest first.
    pub snapshots: Vec<SnapshotInfo>,
}

/// `snapshot restore`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SnapshotRestoreRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// The snapshot id (as `snapshot list` shows it).
    pub id: String,
    /// Put back only the deployed copies the snapshot saved (`[[saved]]`: edited copies a
    /// deploy, sync or undeploy replaced), leaving the collection as it is.
    #[serde(default)]
    pub copies: bool,
}

/// What `snapshot restore` did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SnapshotRestoreReport {
    /// The collection.
    pub collection: String,
    /// The snapshot restored.
    pub id: String,
    /// How many artifacts the collection holds now.
    pub artifacts: usize,
    /// The snapshot taken of the state before the restore (to undo it).
    pub before: String,
    /// Deployed copies put back (with `copies`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<PathBuf>,
}

fn dir_of(home: &Home, collection: &str) -> PathBuf {
    home.root().join("snapshots").join(collection)
}

fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
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
                executable: is_executable(p),
            })
        })
        .collect()
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        false
    }
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

/// `snapshot create`: snapshots a collection.
pub fn create(home: &Home, req: SnapshotCreateRequest) -> Result<SnapshotInfo, SnapshotError> {
    let name = resolve_collection(home, req.collection.as_deref())?;
    let _lock = home.lock()?;
    let coll = Collection::open(home, &name)?;
    take(
        home,
        &coll,
        req.reason.as_deref().unwrap_or("manual"),
        Vec::new(),
    )
}

/// `snapshot list`: a collection's snapshots, oldest first.
pub fn list(home: &Home, collection: Option<&str>) -> Result<SnapshotListReport, SnapshotError> {
    let name = resolve_collection(home, collection)?;
    let dir = dir_of(home, &name);
    let mut snapshots = Vec::new();
    if let Ok(rd) = fs::read_dir(&dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "toml") {
                let s = read(&p)?;
                let bytes = e.metadata().map(|m| m.len()).unwrap_or(0);
                snapshots.push(info(&s, p, bytes));
            }
        }
    }
    snapshots.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(SnapshotListReport {
        collection: name,
        snapshots,
    })
}

/// `snapshot restore`: brings manifest, lock and every artifact's files back together.
pub fn restore(
    home: &Home,
    req: SnapshotRestoreRequest,
) -> Result<SnapshotRestoreReport, SnapshotError> {
    let name = resolve_collection(home, req.collection.as_deref())?;
    crate::artifact::validate_name(&req.id).map_err(CollectionError::from)?;
    let _lock = home.lock()?;
    let path = dir_of(home, &name).join(format!("{}.toml", req.id));
    if !path.is_file() {
        let known = list(home, Some(&name))?
            .snapshots
            .into_iter()
            .map(|s| s.id)
            .collect::<Vec<_>>();
        return Err(SnapshotError::NotFound {
            id: req.id,
            collection: name,
            hint: if known.is_empty() {
                "it has none; take one with `skillmeat snapshot create`".into()
            } else {
                format!(
                    "see `skillmeat snapshot list` (latest: {})",
                    known[known.len() - 1]
                )
            },
        });
    }
    let snap = read(&path)?;
    let current = Collection::open(home, &name)?;
    let store = Store::open(home);
    if req.copies {
        return restore_copies(home, &store, &current, snap);
    }

    // Everything is staged from the store before anything in the collection moves.
    let staging = tempfile::Builder::new()
        .prefix(".staging-")
        .tempdir_in(&current.root)
        .map_err(|e| HomeError::io(&current.root, e))?;
    let mut moves = Vec::new();
    for (i, a) in snap.artifacts.iter().enumerate() {
        if !safe_rel(&a.path) || a.files.iter().any(|f| !safe_rel(&f.path)) {
            return Err(SnapshotError::UnsafePath {
                path,
                rel: a.path.clone(),
            });
        }
        let dst = staging.path().join(i.to_string());
        for f in &a.files {
            let bytes = store.get(&f.sha256)?;
            let target = if a.kind.is_dir() {
                dst.join(&f.path)
            } else {
                dst.clone()
            };
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(|e| HomeError::io(parent, e))?;
            }
            fs::write(&target, &bytes).map_err(|e| HomeError::io(&target, e))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = if f.executable { 0o755 } else { 0o644 };
                fs::set_permissions(&target, fs::Permissions::from_mode(mode))
                    .map_err(|e| HomeError::io(&target, e))?;
            }
        }
        if a.kind.is_dir() && a.files.is_empty() {
            fs::create_dir_all(&dst).map_err(|e| HomeError::io(&dst, e))?;
        }
        if dst.exists() {
            moves.push((dst, current.root.join(&a.path)));
        }
    }
    let mut next = Collection {
        name: name.clone(),
        root: current.root.clone(),
        manifest: Manifest::parse(current.manifest.path().to_path_buf(), &snap.manifest)?,
        lock: match &snap.lock {
            Some(t) => Lock::parse(current.lock.path().to_path_buf(), t)?,
            None => Lock::new(current.lock.path().to_path_buf()),
        },
    };
    let before = take(
        home,
        &current,
        &format!("before restore of {}", req.id),
        Vec::new(),
    )?;
    let mut removals: Vec<PathBuf> = Vec::new();
    for e in &current.manifest.file.artifacts {
        removals.push(current.artifact_path(e)?);
    }
    for a in &snap.artifacts {
        let p = current.root.join(&a.path);
        if !removals.contains(&p) {
            removals.push(p);
        }
    }
    crate::collection::ops::commit_moves(&mut next, moves, removals)?;
    drop(staging);
    Ok(SnapshotRestoreReport {
        collection: name,
        id: snap.snapshot.id,
        artifacts: next.manifest.file.artifacts.len(),
        before: before.id,
        copies: Vec::new(),
    })
}

/// Writes a saved copy's files from the store to `dst` (a folder, or one file).
fn materialise(store: &Store, saved: &SavedCopy, dst: &Path) -> Result<(), SnapshotError> {
    if !saved.single_file {
        fs::create_dir_all(dst).map_err(|e| HomeError::io(dst, e))?;
    }
    for f in &saved.files {
        if !safe_rel(&f.path) {
            return Err(SnapshotError::UnsafePath {
                path: saved.path.clone(),
                rel: f.path.clone(),
            });
        }
        let bytes = store.get(&f.sha256)?;
        let target = if saved.single_file {
            dst.to_path_buf()
        } else {
            dst.join(&f.path)
        };
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| HomeError::io(parent, e))?;
        }
        fs::write(&target, &bytes).map_err(|e| HomeError::io(&target, e))?;
        #[cfg(unix)]
        if f.executable {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o755))
                .map_err(|e| HomeError::io(&target, e))?;
        }
    }
    Ok(())
}

/// `snapshot restore --copies`: puts saved deployed copies back, all or none. Every copy is
/// staged next to its place first; what stands there now is saved in a new snapshot, then moved
/// aside, and everything is moved back if any swap fails.
fn restore_copies(
    home: &Home,
    store: &Store,
    current: &Collection,
    snap: Snapshot,
) -> Result<SnapshotRestoreReport, SnapshotError> {
    let mut staged = Vec::new();
    for s in &snap.saved {
        if !s.path.is_absolute() {
            return Err(SnapshotError::UnsafePath {
                path: s.path.clone(),
                rel: s.path.display().to_string(),
            });
        }
        let parent = s.path.parent().unwrap_or(Path::new("/"));
        fs::create_dir_all(parent).map_err(|e| HomeError::io(parent, e))?;
        let tmp = tempfile::Builder::new()
            .prefix(".skillmeat-restore-")
            .tempdir_in(parent)
            .map_err(|e| HomeError::io(parent, e))?;
        materialise(store, s, &tmp.path().join("new"))?;
        staged.push((s.path.clone(), tmp));
    }
    let replaced = snap
        .saved
        .iter()
        .filter(|s| s.path.exists())
        .map(|s| save_copy(store, &s.path))
        .collect::<Result<Vec<_>, _>>()?;
    let before = take(
        home,
        current,
        &format!("before restore of copies from {}", snap.snapshot.id),
        replaced,
    )?;
    let mut done: Vec<(&PathBuf, &tempfile::TempDir, bool)> = Vec::new();
    let mut failure = None;
    for (path, tmp) in &staged {
        let had_old = fs::symlink_metadata(path).is_ok();
        if had_old && let Err(e) = fs::rename(path, tmp.path().join("old")) {
            failure = Some(HomeError::io(path, e));
            break;
        }
        if let Err(e) = fs::rename(tmp.path().join("new"), path) {
            if had_old {
                let _ = fs::rename(tmp.path().join("old"), path);
            }
            failure = Some(HomeError::io(path, e));
            break;
        }
        done.push((path, tmp, had_old));
    }
    if let Some(e) = failure {
        for (path, tmp, had_old) in done.into_iter().rev() {
            let _ = fs::rename(path, tmp.path().join("new"));
            if had_old {
                let _ = fs::rename(tmp.path().join("old"), path);
            }
        }
        return Err(e.into());
    }
    Ok(SnapshotRestoreReport {
        collection: current.name.clone(),
        id: snap.snapshot.id,
        artifacts: current.manifest.file.artifacts.len(),
        before: before.id,
        copies: staged.into_iter().map(|(p, _)| p).collect(),
    })
}
