//! Building new copies in a change's staging folder, and reading copies to compare and merge:
//! the file-level helpers every deploy command shares.

use std::fs;
use std::path::{Path, PathBuf};

use super::merge::Files;
use super::{DeployError, Record};
use crate::artifact::{FileEntry, HashError, hash_artifact, list_files};
use crate::fsx;
use crate::store::Store;

/// Copies an artifact to `dst` (a folder, or one file), putting each file's bytes into the
/// store as it goes; returns the content hash (its tree stored too) and the files.
pub(super) fn stage_copy(
    store: &Store,
    src: &Path,
    dst: &Path,
) -> Result<(String, Vec<FileEntry>), DeployError> {
    let (_, entries) = crate::artifact::copy_and_hash(src, dst, |f, bytes| {
        store.put_known(&f.sha256, bytes).map_err(DeployError::from)
    })?;
    Ok((store.put_tree(&entries)?, entries))
}

/// Writes merged files to `dst`, storing them; returns the content hash.
pub(super) fn stage_files(
    store: &Store,
    files: &Files,
    dst: &Path,
    single: bool,
) -> Result<String, DeployError> {
    let mut entries = Vec::new();
    for (rel, (bytes, exec)) in files {
        let target = if single {
            dst.to_path_buf()
        } else {
            dst.join(rel)
        };
        fsx::write_file(&target, bytes, *exec)?;
        entries.push(FileEntry {
            path: rel.clone(),
            sha256: store.put(bytes)?,
            size: bytes.len() as u64,
            executable: *exec,
        });
    }
    if !single && entries.is_empty() {
        fs::create_dir_all(dst).map_err(|e| DeployError::io(dst, e))?;
    }
    Ok(store.put_tree(&entries)?)
}

/// Puts files into the store and returns their content hash (their tree stored too).
pub(super) fn store_files(store: &Store, files: &Files) -> Result<String, DeployError> {
    let mut entries = Vec::with_capacity(files.len());
    for (rel, (bytes, exec)) in files {
        entries.push(FileEntry {
            path: rel.clone(),
            sha256: store.put(bytes)?,
            size: bytes.len() as u64,
            executable: *exec,
        });
    }
    Ok(store.put_tree(&entries)?)
}

/// Reads an artifact's files (path → bytes, executable).
pub(super) fn read_files(root: &Path) -> Result<Files, DeployError> {
    let mut out = Files::new();
    for (rel, p) in list_files(root)? {
        let bytes = fs::read(&p).map_err(|e| DeployError::io(&p, e))?;
        out.insert(rel, (bytes, fsx::is_executable(&p)));
    }
    Ok(out)
}

/// Reads the files of a stored content hash (the merge base).
pub(super) fn base_files(store: &Store, content_hash: &str) -> Result<Files, DeployError> {
    let mut out = Files::new();
    for (path, hex) in store.get_tree(content_hash)? {
        out.insert(path, (store.get(&hex)?, false));
    }
    Ok(out)
}

/// The hash of a deployed or collection copy: `None` when it is missing.
pub(super) fn hash_opt(p: &Path) -> Result<Option<String>, HashError> {
    match hash_artifact(p) {
        Ok((h, _)) => Ok(Some(h)),
        Err(HashError::Missing { .. }) => Ok(None),
        // A file where a folder of the path should be: the copy is not there.
        Err(HashError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotADirectory => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A path relative to a target folder, made absolute; refuses paths that leave the folder
/// (a hand-edited record must never make SkillMeat delete outside it).
pub(super) fn under(root: &Path, rel: &str) -> Result<PathBuf, DeployError> {
    fsx::join_under(root, rel).ok_or_else(|| DeployError::Record {
        path: Record::path_in(root),
        line: 1,
        col: 1,
        message: format!("the path `{rel}` leaves the target folder"),
    })
}
