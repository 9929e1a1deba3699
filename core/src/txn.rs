//! One journaled transaction for every write SkillMeat makes to a folder it shares with nobody
//! else's half-done work: a collection, the collections folder, a deploy target, a download
//! folder. A `kill -9` at any point leaves the folder fully old or fully new once the next
//! command has looked at it (DESIGN.md §1, §11 "Nothing lost").
//!
//! A change lives in a staging folder `<root>/.skillmeat-txn-<id>/` (same filesystem as
//! everything it touches, so every step is a rename):
//!
//! 1. **Stage.** New copies are built at [`Txn::stage_path`]; file writes are collected.
//! 2. **Journal.** `commit` writes each new file's bytes into the staging folder, copies the old
//!    bytes of each file it will replace, checks that no step can fail for a reason known in
//!    advance, and writes `journal.json` — every move and file write, and the folders it will
//!    create — atomically (temp file, fsync, rename).
//! 3. **Apply.** Moves first: the old `dest` (if any) is renamed into the staging folder, the
//!    new copy renamed to `dest`. Then file writes: each staged file renamed over its `dest`
//!    (readers see the old file or the new one, never neither).
//! 4. **Commit point.** `journal.json` is renamed to `committed.json`. Before this rename the
//!    change is undone by recovery; after it, recovery only finishes the clean-up.
//! 5. **Clean up.** The staging folder, holding the old copies, is deleted.
//!
//! Each staging folder holds an `owner` file its process keeps locked until it is done, so
//! [`recover`] can tell a live change from a dead one: it takes over a folder only when it can
//! lock that file (a killed process's lock is released by the OS). Recovery rolls an
//! uncommitted change back step by step in reverse (each step checks what is on disk, so running
//! it twice, or after a kill during a rollback, is harmless), finishes a committed one, and
//! deletes a folder without a journal (a change killed while staging changed nothing).
//!
//! `SKILLMEAT_TEST_PAUSE=<point>:<n>` makes the process print a line to stderr and sleep at a
//! point, so end-to-end tests can kill it there: `stage:N` after the N-th artifact a command
//! stages, `txn-commit:N` after N steps of a commit (0: before the journal, 1: after it,
//! 1+j: after j applied steps), `txn-commit:applied` after the last step before the commit
//! point, `txn-commit:committed` after the commit point before the clean-up. The pause lasts
//! 600 s, or `SKILLMEAT_TEST_PAUSE_SECS`.
//!
//! Base tier: this module uses only [`crate::fsx`] and [`crate::hint`].

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::fsx::{self, FsError};

/// The name every staging folder starts with.
pub const PREFIX: &str = ".skillmeat-txn-";
const OWNER: &str = "owner";
const JOURNAL: &str = "journal.json";
const COMMITTED: &str = "committed.json";
const PAUSE_VAR: &str = "SKILLMEAT_TEST_PAUSE";

/// Why a change could not be made. Nothing was changed when a commit returns one (what it had
/// done is undone first).
#[derive(Debug, Error)]
pub enum TxnError {
    /// A filesystem operation failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Something is already where a new copy must go, and it is not this change's to replace.
    #[error(
        "{path} already exists and would be overwritten; move it aside and run the command again"
    )]
    Exists { path: PathBuf },
    /// A file stands where a folder must be made.
    #[error(
        "{dir} is not a folder, so {dest} cannot go in it; move it aside and run the command again"
    )]
    NotAFolder { dir: PathBuf, dest: PathBuf },
}

impl crate::hint::Hinted for TxnError {
    fn kind(&self) -> crate::hint::ErrorKind {
        match self {
            TxnError::Io { source, .. } => crate::hint::io_kind(source),
            TxnError::Exists { .. } | TxnError::NotAFolder { .. } => {
                crate::hint::ErrorKind::Conflict
            }
        }
    }
    // No fixes: each sentence ends with its step in words (move the thing aside, then run
    // the operation again), which no parameter or other operation replaces.
}

