//! `remove`: take an artifact and its files out of a collection, after a snapshot.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::commit::{Change, upgrade_legacy_lock};
use super::{ArtifactSummary, find_entry};
use crate::artifact::{ArtifactKind, HashError, list_files};
use crate::collection::{Collection, CollectionError, lock_key, resolve_collection};
use crate::home::Home;

/// `remove`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// The artifact's name or one of its aliases.
    pub name: String,
    /// Its kind, when the name is used by more than one.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Only report what would be removed; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What `remove` did (or would do, with `dry_run`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RemoveReport {
    /// The collection.
    pub collection: String,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// The artifact removed.
    pub removed: ArtifactSummary,
    /// The absolute path of its files in the collection.
    pub path: std::path::PathBuf,
    /// Its files (relative to `path`) that are (or would be) deleted.
    pub files: Vec<String>,
    /// The snapshot taken first, which brings the artifact back (none with `dry_run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

/// Removes an artifact and its files from a collection (with `dry_run`, only says which).
pub fn remove(home: &Home, req: RemoveRequest) -> Result<RemoveReport, CollectionError> {
    let name = resolve_collection(home, req.collection.as_deref())?;
    let _lock = if req.dry_run {
        None
    } else {
        Some(home.lock()?)
    };
    let mut coll = Collection::open(home, &name)?;
    upgrade_legacy_lock(&mut coll);
    let entry = find_entry(&coll, &req.name, req.kind)?.clone();
    let path = coll.artifact_path(&entry)?;
    let files = match list_files(&path) {
        Ok(f) => f.into_iter().map(|(rel, _)| rel).collect(),
        Err(HashError::Missing { .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    if req.dry_run {
        return Ok(RemoveReport {
            collection: coll.name,
            dry_run: true,
            removed: ArtifactSummary::of(&entry),
            path,
            files,
            snapshot: None,
        });
    }
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
    change.remove(path.clone());
    change.commit(&coll)?;
    Ok(RemoveReport {
        collection: coll.name,
        dry_run: false,
        removed: ArtifactSummary::of(&entry),
        path,
        files,
        snapshot: Some(snap.id),
    })
}
