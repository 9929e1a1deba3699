//! `snapshot create|list|restore` (operations tier). `restore` stages every file from the store
//! first, then swaps the artifact folders, manifest and lock together (all-or-nothing), after
//! taking a snapshot of the state it replaces.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    SavedCopy, Snapshot, SnapshotError, SnapshotInfo, dir_of, info, read, save_copy, take,
};
use crate::collection::ops::Change;
use crate::collection::{Collection, CollectionError, Lock, Manifest, resolve_collection};
use crate::deploy::RECORD_FILE;
use crate::fsx;
use crate::home::{Home, HomeError};
use crate::store::Store;
use crate::txn::Txn;

/// `snapshot create`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
    /// Only report what would be restored; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What `snapshot restore` did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SnapshotRestoreReport {
    /// The collection.
    pub collection: String,
    /// The snapshot restored (or that would be, with `dry_run`).
    pub id: String,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// How many artifacts the collection holds now (or would hold, with `dry_run`).
    pub artifacts: usize,
    /// The snapshot taken of the state before the restore, to undo it (none with `dry_run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Deployed copies put back (or that would be, with `copies`).
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
    let _lock = if req.dry_run {
        None
    } else {
        Some(home.lock()?)
    };
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
            latest: known.last().cloned(),
        });
    }
    let snap = read(&path)?;
    let current = Collection::open(home, &name)?;
    let store = Store::open(home);
    if req.dry_run {
        return Ok(SnapshotRestoreReport {
            collection: name,
            id: snap.snapshot.id,
            dry_run: true,
            artifacts: if req.copies {
                current.manifest.file.artifacts.len()
            } else {
                snap.artifacts.len()
            },
            before: None,
            copies: if req.copies {
                snap.saved.iter().map(|s| s.path.clone()).collect()
            } else {
                Vec::new()
            },
        });
    }
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
        dry_run: false,
        artifacts: next.manifest.file.artifacts.len(),
        before: Some(before.id),
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

/// `snapshot restore --copies`: puts saved deployed copies back. The copies of each target
/// folder are one transaction (like `deploy`, all or nothing per target folder): staged in it
/// first, then, after what stands there now is saved in a new snapshot, renamed into place. A
/// change a kill interrupts is undone by the next command that touches that target.
fn restore_copies(
    home: &Home,
    store: &Store,
    current: &Collection,
    snap: Snapshot,
) -> Result<SnapshotRestoreReport, SnapshotError> {
    let mut by_root: BTreeMap<PathBuf, Vec<&SavedCopy>> = BTreeMap::new();
    for s in &snap.saved {
        if !s.path.is_absolute() {
            return Err(SnapshotError::UnsafePath {
                path: s.path.clone(),
                rel: s.path.display().to_string(),
            });
        }
        by_root.entry(target_root(&s.path)).or_default().push(s);
    }
    let mut changes = Vec::new();
    for (root, copies) in &by_root {
        let mut t = Txn::begin(root).map_err(CollectionError::from)?;
        for s in copies {
            let staged = t.stage_path();
            materialise(store, s, &staged)?;
            t.replace(s.path.clone(), Some(staged));
        }
        changes.push(t);
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
    for t in changes {
        t.commit().map_err(CollectionError::from)?;
    }
    Ok(SnapshotRestoreReport {
        collection: current.name.clone(),
        id: snap.snapshot.id,
        dry_run: false,
        artifacts: current.manifest.file.artifacts.len(),
        before: Some(before.id),
        copies: snap.saved.into_iter().map(|s| s.path).collect(),
    })
}

/// The deploy target folder a deployed copy is in (the nearest folder above it holding a
/// deployment record), where commands that touch the target recover an interrupted change;
/// the copy's own folder when there is none.
fn target_root(copy: &Path) -> PathBuf {
    let parent = copy.parent().unwrap_or(Path::new("/"));
    parent
        .ancestors()
        .find(|a| a.join(RECORD_FILE).is_file())
        .unwrap_or(parent)
        .to_path_buf()
}
