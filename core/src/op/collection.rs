//! The `collection` toolset: the artifacts of a collection (list, show, search, status, add,
//! remove, update) and the collections themselves (init, list, create, use, delete), over
//! `collection::ops`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;
use crate::collection::ops::{
    self, AddReport, AddRequest, ArtifactDetail, ArtifactRef, CollectionListReport,
    CollectionReport, InitReport, InitRequest, ListReport, ListRequest, RemoveReport,
    RemoveRequest, SearchReport, SearchRequest, StatusReport, UpdateOutcome, UpdateReport,
    UpdateRequest,
};

/// A request that names one collection.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionNameRequest {
    /// The collection's name.
    pub name: String,
}

fn in_collection(collection: &Option<String>) -> EventScope {
    EventScope {
        collection: collection.clone(),
        ..Default::default()
    }
}

/// `list_artifacts`.
pub struct ListArtifacts;

impl Operation for ListArtifacts {
    const META: OpMeta = OpMeta::reads(
        "list_artifacts",
        "List artifacts",
        "collection",
        "List the artifacts (skills, slash commands, subagents, hooks) in a SkillMeat collection, sorted by kind then name, optionally only one kind or one tag. Returns at most `limit` artifacts (default 100) starting at `offset`; `total` counts them all and `next_offset` is where the next page starts. Reads only collection.toml.",
    )
    .mcp();
    type Request = ListRequest;
    type Report = ListReport;

    fn run(ctx: &OpContext, mut req: ListRequest) -> Result<ListReport, OpError> {
        req.collection = ctx.collection(req.collection);
        // A model reads the whole answer: a page, not a thousand entries at once.
        req.limit = req.limit.or(ctx.page_default);
        Ok(ops::list(ctx.home, req)?)
    }
    fn request_scope(req: &ListRequest) -> EventScope {
        in_collection(&req.collection)
    }
    fn report_scope(r: &ListReport) -> EventScope {
        in_collection(&Some(r.collection.clone()))
    }
}

/// `show_artifact`.
pub struct ShowArtifact;

impl Operation for ShowArtifact {
    const META: OpMeta = OpMeta::reads(
        "show_artifact",
        "Show artifact",
        "collection",
        "Show everything about one artifact: its manifest entry, lock entry, absolute path, files with SHA-256 hashes, content hash, state against the lock (clean, modified, missing, unlocked) and front matter. Read a file itself through the resource `<kind>://<name>/<path>`.",
    )
    .mcp();
    type Request = ArtifactRef;
    type Report = ArtifactDetail;

    fn run(ctx: &OpContext, mut req: ArtifactRef) -> Result<ArtifactDetail, OpError> {
        req.collection = ctx.collection(req.collection);
        Ok(ops::show(ctx.home, req)?)
    }
    fn request_scope(req: &ArtifactRef) -> EventScope {
        in_collection(&req.collection)
    }
    fn report_scope(r: &ArtifactDetail) -> EventScope {
        EventScope {
            collection: Some(r.collection.clone()),
            project: None,
            artifacts: vec![artifact_id(r.entry.kind, &r.entry.name)],
        }
    }
}

/// `search_artifacts`.
pub struct SearchArtifacts;

impl Operation for SearchArtifacts {
    const META: OpMeta = OpMeta::reads(
        "search_artifacts",
        "Search artifacts",
        "collection",
        "Search a collection's artifact names, aliases, tags, descriptions and bodies; every word of the query must match. Hits come best first with a score and where they matched.",
    )
    .mcp();
    type Request = SearchRequest;
    type Report = SearchReport;

    fn run(ctx: &OpContext, mut req: SearchRequest) -> Result<SearchReport, OpError> {
        req.collection = ctx.collection(req.collection);
        Ok(ops::search(ctx.home, req)?)
    }
    fn request_scope(req: &SearchRequest) -> EventScope {
        in_collection(&req.collection)
    }
    fn report_scope(r: &SearchReport) -> EventScope {
        in_collection(&Some(r.collection.clone()))
    }
}

