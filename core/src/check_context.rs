//! Gathers the [`Context`] the pure check engine needs for a file — the IO half of `check`.
//!
//! [`crate::check`] never touches the disk; its callers (the Language Server and `skillmeat check`)
//! call this module instead, so both faces see the same surroundings: for `collection.toml` and
//! `collection.lock` the paths that exist under the collection folder, the hashes recorded in the
//! lock and the hashes of the collection copies now; for Claude Code settings files the MCP
//! server names defined in the project's `.mcp.json`; for artifacts the file path.
//!
//! Hashing every artifact is the expensive part, so [`ContextCache`] keeps what it read per
//! collection folder and per artifact, and [`ContextCache::invalidate`] drops exactly what a
//! changed file can affect. An editor re-gathers on every keystroke from the cache; the CLI uses
//! the one-shot [`gather`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::artifact::{ArtifactKind, hash_artifact, is_ignored_name};
use crate::check::{self, Context, Diagnostic, FileKind, Severity};
use crate::collection::{Lock, LockEntry, lock_key};
use crate::text::line_col;

/// Gathers the context of `path` (of `kind`, whose current text is `text`) without a cache.
pub fn gather(kind: FileKind, path: &Path, text: &str) -> Context {
    ContextCache::default().gather(kind, path, text)
}

/// The collection folder a manifest or lock belongs to: its parent folder.
pub fn collection_root(kind: FileKind, path: &Path) -> Option<PathBuf> {
    match kind {
        FileKind::CollectionToml | FileKind::CollectionLock => Some(parent_or_dot(path)),
        _ => None,
    }
}

/// The `.mcp.json` whose servers a settings file may refer to: `<project>/.mcp.json` for
/// `<project>/.claude/settings*.json`, none for the user's settings.
pub fn project_mcp_json(kind: FileKind, path: &Path) -> Option<PathBuf> {
    match kind {
        FileKind::ClaudeSettings | FileKind::ClaudeSettingsLocal => {
            let claude_dir = parent_or_dot(path);
            let project = claude_dir.parent().unwrap_or(Path::new("."));
            Some(project.join(".mcp.json"))
        }
        _ => None,
    }
}

fn parent_or_dot(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// One artifact named in `collection.toml`, as far as the text could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestArtifact {
    /// Its `name`.
    pub name: String,
    /// Its `type` (skill, command, agent, hook).
    pub kind: ArtifactKind,
    /// Its `path`, relative to the collection folder.
    pub path: String,
}

/// The `[[artifacts]]` of a `collection.toml` text that name a valid kind and a path; empty when
/// the text does not parse (the engine reports that itself).
///
/// An editor calls this on every keystroke of a 1,000-entry manifest, so the usual layout (one
/// `key = "string"` per line under `[[artifacts]]` headers, as SkillMeat writes it) is read by a
/// line scan; anything else (inline tables, dotted or quoted keys, escapes, multi-line strings)
/// by the full parser.
pub fn manifest_artifacts(text: &str) -> Vec<ManifestArtifact> {
    scan_artifacts(text).unwrap_or_else(|| parse_artifacts(text))
}

/// The line scan of [`manifest_artifacts`]; `None` when the text has a shape it does not read.
fn scan_artifacts(text: &str) -> Option<Vec<ManifestArtifact>> {
    fn flush(cur: &mut [Option<&str>; 3], out: &mut Vec<ManifestArtifact>) {
        if let [Some(name), Some(kind), Some(path)] = *cur
            && let Ok(kind) = kind.parse()
        {
            out.push(ManifestArtifact {
                name: name.to_string(),
                kind,
                path: path.to_string(),
            });
        }
        *cur = [None; 3];
    }
    let mut out = Vec::new();
    let mut in_artifact = false;
    let mut cur: [Option<&str>; 3] = [None; 3];
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.contains("'''") || t.contains(r#"""""#) {
            return None;
        }
        if t.starts_with('[') {
            flush(&mut cur, &mut out);
            in_artifact = t == "[[artifacts]]";
            if !in_artifact && t.contains("artifacts") {
                return None;
            }
            continue;
        }
        let Some((key, value)) = t.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if !in_artifact {
            if key.contains("artifacts") {
                return None;
            }
            continue;
        }
        let slot = match key {
            "name" => 0,
            "type" => 1,
            "path" => 2,
            _ if key.contains('.') || key.starts_with(['"', '\'']) => return None,
            _ => continue,
        };
        let v = value.trim();
        let inner = if let Some(r) = v.strip_prefix('"') {
            let s = &r[..r.find('"')?];
            if s.contains('\\') {
                return None;
            }
            s
        } else if let Some(r) = v.strip_prefix('\'') {
            &r[..r.find('\'')?]
        } else {
            return None;
        };
        if cur[slot].is_some() {
            // A duplicate key: the parser reports it; let it decide what the entry is.
            return None;
        }
        cur[slot] = Some(inner);
    }
    flush(&mut cur, &mut out);
    Some(out)
}

