//! The `deploy` toolset: one tool per operation of `skillmeat_core::deploy` and
//! `skillmeat_core::snapshot` (deploy, undeploy, drift, sync, diff, snapshot create/list/restore),
//! the same functions `skillmeat deploy …` calls. The MCP requests differ from core's in two
//! ways: the project folder is required and must be absolute (a server's current folder is
//! whatever its client started it in, so a relative path would be a guess), and they work on
//! project scope only (user scope writes `~/.claude` for every project; the CLI keeps it).

use std::path::PathBuf;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{Json, RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skillmeat_core::ArtifactKind;
use skillmeat_core::deploy::{
    self, DeployReport, DeployRequest, DiffReport, DiffRequest, DriftReport, DriftRequest, Place,
    Scope, SyncReport, SyncRequest, UndeployReport, UndeployRequest,
};
use skillmeat_core::snapshot::SnapshotInfo;
use skillmeat_core::snapshot::ops::{
    self as snapshot, SnapshotCreateRequest, SnapshotListReport, SnapshotRestoreReport,
    SnapshotRestoreRequest,
};

use super::blocking;
use crate::progress;
use crate::server::SkillmeatServer;
use crate::tools::collection::CollectionRequest;

/// The project a deploy tool works on.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ProjectPlace {
    /// The project folder, as an absolute path (its `.claude/` is where artifacts deploy).
    pub project: PathBuf,
    /// Target names (`claude`, `agents`); empty means `claude` for deploy and every target
    /// with a deployment record for the other tools.
    #[serde(default)]
    pub targets: Vec<String>,
}

impl ProjectPlace {
    /// Core's place, or the sentence saying why the project path is unusable.
    fn place(self) -> Result<Place, String> {
        if !self.project.is_absolute() {
            return Err(format!(
                "project `{}` is not an absolute path; pass the project folder's absolute path",
                self.project.display()
            ));
        }
        Ok(Place {
            project: Some(self.project),
            scope: Scope::Project,
            targets: self.targets,
        })
    }
}

/// `deploy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct DeployArtifactsRequest {
    /// The collection (the server's default, else the active one, when absent).
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
    /// Where to deploy.
    #[serde(flatten)]
    pub place: ProjectPlace,
    /// Only report what would happen; change nothing.
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

/// `undeploy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct UndeployArtifactsRequest {
    /// Deployed artifact names.
    #[serde(default)]
    pub names: Vec<String>,
    /// Only artifacts of this kind (also settles a name used by two kinds).
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Every deployed artifact.
    #[serde(default)]
    pub all: bool,
    /// Where.
    #[serde(flatten)]
    pub place: ProjectPlace,
    /// Only report what would be removed; change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Remove deployed copies even when they were edited (they are saved in a snapshot first).
    #[serde(default)]
    pub force: bool,
}

/// `deployment_status` (drift).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct DeploymentStatusRequest {
    /// Where to look.
    #[serde(flatten)]
    pub place: ProjectPlace,
}

/// `sync`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct SyncArtifactsRequest {
    /// Only these deployed artifacts (all when empty).
    #[serde(default)]
    pub names: Vec<String>,
    /// Where.
    #[serde(flatten)]
    pub place: ProjectPlace,
    /// Only report what would happen; change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Take project edits back into the collection instead (`modified` artifacts).
    #[serde(default)]
    pub pull: bool,
}

/// `diff`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct DiffArtifactRequest {
    /// The deployed artifact's name.
    pub name: String,
    /// Its kind, when the name is used by more than one.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Where.
    #[serde(flatten)]
    pub place: ProjectPlace,
}

/// `snapshot_restore`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct SnapshotRestoreToolRequest {
    /// The collection (the server's default, else the active one, when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// The snapshot id (as `snapshot_list` shows it).
    pub id: String,
    /// Put back only the deployed copies the snapshot saved (edited copies a deploy, sync or
    /// undeploy replaced), leaving the collection as it is.
    #[serde(default)]
    pub copies: bool,
    /// Only report the snapshot that would be restored; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What `snapshot_restore` did, or (with `dry_run`) the snapshot it would restore.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SnapshotRestoreToolReport {
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// With `dry_run`: the snapshot that would be restored (its artifact count is what the
    /// collection would hold; `saved` is how many deployed copies `copies` would put back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_restore: Option<SnapshotInfo>,
    /// Without `dry_run`: what the restore did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restored: Option<SnapshotRestoreReport>,
}

