//! The one owner of printing: a report goes out as pretty JSON of the report type itself with
//! `--json`, else as the text its printer makes (nothing with `--quiet`); colour only on a
//! terminal and never with `NO_COLOR`. The per-area printers (`cmd_*.rs`) build text and hand it
//! here; they never write to stdout themselves. Also the collection commands' printers.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use serde::Serialize;
use skillmeat_core::collection::ops::{
    AddReport, ArtifactDetail, ArtifactState, CollectionListReport, CollectionReport, InitReport,
    ListReport, RemoveReport, SearchReport, StatusReport, UpdateOutcome, UpdateReport,
};
use skillmeat_core::config::Setting;

use crate::hints;

fn color_on(stream_is_tty: bool) -> bool {
    stream_is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `error:` in red when stderr is a terminal.
pub fn error_prefix() -> &'static str {
    if color_on(std::io::stderr().is_terminal()) {
        "\x1b[1;31merror:\x1b[0m"
    } else {
        "error:"
    }
}

/// Where reports go.
pub struct Out {
    json: bool,
    quiet: bool,
    color: bool,
}

impl Out {
    pub fn new(json: bool, quiet: bool) -> Out {
        Out {
            json,
            quiet,
            color: color_on(std::io::stdout().is_terminal()),
        }
    }

    /// Whether `--json` is on.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Whether `--quiet` is on.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }

    /// Prints `report` as JSON with `--json`, else the lines `text` makes (unless `--quiet`).
    pub fn emit<T: Serialize>(&self, report: &T, text: impl FnOnce() -> Vec<String>) -> Result<()> {
        if self.json {
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, report)?;
            writeln!(stdout)?;
            return Ok(());
        }
        if self.quiet {
            return Ok(());
        }
        let mut stdout = std::io::stdout().lock();
        for line in text() {
            writeln!(stdout, "{line}")?;
        }
        Ok(())
    }

    /// Like [`Out::emit`], for text made as one string (trailing blank lines dropped).
    pub fn emit_str<T: Serialize>(&self, report: &T, text: impl FnOnce() -> String) -> Result<()> {
        self.emit(report, || {
            let t = text();
            let t = t.trim_end();
            if t.is_empty() {
                Vec::new()
            } else {
                t.lines().map(str::to_string).collect()
            }
        })
    }

    /// Prints `v` as pretty JSON whatever `--json` says (for formats chosen otherwise, such as
    /// `check --format sarif`).
    pub fn print_json<T: Serialize>(&self, v: &T) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, v)?;
        writeln!(stdout)?;
        Ok(())
    }

    /// Prints text as it is, whatever `--quiet` says (the caller has already decided what
    /// `--quiet` keeps).
    pub fn print_text(&self, text: &str) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        write!(stdout, "{text}")?;
        stdout.flush()?;
        Ok(())
    }

    /// Like [`Out::emit`], for text that is printed as it is (a diff, a key file).
    pub fn emit_raw<T: Serialize>(&self, report: &T, text: impl FnOnce() -> String) -> Result<()> {
        if self.json {
            return self.emit(report, Vec::new);
        }
        if !self.quiet {
            write!(std::io::stdout().lock(), "{}", text())?;
        }
        Ok(())
    }
}

/// At most 50 item lines, then how many more there are.
pub fn capped(lines: Vec<String>) -> Vec<String> {
    let n = lines.len();
    let mut out: Vec<String> = lines.into_iter().take(50).collect();
    if n > 50 {
        out.push(format!("  … and {} more (use --json for all)", n - 50));
    }
    out
}

