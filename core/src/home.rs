//! Where SkillMeat keeps its state (`SKILLMEAT_HOME`), how writers take turns (an advisory lock on
//! `home/.lock`) and how state files are written (atomically: temp file, fsync, rename).
//!
//! Every command that changes the home takes [`Home::lock`] first and reads state only after it
//! holds the lock, so two processes (CLI, MCP server, editor) never interleave a read-modify-write.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Errors about the home folder itself.
#[derive(Debug, Error)]
pub enum HomeError {
    /// Neither `--home`, `SKILLMEAT_HOME` nor `HOME` says where the home is.
    #[error("cannot tell where the SkillMeat home is: set SKILLMEAT_HOME (or HOME)")]
    NoHome,
    /// The home path exists but is not a folder.
    #[error("{path} is not a folder; point SKILLMEAT_HOME at a folder")]
    NotADir { path: PathBuf },
    /// A filesystem operation on the home failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl From<crate::fsx::FsError> for HomeError {
    fn from(e: crate::fsx::FsError) -> Self {
        HomeError::io(e.path, e.source)
    }
}

impl crate::hint::Hinted for HomeError {
    fn kind(&self) -> crate::hint::ErrorKind {
        match self {
            HomeError::NoHome | HomeError::NotADir { .. } => crate::hint::ErrorKind::Usage,
            HomeError::Io { source, .. } => crate::hint::io_kind(source),
        }
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        match self {
            HomeError::NoHome | HomeError::NotADir { .. } => {
                vec![crate::hint::Fix::param("home").why("to name the home folder")]
            }
            HomeError::Io { .. } => Vec::new(),
        }
    }
}

impl HomeError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        HomeError::Io {
            path: path.into(),
            source,
        }
    }
}

/// The SkillMeat home: `SKILLMEAT_HOME`, or `~/.skillmeat` (the folder the Python tool used, so an
/// existing home keeps working).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// A home at an explicit folder (it need not exist yet).
    pub fn at(root: impl Into<PathBuf>) -> Home {
        Home { root: root.into() }
    }

    /// Resolves the home: `explicit` (the `--home` flag) wins, then `SKILLMEAT_HOME`, then
    /// `$HOME/.skillmeat`.
    pub fn resolve(explicit: Option<&Path>) -> Result<Home, HomeError> {
        if let Some(p) = explicit {
            return Ok(Home::at(p));
        }
        if let Some(p) = std::env::var_os("SKILLMEAT_HOME").filter(|p| !p.is_empty()) {
            return Ok(Home::at(PathBuf::from(p)));
        }
        let home = user_home().ok_or(HomeError::NoHome)?;
        Ok(Home::at(home.join(".skillmeat")))
    }

    /// The home folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `config.toml`, the user's settings.
    pub fn config_path(&self) -> PathBuf {
        self.root.join("config.toml")
    }

    /// The folder holding every collection.
    pub fn collections_dir(&self) -> PathBuf {
        self.root.join("collections")
    }

    /// The folder of one collection.
    pub fn collection_dir(&self, name: &str) -> PathBuf {
        self.collections_dir().join(name)
    }

    /// Whether the home folder exists.
    pub fn exists(&self) -> bool {
        self.root.is_dir()
    }

    /// Creates the home folder (0700) if it is missing.
    pub fn ensure(&self) -> Result<(), HomeError> {
        if self.root.exists() && !self.root.is_dir() {
            return Err(HomeError::NotADir {
                path: self.root.clone(),
            });
        }
        create_private_dir_all(&self.root)?;
        Ok(())
    }

    /// Takes the exclusive advisory lock on `home/.lock`, waiting for another writer to finish.
    /// The lock is released when the guard is dropped (or the process dies).
    pub fn lock(&self) -> Result<HomeLock, HomeError> {
        self.ensure()?;
        let file = crate::fsx::lock_file(
            &self.root.join(".lock"),
            "waiting for another skillmeat process to finish writing",
        )?;
        // Whoever takes the lock next finishes or undoes what a killed writer left (each note
        // is logged as a warning by `txn`).
        self.recover_roots(crate::txn::recover);
        Ok(HomeLock { _file: file })
    }

    /// For a command that reads a collection without the lock: waits for a writer that is in
    /// the middle of moving files into it, and undoes (or finishes) a change a killed writer
    /// left, so what the reader sees is the collection before or after a change, never between.
    /// Best effort: a reader that cannot recover (a read-only home) still reads.
    pub fn settle(&self) {
        self.recover_roots(crate::txn::settle);
    }

    /// Runs `recover` over every folder a home's changes are staged in: the home, the
    /// collections folder and each collection.
    fn recover_roots(&self, recover: fn(&Path) -> Vec<String>) -> Vec<String> {
        let mut notes = recover(&self.root);
        let dir = self.collections_dir();
        notes.extend(recover(&dir));
        for e in fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir())
                && !e.file_name().to_string_lossy().starts_with('.')
            {
                notes.extend(recover(&e.path()));
            }
        }
        notes
    }
}