fn parse_artifacts(text: &str) -> Vec<ManifestArtifact> {
    let Ok(value) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Some(toml::Value::Array(arts)) = value.get("artifacts") else {
        return Vec::new();
    };
    arts.iter()
        .filter_map(|a| {
            let t = a.as_table()?;
            Some(ManifestArtifact {
                name: t.get("name")?.as_str()?.to_string(),
                kind: t.get("type")?.as_str()?.parse().ok()?,
                path: t.get("path")?.as_str()?.to_string(),
            })
        })
        .collect()
}

/// Whether a collection-relative `path` stays inside the collection (no `..`, not absolute).
pub fn is_safe_relative(path: &str) -> bool {
    crate::fsx::is_safe_relative(path)
}

/// What was read from one collection folder.
#[derive(Debug, Default)]
struct CollectionFacts {
    /// Collection-relative paths (files and folders) that exist.
    existing_paths: Option<BTreeSet<String>>,
    /// The lock as read (`None`: not read yet; `Some(None)`: absent or unreadable).
    lock: Option<Option<Lock>>,
    /// Content hash per artifact path (`None`: the artifact could not be hashed).
    hashes: HashMap<String, Option<String>>,
    /// `(kind, name)` of the artifacts in the `collection.toml` on disk.
    disk_artifacts: Option<Vec<ManifestArtifact>>,
    /// The lock's hashes by key, built once per lock read.
    lock_hashes: Option<Option<BTreeMap<String, String>>>,
}

/// A cache of what [`ContextCache::gather`] read from disk.
#[derive(Debug, Default)]
pub struct ContextCache {
    collections: HashMap<PathBuf, CollectionFacts>,
    mcp_json: HashMap<PathBuf, Option<BTreeSet<String>>>,
    /// `skillListingMaxDescChars` per settings file (`None`: absent or unreadable).
    listing_limit: HashMap<PathBuf, Option<usize>>,
}

impl ContextCache {
    /// A new, empty cache.
    pub fn new() -> ContextCache {
        ContextCache::default()
    }

    /// Gathers the context of `path` (of `kind`, with current text `text`), reading from disk
    /// only what the cache does not hold yet.
    pub fn gather(&mut self, kind: FileKind, path: &Path, text: &str) -> Context {
        let mut ctx = Context {
            file_path: Some(path.to_string_lossy().replace('\\', "/")),
            ..Context::default()
        };
        match kind {
            FileKind::CollectionToml => {
                let root = parent_or_dot(path);
                let arts = manifest_artifacts(text);
                let facts = self.collections.entry(root.clone()).or_default();
                ctx.existing_paths = Some(facts.existing_paths(&root).clone());
                ctx.lock_hashes = facts.lock_hashes(&root).cloned();
                ctx.actual_hashes = Some(facts.actual_hashes(&root, &arts));
                ctx.artifacts = Some(pairs(&arts));
            }
            FileKind::CollectionLock => {
                let root = parent_or_dot(path);
                let facts = self.collections.entry(root.clone()).or_default();
                let arts = facts.disk_artifacts(&root).to_vec();
                ctx.existing_paths = Some(facts.existing_paths(&root).clone());
                ctx.actual_hashes = Some(facts.actual_hashes(&root, &arts));
                ctx.artifacts = Some(pairs(&arts));
            }
            FileKind::ClaudeSettings | FileKind::ClaudeSettingsLocal => {
                if let Some(mcp) = project_mcp_json(kind, path) {
                    ctx.mcp_servers = self
                        .mcp_json
                        .entry(mcp.clone())
                        .or_insert_with(|| read_mcp_servers(&mcp))
                        .clone();
                }
            }
            FileKind::McpJson => {
                ctx.mcp_servers = mcp_server_names(text);
            }
            FileKind::SkillMd => {
                // Local > project > user, as Claude Code merges them.
                ctx.skill_listing_max_desc_chars =
                    settings_files_for(path).into_iter().find_map(|f| {
                        *self
                            .listing_limit
                            .entry(f.clone())
                            .or_insert_with(|| read_listing_limit(&f))
                    });
            }
            FileKind::AgentMd => {
                ctx.artifacts = agent_skills(path, crate::home::user_home().as_deref());
            }
            FileKind::UserClaudeSettings | FileKind::CommandMd => {}
        }
        ctx
    }

