//! `add <source>`: fetch a source, discover its artifacts, decide each one's name against the
//! collection, stage copies and commit them with the manifest and lock in one change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::commit::{Change, upgrade_legacy_lock};
use super::{ArtifactSummary, Progress, copy_and_hash};
use crate::artifact::{ArtifactKind, describe, validate_name_for};
use crate::collection::{
    ArtifactEntry, Collection, CollectionError, LockEntry, Timestamp, lock_key, resolve_collection,
};
use crate::config::Config;
use crate::hint::{ErrorKind, Fix, Refusal};
use crate::home::Home;
use crate::source::{self, Candidate, FetchOptions, SourceSpec};
use crate::txn;

/// What to do when an artifact of the same kind and name exists already (in the collection, or
/// twice in one source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OnConflict {
    /// Refuse the whole add, listing every clash.
    #[default]
    Fail,
    /// Keep what is there (or the first found) and skip the others.
    Skip,
    /// Add the others as `<name>-2`, `<name>-3`, ….
    Rename,
}

/// `add <source>`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// A local path, `owner/repo[/path][@ref]`, or a git URL `URL[//path][#ref]`.
    pub source: String,
    /// Folder relative local paths resolve from.
    #[serde(default)]
    pub cwd: Option<PathBuf>,
    /// A name for the artifact (only when the source holds one).
    #[serde(default)]
    pub name: Option<String>,
    /// Force the kind of a single artifact, or add only this kind from a folder.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Tags to give every added artifact.
    #[serde(default)]
    pub tags: Vec<String>,
    /// What to do about artifacts whose kind and name are taken.
    #[serde(default)]
    pub on_conflict: OnConflict,
    /// Show what would be added without changing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// An artifact that was not added, and why.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Skipped {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name.
    pub name: String,
    /// Where it was in the source.
    pub source_path: String,
    /// Why it was skipped.
    pub reason: String,
}

/// What `add` did (or would do, with `dry_run`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AddReport {
    /// The collection.
    pub collection: String,
    /// The source as understood.
    pub source: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Artifacts added.
    pub added: Vec<ArtifactSummary>,
    /// Artifacts added under another name than their own (`from` → name in `added`).
    pub renamed: Vec<Renamed>,
    /// Artifacts left out.
    pub skipped: Vec<Skipped>,
}

/// An artifact renamed on add.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Renamed {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its own name.
    pub from: String,
    /// The name it was added under.
    pub to: String,
}

struct Planned {
    cand: Candidate,
    name: String,
}

pub(super) fn fetch_options(home: &Home) -> Result<FetchOptions, CollectionError> {
    let cfg = Config::load(home)?;
    Ok(FetchOptions {
        github_api_url: cfg.github_api_url(),
        github_token: cfg.github_token(),
    })
}

fn display_path(p: &Path) -> String {
    p.display().to_string()
}

