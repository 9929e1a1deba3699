//! `update`: re-resolve each artifact's source and bring changed ones forward, never
//! overwriting a collection copy edited locally unless told to.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::add::fetch_options;
use super::commit::{Change, upgrade_legacy_lock};
use super::{Progress, copy_and_hash, find_entry};
use crate::artifact::{ArtifactKind, describe, hash_artifact};
use crate::collection::{
    ArtifactEntry, Collection, CollectionError, LockEntry, Timestamp, lock_key, resolve_collection,
};
use crate::hint::Fix;
use crate::home::Home;
use crate::source::{self, Fetched, SourceSpec};

/// `update`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// Only these artifacts (all when empty).
    #[serde(default)]
    pub names: Vec<String>,
    /// Only report what would change (outcome `available`); write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Overwrite collection copies that were edited locally.
    #[serde(default)]
    pub force: bool,
}

/// What happened to one artifact in `update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UpdateOutcome {
    /// Nothing new upstream.
    UpToDate,
    /// A new version is available (with `dry_run`).
    Available,
    /// Updated to the new version.
    Updated,
    /// Left alone: the collection copy was edited and `force` was not given.
    LocallyModified,
    /// Could not be checked (the message says why).
    Failed,
    /// Not updatable (e.g. from a marketplace, or no upstream recorded).
    Skipped,
}

/// One artifact's line in the update report.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UpdateItem {
    /// The artifact.
    pub name: String,
    /// Its kind.
    pub kind: ArtifactKind,
    /// What happened.
    pub outcome: UpdateOutcome,
    /// The version (or short sha) before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The version (or short sha) upstream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The next step, for an artifact left alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
}

/// What `update` did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UpdateReport {
    /// The collection.
    pub collection: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// The snapshot taken before artifacts were replaced, if any were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// One item per artifact considered.
    pub items: Vec<UpdateItem>,
}

fn short(v: &Option<String>, sha: &Option<String>) -> Option<String> {
    match (v, sha) {
        (Some(v), Some(s)) => Some(format!("{v} ({})", &s[..s.len().min(12)])),
        (Some(v), None) => Some(v.clone()),
        (None, Some(s)) => Some(s[..s.len().min(12)].to_string()),
        (None, None) => None,
    }
}