#[tool_router(router = deploy_tools, vis = "pub(crate)")]
impl SkillmeatServer {
    #[tool(
        title = "Deploy artifacts",
        description = "Deploy collection artifacts into a project's `.claude/` (skills, commands, agents as files; hooks merged into settings.json), all-or-nothing per target. Deploying again is a no-op for current copies and brings older ones forward; with `force` it also replaces edited copies and foreign files (saved in a snapshot first). Call with `dry_run: true` first to see what would change. Reports progress when the request carries a progressToken.",
        annotations(
            title = "Deploy artifacts",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn deploy(
        &self,
        Parameters(req): Parameters<DeployArtifactsRequest>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<DeployReport>, String> {
        let req = DeployRequest {
            collection: self.collection_or_default(req.collection),
            names: req.names,
            kind: req.kind,
            all: req.all,
            place: req.place.place()?,
            dry_run: req.dry_run,
            local: req.local,
            force: req.force,
        };
        let home = self.home.clone();
        let (bar, forwarder) = progress::for_request(&ctx);
        let r = blocking(move || deploy::deploy(&home, req, &bar)).await;
        forwarder.flush().await;
        r
    }

    #[tool(
        title = "Undeploy artifacts",
        description = "Remove deployed artifacts from a project (their files, and the settings entries of hooks), all-or-nothing. Edited copies are refused unless `force` (then saved in a snapshot first). Call with `dry_run: true` first to see what would be removed.",
        annotations(
            title = "Undeploy artifacts",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn undeploy(
        &self,
        Parameters(req): Parameters<UndeployArtifactsRequest>,
    ) -> Result<Json<UndeployReport>, String> {
        let req = UndeployRequest {
            names: req.names,
            kind: req.kind,
            all: req.all,
            place: req.place.place()?,
            dry_run: req.dry_run,
            force: req.force,
        };
        let home = self.home.clone();
        blocking(move || deploy::undeploy(&home, req)).await
    }

    #[tool(
        title = "Deployment status",
        description = "The drift report: every artifact deployed in a project with its state (current, outdated, modified, diverged, missing, orphaned), from the deployment record's hash, the collection copy's and the deployed copy's, and how many are in each state. Changes nothing, except finishing or undoing a change an earlier crash left half-done (listed in `recovered`).",
        annotations(
            title = "Deployment status",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn deployment_status(
        &self,
        Parameters(req): Parameters<DeploymentStatusRequest>,
    ) -> Result<Json<DriftReport>, String> {
        let req = DriftRequest {
            place: req.place.place()?,
        };
        let home = self.home.clone();
        blocking(move || deploy::drift(&home, req)).await
    }

    #[tool(
        title = "Sync deployed artifacts",
        description = "Bring a project's deployed copies in step with the collection: outdated ones are updated, missing ones put back, diverged ones merged three-way (conflicts are left as markers and listed); with `pull`, edits made in the project are taken back into the collection instead. Call with `dry_run: true` first to see what would change. Reports progress when the request carries a progressToken.",
        annotations(
            title = "Sync deployed artifacts",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn sync(
        &self,
        Parameters(req): Parameters<SyncArtifactsRequest>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<SyncReport>, String> {
        let req = SyncRequest {
            names: req.names,
            place: req.place.place()?,
            dry_run: req.dry_run,
            pull: req.pull,
        };
        let home = self.home.clone();
        let (bar, forwarder) = progress::for_request(&ctx);
        let r = blocking(move || deploy::sync(&home, req, &bar)).await;
        forwarder.flush().await;
        r
    }

    #[tool(
        title = "Diff deployed artifact",
        description = "Show how one deployed artifact differs from its collection copy: each file added, removed or modified in the project, with a unified diff.",
        annotations(
            title = "Diff deployed artifact",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn diff(
        &self,
        Parameters(req): Parameters<DiffArtifactRequest>,
    ) -> Result<Json<DiffReport>, String> {
        let req = DiffRequest {
            name: req.name,
            kind: req.kind,
            place: req.place.place()?,
        };
        let home = self.home.clone();
        blocking(move || deploy::diff(&home, req)).await
    }

    #[tool(
        title = "Create snapshot",
        description = "Take a snapshot of a collection (manifest, lock and every artifact's files) that `snapshot_restore` can bring back. Each call makes a new one.",
        annotations(
            title = "Create snapshot",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn snapshot_create(
        &self,
        Parameters(mut req): Parameters<SnapshotCreateRequest>,
    ) -> Result<Json<SnapshotInfo>, String> {
        req.collection = self.collection_or_default(req.collection);
        let home = self.home.clone();
        blocking(move || snapshot::create(&home, req)).await
    }

    #[tool(
        title = "List snapshots",
        description = "List a collection's snapshots, oldest first, with why each was taken (manual, or before a deploy, sync, undeploy or restore), how many artifacts and saved deployed copies it holds.",
        annotations(
            title = "List snapshots",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn snapshot_list(
        &self,
        Parameters(req): Parameters<CollectionRequest>,
    ) -> Result<Json<SnapshotListReport>, String> {
        let collection = self.collection_or_default(req.collection);
        let home = self.home.clone();
        blocking(move || snapshot::list(&home, collection.as_deref())).await
    }

    #[tool(
        title = "Restore snapshot",
        description = "Bring a collection back to a snapshot (manifest, lock and every artifact's files), after taking a snapshot of the current state to undo it; with `copies`, put back only the edited deployed copies the snapshot saved. Call with `dry_run: true` first to see the snapshot that would be restored.",
        annotations(
            title = "Restore snapshot",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn snapshot_restore(
        &self,
        Parameters(req): Parameters<SnapshotRestoreToolRequest>,
    ) -> Result<Json<SnapshotRestoreToolReport>, String> {
        let collection = self.collection_or_default(req.collection);
        let home = self.home.clone();
        if req.dry_run {
            // Core's restore has no dry run; the snapshot list names what a restore would bring back.
            let id = req.id;
            let Json(list) = blocking(move || snapshot::list(&home, collection.as_deref())).await?;
            let latest = list.snapshots.last().map(|s| s.id.clone());
            let Some(info) = list.snapshots.into_iter().find(|s| s.id == id) else {
                return Err(format!(
                    "no snapshot `{id}` of collection `{}`; {}",
                    list.collection,
                    match latest {
                        Some(l) => format!("see `snapshot_list` (latest: {l})"),
                        None => "it has none; take one with `snapshot_create`".to_string(),
                    }
                ));
            };
            return Ok(Json(SnapshotRestoreToolReport {
                dry_run: true,
                would_restore: Some(info),
                restored: None,
            }));
        }
        let req = SnapshotRestoreRequest {
            collection,
            id: req.id,
            copies: req.copies,
        };
        let Json(r) = blocking(move || snapshot::restore(&home, req)).await?;
        Ok(Json(SnapshotRestoreToolReport {
            dry_run: false,
            would_restore: None,
            restored: Some(r),
        }))
    }
}
