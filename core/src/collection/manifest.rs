//! `collection.toml` (DESIGN.md §2.2): the typed view the rest of core reads, and the
//! `toml_edit` document every write goes through, so comments, layout and keys we do not know
//! (the Python tool's fields, a user's notes) survive every write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::CollectionError;
use crate::artifact::ArtifactKind;
use crate::source::Origin;
use crate::text::line_col;
use crate::time::Timestamp;

/// `[collection]`: the collection's own metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CollectionInfo {
    /// The collection's name (its folder under `collections/`).
    pub name: String,
    /// A version string the user maintains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// When the collection was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// When the collection was last changed by SkillMeat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
}

/// One `[[artifacts]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactEntry {
    /// The artifact's name; unique together with `type`.
    pub name: String,
    /// skill | command | agent | hook.
    #[serde(rename = "type")]
    pub kind: ArtifactKind,
    /// Where the artifact lives, relative to the collection folder.
    pub path: String,
    /// local | github | git | marketplace | pack.
    #[serde(default)]
    pub origin: Origin,
    /// Where it was fetched from: a path, a GitHub tree URL pinned to a commit, or a git URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// What the user asked for: `latest`, a tag, a branch or a commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_spec: Option<String>,
    /// The commit the spec resolved to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_sha: Option<String>,
    /// The tag or branch the spec resolved to, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_version: Option<String>,
    /// When the artifact was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<Timestamp>,
    /// The description from its front matter, cached here so `list` reads one file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Free-form labels for search and selection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Other names the artifact answers to in `show`, `remove` and friends.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The Python tool's `[artifacts.metadata]` table (title, description, author, …), read and
    /// kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ArtifactEntry {
    /// The description: our own field, else the Python tool's `metadata.description`.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref().or_else(|| {
            self.metadata
                .as_ref()
                .and_then(|m| m.get("description"))
                .and_then(|d| d.as_str())
        })
    }
}

/// MCP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// A local process speaking over stdin/stdout.
    Stdio,
    /// Streamable HTTP.
    Http,
    /// Server-sent events (legacy remote transport).
    Sse,
}

/// One `[[mcp_servers]]` entry. Fields of the Python tool (`repo`, `version`, `env_vars`,
/// `status`) are read and kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct McpServerEntry {
    /// The server's name, as it will appear under `mcpServers`.
    pub name: String,
    /// What it offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// stdio | http | sse (stdio when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    /// The program to start (stdio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Its arguments (stdio).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Environment; `${VAR}` references are kept as references, never resolved into files.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The server URL (http, sse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// HTTP headers (http, sse).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Python tool: the repository the server came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Python tool: the version installed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Python tool: the environment variables the server needs (a list of names, or a table
    /// of name → description), kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_vars: Option<serde_json::Value>,
    /// Python tool: its install status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// The typed shape of `collection.toml`; also the source of its published JSON Schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ManifestFile {
    /// The collection's metadata.
    pub collection: CollectionInfo,
    /// The artifacts, one table each.
    #[serde(default)]
    pub artifacts: Vec<ArtifactEntry>,
    /// MCP servers managed by this collection.
    #[serde(default)]
    pub mcp_servers: Vec<McpServerEntry>,
}

/// `collection.toml`, loaded: its typed view plus the editable document behind it. Reading
/// commands only need the typed view, so the layout-preserving document is parsed on the first
/// edit (half the work for `list` of a large collection).
#[derive(Debug, Clone)]
pub struct Manifest {
    path: PathBuf,
    text: String,
    doc: Option<DocumentMut>,
    /// The typed view; kept in step with every edit made through this type.
    pub file: ManifestFile,
}

/// Turns a TOML parse or schema error into the one-sentence error naming file, line and column.
pub(crate) fn toml_error(
    path: &Path,
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
) -> CollectionError {
    let (line, col) = span.map_or((1, 1), |s| line_col(text, s.start));
    let message = message.trim().trim_end_matches('.').replace('\n', " ");
    CollectionError::Syntax {
        path: path.to_path_buf(),
        line,
        col,
        message,
    }
}

