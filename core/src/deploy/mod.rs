//! Deploy, drift, sync and diff (DESIGN.md §4): putting collection artifacts where agents read
//! them, knowing what became of them, and keeping both sides in step.
//!
//! Each target folder (`<project>/.claude`, `~/.claude`, `<project>/.agents`, … — see
//! [`target::TARGETS`]) holds a deployment record ([`record`]) naming what SkillMeat put there
//! and the content hash it put there (the merge base, its blobs kept in the [`crate::store`]).
//! Comparing that base with the collection copy and the deployed copy gives each artifact's
//! state ([`DriftState`]); `sync` acts on it.
//!
//! Every change to a target folder is one transaction, opened and committed by the one sequence
//! in `change.rs`: new copies are staged next to their final place and renamed in, settings
//! files and the record are written last, and a failure or a kill leaves the folder fully old or
//! fully new. Commands that replace or remove deployed files take a snapshot first, saving any
//! edited copy they replace.
//!
//! One file per command: `install.rs` (deploy), `undeploy.rs`, `drift.rs`, `sync.rs`,
//! `pull.rs` (sync --pull), `diff.rs`; `place.rs`, `stage.rs`, `settings.rs` and `change.rs`
//! hold what they share.

mod change;
mod diff;
mod drift;
mod hooks;
mod install;
mod merge;
mod place;
mod pull;
pub mod record;
mod settings;
mod stage;
mod sync;
pub mod target;
mod undeploy;

use std::path::PathBuf;

use thiserror::Error;

pub use diff::{DiffReport, DiffRequest, FileChange, FileDiff, diff};
pub use drift::{DriftItem, DriftReport, DriftRequest, DriftState, drift};
pub use install::{DeployAction, DeployItem, DeployReport, DeployRequest, deploy};
pub use place::Place;
pub use record::{Deployed, OwnedEntry, RECORD_FILE, Record};
pub use sync::{SyncAction, SyncItem, SyncReport, SyncRequest, sync};
pub use target::{Scope, TARGETS, Target};
pub use undeploy::{UndeployItem, UndeployReport, UndeployRequest, undeploy};

use crate::artifact::HashError;
use crate::collection::CollectionError;
use crate::fsx::FsError;
use crate::home::HomeError;
use crate::snapshot::SnapshotError;
use crate::store::StoreError;
use crate::txn::TxnError;

/// Everything that can go wrong deploying. Each message is one sentence naming the file (with
/// line:col where there is one) and the fix.
#[derive(Debug, Error)]
pub enum DeployError {
    #[error("unknown target `{0}`; use one of {1}")]
    UnknownTarget(String, String),
    #[error("nothing says which artifacts to {0}")]
    NothingSelected(&'static str),
    #[error("cannot tell the user's home folder for user scope; set HOME")]
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
    /// A refusal with its next steps (edited copies, entries SkillMeat does not own).
    #[error(transparent)]
    Refusal(crate::hint::Refusal),
    /// The caller cancelled before anything was changed.
    #[error("cancelled before the change was committed")]
    Cancelled,
    #[error("{kind} `{name}` is not deployed in {root}")]
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

impl crate::hint::Hinted for DeployError {
    fn kind(&self) -> crate::hint::ErrorKind {
        use crate::hint::ErrorKind as K;
        match self {
            DeployError::UnknownTarget(..)
            | DeployError::NothingSelected(_)
            | DeployError::NoUserHome => K::Usage,
            DeployError::Settings { .. }
            | DeployError::HookFile { .. }
            | DeployError::Record { .. } => K::Invalid,
            DeployError::Refused(_) => K::Refused,
            DeployError::Refusal(r) => r.kind,
            DeployError::Cancelled => K::Cancelled,
            DeployError::NotDeployed { .. } => K::NotFound,
            DeployError::Io { source, .. } => crate::hint::io_kind(source),
            DeployError::Collection(e) => e.kind(),
            DeployError::Hash(e) => e.kind(),
            DeployError::Store(e) => e.kind(),
            DeployError::Snapshot(e) => e.kind(),
            DeployError::Home(e) => e.kind(),
        }
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        use crate::hint::Fix;
        match self {
            DeployError::NothingSelected(_) => vec![
                Fix::param("names").why("naming them"),
                Fix::param_value("all", true).why("for all of them"),
            ],
            DeployError::NotDeployed { .. } => {
                vec![Fix::op("deployment_status").why("to see what is deployed")]
            }
            DeployError::Refusal(r) => r.fixes.clone(),
            DeployError::Collection(e) => e.fixes(),
            DeployError::Hash(e) => e.fixes(),
            DeployError::Store(e) => e.fixes(),
            DeployError::Snapshot(e) => e.fixes(),
            DeployError::Home(e) => e.fixes(),
            _ => Vec::new(),
        }
    }
}

impl From<TxnError> for DeployError {
    fn from(e: TxnError) -> Self {
        match e {
            TxnError::Io { path, source } => DeployError::Io { path, source },
            other => DeployError::Refusal(crate::hint::Refusal::of(&other)),
        }
    }
}

impl From<FsError> for DeployError {
    fn from(e: FsError) -> Self {
        DeployError::io(e.path, e.source)
    }
}

impl DeployError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DeployError::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::drift::state_of;
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
        assert!(d["properties"]["project"].is_object(), "inline place: {d}");
        let r: DeployRequest = serde_json::from_str(
            r#"{"names": ["code-review"], "project": "/p", "scope": "user", "targets": ["agents"]}"#,
        )
        .unwrap();
        assert_eq!(r.scope, Scope::User);
        assert_eq!(r.targets, ["agents"]);
        let s: SyncRequest = serde_json::from_str("{}").unwrap();
        assert!(!s.pull && s.project.is_none());
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
