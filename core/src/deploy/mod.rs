//! Deploy, drift, sync and diff (DESIGN.md §4): putting collection artifacts where agents read
//! them, knowing what became of them, and keeping both sides in step.
//!
//! Each target folder (`<project>/.claude`, `~/.claude`, `<project>/.agents`, … — see
//! [`target::TARGETS`]) holds a deployment record ([`record`]) naming what SkillMeat put there
//! and the content hash it put there (the merge base, its blobs kept in the [`crate::store`]).
//! Comparing that base with the collection copy and the deployed copy gives each artifact's
//! state ([`DriftState`]); `sync` acts on it.
//!
//! Every change to a target folder is one [`txn::Txn`]: new copies are staged next to their
//! final place and renamed in, settings files and the record are written last, and a failure or
//! a kill leaves the folder fully old or fully new. Commands that replace or remove deployed
//! files take a [`crate::snapshot`] first, saving any edited copy they replace.

mod hooks;
mod merge;
pub mod record;
pub mod target;
mod txn;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use record::{Deployed, OwnedEntry, RECORD_FILE, Record};
pub use target::{Scope, TARGETS, Target};

use crate::artifact::{ArtifactKind, FileEntry, HashError, hash_artifact, list_files, to_hex};
use crate::collection::ops::{Progress, find_entry, resolve_collection};
use crate::collection::{ArtifactEntry, Collection, CollectionError, Timestamp, lock_key};
use crate::home::{Home, HomeError};
use crate::snapshot::{self, SavedCopy, SnapshotError};
use crate::store::{Store, StoreError};
use merge::Files;
use txn::Txn;

/// Everything that can go wrong deploying. Each message is one sentence naming the file (with
/// line:col where there is one) and the fix.
#[derive(Debug, Error)]
pub enum DeployError {
    #[error("unknown target `{0}`; use one of {1}")]
    UnknownTarget(String, String),
    #[error("name the artifacts to {0}, or pass --all")]
    NothingSelected(&'static str),
    #[error("cannot tell the user's home folder for --scope user; set HOME")]
    NoUserHome,
    #[error(
        "{path}:{line}:{col}: {message}; fix the JSON there and run the command again (SkillMeat never rewrites a settings file it cannot parse)"
    )]
    Settings {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{path}:{line}:{col}: {message}; fix the hook's hooks.json in the collection")]
    HookFile {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error(
        "{path}:{line}:{col}: {message}; the deployment record was edited by hand — fix it, or delete it and deploy again"
    )]
    Record {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{0}")]
    Refused(String),
    #[error("{kind} `{name}` is not deployed in {root}; see `skillmeat drift`")]
    NotDeployed {
        kind: String,
        name: String,
        root: PathBuf,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Collection(#[from] CollectionError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Home(#[from] HomeError),
}

impl DeployError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DeployError::Io {
            path: path.into(),
            source,
        }
    }
}

// ---------------------------------------------------------------- places

/// Where a command works: the project, the scope and the targets.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Place {
    /// The project folder (the current folder when absent); unused for user scope.
    #[serde(default)]
    pub project: Option<PathBuf>,
    /// project (default) or user.
    #[serde(default)]
    pub scope: Scope,
    /// Target names (`claude`, `agents`); empty means `claude` for deploy and every target
    /// with a record for the other commands.
    #[serde(default)]
    pub targets: Vec<String>,
}

struct Root {
    target: &'static Target,
    root: PathBuf,
    /// What `${CLAUDE_PLUGIN_ROOT}` of a hook deployed at `<rel>` becomes: a prefix + rel.
    hook_prefix: String,
}

fn user_home() -> Result<PathBuf, DeployError> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or(DeployError::NoUserHome)
}

impl Place {
    fn project_dir(&self) -> Result<PathBuf, DeployError> {
        let p = match &self.project {
            Some(p) => p.clone(),
            None => std::env::current_dir().map_err(|e| DeployError::io(".", e))?,
        };
        std::path::absolute(&p).map_err(|e| DeployError::io(&p, e))
    }

    /// The target folders; `existing_only` picks, when no target is named, those with a record.
    fn roots(&self, existing_only: bool) -> Result<(PathBuf, Vec<Root>), DeployError> {
        let project = self.project_dir()?;
        let home = match self.scope {
            Scope::User => user_home()?,
            Scope::Project => PathBuf::new(),
        };
        let targets: Vec<&'static Target> = if self.targets.is_empty() {
            if existing_only {
                TARGETS
                    .iter()
                    .filter(|t| Record::path_in(&t.root(self.scope, &project, &home)).is_file())
                    .collect()
            } else {
                vec![&TARGETS[0]]
            }
        } else {
            self.targets
                .iter()
                .map(|n| {
                    target::find(n)
                        .ok_or_else(|| DeployError::UnknownTarget(n.clone(), target::names()))
                })
                .collect::<Result<_, _>>()?
        };
        let roots = targets
            .into_iter()
            .map(|t| {
                let root = t.root(self.scope, &project, &home);
                let hook_prefix = match self.scope {
                    Scope::Project => format!("${{CLAUDE_PROJECT_DIR}}/{}/", t.folder),
                    Scope::User => format!("{}/", root.display()),
                };
                Root {
                    target: t,
                    root,
                    hook_prefix,
                }
            })
            .collect();
        let shown = match self.scope {
            Scope::Project => project,
            Scope::User => home,
        };
        Ok((shown, roots))
    }
}

// ---------------------------------------------------------------- shared helpers

/// Copies an artifact to `dst` (a folder, or one file), putting each file's bytes into the
/// store as it goes; returns the content hash (its tree stored too) and the files.
fn stage_copy(
    store: &Store,
    src: &Path,
    dst: &Path,
) -> Result<(String, Vec<FileEntry>), DeployError> {
    let files = list_files(src)?;
    let single = fs::symlink_metadata(src).is_ok_and(|m| m.is_file());
    let mut entries = Vec::with_capacity(files.len());
    for (rel, path) in files {
        let bytes = fs::read(&path).map_err(|e| DeployError::io(&path, e))?;
        let exec = is_executable(&path);
        let target = if single {
            dst.to_path_buf()
        } else {
            dst.join(&rel)
        };
        write_file(&target, &bytes, exec)?;
        use sha2::Digest;
        let hex = to_hex(&sha2::Sha256::digest(&bytes));
        store.put_known(&hex, &bytes)?;
        entries.push(FileEntry {
            path: rel,
            sha256: hex,
            size: bytes.len() as u64,
            executable: exec,
        });
    }
    if !single && entries.is_empty() {
        fs::create_dir_all(dst).map_err(|e| DeployError::io(dst, e))?;
    }
    Ok((store.put_tree(&entries)?, entries))
}

