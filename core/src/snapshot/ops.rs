//! `snapshot create|list|restore` (operations tier). `restore` stages every file from the store
//! first, then swaps the artifact folders, manifest and lock together (all-or-nothing), after
//! taking a snapshot of the state it replaces.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    SavedCopy, Snapshot, SnapshotError, SnapshotInfo, dir_of, info, read, save_copy, take,
};
use crate::collection::ops::Change;
use crate::collection::{Collection, CollectionError, Lock, Manifest, resolve_collection};
use crate::fsx;
use crate::home::{Home, HomeError};
use crate::store::Store;

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
    let mut change = Change::begin(home, &current)?;
    let mut staged: HashMap<PathBuf, PathBuf> = HashMap::new();
    for a in &snap.artifacts {
        if !fsx::is_safe_relative(&a.path)
            || a.files.iter().any(|f| !fsx::is_safe_relative(&f.path))
        {
            return Err(SnapshotError::UnsafePath {
                path,
                rel: a.path.clone(),
            });
        }
        let dst = change.stage(&a.path);
        for f in &a.files {
            let bytes = store.get(&f.sha256)?;
            let target = if a.kind.is_dir() {
                dst.join(&f.path)
            } else {
                dst.clone()
            };
            fsx::write_file(&target, &bytes, f.executable).map_err(HomeError::from)?;
        }
        if a.kind.is_dir() && a.files.is_empty() {
            fs::create_dir_all(&dst).map_err(|e| HomeError::io(&dst, e))?;
        }
        if dst.exists() {
            staged.insert(current.root.join(&a.path), dst);
        }
    }
    let next = Collection {
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
    // Every artifact folder of either side is replaced by the snapshot's copy or removed.
    let mut paths: BTreeSet<PathBuf> = BTreeSet::new();
    for e in &current.manifest.file.artifacts {
        paths.insert(current.artifact_path(e)?);
    }
    paths.extend(snap.artifacts.iter().map(|a| current.root.join(&a.path)));
    for p in paths {
        match staged.remove(&p) {
            Some(dst) => change.put(dst, p, true),
            None => change.remove(p),
        }
    }
    change.commit(&next)?;
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
        if !fsx::is_safe_relative(&f.path) {
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
        fsx::write_file(&target, &bytes, f.executable).map_err(HomeError::from)?;
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
