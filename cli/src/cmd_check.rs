//! `skillmeat check [PATHS…]`: the Language Server's diagnostics on the command line, as text,
//! JSON or SARIF 2.1.0 (for GitHub code scanning), exiting 1 when there are errors — for CI.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use serde_json::json;
use skillmeat_core::check::{FileKind, Severity};
use skillmeat_core::check_context::{CheckReport, CheckRequest};
use skillmeat_core::op::{self, OpContext};

use crate::call;
use crate::output::{Out, plural};

/// Output formats of `skillmeat check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: severity[code]: message`, one per line, and a summary
    Text,
    /// The report as JSON
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other CI viewers
    Sarif,
}

/// Arguments of `skillmeat check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders to check [default: the current folder]
    paths: Vec<PathBuf>,
    /// Output format (`--json` is the same as `--format json`)
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Check the named files as this kind (collection-toml, collection-lock, claude-settings,
    /// claude-settings-local, user-claude-settings, mcp-json, skill-md, command-md, agent-md)
    #[arg(long, value_parser = parse_kind)]
    kind: Option<FileKind>,
}

fn parse_kind(s: &str) -> Result<FileKind, String> {
    FileKind::from_name(s).ok_or_else(|| {
        let names: Vec<_> = FileKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind `{s}`; use one of {}", names.join(", "))
    })
}

/// Checks, prints, and fails (exit 1) when any diagnostic is an error.
pub fn run(ctx: &OpContext, out: &Out, args: CheckArgs) -> Result<()> {
    let report = call::<op::CheckFiles>(
        ctx,
        CheckRequest {
            paths: args.paths,
            kind: args.kind,
        },
    )?;
    let format = if out.is_json() {
        Format::Json
    } else {
        args.format
    };
    match format {
        Format::Text => out.print_text(&text(&report, out.is_quiet()))?,
        Format::Json => out.print_json(&report)?,
        Format::Sarif => out.print_json(&sarif(&report))?,
    }
    if report.errors > 0 {
        let files = report
            .files
            .iter()
            .filter(|f| {
                f.diagnostics
                    .iter()
                    .any(|d| d.diagnostic.severity == Severity::Error)
            })
            .count();
        bail!(
            "{} in {}; fix {} and run `skillmeat check` again",
            plural(report.errors, "error"),
            plural(files, "file"),
            if report.errors == 1 { "it" } else { "them" }
        );
    }
    Ok(())
}

/// The text report: one line per diagnostic (errors only with `--quiet`), its fixes, and a
/// summary.
fn text(report: &CheckReport, quiet: bool) -> String {
    let mut out = String::new();
    for f in &report.files {
        for d in &f.diagnostics {
            if quiet && d.diagnostic.severity != Severity::Error {
                continue;
            }
            let _ = writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                f.path,
                d.line,
                d.column,
                d.diagnostic.severity.as_str(),
                d.diagnostic.code,
                d.diagnostic.message
            );
            for fix in &d.diagnostic.fixes {
                let _ = writeln!(out, "    fix: {}", fix.title);
            }
        }
    }
    if !quiet {
        let _ = writeln!(
            out,
            "checked {}: {}, {}, {}",
            plural(report.files.len(), "file"),
            plural(report.errors, "error"),
            plural(report.warnings, "warning"),
            plural(report.notes, "note")
        );
    }
    out
}

/// A result's artifact URI: relative to the current folder when the file is inside it (what
/// GitHub code scanning resolves against the repository root), else a `file://` URI.
fn sarif_uri(path: &str) -> String {
    let p = std::path::Path::new(path);
    if p.is_absolute() {
        if let Ok(cwd) = std::env::current_dir()
            && let Ok(rel) = p.strip_prefix(&cwd)
        {
            return rel.to_string_lossy().replace('\\', "/");
        }
        let abs = path.replace('\\', "/");
        let abs = abs.trim_start_matches('/');
        return format!("file:///{}", abs.replace(' ', "%20"));
    }
    path.strip_prefix("./").unwrap_or(path).to_string()
}

/// The report as a SARIF 2.1.0 log: one run, one rule per diagnostic code, columns counted in
/// Unicode code points, paths relative to the current folder (GitHub resolves them against the
/// repository root, where CI runs).
pub fn sarif(report: &CheckReport) -> serde_json::Value {
    let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.files {
        for d in &f.diagnostics {
            let n = rules.len();
            rules.entry(d.diagnostic.code).or_insert(n);
        }
    }
    let mut rule_list: Vec<(&str, usize)> = rules.iter().map(|(k, v)| (*k, *v)).collect();
    rule_list.sort_by_key(|(_, i)| *i);
    let rules_json: Vec<_> = rule_list
        .iter()
        .map(|(code, _)| {
            json!({
                "id": code,
                "name": code,
                "shortDescription": { "text": code.replace('-', " ") },
                "helpUri": "https://example.invalid/skillmeat/docs/check.md",
            })
        })
        .collect();
    let results: Vec<_> = report
        .files
        .iter()
        .flat_map(|f| f.diagnostics.iter().map(move |d| (f, d)))
        .map(|(f, d)| {
            let level = match d.diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information | Severity::Hint => "note",
            };
            let uri = sarif_uri(&f.path);
            json!({
                "ruleId": d.diagnostic.code,
                "ruleIndex": rules[d.diagnostic.code],
                "level": level,
                "message": { "text": d.diagnostic.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": d.line,
                            "startColumn": d.column,
                            "endLine": d.end_line,
                            "endColumn": d.end_column,
                        }
                    }
                }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "skillmeat",
                    "version": skillmeat_core::VERSION,
                    "informationUri": "https://example.invalid/skillmeat",
                    "rules": rules_json,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}