/// Writes merged files to `dst`, storing them; returns the content hash.
fn stage_files(
    store: &Store,
    files: &Files,
    dst: &Path,
    single: bool,
) -> Result<String, DeployError> {
    let mut entries = Vec::new();
    for (rel, (bytes, exec)) in files {
        let target = if single {
            dst.to_path_buf()
        } else {
            dst.join(rel)
        };
        write_file(&target, bytes, *exec)?;
        entries.push(FileEntry {
            path: rel.clone(),
            sha256: store.put(bytes)?,
            size: bytes.len() as u64,
            executable: *exec,
        });
    }
    if !single && entries.is_empty() {
        fs::create_dir_all(dst).map_err(|e| DeployError::io(dst, e))?;
    }
    Ok(store.put_tree(&entries)?)
}

fn write_file(target: &Path, bytes: &[u8], exec: bool) -> Result<(), DeployError> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|e| DeployError::io(parent, e))?;
    }
    fs::write(target, bytes).map_err(|e| DeployError::io(target, e))?;
    #[cfg(unix)]
    if exec {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(target, fs::Permissions::from_mode(0o755))
            .map_err(|e| DeployError::io(target, e))?;
    }
    #[cfg(not(unix))]
    let _ = exec;
    Ok(())
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        false
    }
}

/// Puts files into the store and returns their content hash (their tree stored too).
fn store_files(store: &Store, files: &Files) -> Result<String, DeployError> {
    let mut entries = Vec::with_capacity(files.len());
    for (rel, (bytes, exec)) in files {
        entries.push(FileEntry {
            path: rel.clone(),
            sha256: store.put(bytes)?,
            size: bytes.len() as u64,
            executable: *exec,
        });
    }
    Ok(store.put_tree(&entries)?)
}

/// Reads an artifact's files (path → bytes, executable).
fn read_files(root: &Path) -> Result<Files, DeployError> {
    let mut out = Files::new();
    for (rel, p) in list_files(root)? {
        let bytes = fs::read(&p).map_err(|e| DeployError::io(&p, e))?;
        out.insert(rel, (bytes, is_executable(&p)));
    }
    Ok(out)
}

/// Reads the files of a stored content hash (the merge base).
fn base_files(store: &Store, content_hash: &str) -> Result<Files, DeployError> {
    let mut out = Files::new();
    for (path, hex) in store.get_tree(content_hash)? {
        out.insert(path, (store.get(&hex)?, false));
    }
    Ok(out)
}

