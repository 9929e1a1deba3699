//! The `pack` toolset: export, inspect, verify and import `.skillmeat-pack` files (over
//! `pack`), and the vaults packs are shared through (over `vault`). Pack paths resolve from the
//! working folder; without one (MCP, web) they must be absolute.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;
use crate::pack::{
    self, ExportReport, ExportRequest, ImportAction, ImportReport, ImportRequest, InspectReport,
    InspectRequest, VerifyReport, VerifyRequest,
};
use crate::vault::{self, TransferReport, VaultConfig, VaultInfo, VaultListing};

/// `pack_export`.
pub struct PackExport;

impl Operation for PackExport {
    const META: OpMeta = OpMeta::writes(
        "pack_export",
        "Export pack",
        "pack",
        "Write a deterministic .skillmeat-pack (a ZIP with a manifest of every file's hash) of collection artifacts, chosen by name, kind, tag or `all`, optionally signed with your Ed25519 key, to `output` (an absolute path). The same artifacts give the same bytes; an existing file at `output` is replaced.",
    )
    .idempotent()
    .mcp();
    type Request = ExportRequest;
    type Report = ExportReport;

    fn run(ctx: &OpContext, mut req: ExportRequest) -> Result<ExportReport, OpError> {
        req.output = ctx.absolute("output", req.output)?;
        req.collection = ctx.collection(req.collection);
        Ok(pack::export(ctx.home, req)?)
    }
    fn request_scope(req: &ExportRequest) -> EventScope {
        EventScope {
            collection: req.collection.clone(),
            ..Default::default()
        }
    }
}

/// `pack_inspect`.
pub struct PackInspect;

impl Operation for PackInspect {
    const META: OpMeta = OpMeta::reads(
        "pack_inspect",
        "Inspect pack",
        "pack",
        "Show what a pack holds (name, version, author, license, signature state, and each artifact with its files, hashes and sizes), after verifying the archive and every hash. An untrusted signer is reported, not refused.",
    )
    .mcp();
    type Request = InspectRequest;
    type Report = InspectReport;

    fn run(ctx: &OpContext, mut req: InspectRequest) -> Result<InspectReport, OpError> {
        req.path = ctx.absolute("path", req.path)?;
        Ok(pack::inspect(ctx.home, req)?)
    }
}

/// `pack_verify`.
pub struct PackVerify;

impl Operation for PackVerify {
    const META: OpMeta = OpMeta::reads(
        "pack_verify",
        "Verify pack",
        "pack",
        "Verify a pack completely: archive safety (entry count, sizes, compression ratio, paths), every file's hash, the bundle hash, the signature and trust in its signer. Succeeds only when every check passes; a signer you do not trust is an error.",
    )
    .mcp();
    type Request = VerifyRequest;
    type Report = VerifyReport;

    fn run(ctx: &OpContext, mut req: VerifyRequest) -> Result<VerifyReport, OpError> {
        req.path = ctx.absolute("path", req.path)?;
        Ok(pack::verify(ctx.home, req)?)
    }
}

/// `pack_import`.
pub struct PackImport;

impl Operation for PackImport {
    const META: OpMeta = OpMeta::writes(
        "pack_import",
        "Import pack",
        "pack",
        "Import a verified pack's artifacts into a collection, all-or-nothing. Artifacts already there with other content follow `strategy`: `merge` replaces them (a snapshot is taken first), `fork` adds the pack's copy under a new name, `skip` keeps the collection's. A pack signed by a key you do not trust is refused unless `trust_signer: true`. Call with `dry_run: true` first to see the plan.",
    )
    .destructive()
    .idempotent()
    .mcp();
    type Request = ImportRequest;
    type Report = ImportReport;

    fn run(ctx: &OpContext, mut req: ImportRequest) -> Result<ImportReport, OpError> {
        req.path = ctx.absolute("path", req.path)?;
        req.collection = ctx.collection(req.collection);
        Ok(pack::import(ctx.home, req)?)
    }
    fn request_scope(req: &ImportRequest) -> EventScope {
        EventScope {
            collection: req.collection.clone(),
            ..Default::default()
        }
    }
    fn report_scope(r: &ImportReport) -> EventScope {
        EventScope {
            collection: Some(r.collection.clone()),
            project: None,
            artifacts: r
                .items
                .iter()
                .filter(|i| !matches!(i.action, ImportAction::Skipped | ImportAction::Unchanged))
                .map(|i| artifact_id(i.kind, &i.as_name))
                .collect(),
        }
    }
}

/// `vault_add`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VaultAddRequest {
    /// Its name.
    pub name: String,
    /// Where it is: `{"type": "local", "path": …}`, `{"type": "git", "url": …}` or
    /// `{"type": "s3", "bucket": …}`.
    pub config: VaultConfig,
}

/// `vault_add`.
pub struct VaultAdd;

