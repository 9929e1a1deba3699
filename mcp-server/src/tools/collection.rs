//! The `collection` toolset: one tool per operation of `skillmeat_core::collection::ops`
//! (list, show, search, add, remove, update, status). Requests and reports are core's types
//! where they fit; the few MCP-specific ones below add `dry_run` and convert to core's.

use std::path::PathBuf;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{Json, RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skillmeat_core::ArtifactKind;
use skillmeat_core::collection::ops::{
    self, AddReport, AddRequest, ArtifactDetail, ArtifactRef, ArtifactSummary, ListReport,
    ListRequest, SearchReport, SearchRequest, StatusReport, UpdateReport, UpdateRequest,
};

use super::blocking;
use crate::progress;

/// Artifacts per `list_artifacts` page when the caller gives no `limit`.
const LIST_PAGE: usize = 100;
use crate::server::SkillmeatServer;

/// Names a collection.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct CollectionRequest {
    /// The collection (the server's default, else the active one, when absent).
    #[serde(default)]
    pub collection: Option<String>,
}

/// `remove_artifact`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct RemoveArtifactRequest {
    /// The collection (the server's default, else the active one, when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// The artifact's name or one of its aliases.
    pub name: String,
    /// Its kind, when the name is used by more than one.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Only report what would be removed; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What `remove_artifact` removed (or would remove, with `dry_run`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RemoveArtifactReport {
    /// The collection.
    pub collection: String,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// The artifact.
    pub removed: ArtifactSummary,
    /// The absolute path of its files in the collection.
    pub path: PathBuf,
    /// Its files (relative to `path`) that are (or would be) deleted.
    pub files: Vec<String>,
}

/// `update_artifacts`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct UpdateArtifactsRequest {
    /// The collection (the server's default, else the active one, when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// Only these artifacts, by name or alias (all when empty).
    #[serde(default)]
    pub names: Vec<String>,
    /// Only report what would change (outcome `available`); write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Replace collection copies that were edited locally (otherwise they are left alone and
    /// reported as `locally-modified`).
    #[serde(default)]
    pub force: bool,
}

impl From<UpdateArtifactsRequest> for UpdateRequest {
    fn from(r: UpdateArtifactsRequest) -> UpdateRequest {
        UpdateRequest {
            collection: r.collection,
            names: r.names,
            check: r.dry_run,
            force: r.force,
        }
    }
}