impl From<FsError> for TxnError {
    fn from(e: FsError) -> Self {
        TxnError::Io {
            path: e.path,
            source: e.source,
        }
    }
}

fn io(path: &Path, source: std::io::Error) -> TxnError {
    TxnError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One step of a change, as the journal names it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Step {
    /// `dest` (a folder or a file) is renamed into the staging folder as `old` when it exists,
    /// then the staged copy `new` (relative to the staging folder) renamed to `dest`; no `new`
    /// removes `dest`. `fresh`: `dest` must not exist.
    Move {
        dest: PathBuf,
        new: Option<PathBuf>,
        old: String,
        fresh: bool,
    },
    /// File `dest` replaced by the staged file `new` in one rename; no `new` removes it. `orig`
    /// is a copy of the old bytes, when `dest` existed.
    Write {
        dest: PathBuf,
        new: Option<String>,
        orig: Option<String>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Journal {
    id: String,
    steps: Vec<Step>,
    /// Folders the change creates (parents first), removed again, when empty, by a rollback.
    created_dirs: Vec<PathBuf>,
}

/// One change to the folders under a root, staged and then committed or dropped (dropping an
/// uncommitted change leaves nothing behind).
#[derive(Debug)]
pub struct Txn {
    id: String,
    dir: PathBuf,
    owner: Option<File>,
    moves: Vec<Step>,
    writes: Vec<(PathBuf, Option<Vec<u8>>)>,
    n: usize,
}

impl Txn {
    /// Starts a change under `root` (created if missing); its staging folder is made there.
    pub fn begin(root: &Path) -> Result<Txn, TxnError> {
        fs::create_dir_all(root).map_err(|e| io(root, e))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let mut last = None;
        for attempt in 0..8 {
            let id = format!("{}-{:x}-{attempt}", std::process::id(), nanos);
            let dir = root.join(format!("{PREFIX}{id}"));
            match fs::create_dir(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(&dir, e)),
            }
            // A recovery that finds this folder before its owner file is locked claims it and
            // deletes it; then this change starts again under another name.
            let owner = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(dir.join(OWNER));
            match owner {
                Ok(f) if f.try_lock().is_ok() => {
                    return Ok(Txn {
                        id,
                        dir,
                        owner: Some(f),
                        moves: Vec::new(),
                        writes: Vec::new(),
                        n: 0,
                    });
                }
                Ok(_) => last = None,
                Err(e) => last = Some(e),
            }
        }
        Err(io(
            &root.join(PREFIX),
            last.unwrap_or_else(|| std::io::Error::other("could not start a change")),
        ))
    }

    /// The change's id (unique, and written into the journal).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The staging folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A fresh path in the staging folder to build a new copy at.
    pub fn stage_path(&mut self) -> PathBuf {
        self.n += 1;
        self.dir.join(format!("new-{}", self.n))
    }

    fn push_move(&mut self, dest: PathBuf, staged: Option<PathBuf>, fresh: bool) {
        let i = self.moves.len();
        let new = staged.map(|p| match p.strip_prefix(&self.dir) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => p,
        });
        self.moves.push(Step::Move {
            dest,
            new,
            old: format!("old-{i}"),
            fresh,
        });
    }

    /// Plans putting `staged` (built under [`Txn::stage_path`]) at `dest`, replacing what is
    /// there; `None` removes `dest`.
    pub fn replace(&mut self, dest: PathBuf, staged: Option<PathBuf>) {
        self.push_move(dest, staged, false);
    }

    /// Plans putting `staged` at `dest`, where nothing may be yet: the commit is refused
    /// ([`TxnError::Exists`]) when something is there, so a file this change does not know
    /// about is never overwritten.
    pub fn create(&mut self, dest: PathBuf, staged: PathBuf) {
        self.push_move(dest, Some(staged), true);
    }

    /// Plans replacing file `dest` with `bytes` (in one rename, after the moves), or removing
    /// it when `None`. A second write to the same file replaces the first.
    pub fn write(&mut self, dest: PathBuf, bytes: Option<Vec<u8>>) {
        self.writes.retain(|(d, _)| *d != dest);
        self.writes.push((dest, bytes));
    }

    /// Commits: journal, moves, file writes, commit point, clean-up. Any failure undoes every
    /// step taken and returns the error.
    pub fn commit(mut self) -> Result<(), TxnError> {
        let writes = std::mem::take(&mut self.writes);
        let mut steps = std::mem::take(&mut self.moves);
        let last = steps.len() + writes.len() + 2;
        pause_commit(0, last);
        for (i, (dest, bytes)) in writes.into_iter().enumerate() {
            let new = match bytes {
                Some(b) => {
                    let name = format!("w-{i}");
                    write_synced(&self.dir.join(&name), &b, file_mode_of(&dest))?;
                    Some(name)
                }
                None => None,
            };
            let orig = if dest.is_file() {
                let name = format!("orig-{i}");
                fs::copy(&dest, self.dir.join(&name)).map_err(|e| io(&dest, e))?;
                Some(name)
            } else {
                None
            };
            steps.push(Step::Write { dest, new, orig });
        }
        let created_dirs = plan_dirs(&steps)?;
        for s in &steps {
            if let Step::Move {
                dest, fresh: true, ..
            } = s
                && fsx::exists(dest)
            {
                return Err(TxnError::Exists { path: dest.clone() });
            }
        }
        let journal = Journal {
            id: self.id.clone(),
            steps,
            created_dirs,
        };
        let text = serde_json::to_vec(&journal).unwrap_or_default();
        let tmp = self.dir.join("journal.tmp");
        write_synced(&tmp, &text, 0o600)?;
        let jpath = self.dir.join(JOURNAL);
        fs::rename(&tmp, &jpath).map_err(|e| io(&jpath, e))?;
        sync_dir(&self.dir);
        pause_commit(1, last);
        let mut touched = Vec::new();
        for (i, step) in journal.steps.iter().enumerate() {
            if let Err(e) = apply(&self.dir, &journal, step) {
                rollback(&self.dir, &journal);
                self.finish();
                return Err(e);
            }
            let dest = match step {
                Step::Move { dest, .. } | Step::Write { dest, .. } => dest,
            };
            if let Some(p) = dest.parent()
                && !touched.contains(&p)
            {
                touched.push(p);
            }
            pause_commit(2 + i, last);
        }
        for p in touched {
            sync_dir(p);
        }
        let cpath = self.dir.join(COMMITTED);
        if let Err(e) = fs::rename(&jpath, &cpath) {
            rollback(&self.dir, &journal);
            self.finish();
            return Err(io(&cpath, e));
        }
        sync_dir(&self.dir);
        pause_commit(last, last);
        self.finish();
        Ok(())
    }

    /// Releases the owner lock and deletes the staging folder.
    fn finish(&mut self) {
        // Closed first: some systems cannot delete a folder holding an open file.
        self.owner.take();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Txn {
    /// A change dropped before its commit (an error while staging) leaves nothing behind.
    fn drop(&mut self) {
        if self.owner.is_some() {
            self.finish();
        }
    }
}

/// The mode a rewritten file keeps: the one it has, else 0644.
fn file_mode_of(dest: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(dest).map_or(0o644, |m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = dest;
        0o644
    }
}

/// Writes a file and flushes it to disk.
fn write_synced(path: &Path, bytes: &[u8], mode: u32) -> Result<(), TxnError> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(path).map_err(|e| io(path, e))?;
    #[cfg(unix)]
    {
        // The umask may have narrowed the mode asked for.
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| io(path, e))?;
    }
    f.write_all(bytes).map_err(|e| io(path, e))?;
    f.sync_all().map_err(|e| io(path, e))
}

/// Flushes a folder's entries so a rename survives a crash. Best effort: some filesystems
/// refuse to open folders, and losing only a rename still leaves a state recovery understands.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The folders the steps need that do not exist yet, parents first; a file standing where one
/// of them must go is refused now, before anything changes.
fn plan_dirs(steps: &[Step]) -> Result<Vec<PathBuf>, TxnError> {
    let mut created: Vec<PathBuf> = Vec::new();
    for s in steps {
        let (dest, adds) = match s {
            Step::Move { dest, new, .. } => (dest, new.is_some()),
            Step::Write { dest, new, .. } => (dest, new.is_some()),
        };
        if !adds {
            continue;
        }
        let mut missing = Vec::new();
        let mut p = dest.parent();
        while let Some(d) = p {
            if d.as_os_str().is_empty() || d.is_dir() || created.iter().any(|c| c == d) {
                break;
            }
            if fsx::exists(d) {
                return Err(TxnError::NotAFolder {
                    dir: d.to_path_buf(),
                    dest: dest.clone(),
                });
            }
            missing.push(d.to_path_buf());
            p = d.parent();
        }
        created.extend(missing.into_iter().rev());
    }
    Ok(created)
}

fn apply(dir: &Path, j: &Journal, step: &Step) -> Result<(), TxnError> {
    let make_parents = |dest: &Path| -> Result<(), TxnError> {
        for d in j.created_dirs.iter().filter(|d| dest.starts_with(d)) {
            if !d.is_dir() {
                if fsx::exists(d) {
                    return Err(TxnError::NotAFolder {
                        dir: d.clone(),
                        dest: dest.to_path_buf(),
                    });
                }
                fs::create_dir(d).map_err(|e| io(d, e))?;
            }
        }
        Ok(())
    };
    match step {
        Step::Move {
            dest,
            new,
            old,
            fresh,
        } => {
            if fsx::exists(dest) {
                if *fresh {
                    return Err(TxnError::Exists { path: dest.clone() });
                }
                fs::rename(dest, dir.join(old)).map_err(|e| io(dest, e))?;
            }
            if let Some(new) = new {
                make_parents(dest)?;
                fs::rename(dir.join(new), dest).map_err(|e| io(dest, e))?;
            }
        }
        Step::Write { dest, new, .. } => match new {
            Some(new) => {
                make_parents(dest)?;
                fs::rename(dir.join(new), dest).map_err(|e| io(dest, e))?;
            }
            None => fsx::remove_any(dest).map_err(|e| io(dest, e))?,
        },
    }
    Ok(())
}

/// Undoes whatever part of `j` was applied, last step first. Each step looks at what is on disk
/// (a step not yet applied is left alone), so a second run, or one after a kill during this
/// one, changes nothing more.
fn rollback(dir: &Path, j: &Journal) {
    for step in j.steps.iter().rev() {
        match step {
            Step::Write { dest, new, orig } => match orig {
                Some(orig) => {
                    let o = dir.join(orig);
                    if o.is_file() {
                        let _ = fs::rename(&o, dest);
                    }
                }
                None => {
                    // The file did not exist: if the new one went in, take it out again (back
                    // to where it was staged, so a second run sees nothing left to undo).
                    if let Some(new) = new {
                        let staged = dir.join(new);
                        if !fsx::exists(&staged) && fsx::exists(dest) {
                            let _ = fs::rename(dest, &staged);
                        }
                    }
                }
            },
            Step::Move { dest, new, old, .. } => {
                if let Some(new) = new {
                    let staged = dir.join(new);
                    if !fsx::exists(&staged) && fsx::exists(dest) {
                        if let Some(p) = staged.parent() {
                            let _ = fs::create_dir_all(p);
                        }
                        let _ = fs::rename(dest, &staged);
                    }
                }
                let o = dir.join(old);
                if fsx::exists(&o) {
                    let _ = fs::rename(&o, dest);
                }
            }
        }
    }
    for d in j.created_dirs.iter().rev() {
        let _ = fs::remove_dir(d);
    }
}

/// Whether `root` holds a staging folder (a change in progress, or left by a killed process).
pub fn pending(root: &Path) -> bool {
    staging_dirs(root).next().is_some()
}

fn staging_dirs(root: &Path) -> impl Iterator<Item = PathBuf> {
    fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(PREFIX))
        .map(|e| e.path())
}

