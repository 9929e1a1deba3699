//! The `deploy` toolset: deploy, undeploy, drift (`deployment_status`), sync, diff and the
//! collection's snapshots, over `deploy` and `snapshot::ops`. A relative project folder resolves
//! from the working folder; without one (MCP, web) it is refused with a hint.

use super::*;
use crate::deploy::{
    self, DeployAction, DeployReport, DeployRequest, DiffReport, DiffRequest, DriftReport,
    DriftRequest, SyncAction, SyncReport, SyncRequest, UndeployReport, UndeployRequest,
};
use crate::snapshot::SnapshotInfo;
use crate::snapshot::ops::{
    self as snapshot, SnapshotCreateRequest, SnapshotListReport, SnapshotRestoreReport,
    SnapshotRestoreRequest,
};

fn at_project(project: &Option<PathBuf>) -> EventScope {
    EventScope {
        project: project.clone(),
        ..Default::default()
    }
}

/// `deploy`.
pub struct Deploy;

impl Operation for Deploy {
    const META: OpMeta = OpMeta::writes(
        "deploy",
        "Deploy artifacts",
        "deploy",
        "Deploy collection artifacts into a project's `.claude/` (skills, commands, agents as files; hooks merged into settings.json), all-or-nothing per target; `scope: user` deploys to `~/.claude` for every project instead. Deploying again is a no-op for current copies and brings older ones forward; with `force` it also replaces edited copies and foreign files (saved in a snapshot first). Call with `dry_run: true` first to see what would change. Reports progress when the request carries a progressToken.",
    )
    .destructive()
    .idempotent()
    .mcp();
    type Request = DeployRequest;
    type Report = DeployReport;

    fn run(ctx: &OpContext, mut req: DeployRequest) -> Result<DeployReport, OpError> {
        req.collection = ctx.collection(req.collection);
        req.project = ctx.project(req.project, req.scope)?;
        ctx.with_progress(|p| Ok(deploy::deploy(ctx.home, req, p)?))
    }
    fn request_scope(req: &DeployRequest) -> EventScope {
        EventScope {
            collection: req.collection.clone(),
            project: req.project.clone(),
            artifacts: Vec::new(),
        }
    }
    fn report_scope(r: &DeployReport) -> EventScope {
        EventScope {
            collection: Some(r.collection.clone()),
            project: Some(r.project.clone()),
            artifacts: r
                .items
                .iter()
                .filter(|i| !matches!(i.action, DeployAction::Unchanged | DeployAction::Skipped))
                .map(|i| artifact_id(i.kind, &i.name))
                .collect(),
        }
    }
}

/// `undeploy`.
pub struct Undeploy;

impl Operation for Undeploy {
    const META: OpMeta = OpMeta::writes(
        "undeploy",
        "Undeploy artifacts",
        "deploy",
        "Remove deployed artifacts from a project (their files, and the settings entries of hooks), all-or-nothing. Edited copies are refused unless `force` (then saved in a snapshot first). Call with `dry_run: true` first to see what would be removed.",
    )
    .destructive()
    .idempotent()
    .mcp();
    type Request = UndeployRequest;
    type Report = UndeployReport;

    fn run(ctx: &OpContext, mut req: UndeployRequest) -> Result<UndeployReport, OpError> {
        req.project = ctx.project(req.project, req.scope)?;
        Ok(deploy::undeploy(ctx.home, req)?)
    }
    fn request_scope(req: &UndeployRequest) -> EventScope {
        at_project(&req.project)
    }
    fn report_scope(r: &UndeployReport) -> EventScope {
        EventScope {
            collection: None,
            project: Some(r.project.clone()),
            artifacts: r
                .items
                .iter()
                .map(|i| artifact_id(i.kind, &i.name))
                .collect(),
        }
    }
}

/// `deployment_status`.
pub struct DeploymentStatus;

impl Operation for DeploymentStatus {
    const META: OpMeta = OpMeta::reads(
        "deployment_status",
        "Deployment status",
        "deploy",
        "The drift report: every artifact deployed in a project with its state (current, outdated, modified, diverged, missing, orphaned), from the deployment record's hash, the collection copy's and the deployed copy's, and how many are in each state. Changes nothing, except finishing or undoing a change an earlier crash left half-done (listed in `recovered`).",
    )
    .mcp();
    type Request = DriftRequest;
    type Report = DriftReport;

    fn run(ctx: &OpContext, mut req: DriftRequest) -> Result<DriftReport, OpError> {
        req.project = ctx.project(req.project, req.scope)?;
        Ok(deploy::drift(ctx.home, req)?)
    }
    fn request_scope(req: &DriftRequest) -> EventScope {
        at_project(&req.project)
    }
    fn report_scope(r: &DriftReport) -> EventScope {
        at_project(&Some(r.project.clone()))
    }
}

/// `sync`.
pub struct Sync;

