//! `sync`: bring deployed copies in step with the collection — forward, restored, or merged
//! three-way — or, with `pull`, take project edits back into the collection ([`super::pull`]).

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::change::{Colls, Use, commit_target, open_target, snapshot_before};
use super::drift::{Assessed, DriftState, assess};
use super::merge;
use super::place::Root;
use super::pull::pull;
use super::settings::{SettingsEdit, settings_file};
use super::stage::{base_files, read_files, stage_copy, stage_files, store_files};
use super::target::Scope;
use super::{DeployError, Record, hooks};
use crate::artifact::ArtifactKind;
use crate::hint::Fix;
use crate::home::Home;
use crate::progress::Progress;
use crate::snapshot;
use crate::store::Store;
use crate::time::Timestamp;
use crate::txn::Txn;

/// `sync`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// Only these deployed artifacts (all when empty).
    #[serde(default)]
    pub names: Vec<String>,
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
    /// The next step for an artifact left alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
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
    let (project, roots) = req.place().roots(true)?;
    // A dry run takes no lock (whose taking makes the home and recovers it): it reads.
    let _lock = if req.dry_run {
        None
    } else {
        Some(home.lock()?)
    };
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
    // Held until every target is committed.
    let mut _locks = Vec::new();
    let how = if req.dry_run { Use::DryRun } else { Use::Write };
    for r in &roots {
        let (record, lock) = open_target(&r.root, how, &mut report.recovered)?;
        _locks.push(lock);
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
                Some(format!("collection `{}` no longer has it", a.d.collection)),
            ),
            (Modified, true) => (SyncAction::Pulled, None),
            (Modified, false) => (SyncAction::Kept, Some("edited in the project".into())),
            (Outdated, false) => (SyncAction::Updated, None),
            (Missing, false) => (SyncAction::Restored, None),
            (Diverged, false) => (SyncAction::Merged, None),
            (Outdated | Missing, true) => (SyncAction::Kept, Some("nothing to pull".into())),
            (Diverged, true) => (SyncAction::Kept, Some("changed on both sides".into())),
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
                if progress.cancelled() {
                    return Err(DeployError::Cancelled);
                }
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
                            msg = Some(format!("{SETTINGS_KEPT}: {}", clash.join(", ")));
                        }
                    }
                    Err(e) => {
                        msg = Some(format!("settings entries not updated: {e}"));
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
            .extend(commit_target(&r.root, t, record, edit, &store, &now)?);
    }
    progress.finish();
    Ok(report)
}

pub(super) fn sync_item(
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
        fixes: item_fixes(a, action, message.as_deref()),
        message,
    }
}

/// How a sync item's note begins when a hook's settings entries were left alone.
const SETTINGS_KEPT: &str = "settings entries left as they were";

/// The next step for an artifact sync left alone (or whose settings entries it left alone).
fn item_fixes(a: &Assessed, action: SyncAction, message: Option<&str>) -> Vec<Fix> {
    use DriftState::*;
    let names = serde_json::json!([a.d.name]);
    if message.is_some_and(|m| m.starts_with(SETTINGS_KEPT)) {
        return vec![
            Fix::op_with(
                "deploy",
                serde_json::json!({"names": names, "kind": a.d.kind, "force": true}),
            )
            .why("to replace them"),
        ];
    }
    if action != SyncAction::Kept || a.error.is_some() {
        return Vec::new();
    }
    match a.state {
        Orphaned => {
            vec![Fix::op_with("undeploy", serde_json::json!({"names": names})).why("to remove it")]
        }
        Modified => vec![
            Fix::op_with("sync", serde_json::json!({"names": names, "pull": true}))
                .why("to take the edits into the collection"),
        ],
        Outdated | Missing => vec![
            Fix::op_with("sync", serde_json::json!({"names": names})).why("to bring it forward"),
        ],
        Diverged => vec![
            Fix::op_with("sync", serde_json::json!({"names": names}))
                .why("to merge first, then pull"),
        ],
        Current => Vec::new(),
    }
}

pub(super) type Decided<'a> = Vec<(
    &'a Root,
    Record,
    Vec<(Assessed, SyncAction, Option<String>)>,
)>;
