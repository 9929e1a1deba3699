//! The one way a collection operation writes ([`Change`]): staged artifacts moved into place
//! with the manifest and lock in one journaled transaction; and the upgrade of a Python tool's
//! lock every writer runs first.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::artifact::hash_artifact;
use crate::collection::{Collection, CollectionError, LOCK_VERSION, LockEntry, lock_key};
use crate::home::{Home, create_private_dir_all};
use crate::txn::Txn;

/// One change to a collection, all or nothing (one [`Txn`]): new artifact copies are staged in
/// the collection's staging folder, then renamed into place together with the manifest and
/// lock, old copies moved out of the way first. A collection that does not exist yet is staged
/// whole (kind folders, artifacts, manifest, lock) and renamed in as one folder, so a kill never
/// leaves a half-made collection either.
pub(crate) struct Change {
    txn: Txn,
    /// For a collection that does not exist yet: the staged folder that becomes it.
    new_root: Option<PathBuf>,
    root: PathBuf,
}

impl Change {
    /// Starts a change to `coll` (opened, or new and only in memory). The caller holds the home
    /// lock.
    pub(crate) fn begin(home: &Home, coll: &Collection) -> Result<Change, CollectionError> {
        if coll.root.join("collection.toml").is_file() {
            return Ok(Change {
                txn: Txn::begin(&coll.root)?,
                new_root: None,
                root: coll.root.clone(),
            });
        }
        let parent = home.collections_dir();
        create_private_dir_all(&parent)?;
        let mut txn = Txn::begin(&parent)?;
        let staged = txn.stage_path();
        create_private_dir_all(&staged)?;
        Ok(Change {
            txn,
            new_root: Some(staged),
            root: coll.root.clone(),
        })
    }

    /// Where to build the new copy of the artifact at collection path `rel` (then hand it to
    /// [`Change::put`]): `rel` inside the staging folder (under `c/`, apart from the journal's
    /// own files), so the copy keeps its own file name — a single-file artifact's content hash
    /// includes it — and a thousand copies share three kind folders.
    pub(crate) fn stage(&mut self, rel: &str) -> PathBuf {
        match &self.new_root {
            Some(r) => r.join(rel),
            None => self.txn.dir().join("c").join(rel),
        }
    }

    /// Puts a staged copy at `dest`: replacing what is there when `replace`, else only where
    /// nothing is (a file the collection does not list is never overwritten).
    pub(crate) fn put(&mut self, staged: PathBuf, dest: PathBuf, replace: bool) {
        if self.new_root.is_some() {
            // Staged in place inside the new collection's folder already.
            return;
        }
        if replace {
            self.txn.replace(dest, Some(staged));
        } else {
            self.txn.create(dest, staged);
        }
    }

    /// Removes `dest` (an artifact's files) from the collection.
    pub(crate) fn remove(&mut self, dest: PathBuf) {
        if self.new_root.is_none() {
            self.txn.replace(dest, None);
        }
    }

    /// Commits: the artifacts, then manifest and lock as `coll` now has them.
    pub(crate) fn commit(mut self, coll: &Collection) -> Result<(), CollectionError> {
        match self.new_root.take() {
            Some(staged) => {
                coll.build_folder(&staged)?;
                self.txn.create(self.root.clone(), staged);
            }
            None => {
                self.txn.write(
                    coll.manifest.path().to_path_buf(),
                    Some(coll.manifest.render().into_bytes()),
                );
                self.txn.write(
                    coll.lock.path().to_path_buf(),
                    Some(coll.lock.render().into_bytes()),
                );
            }
        }
        self.txn.commit()?;
        Ok(())
    }
}

/// A lock written by the Python tool carries hashes by other rules: recompute them (DESIGN.md
/// §2.3) so the first write leaves a version-2 lock that agrees with the files. Called by every
/// writer right after opening, before it changes anything.
pub(super) fn upgrade_legacy_lock(coll: &mut Collection) {
    if !coll.lock.is_legacy() {
        return;
    }
    let entries = coll.manifest.file.artifacts.clone();
    let hashes: Vec<(String, Option<String>)> = entries
        .par_iter()
        .map(|e| {
            let h = coll
                .artifact_path(e)
                .ok()
                .and_then(|p| hash_artifact(&p).ok())
                .map(|(h, _)| h);
            (lock_key(e.kind, &e.name), h)
        })
        .collect();
    // Entries re-keyed without a kind (`name::`) are matched to their artifact by name.
    let mut old = std::mem::take(&mut coll.lock.entries);
    for (e, (key, hash)) in entries.iter().zip(hashes) {
        let mut le = old
            .remove(&key)
            .or_else(|| old.remove(&format!("{}::", e.name)))
            .unwrap_or(LockEntry {
                content_hash: None,
                fetched: None,
                upstream: e.upstream.clone(),
                resolved_sha: e.resolved_sha.clone(),
                resolved_version: e.resolved_version.clone(),
                signer: None,
                kind: None,
                extra: BTreeMap::new(),
            });
        le.content_hash = hash;
        coll.lock.entries.insert(key, le);
    }
    coll.lock.version = LOCK_VERSION.into();
}
