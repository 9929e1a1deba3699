//! Printing core reports: as aligned text for people (colour only on a terminal and never with
//! `NO_COLOR`), or as pretty JSON of the report types themselves with `--json`.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use serde::Serialize;
use skillmeat_core::collection::ops::{
    AddReport, ArtifactDetail, ArtifactState, CollectionListReport, CollectionReport, InitReport,
    ListReport, RemoveReport, SearchReport, StatusReport, UpdateOutcome, UpdateReport,
};
use skillmeat_core::config::Setting;

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

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }

    /// Prints the JSON form and returns true when `--json` is on.
    fn json<T: Serialize>(&self, v: &T) -> Result<bool> {
        if self.json {
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, v)?;
            writeln!(stdout)?;
            return Ok(true);
        }
        Ok(false)
    }

    fn say(&self, text: &str) -> Result<()> {
        if !self.quiet {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{text}")?;
        }
        Ok(())
    }

    pub fn init(&self, r: &InitReport) -> Result<()> {
        if self.json(r)? {
            return Ok(());
        }
        if r.created {
            self.say(&format!(
                "Created collection `{}` in {}",
                r.collection,
                r.path.display()
            ))
        } else {
            self.say(&format!(
                "Collection `{}` already exists in {}",
                r.collection,
                r.path.display()
            ))
        }
    }

    pub fn collections(&self, r: &CollectionListReport) -> Result<()> {
        if self.json(r)? {
            return Ok(());
        }
        if r.collections.is_empty() {
            return self.say("No collections yet; create one with `skillmeat init`.");
        }
        for c in &r.collections {
            let mark = if c.active { "*" } else { " " };
            self.say(&format!("{mark} {:<24} {} artifacts", c.name, c.artifacts))?;
        }
        Ok(())
    }

    pub fn collection(&self, verb: &str, r: &CollectionReport) -> Result<()> {
        if self.json(r)? {
            return Ok(());
        }
        self.say(&format!(
            "{verb} collection `{}` ({})",
            r.name,
            r.path.display()
        ))
    }

    pub fn add(&self, r: &AddReport) -> Result<()> {
        if self.json(r)? {
            return Ok(());
        }
        let verb = if r.dry_run { "Would add" } else { "Added" };
        let n = r.added.len();
        let mut s = format!(
            "{verb} {n} artifact{} to `{}` from {}",
            if n == 1 { "" } else { "s" },
            r.collection,
            r.source
        );
        if !r.skipped.is_empty() {
            s.push_str(&format!(" ({} skipped)", r.skipped.len()));
        }
        self.say(&s)?;
        if n <= 50 || !self.quiet {
            for a in r.added.iter().take(50) {
                self.say(&format!(
                    "  + {:<8} {}",
                    a.kind.as_str(),
                    self.bold(&a.name)
                ))?;
            }
            if n > 50 {
                self.say(&format!("  … and {} more (see `skillmeat list`)", n - 50))?;
            }
        }
        for x in &r.renamed {
            self.say(&format!("  ~ {} `{}` added as `{}`", x.kind, x.from, x.to))?;
        }
        for x in &r.skipped {
            self.say(&format!(
                "  - {} `{}` from {}: {}",
                x.kind, x.name, x.source_path, x.reason
            ))?;
        }
        Ok(())
    }

    pub fn list(&self, r: &ListReport) -> Result<()> {
        if self.json(r)? {
            return Ok(());
        }
        if r.artifacts.is_empty() {
            return self.say(&format!(
                "Collection `{}` is empty; add artifacts with `skillmeat add <path|owner/repo>`.",
                r.collection
            ));
        }
        let w = r
            .artifacts
            .iter()
            .map(|a| a.name.len())
            .max()
            .unwrap_or(4)
            .clamp(4, 40);
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "{}",
            self.bold(&format!(
                "{:<8} {:<w$} {:<14} DESCRIPTION",
                "KIND", "NAME", "VERSION"
            ))
        )?;
        for a in &r.artifacts {
            let desc = clip(a.description.as_deref().unwrap_or(""), 60);
            writeln!(
                stdout,
                "{:<8} {:<w$} {:<14} {}",
                a.kind.as_str(),
                a.name,
                a.version.as_deref().unwrap_or(a.origin.as_str()),
                self.dim(&desc)
            )?;
        }
        Ok(())
    }

    pub fn show(&self, r: &ArtifactDetail, files: bool) -> Result<()> {
        if self.json(r)? {
            return Ok(());
        }
        let e = &r.entry;
        let mut lines = vec![format!(
            "{} {}",
            self.bold(&e.name),
            self.dim(&format!("({})", e.kind))
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
        for l in lines {
            self.say(&l)?;
        }
        if files {
            for f in &r.files {
                self.say(&format!(
                    "    {} {:>9}  {}{}",
                    &f.sha256[..12],
                    f.size,
                    f.path,
                    if f.executable { " *" } else { "" }
                ))?;
            }
        }
        Ok(())
    }

    pub fn search(&self, r: &SearchReport) -> Result<()> {
        if self.json(r)? {
            return Ok(());
        }
        if r.hits.is_empty() {
            return self.say(&format!(
                "Nothing in `{}` matches `{}`.",
                r.collection, r.query
            ));
        }
        for h in &r.hits {
            let desc = clip(h.artifact.description.as_deref().unwrap_or(""), 60);
            self.say(&format!(
                "{:<8} {:<32} {:>4}  {}",
                h.artifact.kind.as_str(),
                self.bold(&h.artifact.name),
                h.score,
                self.dim(&desc)
            ))?;
        }
        Ok(())
    }

    pub fn remove(&self, r: &RemoveReport) -> Result<()> {
        if self.json(r)? {
            return Ok(());
        }
        self.say(&format!(
            "Removed {} `{}` from `{}`",
            r.removed.kind, r.removed.name, r.collection
        ))
    }

    pub fn status(&self, r: &StatusReport) -> Result<()> {
        if self.json(r)? {
            return Ok(());
        }
        let summary = r
            .counts
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.say(&format!(
            "Collection `{}`: {} artifacts ({})",
            r.collection,
            r.artifacts.len(),
            if summary.is_empty() {
                "empty".into()
            } else {
                summary
            }
        ))?;
        if r.lock_version != skillmeat_core::collection::LOCK_VERSION {
            self.say(&format!(
                "  the lock was written by the Python tool (version {}); its hashes are recomputed on the next change",
                r.lock_version
            ))?;
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
            self.say(&line)?;
        }
        Ok(())
    }

    pub fn update(&self, r: &UpdateReport) -> Result<()> {
        if self.json(r)? {
            return Ok(());
        }
        let changed = r
            .items
            .iter()
            .filter(|i| i.outcome != UpdateOutcome::UpToDate)
            .count();
        self.say(&format!(
            "{} artifacts checked in `{}`, {} up to date",
            r.items.len(),
            r.collection,
            r.items.len() - changed
        ))?;
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
            if let Some(m) = &i.message {
                line.push_str(&format!("  ({m})"));
            }
            self.say(&line)?;
        }
        Ok(())
    }

    pub fn setting(&self, s: &Setting) -> Result<()> {
        if self.json(s)? {
            return Ok(());
        }
        self.say(&s.value)
    }

    pub fn settings(&self, s: &[Setting]) -> Result<()> {
        if self.json(&s)? {
            return Ok(());
        }
        for x in s {
            let d = if x.is_default {
                self.dim(" (default)")
            } else {
                String::new()
            };
            self.say(&format!("{} = {}{d}", x.key, x.value))?;
        }
        Ok(())
    }
}

/// The first `n` characters of `s`, with an ellipsis when it was longer.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
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
