//! The collection operations: one public function each, a typed request in and a typed report
//! out (`serde` + `schemars`), so the CLI, `--json`, the MCP server and the web API share them.
//!
//! Writers take the home lock, read state only after holding it, and make every change to the
//! collection all-or-nothing: artifact files are staged in a temp folder inside the collection,
//! renamed into place, and rolled back if writing the manifest or lock fails.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ArtifactEntry, Collection, CollectionError, LockEntry, Origin, Timestamp, lock_key};
use crate::artifact::{
    ArtifactKind, FileEntry, HashError, hash_artifact, hash_of_entries, list_files,
    parse_front_matter, validate_name_for,
};
use crate::config::Config;
use crate::home::{Home, HomeError, create_private_dir_all};
use crate::source::{self, Candidate, FetchOptions, Fetched, SourceSpec};

/// Receives progress of long operations (the CLI draws a bar; the MCP server sends
/// notifications). Every method has a no-op default.
pub trait Progress: Sync {
    /// Work of `total` steps begins.
    fn start(&self, _total: u64, _message: &str) {}
    /// `n` more steps are done.
    fn inc(&self, _n: u64) {}
    /// The work is over.
    fn finish(&self) {}
}

/// Progress that reports nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// The collection a request names, or the active one.
pub fn resolve_collection(home: &Home, explicit: Option<&str>) -> Result<String, CollectionError> {
    match explicit {
        Some(c) => Ok(c.to_string()),
        None => Ok(Config::load(home)?.active_collection()),
    }
}

/// A short description of one artifact, as `list` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactSummary {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ArtifactKind,
    /// Path relative to the collection folder.
    pub path: String,
    /// Where it came from.
    pub origin: Origin,
    /// The version it is at: a tag or branch, or a short commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Its description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Where it was fetched from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
}

impl ArtifactSummary {
    /// The summary of a manifest entry.
    pub fn of(e: &ArtifactEntry) -> ArtifactSummary {
        ArtifactSummary {
            name: e.name.clone(),
            kind: e.kind,
            path: e.path.clone(),
            origin: e.origin,
            version: e.resolved_version.clone().or_else(|| {
                e.resolved_sha
                    .as_ref()
                    .map(|s| s.chars().take(12).collect())
            }),
            description: e.description().map(str::to_string),
            tags: e.tags.clone(),
            upstream: e.upstream.clone(),
        }
    }
}

// ---------------------------------------------------------------- init & collections

/// `init`: create the home and a collection.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct InitRequest {
    /// The collection to create (the active one, `default`, when absent).
    pub collection: Option<String>,
}

/// What `init` did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct InitReport {
    /// The home folder.
    pub home: PathBuf,
    /// The collection.
    pub collection: String,
    /// The collection's folder.
    pub path: PathBuf,
    /// False when it already existed.
    pub created: bool,
}

/// Creates the home and the collection (idempotent).
pub fn init(home: &Home, req: InitRequest) -> Result<InitReport, CollectionError> {
    let name = resolve_collection(home, req.collection.as_deref())?;
    crate::artifact::validate_name(&name)?;
    let _lock = home.lock()?;
    let created = if Collection::exists(home, &name) {
        false
    } else {
        Collection::create(home, &name)?;
        true
    };
    Ok(InitReport {
        home: home.root().to_path_buf(),
        path: home.collection_dir(&name),
        collection: name,
        created,
    })
}

/// One collection in `collection list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CollectionSummary {
    /// Its name.
    pub name: String,
    /// How many artifacts it holds.
    pub artifacts: usize,
    /// Whether it is the active collection.
    pub active: bool,
}

/// `collection list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CollectionListReport {
    /// The active collection.
    pub active: String,
    /// Every collection.
    pub collections: Vec<CollectionSummary>,
}

