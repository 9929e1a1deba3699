//! `sync --pull`: edited deployed copies taken back into their collections, then each record's
//! base moved to the pulled content.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::DeployError;
use super::change::commit_target;
use super::settings::SettingsEdit;
use super::stage::stage_copy;
use super::sync::{Decided, SyncAction, SyncReport, sync_item};
use crate::artifact::ArtifactKind;
use crate::collection::ops::Change;
use crate::collection::{Collection, CollectionError, LockEntry, lock_key};
use crate::home::Home;
use crate::store::Store;
use crate::time::Timestamp;
use crate::txn::Txn;

/// `sync --pull`: copies edited deployed copies into their collections (lock hashes updated),
/// then moves each record's base to the pulled hash.
pub(super) fn pull(
    home: &Home,
    store: &Store,
    decided: Decided<'_>,
    mut report: SyncReport,
) -> Result<SyncReport, DeployError> {
    // Group pulls by collection; one all-or-nothing collection write each.
    let mut by_coll: BTreeMap<String, Vec<(PathBuf, ArtifactKind, String)>> = BTreeMap::new();
    for (_, _, v) in &decided {
        for (a, act, _) in v {
            if *act == SyncAction::Pulled {
                by_coll.entry(a.d.collection.clone()).or_default().push((
                    a.dest.clone(),
                    a.d.kind,
                    a.d.name.clone(),
                ));
            }
        }
    }
    let mut new_hash: HashMap<(PathBuf, ArtifactKind, String), String> = HashMap::new();
    for (name, items) in by_coll {
        let mut coll = Collection::open(home, &name)?;
        let mut change = Change::begin(home, &coll)?;
        for (dest, kind, aname) in &items {
            let entry = coll.manifest.find(*kind, aname).cloned().ok_or_else(|| {
                CollectionError::ArtifactNotFound {
                    name: aname.clone(),
                    collection: name.clone(),
                    hint: String::new(),
                }
            })?;
            let target = coll.artifact_path(&entry)?;
            let dst = change.stage(&entry.path);
            let (hash, _) = stage_copy(store, dest, &dst)?;
            if let Some(le) = coll.lock.entries.get_mut(&lock_key(*kind, aname)) {
                le.content_hash = Some(hash.clone());
            } else {
                coll.lock.entries.insert(
                    lock_key(*kind, aname),
                    LockEntry {
                        content_hash: Some(hash.clone()),
                        fetched: None,
                        upstream: entry.upstream.clone(),
                        resolved_sha: entry.resolved_sha.clone(),
                        resolved_version: entry.resolved_version.clone(),
                        signer: None,
                        kind: None,
                        extra: BTreeMap::new(),
                    },
                );
            }
            new_hash.insert((dest.clone(), *kind, aname.clone()), hash);
            change.put(dst, target, true);
        }
        coll.manifest.touch();
        change.commit(&coll)?;
    }
    let now = Timestamp::now();
    for (r, mut record, v) in decided {
        let mut changed = false;
        for (a, act, msg) in v {
            if act == SyncAction::Pulled
                && let Some(h) = new_hash.get(&(a.dest.clone(), a.d.kind, a.d.name.clone()))
            {
                let mut d = a.d.clone();
                d.content_hash = h.clone();
                d.deployed_at = now.clone();
                record.upsert(d);
                changed = true;
            }
            report.items.push(sync_item(r, &a, act, msg, Vec::new()));
        }
        if changed {
            let t = Txn::begin(&r.root)?;
            let edit = SettingsEdit::new(&r.root);
            commit_target(&r.root, t, record, edit, store, &now)?;
        }
    }
    Ok(report)
}
