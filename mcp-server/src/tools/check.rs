//! The `check` toolset: `check_config`, the engine of `skillmeat check` and the language server
//! (`skillmeat_core::check::check`) over one file or a text. A file's surroundings
//! ([`Context`]) are gathered by `skillmeat_core::check_context`, as `skillmeat check` gathers
//! them (the collection's paths and hashes for `collection.toml`/`.lock`, the project's
//! `.mcp.json` server names for settings, the description limit for `SKILL.md`), so both report
//! the same diagnostics. A `text` has no surroundings: rules that need them are skipped, as the
//! engine does for any unknown context field.

use std::collections::BTreeMap;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::{Json, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skillmeat_core::check::text::LineIndex;
use skillmeat_core::check::{self, Context, Diagnostic, FileKind};
use skillmeat_core::check_context;

use super::blocking;
use crate::server::SkillmeatServer;

/// `check_config`: a `path`, or a `text` with its `kind`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct CheckConfigRequest {
    /// An absolute path of the file to check (its kind is detected from the name and folders,
    /// e.g. `.claude/settings.json`, `.mcp.json`, `collection.toml`, `SKILL.md`,
    /// `agents/x.md`, `commands/x.md`, unless `kind` is given).
    #[serde(default)]
    pub path: Option<String>,
    /// The text to check instead of a file (needs `kind`).
    #[serde(default)]
    pub text: Option<String>,
    /// What kind of file it is (required with `text`; overrides detection with `path`).
    #[serde(default)]
    pub kind: Option<FileKind>,
}

/// One diagnostic with its position.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckedDiagnostic {
    /// 1-based line where it starts.
    pub line: usize,
    /// 1-based column (in characters) where it starts.
    pub col: usize,
    /// The finding, with its byte range, severity, rule code, message and quick fixes.
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
}

/// What `check_config` found.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckConfigReport {
    /// The file checked (absent for a `text`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The kind it was checked as.
    pub kind: FileKind,
    /// The diagnostics, in order of position; each fix's edits are byte ranges of the text.
    pub diagnostics: Vec<CheckedDiagnostic>,
    /// How many diagnostics of each severity (`error`, `warning`, `information`, `hint`).
    pub counts: BTreeMap<String, usize>,
}

/// Why a check request cannot run (each one sentence with the fix).
#[derive(Debug, thiserror::Error)]
enum CheckConfigError {
    #[error("pass either `path` or `text`, not both")]
    Both,
    #[error("pass the file's `path`, or its `text` with `kind`")]
    Neither,
    #[error("`text` needs `kind` (e.g. `claude-settings`) to say what file it is")]
    NoKind,
    #[error(
        "{0}: cannot tell what kind of file this is from its name; pass `kind` (e.g. `claude-settings`)"
    )]
    Undetected(String),
    #[error("{0}: {1}; pass the absolute path of a readable UTF-8 file")]
    Read(String, std::io::Error),
}

fn run(req: CheckConfigRequest) -> Result<CheckConfigReport, CheckConfigError> {
    let (path, kind, text) = match (req.path, req.text) {
        (Some(_), Some(_)) => return Err(CheckConfigError::Both),
        (None, None) => return Err(CheckConfigError::Neither),
        (None, Some(text)) => (None, req.kind.ok_or(CheckConfigError::NoKind)?, text),
        (Some(path), None) => {
            let kind = req
                .kind
                .or_else(|| FileKind::detect(&path))
                .ok_or_else(|| CheckConfigError::Undetected(path.clone()))?;
            let text = std::fs::read_to_string(&path)
                .map_err(|e| CheckConfigError::Read(path.clone(), e))?;
            (Some(path), kind, text)
        }
    };
    let ctx = match &path {
        Some(p) => check_context::gather(kind, std::path::Path::new(p), &text),
        None => Context::default(),
    };
    let index = LineIndex::new(&text);
    let mut counts = BTreeMap::new();
    let diagnostics = check::check(kind, &text, &ctx)
        .into_iter()
        .map(|d| {
            *counts.entry(d.severity.as_str().to_string()).or_insert(0) += 1;
            let (line, col) = index.position_chars(d.range.start);
            CheckedDiagnostic {
                line: line + 1,
                col: col + 1,
                diagnostic: d,
            }
        })
        .collect();
    Ok(CheckConfigReport {
        path,
        kind,
        diagnostics,
        counts,
    })
}

#[tool_router(router = check_tools, vis = "pub(crate)")]
impl SkillmeatServer {
    #[tool(
        title = "Check a config file",
        description = "Check a Claude Code or SkillMeat file (settings.json, settings.local.json, .mcp.json, collection.toml, collection.lock, SKILL.md, a command or an agent) with the rules of `skillmeat check`: unknown keys and hook events, wrong types, secrets in plain text, bad front matter. Give a `path`, or a `text` with its `kind`. Each diagnostic has its line, column, rule code, one-sentence message and quick fixes (byte-range edits). Reads the file named and what `skillmeat check` reads around it (the collection's files for collection.toml/.lock, the project's .mcp.json for settings).",
        annotations(
            title = "Check a config file",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn check_config(
        &self,
        Parameters(req): Parameters<CheckConfigRequest>,
    ) -> Result<Json<CheckConfigReport>, String> {
        blocking(move || run(req)).await
    }
}