/// The user's home folder: `HOME`, and on Windows `USERPROFILE` when `HOME` is not set. The one
/// place SkillMeat asks where the user lives (`~/.skillmeat`, `~/.claude`, `~/` in a source).
pub fn user_home() -> Option<PathBuf> {
    let from = |var: &str| std::env::var_os(var).filter(|p| !p.is_empty());
    let home = from("HOME");
    #[cfg(windows)]
    let home = home.or_else(|| from("USERPROFILE"));
    home.map(PathBuf::from)
}

/// Proof that this process holds the home's writer lock.
#[derive(Debug)]
pub struct HomeLock {
    _file: File,
}

/// Creates `dir` and its missing parents with mode 0700 on Unix.
pub fn create_private_dir_all(dir: &Path) -> Result<(), HomeError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| HomeError::io(dir, e))
}

/// Writes `bytes` to `path` atomically: a temp file in the same folder, fsync, rename over the
/// target, fsync of the folder. Readers see the old file or the new one, never half of either.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), HomeError> {
    atomic_write_mode(path, bytes, None)
}

/// [`atomic_write`] for secrets: the file is created 0600 on Unix.
pub fn atomic_write_private(path: &Path, bytes: &[u8]) -> Result<(), HomeError> {
    atomic_write_mode(path, bytes, Some(0o600))
}

fn atomic_write_mode(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<(), HomeError> {
    let tmp = write_temp(path, bytes, mode)?;
    tmp.persist(path)
        .map_err(|e| HomeError::io(path, e.error))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// Writes `bytes` to a synced temp file beside `path`, ready to be renamed over it (with
/// `persist`). On Unix it gets `mode`, else the mode `path` already has, else 0644, so a rewrite
/// never widens or narrows access. Used directly when several files must be renamed together.
pub fn write_temp(
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> Result<tempfile::NamedTempFile, HomeError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(|e| HomeError::io(dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = mode.or_else(|| {
            fs::metadata(path)
                .ok()
                .map(|m| m.permissions().mode() & 0o777)
        });
        fs::set_permissions(
            tmp.path(),
            fs::Permissions::from_mode(mode.unwrap_or(0o644)),
        )
        .map_err(|e| HomeError::io(tmp.path(), e))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.write_all(bytes).map_err(|e| HomeError::io(path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| HomeError::io(path, e))?;
    Ok(tmp)
}

/// Flushes a folder's entries to disk so a rename survives a crash. Best effort: some
/// filesystems refuse to open folders, and losing only the rename is still consistent.
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_keeps_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        atomic_write(&p, b"one").unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_and_dirs_have_owner_only_modes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("h"));
        home.ensure().unwrap();
        let mode = fs::metadata(home.root()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let secret = home.root().join("s");
        atomic_write_private(&secret, b"x").unwrap();
        let mode = fs::metadata(&secret).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn resolve_prefers_explicit_path() {
        let h = Home::resolve(Some(Path::new("/tmp/x"))).unwrap();
        assert_eq!(h.root(), Path::new("/tmp/x"));
    }
}