/// Lists the collections in the home.
pub fn collection_list(home: &Home) -> Result<CollectionListReport, CollectionError> {
    let active = Config::load(home)?.active_collection();
    let mut collections = Vec::new();
    for name in Collection::names(home)? {
        let c = Collection::open(home, &name)?;
        collections.push(CollectionSummary {
            active: name == active,
            artifacts: c.manifest.file.artifacts.len(),
            name,
        });
    }
    Ok(CollectionListReport {
        active,
        collections,
    })
}

/// A collection was created, selected or deleted.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CollectionReport {
    /// The collection.
    pub name: String,
    /// Its folder.
    pub path: PathBuf,
    /// The active collection afterwards.
    pub active: String,
}

/// Creates an empty collection.
pub fn collection_create(home: &Home, name: &str) -> Result<CollectionReport, CollectionError> {
    let _lock = home.lock()?;
    let c = Collection::create(home, name)?;
    Ok(CollectionReport {
        name: c.name,
        path: c.root,
        active: Config::load(home)?.active_collection(),
    })
}

/// Makes `name` the active collection.
pub fn collection_use(home: &Home, name: &str) -> Result<CollectionReport, CollectionError> {
    let _lock = home.lock()?;
    let c = Collection::open(home, name)?;
    let mut cfg = Config::load(home)?;
    cfg.set("active-collection", name)?;
    Ok(CollectionReport {
        name: c.name,
        path: c.root,
        active: name.into(),
    })
}

/// Deletes collection `name` and its files. The caller has asked the user (`--yes`).
pub fn collection_delete(home: &Home, name: &str) -> Result<CollectionReport, CollectionError> {
    let _lock = home.lock()?;
    let c = Collection::open(home, name)?;
    let active = Config::load(home)?.active_collection();
    if active == name {
        return Err(CollectionError::DeleteActive(name.into()));
    }
    // Rename first so a failure halfway through deleting never leaves a half collection that
    // still looks valid.
    let trash = home
        .collections_dir()
        .join(format!(".deleted-{name}-{}", std::process::id()));
    fs::rename(&c.root, &trash).map_err(|e| HomeError::io(&c.root, e))?;
    fs::remove_dir_all(&trash).map_err(|e| HomeError::io(&trash, e))?;
    Ok(CollectionReport {
        name: name.into(),
        path: c.root,
        active,
    })
}

// ---------------------------------------------------------------- add

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