    /// The lock entry of `(kind, name)` in the collection at `root`, for hover.
    pub fn lock_entry(&mut self, root: &Path, kind: ArtifactKind, name: &str) -> Option<LockEntry> {
        let facts = self.collections.entry(root.to_path_buf()).or_default();
        facts.lock(root)?.get(kind, name).cloned()
    }

    /// Forgets what `changed` (a file or folder created, changed or deleted) can affect: the
    /// lock, the manifest on disk, the existing paths and the hash of the artifact it lies in.
    pub fn invalidate(&mut self, changed: &Path) {
        self.mcp_json.remove(changed);
        self.listing_limit.remove(changed);
        for (root, facts) in &mut self.collections {
            let Ok(rel) = changed.strip_prefix(root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            match rel.as_str() {
                "collection.lock" => {
                    facts.lock = None;
                    facts.lock_hashes = None;
                }
                "collection.toml" => facts.disk_artifacts = None,
                "" => *facts = CollectionFacts::default(),
                _ => {
                    facts.existing_paths = None;
                    facts
                        .hashes
                        .retain(|p, _| !(rel == *p || rel.starts_with(&format!("{p}/"))));
                }
            }
        }
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.collections.clear();
        self.mcp_json.clear();
        self.listing_limit.clear();
    }
}

impl CollectionFacts {
    fn existing_paths(&mut self, root: &Path) -> &BTreeSet<String> {
        self.existing_paths
            .get_or_insert_with(|| list_existing(root))
    }

    fn lock_hashes(&mut self, root: &Path) -> Option<&BTreeMap<String, String>> {
        if self.lock_hashes.is_none() {
            let built = self.lock(root).map(lock_hashes);
            self.lock_hashes = Some(built);
        }
        self.lock_hashes.as_ref().and_then(Option::as_ref)
    }

    fn lock(&mut self, root: &Path) -> Option<&Lock> {
        self.lock
            .get_or_insert_with(|| {
                let path = root.join("collection.lock");
                let text = fs::read_to_string(&path).ok()?;
                Lock::parse(path, &text).ok()
            })
            .as_ref()
    }

    fn disk_artifacts(&mut self, root: &Path) -> &[ManifestArtifact] {
        self.disk_artifacts.get_or_insert_with(|| {
            fs::read_to_string(root.join("collection.toml"))
                .map(|t| manifest_artifacts(&t))
                .unwrap_or_default()
        })
    }

    fn actual_hashes(
        &mut self,
        root: &Path,
        arts: &[ManifestArtifact],
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for a in arts {
            if !is_safe_relative(&a.path) {
                continue;
            }
            let hash = self
                .hashes
                .entry(a.path.clone())
                .or_insert_with(|| hash_artifact(&root.join(&a.path)).ok().map(|(h, _)| h));
            if let Some(h) = hash {
                out.insert(lock_key(a.kind, &a.name), h.clone());
            }
        }
        out
    }
}

fn pairs(arts: &[ManifestArtifact]) -> Vec<(String, String)> {
    arts.iter()
        .map(|a| (a.kind.as_str().to_string(), a.name.clone()))
        .collect()
}

fn lock_hashes(lock: &Lock) -> BTreeMap<String, String> {
    lock.entries
        .iter()
        .filter_map(|(k, e)| Some((k.clone(), e.content_hash.clone()?)))
        .collect()
}

/// Every file and folder under `root` (relative, `/`-separated), skipping the folders and files
/// artifact hashing ignores and not following symlinks.
fn list_existing(root: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(ft) = e.file_type() else { continue };
            if is_ignored_name(&name, ft.is_dir()) {
                continue;
            }
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if ft.is_dir() {
                stack.push((e.path(), rel.clone()));
            }
            out.insert(rel);
        }
    }
    out
}

