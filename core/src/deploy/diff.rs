//! `diff`: how a deployed copy differs from the collection's, file by file.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::change::Colls;
use super::drift::{DriftState, assess};
use super::merge::{self, Files};
use super::stage::read_files;
use super::target::Scope;
use super::{DeployError, Record};
use crate::artifact::ArtifactKind;
use crate::home::Home;

/// `diff`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffRequest {
    /// The deployed artifact's name.
    pub name: String,
    /// Its kind, when the name is used by more than one.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
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
    let (_, roots) = req.place().roots(true)?;
    let mut colls = Colls::new(home);
    for r in &roots {
        // Read-only: a change another command is applying right now is waited for (and one a
        // killed command left is undone), so the copies compared are whole.
        crate::txn::settle(&r.root);
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
            .unwrap_or_else(|| req.project.clone().unwrap_or_default()),
    })
}