/// `3 clean, 1 modified`: how many there are of each state.
pub fn counts(counts: &std::collections::BTreeMap<String, usize>) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1 artifact`, `2 artifacts`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The first `n` characters of `s`, with an ellipsis when it was longer.
pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

fn state_word(s: ArtifactState) -> &'static str {
    match s {
        ArtifactState::Clean => "clean",
        ArtifactState::Modified => "modified",
        ArtifactState::Missing => "missing",
        ArtifactState::Unlocked => "unlocked",
        ArtifactState::Unverified => "unverified",
    }
}

// ------------------------------------------------------------------ the collection commands

pub fn init(o: &Out, r: &InitReport) -> Result<()> {
    o.emit(r, || {
        vec![if r.created {
            format!(
                "Created collection `{}` in {}",
                r.collection,
                r.path.display()
            )
        } else {
            format!(
                "Collection `{}` already exists in {}",
                r.collection,
                r.path.display()
            )
        }]
    })
}

pub fn collections(o: &Out, r: &CollectionListReport) -> Result<()> {
    o.emit(r, || {
        if r.collections.is_empty() {
            return vec!["No collections yet; create one with `skillmeat init`.".into()];
        }
        r.collections
            .iter()
            .map(|c| {
                let mark = if c.active { "*" } else { " " };
                format!("{mark} {:<24} {} artifacts", c.name, c.artifacts)
            })
            .collect()
    })
}

pub fn collection(o: &Out, verb: &str, r: &CollectionReport) -> Result<()> {
    o.emit(r, || {
        vec![format!(
            "{verb} collection `{}` ({})",
            r.name,
            r.path.display()
        )]
    })
}

pub fn add(o: &Out, r: &AddReport) -> Result<()> {
    o.emit(r, || {
        let verb = if r.dry_run { "Would add" } else { "Added" };
        let n = r.added.len();
        let mut head = format!(
            "{verb} {} to `{}` from {}",
            plural(n, "artifact"),
            r.collection,
            r.source
        );
        if !r.skipped.is_empty() {
            head.push_str(&format!(" ({} skipped)", r.skipped.len()));
        }
        let mut lines = vec![head];
        for a in r.added.iter().take(50) {
            lines.push(format!("  + {:<8} {}", a.kind.as_str(), o.bold(&a.name)));
        }
        if n > 50 {
            lines.push(format!("  … and {} more (see `skillmeat list`)", n - 50));
        }
        for x in &r.renamed {
            lines.push(format!("  ~ {} `{}` added as `{}`", x.kind, x.from, x.to));
        }
        for x in &r.skipped {
            lines.push(format!(
                "  - {} `{}` from {}: {}",
                x.kind, x.name, x.source_path, x.reason
            ));
        }
        lines
    })
}

pub fn list(o: &Out, r: &ListReport) -> Result<()> {
    o.emit(r, || {
        if r.artifacts.is_empty() {
            return vec![format!(
                "Collection `{}` is empty; add artifacts with `skillmeat add <path|owner/repo>`.",
                r.collection
            )];
        }
        let w = r
            .artifacts
            .iter()
            .map(|a| a.name.len())
            .max()
            .unwrap_or(4)
            .clamp(4, 40);
        let mut lines = vec![o.bold(&format!(
            "{:<8} {:<w$} {:<14} DESCRIPTION",
            "KIND", "NAME", "VERSION"
        ))];
        for a in &r.artifacts {
            let desc = clip(a.description.as_deref().unwrap_or(""), 60);
            lines.push(format!(
                "{:<8} {:<w$} {:<14} {}",
                a.kind.as_str(),
                a.name,
                a.version.as_deref().unwrap_or(a.origin.as_str()),
                o.dim(&desc)
            ));
        }
        lines
    })
}

pub fn show(o: &Out, r: &ArtifactDetail, files: bool) -> Result<()> {
    o.emit(r, || {
        let e = &r.entry;
        let mut lines = vec![format!(
            "{} {}",
            o.bold(&e.name),
            o.dim(&format!("({})", e.kind))
        )];
        if let Some(d) = e.description() {
            lines.push(format!("  {d}"));
        }
        let mut kv = |k: &str, v: String| lines.push(format!("  {:<12} {v}", format!("{k}:")));
        kv("path", r.path.display().to_string());
        kv("origin", e.origin.as_str().to_string());
        if let Some(u) = &e.upstream {
            kv("upstream", u.clone());
        }
        if let Some(v) = &e.version_spec {
            kv("requested", v.clone());
        }
        if let Some(v) = &e.resolved_version {
            kv("version", v.clone());
        }
        if let Some(v) = &e.resolved_sha {
            kv("commit", v.clone());
        }
        if !e.tags.is_empty() {
            kv("tags", e.tags.join(", "));
        }
        if !e.aliases.is_empty() {
            kv("aliases", e.aliases.join(", "));
        }
        if let Some(a) = &e.added {
            kv("added", a.to_string());
        }
        if let Some(s) = r.lock.as_ref().and_then(|l| l.signer.clone()) {
            kv("signer", s);
        }
        kv("state", state_word(r.state).to_string());
        kv("hash", r.content_hash.clone().unwrap_or_else(|| "-".into()));
        kv("files", r.files.len().to_string());
        if let Some(err) = &r.metadata_error {
            kv("warning", err.clone());
        }
        if files {
            for f in &r.files {
                lines.push(format!(
                    "    {} {:>9}  {}{}",
                    &f.sha256[..12.min(f.sha256.len())],
                    f.size,
                    f.path,
                    if f.executable { " *" } else { "" }
                ));
            }
        }
        lines
    })
}

pub fn search(o: &Out, r: &SearchReport) -> Result<()> {
    o.emit(r, || {
        if r.hits.is_empty() {
            return vec![format!(
                "Nothing in `{}` matches `{}`.",
                r.collection, r.query
            )];
        }
        r.hits
            .iter()
            .map(|h| {
                let desc = clip(h.artifact.description.as_deref().unwrap_or(""), 60);
                format!(
                    "{:<8} {:<32} {:>4}  {}",
                    h.artifact.kind.as_str(),
                    o.bold(&h.artifact.name),
                    h.score,
                    o.dim(&desc)
                )
            })
            .collect()
    })
}

pub fn remove(o: &Out, r: &RemoveReport) -> Result<()> {
    o.emit(r, || {
        if r.dry_run {
            let mut lines = vec![format!(
                "Would remove {} `{}` from `{}` ({})",
                r.removed.kind,
                r.removed.name,
                r.collection,
                plural(r.files.len(), "file")
            )];
            lines.extend(capped(
                r.files
                    .iter()
                    .map(|f| format!("  - {}", r.path.join(f).display()))
                    .collect(),
            ));
            return lines;
        }
        vec![format!(
            "Removed {} `{}` from `{}` (undo: skillmeat snapshot restore {})",
            r.removed.kind,
            r.removed.name,
            r.collection,
            r.snapshot.as_deref().unwrap_or("-")
        )]
    })
}

pub fn status(o: &Out, r: &StatusReport) -> Result<()> {
    o.emit(r, || {
        let summary = counts(&r.counts);
        let mut lines = vec![format!(
            "Collection `{}`: {} artifacts ({})",
            r.collection,
            r.artifacts.len(),
            if summary.is_empty() {
                "empty".into()
            } else {
                summary
            }
        )];
        if r.lock_version != skillmeat_core::collection::LOCK_VERSION {
            lines.push(format!(
                "  the lock was written by the Python tool (version {}); its hashes are recomputed on the next change",
                r.lock_version
            ));
        }
        for a in r
            .artifacts
            .iter()
            .filter(|a| a.state != ArtifactState::Clean)
        {
            let mut line = format!(
                "  {:<10} {:<8} {}",
                state_word(a.state),
                a.kind.as_str(),
                a.name
            );
            if let Some(e) = &a.error {
                line.push_str(&format!(" — {e}"));
            }
            lines.push(line);
        }
        lines
    })
}

pub fn update(o: &Out, r: &UpdateReport) -> Result<()> {
    o.emit(r, || {
        let changed = r
            .items
            .iter()
            .filter(|i| i.outcome != UpdateOutcome::UpToDate)
            .count();
        let mut lines = vec![format!(
            "{} artifacts checked in `{}`, {} up to date",
            r.items.len(),
            r.collection,
            r.items.len() - changed
        )];
        for i in r
            .items
            .iter()
            .filter(|i| i.outcome != UpdateOutcome::UpToDate)
        {
            let word = match i.outcome {
                UpdateOutcome::Available => "available",
                UpdateOutcome::Updated => "updated",
                UpdateOutcome::LocallyModified => "modified",
                UpdateOutcome::Failed => "failed",
                UpdateOutcome::Skipped => "skipped",
                UpdateOutcome::UpToDate => "current",
            };
            let mut line = format!("  {word:<10} {:<8} {}", i.kind.as_str(), i.name);
            if let (Some(f), Some(t)) = (&i.from, &i.to) {
                line.push_str(&format!("  {f} -> {t}"));
            }
            if let Some(m) = hints::note(i.message.as_deref(), &i.fixes) {
                line.push_str(&format!("  ({m})"));
            }
            lines.push(line);
        }
        lines
    })
}

pub fn setting(o: &Out, s: &Setting) -> Result<()> {
    o.emit(s, || vec![s.value.clone()])
}

pub fn settings(o: &Out, s: &[Setting]) -> Result<()> {
    o.emit(&s, || {
        s.iter()
            .map(|x| {
                let d = if x.is_default {
                    o.dim(" (default)")
                } else {
                    String::new()
                };
                format!("{} = {}{d}", x.key, x.value)
            })
            .collect()
    })
}