/// `collection_status`.
pub struct CollectionStatus;

impl Operation for CollectionStatus {
    const META: OpMeta = OpMeta::reads(
        "collection_status",
        "Collection status",
        "collection",
        "Compare every artifact's files with the lock: each artifact's state (clean, modified, missing, unlocked, unverified) with both hashes, and how many are in each state.",
    )
    .mcp();
    type Request = CollectionRequest;
    type Report = StatusReport;

    fn run(ctx: &OpContext, req: CollectionRequest) -> Result<StatusReport, OpError> {
        let collection = ctx.collection(req.collection);
        Ok(ops::status(ctx.home, collection.as_deref())?)
    }
    fn request_scope(req: &CollectionRequest) -> EventScope {
        in_collection(&req.collection)
    }
    fn report_scope(r: &StatusReport) -> EventScope {
        in_collection(&Some(r.collection.clone()))
    }
}

/// `add_artifact`.
pub struct AddArtifact;

impl Operation for AddArtifact {
    const META: OpMeta = OpMeta::writes(
        "add_artifact",
        "Add artifacts",
        "collection",
        "Add the artifacts found at a source to a collection: a local file or folder (a folder of many artifacts adds them all), a GitHub `owner/repo[/path][@ref]`, or a git URL `URL[//path][#ref]`. A local path must be absolute unless `cwd` says where it is relative to. Never replaces an artifact already there: `on_conflict` decides between failing, skipping and renaming. Call with `dry_run: true` first to see what would be added. Reports progress when the request carries a progressToken.",
    )
    .open_world()
    .mcp();
    type Request = AddRequest;
    type Report = AddReport;

    fn run(ctx: &OpContext, mut req: AddRequest) -> Result<AddReport, OpError> {
        req.collection = ctx.collection(req.collection);
        req.cwd = match req.cwd {
            Some(c) => Some(ctx.absolute("cwd", c)?),
            None => ctx.cwd.clone(),
        };
        ctx.with_progress(|p| Ok(ops::add(ctx.home, req, p)?))
    }
    fn request_scope(req: &AddRequest) -> EventScope {
        in_collection(&req.collection)
    }
    fn report_scope(r: &AddReport) -> EventScope {
        EventScope {
            collection: Some(r.collection.clone()),
            project: None,
            artifacts: r
                .added
                .iter()
                .map(|a| artifact_id(a.kind, &a.name))
                .collect(),
        }
    }
}

/// `remove_artifact`.
pub struct RemoveArtifact;

impl Operation for RemoveArtifact {
    const META: OpMeta = OpMeta::writes(
        "remove_artifact",
        "Remove artifact",
        "collection",
        "Remove one artifact and its files from a collection, after taking a snapshot that brings it back (projects it was deployed to are not touched). Call with `dry_run: true` first to see the files that would be deleted.",
    )
    .destructive()
    .idempotent()
    .mcp();
    type Request = RemoveRequest;
    type Report = RemoveReport;

    fn run(ctx: &OpContext, mut req: RemoveRequest) -> Result<RemoveReport, OpError> {
        req.collection = ctx.collection(req.collection);
        Ok(ops::remove(ctx.home, req)?)
    }
    fn request_scope(req: &RemoveRequest) -> EventScope {
        in_collection(&req.collection)
    }
    fn report_scope(r: &RemoveReport) -> EventScope {
        EventScope {
            collection: Some(r.collection.clone()),
            project: None,
            artifacts: vec![artifact_id(r.removed.kind, &r.removed.name)],
        }
    }
}

/// `update_artifacts`.
pub struct UpdateArtifacts;

impl Operation for UpdateArtifacts {
    const META: OpMeta = OpMeta::writes(
        "update_artifacts",
        "Update artifacts",
        "collection",
        "Re-resolve each artifact's source (GitHub, git) and bring changed ones forward. Collection copies edited locally are left alone unless `force` is set. Call with `dry_run: true` first to see which have a new version (outcome `available`). Reports progress when the request carries a progressToken.",
    )
    .destructive()
    .idempotent()
    .open_world()
    .mcp();
    type Request = UpdateRequest;
    type Report = UpdateReport;