fn fetch_options(home: &Home) -> Result<FetchOptions, CollectionError> {
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
    let cwd = match &req.cwd {
        Some(c) => c.clone(),
        None => std::env::current_dir().map_err(|e| HomeError::io(".", e))?,
    };
    // Everything that can fail because of the source happens before the home is touched.
    let spec = SourceSpec::parse(&req.source, &cwd)?;
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
            return Err(CollectionError::Clashes(format!(
                "--name applies to one artifact, but {} holds {}; drop --name, or point at one artifact",
                display_path(&fetched.root),
                cands.len()
            )));
        }
        cands[0].name = n.clone();
    }
    for c in &cands {
        validate_name_for(c.kind, &c.name).map_err(|e| match e {
            crate::artifact::NameError::InvalidSkillName(n, s) => {
                CollectionError::Clashes(format!(
                    "{}: the skill name `{n}` must be 1-64 lowercase letters, digits and single hyphens; rename the folder or pass --name {s}",
                    display_path(&c.path)
                ))
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
            .join("; ");
        return Err(CollectionError::Clashes(format!(
            "the source holds {} artifacts with the same kind and name ({list}); rerun with --skip-existing to keep the first of each, or --rename to add the others as <name>-2",
            clashes.len()
        )));
    }

    let _lock = if req.dry_run {
        None
    } else {
        Some(home.lock()?)
    };
    let mut coll = match Collection::open(home, &collection_name) {
        Ok(c) => c,
        Err(CollectionError::NotFound { .. })
            if Collection::names(home)?.is_empty() && !req.dry_run =>
        {
            tracing::info!("creating collection `{collection_name}`");
            Collection::create(home, &collection_name)?
        }
        Err(CollectionError::NotFound { .. }) if req.dry_run => Collection {
            name: collection_name.clone(),
            root: home.collection_dir(&collection_name),
            manifest: super::Manifest::new(
                home.collection_dir(&collection_name)
                    .join("collection.toml"),
                &collection_name,
            ),
            lock: super::Lock::new(
                home.collection_dir(&collection_name)
                    .join("collection.lock"),
            ),
        },
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
        return Err(CollectionError::Clashes(format!(
            "{} artifacts are already in collection `{}` ({names}); rerun with --skip-existing to leave them, or --rename to add them as <name>-2",
            dupes.len(),
            coll.name
        )));
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
    let staging = tempfile::Builder::new()
        .prefix(".staging-")
        .tempdir_in(&coll.root)
        .map_err(|e| HomeError::io(&coll.root, e))?;
    let staged: Vec<(PathBuf, String)> = planned
        .par_iter()
        .map(|p| {
            let rel = p.cand.kind.collection_path(&p.name);
            let dst = staging.path().join(&rel);
            let (hash, _) = copy_and_hash(&p.cand.path, &dst)?;
            progress.inc(1);
            Ok((dst, hash))
        })
        .collect::<Result<_, CollectionError>>()?;
    progress.finish();

    let mut added = Vec::new();
    let mut moves = Vec::new();
    for (p, (staged_path, hash)) in planned.iter().zip(staged) {
        let entry = make_entry(p, describe(p.cand.kind, &staged_path));
        let dst = coll.artifact_path(&entry)?;
        moves.push((staged_path, dst));
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
    commit_moves(&mut coll, moves, Vec::new())?;
    Ok(AddReport {
        collection: coll.name,
        source: spec.display(),
        dry_run: false,
        added,
        renamed,
        skipped,
    })
}

/// Moves staged artifacts into place (after moving `removals` out of the way), upgrades a legacy
/// lock, and saves manifest and lock. Any failure puts every file back where it was and removes
/// the folders it made.
pub(crate) fn commit_moves(
    coll: &mut Collection,
    moves: Vec<(PathBuf, PathBuf)>,
    removals: Vec<PathBuf>,
) -> Result<(), CollectionError> {
    let trash = tempfile::Builder::new()
        .prefix(".trash-")
        .tempdir_in(&coll.root)
        .map_err(|e| HomeError::io(&coll.root, e))?;
    let mut undo: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut made: Vec<PathBuf> = Vec::new();
    let result = (|| -> Result<(), CollectionError> {
        for (i, old) in removals.iter().enumerate() {
            // `symlink_metadata`, so a dangling link is moved out (and back) like any file.
            if fs::symlink_metadata(old).is_ok() {
                let t = trash.path().join(i.to_string());
                fs::rename(old, &t).map_err(|e| HomeError::io(old, e))?;
                undo.push((t, old.clone()));
            }
        }
        for (from, to) in &moves {
            if let Some(parent) = to.parent() {
                make_parent(parent, to, &mut made)?;
            }
            // A rename silently replaces a file (or an empty folder) at `to`, and undoing it
            // would then lose that file. What is replaced was moved out above, so anything still
            // there is not ours to overwrite.
            if fs::symlink_metadata(to).is_ok() {
                return Err(CollectionError::Clashes(format!(
                    "{} already exists and would be overwritten; move it aside and run the command again",
                    to.display()
                )));
            }
            fs::rename(from, to).map_err(|e| HomeError::io(to, e))?;
            undo.push((to.clone(), from.clone()));
        }
        coll.save()
    })();
    if let Err(e) = result {
        let mut stuck = false;
        for (now_at, was_at) in undo.into_iter().rev() {
            stuck |= fs::rename(&now_at, &was_at).is_err();
        }
        for dir in made.into_iter().rev() {
            let _ = fs::remove_dir(&dir);
        }
        if stuck {
            // Rather a stray `.trash-*` folder than deleting an old copy that could not be put
            // back.
            let _ = trash.keep();
        }
        return Err(e);
    }
    Ok(())
}

/// Makes the folder `dir` that `to` goes in, recording in `made` each folder it creates (outermost
/// first) so a rollback can remove them. A file where a folder must be is refused with the fix.
fn make_parent(dir: &Path, to: &Path, made: &mut Vec<PathBuf>) -> Result<(), CollectionError> {
    let mut missing = Vec::new();
    let mut d = dir;
    while !d.is_dir() {
        if fs::symlink_metadata(d).is_ok() {
            return Err(CollectionError::Clashes(format!(
                "{} is not a folder, so {} cannot go in it; move it aside and run the command again",
                d.display(),
                to.display()
            )));
        }
        missing.push(d.to_path_buf());
        match d.parent() {
            Some(p) => d = p,
            None => break,
        }
    }
    made.extend(missing.into_iter().rev());
    create_private_dir_all(dir)?;
    Ok(())
}

/// A lock written by the Python tool carries hashes by other rules: recompute them (DESIGN.md
/// §2.3) so the first write leaves a version-2 lock that agrees with the files. Called by every
/// writer right after opening, before it changes anything.
fn upgrade_legacy_lock(coll: &mut Collection) {
    if !coll.lock.is_legacy() {
        return;
    }
    let entries = coll.manifest.file.artifacts.clone();
    let hashes: Vec<(String, Option<String>)> = entries
        .par_iter()
        .map(|e| {
            let h = coll
                .artifact_path(e)
                .ok()
                .and_then(|p| hash_artifact(&p).ok())
                .map(|(h, _)| h);
            (lock_key(e.kind, &e.name), h)
        })
        .collect();
    // Entries re-keyed without a kind (`name::`) are matched to their artifact by name.
    let mut old = std::mem::take(&mut coll.lock.entries);
    for (e, (key, hash)) in entries.iter().zip(hashes) {
        let mut le = old
            .remove(&key)
            .or_else(|| old.remove(&format!("{}::", e.name)))
            .unwrap_or(LockEntry {
                content_hash: None,
                fetched: None,
                upstream: e.upstream.clone(),
                resolved_sha: e.resolved_sha.clone(),
                resolved_version: e.resolved_version.clone(),
                signer: None,
                kind: None,
                extra: BTreeMap::new(),
            });
        le.content_hash = hash;
        coll.lock.entries.insert(key, le);
    }
    coll.lock.version = super::LOCK_VERSION.into();
}

/// Copies an artifact (folder or single file) to `dst`, hashing each file as it goes; returns the
/// content hash of the copy. Symbolic links are refused.
pub fn copy_and_hash(src: &Path, dst: &Path) -> Result<(String, Vec<FileEntry>), CollectionError> {
    let files = list_files(src)?;
    let single = fs::symlink_metadata(src)
        .map(|m| m.is_file())
        .unwrap_or(false);
    let mut entries = Vec::with_capacity(files.len());
    for (rel, path) in files {
        let bytes = fs::read(&path).map_err(|e| HashError::Io {
            path: path.clone(),
            source: e,
        })?;
        let target = if single {
            dst.to_path_buf()
        } else {
            dst.join(&rel)
        };
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| HomeError::io(parent, e))?;
        }
        fs::write(&target, &bytes).map_err(|e| HomeError::io(&target, e))?;
        let executable = is_executable(&path);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if executable { 0o755 } else { 0o644 };
            fs::set_permissions(&target, fs::Permissions::from_mode(mode))
                .map_err(|e| HomeError::io(&target, e))?;
        }
        use sha2::Digest;
        entries.push(FileEntry {
            sha256: crate::artifact::to_hex(&sha2::Sha256::digest(&bytes)),
            size: bytes.len() as u64,
            path: rel,
            executable,
        });
    }
    Ok((hash_of_entries(&entries), entries))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        false
    }
}