/// The hash of a deployed or collection copy: `None` when it is missing.
fn hash_opt(p: &Path) -> Result<Option<String>, HashError> {
    match hash_artifact(p) {
        Ok((h, _)) => Ok(Some(h)),
        Err(HashError::Missing { .. }) => Ok(None),
        // A file where a folder of the path should be: the copy is not there.
        Err(HashError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotADirectory => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A path relative to a target folder, made absolute; refuses paths that leave the folder
/// (a hand-edited record must never make SkillMeat delete outside it).
fn under(root: &Path, rel: &str) -> Result<PathBuf, DeployError> {
    let ok = !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !ok {
        return Err(DeployError::Record {
            path: Record::path_in(root),
            line: 1,
            col: 1,
            message: format!("the path `{rel}` leaves the target folder"),
        });
    }
    Ok(root.join(rel))
}

fn pause_after() -> Option<usize> {
    std::env::var("SKILLMEAT_TEST_PAUSE_AFTER")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// Test hook: `SKILLMEAT_TEST_PAUSE_AFTER=<n>` stops here after the n-th artifact is staged so
/// an end-to-end test can kill the process midway.
fn maybe_pause(staged: usize) {
    if pause_after() == Some(staged) {
        tracing::warn!("SKILLMEAT_TEST_PAUSE_AFTER: pausing after {staged} staged artifacts");
        std::thread::sleep(std::time::Duration::from_secs(600));
    }
}

/// Settings files of one target folder being edited by one command.
struct SettingsEdit {
    root: PathBuf,
    docs: BTreeMap<String, hooks::SettingsDoc>,
}

impl SettingsEdit {
    fn new(root: &Path) -> Self {
        SettingsEdit {
            root: root.to_path_buf(),
            docs: BTreeMap::new(),
        }
    }

    fn doc(&mut self, file: &str) -> Result<&mut hooks::SettingsDoc, DeployError> {
        if !self.docs.contains_key(file) {
            let d = hooks::SettingsDoc::load(&self.root.join(file))?;
            self.docs.insert(file.to_string(), d);
        }
        Ok(self.docs.get_mut(file).expect("just loaded"))
    }

    /// Values of every entry the record owns in `file`.
    fn owned_values(record: &Record, file: &str) -> Vec<serde_json::Value> {
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
    fn finish(
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

/// Collections opened once per command.
struct Colls {
    home: Home,
    open: HashMap<String, Option<Collection>>,
}

impl Colls {
    fn new(home: &Home) -> Self {
        Colls {
            home: home.clone(),
            open: HashMap::new(),
        }
    }

    fn load(&mut self, name: &str) -> Result<(), DeployError> {
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
    fn source(&self, d: &Deployed) -> Option<PathBuf> {
        let c = self.open.get(&d.collection)?.as_ref()?;
        let e = c.manifest.find(d.kind, &d.name)?;
        c.artifact_path(e).ok()
    }
}

// ---------------------------------------------------------------- drift

/// The state of a deployed artifact (DESIGN.md §4.2), from three hashes: the record's (base),
/// the collection copy's and the deployed copy's.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DriftState {
    /// All three agree (or both sides made the same change).
    Current,
    /// The collection moved on; the deployed copy is as deployed. `sync` brings it forward.
    Outdated,
    /// The deployed copy was edited; the collection did not move. `sync --pull` takes it back.
    Modified,
    /// Both moved. `sync` merges them three-way.
    Diverged,
    /// The deployed copy is gone. `sync` puts it back.
    Missing,
    /// The collection (or the artifact in it) is gone. `undeploy` removes the copy.
    Orphaned,
}

impl DriftState {
    /// The lowercase word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DriftState::Current => "current",
            DriftState::Outdated => "outdated",
            DriftState::Modified => "modified",
            DriftState::Diverged => "diverged",
            DriftState::Missing => "missing",
            DriftState::Orphaned => "orphaned",
        }
    }
}

fn state_of(base: &str, coll: Option<&str>, proj: Option<&str>) -> DriftState {
    let Some(proj) = proj else {
        return DriftState::Missing;
    };
    let Some(coll) = coll else {
        return DriftState::Orphaned;
    };
    match (coll == base, proj == base) {
        (true, true) => DriftState::Current,
        (false, true) => DriftState::Outdated,
        (true, false) => DriftState::Modified,
        (false, false) if proj == coll => DriftState::Current,
        (false, false) => DriftState::Diverged,
    }
}

/// One deployed artifact's state.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DriftItem {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name.
    pub name: String,
    /// The target it is deployed to.
    pub target: String,
    /// The deployed copy.
    pub path: PathBuf,
    /// The collection it came from.
    pub collection: String,
    /// Its state.
    pub state: DriftState,
    /// The hash recorded at deploy time (the merge base).
    pub base_hash: String,
    /// The collection copy's hash now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection_hash: Option<String>,
    /// The deployed copy's hash now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_hash: Option<String>,
    /// A problem reading a copy (e.g. a symbolic link), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For a hook: the settings entries it owns that are no longer in the settings file
    /// (`settings.json:/hooks/PostToolUse/1`), deleted or edited by hand. They make the hook
    /// `missing`, and `sync` writes them back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings_missing: Vec<String>,
}

/// `drift`: the state of everything deployed in a project (or for the user).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DriftReport {
    /// The project folder (or the user's home for user scope).
    pub project: PathBuf,
    /// The scope.
    pub scope: Scope,
    /// One item per deployed artifact, by target, kind and name.
    pub items: Vec<DriftItem>,
    /// How many are in each state.
    pub counts: BTreeMap<String, usize>,
    /// Interrupted changes found and undone (or finished) before looking.
    pub recovered: Vec<String>,
}

struct Assessed {
    d: Deployed,
    dest: PathBuf,
    src: Option<PathBuf>,
    coll_hash: Option<String>,
    proj_hash: Option<String>,
    state: DriftState,
    error: Option<String>,
    settings_missing: Vec<String>,
}

fn assess(colls: &mut Colls, root: &Path, record: &Record) -> Result<Vec<Assessed>, DeployError> {
    for d in &record.deployed {
        colls.load(&d.collection)?;
    }
    let colls = &*colls;
    // A hook's entries in a settings file are part of what was deployed: each file is read once
    // here, and an entry deleted or edited by hand makes its hook `missing`.
    let mut docs: HashMap<&str, Result<hooks::SettingsDoc, String>> = HashMap::new();
    for e in record.deployed.iter().flat_map(|d| &d.settings) {
        docs.entry(e.file.as_str()).or_insert_with(|| {
            hooks::SettingsDoc::load(&root.join(&e.file)).map_err(|err| err.to_string())
        });
    }
    let docs = &docs;
    record
        .deployed
        .par_iter()
        .map(|d| {
            let dest = under(root, &d.path)?;
            let src = colls.source(d);
            let mut error = None;
            let mut h = |p: &Path| match hash_opt(p) {
                Ok(h) => h,
                Err(e) => {
                    error = Some(e.to_string());
                    None
                }
            };
            let coll_hash = src.as_deref().and_then(&mut h);
            let proj_hash = h(&dest);
            let mut state = state_of(&d.content_hash, coll_hash.as_deref(), proj_hash.as_deref());
            if error.is_some() && state == DriftState::Missing {
                state = DriftState::Modified;
            }
            let mut settings_missing = Vec::new();
            for e in &d.settings {
                match docs.get(e.file.as_str()) {
                    Some(Ok(doc)) => settings_missing.extend(
                        hooks::missing(doc, std::slice::from_ref(e))
                            .into_iter()
                            .map(|p| format!("{}:{p}", e.file)),
                    ),
                    Some(Err(msg)) => {
                        error.get_or_insert_with(|| msg.clone());
                    }
                    None => {}
                }
            }
            if !settings_missing.is_empty() && state == DriftState::Current {
                state = DriftState::Missing;
            }
            Ok(Assessed {
                d: d.clone(),
                dest,
                src,
                coll_hash,
                proj_hash,
                state,
                error,
                settings_missing,
            })
        })
        .collect()
}

/// `drift` request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct DriftRequest {
    /// Where to look.
    #[serde(flatten)]
    pub place: Place,
}

/// Compares every deployed artifact with its base and its collection copy.
pub fn drift(home: &Home, req: DriftRequest) -> Result<DriftReport, DeployError> {
    let (project, roots) = req.place.roots(true)?;
    let _lock = home.lock()?;
    let mut colls = Colls::new(home);
    let mut items = Vec::new();
    let mut recovered = Vec::new();
    for r in &roots {
        recovered.extend(txn::recover(&r.root));
        let record = Record::load(&r.root)?;
        for a in assess(&mut colls, &r.root, &record)? {
            items.push(DriftItem {
                kind: a.d.kind,
                name: a.d.name,
                target: r.target.name.to_string(),
                path: a.dest,
                collection: a.d.collection,
                state: a.state,
                base_hash: a.d.content_hash,
                collection_hash: a.coll_hash,
                project_hash: a.proj_hash,
                error: a.error,
                settings_missing: a.settings_missing,
            });
        }
    }
    items.sort_by(|a, b| (&a.target, a.kind, &a.name).cmp(&(&b.target, b.kind, &b.name)));
    let mut counts = BTreeMap::new();
    for i in &items {
        *counts.entry(i.state.as_str().to_string()).or_insert(0) += 1;
    }
    Ok(DriftReport {
        project,
        scope: req.place.scope,
        items,
        counts,
        recovered,
    })
}

// ---------------------------------------------------------------- deploy

/// `deploy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct DeployRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// Artifact names or aliases.
    #[serde(default)]
    pub names: Vec<String>,
    /// Only artifacts of this kind (also settles a name used by two kinds).
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Every artifact of the collection.
    #[serde(default)]
    pub all: bool,
    /// Where to deploy.
    #[serde(flatten)]
    pub place: Place,
    /// Show what would happen, change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Hooks go into `settings.local.json` instead of `settings.json`.
    #[serde(default)]
    pub local: bool,
    /// Replace deployed copies that were edited, files SkillMeat did not write, and settings
    /// entries with the same identity that SkillMeat does not own (edited copies are saved in
    /// a snapshot first).
    #[serde(default)]
    pub force: bool,
}

/// What deploy did with one artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeployAction {
    /// Newly deployed.
    Deployed,
    /// An older deployment was replaced by the collection's copy.
    Updated,
    /// Already deployed and current.
    Unchanged,
    /// An edited copy or a file SkillMeat did not write was replaced (`force`).
    Replaced,
    /// The target does not take this kind.
    Skipped,
}

/// One artifact in a deploy report.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DeployItem {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name.
    pub name: String,
    /// The target.
    pub target: String,
    /// Where it is deployed.
    pub path: PathBuf,
    /// What happened.
    pub action: DeployAction,
    /// The content hash deployed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    /// JSON pointers of the settings entries written (hooks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<String>,
    /// Details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What `deploy` did (or would do).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DeployReport {
    /// The collection.
    pub collection: String,
    /// The project folder (or the user's home for user scope).
    pub project: PathBuf,
    /// The scope.
    pub scope: Scope,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// One item per artifact and target.
    pub items: Vec<DeployItem>,
    /// The snapshot taken before replacing anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// Backups of settings files written before changing them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backups: Vec<PathBuf>,
    /// Interrupted changes found and undone (or finished) first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovered: Vec<String>,
}

struct DeployPlan {
    entry: ArtifactEntry,
    src: PathBuf,
    rel: String,
    dest: PathBuf,
    action: DeployAction,
    /// The deployed copy to save first (edited, or not SkillMeat's).
    save: bool,
    message: Option<String>,
}

