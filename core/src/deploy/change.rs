//! The sequence every command that changes a target folder follows, written once: recover what
//! a killed command left, read the record, (plan and stage), then write the settings edits and
//! the record in the same transaction as the copies and commit. Also the collections a command
//! reads, opened once, and the snapshot taken before anything deployed is replaced.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::settings::SettingsEdit;
use super::txn::{self, Txn};
use super::{DeployError, Deployed, Record};
use crate::collection::{Collection, CollectionError};
use crate::home::Home;
use crate::snapshot::{self, SavedCopy};
use crate::store::Store;
use crate::time::Timestamp;

/// Opens a target folder for a command: finishes or undoes a change a killed command left (not
/// in a dry run, which writes nothing), then reads the deployment record.
pub(super) fn open_target(
    root: &Path,
    dry_run: bool,
    recovered: &mut Vec<String>,
) -> Result<Record, DeployError> {
    if !dry_run {
        recovered.extend(txn::recover(root));
    }
    Record::load(root)
}

/// Commits a command's change to a target folder: the settings edits (and their backups) and
/// the record join the staged copies in `t`, which then commits, all or nothing. A record left
/// with nothing deployed is removed. Returns the backups written.
pub(super) fn commit_target(
    root: &Path,
    mut t: Txn,
    mut record: Record,
    edit: SettingsEdit,
    store: &Store,
    now: &Timestamp,
) -> Result<Vec<PathBuf>, DeployError> {
    let backups = edit.finish(&mut record, store, Some(&mut t))?;
    record.record.txn = t.id.clone();
    record.record.updated = Some(now.clone());
    let bytes = if record.is_empty() {
        None
    } else {
        Some(record.render().into_bytes())
    };
    t.commit(&Record::path_in(root), bytes)?;
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