/// The description an artifact gives of itself (front matter `description`, or `description`
/// in a hook's `hooks.json`).
pub fn describe(kind: ArtifactKind, path: &Path) -> Option<String> {
    let main = kind.main_file(path);
    let text = fs::read_to_string(main).ok()?;
    if kind == ArtifactKind::Hook {
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        return v.get("description")?.as_str().map(str::to_string);
    }
    let fm = parse_front_matter(&text).ok()??;
    fm.str("description")
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
}

// ---------------------------------------------------------------- list / show / search

/// `list`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ListRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Only artifacts with this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// At most this many artifacts (all when absent).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Skip this many artifacts first (the previous page's `next_offset`).
    #[serde(default)]
    pub offset: usize,
}

/// The artifacts of a collection.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ListReport {
    /// The collection.
    pub collection: String,
    /// Its artifacts, by kind then name (one page of them with `limit`).
    pub artifacts: Vec<ArtifactSummary>,
    /// How many artifacts match, on every page together.
    pub total: usize,
    /// The `offset` of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
}

/// Lists a collection's artifacts (reads only `collection.toml`).
pub fn list(home: &Home, req: ListRequest) -> Result<ListReport, CollectionError> {
    let name = resolve_collection(home, req.collection.as_deref())?;
    let coll = Collection::open(home, &name)?;
    let mut artifacts: Vec<ArtifactSummary> = coll
        .manifest
        .file
        .artifacts
        .iter()
        .filter(|a| req.kind.is_none_or(|k| a.kind == k))
        .filter(|a| req.tag.as_ref().is_none_or(|t| a.tags.contains(t)))
        .map(ArtifactSummary::of)
        .collect();
    artifacts.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    let total = artifacts.len();
    let start = req.offset.min(total);
    let end = req
        .limit
        .map_or(total, |l| start.saturating_add(l).min(total));
    let artifacts = artifacts.drain(start..end).collect();
    Ok(ListReport {
        collection: coll.name,
        artifacts,
        total,
        next_offset: (end < total).then_some(end),
    })
}

