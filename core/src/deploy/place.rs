//! Where a deploy command works: the project or the user's home, the scope, and the target
//! folders it resolves to.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::target::{self, Scope, TARGETS, Target};
use super::{DeployError, Record};
use crate::home::user_home;

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

/// The requests that work on a place: each spells out `project`, `scope` and `targets` (no
/// `#[serde(flatten)]`, which would defeat `deny_unknown_fields`) and hands them over as one.
macro_rules! place_of {
    ($($request:ty),*) => {$(
        impl $request {
            /// Where the request works.
            pub fn place(&self) -> Place {
                Place {
                    project: self.project.clone(),
                    scope: self.scope,
                    targets: self.targets.clone(),
                }
            }
        }
    )*};
}

place_of!(
    super::DeployRequest,
    super::UndeployRequest,
    super::DriftRequest,
    super::SyncRequest,
    super::DiffRequest
);

pub(super) struct Root {
    pub(super) target: &'static Target,
    pub(super) root: PathBuf,
    /// What `${CLAUDE_PLUGIN_ROOT}` of a hook deployed at `<rel>` becomes: a prefix + rel.
    pub(super) hook_prefix: String,
}

impl Place {
    pub(super) fn project_dir(&self) -> Result<PathBuf, DeployError> {
        let p = match &self.project {
            Some(p) => p.clone(),
            None => std::env::current_dir().map_err(|e| DeployError::io(".", e))?,
        };
        std::path::absolute(&p).map_err(|e| DeployError::io(&p, e))
    }

    /// The target folders; `existing_only` picks, when no target is named, those with a record
    /// (or a change in progress).
    pub(super) fn roots(&self, existing_only: bool) -> Result<(PathBuf, Vec<Root>), DeployError> {
        let project = self.project_dir()?;
        let home = match self.scope {
            Scope::User => user_home().ok_or(DeployError::NoUserHome)?,
            Scope::Project => PathBuf::new(),
        };
        let targets: Vec<&'static Target> = if self.targets.is_empty() {
            if existing_only {
                TARGETS
                    .iter()
                    .filter(|t| {
                        // A half-done first deploy has no record yet, only its staging folder.
                        let root = t.root(self.scope, &project, &home);
                        Record::path_in(&root).is_file() || crate::txn::pending(&root)
                    })
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