/// The settings files that apply to a skill at `path`, most specific first: the
/// `settings.local.json` and `settings.json` of the `.claude` folder it lives in (if any), then
/// the user's `~/.claude/settings.json`.
fn settings_files_for(path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(claude) = path
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == ".claude"))
    {
        out.push(claude.join("settings.local.json"));
        out.push(claude.join("settings.json"));
    }
    if let Some(home) = crate::home::user_home() {
        let user = home.join(".claude/settings.json");
        if !out.contains(&user) {
            out.push(user);
        }
    }
    out
}

/// The skills an agent at `<dir>/.claude/agents/x.md` (or `~/.claude/agents/x.md`) can preload:
/// the skill folders (with a `SKILL.md`) of its own `.claude/skills/` and of `~/.claude/skills/`,
/// as `("skill", name)` pairs. `None` for a file not in an `agents/` folder, where the skills
/// it sees are unknown (so nothing is reported against them).
fn agent_skills(path: &Path, home: Option<&Path>) -> Option<Vec<(String, String)>> {
    let agents = path.parent()?;
    if agents.file_name()? != "agents" {
        return None;
    }
    let mut dirs = vec![agents.parent()?.join("skills")];
    if let Some(home) = home {
        let user = home.join(".claude/skills");
        if !dirs.contains(&user) {
            dirs.push(user);
        }
    }
    let mut names = BTreeSet::new();
    for d in dirs {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            if e.path().join("SKILL.md").is_file()
                && let Some(n) = e.file_name().to_str()
            {
                names.insert(n.to_string());
            }
        }
    }
    Some(
        names
            .into_iter()
            .map(|n| ("skill".to_string(), n))
            .collect(),
    )
}

/// `skillListingMaxDescChars` of a settings file on disk.
fn read_listing_limit(path: &Path) -> Option<usize> {
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).ok()?).ok()?;
    usize::try_from(v.get("skillListingMaxDescChars")?.as_u64()?).ok()
}

/// The server names of an `.mcp.json` on disk (`None` when it is absent or not JSON).
fn read_mcp_servers(path: &Path) -> Option<BTreeSet<String>> {
    mcp_server_names(&fs::read_to_string(path).ok()?)
}

/// The keys of `mcpServers` in an `.mcp.json` text.
pub fn mcp_server_names(text: &str) -> Option<BTreeSet<String>> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let servers = v.get("mcpServers")?.as_object()?;
    Some(servers.keys().cloned().collect())
}

// ---------------------------------------------------------------------------------------------
// `skillmeat check`: files and folders in, located diagnostics out.

/// What to check.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// Files or folders; folders are searched for the files SkillMeat checks (skipping `.git`,
    /// `node_modules` and `target`). Empty: the current folder.
    pub paths: Vec<PathBuf>,
    /// Check every named file as this kind instead of telling the kind from its path.
    pub kind: Option<FileKind>,
}

/// A diagnostic with 1-based line and column (columns count characters) for people and CI.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LocatedDiagnostic {
    /// 1-based line where it starts.
    pub line: usize,
    /// 1-based column (in characters) where it starts.
    pub column: usize,
    /// 1-based line where it ends.
    pub end_line: usize,
    /// 1-based column (in characters) just past its end.
    pub end_column: usize,
    /// The diagnostic itself (byte range, severity, code, message, fixes).
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
}

/// The diagnostics of one file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileReport {
    /// The file, as given or found (`/`-separated).
    pub path: String,
    /// What it was checked as.
    pub kind: FileKind,
    /// Its diagnostics, in order.
    pub diagnostics: Vec<LocatedDiagnostic>,
}

/// The result of [`check_files`].
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct CheckReport {
    /// Every file checked, with its diagnostics (files without any included).
    pub files: Vec<FileReport>,
    /// How many diagnostics are errors.
    pub errors: usize,
    /// How many are warnings.
    pub warnings: usize,
    /// How many are information or hints.
    pub notes: usize,
}

/// Why [`check_files`] could not check.
#[derive(Debug, Error)]
pub enum CheckFilesError {
    #[error("{0}: no such file or folder; pass an existing path")]
    Missing(PathBuf),
    #[error("cannot read {path}: {source}; check its permissions")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: SkillMeat cannot tell what kind of file this is from its path")]
    UnknownKind(PathBuf),
}

