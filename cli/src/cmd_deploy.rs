//! `deploy`, `undeploy`, `drift`, `sync`, `diff` and `snapshot`: the clap definitions, one core
//! call each (`skillmeat_core::deploy`, `skillmeat_core::snapshot`), and their text rendering.
//! `--json` prints the core report types as they are.
//!
//! `drift` is the per-project state of deployed artifacts; the top-level `status` stays the
//! collection's own state against its lock.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use skillmeat_core::collection::ops::Progress;
use skillmeat_core::deploy::{
    self, DeployAction, DeployReport, DiffReport, DriftReport, DriftState, Place, Scope,
    SyncAction, SyncReport, UndeployReport,
};
use skillmeat_core::snapshot::SnapshotInfo;
use skillmeat_core::snapshot::ops::{self as snapshot, SnapshotListReport, SnapshotRestoreReport};
use skillmeat_core::{ArtifactKind, Home};

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
    fn place(self) -> Place {
        Place {
            project: self.project,
            scope: match self.scope {
                ScopeArg::Project => Scope::Project,
                ScopeArg::User => Scope::User,
            },
            targets: self.targets,
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
    },
}

/// Prints reports as text or JSON.
struct Printer {
    json: bool,
    quiet: bool,
}

impl Printer {
    fn json<T: Serialize>(&self, v: &T) -> Result<bool> {
        if self.json {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, v)?;
            writeln!(out)?;
        }
        Ok(self.json)
    }

    fn say(&self, s: &str) -> Result<()> {
        if !self.quiet {
            writeln!(std::io::stdout().lock(), "{s}")?;
        }
        Ok(())
    }

    fn lines(&self, lines: &[String]) -> Result<()> {
        for l in lines.iter().take(50) {
            self.say(l)?;
        }
        if lines.len() > 50 {
            self.say(&format!(
                "  … and {} more (use --json for all)",
                lines.len() - 50
            ))?;
        }
        Ok(())
    }

    fn footer(
        &self,
        snapshot: &Option<String>,
        backups: &[PathBuf],
        recovered: &[String],
    ) -> Result<()> {
        for r in recovered {
            self.say(&format!("note: {r}"))?;
        }
        if let Some(s) = snapshot {
            self.say(&format!("snapshot {s} taken first (`skillmeat snapshot restore {s}` undoes collection changes)"))?;
        }
        for b in backups {
            self.say(&format!("backup of the settings file: {}", b.display()))?;
        }
        Ok(())
    }
}

