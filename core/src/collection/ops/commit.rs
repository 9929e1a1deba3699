//! The one way a collection operation writes: staged artifacts moved into place with the
//! manifest and lock, all or nothing; and the upgrade of a Python tool's lock every writer runs
//! first.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::artifact::hash_artifact;
use crate::collection::{Collection, CollectionError, LOCK_VERSION, LockEntry, lock_key};
use crate::home::{HomeError, create_private_dir_all};

/// Moves staged artifacts into place (after moving `removals` out of the way), upgrades a legacy
/// lock, and saves manifest and lock. Any failure puts every file back where it was and removes
/// the folders it made.
pub(crate) fn commit_moves(
    coll: &mut Collection,
    moves: Vec<(PathBuf, PathBuf)>,
    removals: Vec<PathBuf>,
) -> Result<(), CollectionError> {
    let trash = tempfile::Builder::new()
        .prefix(".trash-")
        .tempdir_in(&coll.root)
        .map_err(|e| HomeError::io(&coll.root, e))?;
    let mut undo: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut made: Vec<PathBuf> = Vec::new();
    let result = (|| -> Result<(), CollectionError> {
        for (i, old) in removals.iter().enumerate() {
            // `symlink_metadata`, so a dangling link is moved out (and back) like any file.
            if fs::symlink_metadata(old).is_ok() {
                let t = trash.path().join(i.to_string());
                fs::rename(old, &t).map_err(|e| HomeError::io(old, e))?;
                undo.push((t, old.clone()));
            }
        }
        for (from, to) in &moves {
            if let Some(parent) = to.parent() {
                make_parent(parent, to, &mut made)?;
            }
            // A rename silently replaces a file (or an empty folder) at `to`, and undoing it
            // would then lose that file. What is replaced was moved out above, so anything still
            // there is not ours to overwrite.
            if fs::symlink_metadata(to).is_ok() {
                return Err(CollectionError::Clashes(format!(
                    "{} already exists and would be overwritten; move it aside and run the command again",
                    to.display()
                )));
            }
            fs::rename(from, to).map_err(|e| HomeError::io(to, e))?;
            undo.push((to.clone(), from.clone()));
        }
        coll.save()
    })();
    if let Err(e) = result {
        let mut stuck = false;
        for (now_at, was_at) in undo.into_iter().rev() {
            stuck |= fs::rename(&now_at, &was_at).is_err();
        }
        for dir in made.into_iter().rev() {
            let _ = fs::remove_dir(&dir);
        }
        if stuck {
            // Rather a stray `.trash-*` folder than deleting an old copy that could not be put
            // back.
            let _ = trash.keep();
        }
        return Err(e);
    }
    Ok(())
}

/// Makes the folder `dir` that `to` goes in, recording in `made` each folder it creates (outermost
/// first) so a rollback can remove them. A file where a folder must be is refused with the fix.
fn make_parent(dir: &Path, to: &Path, made: &mut Vec<PathBuf>) -> Result<(), CollectionError> {
    let mut missing = Vec::new();
    let mut d = dir;
    while !d.is_dir() {
        if fs::symlink_metadata(d).is_ok() {
            return Err(CollectionError::Clashes(format!(
                "{} is not a folder, so {} cannot go in it; move it aside and run the command again",
                d.display(),
                to.display()
            )));
        }
        missing.push(d.to_path_buf());
        match d.parent() {
            Some(p) => d = p,
            None => break,
        }
    }
    made.extend(missing.into_iter().rev());
    create_private_dir_all(dir)?;
    Ok(())
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
