//! The `check` toolset: the rule engine of the language server (`check::check`) over files on
//! disk — `check_files` (what `skillmeat check` runs, for CI) and `check_config` (one file or a
//! text, for a model). A file's surroundings are gathered by `check_context`, the same way for
//! both, so they report the same diagnostics. A `text` has no surroundings: rules that need them
//! are skipped, as the engine does for any unknown context field.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;
use crate::check::text::LineIndex;
use crate::check::{self, Context, Diagnostic, FileKind};
use crate::check_context::{self, CheckReport, CheckRequest};

/// `check_config`: a `path`, or a `text` with its `kind`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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

/// `check_config`.
pub struct CheckConfig;

impl Operation for CheckConfig {
    const META: OpMeta = OpMeta::reads(
        "check_config",
        "Check a config file",
        "check",
        "Check a Claude Code or SkillMeat file (settings.json, settings.local.json, .mcp.json, collection.toml, collection.lock, SKILL.md, a command or an agent) with the rules of `skillmeat check`: unknown keys and hook events, wrong types, secrets in plain text, bad front matter. Give a `path`, or a `text` with its `kind`. Each diagnostic has its line, column, rule code, one-sentence message and quick fixes (byte-range edits). Reads the file named and what `skillmeat check` reads around it (the collection's files for collection.toml/.lock, the project's .mcp.json for settings).",
    )
    .mcp();
    type Request = CheckConfigRequest;
    type Report = CheckConfigReport;

    fn run(ctx: &OpContext, req: CheckConfigRequest) -> Result<CheckConfigReport, OpError> {
        let usage = |m: &str| OpError::new(ErrorKind::Usage, m);
        let (path, kind, text) = match (req.path, req.text) {
            (Some(_), Some(_)) => {
                return Err(usage("a file and a text were both given")
                    .fix(Fix::param("path").why("alone"))
                    .fix(Fix::param("text").why("alone")));
            }
            (None, None) => {
                return Err(usage("nothing was given to check")
                    .fix(Fix::param("path").why("naming the file"))
                    .fix(Fix::param("text").why("with its kind")));
            }
            (None, Some(text)) => {
                let kind = req.kind.ok_or_else(|| {
                    usage("a text needs its kind to say what file it is")
                        .fix(Fix::param_value("kind", "claude-settings").why("or another kind"))
                })?;
                (None, kind, text)
            }
            (Some(path), None) => {
                let abs = ctx.absolute("path", PathBuf::from(&path))?;
                let shown = abs.display().to_string();
                let kind = req
                    .kind
                    .or_else(|| FileKind::detect(&shown))
                    .ok_or_else(|| {
                        usage(&format!(
                            "{shown}: cannot tell what kind of file this is from its name"
                        ))
                        .fix(Fix::param_value("kind", "claude-settings").why("or another kind"))
                    })?;
                let text = std::fs::read_to_string(&abs).map_err(|e| {
                    OpError::new(
                        crate::hint::io_kind(&e),
                        format!("{shown}: {e}; give the path of a readable UTF-8 file"),
                    )
                })?;
                (Some(shown), kind, text)
            }
        };
        let context = match &path {
            Some(p) => check_context::gather(kind, Path::new(p), &text),
            None => Context::default(),
        };
        let index = LineIndex::new(&text);
        let mut counts = BTreeMap::new();
        let diagnostics = check::check(kind, &text, &context)
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
}

/// `check_files`.
pub struct CheckFiles;

impl Operation for CheckFiles {
    const META: OpMeta = OpMeta::reads(
        "check_files",
        "Check files",
        "check",
        "Check files and folders (folders are searched for the files SkillMeat checks) with the language server's rules; every diagnostic with its line and column, and how many errors, warnings and notes there are.",
    );
    type Request = CheckRequest;
    type Report = CheckReport;

    fn run(ctx: &OpContext, mut req: CheckRequest) -> Result<CheckReport, OpError> {
        if req.paths.is_empty() {
            req.paths.push(PathBuf::from("."));
        }
        // Paths stay as given when they are relative to the process's own folder, so reports
        // (and SARIF) name them the way the user typed them.
        let keep = ctx.cwd.as_deref().is_some_and(is_process_cwd);
        req.paths = req
            .paths
            .into_iter()
            .map(|p| {
                if keep && p.is_relative() {
                    Ok(p)
                } else {
                    ctx.absolute("paths", p)
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(check_context::check_files(&req)?)
    }
}