impl Manifest {
    /// A new manifest for a collection called `name`.
    pub fn new(path: PathBuf, name: &str) -> Manifest {
        let now = Timestamp::now();
        let mut doc = DocumentMut::new();
        let mut t = Table::new();
        t.insert("name", value(name));
        t.insert("version", value("1.0.0"));
        t.insert("created", value(now.to_toml()));
        t.insert("updated", value(now.to_toml()));
        doc.insert("collection", Item::Table(t));
        Manifest {
            path,
            text: String::new(),
            doc: Some(doc),
            file: ManifestFile {
                collection: CollectionInfo {
                    name: name.to_string(),
                    version: Some("1.0.0".into()),
                    created: Some(now.clone()),
                    updated: Some(now),
                },
                artifacts: Vec::new(),
                mcp_servers: Vec::new(),
            },
        }
    }

    /// Parses `text` (read from `path`). Errors name the file, line and column.
    pub fn parse(path: PathBuf, text: &str) -> Result<Manifest, CollectionError> {
        let file: ManifestFile = toml::from_str(text)
            .map_err(|e: toml::de::Error| toml_error(&path, text, e.span(), e.message()))?;
        Ok(Manifest {
            path,
            text: text.to_string(),
            doc: None,
            file,
        })
    }

    /// The editable document, parsed from the text on first use. Both parsers implement the
    /// same TOML grammar, so this cannot fail after `parse` succeeded; if it ever did, edits are
    /// not applied to the document and `render` returns the file exactly as it was read.
    fn doc_mut(&mut self) -> Option<&mut DocumentMut> {
        if self.doc.is_none() {
            match self.text.parse::<DocumentMut>() {
                Ok(d) => self.doc = Some(d),
                Err(e) => tracing::error!("{}: cannot edit: {e}", self.path.display()),
            }
        }
        self.doc.as_mut()
    }

    /// The file this manifest is read from and written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The text to write.
    pub fn render(&self) -> String {
        match &self.doc {
            Some(d) => d.to_string(),
            None => self.text.clone(),
        }
    }

    /// Finds an artifact by kind and name.
    pub fn find(&self, kind: ArtifactKind, name: &str) -> Option<&ArtifactEntry> {
        self.file
            .artifacts
            .iter()
            .find(|a| a.kind == kind && a.name == name)
    }

    /// Appends an `[[artifacts]]` table.
    pub fn push_artifact(&mut self, entry: ArtifactEntry) {
        let table = artifact_table(&entry);
        if let Some(doc) = self.doc_mut() {
            match doc.get_mut("artifacts") {
                Some(Item::ArrayOfTables(aot)) => aot.push(table),
                _ => {
                    let mut aot = ArrayOfTables::new();
                    aot.push(table);
                    doc.insert("artifacts", Item::ArrayOfTables(aot));
                }
            }
        }
        self.file.artifacts.push(entry);
    }

    /// Removes the artifact `(kind, name)`; returns whether it was there.
    pub fn remove_artifact(&mut self, kind: ArtifactKind, name: &str) -> bool {
        let Some(idx) = self.doc_index(kind, name) else {
            return false;
        };
        if let Some(Item::ArrayOfTables(aot)) = self.doc_mut().and_then(|d| d.get_mut("artifacts"))
        {
            aot.remove(idx);
        }
        self.file
            .artifacts
            .retain(|a| !(a.kind == kind && a.name == name));
        true
    }

    /// Replaces the known fields of an existing entry with `entry`'s, keeping unknown keys,
    /// comments and key order of the table the user may have edited.
    pub fn update_artifact(&mut self, entry: &ArtifactEntry) -> bool {
        let Some(idx) = self.doc_index(entry.kind, &entry.name) else {
            return false;
        };
        if let Some(Item::ArrayOfTables(aot)) = self.doc_mut().and_then(|d| d.get_mut("artifacts"))
            && let Some(t) = aot.get_mut(idx)
        {
            fill_artifact_table(t, entry);
        }
        if let Some(a) = self
            .file
            .artifacts
            .iter_mut()
            .find(|a| a.kind == entry.kind && a.name == entry.name)
        {
            *a = entry.clone();
        }
        true
    }

    /// Sets `[collection] updated` to now.
    pub fn touch(&mut self) {
        let now = Timestamp::now();
        if let Some(t) = self
            .doc_mut()
            .and_then(|d| d.get_mut("collection"))
            .and_then(|i| i.as_table_like_mut())
        {
            t.insert("updated", value(now.to_toml()));
        }
        self.file.collection.updated = Some(now);
    }

    fn doc_index(&mut self, kind: ArtifactKind, name: &str) -> Option<usize> {
        let Some(Item::ArrayOfTables(aot)) = self.doc_mut().and_then(|d| d.get("artifacts")) else {
            return None;
        };
        aot.iter().position(|t| {
            t.get("name").and_then(|v| v.as_str()) == Some(name)
                && t.get("type")
                    .and_then(|v| v.as_str())
                    .and_then(|s| s.parse::<ArtifactKind>().ok())
                    == Some(kind)
        })
    }
}

