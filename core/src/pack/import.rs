//! Importing a verified pack into a collection, with a strategy for artifacts that are already
//! there: `merge` (replace), `fork` (add as `<name>-2`, …) or `skip`.
//!
//! Everything about the pack is checked before the home is touched. Files are staged in a temp
//! folder inside the collection and renamed into place; a failure midway renames everything
//! back. Before `merge` replaces anything, a snapshot of the collection is taken (see
//! `skillmeat snapshot restore`). An artifact whose content already matches is left alone, so
//! importing the same pack twice changes nothing the second time.
//!
//! Provenance: imported artifacts get `origin = "pack"` and `upstream = "pack:<name>@<version>"`
//! in `collection.toml`, and the lock records the signer as `signer = "ed25519:<key id>"`.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::reader::{PackFormat, SignatureStatus, open_pack, signature_status, who};
use super::{PackArtifact, PackDependency, PackError, VerifyLimits};
use crate::artifact::describe;
use crate::artifact::{ArtifactKind, hash_artifact};
use crate::collection::ops::Change;
use crate::collection::resolve_collection;
use crate::collection::{
    ArtifactEntry, Collection, CollectionError, LockEntry, Origin, Timestamp, lock_key,
};
use crate::home::{Home, HomeError};
use crate::signing;

/// What to do with a pack artifact whose kind and name are already in the collection (with
/// other content).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Replace the collection's copy with the pack's.
    #[default]
    Merge,
    /// Add the pack's copy as `<name>-2`, `<name>-3`, ….
    Fork,
    /// Keep the collection's copy.
    Skip,
}

/// `bundle import`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// The pack file.
    pub path: PathBuf,
    /// What to do with artifacts that are already there.
    #[serde(default)]
    pub strategy: Strategy,
    /// Show the plan without changing anything.
    #[serde(default)]
    pub dry_run: bool,
    /// Trust the pack's signer (adds its key to `keys/trusted.toml`).
    #[serde(default)]
    pub trust_signer: bool,
    /// Archive limits.
    #[serde(default)]
    pub limits: VerifyLimits,
    /// Import even when packs this one needs (its `dependencies`) are not in the collection.
    #[serde(default)]
    pub ignore_dependencies: bool,
}

/// What happened to one artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ImportAction {
    /// It was new and was added.
    Added,
    /// It replaced the collection's copy (`merge`).
    Replaced,
    /// It was added under another name (`fork`).
    Forked,
    /// The collection's copy was kept (`skip`).
    Skipped,
    /// The collection already holds the same content.
    Unchanged,
}

/// One artifact's line in the import report.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ImportItem {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name in the pack.
    pub name: String,
    /// The name it has in the collection (differs when forked).
    pub as_name: String,
    /// What happened (or would, with `dry_run`).
    pub action: ImportAction,
}

/// What `bundle import` did (or would do).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ImportReport {
    /// The collection.
    pub collection: String,
    /// The pack's name.
    pub pack: String,
    /// The pack's version.
    pub version: String,
    /// Its manifest format.
    pub format: PackFormat,
    /// Its signature state (after `trust_signer`).
    pub signature: SignatureStatus,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// One item per artifact in the pack.
    pub items: Vec<ImportItem>,
    /// The snapshot taken before artifacts were replaced (`skillmeat snapshot restore ID`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// Packs this one needs that the collection lacks (only with `ignore_dependencies`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmet_dependencies: Vec<PackDependency>,
}

/// The packs a collection has imported, by name, with every version seen, read from the
/// `upstream = "pack:<name>@<version>"` its imported artifacts carry.
fn imported_packs(coll: &Collection) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in &coll.manifest.file.artifacts {
        let Some(rest) = a.upstream.as_deref().and_then(|u| u.strip_prefix("pack:")) else {
            continue;
        };
        if let Some((name, version)) = rest.rsplit_once('@') {
            let versions = out.entry(name.to_string()).or_default();
            if !versions.iter().any(|v| v == version) {
                versions.push(version.to_string());
            }
        }
    }
    out
}

/// The dependencies of `deps` that `coll` (absent: not made yet) does not satisfy; the first one
/// as an error unless `ignore`.
fn check_dependencies(
    path: &std::path::Path,
    collection: &str,
    coll: Option<&Collection>,
    deps: &[PackDependency],
    ignore: bool,
) -> Result<Vec<PackDependency>, PackError> {
    let have = coll.map(imported_packs).unwrap_or_default();
    let mut unmet = Vec::new();
    for d in deps {
        let versions = have.get(&d.name).map(Vec::as_slice).unwrap_or_default();
        if versions.iter().any(|v| d.matches(v)) {
            continue;
        }
        if !ignore {
            return Err(PackError::MissingDependency {
                path: path.to_path_buf(),
                name: d.name.clone(),
                version: d.version.clone(),
                collection: collection.to_string(),
                found: if versions.is_empty() {
                    "has no artifact from it".into()
                } else {
                    format!("has it only at version {}", versions.join(", "))
                },
            });
        }
        unmet.push(d.clone());
    }
    Ok(unmet)
}