#[tool_router(router = collection_tools, vis = "pub(crate)")]
impl SkillmeatServer {
    #[tool(
        title = "List artifacts",
        description = "List the artifacts (skills, slash commands, subagents, hooks) in a SkillMeat collection, sorted by kind then name, optionally only one kind or one tag. Returns at most `limit` artifacts (default 100) starting at `offset`; `total` counts them all and `next_offset` is where the next page starts. Reads only collection.toml.",
        annotations(
            title = "List artifacts",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn list_artifacts(
        &self,
        Parameters(mut req): Parameters<ListRequest>,
    ) -> Result<Json<ListReport>, String> {
        req.collection = self.collection_or_default(req.collection);
        // A model reads the whole answer: a page, not a thousand entries at once.
        req.limit.get_or_insert(LIST_PAGE);
        let home = self.home.clone();
        blocking(move || ops::list(&home, req)).await
    }

    #[tool(
        title = "Show artifact",
        description = "Show everything about one artifact: its manifest entry, lock entry, absolute path, files with SHA-256 hashes, content hash, state against the lock (clean, modified, missing, unlocked) and front matter. Read a file itself through the resource `<kind>://<name>/<path>`.",
        annotations(
            title = "Show artifact",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn show_artifact(
        &self,
        Parameters(mut req): Parameters<ArtifactRef>,
    ) -> Result<Json<ArtifactDetail>, String> {
        req.collection = self.collection_or_default(req.collection);
        let home = self.home.clone();
        blocking(move || ops::show(&home, req)).await
    }

    #[tool(
        title = "Search artifacts",
        description = "Search a collection's artifact names, aliases, tags, descriptions and bodies; every word of the query must match. Hits come best first with a score and where they matched.",
        annotations(
            title = "Search artifacts",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn search_artifacts(
        &self,
        Parameters(mut req): Parameters<SearchRequest>,
    ) -> Result<Json<SearchReport>, String> {
        req.collection = self.collection_or_default(req.collection);
        let home = self.home.clone();
        blocking(move || ops::search(&home, req)).await
    }

    #[tool(
        title = "Add artifacts",
        description = "Add the artifacts found at a source to a collection: a local file or folder (a folder of many artifacts adds them all), a GitHub `owner/repo[/path][@ref]`, or a git URL `URL[//path][#ref]`. Never replaces an artifact already there: `on_conflict` decides between failing, skipping and renaming. Call with `dry_run: true` first to see what would be added. Reports progress when the request carries a progressToken.",
        annotations(
            title = "Add artifacts",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn add_artifact(
        &self,
        Parameters(mut req): Parameters<AddRequest>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<AddReport>, String> {
        req.collection = self.collection_or_default(req.collection);
        let home = self.home.clone();
        let (bar, forwarder) = progress::for_request(&ctx);
        let r = blocking(move || ops::add(&home, req, &bar)).await;
        forwarder.flush().await;
        r
    }

    #[tool(
        title = "Remove artifact",
        description = "Remove one artifact and its files from a collection (projects it was deployed to are not touched). Call with `dry_run: true` first to see the files that would be deleted.",
        annotations(
            title = "Remove artifact",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn remove_artifact(
        &self,
        Parameters(req): Parameters<RemoveArtifactRequest>,
    ) -> Result<Json<RemoveArtifactReport>, String> {
        let home = self.home.clone();
        let r = ArtifactRef {
            collection: self.collection_or_default(req.collection),
            name: req.name,
            kind: req.kind,
        };
        let dry_run = req.dry_run;
        blocking(move || {
            // `show` names exactly what `remove` deletes; with dry_run it is all we do.
            let detail = ops::show(&home, r.clone())?;
            let mut report = RemoveArtifactReport {
                collection: detail.collection.clone(),
                dry_run,
                removed: ArtifactSummary::of(&detail.entry),
                path: detail.path.clone(),
                files: detail.files.iter().map(|f| f.path.clone()).collect(),
            };
            if !dry_run {
                // Remove exactly the artifact shown, even if the name was an alias.
                let removed = ops::remove(
                    &home,
                    ArtifactRef {
                        collection: Some(detail.collection),
                        name: detail.entry.name.clone(),
                        kind: Some(detail.entry.kind),
                    },
                )?;
                report.removed = removed.removed;
            }
            Ok::<_, skillmeat_core::collection::CollectionError>(report)
        })
        .await
    }

    #[tool(
        title = "Update artifacts",
        description = "Re-resolve each artifact's source (GitHub, git) and bring changed ones forward. Collection copies edited locally are left alone unless `force` is set. Call with `dry_run: true` first to see which have a new version (outcome `available`). Reports progress when the request carries a progressToken.",
        annotations(
            title = "Update artifacts",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn update_artifacts(
        &self,
        Parameters(mut req): Parameters<UpdateArtifactsRequest>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<UpdateReport>, String> {
        req.collection = self.collection_or_default(req.collection);
        let home = self.home.clone();
        let (bar, forwarder) = progress::for_request(&ctx);
        let r = blocking(move || ops::update(&home, req.into(), &bar)).await;
        forwarder.flush().await;
        r
    }

    #[tool(
        title = "Collection status",
        description = "Compare every artifact's files with the lock: each artifact's state (clean, modified, missing, unlocked, unverified) with both hashes, and how many are in each state.",
        annotations(
            title = "Collection status",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn collection_status(
        &self,
        Parameters(req): Parameters<CollectionRequest>,
    ) -> Result<Json<StatusReport>, String> {
        let collection = self.collection_or_default(req.collection);
        let home = self.home.clone();
        blocking(move || ops::status(&home, collection.as_deref())).await
    }
}