    fn run(ctx: &OpContext, mut req: UpdateRequest) -> Result<UpdateReport, OpError> {
        req.collection = ctx.collection(req.collection);
        ctx.with_progress(|p| Ok(ops::update(ctx.home, req, p)?))
    }
    fn request_scope(req: &UpdateRequest) -> EventScope {
        in_collection(&req.collection)
    }
    fn report_scope(r: &UpdateReport) -> EventScope {
        EventScope {
            collection: Some(r.collection.clone()),
            project: None,
            artifacts: r
                .items
                .iter()
                .filter(|i| i.outcome == UpdateOutcome::Updated)
                .map(|i| artifact_id(i.kind, &i.name))
                .collect(),
        }
    }
}

/// `init`.
pub struct Init;

impl Operation for Init {
    const META: OpMeta = OpMeta::writes(
        "init",
        "Set up the home",
        "collection",
        "Create the SkillMeat home and a collection (the active one, `default`, unless named). Does nothing when they exist.",
    )
    .idempotent();
    type Request = InitRequest;
    type Report = InitReport;

    fn run(ctx: &OpContext, mut req: InitRequest) -> Result<InitReport, OpError> {
        req.collection = ctx.collection(req.collection);
        Ok(ops::init(ctx.home, req)?)
    }
    fn report_scope(r: &InitReport) -> EventScope {
        in_collection(&Some(r.collection.clone()))
    }
}

/// `collection_list`.
pub struct CollectionList;

impl Operation for CollectionList {
    const META: OpMeta = OpMeta::reads(
        "collection_list",
        "List collections",
        "collection",
        "List the collections in the home, with how many artifacts each holds and which one is active.",
    );
    type Request = NoRequest;
    type Report = CollectionListReport;

    fn run(ctx: &OpContext, _req: NoRequest) -> Result<CollectionListReport, OpError> {
        Ok(ops::collection_list(ctx.home)?)
    }
}

/// `collection_create`.
pub struct CollectionCreate;

impl Operation for CollectionCreate {
    const META: OpMeta = OpMeta::writes(
        "collection_create",
        "Create collection",
        "collection",
        "Create an empty collection.",
    );
    type Request = CollectionNameRequest;
    type Report = CollectionReport;

    fn run(ctx: &OpContext, req: CollectionNameRequest) -> Result<CollectionReport, OpError> {
        Ok(ops::collection_create(ctx.home, &req.name)?)
    }
    fn report_scope(r: &CollectionReport) -> EventScope {
        in_collection(&Some(r.name.clone()))
    }
}

/// `collection_use`.
pub struct CollectionUse;

impl Operation for CollectionUse {
    const META: OpMeta = OpMeta::writes(
        "collection_use",
        "Use collection",
        "collection",
        "Make a collection the active one: the one operations work on when a request names none.",
    )
    .idempotent();
    type Request = CollectionNameRequest;
    type Report = CollectionReport;

    fn run(ctx: &OpContext, req: CollectionNameRequest) -> Result<CollectionReport, OpError> {
        Ok(ops::collection_use(ctx.home, &req.name)?)
    }
    fn report_scope(r: &CollectionReport) -> EventScope {
        in_collection(&Some(r.name.clone()))
    }
}

/// `collection_delete`.
pub struct CollectionDelete;

impl Operation for CollectionDelete {
    const META: OpMeta = OpMeta::writes(
        "collection_delete",
        "Delete collection",
        "collection",
        "Delete a collection and all its files (not the active one).",
    )
    .destructive();
    type Request = CollectionNameRequest;
    type Report = CollectionReport;

    fn run(ctx: &OpContext, req: CollectionNameRequest) -> Result<CollectionReport, OpError> {
        Ok(ops::collection_delete(ctx.home, &req.name)?)
    }
    fn report_scope(r: &CollectionReport) -> EventScope {
        in_collection(&Some(r.name.clone()))
    }
}