impl Operation for VaultAdd {
    const META: OpMeta = OpMeta::writes(
        "vault_add",
        "Add vault",
        "pack",
        "Add a vault to sharing.toml: a local folder, a git repository or an S3 bucket that packs are pushed to and pulled from. Credentials never go into the file.",
    );
    type Request = VaultAddRequest;
    type Report = VaultInfo;

    fn run(ctx: &OpContext, req: VaultAddRequest) -> Result<VaultInfo, OpError> {
        let config = match req.config {
            VaultConfig::Local { path } => VaultConfig::Local {
                path: ctx.absolute("config", path)?,
            },
            other => other,
        };
        Ok(vault::add(ctx.home, &req.name, config)?)
    }
}

/// A request that names one vault.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VaultNameRequest {
    /// The vault.
    pub vault: String,
}

/// `vault_list`.
pub struct VaultList;

impl Operation for VaultList {
    const META: OpMeta = OpMeta::reads(
        "vault_list",
        "List vaults",
        "pack",
        "List the vaults in sharing.toml with their kind and location.",
    );
    type Request = NoRequest;
    type Report = vault::VaultList;

    fn run(ctx: &OpContext, _req: NoRequest) -> Result<vault::VaultList, OpError> {
        Ok(vault::list(ctx.home)?)
    }
}

/// `vault_remove`.
pub struct VaultRemove;

impl Operation for VaultRemove {
    const META: OpMeta = OpMeta::writes(
        "vault_remove",
        "Remove vault",
        "pack",
        "Remove a vault from sharing.toml; the packs in it stay where they are.",
    )
    .destructive();
    type Request = VaultNameRequest;
    type Report = VaultInfo;

    fn run(ctx: &OpContext, req: VaultNameRequest) -> Result<VaultInfo, OpError> {
        Ok(vault::remove(ctx.home, &req.vault)?)
    }
}

/// `vault_push`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VaultPushRequest {
    /// The vault.
    pub vault: String,
    /// The pack file to upload (it is verified first).
    pub file: PathBuf,
}

/// `vault_push`.
pub struct VaultPush;

impl Operation for VaultPush {
    const META: OpMeta = OpMeta::writes(
        "vault_push",
        "Push pack",
        "pack",
        "Upload a pack to a vault, after verifying it (a vault never holds a broken pack).",
    )
    .idempotent()
    .open_world();
    type Request = VaultPushRequest;
    type Report = TransferReport;

    fn run(ctx: &OpContext, req: VaultPushRequest) -> Result<TransferReport, OpError> {
        let file = ctx.absolute("file", req.file)?;
        Ok(vault::push(ctx.home, &req.vault, &file)?)
    }
}

/// `vault_pull`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VaultPullRequest {
    /// The vault.
    pub vault: String,
    /// The pack's file name in the vault.
    pub pack: String,
    /// Where to write it (the pack's file name in the working folder when absent).
    #[serde(default)]
    pub output: Option<PathBuf>,
}

/// `vault_pull`.
pub struct VaultPull;

impl Operation for VaultPull {
    const META: OpMeta = OpMeta::writes(
        "vault_pull",
        "Pull pack",
        "pack",
        "Download a pack from a vault; it is verified before it is written to `output`.",
    )
    .idempotent()
    .open_world();
    type Request = VaultPullRequest;
    type Report = TransferReport;

    fn run(ctx: &OpContext, req: VaultPullRequest) -> Result<TransferReport, OpError> {
        let out = ctx.absolute(
            "output",
            req.output.unwrap_or_else(|| PathBuf::from(&req.pack)),
        )?;
        Ok(vault::pull(ctx.home, &req.vault, &req.pack, &out)?)
    }
}

/// `vault_ls`.
pub struct VaultLs;

impl Operation for VaultLs {
    const META: OpMeta = OpMeta::reads(
        "vault_ls",
        "List packs in a vault",
        "pack",
        "List the packs in a vault with their sizes.",
    )
    .open_world();
    type Request = VaultNameRequest;
    type Report = VaultListing;

    fn run(ctx: &OpContext, req: VaultNameRequest) -> Result<VaultListing, OpError> {
        Ok(vault::ls(ctx.home, &req.vault)?)
    }
}

/// `vault_delete`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VaultPackRequest {
    /// The vault.
    pub vault: String,
    /// The pack's file name in the vault.
    pub pack: String,
}

/// `vault_delete`.
pub struct VaultDelete;

impl Operation for VaultDelete {
    const META: OpMeta = OpMeta::writes(
        "vault_delete",
        "Delete pack from a vault",
        "pack",
        "Delete a pack from a vault.",
    )
    .destructive()
    .open_world();
    type Request = VaultPackRequest;
    type Report = TransferReport;

    fn run(ctx: &OpContext, req: VaultPackRequest) -> Result<TransferReport, OpError> {
        Ok(vault::delete(ctx.home, &req.vault, &req.pack)?)
    }
}