/// Finishes or undoes the changes under `root` that killed processes left (a live change is
/// left alone); returns a note per change. Safe to call at any time, by any process.
pub fn recover(root: &Path) -> Vec<String> {
    recover_dirs(root, false)
}

/// [`recover`], and first waits for a live change under `root` that is applying its steps, so
/// a reader that calls it then sees the folder whole (a change still staging is not waited for:
/// it has not touched anything yet).
pub fn settle(root: &Path) -> Vec<String> {
    recover_dirs(root, true)
}

fn recover_dirs(root: &Path, wait: bool) -> Vec<String> {
    let mut notes = Vec::new();
    for dir in staging_dirs(root) {
        let owner_path = dir.join(OWNER);
        let owner = match OpenOptions::new().write(true).open(&owner_path) {
            Ok(f) => f,
            // Killed before it locked its owner file (or being born right now): claim it.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&owner_path)
            {
                Ok(f) => f,
                Err(_) => continue,
            },
            Err(_) => continue,
        };
        match owner.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) if wait && dir.join(JOURNAL).is_file() => {
                // A live change is moving things: wait for it to end, then look again.
                if owner.lock().is_err() {
                    continue;
                }
            }
            Err(_) => continue,
        }
        if !dir.is_dir() {
            // It finished while we waited.
            continue;
        }
        let note = if dir.join(COMMITTED).is_file() {
            format!(
                "an interrupted command had finished its change in {}; removed its leftovers",
                root.display()
            )
        } else if dir.join(JOURNAL).is_file() {
            let journal = fs::read(dir.join(JOURNAL))
                .ok()
                .and_then(|b| serde_json::from_slice::<Journal>(&b).ok());
            let Some(j) = journal else {
                tracing::warn!(
                    "{}: the journal of an interrupted change cannot be read; left as it is",
                    dir.display()
                );
                continue;
            };
            rollback(&dir, &j);
            // Once rolled back the journal has nothing left to say; without it a second
            // recovery of this folder (should the deletion below fail) only deletes it.
            let _ = fs::remove_file(dir.join(JOURNAL));
            format!(
                "rolled back a change to {} that an interrupted command left half done",
                root.display()
            )
        } else {
            format!(
                "removed {} left by an interrupted command (nothing had been changed)",
                dir.display()
            )
        };
        tracing::warn!("{note}");
        notes.push(note);
        drop(owner);
        let _ = fs::remove_dir_all(&dir);
    }
    notes
}