impl Operation for Sync {
    const META: OpMeta = OpMeta::writes(
        "sync",
        "Sync deployed artifacts",
        "deploy",
        "Bring a project's deployed copies in step with the collection: outdated ones are updated, missing ones put back, diverged ones merged three-way (conflicts are left as markers and listed); with `pull`, edits made in the project are taken back into the collection instead. Call with `dry_run: true` first to see what would change. Reports progress when the request carries a progressToken.",
    )
    .destructive()
    .idempotent()
    .mcp();
    type Request = SyncRequest;
    type Report = SyncReport;

    fn run(ctx: &OpContext, mut req: SyncRequest) -> Result<SyncReport, OpError> {
        req.project = ctx.project(req.project, req.scope)?;
        ctx.with_progress(|p| Ok(deploy::sync(ctx.home, req, p)?))
    }
    fn request_scope(req: &SyncRequest) -> EventScope {
        at_project(&req.project)
    }
    fn report_scope(r: &SyncReport) -> EventScope {
        EventScope {
            collection: None,
            project: Some(r.project.clone()),
            artifacts: r
                .items
                .iter()
                .filter(|i| !matches!(i.action, SyncAction::Unchanged | SyncAction::Kept))
                .map(|i| artifact_id(i.kind, &i.name))
                .collect(),
        }
    }
}

/// `diff`.
pub struct Diff;

impl Operation for Diff {
    const META: OpMeta = OpMeta::reads(
        "diff",
        "Diff deployed artifact",
        "deploy",
        "Show how one deployed artifact differs from its collection copy: each file added, removed or modified in the project, with a unified diff.",
    )
    .mcp();
    type Request = DiffRequest;
    type Report = DiffReport;

    fn run(ctx: &OpContext, mut req: DiffRequest) -> Result<DiffReport, OpError> {
        req.project = ctx.project(req.project, req.scope)?;
        Ok(deploy::diff(ctx.home, req)?)
    }
    fn request_scope(req: &DiffRequest) -> EventScope {
        at_project(&req.project)
    }
    fn report_scope(r: &DiffReport) -> EventScope {
        EventScope {
            collection: None,
            project: None,
            artifacts: vec![artifact_id(r.kind, &r.name)],
        }
    }
}

/// `snapshot_create`.
pub struct SnapshotCreate;

impl Operation for SnapshotCreate {
    const META: OpMeta = OpMeta::writes(
        "snapshot_create",
        "Create snapshot",
        "deploy",
        "Take a snapshot of a collection (manifest, lock and every artifact's files) that `snapshot_restore` can bring back. Each call makes a new one.",
    )
    .mcp();
    type Request = SnapshotCreateRequest;
    type Report = SnapshotInfo;

    fn run(ctx: &OpContext, mut req: SnapshotCreateRequest) -> Result<SnapshotInfo, OpError> {
        req.collection = ctx.collection(req.collection);
        Ok(snapshot::create(ctx.home, req)?)
    }
    fn report_scope(r: &SnapshotInfo) -> EventScope {
        EventScope {
            collection: Some(r.collection.clone()),
            ..Default::default()
        }
    }
}

/// `snapshot_list`.
pub struct SnapshotList;

impl Operation for SnapshotList {
    const META: OpMeta = OpMeta::reads(
        "snapshot_list",
        "List snapshots",
        "deploy",
        "List a collection's snapshots, oldest first, with why each was taken (manual, or before a deploy, sync, undeploy or restore), how many artifacts and saved deployed copies it holds.",
    )
    .mcp();
    type Request = CollectionRequest;
    type Report = SnapshotListReport;

    fn run(ctx: &OpContext, req: CollectionRequest) -> Result<SnapshotListReport, OpError> {
        let collection = ctx.collection(req.collection);
        Ok(snapshot::list(ctx.home, collection.as_deref())?)
    }
    fn report_scope(r: &SnapshotListReport) -> EventScope {
        EventScope {
            collection: Some(r.collection.clone()),
            ..Default::default()
        }
    }
}

/// `snapshot_restore`.
pub struct SnapshotRestore;

impl Operation for SnapshotRestore {
    const META: OpMeta = OpMeta::writes(
        "snapshot_restore",
        "Restore snapshot",
        "deploy",
        "Bring a collection back to a snapshot (manifest, lock and every artifact's files), after taking a snapshot of the current state to undo it; with `copies`, put back only the edited deployed copies the snapshot saved. Call with `dry_run: true` first to see what would be restored.",
    )
    .destructive()
    .mcp();
    type Request = SnapshotRestoreRequest;
    type Report = SnapshotRestoreReport;

    fn run(
        ctx: &OpContext,
        mut req: SnapshotRestoreRequest,
    ) -> Result<SnapshotRestoreReport, OpError> {
        req.collection = ctx.collection(req.collection);
        Ok(snapshot::restore(ctx.home, req)?)
    }
    fn report_scope(r: &SnapshotRestoreReport) -> EventScope {
        EventScope {
            collection: Some(r.collection.clone()),
            ..Default::default()
        }
    }
}
