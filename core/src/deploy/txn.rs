//! All-or-nothing changes to one target folder (DESIGN.md §4.2, §11 "Nothing lost").
//!
//! A change is staged in a sibling folder `<target>/.skillmeat-txn-<id>/` (same filesystem, so
//! every move is a rename). Committing writes a journal naming every move and file write, then:
//! moves each old path into the staging folder, renames each new copy into place, writes the
//! settings files (their old bytes saved in the staging folder first) and, last, the deployment
//! record. The record carries the change's id, so it is the commit point:
//!
//! - a failure during the commit undoes every step in reverse, in process;
//! - a kill before the journal leaves only a staging folder, which the next command deletes;
//! - a kill after the journal is rolled back by the next command ([`recover`]) unless the record
//!   on disk is the one the journal says this change writes, in which case the change finished
//!   and only the staging folder is left to delete.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::DeployError;
use crate::artifact::to_hex;
use crate::home::atomic_write;

const PREFIX: &str = ".skillmeat-txn-";
const JOURNAL: &str = "journal.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Move {
    /// The final path.
    dest: PathBuf,
    /// Name of the new copy in the staging folder; `None` removes `dest`.
    new: Option<String>,
    /// Name the old `dest` is moved to in the staging folder.
    old: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileWrite {
    dest: PathBuf,
    /// Name of the copy of the old bytes in the staging folder (when `dest` existed).
    orig: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Journal {
    /// Hex SHA-256 of the record this change writes, or `absent` when it removes the record.
    record_sha: String,
    record: PathBuf,
    moves: Vec<Move>,
    files: Vec<FileWrite>,
    /// Folders the commit creates, removed again (when empty) by a rollback.
    created_dirs: Vec<PathBuf>,
}

/// One change to a target folder, staged and then committed or dropped.
#[derive(Debug)]
pub struct Txn {
    /// The change's id (also written into the record).
    pub id: String,
    dir: PathBuf,
    moves: Vec<Move>,
    writes: Vec<(PathBuf, Option<Vec<u8>>)>,
    n: usize,
    finished: bool,
}

fn io(path: &Path, e: std::io::Error) -> DeployError {
    DeployError::io(path, e)
}

fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

fn remove_any(p: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

impl Txn {
    /// Starts a change in target folder `root` (created if missing).
    pub fn begin(root: &Path) -> Result<Txn, DeployError> {
        fs::create_dir_all(root).map_err(|e| io(root, e))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let id = format!("{}-{:x}", std::process::id(), nanos);
        let dir = root.join(format!("{PREFIX}{id}"));
        fs::create_dir(&dir).map_err(|e| io(&dir, e))?;
        Ok(Txn {
            id,
            dir,
            moves: Vec::new(),
            writes: Vec::new(),
            n: 0,
            finished: false,
        })
    }

    /// A fresh path in the staging folder to build a new copy at.
    pub fn stage_path(&mut self) -> PathBuf {
        self.n += 1;
        self.dir.join(format!("new-{}", self.n))
    }

    /// Plans putting `staged` (from [`Txn::stage_path`]) at `dest`, or removing `dest` when
    /// `staged` is `None`.
    pub fn replace(&mut self, dest: PathBuf, staged: Option<PathBuf>) {
        let i = self.moves.len();
        self.moves.push(Move {
            dest,
            new: staged.and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())),
            old: format!("old-{i}"),
        });
    }

    /// Plans writing `bytes` to `dest` (atomically), or removing it when `None`.
    pub fn write(&mut self, dest: PathBuf, bytes: Option<Vec<u8>>) {
        self.writes.retain(|(d, _)| *d != dest);
        self.writes.push((dest, bytes));
    }

    /// Commits: moves, file writes, and last the record (`None` removes it). Any failure undoes
    /// everything done so far and returns the error.
    pub fn commit(
        mut self,
        record: &Path,
        record_bytes: Option<Vec<u8>>,
    ) -> Result<(), DeployError> {
        let mut files = Vec::new();
        let mut writes = std::mem::take(&mut self.writes);
        writes.retain(|(d, _)| d != record);
        writes.push((record.to_path_buf(), record_bytes.clone()));
        for (i, (dest, _)) in writes.iter().enumerate() {
            let orig = if dest.is_file() {
                let name = format!("orig-{i}");
                fs::copy(dest, self.dir.join(&name)).map_err(|e| io(dest, e))?;
                Some(name)
            } else {
                None
            };
            files.push(FileWrite {
                dest: dest.clone(),
                orig,
            });
        }
        let mut created_dirs = Vec::new();
        for m in self.moves.iter().filter(|m| m.new.is_some()) {
            let mut missing = Vec::new();
            let mut p = m.dest.parent();
            while let Some(d) = p {
                if d.is_dir() || created_dirs.contains(&d.to_path_buf()) {
                    break;
                }
                missing.push(d.to_path_buf());
                p = d.parent();
            }
            created_dirs.extend(missing.into_iter().rev());
        }
        let journal = Journal {
            record_sha: record_bytes
                .as_ref()
                .map(|b| to_hex(&Sha256::digest(b)))
                .unwrap_or_else(|| "absent".into()),
            record: record.to_path_buf(),
            moves: self.moves.clone(),
            files,
            created_dirs,
        };
        let jpath = self.dir.join(JOURNAL);
        let jtext = serde_json::to_vec(&journal).unwrap_or_default();
        atomic_write(&jpath, &jtext)?;
        let result = apply(&self.dir, &journal, &writes);
        match result {
            Ok(()) => {
                let _ = fs::remove_file(&jpath);
                let _ = fs::remove_dir_all(&self.dir);
                self.finished = true;
                Ok(())
            }
            Err(e) => {
                rollback(&self.dir, &journal);
                let _ = fs::remove_dir_all(&self.dir);
                self.finished = true;
                Err(e)
            }
        }
    }
}

