//! `deploy`, `undeploy`, `drift`, `sync`, `diff` and `snapshot`: the clap definitions, one
//! registry call each (the `deploy` toolset of `skillmeat_core::op`), and their text rendering.
//! `--json` prints the core report types as they are.
//!
//! `drift` is the per-project state of deployed artifacts; the top-level `status` stays the
//! collection's own state against its lock.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use skillmeat_core::ArtifactKind;
use skillmeat_core::deploy::{
    DeployAction, DeployReport, DeployRequest, DiffReport, DiffRequest, DriftReport, DriftRequest,
    DriftState, Scope, SyncAction, SyncReport, SyncRequest, UndeployReport, UndeployRequest,
};
use skillmeat_core::op::{self, OpContext};
use skillmeat_core::snapshot::SnapshotInfo;
use skillmeat_core::snapshot::ops::{
    SnapshotCreateRequest, SnapshotListReport, SnapshotRestoreReport, SnapshotRestoreRequest,
};

use crate::output::{Out, capped, counts, plural};
use crate::{call, hints};

/// The deploy command group (flattened into the top-level commands).
#[derive(Debug, Subcommand)]
pub enum DeployCmd {
    /// Deploy artifacts into a project's .claude/ (or ~/.claude with --scope user)
    Deploy(DeployArgs),
    /// Remove deployed artifacts and exactly the settings entries SkillMeat wrote for them
    Undeploy(UndeployArgs),
    /// Show each deployed artifact's state: current, outdated, modified, diverged, missing
    #[command(visible_alias = "deployed")]
    Drift(PlaceArgs),
    /// Bring deployed copies up to date (three-way merge when both sides changed), or --pull
    /// project edits back into the collection
    Sync(SyncArgs),
    /// Show how a deployed copy differs from the collection's (unified diff)
    Diff(DiffArgs),
    /// Snapshots of a collection: create, list, restore
    #[command(subcommand)]
    Snapshot(SnapshotCmd),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScopeArg {
    /// <project>/.claude
    Project,
    /// ~/.claude (all projects)
    User,
}

/// Where a command works.
#[derive(Debug, Args)]
pub struct PlaceArgs {
    /// The project folder [default: the current folder]
    #[arg(long, value_name = "DIR")]
    project: Option<PathBuf>,
    /// project (<project>/.claude) or user (~/.claude)
    #[arg(long, value_enum, default_value = "project")]
    scope: ScopeArg,
    /// Deploy targets, comma-separated or repeated: claude, agents [default: claude for deploy,
    /// every target with a record otherwise]
    #[arg(long = "target", value_name = "TARGET", value_delimiter = ',')]
    targets: Vec<String>,
}

impl PlaceArgs {
    fn scope(&self) -> Scope {
        match self.scope {
            ScopeArg::Project => Scope::Project,
            ScopeArg::User => Scope::User,
        }
    }
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Artifact names or aliases
    #[arg(required_unless_present = "all")]
    names: Vec<String>,
    /// Deploy every artifact of the collection
    #[arg(long, conflicts_with = "names")]
    all: bool,
    /// Only this kind (also settles a name used by two kinds)
    #[arg(long, short = 'k')]
    kind: Option<ArtifactKind>,
    #[command(flatten)]
    place: PlaceArgs,
    /// Show what would happen, change nothing
    #[arg(long)]
    dry_run: bool,
    /// Put hook entries into settings.local.json instead of settings.json
    #[arg(long)]
    local: bool,
    /// Replace edited copies, files SkillMeat did not write, and hook entries it does not own
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
pub struct UndeployArgs {
    /// Names of deployed artifacts
    #[arg(required_unless_present = "all")]
    names: Vec<String>,
    /// Remove everything SkillMeat deployed in the targets
    #[arg(long, conflicts_with = "names")]
    all: bool,
    /// Only this kind
    #[arg(long, short = 'k')]
    kind: Option<ArtifactKind>,
    #[command(flatten)]
    place: PlaceArgs,
    /// Show what would happen, change nothing
    #[arg(long)]
    dry_run: bool,
    /// Remove copies edited since deploy too (saved in a snapshot first)
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only these deployed artifacts
    names: Vec<String>,
    #[command(flatten)]
    place: PlaceArgs,
    /// Show what would happen, change nothing
    #[arg(long)]
    dry_run: bool,
    /// Take project edits back into the collection (updates the lock)
    #[arg(long)]
    pull: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The deployed artifact
    name: String,
    /// Its kind, when the name is used by more than one
    #[arg(long, short = 'k')]
    kind: Option<ArtifactKind>,
    #[command(flatten)]
    place: PlaceArgs,
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCmd {
    /// Record the collection's manifest, lock and files (blobs are shared: kilobytes each)
    Create {
        /// A note shown by `snapshot list`
        #[arg(long, short = 'm')]
        message: Option<String>,
    },
    /// List the collection's snapshots, oldest first
    List,
    /// Bring manifest, lock and files back to a snapshot, all together
    Restore {
        /// The snapshot id (see `snapshot list`)
        id: String,
        /// Put back only the edited deployed copies the snapshot saved; leave the collection
        #[arg(long)]
        copies: bool,
        /// Show what would be restored, change nothing
        #[arg(long)]
        dry_run: bool,
    },
}

/// The footer of a command that changed deployed copies: recovered changes, the snapshot and
/// settings backups.
fn footer(snapshot: &Option<String>, backups: &[PathBuf], recovered: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = recovered.iter().map(|r| format!("note: {r}")).collect();
    if let Some(s) = snapshot {
        lines.push(format!(
            "snapshot {s} taken first (`skillmeat snapshot restore {s}` undoes collection changes)"
        ));
    }
    for b in backups {
        lines.push(format!("backup of the settings file: {}", b.display()));
    }
    lines
}

/// Runs one command of the group.
pub fn run(ctx: &OpContext, out: &Out, cmd: DeployCmd) -> Result<()> {
    match cmd {
        DeployCmd::Deploy(a) => {
            let req = DeployRequest {
                collection: None,
                names: a.names,
                kind: a.kind,
                all: a.all,
                scope: a.place.scope(),
                project: a.place.project,
                targets: a.place.targets,
                dry_run: a.dry_run,
                local: a.local,
                force: a.force,
            };
            print_deploy(out, &call::<op::Deploy>(ctx, req)?)
        }
        DeployCmd::Undeploy(a) => {
            let req = UndeployRequest {
                names: a.names,
                kind: a.kind,
                all: a.all,
                scope: a.place.scope(),
                project: a.place.project,
                targets: a.place.targets,
                dry_run: a.dry_run,
                force: a.force,
            };
            print_undeploy(out, &call::<op::Undeploy>(ctx, req)?)
        }
        DeployCmd::Drift(place) => {
            let req = DriftRequest {
                scope: place.scope(),
                project: place.project,
                targets: place.targets,
            };
            print_drift(out, &call::<op::DeploymentStatus>(ctx, req)?)
        }
        DeployCmd::Sync(a) => {
            let req = SyncRequest {
                names: a.names,
                scope: a.place.scope(),
                project: a.place.project,
                targets: a.place.targets,
                dry_run: a.dry_run,
                pull: a.pull,
            };
            print_sync(out, &call::<op::Sync>(ctx, req)?)
        }
        DeployCmd::Diff(a) => {
            let req = DiffRequest {
                name: a.name,
                kind: a.kind,
                scope: a.place.scope(),
                project: a.place.project,
                targets: a.place.targets,
            };
            print_diff(out, &call::<op::Diff>(ctx, req)?)
        }
        DeployCmd::Snapshot(s) => match s {
            SnapshotCmd::Create { message } => {
                let req = SnapshotCreateRequest {
                    collection: None,
                    reason: message,
                };
                print_snapshot(out, &call::<op::SnapshotCreate>(ctx, req)?)
            }
            SnapshotCmd::List => print_snapshots(
                out,
                &call::<op::SnapshotList>(ctx, op::CollectionRequest::default())?,
            ),
            SnapshotCmd::Restore {
                id,
                copies,
                dry_run,
            } => {
                let req = SnapshotRestoreRequest {
                    collection: None,
                    id,
                    copies,
                    dry_run,
                };
                print_restore(out, &call::<op::SnapshotRestore>(ctx, req)?)
            }
        },
    }
}

fn print_deploy(out: &Out, r: &DeployReport) -> Result<()> {
    out.emit(r, || {
        let changed = r
            .items
            .iter()
            .filter(|i| !matches!(i.action, DeployAction::Unchanged | DeployAction::Skipped))
            .count();
        let verb = if r.dry_run {
            "Would deploy"
        } else {
            "Deployed"
        };
        let mut lines = vec![format!(
            "{verb} {} from `{}` to {} ({} scope; {} already current)",
            plural(changed, "artifact"),
            r.collection,
            r.project.display(),
            r.scope.as_str(),
            r.items
                .iter()
                .filter(|i| i.action == DeployAction::Unchanged)
                .count()
        )];
        lines.extend(capped(
            r.items
                .iter()
                .filter(|i| i.action != DeployAction::Unchanged)
                .map(|i| {
                    let mark = match i.action {
                        DeployAction::Deployed => "+",
                        DeployAction::Updated => "~",
                        DeployAction::Replaced => "!",
                        DeployAction::Skipped => "-",
                        DeployAction::Unchanged => "=",
                    };
                    item_line(
                        mark,
                        i.kind,
                        &i.name,
                        &i.path,
                        &i.settings,
                        i.message.as_deref(),
                    )
                })
                .collect(),
        ));
        lines.extend(footer(&r.snapshot, &r.backups, &r.recovered));
        lines
    })
}

/// One line of a deploy or undeploy report: mark, kind, name, path, settings entries, note.
fn item_line(
    mark: &str,
    kind: ArtifactKind,
    name: &str,
    path: &std::path::Path,
    settings: &[String],
    message: Option<&str>,
) -> String {
    let mut l = format!(
        "  {mark} {:<8} {:<28} {}",
        kind.as_str(),
        name,
        path.display()
    );
    if !settings.is_empty() {
        l.push_str(&format!(" [{}]", settings.join(", ")));
    }
    if let Some(m) = message {
        l.push_str(&format!(" ({m})"));
    }
    l
}

fn print_undeploy(out: &Out, r: &UndeployReport) -> Result<()> {
    out.emit(r, || {
        let verb = if r.dry_run { "Would remove" } else { "Removed" };
        let mut lines = vec![format!(
            "{verb} {} from {}",
            plural(r.items.len(), "artifact"),
            r.project.display()
        )];
        lines.extend(capped(
            r.items
                .iter()
                .map(|i| {
                    item_line(
                        "-",
                        i.kind,
                        &i.name,
                        &i.path,
                        &i.settings,
                        i.message.as_deref(),
                    )
                })
                .collect(),
        ));
        lines.extend(footer(&r.snapshot, &r.backups, &r.recovered));
        lines
    })
}

fn print_drift(out: &Out, r: &DriftReport) -> Result<()> {
    out.emit(r, || {
        let mut lines: Vec<String> = r.recovered.iter().map(|n| format!("note: {n}")).collect();
        if r.items.is_empty() {
            lines.push(format!(
                "Nothing deployed by SkillMeat in {} ({} scope); deploy with `skillmeat deploy NAME`.",
                r.project.display(),
                r.scope.as_str()
            ));
            return lines;
        }
        let summary = counts(&r.counts);
        lines.push(format!(
            "{} deployed in {} ({summary})",
            plural(r.items.len(), "artifact"),
            r.project.display()
        ));
        lines.extend(capped(
            r.items
                .iter()
                .filter(|i| i.state != DriftState::Current)
                .map(|i| {
                    let mut l = format!(
                        "  {:<9} {:<8} {:<28} {}",
                        i.state.as_str(),
                        i.kind.as_str(),
                        i.name,
                        i.path.display()
                    );
                    if let Some(e) = &i.error {
                        l.push_str(&format!(" — {e}"));
                    }
                    if !i.settings_missing.is_empty() {
                        l.push_str(&format!(
                            " — settings entries gone: {}; `skillmeat sync` writes them back",
                            i.settings_missing.join(", ")
                        ));
                    }
                    l
                })
                .collect(),
        ));
        lines
    })
}

fn print_sync(out: &Out, r: &SyncReport) -> Result<()> {
    out.emit(r, || {
        let acted = r
            .items
            .iter()
            .filter(|i| !matches!(i.action, SyncAction::Unchanged | SyncAction::Kept))
            .count();
        let verb = match (r.dry_run, r.pull) {
            (true, true) => "Would pull",
            (true, false) => "Would sync",
            (false, true) => "Pulled",
            (false, false) => "Synced",
        };
        let mut lines = vec![format!(
            "{verb} {} in {} ({} unchanged)",
            plural(acted, "artifact"),
            r.project.display(),
            r.items
                .iter()
                .filter(|i| i.action == SyncAction::Unchanged)
                .count()
        )];
        let mut items = Vec::new();
        for i in r.items.iter().filter(|i| i.action != SyncAction::Unchanged) {
            let word = match i.action {
                SyncAction::Updated => "updated",
                SyncAction::Restored => "restored",
                SyncAction::Merged => "merged",
                SyncAction::Conflicted => "CONFLICT",
                SyncAction::Pulled => "pulled",
                SyncAction::Kept => "kept",
                SyncAction::Unchanged => "current",
            };
            let mut l = format!(
                "  {word:<9} {:<8} {:<28} ({})",
                i.kind.as_str(),
                i.name,
                i.state.as_str()
            );
            if let Some(m) = hints::note(i.message.as_deref(), &i.fixes) {
                l.push_str(&format!(" {m}"));
            }
            items.push(l);
            for c in &i.conflicts {
                items.push(format!("      {c}"));
            }
        }
        lines.extend(capped(items));
        lines.extend(footer(&r.snapshot, &r.backups, &r.recovered));
        lines
    })
}

fn print_diff(out: &Out, r: &DiffReport) -> Result<()> {
    out.emit_raw(r, || {
        if r.files.is_empty() {
            return format!(
                "{} `{}` is the same in the project and the collection ({})\n",
                r.kind,
                r.name,
                r.state.as_str()
            );
        }
        let mut text = format!(
            "{} `{}` ({}): a/ = collection {}, b/ = project {}\n",
            r.kind,
            r.name,
            r.state.as_str(),
            r.collection_path
                .as_ref()
                .map(|c| c.display().to_string())
                .unwrap_or_else(|| "(gone)".into()),
            r.project_path.display()
        );
        for f in &r.files {
            text.push_str(&f.diff);
        }
        text
    })
}

fn print_snapshot(out: &Out, r: &SnapshotInfo) -> Result<()> {
    out.emit(r, || {
        vec![format!(
            "Snapshot {} of `{}`: {}, {} bytes ({})",
            r.id,
            r.collection,
            plural(r.artifacts, "artifact"),
            r.bytes,
            r.path.display()
        )]
    })
}

fn print_snapshots(out: &Out, r: &SnapshotListReport) -> Result<()> {
    out.emit(r, || {
        if r.snapshots.is_empty() {
            return vec![format!(
                "No snapshots of `{}` yet; take one with `skillmeat snapshot create`.",
                r.collection
            )];
        }
        r.snapshots
            .iter()
            .map(|s| {
                format!(
                    "{:<22} {:<22} {:>5} artifacts {:>8} bytes  {}",
                    s.id,
                    s.created.to_string(),
                    s.artifacts,
                    s.bytes,
                    s.reason
                )
            })
            .collect()
    })
}

fn print_restore(out: &Out, r: &SnapshotRestoreReport) -> Result<()> {
    out.emit(r, || {
        let before = r.before.as_deref().unwrap_or("-");
        let copies = match r.copies.len() {
            1 => "1 deployed copy".to_string(),
            n => format!("{n} deployed copies"),
        };
        let mut lines = Vec::new();
        if r.dry_run {
            lines.push(if r.copies.is_empty() {
                format!(
                    "Would restore `{}` to snapshot {} ({})",
                    r.collection,
                    r.id,
                    plural(r.artifacts, "artifact")
                )
            } else {
                format!("Would put back {copies} saved in snapshot {}", r.id)
            });
        } else if !r.copies.is_empty() {
            lines.push(format!(
                "Put back {copies} saved in snapshot {}; the state before is snapshot {before}",
                r.id
            ));
        } else {
            lines.push(format!(
                "Restored `{}` to snapshot {} ({}); the state before is snapshot {before}",
                r.collection,
                r.id,
                plural(r.artifacts, "artifact")
            ));
        }
        lines.extend(capped(
            r.copies
                .iter()
                .map(|c| format!("  {}", c.display()))
                .collect(),
        ));
        lines
    })
}
