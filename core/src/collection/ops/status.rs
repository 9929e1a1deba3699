//! `status`: every artifact's files compared with the hash the lock expects.

use std::collections::BTreeMap;

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifact::{ArtifactKind, HashError, hash_artifact};
use crate::collection::{ArtifactEntry, Collection, CollectionError, resolve_collection};
use crate::home::Home;

/// The state of a collection copy against its lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactState {
    /// The files match the lock.
    Clean,
    /// The files were edited since SkillMeat last wrote them.
    Modified,
    /// The files are gone.
    Missing,
    /// The lock has no hash for it.
    Unlocked,
    /// The lock was written by the Python tool; hashes are recomputed on the next write.
    Unverified,
}

pub(super) fn state_of(
    coll: &Collection,
    e: &ArtifactEntry,
    actual: Option<&str>,
) -> ArtifactState {
    let Some(actual) = actual else {
        return ArtifactState::Missing;
    };
    if coll.lock.is_legacy() {
        return ArtifactState::Unverified;
    }
    match coll
        .lock
        .get(e.kind, &e.name)
        .and_then(|l| l.content_hash.as_deref())
    {
        None => ArtifactState::Unlocked,
        Some(h) if h == actual => ArtifactState::Clean,
        Some(_) => ArtifactState::Modified,
    }
}

/// One line of `status`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct StatusItem {
    /// The artifact.
    pub name: String,
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its state.
    pub state: ArtifactState,
    /// The hash the lock expects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_hash: Option<String>,
    /// The hash of the files now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_hash: Option<String>,
    /// A problem hashing the files (e.g. a symbolic link), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `status` of a collection.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct StatusReport {
    /// The collection.
    pub collection: String,
    /// The lock format version read.
    pub lock_version: String,
    /// Each artifact's state.
    pub artifacts: Vec<StatusItem>,
    /// How many artifacts are in each state.
    pub counts: BTreeMap<String, usize>,
}

/// Compares every artifact's files with the lock.
pub fn status(home: &Home, collection: Option<&str>) -> Result<StatusReport, CollectionError> {
    home.settle();
    let name = resolve_collection(home, collection)?;
    let coll = Collection::open(home, &name)?;
    let mut artifacts: Vec<StatusItem> = coll
        .manifest
        .file
        .artifacts
        .par_iter()
        .map(|e| {
            let (actual, error) = match coll.artifact_path(e).map(|p| hash_artifact(&p)) {
                Ok(Ok((h, _))) => (Some(h), None),
                Ok(Err(HashError::Missing { .. })) => (None, None),
                Ok(Err(err)) => (None, Some(err.to_string())),
                Err(err) => (None, Some(err.to_string())),
            };
            let mut state = state_of(&coll, e, actual.as_deref());
            if error.is_some() {
                state = ArtifactState::Modified;
            }
            StatusItem {
                name: e.name.clone(),
                kind: e.kind,
                state,
                locked_hash: coll
                    .lock
                    .get(e.kind, &e.name)
                    .and_then(|l| l.content_hash.clone()),
                actual_hash: actual,
                error,
            }
        })
        .collect();
    artifacts.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    let mut counts = BTreeMap::new();
    for a in &artifacts {
        let key = serde_json::to_value(a.state)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        *counts.entry(key).or_insert(0) += 1;
    }
    Ok(StatusReport {
        collection: coll.name,
        lock_version: coll.lock.version.clone(),
        artifacts,
        counts,
    })
}
