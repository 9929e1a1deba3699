//! The sequence every command that changes a target folder follows, written once: lock the
//! folder, recover what a killed command left, read the record, (plan and stage), then write the
//! settings edits and the record in the same transaction as the copies and commit. Also the collections a command
//! reads, opened once, and the snapshot taken before anything deployed is replaced.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::settings::SettingsEdit;
use super::{DeployError, Deployed, Record};
use crate::collection::{Collection, CollectionError};
use crate::fsx;
use crate::home::Home;
use crate::snapshot::{self, SavedCopy};
use crate::store::Store;
use crate::time::Timestamp;
use crate::txn::{self, Txn};

/// How a command uses a target folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    /// It writes there: the folder is made if missing, locked, and recovered.
    Write,
    /// It only reads (`drift`), but a change a killed command left is still undone first, under
    /// the lock, when SkillMeat has been there (a record or a staging folder).
    Read,
    /// A dry run: reads the record as it is and writes nothing, not even a lock file.
    DryRun,
}

/// The lock file of a target folder's deployment record, beside it.
pub(super) const LOCK_FILE: &str = ".skillmeat-deployed.lock";

/// Proof that this process holds a target folder's lock (released when dropped). Another home
/// deploying into the same folder waits for it, so neither loses the other's record entries.
#[derive(Debug)]
pub(super) struct TargetLock {
    file: Option<File>,
    root: PathBuf,
}

/// What the lock file holds when SkillMeat made the target folder.
const MADE_ROOT: &[u8] = b"made-root\n";

impl TargetLock {
    fn take(root: &Path, made_root: bool) -> Result<TargetLock, DeployError> {
        let path = root.join(LOCK_FILE);
        loop {
            let file = fsx::lock_file(
                &path,
                &format!(
                    "waiting for another skillmeat process deploying into {}",
                    root.display()
                ),
            )?;
            // The holder we waited for may have removed the file (its undeploy emptied the
            // folder); then the lock to take is the one on the file there now.
            if same_file(&file, &path) {
                if made_root {
                    // Remembered in the lock file, which outlives a kill: whoever removes the
                    // last record also removes the folder SkillMeat made.
                    let mut f = &file;
                    f.write_all(MADE_ROOT)
                        .map_err(|e| DeployError::io(&path, e))?;
                }
                return Ok(TargetLock {
                    file: Some(file),
                    root: root.to_path_buf(),
                });
            }
        }
    }
}

impl Drop for TargetLock {
    /// Releases the lock. With no record beside it (nothing deployed, an undeploy of everything,
    /// a refused command, a first deploy rolled back) the lock file goes, and the target folder
    /// too when SkillMeat made it and it is empty: the folder is left as SkillMeat found it.
    fn drop(&mut self) {
        if !Record::path_in(&self.root).exists() && !txn::pending(&self.root) {
            let path = self.root.join(LOCK_FILE);
            let made = fs::read(&path).is_ok_and(|b| b.starts_with(MADE_ROOT));
            let _ = fs::remove_file(&path);
            if made {
                let _ = fs::remove_dir(&self.root);
            }
        }
        self.file.take();
    }
}

fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.is_file()
    }
}

/// Opens a target folder for a command: takes its lock, finishes or undoes a change a killed
/// command left, then reads the deployment record. The lock is held until the returned guard is
/// dropped (or released), which callers do after their commit.
pub(super) fn open_target(
    root: &Path,
    how: Use,
    recovered: &mut Vec<String>,
) -> Result<(Record, Option<TargetLock>), DeployError> {
    let lock = match how {
        Use::DryRun => None,
        Use::Read if !Record::path_in(root).is_file() && !txn::pending(root) => None,
        Use::Read => Some(TargetLock::take(root, false)?),
        Use::Write => {
            let made = !root.exists();
            fs::create_dir_all(root).map_err(|e| DeployError::io(root, e))?;
            Some(TargetLock::take(root, made)?)
        }
    };
    if lock.is_some() {
        recovered.extend(txn::recover(root));
    }
    Ok((Record::load(root)?, lock))
}

/// Commits a command's change to a target folder: the settings edits (and their backups) and
/// the record join the staged copies in `t`, the record written last, and the change commits,
/// all or nothing. A record left with nothing deployed is removed. Returns the backups written.
pub(super) fn commit_target(
    root: &Path,
    mut t: Txn,
    mut record: Record,
    edit: SettingsEdit,
    store: &Store,
    now: &Timestamp,
) -> Result<Vec<PathBuf>, DeployError> {
    let backups = edit.finish(&mut record, store, Some(&mut t))?;
    record.record.txn = t.id().to_string();
    record.record.updated = Some(now.clone());
    let bytes = if record.is_empty() {
        None
    } else {
        Some(record.render().into_bytes())
    };
    t.write(Record::path_in(root), bytes);
    t.commit()?;
    Ok(backups)
}

/// Collections opened once per command.
pub(super) struct Colls {
    home: Home,
    pub(super) open: HashMap<String, Option<Collection>>,
}

impl Colls {
    pub(super) fn new(home: &Home) -> Self {
        Colls {
            home: home.clone(),
            open: HashMap::new(),
        }
    }

    pub(super) fn load(&mut self, name: &str) -> Result<(), DeployError> {
        if !self.open.contains_key(name) {
            let c = match Collection::open(&self.home, name) {
                Ok(c) => Some(c),
                Err(CollectionError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            self.open.insert(name.to_string(), c);
        }
        Ok(())
    }

    /// The collection copy of a deployed artifact (`None` when the collection or the artifact
    /// is gone).
    pub(super) fn source(&self, d: &Deployed) -> Option<PathBuf> {
        let c = self.open.get(&d.collection)?.as_ref()?;
        let e = c.manifest.find(d.kind, &d.name)?;
        c.artifact_path(e).ok()
    }
}

/// Takes a snapshot of each collection involved, saving `saved` copies in the first.
pub(super) fn snapshot_before(
    home: &Home,
    colls: &mut Colls,
    names: &[String],
    reason: &str,
    mut saved: Vec<SavedCopy>,
) -> Result<Option<String>, DeployError> {
    let mut first = None;
    let mut names: Vec<&String> = names.iter().collect();
    names.sort();
    names.dedup();
    for n in names {
        colls.load(n)?;
        if let Some(Some(c)) = colls.open.get(n.as_str()) {
            let s = snapshot::take(home, c, reason, std::mem::take(&mut saved))?;
            first.get_or_insert(s.id);
        }
    }
    Ok(first)
}
