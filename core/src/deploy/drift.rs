//! `drift`: the state of every deployed artifact, from three hashes (DESIGN.md §4.2).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::change::{Colls, Use, open_target};
use super::stage::{hash_opt, under};
use super::target::Scope;
use super::{DeployError, Deployed, Record, hooks};
use crate::artifact::ArtifactKind;
use crate::home::Home;

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

pub(super) fn state_of(base: &str, coll: Option<&str>, proj: Option<&str>) -> DriftState {
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

pub(super) struct Assessed {
    pub(super) d: Deployed,
    pub(super) dest: PathBuf,
    pub(super) src: Option<PathBuf>,
    pub(super) coll_hash: Option<String>,
    pub(super) proj_hash: Option<String>,
    pub(super) state: DriftState,
    pub(super) error: Option<String>,
    pub(super) settings_missing: Vec<String>,
}

pub(super) fn assess(
    colls: &mut Colls,
    root: &Path,
    record: &Record,
) -> Result<Vec<Assessed>, DeployError> {
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
#[serde(deny_unknown_fields)]
pub struct DriftRequest {
    /// The project folder, absolute or relative to the working folder (the current folder
    /// when absent; required where there is no working folder, as over MCP). Unused for user
    /// scope.
    #[serde(default)]
    pub project: Option<PathBuf>,
    /// `project` (the default: `<project>/.claude`) or `user` (`~/.claude`, for every project).
    #[serde(default)]
    pub scope: Scope,
    /// Target names (`claude`, `agents`); empty means `claude` for deploy and every target
    /// with a deployment record otherwise.
    #[serde(default)]
    pub targets: Vec<String>,
}

/// Compares every deployed artifact with its base and its collection copy.
pub fn drift(home: &Home, req: DriftRequest) -> Result<DriftReport, DeployError> {
    let (project, roots) = req.place().roots(true)?;
    let _lock = home.lock()?;
    let mut colls = Colls::new(home);
    let mut items = Vec::new();
    let mut recovered = Vec::new();
    for r in &roots {
        let (record, _lock) = open_target(&r.root, Use::Read, &mut recovered)?;
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
        scope: req.scope,
        items,
        counts,
        recovered,
    })
}