/// Runs one command of the group.
pub fn run(
    home: &Home,
    collection: Option<String>,
    json: bool,
    quiet: bool,
    progress: &dyn Progress,
    cmd: DeployCmd,
) -> Result<()> {
    let p = Printer { json, quiet };
    match cmd {
        DeployCmd::Deploy(a) => {
            let r = deploy::deploy(
                home,
                deploy::DeployRequest {
                    collection,
                    names: a.names,
                    kind: a.kind,
                    all: a.all,
                    place: a.place.place(),
                    dry_run: a.dry_run,
                    local: a.local,
                    force: a.force,
                },
                progress,
            )?;
            print_deploy(&p, &r)
        }
        DeployCmd::Undeploy(a) => {
            let r = deploy::undeploy(
                home,
                deploy::UndeployRequest {
                    names: a.names,
                    kind: a.kind,
                    all: a.all,
                    place: a.place.place(),
                    dry_run: a.dry_run,
                    force: a.force,
                },
            )?;
            print_undeploy(&p, &r)
        }
        DeployCmd::Drift(place) => {
            let r = deploy::drift(
                home,
                deploy::DriftRequest {
                    place: place.place(),
                },
            )?;
            print_drift(&p, &r)
        }
        DeployCmd::Sync(a) => {
            let r = deploy::sync(
                home,
                deploy::SyncRequest {
                    names: a.names,
                    place: a.place.place(),
                    dry_run: a.dry_run,
                    pull: a.pull,
                },
                progress,
            )?;
            print_sync(&p, &r)
        }
        DeployCmd::Diff(a) => {
            let r = deploy::diff(
                home,
                deploy::DiffRequest {
                    name: a.name,
                    kind: a.kind,
                    place: a.place.place(),
                },
            )?;
            print_diff(&p, &r)
        }
        DeployCmd::Snapshot(s) => match s {
            SnapshotCmd::Create { message } => {
                let r = snapshot::create(
                    home,
                    snapshot::SnapshotCreateRequest {
                        collection,
                        reason: message,
                    },
                )?;
                print_snapshot(&p, &r)
            }
            SnapshotCmd::List => print_snapshots(&p, &snapshot::list(home, collection.as_deref())?),
            SnapshotCmd::Restore { id, copies } => {
                let r = snapshot::restore(
                    home,
                    snapshot::SnapshotRestoreRequest {
                        collection,
                        id,
                        copies,
                    },
                )?;
                print_restore(&p, &r)
            }
        },
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn print_deploy(p: &Printer, r: &DeployReport) -> Result<()> {
    if p.json(r)? {
        return Ok(());
    }
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
    p.say(&format!(
        "{verb} {} from `{}` to {} ({} scope; {} already current)",
        plural(changed, "artifact"),
        r.collection,
        r.project.display(),
        r.scope.as_str(),
        r.items
            .iter()
            .filter(|i| i.action == DeployAction::Unchanged)
            .count()
    ))?;
    let lines: Vec<String> = r
        .items
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
        .collect();
    p.lines(&lines)?;
    p.footer(&r.snapshot, &r.backups, &r.recovered)
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

fn print_undeploy(p: &Printer, r: &UndeployReport) -> Result<()> {
    if p.json(r)? {
        return Ok(());
    }
    let verb = if r.dry_run { "Would remove" } else { "Removed" };
    p.say(&format!(
        "{verb} {} from {}",
        plural(r.items.len(), "artifact"),
        r.project.display()
    ))?;
    let lines: Vec<String> = r
        .items
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
        .collect();
    p.lines(&lines)?;
    p.footer(&r.snapshot, &r.backups, &r.recovered)
}

fn print_drift(p: &Printer, r: &DriftReport) -> Result<()> {
    if p.json(r)? {
        return Ok(());
    }
    for n in &r.recovered {
        p.say(&format!("note: {n}"))?;
    }
    if r.items.is_empty() {
        return p.say(&format!(
            "Nothing deployed by SkillMeat in {} ({} scope); deploy with `skillmeat deploy NAME`.",
            r.project.display(),
            r.scope.as_str()
        ));
    }
    let summary = r
        .counts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    p.say(&format!(
        "{} deployed in {} ({summary})",
        plural(r.items.len(), "artifact"),
        r.project.display()
    ))?;
    let lines: Vec<String> = r
        .items
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
        .collect();
    p.lines(&lines)
}

fn print_sync(p: &Printer, r: &SyncReport) -> Result<()> {
    if p.json(r)? {
        return Ok(());
    }
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
    p.say(&format!(
        "{verb} {} in {} ({} unchanged)",
        plural(acted, "artifact"),
        r.project.display(),
        r.items
            .iter()
            .filter(|i| i.action == SyncAction::Unchanged)
            .count()
    ))?;
    let mut lines = Vec::new();
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
        if let Some(m) = &i.message {
            l.push_str(&format!(" {m}"));
        }
        lines.push(l);
        for c in &i.conflicts {
            lines.push(format!("      {c}"));
        }
    }
    p.lines(&lines)?;
    p.footer(&r.snapshot, &r.backups, &r.recovered)
}

fn print_diff(p: &Printer, r: &DiffReport) -> Result<()> {
    if p.json(r)? {
        return Ok(());
    }
    if r.files.is_empty() {
        return p.say(&format!(
            "{} `{}` is the same in the project and the collection ({})",
            r.kind,
            r.name,
            r.state.as_str()
        ));
    }
    p.say(&format!(
        "{} `{}` ({}): a/ = collection {}, b/ = project {}",
        r.kind,
        r.name,
        r.state.as_str(),
        r.collection_path
            .as_ref()
            .map(|c| c.display().to_string())
            .unwrap_or_else(|| "(gone)".into()),
        r.project_path.display()
    ))?;
    for f in &r.files {
        if !p.quiet {
            write!(std::io::stdout().lock(), "{}", f.diff)?;
        }
    }
    Ok(())
}

fn print_snapshot(p: &Printer, r: &SnapshotInfo) -> Result<()> {
    if p.json(r)? {
        return Ok(());
    }
    p.say(&format!(
        "Snapshot {} of `{}`: {}, {} bytes ({})",
        r.id,
        r.collection,
        plural(r.artifacts, "artifact"),
        r.bytes,
        r.path.display()
    ))
}

fn print_snapshots(p: &Printer, r: &SnapshotListReport) -> Result<()> {
    if p.json(r)? {
        return Ok(());
    }
    if r.snapshots.is_empty() {
        return p.say(&format!(
            "No snapshots of `{}` yet; take one with `skillmeat snapshot create`.",
            r.collection
        ));
    }
    for s in &r.snapshots {
        p.say(&format!(
            "{:<22} {:<22} {:>5} artifacts {:>8} bytes  {}",
            s.id,
            s.created.to_string(),
            s.artifacts,
            s.bytes,
            s.reason
        ))?;
    }
    Ok(())
}

fn print_restore(p: &Printer, r: &SnapshotRestoreReport) -> Result<()> {
    if p.json(r)? {
        return Ok(());
    }
    if !r.copies.is_empty() {
        p.say(&format!(
            "Put back {} saved in snapshot {}; the state before is snapshot {}",
            match r.copies.len() {
                1 => "1 deployed copy".to_string(),
                n => format!("{n} deployed copies"),
            },
            r.id,
            r.before
        ))?;
        let lines: Vec<String> = r
            .copies
            .iter()
            .map(|c| format!("  {}", c.display()))
            .collect();
        return p.lines(&lines);
    }
    p.say(&format!(
        "Restored `{}` to snapshot {} ({}); the state before is snapshot {}",
        r.collection,
        r.id,
        plural(r.artifacts, "artifact"),
        r.before
    ))
}
