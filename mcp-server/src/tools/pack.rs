//! The `pack` toolset: `pack_export`, `pack_inspect`, `pack_verify` and `pack_import`, the same
//! `skillmeat_core::pack` functions `skillmeat bundle …` calls. Pack paths and the export's
//! output path must be absolute (a server's current folder is whatever its client started it
//! in, so a relative path would be a guess). Trusting a pack's unknown signer is never implied:
//! the CLI asks on a terminal, a tool only does it when the call says `trust_signer: true`.

use std::path::{Path, PathBuf};

use rmcp::handler::server::wrapper::Parameters;
use rmcp::{Json, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skillmeat_core::pack::{
    self, ExportReport, ExportRequest, ImportReport, ImportRequest, InspectReport, InspectRequest,
    Strategy, VerifyLimits, VerifyReport, VerifyRequest,
};

// `PackError` is large (clippy's result_large_err), so each closure hands `blocking` its
// sentence instead of the error value; the text is the same.
use super::blocking;
use crate::server::SkillmeatServer;

/// The sentence for a path that is not absolute, or nothing.
fn absolute(what: &str, path: &Path) -> Result<(), String> {
    if path.is_absolute() {
        Ok(())
    } else {
        Err(format!(
            "{what} `{}` is not an absolute path; pass the file's absolute path",
            path.display()
        ))
    }
}

/// Archive limits checked before anything is inflated; each absent one keeps its default.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct PackLimits {
    /// Most entries the archive may hold (default 50000).
    #[serde(default)]
    pub max_entries: Option<u64>,
    /// Largest inflated size of one file, in bytes (default 64 MiB).
    #[serde(default)]
    pub max_file_size: Option<u64>,
    /// Largest inflated size of all files, in bytes (default 1 GiB).
    #[serde(default)]
    pub max_total_size: Option<u64>,
    /// Highest inflated/compressed ratio of one entry (default 200).
    #[serde(default)]
    pub max_ratio: Option<u64>,
}

impl PackLimits {
    fn limits(&self) -> VerifyLimits {
        let d = VerifyLimits::default();
        VerifyLimits {
            max_entries: self.max_entries.unwrap_or(d.max_entries),
            max_file_size: self.max_file_size.unwrap_or(d.max_file_size),
            max_total_size: self.max_total_size.unwrap_or(d.max_total_size),
            max_ratio: self.max_ratio.unwrap_or(d.max_ratio),
        }
    }
}

/// `pack_inspect` and `pack_verify`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct PackFileRequest {
    /// The pack file, as an absolute path.
    pub path: PathBuf,
    /// Archive limits.
    #[serde(flatten)]
    pub limits: PackLimits,
}

/// `pack_import`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct PackImportRequest {
    /// The collection to import into (the server's default, else the active one, when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// The pack file, as an absolute path.
    pub path: PathBuf,
    /// What to do with artifacts already in the collection with other content: `merge`
    /// (replace the collection's copy, after a snapshot), `fork` (add the pack's as
    /// `<name>-2`, …) or `skip` (keep the collection's). Default `merge`.
    #[serde(default)]
    pub strategy: Strategy,
    /// Only report the plan; change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Trust the pack's signer when it is not trusted yet (adds its key to
    /// `keys/trusted.toml`). Never implied: without it a pack signed by an unknown key is refused.
    #[serde(default)]
    pub trust_signer: bool,
    /// Import even when packs this one needs (its `dependencies`) are not in the collection;
    /// the report lists them as `unmet_dependencies`.
    #[serde(default)]
    pub ignore_dependencies: bool,
    /// Archive limits.
    #[serde(flatten)]
    pub limits: PackLimits,
}

#[tool_router(router = pack_tools, vis = "pub(crate)")]
impl SkillmeatServer {
    #[tool(
        title = "Export pack",
        description = "Write a deterministic .skillmeat-pack (a ZIP with a manifest of every file's hash) of collection artifacts, chosen by name, kind, tag or `all`, optionally signed with your Ed25519 key. The same artifacts give the same bytes; an existing file at `output` is replaced.",
        annotations(
            title = "Export pack",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn pack_export(
        &self,
        Parameters(mut req): Parameters<ExportRequest>,
    ) -> Result<Json<ExportReport>, String> {
        // Core's request is the input schema; the MCP face only insists on an absolute output
        // path (the server's working folder means nothing to the model) and fills the collection.
        absolute("output", &req.output)?;
        req.collection = self.collection_or_default(req.collection);
        let home = self.home.clone();
        blocking(move || pack::export(&home, req).map_err(|e| e.to_string())).await
    }

    #[tool(
        title = "Inspect pack",
        description = "Show what a pack holds (name, version, author, license, signature state, and each artifact with its files, hashes and sizes), after verifying the archive and every hash. An untrusted signer is reported, not refused.",
        annotations(
            title = "Inspect pack",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn pack_inspect(
        &self,
        Parameters(req): Parameters<PackFileRequest>,
    ) -> Result<Json<InspectReport>, String> {
        absolute("pack", &req.path)?;
        let req = InspectRequest {
            path: req.path,
            limits: req.limits.limits(),
        };
        let home = self.home.clone();
        blocking(move || pack::inspect(&home, req).map_err(|e| e.to_string())).await
    }

    #[tool(
        title = "Verify pack",
        description = "Verify a pack completely: archive safety (entry count, sizes, compression ratio, paths), every file's hash, the bundle hash, the signature and trust in its signer. Succeeds only when every check passes; a signer you do not trust is an error.",
        annotations(
            title = "Verify pack",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn pack_verify(
        &self,
        Parameters(req): Parameters<PackFileRequest>,
    ) -> Result<Json<VerifyReport>, String> {
        absolute("pack", &req.path)?;
        let req = VerifyRequest {
            path: req.path,
            limits: req.limits.limits(),
        };
        let home = self.home.clone();
        blocking(move || pack::verify(&home, req).map_err(|e| e.to_string())).await
    }

    #[tool(
        title = "Import pack",
        description = "Import a verified pack's artifacts into a collection, all-or-nothing. Artifacts already there with other content follow `strategy`: `merge` replaces them (a snapshot is taken first), `fork` adds the pack's copy under a new name, `skip` keeps the collection's. A pack signed by a key you do not trust is refused unless `trust_signer: true`. Call with `dry_run: true` first to see the plan.",
        annotations(
            title = "Import pack",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn pack_import(
        &self,
        Parameters(req): Parameters<PackImportRequest>,
    ) -> Result<Json<ImportReport>, String> {
        absolute("pack", &req.path)?;
        let req = ImportRequest {
            collection: self.collection_or_default(req.collection),
            path: req.path,
            strategy: req.strategy,
            dry_run: req.dry_run,
            trust_signer: req.trust_signer,
            limits: req.limits.limits(),
            ignore_dependencies: req.ignore_dependencies,
        };
        let home = self.home.clone();
        blocking(move || pack::import(&home, req).map_err(|e| e.to_string())).await
    }
}