fn artifact_table(entry: &ArtifactEntry) -> Table {
    let mut t = Table::new();
    fill_artifact_table(&mut t, entry);
    t
}

/// Writes the known fields of `entry` into `t`, in the documented order for new keys; keys the
/// table already has keep their place and decoration.
fn fill_artifact_table(t: &mut Table, e: &ArtifactEntry) {
    fn set(t: &mut Table, key: &str, v: Option<toml_edit::Value>) {
        match v {
            Some(v) => {
                if let Some(Item::Value(old)) = t.get_mut(key) {
                    let decor = old.decor().clone();
                    *old = v;
                    *old.decor_mut() = decor;
                } else {
                    t.insert(key, Item::Value(v));
                }
            }
            None => {
                t.remove(key);
            }
        }
    }
    fn arr(v: &[String]) -> Option<toml_edit::Value> {
        if v.is_empty() {
            None
        } else {
            Some(toml_edit::Value::Array(
                v.iter().map(String::as_str).collect(),
            ))
        }
    }
    let s = |v: &Option<String>| v.as_deref().map(toml_edit::Value::from);
    set(t, "name", Some(e.name.as_str().into()));
    set(t, "type", Some(e.kind.as_str().into()));
    set(t, "path", Some(e.path.as_str().into()));
    set(t, "origin", Some(e.origin.as_str().into()));
    set(t, "upstream", s(&e.upstream));
    set(t, "version_spec", s(&e.version_spec));
    set(t, "resolved_sha", s(&e.resolved_sha));
    set(t, "resolved_version", s(&e.resolved_version));
    set(t, "added", e.added.as_ref().map(Timestamp::to_toml));
    set(t, "description", s(&e.description));
    set(t, "tags", arr(&e.tags));
    set(t, "aliases", arr(&e.aliases));
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# my collection
[collection]
name = "default"   # keep me
version = "1.0.0"
created = "2025-10-01T12:34:56.123456"

[[artifacts]]
name = "code-review"
type = "skill"
path = "skills/code-review"
origin = "github"
scope = "user"     # unknown to us, kept
added = 2026-11-24T10:00:00Z

[artifacts.metadata]
title = "Code review"
"#;

    #[test]
    fn parse_edit_and_keep_layout() {
        let mut m = Manifest::parse("c.toml".into(), TEXT).unwrap();
        assert_eq!(m.file.artifacts.len(), 1);
        assert_eq!(
            m.file.collection.created.as_ref().unwrap().0,
            "2025-10-01T12:34:56.123456"
        );
        assert_eq!(
            m.file.artifacts[0].added.as_ref().unwrap().0,
            "2026-11-24T10:00:00Z"
        );
        let mut e = m.file.artifacts[0].clone();
        e.tags = vec!["review".into()];
        assert!(m.update_artifact(&e));
        m.push_artifact(ArtifactEntry {
            name: "x".into(),
            kind: ArtifactKind::Command,
            path: "commands/x.md".into(),
            origin: Origin::Local,
            upstream: None,
            version_spec: None,
            resolved_sha: None,
            resolved_version: None,
            added: None,
            description: None,
            tags: vec![],
            aliases: vec![],
            metadata: None,
        });
        let out = m.render();
        assert!(out.starts_with("# my collection\n[collection]\nname = \"default\"   # keep me\n"));
        assert!(out.contains("scope = \"user\"     # unknown to us, kept"));
        assert!(out.contains("[artifacts.metadata]\ntitle = \"Code review\""));
        assert!(out.contains("tags = [\"review\"]"));
        let again = Manifest::parse("c.toml".into(), &out).unwrap();
        assert_eq!(again.file.artifacts.len(), 2);
        assert!(m.remove_artifact(ArtifactKind::Command, "x"));
        assert_eq!(
            Manifest::parse("c.toml".into(), &m.render())
                .unwrap()
                .file
                .artifacts
                .len(),
            1
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = Manifest::parse("c.toml".into(), "[collection]\nname = \n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("c.toml:2:"), "{msg}");
        let err = Manifest::parse(
            "c.toml".into(),
            "[collection]\nname = \"d\"\n[[artifacts]]\nname = \"x\"\ntype = \"widget\"\npath = \"p\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("c.toml:5:"), "{err}");
    }
}
