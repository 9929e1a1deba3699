//! Filesystem primitives every writer shares, each with one owner: whether a file is executable,
//! the one mode rule for files SkillMeat writes (0755 when any execute bit is set, else 0644),
//! writing a file with that mode, and path containment (a relative path read from a file a user
//! can edit must never lead outside the folder it is relative to).
//!
//! Base tier: it imports nothing else from the crate, so everything above can use it.

use std::fs;
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

/// A filesystem operation failed on `path`.
#[derive(Debug, Error)]
#[error("{path}: {source}")]
pub struct FsError {
    /// The file or folder the operation was about.
    pub path: PathBuf,
    /// What the OS said.
    #[source]
    pub source: std::io::Error,
}

impl FsError {
    /// An error about `path`.
    pub fn new(path: impl Into<PathBuf>, source: std::io::Error) -> FsError {
        FsError {
            path: path.into(),
            source,
        }
    }
}

/// Whether a file's metadata has any execute bit set (always false off Unix).
pub fn mode_is_executable(meta: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Whether the file at `p` has any execute bit set (false when it cannot be read).
pub fn is_executable(p: &Path) -> bool {
    fs::metadata(p).is_ok_and(|m| mode_is_executable(&m))
}

/// The mode SkillMeat gives a file it writes: 0755 for an executable, else 0644, whatever mode
/// the source had, so a copy, a deployed copy, a restored snapshot and an imported pack agree.
pub const fn file_mode(executable: bool) -> u32 {
    if executable { 0o755 } else { 0o644 }
}

/// Writes `bytes` to `target` (making its parent folders) with [`file_mode`]. Not atomic: used
/// for files staged in a folder nobody reads until it is renamed into place.
pub fn write_file(target: &Path, bytes: &[u8], executable: bool) -> Result<(), FsError> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|e| FsError::new(parent, e))?;
    }
    fs::write(target, bytes).map_err(|e| FsError::new(target, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(target, fs::Permissions::from_mode(file_mode(executable)))
            .map_err(|e| FsError::new(target, e))?;
    }
    #[cfg(not(unix))]
    let _ = executable;
    Ok(())
}

/// Whether `rel` is a non-empty relative path of plain names: no root, no drive, no `.` or `..`,
/// so `root.join(rel)` stays inside `root`.
pub fn is_safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// `root.join(rel)` when `rel` stays inside `root` (see [`is_safe_relative`]), else `None`.
pub fn join_under(root: &Path, rel: &str) -> Option<PathBuf> {
    is_safe_relative(rel).then(|| root.join(rel))
}

/// Opens (creating it if missing) the lock file at `path` and takes its exclusive advisory lock,
/// waiting for another holder — after logging `waiting` — when there is one. The lock lasts as
/// long as the returned file is open (or the process lives).
pub fn lock_file(path: &Path, waiting: &str) -> Result<fs::File, FsError> {
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| FsError::new(path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            tracing::info!("{waiting}");
            file.lock().map_err(|e| FsError::new(path, e))?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(FsError::new(path, e)),
    }
    Ok(file)
}

/// Whether anything (a file, a folder, a link, even a dangling one) is at `p`.
pub fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

/// Removes whatever is at `p` (a folder with its contents, a file or a link); nothing there is
/// not an error.
pub fn remove_any(p: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_refuses_every_way_out() {
        for bad in ["", "..", "../x", "a/../../b", "/etc", "./a"] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
        for good in ["a", "skills/a", "a/b/c.md"] {
            assert!(is_safe_relative(good), "{good}");
        }
        assert_eq!(
            join_under(Path::new("/r"), "a/b"),
            Some(PathBuf::from("/r/a/b"))
        );
        assert_eq!(join_under(Path::new("/r"), "../b"), None);
    }

    #[cfg(unix)]
    #[test]
    fn write_file_applies_the_one_mode_rule() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let x = d.path().join("deep/run.sh");
        write_file(&x, b"#!/bin/sh\n", true).unwrap();
        let plain = d.path().join("a.md");
        write_file(&plain, b"a", false).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&x), 0o755);
        assert_eq!(mode(&plain), 0o644);
        assert!(is_executable(&x) && !is_executable(&plain));
    }
}
