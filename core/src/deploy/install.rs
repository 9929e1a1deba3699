//! `deploy`: put collection artifacts into target folders, all or nothing per target, hooks'
//! entries merged into the settings files with recorded ownership.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::change::{Use, commit_target, open_target};
use super::place::Root;
use super::settings::{SettingsEdit, settings_file};
use super::stage::{hash_opt, stage_copy, under};
use super::target::Scope;
use super::{DeployError, Deployed, Record, hooks};
use crate::artifact::{ArtifactKind, hash_artifact};
use crate::collection::ops::find_entry;
use crate::collection::{ArtifactEntry, Collection, resolve_collection};
use crate::hint::{ErrorKind, Fix, Refusal};
use crate::home::Home;
use crate::progress::Progress;
use crate::snapshot::{self, SavedCopy};
use crate::store::Store;
use crate::time::Timestamp;
use crate::txn::{self, Txn};

/// `deploy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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

pub(super) struct DeployPlan {
    entry: ArtifactEntry,
    src: PathBuf,
    rel: String,
    dest: PathBuf,
    action: DeployAction,
    /// The deployed copy to save first (edited, or not SkillMeat's).
    save: bool,
    message: Option<String>,
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
    let (project, roots) = req.place().roots(false)?;
    // A dry run takes no lock (whose taking makes the home and recovers it): it reads.
    let _lock = if req.dry_run {
        None
    } else {
        Some(home.lock()?)
    };
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
    // Held until every target is committed.
    let mut _locks = Vec::new();
    let how = if req.dry_run { Use::DryRun } else { Use::Write };
    for (ri, r) in roots.iter().enumerate() {
        let (record, lock) = open_target(&r.root, how, &mut recovered)?;
        _locks.push(lock);
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
        return Err(DeployError::Refusal(
            Refusal::new(
                ErrorKind::Refused,
                format!("nothing was deployed: {}", refusals.join(", ")),
            )
            .fix(
                Fix::param_value("force", true)
                    .why("to replace them (edited copies are saved in a snapshot first)"),
            )
            .fix(
                Fix::op_with("diff", serde_json::json!({"name": "NAME"}))
                    .why("to see what changed"),
            ),
        ));
    }
    let mut report = DeployReport {
        collection: coll.name.clone(),
        project,
        scope: req.scope,
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
            if progress.cancelled() {
                return Err(DeployError::Cancelled);
            }
            let (hash, _) = stage_copy(&store, &p.src, dst)?;
            progress.inc(1);
            txn::pause("stage", staged_count.fetch_add(1, Ordering::SeqCst) + 1);
            Ok(hash)
        };
        // One at a time when a test pauses after the n-th, so "the n-th" means something.
        let hashes: Vec<String> = if txn::pausing("stage") {
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
            .extend(commit_target(&r.root, t, record, edit, &store, &now)?);
    }
    progress.finish();
    Ok(report)
}

pub(super) fn plan_one(
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
            message.map(|m| format!("{m}; replaced as forced, the edited copy is in the snapshot"));
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