impl crate::hint::Hinted for CheckFilesError {
    fn kind(&self) -> crate::hint::ErrorKind {
        match self {
            CheckFilesError::Missing(_) => crate::hint::ErrorKind::NotFound,
            CheckFilesError::Read { source, .. } => crate::hint::io_kind(source),
            CheckFilesError::UnknownKind(_) => crate::hint::ErrorKind::Usage,
        }
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        match self {
            CheckFilesError::UnknownKind(_) => vec![crate::hint::Fix::param("kind").why(
                "(one of collection-toml, collection-lock, claude-settings, claude-settings-local, user-claude-settings, mcp-json, skill-md, command-md, agent-md)",
            )],
            _ => Vec::new(),
        }
    }
}

/// Checks files and folders: detects each file's kind, gathers its context (sharing one cache,
/// so a collection is hashed once) and runs the rules.
pub fn check_files(req: &CheckRequest) -> Result<CheckReport, CheckFilesError> {
    let roots = if req.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        req.paths.clone()
    };
    let mut files: Vec<(PathBuf, FileKind)> = Vec::new();
    for root in &roots {
        let meta = fs::metadata(root).map_err(|_| CheckFilesError::Missing(root.clone()))?;
        if meta.is_dir() {
            find_checkable(root, &mut files);
        } else {
            let kind = req
                .kind
                .or_else(|| FileKind::detect(&absolute_str(root)))
                .ok_or_else(|| CheckFilesError::UnknownKind(root.clone()))?;
            files.push((root.clone(), kind));
        }
    }
    let mut cache = ContextCache::new();
    let mut report = CheckReport::default();
    for (path, kind) in files {
        let text = fs::read(&path).map_err(|source| CheckFilesError::Read {
            path: path.clone(),
            source,
        })?;
        let text = String::from_utf8_lossy(&text);
        let abs = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
        let ctx = cache.gather(kind, &abs, &text);
        let diagnostics: Vec<LocatedDiagnostic> = check::check(kind, &text, &ctx)
            .into_iter()
            .map(|d| {
                let (line, column) = line_col(&text, d.range.start);
                let (end_line, end_column) = line_col(&text, d.range.end);
                match d.severity {
                    Severity::Error => report.errors += 1,
                    Severity::Warning => report.warnings += 1,
                    Severity::Information | Severity::Hint => report.notes += 1,
                }
                LocatedDiagnostic {
                    line,
                    column,
                    end_line,
                    end_column,
                    diagnostic: d,
                }
            })
            .collect();
        report.files.push(FileReport {
            path: path.to_string_lossy().replace('\\', "/"),
            kind,
            diagnostics,
        });
    }
    Ok(report)
}