fn settings_file(local: bool) -> &'static str {
    if local {
        "settings.local.json"
    } else {
        "settings.json"
    }
}

/// Deploys collection artifacts into a project (or user scope), all-or-nothing per target.
pub fn deploy(
    home: &Home,
    req: DeployRequest,
    progress: &dyn Progress,
) -> Result<DeployReport, DeployError> {
    if req.names.is_empty() && !req.all {
        return Err(DeployError::NothingSelected("deploy"));
    }
    let coll_name = resolve_collection(home, req.collection.as_deref())?;
    let (project, roots) = req.place.roots(false)?;
    let _lock = home.lock()?;
    let coll = Collection::open(home, &coll_name)?;
    let entries: Vec<ArtifactEntry> = if req.all {
        coll.manifest
            .file
            .artifacts
            .iter()
            .filter(|a| req.kind.is_none_or(|k| a.kind == k))
            .cloned()
            .collect()
    } else {
        req.names
            .iter()
            .map(|n| find_entry(&coll, n, req.kind).cloned())
            .collect::<Result<_, _>>()?
    };
    let mut entries = entries;
    entries.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    entries.dedup_by(|a, b| a.kind == b.kind && a.name == b.name);
    let store = Store::open(home);
    let mut recovered = Vec::new();
    let mut refusals = Vec::new();
    let mut plans: Vec<(usize, DeployPlan)> = Vec::new();
    let mut records = Vec::new();
    let mut settings_edits = Vec::new();
    for (ri, r) in roots.iter().enumerate() {
        if !req.dry_run {
            recovered.extend(txn::recover(&r.root));
        }
        let record = Record::load(&r.root)?;
        let file = settings_file(req.local);
        let mut edit = SettingsEdit::new(&r.root);
        let planned: Vec<Result<DeployPlan, DeployError>> = entries
            .par_iter()
            .map(|e| plan_one(&coll, &record, r, e, req.force))
            .collect();
        for p in planned {
            let p = p?;
            if p.save && !req.force {
                refusals.push(p.message.clone().unwrap_or_default());
                continue;
            }
            if p.entry.kind == ArtifactKind::Hook
                && r.target.settings_hooks
                && p.action != DeployAction::Unchanged
                && p.action != DeployAction::Skipped
            {
                let groups = hooks::read_groups(
                    &p.src.join("hooks.json"),
                    &format!("{}{}", r.hook_prefix, p.rel),
                )?;
                let owned = SettingsEdit::owned_values(&record, file);
                let doc = edit.doc(file)?;
                let c = hooks::clashes(doc, &groups, &owned);
                if !c.is_empty() && !req.force {
                    refusals.extend(c);
                }
            }
            plans.push((ri, p));
        }
        records.push(record);
        settings_edits.push(edit);
    }
    if !refusals.is_empty() {
        return Err(DeployError::Refused(format!(
            "nothing was deployed: {}; pass --force to replace them (edited copies are saved in a snapshot first), or see `skillmeat diff NAME`",
            refusals.join("; ")
        )));
    }
    let mut report = DeployReport {
        collection: coll.name.clone(),
        project,
        scope: req.place.scope,
        dry_run: req.dry_run,
        items: Vec::new(),
        snapshot: None,
        backups: Vec::new(),
        recovered,
    };
    let item = |r: &Root, p: &DeployPlan| DeployItem {
        kind: p.entry.kind,
        name: p.entry.name.clone(),
        target: r.target.name.to_string(),
        path: p.dest.clone(),
        action: p.action,
        content_hash: None,
        settings: Vec::new(),
        message: p.message.clone(),
    };
    if req.dry_run {
        report.items = plans.iter().map(|(ri, p)| item(&roots[*ri], p)).collect();
        return Ok(report);
    }

    // Snapshot first when anything deployed is replaced.
    let replacing: Vec<&DeployPlan> = plans
        .iter()
        .map(|(_, p)| p)
        .filter(|p| matches!(p.action, DeployAction::Updated | DeployAction::Replaced))
        .collect();
    if !replacing.is_empty() {
        let saved = replacing
            .iter()
            .filter(|p| p.save && p.dest.exists())
            .map(|p| snapshot::save_copy(&store, &p.dest))
            .collect::<Result<Vec<SavedCopy>, _>>()?;
        let s = snapshot::take(home, &coll, "before deploy", saved)?;
        report.snapshot = Some(s.id);
    }

    let total = plans
        .iter()
        .filter(|(_, p)| {
            matches!(
                p.action,
                DeployAction::Deployed | DeployAction::Updated | DeployAction::Replaced
            )
        })
        .count();
    progress.start(total as u64, "deploying");
    let staged_count = AtomicUsize::new(0);
    let now = Timestamp::now();
    for (ri, (r, (mut record, mut edit))) in roots
        .iter()
        .zip(records.into_iter().zip(settings_edits))
        .enumerate()
    {
        let mine: Vec<&DeployPlan> = plans
            .iter()
            .filter(|(i, _)| *i == ri)
            .map(|(_, p)| p)
            .collect();
        let mut t = Txn::begin(&r.root)?;
        let to_stage: Vec<(&DeployPlan, PathBuf)> = mine
            .iter()
            .filter(|p| {
                matches!(
                    p.action,
                    DeployAction::Deployed | DeployAction::Updated | DeployAction::Replaced
                )
            })
            .map(|p| (*p, t.stage_path()))
            .collect();
        let stage = |(p, dst): &(&DeployPlan, PathBuf)| -> Result<String, DeployError> {
            let (hash, _) = stage_copy(&store, &p.src, dst)?;
            progress.inc(1);
            maybe_pause(staged_count.fetch_add(1, Ordering::SeqCst) + 1);
            Ok(hash)
        };
        let hashes: Vec<String> = if pause_after().is_some() {
            to_stage.iter().map(stage).collect::<Result<_, _>>()?
        } else {
            to_stage.par_iter().map(stage).collect::<Result<_, _>>()?
        };
        let mut hash_of: HashMap<(ArtifactKind, &str), String> = HashMap::new();
        for ((p, dst), h) in to_stage.iter().zip(hashes) {
            t.replace(p.dest.clone(), Some(dst.clone()));
            hash_of.insert((p.entry.kind, p.entry.name.as_str()), h);
        }
        let file = settings_file(req.local);
        for p in &mine {
            let mut it = item(r, p);
            if p.action == DeployAction::Skipped {
                report.items.push(it);
                continue;
            }
            let hash = match hash_of.get(&(p.entry.kind, p.entry.name.as_str())) {
                Some(h) => h.clone(),
                None => record
                    .get(p.entry.kind, &p.entry.name)
                    .map(|d| d.content_hash.clone())
                    .unwrap_or_default(),
            };
            let old = record.get(p.entry.kind, &p.entry.name).cloned();
            let mut owned = old.as_ref().map(|d| d.settings.clone()).unwrap_or_default();
            if p.entry.kind == ArtifactKind::Hook
                && r.target.settings_hooks
                && p.action != DeployAction::Unchanged
            {
                for e in &owned {
                    let f = e.file.clone();
                    hooks::remove(edit.doc(&f)?, std::slice::from_ref(e));
                }
                let groups = hooks::read_groups(
                    &p.src.join("hooks.json"),
                    &format!("{}{}", r.hook_prefix, p.rel),
                )?;
                let values = SettingsEdit::owned_values(&record, file);
                let doc = edit.doc(file)?;
                if req.force {
                    hooks::remove_clashing(doc, &groups, &values);
                }
                owned = hooks::add(doc, file, &groups);
            }
            it.settings = owned
                .iter()
                .map(|e| format!("{}#{}", e.file, e.pointer))
                .collect();
            it.content_hash = Some(hash.clone());
            record.upsert(Deployed {
                kind: p.entry.kind,
                name: p.entry.name.clone(),
                path: p.rel.clone(),
                collection: coll.name.clone(),
                content_hash: hash,
                deployed_at: if p.action == DeployAction::Unchanged {
                    old.map(|d| d.deployed_at).unwrap_or_else(|| now.clone())
                } else {
                    now.clone()
                },
                settings: owned,
            });
            report.items.push(it);
        }
        report
            .backups
            .extend(edit.finish(&mut record, &store, Some(&mut t))?);
        record.record.txn = t.id.clone();
        record.record.updated = Some(now.clone());
        t.commit(
            &Record::path_in(&r.root),
            Some(record.render().into_bytes()),
        )?;
    }
    progress.finish();
    Ok(report)
}