/// Whether the files of an existing artifact equal the pack's. Single-file kinds compare the
/// one file's bytes (its name follows the artifact's name, which differs for forks).
fn same_content(
    kind: ArtifactKind,
    existing: &[crate::artifact::FileEntry],
    a: &PackArtifact,
) -> bool {
    if kind.is_dir() {
        crate::artifact::hash_of_entries(existing) == a.hash
    } else {
        existing.len() == 1 && a.files.len() == 1 && existing[0].sha256 == a.files[0].sha256
    }
}

/// Imports a pack's artifacts into a collection.
pub fn import(home: &Home, req: ImportRequest) -> Result<ImportReport, PackError> {
    // Everything about the pack, before the home is touched.
    let pack = open_pack(&req.path, &req.limits, true)?;
    let mut signature = signature_status(home, &pack.manifest)?;
    if let (SignatureStatus::Untrusted { signer, who: w }, Some(s)) =
        (&signature, &pack.manifest.signature)
    {
        if !req.trust_signer {
            return Err(PackError::Untrusted {
                path: pack.path.clone(),
                key_id: s.key_id.clone(),
                signer: w.clone(),
            });
        }
        signature = SignatureStatus::Trusted {
            signer: signer.clone(),
            who: who(s),
        };
    }
    let signer = pack
        .manifest
        .signature
        .as_ref()
        .map(|s| format!("ed25519:{}", s.key_id));

    let collection = resolve_collection(home, req.collection.as_deref())?;
    crate::artifact::validate_name(&collection).map_err(CollectionError::from)?;
    let _lock = if req.dry_run {
        None
    } else {
        Some(home.lock()?)
    };
    // A home with no collection yet gets one, but only once the pack's dependencies are known
    // to be met, so a refused import leaves the home as it was.
    let existing = match Collection::open(home, &collection) {
        Ok(c) => Some(c),
        Err(CollectionError::NotFound { .. }) if Collection::names(home)?.is_empty() => None,
        Err(e) => return Err(e.into()),
    };
    let unmet = check_dependencies(
        &pack.path,
        &collection,
        existing.as_ref(),
        &pack.manifest.dependencies,
        req.ignore_dependencies,
    )?;
    // A new collection is made in the same change as its first artifacts.
    let is_new = existing.is_none();
    let mut coll = match existing {
        Some(c) => c,
        None => Collection::new_in_memory(home, &collection),
    };

    // Plan.
    let mut taken: HashSet<(ArtifactKind, String)> = coll
        .manifest
        .file
        .artifacts
        .iter()
        .map(|a| (a.kind, a.name.clone()))
        .collect();
    let existing_files = |coll: &Collection, kind: ArtifactKind, name: &str| {
        coll.manifest
            .find(kind, name)
            .and_then(|e| coll.artifact_path(e).ok())
            .and_then(|p| hash_artifact(&p).ok())
            .map(|(_, f)| f)
    };
    let mut plan: Vec<(ImportItem, &PackArtifact)> = Vec::new();
    for a in &pack.manifest.artifacts {
        let item = |action, as_name: &str| ImportItem {
            kind: a.kind,
            name: a.name.clone(),
            as_name: as_name.to_string(),
            action,
        };
        let Some(existing) = coll.manifest.find(a.kind, &a.name).cloned() else {
            taken.insert((a.kind, a.name.clone()));
            plan.push((item(ImportAction::Added, &a.name), a));
            continue;
        };
        let pinned = coll
            .lock
            .get(a.kind, &a.name)
            .and_then(|l| l.signer.clone());
        let same =
            existing_files(&coll, a.kind, &a.name).is_some_and(|f| same_content(a.kind, &f, a));
        if req.strategy == Strategy::Merge
            && let Some(pinned) = &pinned
            && Some(pinned) != signer.as_ref()
        {
            return Err(PackError::SignerChanged {
                path: pack.path.clone(),
                kind: a.kind,
                name: a.name.clone(),
                collection: coll.name.clone(),
                pinned: pinned.clone(),
                got: match &signer {
                    Some(s) => format!("signed by {s}"),
                    None => "unsigned".into(),
                },
            });
        }
        if same {
            plan.push((item(ImportAction::Unchanged, &existing.name), a));
            continue;
        }
        match req.strategy {
            Strategy::Merge => plan.push((item(ImportAction::Replaced, &a.name), a)),
            Strategy::Skip => plan.push((item(ImportAction::Skipped, &a.name), a)),
            Strategy::Fork => {
                // A fork made by an earlier import of the same pack is the same content: leave it.
                let mut found = None;
                for i in 2.. {
                    let n = format!("{}-{i}", a.name);
                    if !taken.contains(&(a.kind, n.clone())) {
                        found.get_or_insert(Err(n));
                        break;
                    }
                    if existing_files(&coll, a.kind, &n)
                        .is_some_and(|f| same_content(a.kind, &f, a))
                    {
                        found = Some(Ok(n));
                        break;
                    }
                }
                match found {
                    Some(Ok(n)) => plan.push((item(ImportAction::Unchanged, &n), a)),
                    Some(Err(n)) => {
                        crate::artifact::validate_name_for(a.kind, &n)
                            .map_err(CollectionError::from)?;
                        taken.insert((a.kind, n.clone()));
                        plan.push((item(ImportAction::Forked, &n), a));
                    }
                    None => unreachable!("the loop always finds a name"),
                }
            }
        }
    }
    let items: Vec<ImportItem> = plan.iter().map(|(i, _)| i.clone()).collect();
    let writes = items.iter().any(|i| {
        matches!(
            i.action,
            ImportAction::Added | ImportAction::Replaced | ImportAction::Forked
        )
    });
    let coll_name = coll.name.clone();
    let report = |signature| ImportReport {
        collection: coll_name.clone(),
        pack: pack.manifest.name.clone(),
        version: pack.manifest.version.clone(),
        format: pack.format,
        signature,
        dry_run: req.dry_run,
        items: items.clone(),
        snapshot: None,
        unmet_dependencies: unmet.clone(),
    };
    if req.dry_run {
        return Ok(report(signature));
    }
    if !writes {
        if is_new {
            Collection::create(home, &coll.name)?;
        }
        if req.trust_signer
            && let Some(s) = &pack.manifest.signature
        {
            signing::trust_signer(home, s)?;
        }
        return Ok(report(signature));
    }

    // Replacing is destructive: snapshot the collection first, like every destructive command.
    let snapshot = if items.iter().any(|i| i.action == ImportAction::Replaced) {
        let reason = format!(
            "before bundle import {}@{}",
            pack.manifest.name, pack.manifest.version
        );
        Some(crate::snapshot::take(home, &coll, &reason, Vec::new())?.id)
    } else {
        None
    };

    // Stage every file, then move into place all at once.
    let mut change = Change::begin(home, &coll)?;
    let now = Timestamp::now();
    let upstream = format!("pack:{}@{}", pack.manifest.name, pack.manifest.version);
    for (item, a) in &plan {
        let version = (a.version != "unversioned").then(|| a.version.clone());
        if !matches!(
            item.action,
            ImportAction::Added | ImportAction::Replaced | ImportAction::Forked
        ) {
            continue;
        }
        let rel = a.kind.collection_path(&item.as_name);
        let dst = change.stage(&rel);
        for f in &a.files {
            let entry = format!("{}/{}", a.path, f.path);
            let bytes = pack
                .contents
                .get(&entry)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let target = if a.kind.is_dir() {
                dst.join(&f.path)
            } else {
                dst.clone()
            };
            crate::fsx::write_file(&target, bytes, f.executable).map_err(HomeError::from)?;
        }
        let (hash, _) = hash_artifact(&dst).map_err(CollectionError::from)?;
        let description = describe(a.kind, &dst);
        let final_path = coll.root.join(&rel);
        let entry = ArtifactEntry {
            name: item.as_name.clone(),
            kind: a.kind,
            path: rel.clone(),
            origin: Origin::Pack,
            upstream: Some(upstream.clone()),
            version_spec: None,
            resolved_sha: None,
            resolved_version: version.clone(),
            added: Some(now.clone()),
            description,
            tags: Vec::new(),
            aliases: Vec::new(),
            metadata: None,
        };
        if item.action == ImportAction::Replaced {
            let old = coll
                .manifest
                .find(a.kind, &item.as_name)
                .cloned()
                .expect("a replaced artifact exists");
            let old_path = coll.artifact_path(&old)?;
            let mut e = entry;
            // Keep what the user gave the old entry: tags, aliases, when it was first added.
            e.tags = old.tags;
            e.aliases = old.aliases;
            e.metadata = old.metadata;
            e.added = old.added;
            e.path = old.path;
            change.put(dst, old_path, true);
            coll.manifest.update_artifact(&e);
        } else {
            change.put(dst, final_path, false);
            coll.manifest.push_artifact(entry);
        }
        coll.lock.entries.insert(
            lock_key(a.kind, &item.as_name),
            LockEntry {
                content_hash: Some(hash),
                fetched: Some(now.clone()),
                upstream: Some(upstream.clone()),
                resolved_sha: None,
                resolved_version: version,
                signer: signer.clone(),
                kind: None,
                extra: BTreeMap::new(),
            },
        );
    }
    coll.manifest.touch();
    change.commit(&coll)?;
    if req.trust_signer
        && let Some(s) = &pack.manifest.signature
    {
        signing::trust_signer(home, s)?;
    }
    let mut r = report(signature);
    r.snapshot = snapshot;
    Ok(r)
}