/// The absolute form of `p` as a string, so kind detection sees the parent folders.
fn absolute_str(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// Files under `dir` whose kind can be told from their path, sorted.
fn find_checkable(dir: &Path, out: &mut Vec<(PathBuf, FileKind)>) {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let name = e.file_name();
            let Ok(ft) = e.file_type() else { continue };
            let p = e.path();
            if ft.is_dir() {
                if !matches!(
                    name.to_str(),
                    Some(".git" | "node_modules" | "target" | "__pycache__")
                ) {
                    stack.push(p);
                }
            } else if ft.is_file()
                && let Some(kind) = FileKind::detect(&absolute_str(&p))
            {
                found.push((p, kind));
            }
        }
    }
    found.sort();
    out.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_collection_facts_and_invalidates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("skills/a")).unwrap();
        fs::write(root.join("skills/a/SKILL.md"), "---\nname: a\n---\n").unwrap();
        let text = "[collection]\nname = \"x\"\n\n[[artifacts]]\nname = \"a\"\ntype = \"skill\"\npath = \"skills/a\"\n";
        fs::write(root.join("collection.toml"), text).unwrap();
        fs::write(
            root.join("collection.lock"),
            "[lock]\nversion = \"2\"\n[lock.entries.\"a::skill\"]\ncontent_hash = \"sha256:00\"\n",
        )
        .unwrap();
        let mut cache = ContextCache::new();
        let path = root.join("collection.toml");
        let ctx = cache.gather(FileKind::CollectionToml, &path, text);
        let existing = ctx.existing_paths.unwrap();
        assert!(existing.contains("skills/a/SKILL.md") && existing.contains("skills/a"));
        assert_eq!(ctx.lock_hashes.unwrap()["a::skill"], "sha256:00");
        let h1 = ctx.actual_hashes.unwrap()["a::skill"].clone();
        assert!(h1.starts_with("sha256:"));
        assert_eq!(ctx.artifacts.unwrap(), vec![("skill".into(), "a".into())]);

        fs::write(root.join("skills/a/SKILL.md"), "---\nname: a\n---\nmore\n").unwrap();
        // Cached until told.
        let again = cache.gather(FileKind::CollectionToml, &path, text);
        assert_eq!(again.actual_hashes.unwrap()["a::skill"], h1);
        cache.invalidate(&root.join("skills/a/SKILL.md"));
        let fresh = cache.gather(FileKind::CollectionToml, &path, text);
        assert_ne!(fresh.actual_hashes.unwrap()["a::skill"], h1);
    }

    #[test]
    fn artifact_scan_agrees_with_the_parser() {
        let samples = [
            "[collection]\nname = \"x\"\n\n[[artifacts]]\nname = \"a\"\ntype = \"skill\"\npath = 'skills/a' # c\ntags = [\"t\"]\n\n[[artifacts]]\nname = \"b\"\ntype = \"nope\"\npath = \"x\"\n[[mcp_servers]]\nname = \"n\"\n",
            "artifacts = [{ name = \"a\", type = \"skill\", path = \"skills/a\" }]\n",
            "[[artifacts]]\nname = \"a\\u0041\"\ntype = \"command\"\npath = \"commands/a.md\"\n",
            "[[artifacts]]\n\"name\" = \"q\"\ntype = \"agent\"\npath = \"agents/q.md\"\n",
            "[[artifacts]]\nname = \"\"\"m\"\"\"\ntype = \"agent\"\npath = \"agents/q.md\"\n",
        ];
        for s in samples {
            assert_eq!(manifest_artifacts(s), parse_artifacts(s), "{s}");
        }
        assert!(scan_artifacts(samples[0]).is_some());
        assert_eq!(manifest_artifacts(samples[0]).len(), 1);
    }

    #[test]
    fn agents_see_their_project_and_user_skills() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("p");
        let home = dir.path().join("home");
        for (root, name) in [(&project, "alpha"), (&project, "beta"), (&home, "alpha")] {
            let d = root.join(".claude/skills").join(name);
            fs::create_dir_all(&d).unwrap();
            fs::write(d.join("SKILL.md"), "---\nname: x\n---\n").unwrap();
        }
        fs::create_dir_all(home.join(".claude/skills/gamma")).unwrap();
        fs::write(home.join(".claude/skills/gamma/SKILL.md"), "").unwrap();
        // A folder without SKILL.md is not a skill.
        fs::create_dir_all(project.join(".claude/skills/notes")).unwrap();
        let agent = project.join(".claude/agents/reviewer.md");
        let names: Vec<String> = agent_skills(&agent, Some(&home))
            .unwrap()
            .into_iter()
            .map(|(k, n)| {
                assert_eq!(k, "skill");
                n
            })
            .collect();
        assert_eq!(names, ["alpha", "beta", "gamma"]);
        assert_eq!(
            agent_skills(&project.join("notes/reviewer.md"), Some(&home)),
            None
        );
    }

    #[test]
    fn settings_see_project_mcp_servers() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(".claude")).unwrap();
        fs::write(
            dir.path().join(".mcp.json"),
            r#"{"mcpServers": {"github": {"command": "x"}}}"#,
        )
        .unwrap();
        let ctx = gather(
            FileKind::ClaudeSettings,
            &dir.path().join(".claude/settings.json"),
            "{}",
        );
        assert_eq!(
            ctx.mcp_servers.unwrap().into_iter().collect::<Vec<_>>(),
            ["github"]
        );
    }

    #[test]
    fn skills_see_the_listing_limit_of_their_settings() {
        let dir = tempfile::tempdir().unwrap();
        let claude = dir.path().join(".claude");
        fs::create_dir_all(claude.join("skills/x")).unwrap();
        fs::write(
            claude.join("settings.json"),
            r#"{"skillListingMaxDescChars": 300}"#,
        )
        .unwrap();
        let skill = claude.join("skills/x/SKILL.md");
        let ctx = gather(FileKind::SkillMd, &skill, "");
        assert_eq!(ctx.skill_listing_max_desc_chars, Some(300));
        fs::write(
            claude.join("settings.local.json"),
            r#"{"skillListingMaxDescChars": 200}"#,
        )
        .unwrap();
        assert_eq!(
            gather(FileKind::SkillMd, &skill, "").skill_listing_max_desc_chars,
            Some(200)
        );
    }
}