/// Adds the artifacts found at a source to a collection.
pub fn add(
    home: &Home,
    req: AddRequest,
    progress: &dyn Progress,
) -> Result<AddReport, CollectionError> {
    // Everything that can fail because of the source happens before the home is touched.
    // Relative local paths resolve from `cwd`; without one they are refused.
    let spec = SourceSpec::parse_from(&req.source, req.cwd.as_deref())?;
    if let Some(n) = &req.name
        && let Some(k) = req.kind
    {
        validate_name_for(k, n)?;
    }
    let collection_name = resolve_collection(home, req.collection.as_deref())?;
    crate::artifact::validate_name(&collection_name)?;
    let fetched = source::fetch(&spec, &fetch_options(home)?)?;
    let mut cands = source::discover(&fetched.root, req.kind)?;
    if let Some(n) = &req.name {
        if cands.len() != 1 {
            return Err(CollectionError::Refused(Refusal::new(
                ErrorKind::Usage,
                format!(
                    "{} holds {} artifacts, but a name can be given to one artifact only; leave the name out, or point at one artifact",
                    display_path(&fetched.root),
                    cands.len()
                ),
            )));
        }
        cands[0].name = n.clone();
    }
    for c in &cands {
        validate_name_for(c.kind, &c.name).map_err(|e| match e {
            crate::artifact::NameError::InvalidSkillName(n, s) => {
                CollectionError::Refused(
                    Refusal::new(
                        ErrorKind::Usage,
                        format!(
                            "{}: the skill name `{n}` must be 1-64 lowercase letters, digits and single hyphens",
                            display_path(&c.path)
                        ),
                    )
                    .fix(Fix::param_value("name", s).why("(or rename the folder)")),
                )
            }
            other => other.into(),
        })?;
        fetched.check_symlinks(&c.path)?;
    }

    // Clashes inside the source itself.
    let mut by_key: BTreeMap<(ArtifactKind, String), Vec<&Candidate>> = BTreeMap::new();
    for c in &cands {
        by_key.entry((c.kind, c.name.clone())).or_default().push(c);
    }
    let clashes: Vec<_> = by_key.iter().filter(|(_, v)| v.len() > 1).collect();
    if !clashes.is_empty() && req.on_conflict == OnConflict::Fail {
        let list = clashes
            .iter()
            .map(|((k, n), v)| {
                format!(
                    "{k} `{n}` at {}",
                    v.iter()
                        .map(|c| display_path(&c.path))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        return Err(CollectionError::Refused(
            Refusal::new(
                ErrorKind::Conflict,
                format!(
                    "the source holds {} artifacts with the same kind and name ({list})",
                    clashes.len()
                ),
            )
            .fix(Fix::param_value("on_conflict", "skip").why("to keep the first of each"))
            .fix(Fix::param_value("on_conflict", "rename").why("to add the others as <name>-2")),
        ));
    }

    let _lock = if req.dry_run {
        None
    } else {
        Some(home.lock()?)
    };
    let mut coll = match Collection::open(home, &collection_name) {
        Ok(c) => c,
        // The first add into an empty home makes the collection, in the same change as its
        // artifacts.
        Err(CollectionError::NotFound { .. })
            if req.dry_run || Collection::names(home)?.is_empty() =>
        {
            if !req.dry_run {
                tracing::info!("creating collection `{collection_name}`");
            }
            Collection::new_in_memory(home, &collection_name)
        }
        Err(e) => return Err(e),
    };
    upgrade_legacy_lock(&mut coll);

    // Decide each candidate's name against the collection and the candidates before it.
    let mut taken: std::collections::HashSet<(ArtifactKind, String)> = coll
        .manifest
        .file
        .artifacts
        .iter()
        .map(|a| (a.kind, a.name.clone()))
        .collect();
    let mut planned = Vec::new();
    let mut skipped = Vec::new();
    let mut renamed = Vec::new();
    let mut dupes = Vec::new();
    for c in cands {
        let key = (c.kind, c.name.clone());
        if !taken.contains(&key) {
            taken.insert(key);
            planned.push(Planned {
                name: c.name.clone(),
                cand: c,
            });
            continue;
        }
        match req.on_conflict {
            OnConflict::Fail => dupes.push(c),
            OnConflict::Skip => skipped.push(Skipped {
                kind: c.kind,
                name: c.name.clone(),
                source_path: display_path(&c.path),
                reason: "an artifact of this kind and name is already there".into(),
            }),
            OnConflict::Rename => {
                let new = (2..)
                    .map(|i| format!("{}-{i}", c.name))
                    .find(|n| !taken.contains(&(c.kind, n.clone())))
                    .expect("an unused suffix exists");
                taken.insert((c.kind, new.clone()));
                renamed.push(Renamed {
                    kind: c.kind,
                    from: c.name.clone(),
                    to: new.clone(),
                });
                planned.push(Planned { name: new, cand: c });
            }
        }
    }
    if let Some(first) = dupes.first() {
        if dupes.len() == 1 {
            let existing = coll
                .manifest
                .find(first.kind, &first.name)
                .and_then(|e| e.upstream.clone())
                .unwrap_or_else(|| "an earlier add".into());
            return Err(CollectionError::Duplicate {
                kind: first.kind,
                name: first.name.clone(),
                collection: coll.name.clone(),
                existing,
                source_path: display_path(&first.path),
            });
        }
        let names = dupes
            .iter()
            .map(|c| format!("{} `{}`", c.kind, c.name))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(CollectionError::Refused(
            Refusal::new(
                ErrorKind::Conflict,
                format!(
                    "{} artifacts are already in collection `{}` ({names})",
                    dupes.len(),
                    coll.name
                ),
            )
            .fix(Fix::param_value("on_conflict", "skip").why("to leave them"))
            .fix(Fix::param_value("on_conflict", "rename").why("to add them as <name>-2")),
        ));
    }

    let now = Timestamp::now();
    let make_entry = |p: &Planned, description: Option<String>| ArtifactEntry {
        name: p.name.clone(),
        kind: p.cand.kind,
        path: p.cand.kind.collection_path(&p.name),
        origin: fetched.origin,
        upstream: Some(fetched.upstream_for(&p.cand.path)),
        version_spec: fetched.version_spec.clone(),
        resolved_sha: fetched.resolved_sha.clone(),
        resolved_version: fetched.resolved_version.clone(),
        added: Some(now.clone()),
        description,
        tags: req.tags.clone(),
        aliases: Vec::new(),
        metadata: None,
    };

    if req.dry_run {
        let added = planned
            .iter()
            .map(|p| ArtifactSummary::of(&make_entry(p, describe(p.cand.kind, &p.cand.path))))
            .collect();
        return Ok(AddReport {
            collection: coll.name,
            source: spec.display(),
            dry_run: true,
            added,
            renamed,
            skipped,
        });
    }

    progress.start(planned.len() as u64, "adding");
    let mut change = Change::begin(home, &coll)?;
    let dsts: Vec<PathBuf> = planned
        .iter()
        .map(|p| change.stage(&p.cand.kind.collection_path(&p.name)))
        .collect();
    let count = AtomicUsize::new(0);
    let stage = |(p, dst): (&Planned, &PathBuf)| -> Result<String, CollectionError> {
        if progress.cancelled() {
            return Err(CollectionError::Cancelled);
        }
        let (hash, _) = copy_and_hash(&p.cand.path, dst)?;
        progress.inc(1);
        txn::pause("stage", count.fetch_add(1, Ordering::SeqCst) + 1);
        Ok(hash)
    };
    // One at a time when a test pauses after the n-th, so "the n-th" means something.
    let hashes: Vec<String> = if txn::pausing("stage") {
        planned
            .iter()
            .zip(&dsts)
            .map(stage)
            .collect::<Result<_, _>>()?
    } else {
        planned
            .par_iter()
            .zip(&dsts)
            .map(stage)
            .collect::<Result<_, _>>()?
    };
    progress.finish();

    let mut added = Vec::new();
    for ((p, staged_path), hash) in planned.iter().zip(dsts).zip(hashes) {
        let entry = make_entry(p, describe(p.cand.kind, &staged_path));
        let dst = coll.artifact_path(&entry)?;
        change.put(staged_path, dst, false);
        coll.lock.entries.insert(
            lock_key(entry.kind, &entry.name),
            LockEntry {
                content_hash: Some(hash),
                fetched: Some(now.clone()),
                upstream: entry.upstream.clone(),
                resolved_sha: entry.resolved_sha.clone(),
                resolved_version: entry.resolved_version.clone(),
                signer: None,
                kind: None,
                extra: BTreeMap::new(),
            },
        );
        added.push(ArtifactSummary::of(&entry));
        coll.manifest.push_artifact(entry);
    }
    coll.manifest.touch();
    change.commit(&coll)?;
    Ok(AddReport {
        collection: coll.name,
        source: spec.display(),
        dry_run: false,
        added,
        renamed,
        skipped,
    })
}
