//! The settings files (`settings.json`, `settings.local.json`) of one target folder, edited by
//! one command: the hooks' entries SkillMeat owns, with a baseline of each file before SkillMeat
//! first touched it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{DeployError, Record, hooks, record};
use crate::store::Store;
use crate::txn::Txn;

pub(super) struct SettingsEdit {
    root: PathBuf,
    pub(super) docs: BTreeMap<String, hooks::SettingsDoc>,
}

impl SettingsEdit {
    pub(super) fn new(root: &Path) -> Self {
        SettingsEdit {
            root: root.to_path_buf(),
            docs: BTreeMap::new(),
        }
    }

    pub(super) fn doc(&mut self, file: &str) -> Result<&mut hooks::SettingsDoc, DeployError> {
        if !self.docs.contains_key(file) {
            let d = hooks::SettingsDoc::load(&self.root.join(file))?;
            self.docs.insert(file.to_string(), d);
        }
        Ok(self.docs.get_mut(file).expect("just loaded"))
    }

    /// Values of every entry the record owns in `file`.
    pub(super) fn owned_values(record: &Record, file: &str) -> Vec<serde_json::Value> {
        record
            .deployed
            .iter()
            .flat_map(|d| &d.settings)
            .filter(|e| e.file == file)
            .filter_map(|e| serde_json::from_str(&e.value).ok())
            .collect()
    }

    /// Records baselines for newly touched files, plans the writes (and backups) into `txn`,
    /// and drops baselines of files SkillMeat no longer has entries in. Returns the backups.
    pub(super) fn finish(
        self,
        record: &mut Record,
        store: &Store,
        txn: Option<&mut Txn>,
    ) -> Result<Vec<PathBuf>, DeployError> {
        let mut backups = Vec::new();
        let mut txn = txn;
        for (file, doc) in &self.docs {
            let baseline = match record.settings.iter().find(|b| b.file == *file) {
                Some(b) => b.clone(),
                None => {
                    let b = record::SettingsBaseline {
                        file: file.clone(),
                        pristine: match &doc.original {
                            Some(o) => Some(store.put(o)?),
                            None => None,
                        },
                    };
                    record.settings.push(b.clone());
                    b
                }
            };
            let pristine: Option<Vec<u8>> = match &baseline.pristine {
                Some(h) => Some(store.get(h)?),
                None => None,
            };
            let bytes = hooks::bytes_after(doc, Some(&pristine));
            let still_owned = record
                .deployed
                .iter()
                .any(|d| d.settings.iter().any(|e| e.file == *file));
            if !still_owned {
                record.settings.retain(|b| b.file != *file);
            }
            if bytes.as_deref() == doc.original.as_deref() {
                continue;
            }
            if let Some(t) = txn.as_deref_mut() {
                let backup = self.root.join(format!("{file}.skillmeat-backup"));
                if !still_owned && bytes == pristine {
                    // The file goes back to exactly what it was before SkillMeat touched it:
                    // what it holds now differs only by SkillMeat's own entries, so a backup
                    // would keep nothing of the user's, and an older one is stale.
                    if backup.is_file() {
                        t.write(backup, None);
                    }
                } else if let Some(orig) = &doc.original {
                    t.write(backup.clone(), Some(orig.clone()));
                    backups.push(backup);
                }
                t.write(doc.path.clone(), bytes);
            }
        }
        Ok(backups)
    }
}

/// The settings file hooks go into.
pub(super) fn settings_file(local: bool) -> &'static str {
    if local {
        "settings.local.json"
    } else {
        "settings.json"
    }
}