/// Re-resolves each artifact's source and brings changed ones forward. Collection copies edited
/// locally are never overwritten unless `force` is set.
pub fn update(
    home: &Home,
    req: UpdateRequest,
    progress: &dyn Progress,
) -> Result<UpdateReport, CollectionError> {
    let name = resolve_collection(home, req.collection.as_deref())?;
    let _lock = if req.dry_run {
        None
    } else {
        Some(home.lock()?)
    };
    let mut coll = Collection::open(home, &name)?;
    upgrade_legacy_lock(&mut coll);
    let selected: Vec<ArtifactEntry> = if req.names.is_empty() {
        coll.manifest.file.artifacts.clone()
    } else {
        req.names
            .iter()
            .map(|n| find_entry(&coll, n, None).cloned())
            .collect::<Result<_, _>>()?
    };
    let opts = fetch_options(home)?;
    let mut fetches: HashMap<String, Result<Fetched, String>> = HashMap::new();
    let mut items = Vec::new();
    // Begun at the first artifact to replace (a dry run writes nothing).
    let mut change: Option<Change> = None;
    let mut replaced = 0;
    progress.start(selected.len() as u64, "checking");
    for e in selected {
        if progress.cancelled() {
            return Err(CollectionError::Cancelled);
        }
        progress.inc(1);
        let mut item = UpdateItem {
            name: e.name.clone(),
            kind: e.kind,
            outcome: UpdateOutcome::UpToDate,
            from: short(&e.resolved_version, &e.resolved_sha),
            to: None,
            message: None,
            fixes: Vec::new(),
        };
        let Some(upstream) = e.upstream.clone() else {
            item.outcome = UpdateOutcome::Skipped;
            item.message = Some("no upstream is recorded".into());
            items.push(item);
            continue;
        };
        let Some(spec) = source::spec_from_upstream(e.origin, &upstream, e.version_spec.as_deref())
        else {
            item.outcome = UpdateOutcome::Skipped;
            item.message = Some(format!(
                "{} sources are updated through their own command",
                e.origin.as_str()
            ));
            items.push(item);
            continue;
        };
        let path = coll.artifact_path(&e)?;
        let current = hash_artifact(&path).ok().map(|(h, _)| h);
        let locked = coll
            .lock
            .get(e.kind, &e.name)
            .and_then(|l| l.content_hash.clone());
        let edited =
            !coll.lock.is_legacy() && current.is_some() && locked.is_some() && current != locked;

        // One fetch per repository and ref, shared by every artifact from it.
        let (fetch_spec, inner) = split_repo(&spec);
        let key = fetch_spec.display();
        let fetched = fetches
            .entry(key)
            .or_insert_with(|| source::fetch(&fetch_spec, &opts).map_err(|e| e.to_string()));
        let fetched = match fetched {
            Ok(f) => f,
            Err(msg) => {
                item.outcome = UpdateOutcome::Failed;
                item.message = Some(msg.clone());
                items.push(item);
                continue;
            }
        };
        let src = match &inner {
            Some(p) => fetched.root.join(p),
            None => fetched.root.clone(),
        };
        item.to = short(&fetched.resolved_version, &fetched.resolved_sha);
        if !src.exists() {
            item.outcome = UpdateOutcome::Failed;
            item.message = Some(format!("{} no longer exists upstream", src.display()));
            items.push(item);
            continue;
        }
        let upstream_hash = match hash_artifact(&src) {
            Ok((h, _)) => h,
            Err(err) => {
                item.outcome = UpdateOutcome::Failed;
                item.message = Some(err.to_string());
                items.push(item);
                continue;
            }
        };
        if Some(&upstream_hash) == current.as_ref() && !edited {
            item.outcome = UpdateOutcome::UpToDate;
            if !req.dry_run
                && fetched.resolved_sha.is_some()
                && fetched.resolved_sha != e.resolved_sha
            {
                // Same content at a newer commit: record the commit.
                let mut ne = e.clone();
                ne.resolved_sha = fetched.resolved_sha.clone();
                ne.resolved_version = fetched.resolved_version.clone();
                ne.upstream = Some(fetched.upstream_for(&src));
                record(&mut coll, &ne, upstream_hash);
            }
            items.push(item);
            continue;
        }
        if edited && !req.force {
            item.outcome = UpdateOutcome::LocallyModified;
            item.message = Some(format!("{} was edited in the collection", path.display()));
            item.fixes = vec![
                Fix::param_value("force", true).why("to replace it with the upstream version"),
            ];
            items.push(item);
            continue;
        }
        if req.dry_run {
            item.outcome = UpdateOutcome::Available;
            items.push(item);
            continue;
        }
        let ch = match &mut change {
            Some(c) => c,
            None => change.insert(Change::begin(home, &coll)?),
        };
        let dst = ch.stage(&e.kind.collection_path(&e.name));
        let (hash, _) = copy_and_hash(&src, &dst)?;
        let mut ne = e.clone();
        ne.resolved_sha = fetched.resolved_sha.clone();
        ne.resolved_version = fetched.resolved_version.clone();
        ne.upstream = Some(fetched.upstream_for(&src));
        ne.description = describe(e.kind, &dst).or(ne.description);
        record(&mut coll, &ne, hash);
        ch.put(dst, path, true);
        replaced += 1;
        item.outcome = UpdateOutcome::Updated;
        items.push(item);
    }
    progress.finish();
    let mut snapshot = None;
    if !req.dry_run {
        if replaced > 0 {
            // The snapshot is of the collection as it is on disk, before any replacement.
            let before = Collection::open(home, &coll.name)?;
            snapshot = Some(crate::snapshot::take(home, &before, "before update", Vec::new())?.id);
        }
        coll.manifest.touch();
        let change = match change {
            Some(c) => c,
            None => Change::begin(home, &coll)?,
        };
        change.commit(&coll)?;
    }
    Ok(UpdateReport {
        collection: coll.name,
        dry_run: req.dry_run,
        snapshot,
        items,
    })
}

/// Writes an updated entry and its lock line.
fn record(coll: &mut Collection, e: &ArtifactEntry, hash: String) {
    coll.manifest.update_artifact(e);
    let le = coll
        .lock
        .entries
        .entry(lock_key(e.kind, &e.name))
        .or_insert(LockEntry {
            content_hash: None,
            fetched: None,
            upstream: None,
            resolved_sha: None,
            resolved_version: None,
            signer: None,
            kind: None,
            extra: BTreeMap::new(),
        });
    le.content_hash = Some(hash);
    le.fetched = Some(Timestamp::now());
    le.upstream = e.upstream.clone();
    le.resolved_sha = e.resolved_sha.clone();
    le.resolved_version = e.resolved_version.clone();
}

/// Splits a spec into the repository to fetch and the path inside it, so artifacts from one
/// repository share one download.
fn split_repo(spec: &SourceSpec) -> (SourceSpec, Option<String>) {
    match spec {
        SourceSpec::GitHub {
            owner,
            repo,
            path,
            reference,
        } => (
            SourceSpec::GitHub {
                owner: owner.clone(),
                repo: repo.clone(),
                path: None,
                reference: reference.clone(),
            },
            path.clone(),
        ),
        SourceSpec::Git {
            url,
            path,
            reference,
        } => (
            SourceSpec::Git {
                url: url.clone(),
                path: None,
                reference: reference.clone(),
            },
            path.clone(),
        ),
        SourceSpec::Local { .. } => (spec.clone(), None),
    }
}