/// Names one artifact.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactRef {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// The artifact's name or one of its aliases.
    pub name: String,
    /// Its kind, when the name is used by more than one.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
}

/// Finds an entry by name or alias (and kind).
pub fn find_entry<'a>(
    coll: &'a Collection,
    name: &str,
    kind: Option<ArtifactKind>,
) -> Result<&'a ArtifactEntry, CollectionError> {
    let arts = &coll.manifest.file.artifacts;
    let by = |f: &dyn Fn(&ArtifactEntry) -> bool| -> Vec<&'a ArtifactEntry> {
        arts.iter()
            .filter(|a| kind.is_none_or(|k| a.kind == k))
            .filter(|a| f(a))
            .collect()
    };
    let mut found = by(&|a| a.name == name);
    if found.is_empty() {
        found = by(&|a| a.aliases.iter().any(|x| x == name));
    }
    match found.len() {
        1 => Ok(found[0]),
        0 => {
            let closest = arts
                .iter()
                .map(|a| (strsim::levenshtein(&a.name, name), &a.name))
                .min()
                .filter(|(d, n)| *d <= 3.max(n.len() / 3))
                .map(|(_, n)| format!("; did you mean `{n}`?"))
                .unwrap_or_else(|| "; see `skillmeat list`".into());
            Err(CollectionError::ArtifactNotFound {
                name: name.into(),
                collection: coll.name.clone(),
                hint: match kind {
                    Some(k) => format!(" of kind {k}{closest}"),
                    None => closest,
                },
            })
        }
        _ => Err(CollectionError::Ambiguous {
            name: name.into(),
            kinds: found
                .iter()
                .map(|a| a.kind.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Everything about one artifact.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactDetail {
    /// The collection.
    pub collection: String,
    /// Its manifest entry.
    pub entry: ArtifactEntry,
    /// Its lock entry, if any.
    pub lock: Option<LockEntry>,
    /// Absolute path of its files.
    pub path: PathBuf,
    /// Its files with their hashes.
    pub files: Vec<FileEntry>,
    /// Content hash of the files now.
    pub content_hash: Option<String>,
    /// clean, modified, missing or unlocked (see `status`).
    pub state: ArtifactState,
    /// Its front matter (or `hooks.json` for a hook).
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// A problem reading the metadata, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_error: Option<String>,
}

/// Shows one artifact.
pub fn show(home: &Home, req: ArtifactRef) -> Result<ArtifactDetail, CollectionError> {
    let name = resolve_collection(home, req.collection.as_deref())?;
    let coll = Collection::open(home, &name)?;
    let entry = find_entry(&coll, &req.name, req.kind)?.clone();
    let path = coll.artifact_path(&entry)?;
    let (content_hash, files) = match hash_artifact(&path) {
        Ok((h, f)) => (Some(h), f),
        Err(HashError::Missing { .. }) => (None, Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let lock = coll.lock.get(entry.kind, &entry.name).cloned();
    let state = state_of(&coll, &entry, content_hash.as_deref());
    let (metadata, metadata_error) = read_metadata(entry.kind, &path);
    Ok(ArtifactDetail {
        collection: coll.name.clone(),
        entry,
        lock,
        path,
        files,
        content_hash,
        state,
        metadata,
        metadata_error,
    })
}

fn read_metadata(
    kind: ArtifactKind,
    path: &Path,
) -> (serde_json::Map<String, serde_json::Value>, Option<String>) {
    let main = kind.main_file(path);
    let Ok(text) = fs::read_to_string(&main) else {
        return (Default::default(), None);
    };
    if kind == ArtifactKind::Hook {
        return match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(m)) => (m, None),
            Ok(_) => (
                Default::default(),
                Some("hooks.json is not a JSON object".into()),
            ),
            Err(e) => (
                Default::default(),
                Some(format!(
                    "{}:{}:{}: {e}",
                    main.display(),
                    e.line(),
                    e.column()
                )),
            ),
        };
    }
    match parse_front_matter(&text) {
        Ok(Some(fm)) => (fm.fields, None),
        Ok(None) => (Default::default(), None),
        Err(e) => (Default::default(), Some(format!("{}: {e}", main.display()))),
    }
}

/// `search`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct SearchRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// Words to look for; every word must match somewhere.
    pub query: String,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// At most this many hits (all when absent).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// One search hit.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SearchHit {
    /// The artifact.
    pub artifact: ArtifactSummary,
    /// Its score; higher is better.
    pub score: u32,
    /// Where the words matched: name, alias, tag, description, body.
    pub matched: Vec<String>,
}

/// Search results, best first.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SearchReport {
    /// The collection.
    pub collection: String,
    /// The query.
    pub query: String,
    /// The hits, best first.
    pub hits: Vec<SearchHit>,
}

/// Ranked search over names, aliases, tags, descriptions and bodies.
pub fn search(home: &Home, req: SearchRequest) -> Result<SearchReport, CollectionError> {
    let name = resolve_collection(home, req.collection.as_deref())?;
    let coll = Collection::open(home, &name)?;
    let terms: Vec<String> = req
        .query
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut hits: Vec<SearchHit> = coll
        .manifest
        .file
        .artifacts
        .par_iter()
        .filter(|a| req.kind.is_none_or(|k| a.kind == k))
        .filter_map(|a| {
            let body = coll
                .artifact_path(a)
                .ok()
                .and_then(|p| fs::read_to_string(a.kind.main_file(&p)).ok())
                .unwrap_or_default()
                .to_lowercase();
            score(a, &body, &terms).map(|(score, matched)| SearchHit {
                artifact: ArtifactSummary::of(a),
                score,
                matched,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.artifact.name.cmp(&b.artifact.name))
    });
    if let Some(l) = req.limit {
        hits.truncate(l);
    }
    Ok(SearchReport {
        collection: coll.name,
        query: req.query,
        hits,
    })
}

/// Scores one artifact; None unless every term matches somewhere.
fn score(a: &ArtifactEntry, body: &str, terms: &[String]) -> Option<(u32, Vec<String>)> {
    if terms.is_empty() {
        return None;
    }
    let name = a.name.to_lowercase();
    let desc = a.description().unwrap_or("").to_lowercase();
    let mut total = 0;
    let mut matched = Vec::new();
    let mut mark = |m: &str| {
        if !matched.iter().any(|x| x == m) {
            matched.push(m.to_string());
        }
    };
    for t in terms {
        let mut s = 0;
        if name == *t {
            s += 100;
            mark("name");
        } else if name.contains(t.as_str()) {
            s += 40;
            mark("name");
        }
        if a.aliases
            .iter()
            .any(|x| x.to_lowercase().contains(t.as_str()))
        {
            s += 40;
            mark("alias");
        }
        if a.tags.iter().any(|x| x.to_lowercase() == *t) {
            s += 30;
            mark("tag");
        }
        if desc.contains(t.as_str()) {
            s += 15;
            mark("description");
        }
        let n = body.matches(t.as_str()).take(10).count() as u32;
        if n > 0 {
            s += 2 * n;
            mark("body");
        }
        if s == 0 {
            return None;
        }
        total += s;
    }
    Some((total, matched))
}

// ---------------------------------------------------------------- remove

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
    commit_moves(&mut coll, Vec::new(), vec![path])?;
    Ok(RemoveReport {
        collection: coll.name,
        removed: ArtifactSummary::of(&entry),
        snapshot: snap.id,
    })
}

// ---------------------------------------------------------------- status

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

fn state_of(coll: &Collection, e: &ArtifactEntry, actual: Option<&str>) -> ArtifactState {
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

// ---------------------------------------------------------------- update

/// `update`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct UpdateRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// Only these artifacts (all when empty).
    #[serde(default)]
    pub names: Vec<String>,
    /// Only report what would change.
    #[serde(default)]
    pub check: bool,
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
    /// A new version is available (with `check`).
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
}

/// What `update` did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UpdateReport {
    /// The collection.
    pub collection: String,
    /// Whether nothing was written.
    pub check: bool,
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
    let _lock = if req.check { None } else { Some(home.lock()?) };
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
    let mut moves = Vec::new();
    let mut removals = Vec::new();
    let staging = tempfile::Builder::new()
        .prefix(".staging-")
        .tempdir_in(&coll.root)
        .map_err(|e| HomeError::io(&coll.root, e))?;
    progress.start(selected.len() as u64, "checking");
    for e in selected {
        progress.inc(1);
        let mut item = UpdateItem {
            name: e.name.clone(),
            kind: e.kind,
            outcome: UpdateOutcome::UpToDate,
            from: short(&e.resolved_version, &e.resolved_sha),
            to: None,
            message: None,
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
            if !req.check
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
            item.message = Some(format!(
                "{} was edited in the collection; rerun with --force to replace it with the upstream version",
                path.display()
            ));
            items.push(item);
            continue;
        }
        if req.check {
            item.outcome = UpdateOutcome::Available;
            items.push(item);
            continue;
        }
        let dst = staging.path().join(e.kind.collection_path(&e.name));
        let (hash, _) = copy_and_hash(&src, &dst)?;
        let mut ne = e.clone();
        ne.resolved_sha = fetched.resolved_sha.clone();
        ne.resolved_version = fetched.resolved_version.clone();
        ne.upstream = Some(fetched.upstream_for(&src));
        ne.description = describe(e.kind, &dst).or(ne.description);
        record(&mut coll, &ne, hash);
        removals.push(path.clone());
        moves.push((dst, path));
        item.outcome = UpdateOutcome::Updated;
        items.push(item);
    }
    progress.finish();
    let mut snapshot = None;
    if !req.check {
        if !moves.is_empty() {
            // The snapshot is of the collection as it is on disk, before any replacement.
            let before = Collection::open(home, &coll.name)?;
            snapshot = Some(crate::snapshot::take(home, &before, "before update", Vec::new())?.id);
        }
        coll.manifest.touch();
        commit_moves(&mut coll, moves, removals)?;
    }
    Ok(UpdateReport {
        collection: coll.name,
        check: req.check,
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