fn plan_one(
    coll: &Collection,
    record: &Record,
    r: &Root,
    e: &ArtifactEntry,
    force: bool,
) -> Result<DeployPlan, DeployError> {
    let src = coll.artifact_path(e)?;
    let Some(rel) = r.target.rel_path(e.kind, &e.name) else {
        return Ok(DeployPlan {
            entry: e.clone(),
            src,
            rel: String::new(),
            dest: r.root.clone(),
            action: DeployAction::Skipped,
            save: false,
            message: Some(format!(
                "the {} target takes {} only",
                r.target.name,
                r.target.kind_names()
            )),
        });
    };
    let dest = under(&r.root, &rel)?;
    let coll_hash = hash_artifact(&src)?.0;
    let proj_hash = hash_opt(&dest)?;
    let prev = record.get(e.kind, &e.name);
    let mut message = None;
    let (action, save) = match (prev, proj_hash.as_deref()) {
        (_, None) => (DeployAction::Deployed, false),
        (None, Some(p)) if p == coll_hash => (DeployAction::Updated, false),
        (None, Some(_)) => {
            message = Some(format!(
                "{} exists and was not deployed by SkillMeat",
                dest.display()
            ));
            (DeployAction::Replaced, true)
        }
        (Some(d), Some(p)) => {
            if p == coll_hash {
                (DeployAction::Unchanged, false)
            } else if p == d.content_hash {
                (DeployAction::Updated, false)
            } else {
                message = Some(format!(
                    "{} was edited since it was deployed",
                    dest.display()
                ));
                (DeployAction::Replaced, true)
            }
        }
    };
    if save && force {
        message =
            message.map(|m| format!("{m}; replaced (--force), the edited copy is in the snapshot"));
    }
    Ok(DeployPlan {
        entry: e.clone(),
        src,
        rel,
        dest,
        action,
        save,
        message,
    })
}

// ---------------------------------------------------------------- undeploy

/// `undeploy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct UndeployRequest {
    /// Names of deployed artifacts.
    #[serde(default)]
    pub names: Vec<String>,
    /// Only this kind (also settles a name used by two kinds).
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Everything deployed in the chosen targets.
    #[serde(default)]
    pub all: bool,
    /// Where.
    #[serde(flatten)]
    pub place: Place,
    /// Show what would happen, change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Remove copies that were edited since deploy (they are saved in a snapshot first).
    #[serde(default)]
    pub force: bool,
}

/// One artifact removed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UndeployItem {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name.
    pub name: String,
    /// The target.
    pub target: String,
    /// The copy removed.
    pub path: PathBuf,
    /// Settings entries removed (`file#pointer`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<String>,
    /// Details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What `undeploy` did (or would do).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UndeployReport {
    /// The project folder (or the user's home for user scope).
    pub project: PathBuf,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// What was removed.
    pub items: Vec<UndeployItem>,
    /// The snapshot taken first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// Backups of settings files written before changing them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backups: Vec<PathBuf>,
    /// Interrupted changes found and undone (or finished) first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovered: Vec<String>,
}