impl Drop for Txn {
    /// A change dropped before its commit (an error while staging) leaves nothing behind.
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn apply(
    dir: &Path,
    j: &Journal,
    writes: &[(PathBuf, Option<Vec<u8>>)],
) -> Result<(), DeployError> {
    for m in &j.moves {
        if exists(&m.dest) {
            fs::rename(&m.dest, dir.join(&m.old)).map_err(|e| io(&m.dest, e))?;
        }
        if let Some(new) = &m.new {
            // Parent folders are made just before they are needed (parents first).
            for d in j.created_dirs.iter().filter(|d| m.dest.starts_with(d)) {
                if !exists(d) {
                    fs::create_dir(d).map_err(|e| io(d, e))?;
                }
            }
            fs::rename(dir.join(new), &m.dest).map_err(|e| io(&m.dest, e))?;
        }
    }
    for (dest, bytes) in writes {
        match bytes {
            Some(b) => atomic_write(dest, b)?,
            None => remove_any(dest).map_err(|e| io(dest, e))?,
        }
    }
    Ok(())
}

/// Undoes whatever part of `j` was applied. Safe to run more than once (a kill during a
/// rollback is finished by the next one).
fn rollback(dir: &Path, j: &Journal) {
    for f in j.files.iter().rev() {
        match &f.orig {
            Some(orig) => {
                let o = dir.join(orig);
                if o.is_file() {
                    let _ = fs::rename(&o, &f.dest);
                }
            }
            None => {
                let _ = remove_any(&f.dest);
            }
        }
    }
    for m in j.moves.iter().rev() {
        if let Some(new) = &m.new {
            let staged = dir.join(new);
            if !exists(&staged) && exists(&m.dest) {
                let _ = fs::rename(&m.dest, &staged);
            }
        }
        let old = dir.join(&m.old);
        if exists(&old) {
            let _ = fs::rename(&old, &m.dest);
        }
    }
    for d in j.created_dirs.iter().rev() {
        let _ = fs::remove_dir(d);
    }
}

/// Finishes or undoes changes to `root` left by a killed process; returns a note per change.
/// Callers hold the home lock.
pub fn recover(root: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    let Ok(rd) = fs::read_dir(root) else {
        return notes;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with(PREFIX) {
            continue;
        }
        let dir = e.path();
        let journal = fs::read(dir.join(JOURNAL))
            .ok()
            .and_then(|b| serde_json::from_slice::<Journal>(&b).ok());
        match journal {
            None => notes.push(format!(
                "removed {} left by an interrupted command (nothing had been changed)",
                dir.display()
            )),
            Some(j) => {
                let now = fs::read(&j.record)
                    .map(|b| to_hex(&Sha256::digest(&b)))
                    .unwrap_or_else(|_| "absent".into());
                if now == j.record_sha {
                    notes.push(format!(
                        "an interrupted command had finished its change in {}; removed its leftovers",
                        root.display()
                    ));
                } else {
                    rollback(&dir, &j);
                    notes.push(format!(
                        "rolled back a change to {} that an interrupted command left half done",
                        root.display()
                    ));
                }
            }
        }
        tracing::warn!("{}", notes.last().map(String::as_str).unwrap_or(""));
        let _ = fs::remove_dir_all(&dir);
    }
    notes
}

/// Whether a folder entry name is a staging folder.
#[cfg(test)]
pub fn is_staging(name: &str) -> bool {
    name.starts_with(PREFIX)
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

    #[test]
    fn commit_moves_and_writes_record_last() {
        let (_d, root) = setup();
        let mut t = Txn::begin(&root).unwrap();
        let a = stage(&mut t, "new a");
        let b = stage(&mut t, "new b");
        t.replace(root.join("skills/a"), Some(a));
        t.replace(root.join("skills/deep/b"), Some(b));
        t.write(root.join("settings.json"), Some(b"{\"x\":1}".to_vec()));
        t.commit(&root.join("rec"), Some(b"r".to_vec())).unwrap();
        assert_eq!(
            fs::read_to_string(root.join("skills/a/SKILL.md")).unwrap(),
            "new a"
        );
        assert_eq!(
            fs::read_to_string(root.join("skills/deep/b/SKILL.md")).unwrap(),
            "new b"
        );
        assert_eq!(fs::read_to_string(root.join("rec")).unwrap(), "r");
        let left: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .flatten()
            .filter(|e| is_staging(&e.file_name().to_string_lossy()))
            .collect();
        assert!(left.is_empty());
    }

    #[test]
    fn failure_midway_rolls_everything_back() {
        let (_d, root) = setup();
        // A file where the `commands` folder must be: the second move fails (even as root).
        fs::write(root.join("commands"), "not a folder").unwrap();
        let mut t = Txn::begin(&root).unwrap();
        let a = stage(&mut t, "new a");
        let c = t.stage_path();
        fs::write(&c, "cmd").unwrap();
        t.replace(root.join("skills/a"), Some(a));
        t.replace(root.join("commands/c.md"), Some(c));
        t.write(root.join("settings.json"), Some(b"{\"x\":1}".to_vec()));
        assert!(t.commit(&root.join("rec"), Some(b"r".to_vec())).is_err());
        assert_eq!(
            fs::read_to_string(root.join("skills/a/SKILL.md")).unwrap(),
            "old a"
        );
        assert_eq!(
            fs::read_to_string(root.join("settings.json")).unwrap(),
            "{}"
        );
        assert_eq!(
            fs::read_to_string(root.join("commands")).unwrap(),
            "not a folder"
        );
        assert!(!root.join("rec").exists());
        let left = fs::read_dir(&root)
            .unwrap()
            .flatten()
            .filter(|e| is_staging(&e.file_name().to_string_lossy()))
            .count();
        assert_eq!(left, 0);
    }

    #[test]
    fn recover_rolls_back_a_journalled_change() {
        let (_d, root) = setup();
        let dir = root.join(format!("{PREFIX}x"));
        fs::create_dir_all(&dir).unwrap();
        // Simulate a kill after the old copy was moved aside and the new one moved in.
        fs::rename(root.join("skills/a"), dir.join("old-0")).unwrap();
        fs::create_dir_all(root.join("skills/a")).unwrap();
        fs::write(root.join("skills/a/SKILL.md"), "new a").unwrap();
        let j = Journal {
            record_sha: "f".repeat(64),
            record: root.join("rec"),
            moves: vec![Move {
                dest: root.join("skills/a"),
                new: Some("new-1".into()),
                old: "old-0".into(),
            }],
            files: vec![FileWrite {
                dest: root.join("rec"),
                orig: None,
            }],
            created_dirs: vec![],
        };
        fs::write(dir.join(JOURNAL), serde_json::to_vec(&j).unwrap()).unwrap();
        let notes = recover(&root);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(
            fs::read_to_string(root.join("skills/a/SKILL.md")).unwrap(),
            "old a"
        );
        assert!(!dir.exists());
    }
}