/// The point `SKILLMEAT_TEST_PAUSE` names, if it names `point` (`txn-commit`, `stage`).
fn pause_target(point: &str) -> Option<String> {
    let v = std::env::var(PAUSE_VAR).ok()?;
    let (p, n) = v.split_once(':')?;
    (p == point).then(|| n.to_string())
}

/// Whether the tests asked to pause somewhere in `point` (so a command can make the work before
/// it deterministic, e.g. stage one artifact at a time).
pub fn pausing(point: &str) -> bool {
    pause_target(point).is_some()
}

/// Test hook: pauses here when `SKILLMEAT_TEST_PAUSE` is `<point>:<n>` (see the module docs).
pub fn pause(point: &str, n: usize) {
    if pause_target(point).is_some_and(|t| t == n.to_string()) {
        sleep_here(&format!("{point}:{n}"));
    }
}

fn pause_commit(n: usize, last: usize) {
    let Some(t) = pause_target("txn-commit") else {
        return;
    };
    let hit =
        t == n.to_string() || (t == "applied" && n + 1 == last) || (t == "committed" && n == last);
    if hit {
        sleep_here(&format!("txn-commit:{t} (step {n} of {last})"));
    }
}

fn sleep_here(what: &str) {
    // Stderr, unbuffered: the test waits for this line before it kills the process.
    eprintln!("SKILLMEAT_TEST_PAUSE: paused at {what}");
    let _ = std::io::stderr().flush();
    // Long enough to be killed; a concurrency test asks for a short pause and lets it go on.
    let secs = std::env::var("SKILLMEAT_TEST_PAUSE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    std::thread::sleep(std::time::Duration::from_secs(secs));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join(".claude");
        fs::create_dir_all(root.join("skills/a")).unwrap();
        fs::write(root.join("skills/a/SKILL.md"), "old a").unwrap();
        fs::write(root.join("settings.json"), "{}").unwrap();
        (d, root)
    }

    fn stage(t: &mut Txn, text: &str) -> PathBuf {
        let p = t.stage_path();
        fs::create_dir_all(&p).unwrap();
        fs::write(p.join("SKILL.md"), text).unwrap();
        p
    }

    fn leftovers(root: &Path) -> usize {
        staging_dirs(root).count()
    }

    #[test]
    fn commit_moves_writes_and_cleans_up() {
        let (_d, root) = setup();
        let mut t = Txn::begin(&root).unwrap();
        let a = stage(&mut t, "new a");
        let b = stage(&mut t, "new b");
        t.replace(root.join("skills/a"), Some(a));
        t.create(root.join("skills/deep/b"), b);
        t.write(root.join("settings.json"), Some(b"{\"x\":1}".to_vec()));
        t.write(root.join("rec"), Some(b"r".to_vec()));
        t.commit().unwrap();
        let read = |p: &str| fs::read_to_string(root.join(p)).unwrap();
        assert_eq!(read("skills/a/SKILL.md"), "new a");
        assert_eq!(read("skills/deep/b/SKILL.md"), "new b");
        assert_eq!(read("settings.json"), "{\"x\":1}");
        assert_eq!(read("rec"), "r");
        assert_eq!(leftovers(&root), 0);
    }

    #[test]
    fn failure_midway_rolls_everything_back() {
        let (_d, root) = setup();
        // A file where the `commands` folder must be: refused before anything moves.
        fs::write(root.join("commands"), "not a folder").unwrap();
        let mut t = Txn::begin(&root).unwrap();
        let a = stage(&mut t, "new a");
        let c = t.stage_path();
        fs::write(&c, "cmd").unwrap();
        t.replace(root.join("skills/a"), Some(a));
        t.replace(root.join("commands/c.md"), Some(c));
        t.write(root.join("settings.json"), Some(b"{\"x\":1}".to_vec()));
        let err = t.commit().unwrap_err();
        assert!(matches!(err, TxnError::NotAFolder { .. }), "{err}");
        assert_eq!(
            fs::read_to_string(root.join("skills/a/SKILL.md")).unwrap(),
            "old a"
        );
        assert_eq!(
            fs::read_to_string(root.join("settings.json")).unwrap(),
            "{}"
        );
        assert!(!root.join("rec").exists());
        assert_eq!(leftovers(&root), 0);
    }

    #[test]
    fn create_refuses_to_overwrite() {
        let (_d, root) = setup();
        let mut t = Txn::begin(&root).unwrap();
        let a = stage(&mut t, "new a");
        t.create(root.join("skills/a"), a);
        let err = t.commit().unwrap_err().to_string();
        assert!(
            err.contains("already exists and would be overwritten"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(root.join("skills/a/SKILL.md")).unwrap(),
            "old a"
        );
        assert_eq!(leftovers(&root), 0);
    }

    /// Simulates a kill after `applied` steps of a journalled change (the owner lock released,
    /// as the OS does for a dead process) and returns the staging folder.
    fn killed_after(root: &Path, applied: usize, committed: bool) -> PathBuf {
        let mut t = Txn::begin(root).unwrap();
        let a = stage(&mut t, "new a");
        let b = stage(&mut t, "new b");
        t.replace(root.join("skills/a"), Some(a));
        t.create(root.join("skills/b"), b);
        let s = t.stage_path();
        fs::write(&s, "new settings").unwrap();
        let orig = t.dir.join("orig-0");
        fs::copy(root.join("settings.json"), &orig).unwrap();
        let steps = vec![
            t.moves[0].clone(),
            t.moves[1].clone(),
            Step::Write {
                dest: root.join("settings.json"),
                new: Some(s.file_name().unwrap().to_string_lossy().into_owned()),
                orig: Some("orig-0".into()),
            },
            Step::Write {
                dest: root.join("rec"),
                new: None,
                orig: None,
            },
        ];
        let j = Journal {
            id: t.id.clone(),
            created_dirs: plan_dirs(&steps).unwrap(),
            steps,
        };
        fs::write(t.dir.join(JOURNAL), serde_json::to_vec(&j).unwrap()).unwrap();
        for s in j.steps.iter().take(applied) {
            apply(&t.dir, &j, s).unwrap();
        }
        if committed {
            fs::rename(t.dir.join(JOURNAL), t.dir.join(COMMITTED)).unwrap();
        }
        let dir = t.dir.clone();
        // The process dies: its lock goes, its folder stays.
        t.owner.take();
        std::mem::forget(t);
        dir
    }

    #[test]
    fn recovery_rolls_back_at_every_step_and_twice_is_harmless() {
        for applied in 0..=4 {
            let (_d, root) = setup();
            let before = fs::read_to_string(root.join("settings.json")).unwrap();
            let dir = killed_after(&root, applied, false);
            let j: Journal = serde_json::from_slice(&fs::read(dir.join(JOURNAL)).unwrap()).unwrap();
            // A kill during the rollback itself: run half of it by hand first.
            rollback(&dir, &j);
            rollback(&dir, &j);
            let notes = recover(&root);
            assert!(notes.len() <= 1, "{notes:?}");
            assert!(recover(&root).is_empty());
            assert_eq!(
                fs::read_to_string(root.join("skills/a/SKILL.md")).unwrap(),
                "old a",
                "after {applied} steps"
            );
            assert!(!root.join("skills/b").exists(), "after {applied} steps");
            assert_eq!(
                fs::read_to_string(root.join("settings.json")).unwrap(),
                before
            );
            assert_eq!(leftovers(&root), 0);
        }
    }

    #[test]
    fn recovery_finishes_a_committed_change() {
        let (_d, root) = setup();
        killed_after(&root, 4, true);
        let notes = recover(&root);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("finished"), "{notes:?}");
        assert_eq!(
            fs::read_to_string(root.join("skills/a/SKILL.md")).unwrap(),
            "new a"
        );
        assert_eq!(
            fs::read_to_string(root.join("skills/b/SKILL.md")).unwrap(),
            "new b"
        );
        assert_eq!(
            fs::read_to_string(root.join("settings.json")).unwrap(),
            "new settings"
        );
        assert_eq!(leftovers(&root), 0);
    }

    #[test]
    fn recovery_leaves_a_live_change_alone() {
        let (_d, root) = setup();
        let mut t = Txn::begin(&root).unwrap();
        stage(&mut t, "new a");
        assert!(recover(&root).is_empty());
        assert!(t.dir.is_dir());
        drop(t);
        assert_eq!(leftovers(&root), 0);
        // A staging folder killed before it had an owner file is claimed and removed.
        fs::create_dir(root.join(format!("{PREFIX}dead"))).unwrap();
        assert_eq!(recover(&root).len(), 1);
        assert_eq!(leftovers(&root), 0);
    }
}