/// Takes a snapshot of each collection involved, saving `saved` copies in the first.
fn snapshot_before(
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

/// Removes deployed artifacts and exactly the settings entries SkillMeat wrote for them.
pub fn undeploy(home: &Home, req: UndeployRequest) -> Result<UndeployReport, DeployError> {
    if req.names.is_empty() && !req.all {
        return Err(DeployError::NothingSelected("undeploy"));
    }
    let (project, roots) = req.place.roots(true)?;
    if roots.is_empty()
        && let Some(n) = req.names.first()
    {
        return Err(DeployError::NotDeployed {
            kind: req
                .kind
                .map(|k| k.to_string())
                .unwrap_or_else(|| "artifact".into()),
            name: n.clone(),
            root: project.join(TARGETS[0].folder),
        });
    }
    let _lock = home.lock()?;
    let store = Store::open(home);
    let mut colls = Colls::new(home);
    let mut recovered = Vec::new();
    let mut work = Vec::new();
    let mut refusals = Vec::new();
    for r in &roots {
        if !req.dry_run {
            recovered.extend(txn::recover(&r.root));
        }
        let record = Record::load(&r.root)?;
        let picked: Vec<Deployed> = if req.all {
            record
                .deployed
                .iter()
                .filter(|d| req.kind.is_none_or(|k| d.kind == k))
                .cloned()
                .collect()
        } else {
            let mut v = Vec::new();
            for n in &req.names {
                let found: Vec<&Deployed> = record
                    .deployed
                    .iter()
                    .filter(|d| d.name == *n && req.kind.is_none_or(|k| d.kind == k))
                    .collect();
                match found.len() {
                    0 if roots.len() > 1 => {}
                    0 => {
                        return Err(DeployError::NotDeployed {
                            kind: req
                                .kind
                                .map(|k| k.to_string())
                                .unwrap_or_else(|| "artifact".into()),
                            name: n.clone(),
                            root: r.root.clone(),
                        });
                    }
                    1 => v.push(found[0].clone()),
                    _ => {
                        return Err(DeployError::Refused(format!(
                            "`{n}` names more than one deployed artifact in {} ({}); pass --kind to say which",
                            r.root.display(),
                            found
                                .iter()
                                .map(|d| d.kind.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                }
            }
            v
        };
        let mut items = Vec::new();
        for d in picked {
            let dest = under(&r.root, &d.path)?;
            let now = hash_opt(&dest)?;
            let edited = now.as_deref().is_some_and(|h| h != d.content_hash);
            if edited && !req.force {
                refusals.push(format!(
                    "{} was edited since it was deployed",
                    dest.display()
                ));
            }
            items.push((d, dest, edited));
        }
        work.push((r, record, items));
    }
    if !refusals.is_empty() {
        return Err(DeployError::Refused(format!(
            "nothing was removed: {}; pass --force to remove them anyway (they are saved in a snapshot first), or `skillmeat sync --pull` to keep the edits",
            refusals.join("; ")
        )));
    }
    if !req.all
        && work.iter().all(|(_, _, items)| items.is_empty())
        && let (Some(n), Some(r)) = (req.names.first(), roots.first())
    {
        return Err(DeployError::NotDeployed {
            kind: "artifact".into(),
            name: n.clone(),
            root: r.root.clone(),
        });
    }
    let mut report = UndeployReport {
        project,
        dry_run: req.dry_run,
        items: Vec::new(),
        snapshot: None,
        backups: Vec::new(),
        recovered,
    };
    if !req.dry_run && work.iter().any(|(_, _, i)| !i.is_empty()) {
        let saved = work
            .iter()
            .flat_map(|(_, _, items)| items)
            .filter(|(_, dest, edited)| *edited && dest.exists())
            .map(|(_, dest, _)| snapshot::save_copy(&store, dest))
            .collect::<Result<Vec<_>, _>>()?;
        let names: Vec<String> = work
            .iter()
            .flat_map(|(_, _, items)| items.iter().map(|(d, _, _)| d.collection.clone()))
            .collect();
        report.snapshot = snapshot_before(home, &mut colls, &names, "before undeploy", saved)?;
    }
    for (r, mut record, items) in work {
        if items.is_empty() {
            continue;
        }
        let mut t = if req.dry_run {
            None
        } else {
            Some(Txn::begin(&r.root)?)
        };
        let mut edit = SettingsEdit::new(&r.root);
        let mut parents = Vec::new();
        for (d, dest, _) in items {
            let mut settings = Vec::new();
            let mut message = None;
            for e in &d.settings {
                let gone = hooks::remove(edit.doc(&e.file)?, std::slice::from_ref(e));
                settings.push(format!("{}#{}", e.file, e.pointer));
                if !gone.is_empty() {
                    message = Some(format!(
                        "{} no longer held the entry SkillMeat wrote; nothing else was touched",
                        e.file
                    ));
                }
            }
            if let Some(t) = t.as_mut() {
                t.replace(dest.clone(), None);
            }
            if let Some(parent) = dest.parent() {
                parents.push(parent.to_path_buf());
            }
            record.remove(d.kind, &d.name);
            report.items.push(UndeployItem {
                kind: d.kind,
                name: d.name,
                target: r.target.name.to_string(),
                path: dest,
                settings,
                message,
            });
        }
        report
            .backups
            .extend(edit.finish(&mut record, &store, t.as_mut())?);
        if let Some(t) = t {
            record.record.txn = t.id.clone();
            record.record.updated = Some(Timestamp::now());
            let bytes = if record.is_empty() {
                None
            } else {
                Some(record.render().into_bytes())
            };
            t.commit(&Record::path_in(&r.root), bytes)?;
            // Kind folders (`skills/`, `commands/`, …) left empty go too; never the target
            // folder itself.
            parents.sort();
            parents.dedup();
            for p in parents.iter().rev() {
                let mut d = p.as_path();
                while d != r.root && d.starts_with(&r.root) && fs::remove_dir(d).is_ok() {
                    d = d.parent().unwrap_or(&r.root);
                }
            }
        }
    }
    Ok(report)
}

// ---------------------------------------------------------------- sync

/// `sync`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct SyncRequest {
    /// Only these deployed artifacts (all when empty).
    #[serde(default)]
    pub names: Vec<String>,
    /// Where.
    #[serde(flatten)]
    pub place: Place,
    /// Show what would happen, change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Take project edits back into the collection instead (`modified` artifacts).
    #[serde(default)]
    pub pull: bool,
}

/// What sync did with one artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SyncAction {
    /// Nothing to do.
    Unchanged,
    /// Brought forward to the collection's copy.
    Updated,
    /// Put back (the deployed copy was missing).
    Restored,
    /// Merged three-way without conflicts.
    Merged,
    /// Merged with conflicts: markers left in the listed files.
    Conflicted,
    /// The project's edits were taken into the collection.
    Pulled,
    /// Left alone (the message says why and what to do).
    Kept,
}

/// One artifact in a sync report.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SyncItem {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name.
    pub name: String,
    /// The target.
    pub target: String,
    /// The deployed copy.
    pub path: PathBuf,
    /// Its state before sync.
    pub state: DriftState,
    /// What sync did.
    pub action: SyncAction,
    /// Files left with conflict markers (or otherwise needing a look), with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    /// Details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What `sync` did (or would do).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SyncReport {
    /// The project folder (or the user's home for user scope).
    pub project: PathBuf,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Whether edits were pulled into the collection.
    pub pull: bool,
    /// One item per deployed artifact considered.
    pub items: Vec<SyncItem>,
    /// The snapshot taken first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// Backups of settings files written before changing them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backups: Vec<PathBuf>,
    /// Interrupted changes found and undone (or finished) first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovered: Vec<String>,
}

/// Brings deployed copies in step with the collection (or, with `pull`, the other way).
pub fn sync(
    home: &Home,
    req: SyncRequest,
    progress: &dyn Progress,
) -> Result<SyncReport, DeployError> {
    let (project, roots) = req.place.roots(true)?;
    let _lock = home.lock()?;
    let store = Store::open(home);
    let mut colls = Colls::new(home);
    let mut report = SyncReport {
        project,
        dry_run: req.dry_run,
        pull: req.pull,
        items: Vec::new(),
        snapshot: None,
        backups: Vec::new(),
        recovered: Vec::new(),
    };
    let mut work = Vec::new();
    for r in &roots {
        if !req.dry_run {
            report.recovered.extend(txn::recover(&r.root));
        }
        let record = Record::load(&r.root)?;
        let mut items = assess(&mut colls, &r.root, &record)?;
        if !req.names.is_empty() {
            items.retain(|a| req.names.contains(&a.d.name));
        }
        work.push((r, record, items));
    }
    // Decide.
    let decide = |a: &Assessed| -> (SyncAction, Option<String>) {
        use DriftState::*;
        if let Some(e) = &a.error {
            return (SyncAction::Kept, Some(e.clone()));
        }
        match (a.state, req.pull) {
            (Current, _) => (SyncAction::Unchanged, None),
            (Orphaned, _) => (
                SyncAction::Kept,
                Some(format!("collection `{}` no longer has it; `skillmeat undeploy {}` removes it", a.d.collection, a.d.name)),
            ),
            (Modified, true) => (SyncAction::Pulled, None),
            (Modified, false) => (
                SyncAction::Kept,
                Some("edited in the project; `skillmeat sync --pull` takes the edits into the collection".into()),
            ),
            (Outdated, false) => (SyncAction::Updated, None),
            (Missing, false) => (SyncAction::Restored, None),
            (Diverged, false) => (SyncAction::Merged, None),
            (Outdated | Missing, true) => (
                SyncAction::Kept,
                Some("nothing to pull; `skillmeat sync` brings it forward".into()),
            ),
            (Diverged, true) => (
                SyncAction::Kept,
                Some("changed on both sides; run `skillmeat sync` to merge first, then `sync --pull`".into()),
            ),
        }
    };
    let mut decided = Vec::new();
    for (r, record, items) in work {
        let v: Vec<(Assessed, SyncAction, Option<String>)> = items
            .into_iter()
            .map(|a| {
                let (act, msg) = decide(&a);
                (a, act, msg)
            })
            .collect();
        decided.push((r, record, v));
    }
    let acting = |a: SyncAction| !matches!(a, SyncAction::Unchanged | SyncAction::Kept);
    let any = decided
        .iter()
        .any(|(_, _, v)| v.iter().any(|(_, a, _)| acting(*a)));
    if req.dry_run || !any {
        for (r, _, v) in decided {
            for (a, act, msg) in v {
                report.items.push(sync_item(r, &a, act, msg, Vec::new()));
            }
        }
        return Ok(report);
    }
    // Snapshot of every collection involved; edited copies about to be merged are saved in it.
    let saved = decided
        .iter()
        .flat_map(|(_, _, v)| v)
        .filter(|(a, act, _)| *act == SyncAction::Merged && a.dest.exists())
        .map(|(a, _, _)| snapshot::save_copy(&store, &a.dest))
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = decided
        .iter()
        .flat_map(|(_, _, v)| {
            v.iter()
                .filter(|(_, a, _)| acting(*a))
                .map(|(a, _, _)| a.d.collection.clone())
        })
        .collect();
    report.snapshot = snapshot_before(
        home,
        &mut colls,
        &names,
        if req.pull {
            "before sync --pull"
        } else {
            "before sync"
        },
        saved,
    )?;
    if req.pull {
        return pull(home, &store, decided, report);
    }
    let total = decided
        .iter()
        .flat_map(|(_, _, v)| v)
        .filter(|(_, a, _)| acting(*a))
        .count();
    progress.start(total as u64, "syncing");
    let now = Timestamp::now();
    for (r, mut record, v) in decided {
        let mut t = Txn::begin(&r.root)?;
        let mut edit = SettingsEdit::new(&r.root);
        let jobs: Vec<(usize, PathBuf)> = v
            .iter()
            .enumerate()
            .filter(|(_, (_, a, _))| acting(*a))
            .map(|(i, _)| (i, t.stage_path()))
            .collect();
        let results: Vec<(usize, PathBuf, String, Vec<String>)> = jobs
            .par_iter()
            .map(|(i, dst)| {
                let (a, act, _) = &v[*i];
                let src = a
                    .src
                    .as_ref()
                    .expect("only artifacts with a collection copy act");
                let res = if *act == SyncAction::Merged {
                    let base = base_files(&store, &a.d.content_hash)?;
                    let proj = read_files(&a.dest)?;
                    let coll = read_files(src)?;
                    let m = merge::merge(&base, &proj, &coll);
                    let single = !a.d.kind.is_dir();
                    stage_files(&store, &m.files, dst, single)?;
                    // The merged copy now holds the collection's changes: its base is the
                    // collection's copy (stored here, so the next merge can read it), and the
                    // project's own edits show as `modified`.
                    let base = store_files(&store, &coll)?;
                    (*i, dst.clone(), base, m.conflicts)
                } else {
                    let (h, _) = stage_copy(&store, src, dst)?;
                    (*i, dst.clone(), h, Vec::new())
                };
                progress.inc(1);
                Ok(res)
            })
            .collect::<Result<_, DeployError>>()?;
        let mut by_index: HashMap<usize, (PathBuf, String, Vec<String>)> = results
            .into_iter()
            .map(|(i, p, h, c)| (i, (p, h, c)))
            .collect();
        for (i, (a, act, msg)) in v.into_iter().enumerate() {
            let Some((dst, hash, conflicts)) = by_index.remove(&i) else {
                report.items.push(sync_item(r, &a, act, msg, Vec::new()));
                continue;
            };
            let act = if act == SyncAction::Merged && !conflicts.is_empty() {
                SyncAction::Conflicted
            } else {
                act
            };
            t.replace(a.dest.clone(), Some(dst.clone()));
            let mut d = a.d.clone();
            let mut msg = msg;
            if d.kind == ArtifactKind::Hook && r.target.settings_hooks {
                let hooks_json = if d.kind.is_dir() {
                    dst.join("hooks.json")
                } else {
                    dst.clone()
                };
                match hooks::read_groups(&hooks_json, &format!("{}{}", r.hook_prefix, d.path)) {
                    Ok(groups) => {
                        let file = d
                            .settings
                            .first()
                            .map(|e| e.file.clone())
                            .unwrap_or_else(|| settings_file(false).to_string());
                        // An entry for the same hook that SkillMeat no longer owns (edited by
                        // hand) is the user's now: sync neither duplicates nor replaces it.
                        let owned = SettingsEdit::owned_values(&record, &file);
                        let clash = hooks::clashes(edit.doc(&file)?, &groups, &owned);
                        if clash.is_empty() {
                            for e in &d.settings {
                                hooks::remove(edit.doc(&e.file)?, std::slice::from_ref(e));
                            }
                            d.settings = hooks::add(edit.doc(&file)?, &file, &groups);
                        } else {
                            msg = Some(format!(
                                "settings entries left as they were: {}; `skillmeat deploy {} --force` replaces it",
                                clash.join("; "),
                                d.name
                            ));
                        }
                    }
                    Err(e) => {
                        msg = Some(format!("settings entries left as they were: {e}"));
                    }
                }
            }
            d.content_hash = hash;
            d.deployed_at = now.clone();
            record.upsert(d);
            report.items.push(sync_item(r, &a, act, msg, conflicts));
        }
        report
            .backups
            .extend(edit.finish(&mut record, &store, Some(&mut t))?);
        record.record.txn = t.id.clone();
        record.record.updated = Some(now.clone());
        t.commit(
            &Record::path_in(&r.root),
            Some(record.render().into_bytes()),
        )?;
    }
    progress.finish();
    Ok(report)
}

fn sync_item(
    r: &Root,
    a: &Assessed,
    action: SyncAction,
    message: Option<String>,
    conflicts: Vec<String>,
) -> SyncItem {
    SyncItem {
        kind: a.d.kind,
        name: a.d.name.clone(),
        target: r.target.name.to_string(),
        path: a.dest.clone(),
        state: a.state,
        action,
        conflicts,
        message,
    }
}

type Decided<'a> = Vec<(
    &'a Root,
    Record,
    Vec<(Assessed, SyncAction, Option<String>)>,
)>;

/// `sync --pull`: copies edited deployed copies into their collections (lock hashes updated),
/// then moves each record's base to the pulled hash.
fn pull(
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
        let staging = tempfile::Builder::new()
            .prefix(".staging-")
            .tempdir_in(&coll.root)
            .map_err(|e| DeployError::io(&coll.root, e))?;
        let mut moves = Vec::new();
        let mut removals = Vec::new();
        for (i, (dest, kind, aname)) in items.iter().enumerate() {
            let entry = coll.manifest.find(*kind, aname).cloned().ok_or_else(|| {
                CollectionError::ArtifactNotFound {
                    name: aname.clone(),
                    collection: name.clone(),
                    hint: String::new(),
                }
            })?;
            let target = coll.artifact_path(&entry)?;
            let dst = staging.path().join(i.to_string());
            let (hash, _) = stage_copy(store, dest, &dst)?;
            if let Some(le) = coll.lock.entries.get_mut(&lock_key(*kind, aname)) {
                le.content_hash = Some(hash.clone());
            } else {
                coll.lock.entries.insert(
                    lock_key(*kind, aname),
                    crate::collection::LockEntry {
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
            removals.push(target.clone());
            moves.push((dst, target));
        }
        coll.manifest.touch();
        crate::collection::ops::commit_moves(&mut coll, moves, removals)?;
        drop(staging);
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
            record.record.txn = t.id.clone();
            record.record.updated = Some(now.clone());
            t.commit(
                &Record::path_in(&r.root),
                Some(record.render().into_bytes()),
            )?;
        }
    }
    Ok(report)
}

// ---------------------------------------------------------------- diff

/// `diff`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct DiffRequest {
    /// The deployed artifact's name.
    pub name: String,
    /// Its kind, when the name is used by more than one.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Where.
    #[serde(flatten)]
    pub place: Place,
}

/// How a file differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileChange {
    /// Only in the project copy.
    Added,
    /// Only in the collection copy.
    Removed,
    /// In both, different.
    Modified,
}

/// One file's difference.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FileDiff {
    /// Path inside the artifact.
    pub path: String,
    /// How it differs.
    pub change: FileChange,
    /// Unified diff from the collection copy (`a/`, ---) to the project copy (`b/`, +++).
    pub diff: String,
}

