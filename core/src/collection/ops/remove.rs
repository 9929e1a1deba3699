//! `remove`: take an artifact and its files out of a collection, after a snapshot.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::commit::{Change, upgrade_legacy_lock};
use super::{ArtifactRef, ArtifactSummary, find_entry};
use crate::collection::{Collection, CollectionError, lock_key, resolve_collection};
use crate::home::Home;

/// What `remove` did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RemoveReport {
    /// The collection.
    pub collection: String,
    /// The artifact removed.
    pub removed: ArtifactSummary,
    /// The snapshot taken first (`skillmeat snapshot restore <id>` brings the artifact back).
    pub snapshot: String,
}

/// Removes an artifact and its files from a collection.
pub fn remove(home: &Home, req: ArtifactRef) -> Result<RemoveReport, CollectionError> {
    let name = resolve_collection(home, req.collection.as_deref())?;
    let _lock = home.lock()?;
    let mut coll = Collection::open(home, &name)?;
    upgrade_legacy_lock(&mut coll);
    let entry = find_entry(&coll, &req.name, req.kind)?.clone();
    let path = coll.artifact_path(&entry)?;
    let snap = crate::snapshot::take(
        home,
        &coll,
        &format!("before remove {} {}", entry.kind, entry.name),
        Vec::new(),
    )?;
    coll.manifest.remove_artifact(entry.kind, &entry.name);
    coll.lock.entries.remove(&lock_key(entry.kind, &entry.name));
    coll.manifest.touch();
    let mut change = Change::begin(home, &coll)?;
    change.remove(path);
    change.commit(&coll)?;
    Ok(RemoveReport {
        collection: coll.name,
        removed: ArtifactSummary::of(&entry),
        snapshot: snap.id,
    })
}
