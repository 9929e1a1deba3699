//! `undeploy`: remove deployed copies and exactly the settings entries SkillMeat wrote for them.

use std::fs;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::change::{Colls, Use, commit_target, open_target, snapshot_before};
use super::settings::SettingsEdit;
use super::stage::{hash_opt, under};
use super::target::Scope;
use super::target::TARGETS;
use super::{DeployError, Deployed, hooks};
use crate::artifact::ArtifactKind;
use crate::hint::{ErrorKind, Fix, Refusal};
use crate::home::Home;
use crate::snapshot;
use crate::store::Store;
use crate::time::Timestamp;
use crate::txn::Txn;

/// `undeploy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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

/// Removes deployed artifacts and exactly the settings entries SkillMeat wrote for them.
pub fn undeploy(home: &Home, req: UndeployRequest) -> Result<UndeployReport, DeployError> {
    if req.names.is_empty() && !req.all {
        return Err(DeployError::NothingSelected("undeploy"));
    }
    let (project, roots) = req.place().roots(true)?;
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
    // A dry run takes no lock (whose taking makes the home and recovers it): it reads.
    let _lock = if req.dry_run {
        None
    } else {
        Some(home.lock()?)
    };
    let store = Store::open(home);
    let mut colls = Colls::new(home);
    let mut recovered = Vec::new();
    let mut work = Vec::new();
    let mut locks = Vec::new();
    let how = if req.dry_run { Use::DryRun } else { Use::Write };
    let mut refusals = Vec::new();
    for r in &roots {
        let (record, lock) = open_target(&r.root, how, &mut recovered)?;
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
                        return Err(DeployError::Refusal(
                            Refusal::new(
                                ErrorKind::Usage,
                                format!(
                                    "`{n}` names more than one deployed artifact in {} ({})",
                                    r.root.display(),
                                    found
                                        .iter()
                                        .map(|d| d.kind.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            )
                            .fix(Fix::param("kind").why("to say which")),
                        ));
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
        locks.push(lock);
    }
    if !refusals.is_empty() {
        return Err(DeployError::Refusal(
            Refusal::new(
                ErrorKind::Refused,
                format!("nothing was removed: {}", refusals.join(", ")),
            )
            .fix(
                Fix::param_value("force", true)
                    .why("to remove them anyway (they are saved in a snapshot first)"),
            )
            .fix(Fix::op_with("sync", serde_json::json!({"pull": true})).why("to keep the edits")),
        ));
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
    for ((r, mut record, items), lock) in work.into_iter().zip(locks) {
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
        if let Some(t) = t {
            let now = Timestamp::now();
            report
                .backups
                .extend(commit_target(&r.root, t, record, edit, &store, &now)?);
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
            drop(lock);
        }
    }
    Ok(report)
}