/// What `diff` found.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DiffReport {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name.
    pub name: String,
    /// The target.
    pub target: String,
    /// Its state.
    pub state: DriftState,
    /// The collection copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection_path: Option<PathBuf>,
    /// The deployed copy.
    pub project_path: PathBuf,
    /// Files that differ.
    pub files: Vec<FileDiff>,
}

/// Shows how a deployed copy differs from the collection's.
pub fn diff(home: &Home, req: DiffRequest) -> Result<DiffReport, DeployError> {
    let (_, roots) = req.place.roots(true)?;
    let mut colls = Colls::new(home);
    for r in &roots {
        let record = Record::load(&r.root)?;
        let Some(d) = record
            .deployed
            .iter()
            .find(|d| d.name == req.name && req.kind.is_none_or(|k| d.kind == k))
        else {
            continue;
        };
        let single = Record {
            deployed: vec![d.clone()],
            ..Record::default()
        };
        let a = assess(&mut colls, &r.root, &single)?.remove(0);
        let coll = match &a.src {
            Some(p) if p.exists() => read_files(p)?,
            _ => Files::new(),
        };
        let proj = if a.dest.exists() {
            read_files(&a.dest)?
        } else {
            Files::new()
        };
        let mut files = Vec::new();
        let mut paths: Vec<&String> = coll.keys().chain(proj.keys()).collect();
        paths.sort();
        paths.dedup();
        for p in paths {
            let c = coll.get(p).map(|x| x.0.as_slice());
            let q = proj.get(p).map(|x| x.0.as_slice());
            if c == q {
                continue;
            }
            let change = match (c, q) {
                (None, _) => FileChange::Added,
                (_, None) => FileChange::Removed,
                _ => FileChange::Modified,
            };
            files.push(FileDiff {
                path: p.clone(),
                change,
                diff: merge::unified(&format!("a/{p}"), c, &format!("b/{p}"), q),
            });
        }
        return Ok(DiffReport {
            kind: a.d.kind,
            name: a.d.name.clone(),
            target: r.target.name.to_string(),
            state: a.state,
            collection_path: a.src.clone(),
            project_path: a.dest.clone(),
            files,
        });
    }
    Err(DeployError::NotDeployed {
        kind: req
            .kind
            .map(|k| k.to_string())
            .unwrap_or_else(|| "artifact".into()),
        name: req.name,
        root: roots
            .first()
            .map(|r| r.root.clone())
            .unwrap_or_else(|| req.place.project.clone().unwrap_or_default()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_have_schemas_and_requests_take_minimal_json() {
        for schema in [
            schemars::schema_for!(DeployRequest),
            schemars::schema_for!(DeployReport),
            schemars::schema_for!(UndeployRequest),
            schemars::schema_for!(UndeployReport),
            schemars::schema_for!(DriftRequest),
            schemars::schema_for!(DriftReport),
            schemars::schema_for!(SyncRequest),
            schemars::schema_for!(SyncReport),
            schemars::schema_for!(DiffRequest),
            schemars::schema_for!(DiffReport),
            schemars::schema_for!(Record),
        ] {
            let v = serde_json::to_value(&schema).unwrap();
            assert!(
                v.get("properties").is_some() || v.get("$defs").is_some(),
                "{v}"
            );
        }
        let d = serde_json::to_value(schemars::schema_for!(DeployRequest)).unwrap();
        assert!(
            d["properties"]["project"].is_object(),
            "flattened place: {d}"
        );
        let r: DeployRequest = serde_json::from_str(
            r#"{"names": ["code-review"], "project": "/p", "scope": "user", "targets": ["agents"]}"#,
        )
        .unwrap();
        assert_eq!(r.place.scope, Scope::User);
        assert_eq!(r.place.targets, ["agents"]);
        let s: SyncRequest = serde_json::from_str("{}").unwrap();
        assert!(!s.pull && s.place.project.is_none());
        let _: DriftRequest = serde_json::from_str("{}").unwrap();
    }

    #[test]
    fn states_follow_the_three_hashes() {
        use DriftState::*;
        assert_eq!(state_of("b", Some("b"), Some("b")), Current);
        assert_eq!(state_of("b", Some("c"), Some("b")), Outdated);
        assert_eq!(state_of("b", Some("b"), Some("p")), Modified);
        assert_eq!(state_of("b", Some("c"), Some("p")), Diverged);
        assert_eq!(state_of("b", Some("c"), Some("c")), Current);
        assert_eq!(state_of("b", Some("b"), None), Missing);
        assert_eq!(state_of("b", None, Some("b")), Orphaned);
    }
}
