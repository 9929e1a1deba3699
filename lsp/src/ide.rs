//! Editor features over the check engine's data tables: what lies at the cursor, what to
//! complete there, what to show on hover, the outline of a file and where an artifact entry's
//! files are.
//!
//! Everything here is pure and works on byte offsets (no LSP types, no IO), so it is tested
//! without a client. Completion must work on text that is half typed and does not parse, so the
//! cursor is located by small tolerant scanners (JSON with comments, line-based TOML and YAML
//! front matter) rather than by the strict parsers the rules use.

use std::ops::Range;

use skillmeat_core::check::claude_facts::{
    self as facts, ARTIFACT_TYPES, KeyDoc, MCP_TRANSPORTS, MODEL_ALIASES, ORIGINS, ValueType,
};
use skillmeat_core::check::{Context, FileKind};

/// What a completion item stands for (mapped onto the editor's icons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A key of an object or table.
    Key,
    /// A value of an enumeration (or `true`/`false`).
    Value,
    /// A hook event.
    Event,
    /// A tool name in a permission rule or tool list.
    Tool,
    /// An MCP server name.
    Server,
    /// An artifact path or name from the collection folder.
    Artifact,
}

/// One completion candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What the list shows.
    pub label: String,
    /// A short type or kind shown beside it.
    pub detail: Option<String>,
    /// Markdown documentation.
    pub doc: Option<String>,
    /// What it stands for.
    pub kind: ItemKind,
    /// The text that replaces `replace`.
    pub insert: String,
    /// The bytes the completion replaces (the token at the cursor, quotes included).
    pub replace: Range<usize>,
}

/// Hover text for the token at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    /// The token hovered.
    pub range: Range<usize>,
    /// Markdown.
    pub markdown: String,
}

/// What an outline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// A table or object.
    Table,
    /// A key with a plain value.
    Key,
    /// An artifact entry.
    Artifact,
    /// An MCP server entry.
    Server,
    /// A hook event.
    Event,
}

/// One outline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Its name.
    pub name: String,
    /// Extra text (the kind of an artifact, …).
    pub detail: Option<String>,
    /// What it is.
    pub kind: SymbolKind,
    /// The whole entry.
    pub range: Range<usize>,
    /// The part to select (its name).
    pub selection: Range<usize>,
    /// Nested entries.
    pub children: Vec<Symbol>,
}

// ---------------------------------------------------------------------------------------------
// Where the cursor is

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A key of an object / table.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// The cursor's place in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The path of the object (key position) or of the value (value position).
    pub path: Vec<Seg>,
    /// Whether the cursor is where a key is written (else a value).
    pub at_key: bool,
    /// The token at the cursor (quotes included), or an empty range at the cursor.
    pub token: Range<usize>,
    /// Whether `token` is a quoted string.
    pub quoted: bool,
}

impl Place {
    fn keys(&self) -> Vec<&str> {
        self.path
            .iter()
            .filter_map(|s| match s {
                Seg::Key(k) => Some(k.as_str()),
                Seg::Index(_) => None,
            })
            .collect()
    }
}

fn clamp(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'$' | b'.')
}

/// The run of word bytes around `offset`.
fn word_at(text: &str, offset: usize) -> Range<usize> {
    let b = text.as_bytes();
    let mut s = offset;
    while s > 0 && is_word(b[s - 1]) {
        s -= 1;
    }
    let mut e = offset;
    while e < b.len() && is_word(b[e]) {
        e += 1;
    }
    s..e
}

#[derive(Debug)]
enum Frame {
    Object {
        key: Option<String>,
        after_colon: bool,
    },
    Array {
        index: usize,
    },
}

/// Locates `offset` in JSON (with comments) text, tolerating text that does not parse.
pub fn json_place(text: &str, offset: usize) -> Place {
    let offset = clamp(text, offset);
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    let mut in_string: Option<usize> = None;
    while i < offset {
        match b[i] {
            b'"' => {
                let start = i;
                let mut j = i + 1;
                let mut closed = None;
                while j < b.len() {
                    match b[j] {
                        b'\\' => j += 2,
                        b'"' => {
                            closed = Some(j);
                            break;
                        }
                        b'\n' => break,
                        _ => j += 1,
                    }
                }
                match closed {
                    Some(end) if end < offset => {
                        let s = &text[start + 1..end];
                        if let Some(Frame::Object { key, after_colon }) = stack.last_mut()
                            && !*after_colon
                        {
                            *key = Some(unescape(s));
                        }
                        i = end + 1;
                    }
                    _ => {
                        in_string = Some(start);
                        break;
                    }
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < offset && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < offset && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                after_colon: false,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { after_colon, .. }) = stack.last_mut() {
                    *after_colon = true;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, after_colon }) => {
                    *key = None;
                    *after_colon = false;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let (token, quoted) = match in_string {
        Some(start) => {
            let mut j = start + 1;
            let mut end = b.len();
            while j < b.len() {
                match b[j] {
                    b'\\' => j += 2,
                    b'"' => {
                        end = j + 1;
                        break;
                    }
                    b'\n' => {
                        end = j;
                        break;
                    }
                    _ => j += 1,
                }
            }
            (start..end.min(b.len()), true)
        }
        None => (word_at(text, offset), false),
    };
    let mut path = Vec::new();
    let mut at_key = false;
    let n = stack.len();
    for (idx, f) in stack.into_iter().enumerate() {
        let last = idx + 1 == n;
        match f {
            Frame::Object { key, after_colon } => {
                if after_colon {
                    path.push(Seg::Key(key.unwrap_or_default()));
                } else if last {
                    at_key = true;
                }
            }
            Frame::Array { index } => path.push(Seg::Index(index)),
        }
    }
    Place {
        path,
        at_key,
        token,
        quoted,
    }
}

fn unescape(s: &str) -> String {
    serde_json::from_str::<String>(&format!("\"{s}\"")).unwrap_or_else(|_| s.to_string())
}

/// The line of `text` containing `offset`: its start and end (before the newline).
fn line_bounds(text: &str, offset: usize) -> Range<usize> {
    let start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |p| offset + p);
    start..end
}

/// A TOML table header line's name: `[a.b]` → `a.b`, `[[artifacts]]` → `artifacts`.
fn toml_header(line: &str) -> Option<(String, bool)> {
    let t = line.trim();
    let (inner, array) = if let Some(r) = t.strip_prefix("[[") {
        (r.split("]]").next()?, true)
    } else if let Some(r) = t.strip_prefix('[') {
        (r.split(']').next()?, false)
    } else {
        return None;
    };
    let name = inner
        .split('.')
        .map(|p| p.trim().trim_matches('"'))
        .collect::<Vec<_>>()
        .join(".");
    Some((name, array))
}

/// Locates `offset` in TOML text, line by line (the cursor is usually on a half-typed line).
/// The path is the table name split on `.` (with an index for array tables), then the key.
pub fn toml_place(text: &str, offset: usize) -> Place {
    let offset = clamp(text, offset);
    let line = line_bounds(text, offset);
    let mut path = Vec::new();
    // The table: the nearest header above the cursor's line.
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let mut current: Option<(String, bool)> = None;
    for l in text[..line.start].lines() {
        if let Some(h) = toml_header(l) {
            if h.1 {
                *counts.entry(h.0.clone()).or_default() += 1;
            }
            current = Some(h);
        }
    }
    if let Some((name, array)) = &current {
        for part in name.split('.') {
            path.push(Seg::Key(part.to_string()));
        }
        if *array {
            path.push(Seg::Index(counts.get(name).copied().unwrap_or(1) - 1));
        }
    }
    let before = &text[line.start..offset];
    let (token, quoted) = string_token(text, line.clone(), offset)
        .map_or_else(|| (word_at(text, offset), false), |r| (r, true));
    if before.trim_start().starts_with('[') {
        return Place {
            path: Vec::new(),
            at_key: true,
            token: line,
            quoted: false,
        };
    }
    match before.find('=') {
        Some(eq) => {
            let key = before[..eq].trim().trim_matches('"').to_string();
            path.push(Seg::Key(key));
            Place {
                path,
                at_key: false,
                token,
                quoted,
            }
        }
        None => Place {
            path,
            at_key: true,
            token,
            quoted,
        },
    }
}

/// The quoted string (quotes included) on `line` that contains `offset`, if any.
fn string_token(text: &str, line: Range<usize>, offset: usize) -> Option<Range<usize>> {
    let b = text.as_bytes();
    let mut i = line.start;
    while i < line.end {
        if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            let start = i;
            i += 1;
            while i < line.end && b[i] != q {
                if b[i] == b'\\' && q == b'"' {
                    i += 1;
                }
                i += 1;
            }
            let end = (i + 1).min(line.end);
            if start < offset && offset <= i.min(line.end) {
                return Some(start..end);
            }
        } else if b[i] == b'#' {
            return None;
        }
        i += 1;
    }
    None
}

/// The byte range of the YAML front matter's body (between the `---` lines), if any.
fn front_matter_range(text: &str) -> Option<Range<usize>> {
    let t = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - t.len();
    let first = t
        .strip_prefix("---\n")
        .or_else(|| t.strip_prefix("---\r\n"))?;
    let start = text.len() - first.len();
    let mut pos = start;
    for l in first.split_inclusive('\n') {
        if l.trim_end() == "---" {
            return Some(start..pos);
        }
        pos += l.len();
    }
    let _ = bom;
    Some(start..text.len())
}

/// Locates `offset` in a Markdown file's front matter (`None` outside it).
pub fn yaml_place(text: &str, offset: usize) -> Option<Place> {
    let offset = clamp(text, offset);
    let fm = front_matter_range(text)?;
    if offset < fm.start || offset > fm.end {
        return None;
    }
    let line = line_bounds(text, offset);
    let before = &text[line.start..offset];
    let (token, quoted) = string_token(text, line.clone(), offset)
        .map_or_else(|| (word_at(text, offset), false), |r| (r, true));
    let indented = before.starts_with(' ') || before.starts_with('\t') || before.starts_with('-');
    if indented {
        // A list item or nested value: belongs to the nearest top-level key above.
        let key = text[fm.start..line.start]
            .lines()
            .rev()
            .find(|l| !l.starts_with([' ', '\t', '-']) && l.contains(':'))
            .and_then(|l| l.split(':').next())
            .map(|k| k.trim().to_string())?;
        return Some(Place {
            path: vec![Seg::Key(key)],
            at_key: false,
            token,
            quoted,
        });
    }
    Some(match before.find(':') {
        Some(c) => Place {
            path: vec![Seg::Key(before[..c].trim().to_string())],
            at_key: false,
            token,
            quoted,
        },
        None => Place {
            path: Vec::new(),
            at_key: true,
            token,
            quoted,
        },
    })
}

/// Locates the cursor in a file of `kind`.
pub fn place(kind: FileKind, text: &str, offset: usize) -> Option<Place> {
    match kind {
        FileKind::CollectionToml | FileKind::CollectionLock => Some(toml_place(text, offset)),
        FileKind::ClaudeSettings
        | FileKind::ClaudeSettingsLocal
        | FileKind::UserClaudeSettings
        | FileKind::McpJson => Some(json_place(text, offset)),
        FileKind::SkillMd | FileKind::CommandMd | FileKind::AgentMd => yaml_place(text, offset),
    }
}

// ---------------------------------------------------------------------------------------------
// Key tables

/// What lives at a path: the keys an object there may have, or the doc of the value there.
#[derive(Debug, Clone, Copy)]
enum Schema {
    /// An object with these keys.
    Keys(&'static [KeyDoc]),
    /// A value described by this key.
    Value(&'static KeyDoc),
    /// The `hooks` object: event names as keys.
    HookEvents,
    /// One hook handler (`{type, command, …}`).
    HookHandler,
    /// Unknown.
    None,
}

fn root_keys(kind: FileKind) -> &'static [KeyDoc] {
    match kind {
        FileKind::CollectionToml => facts::collection_keys(),
        FileKind::CollectionLock => facts::lock_keys(),
        FileKind::ClaudeSettings | FileKind::ClaudeSettingsLocal | FileKind::UserClaudeSettings => {
            facts::settings_keys()
        }
        FileKind::McpJson => facts::mcp_json_keys(),
        FileKind::SkillMd => facts::skill_keys(),
        FileKind::CommandMd => facts::command_keys(),
        FileKind::AgentMd => facts::agent_keys(),
    }
}

fn is_settings(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::ClaudeSettings | FileKind::ClaudeSettingsLocal | FileKind::UserClaudeSettings
    )
}

/// Walks `path` through the key tables of `kind`.
fn schema_at(kind: FileKind, path: &[Seg]) -> Schema {
    let mut cur = Schema::Keys(root_keys(kind));
    // Map / array containers: the next segment picks an entry whose keys are the doc's keys.
    let mut pending_entry = false;
    for (i, seg) in path.iter().enumerate() {
        cur = match (cur, seg) {
            (Schema::Keys(keys), Seg::Key(k))
                if k == "hooks" && std::ptr::eq(keys, facts::hook_matcher_keys()) =>
            {
                Schema::HookHandler
            }
            (Schema::Keys(keys), Seg::Key(k)) if !pending_entry => {
                match keys.iter().find(|d| d.name == k) {
                    Some(d) if d.name == "hooks" && is_settings(kind) && i == 0 => {
                        Schema::HookEvents
                    }
                    Some(d) => {
                        pending_entry = matches!(d.ty, ValueType::Map(_) | ValueType::Array(_))
                            && !d.keys.is_empty();
                        if d.keys.is_empty() {
                            Schema::Value(d)
                        } else {
                            Schema::Keys(d.keys)
                        }
                    }
                    None => Schema::None,
                }
            }
            (Schema::Keys(keys), _) if pending_entry => {
                pending_entry = false;
                Schema::Keys(keys)
            }
            (Schema::Value(d), Seg::Index(_)) => Schema::Value(d),
            (Schema::HookEvents, Seg::Key(_)) => {
                // hooks.Event → array of matcher groups.
                match path.get(i + 1) {
                    Some(Seg::Index(_)) | None => Schema::HookEvents,
                    _ => Schema::None,
                }
            }
            (Schema::HookEvents, Seg::Index(_)) => Schema::Keys(facts::hook_matcher_keys()),
            (Schema::HookHandler, Seg::Index(_)) => Schema::HookHandler,
            (Schema::HookHandler, Seg::Key(k)) => match k.as_str() {
                "type" => Schema::Value(&HOOK_TYPE_KEY),
                k => hook_field(k).map_or(Schema::None, Schema::Value),
            },
            _ => Schema::None,
        };
    }
    cur
}

static HOOK_TYPE_KEY: KeyDoc = KeyDoc {
    name: "type",
    ty: ValueType::String,
    doc: "The handler type: command, prompt, agent, http or mcp_tool.",
    required: true,
    keys: &[],
};

fn hook_field(name: &str) -> Option<&'static KeyDoc> {
    facts::hook_types()
        .iter()
        .flat_map(|t| t.fields.iter())
        .find(|f| f.name == name)
}

fn type_detail(ty: &ValueType) -> String {
    match ty {
        ValueType::Any => "any".into(),
        ValueType::String => "string".into(),
        ValueType::Boolean => "boolean".into(),
        ValueType::Integer => "integer".into(),
        ValueType::Number => "number".into(),
        ValueType::Null => "null".into(),
        ValueType::Datetime => "date-time".into(),
        ValueType::Object => "object".into(),
        ValueType::Enum(v) => v.join(" | "),
        ValueType::Array(t) => format!("array of {}", type_detail(t)),
        ValueType::Map(t) => format!("map of {}", type_detail(t)),
        ValueType::AnyOf(ts) => ts.iter().map(type_detail).collect::<Vec<_>>().join(" or "),
    }
}

fn key_markdown(d: &KeyDoc) -> String {
    format!(
        "**{}** — {}{}\n\n{}",
        d.name,
        type_detail(&d.ty),
        if d.required { " (required)" } else { "" },
        d.doc
    )
}

// ---------------------------------------------------------------------------------------------
// Completion

/// Completion candidates at `offset`.
pub fn complete(kind: FileKind, text: &str, offset: usize, ctx: &Context) -> Vec<Completion> {
    let Some(place) = place(kind, text, offset) else {
        return Vec::new();
    };
    let json = matches!(
        kind,
        FileKind::ClaudeSettings
            | FileKind::ClaudeSettingsLocal
            | FileKind::UserClaudeSettings
            | FileKind::McpJson
    );
    let toml = matches!(kind, FileKind::CollectionToml | FileKind::CollectionLock);
    let mut out = Vec::new();
    let mut push = |label: &str, detail: Option<String>, doc: Option<String>, k: ItemKind| {
        // JSON keys and strings are always quoted; TOML and YAML values are quoted strings
        // unless the cursor is already inside quotes (then the quotes are replaced too).
        let quote = json || (toml && !place.at_key) || place.quoted;
        let insert = if quote && !(k == ItemKind::Value && (label == "true" || label == "false")) {
            serde_json::to_string(label).unwrap_or_default()
        } else {
            label.to_string()
        };
        out.push(Completion {
            label: label.to_string(),
            detail,
            doc,
            kind: k,
            insert,
            replace: place.token.clone(),
        });
    };

    // TOML table headers.
    if toml
        && place.path.is_empty()
        && place.at_key
        && text[place.token.clone()].trim_start().starts_with('[')
    {
        for h in ["[collection]", "[[artifacts]]", "[[mcp_servers]]"] {
            out.push(Completion {
                label: h.to_string(),
                detail: Some("table".into()),
                doc: None,
                kind: ItemKind::Key,
                insert: h.to_string(),
                replace: place.token.clone(),
            });
        }
        return out;
    }

    let schema = schema_at(kind, &place.path);
    if place.at_key {
        match schema {
            Schema::Keys(keys) => {
                for d in keys {
                    push(
                        d.name,
                        Some(type_detail(&d.ty)),
                        Some(d.doc.to_string()),
                        ItemKind::Key,
                    );
                }
            }
            Schema::HookEvents => {
                for e in facts::hook_events() {
                    push(
                        e.name,
                        Some("hook event".into()),
                        Some(e.doc.to_string()),
                        ItemKind::Event,
                    );
                }
            }
            Schema::HookHandler => {
                push(
                    "type",
                    Some("string".into()),
                    Some(HOOK_TYPE_KEY.doc.into()),
                    ItemKind::Key,
                );
                let mut seen = std::collections::BTreeSet::new();
                for t in facts::hook_types() {
                    for f in t.fields {
                        if seen.insert(f.name) {
                            push(
                                f.name,
                                Some(type_detail(&f.ty)),
                                Some(f.doc.to_string()),
                                ItemKind::Key,
                            );
                        }
                    }
                }
            }
            _ => {}
        }
        return out;
    }

    // Values.
    let keys = place.keys();
    let last = keys.last().copied().unwrap_or("");
    let parent = keys.len().checked_sub(2).map(|i| keys[i]);
    if is_settings(kind)
        && parent == Some("permissions")
        && matches!(last, "allow" | "deny" | "ask")
    {
        for t in facts::tool_names() {
            push(
                t.name,
                Some("tool".into()),
                Some(t.doc.to_string()),
                ItemKind::Tool,
            );
        }
        for s in ctx.mcp_servers.iter().flatten() {
            push(
                &format!("mcp__{s}"),
                Some("MCP server".into()),
                None,
                ItemKind::Server,
            );
        }
        return out;
    }
    if is_settings(kind) && matches!(last, "enabledMcpjsonServers" | "disabledMcpjsonServers") {
        for s in ctx.mcp_servers.iter().flatten() {
            push(
                s,
                Some("MCP server from .mcp.json".into()),
                None,
                ItemKind::Server,
            );
        }
        return out;
    }
    if matches!(
        kind,
        FileKind::SkillMd | FileKind::CommandMd | FileKind::AgentMd
    ) && matches!(
        last,
        "allowed-tools" | "disallowed-tools" | "tools" | "disallowedTools"
    ) {
        for t in facts::tool_names() {
            push(
                t.name,
                Some("tool".into()),
                Some(t.doc.to_string()),
                ItemKind::Tool,
            );
        }
        return out;
    }
    if kind == FileKind::AgentMd && last == "skills" {
        // The skills the agent can preload, as the context found them on disk.
        for (k, name) in ctx.artifacts.iter().flatten() {
            if k == "skill" {
                push(name, Some("skill".into()), None, ItemKind::Artifact);
            }
        }
        return out;
    }
    if matches!(last, "model") && !json {
        for m in MODEL_ALIASES {
            push(m, Some("model".into()), None, ItemKind::Value);
        }
        return out;
    }
    if kind == FileKind::CollectionToml && keys.first() == Some(&"artifacts") {
        match last {
            "type" => {
                for t in ARTIFACT_TYPES {
                    push(t, Some("artifact type".into()), None, ItemKind::Value);
                }
                return out;
            }
            "origin" => {
                for o in ORIGINS {
                    push(o, Some("origin".into()), None, ItemKind::Value);
                }
                return out;
            }
            "path" => {
                for p in artifact_paths(ctx) {
                    push(
                        &p,
                        Some("in the collection folder".into()),
                        None,
                        ItemKind::Artifact,
                    );
                }
                return out;
            }
            "name" => {
                let listed: std::collections::BTreeSet<&str> = ctx
                    .artifacts
                    .iter()
                    .flatten()
                    .map(|(_, n)| n.as_str())
                    .collect();
                for p in artifact_paths(ctx) {
                    let name = p.rsplit('/').next().unwrap_or(&p);
                    let name = name.strip_suffix(".md").unwrap_or(name);
                    if !listed.contains(name) {
                        push(
                            name,
                            Some(format!("unlisted: {p}")),
                            None,
                            ItemKind::Artifact,
                        );
                    }
                }
                return out;
            }
            _ => {}
        }
    }
    if kind == FileKind::CollectionToml && last == "transport" {
        for t in MCP_TRANSPORTS {
            push(t, Some("transport".into()), None, ItemKind::Value);
        }
        return out;
    }
    match schema {
        Schema::Value(d) => {
            let ty = match d.ty {
                ValueType::Array(inner) => *inner,
                other => other,
            };
            match ty {
                ValueType::Enum(vals) => {
                    for v in vals {
                        push(v, Some(d.name.to_string()), None, ItemKind::Value);
                    }
                }
                ValueType::Boolean => {
                    for v in ["true", "false"] {
                        push(v, Some(d.name.to_string()), None, ItemKind::Value);
                    }
                }
                _ if d.name == "type" && std::ptr::eq(d, &HOOK_TYPE_KEY) => {
                    for t in facts::hook_types() {
                        push(
                            t.name,
                            Some("hook type".into()),
                            Some(t.doc.to_string()),
                            ItemKind::Value,
                        );
                    }
                }
                _ => {}
            }
        }
        Schema::Keys(_) | Schema::HookEvents | Schema::HookHandler | Schema::None => {}
    }
    out
}

/// Artifact paths that exist in the collection folder: `skills/x`, `commands/y.md`, ….
fn artifact_paths(ctx: &Context) -> Vec<String> {
    let Some(existing) = &ctx.existing_paths else {
        return Vec::new();
    };
    existing
        .iter()
        .filter(|p| {
            let mut parts = p.split('/');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("skills" | "hooks"), Some(_), None) => true,
                (Some("commands" | "agents"), Some(f), None) => f.ends_with(".md"),
                _ => false,
            }
        })
        .cloned()
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Hover

/// Documentation for the key, hook event, tool or value at `offset`.
pub fn hover(kind: FileKind, text: &str, offset: usize) -> Option<HoverInfo> {
    let place = place(kind, text, offset)?;
    let range = place.token.clone();
    let word = text
        .get(range.clone())?
        .trim_matches(|c| c == '"' || c == '\'')
        .to_string();
    if word.is_empty() {
        return None;
    }
    if place.at_key {
        let schema = schema_at(kind, &place.path);
        let md = match schema {
            Schema::Keys(keys) => keys.iter().find(|d| d.name == word).map(key_markdown),
            Schema::HookEvents => facts::hook_events()
                .iter()
                .find(|e| e.name == word)
                .map(|e| format!("**{}** — hook event\n\n{}", e.name, e.doc)),
            Schema::HookHandler => (word == "type")
                .then(|| key_markdown(&HOOK_TYPE_KEY))
                .or_else(|| hook_field(&word).map(key_markdown)),
            _ => None,
        }?;
        return Some(HoverInfo {
            range,
            markdown: md,
        });
    }
    // A value: a tool in a permission rule, a hook type, or fall back to the key's doc.
    let keys = place.keys();
    let last = keys.last().copied().unwrap_or("");
    if matches!(
        last,
        "allow"
            | "deny"
            | "ask"
            | "allowed-tools"
            | "tools"
            | "disallowed-tools"
            | "disallowedTools"
    ) {
        let tool = word.split(['(', ',', ' ']).next().unwrap_or("");
        if let Some(t) = facts::tool_names().iter().find(|t| t.name == tool) {
            return Some(HoverInfo {
                range,
                markdown: format!("**{}** — tool\n\n{}", t.name, t.doc),
            });
        }
        if let Some(rest) = tool.strip_prefix("mcp__") {
            let server = rest.split("__").next().unwrap_or(rest);
            return Some(HoverInfo {
                range,
                markdown: format!("MCP server **{server}** (rule `mcp__<server>[__<tool>]`)"),
            });
        }
    }
    if last == "type"
        && let Schema::Value(d) = schema_at(kind, &place.path)
        && std::ptr::eq(d, &HOOK_TYPE_KEY)
        && let Some(t) = facts::hook_types().iter().find(|t| t.name == word)
    {
        return Some(HoverInfo {
            range,
            markdown: format!("**{}** — hook handler\n\n{}", t.name, t.doc),
        });
    }
    None
}

// ---------------------------------------------------------------------------------------------
// collection.toml entries

/// One `[[artifacts]]` or `[[mcp_servers]]` table of a `collection.toml`, read line by line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TomlEntry {
    /// `artifacts` or `mcp_servers` (or another table name).
    pub table: String,
    /// From the header line to the line before the next header (trailing blank lines trimmed).
    pub range: Range<usize>,
    /// The header line.
    pub header: Range<usize>,
    /// `key = "string"` pairs with the range of the value (simple string values only).
    pub fields: Vec<(String, String, Range<usize>)>,
}

impl TomlEntry {
    /// A string field's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }

    fn span(&self, key: &str) -> Option<Range<usize>> {
        self.fields
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, r)| r.clone())
    }
}

/// The tables of a TOML text, in order.
pub fn toml_entries(text: &str) -> Vec<TomlEntry> {
    let mut out: Vec<TomlEntry> = Vec::new();
    let mut pos = 0;
    let mut last_content_end = 0;
    for l in text.split_inclusive('\n') {
        let line = pos..pos + l.trim_end_matches(['\n', '\r']).len();
        let body = &text[line.clone()];
        if let Some((name, _)) = toml_header(body) {
            if let Some(prev) = out.last_mut() {
                prev.range.end = last_content_end.max(prev.header.end);
            }
            out.push(TomlEntry {
                table: name,
                range: line.clone(),
                header: line.clone(),
                fields: Vec::new(),
            });
        } else if let Some(cur) = out.last_mut()
            && let Some(eq) = body.find('=')
        {
            let key = body[..eq].trim().trim_matches('"').to_string();
            let raw = body[eq + 1..].trim();
            let vstart =
                line.start + eq + 1 + (body[eq + 1..].len() - body[eq + 1..].trim_start().len());
            let value = raw
                .strip_prefix('"')
                .and_then(|r| r.find('"').map(|e| unescape(&r[..e])))
                .or_else(|| {
                    raw.strip_prefix('\'')
                        .and_then(|r| r.find('\'').map(|e| r[..e].to_string()))
                })
                .unwrap_or_else(|| raw.split('#').next().unwrap_or("").trim().to_string());
            cur.fields.push((key, value, vstart..vstart + raw.len()));
        }
        if !body.trim().is_empty() {
            last_content_end = line.end;
        }
        pos += l.len();
    }
    if let Some(prev) = out.last_mut() {
        prev.range.end = last_content_end.max(prev.header.end);
    }
    out
}

/// The `[[artifacts]]` entry containing `offset`, if any.
pub fn artifact_at(text: &str, offset: usize) -> Option<TomlEntry> {
    toml_entries(text)
        .into_iter()
        .find(|e| e.table == "artifacts" && e.range.start <= offset && offset <= e.range.end)
}

// ---------------------------------------------------------------------------------------------
// MCP server references in settings

/// The MCP server a settings value at `offset` names: an `mcp__<server>[__<tool>]` permission
/// rule, or an entry of `enabledMcpjsonServers` / `disabledMcpjsonServers`.
pub fn mcp_server_ref(text: &str, offset: usize) -> Option<String> {
    let place = json_place(text, offset);
    if place.at_key || !place.quoted {
        return None;
    }
    let value = unescape(text.get(place.token.clone())?.trim_matches('"'));
    let keys = place.keys();
    match keys.as_slice() {
        ["permissions", "allow" | "deny" | "ask"] => {
            let rest = value.strip_prefix("mcp__")?;
            let server = rest.split("__").next()?;
            (!server.is_empty()).then(|| server.to_string())
        }
        ["enabledMcpjsonServers" | "disabledMcpjsonServers"] => Some(value),
        _ => None,
    }
}

/// The byte range of the key `name` directly under `mcpServers` in an `.mcp.json` text.
pub fn mcp_server_entry(text: &str, name: &str) -> Option<Range<usize>> {
    use jsonc_parser::ast::{ObjectPropName, Value};
    use jsonc_parser::common::Ranged;
    let parsed = jsonc_parser::parse_to_ast(
        text,
        &Default::default(),
        &jsonc_parser::ParseOptions::default(),
    )
    .ok()?;
    let Some(Value::Object(root)) = parsed.value else {
        return None;
    };
    let servers = root.properties.iter().find(|p| match &p.name {
        ObjectPropName::String(s) => s.value == "mcpServers",
        ObjectPropName::Word(w) => w.value == "mcpServers",
    })?;
    let Value::Object(servers) = &servers.value else {
        return None;
    };
    servers.properties.iter().find_map(|p| {
        let n = match &p.name {
            ObjectPropName::String(s) => s.value.as_ref(),
            ObjectPropName::Word(w) => w.value,
        };
        (n == name).then(|| {
            let r = p.name.range();
            r.start..r.end
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Outline

/// The outline of a file.
pub fn symbols(kind: FileKind, text: &str) -> Vec<Symbol> {
    match kind {
        FileKind::CollectionToml | FileKind::CollectionLock => toml_symbols(text),
        FileKind::ClaudeSettings
        | FileKind::ClaudeSettingsLocal
        | FileKind::UserClaudeSettings
        | FileKind::McpJson => json_symbols(text),
        FileKind::SkillMd | FileKind::CommandMd | FileKind::AgentMd => yaml_symbols(text),
    }
}

fn toml_symbols(text: &str) -> Vec<Symbol> {
    toml_entries(text)
        .into_iter()
        .map(|e| {
            let (kind, name, detail, sel) = match e.table.as_str() {
                "artifacts" => (
                    SymbolKind::Artifact,
                    e.get("name").unwrap_or("(unnamed)").to_string(),
                    e.get("type").map(str::to_string),
                    e.span("name"),
                ),
                "mcp_servers" => (
                    SymbolKind::Server,
                    e.get("name").unwrap_or("(unnamed)").to_string(),
                    Some(e.get("transport").unwrap_or("stdio").to_string()),
                    e.span("name"),
                ),
                t => (SymbolKind::Table, t.to_string(), None, None),
            };
            let children = if kind == SymbolKind::Table {
                e.fields
                    .iter()
                    .map(|(k, v, r)| Symbol {
                        name: k.clone(),
                        detail: Some(v.clone()),
                        kind: SymbolKind::Key,
                        range: r.clone(),
                        selection: r.clone(),
                        children: Vec::new(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Symbol {
                name,
                detail,
                kind,
                selection: sel.unwrap_or_else(|| e.header.clone()),
                range: e.range,
                children,
            }
        })
        .collect()
}

fn json_symbols(text: &str) -> Vec<Symbol> {
    use jsonc_parser::ast::{ObjectPropName, Value};
    use jsonc_parser::common::Ranged;
    let Ok(parsed) = jsonc_parser::parse_to_ast(
        text,
        &Default::default(),
        &jsonc_parser::ParseOptions::default(),
    ) else {
        return Vec::new();
    };
    let Some(Value::Object(root)) = parsed.value else {
        return Vec::new();
    };
    let name_range = |n: &ObjectPropName| {
        let r = n.range();
        r.start..r.end
    };
    let name_of = |n: &ObjectPropName| match n {
        ObjectPropName::String(s) => s.value.to_string(),
        ObjectPropName::Word(w) => w.value.to_string(),
    };
    root.properties
        .iter()
        .map(|p| {
            let key = name_of(&p.name);
            let children = match (&p.value, key.as_str()) {
                (Value::Object(o), "hooks" | "mcpServers" | "servers") => o
                    .properties
                    .iter()
                    .map(|c| {
                        let r = c.range();
                        Symbol {
                            name: name_of(&c.name),
                            detail: None,
                            kind: if key == "hooks" {
                                SymbolKind::Event
                            } else {
                                SymbolKind::Server
                            },
                            range: r.start..r.end,
                            selection: name_range(&c.name),
                            children: Vec::new(),
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let r = p.range();
            Symbol {
                kind: if matches!(p.value, Value::Object(_)) {
                    SymbolKind::Table
                } else {
                    SymbolKind::Key
                },
                name: key,
                detail: None,
                range: r.start..r.end,
                selection: name_range(&p.name),
                children,
            }
        })
        .collect()
}

fn yaml_symbols(text: &str) -> Vec<Symbol> {
    let Some(fm) = front_matter_range(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut pos = fm.start;
    for l in text[fm.clone()].split_inclusive('\n') {
        let body = l.trim_end_matches(['\n', '\r']);
        if !body.starts_with([' ', '\t', '-', '#'])
            && let Some(c) = body.find(':')
        {
            out.push(Symbol {
                name: body[..c].trim().to_string(),
                detail: None,
                kind: SymbolKind::Key,
                range: pos..pos + body.len(),
                selection: pos..pos + c,
                children: Vec::new(),
            });
        }
        pos += l.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(src: &str) -> (String, usize) {
        let at = src.find('|').unwrap();
        (src.replacen('|', "", 1), at)
    }

    fn labels(kind: FileKind, src: &str, ctx: &Context) -> Vec<String> {
        let (text, at) = cursor(src);
        complete(kind, &text, at, ctx)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    #[test]
    fn json_places() {
        let (t, at) = cursor(r#"{"hooks": {"PreToolUse": [{"hooks": [{"ty|"#);
        let p = json_place(&t, at);
        assert!(p.at_key && p.quoted);
        assert_eq!(
            p.path,
            vec![
                Seg::Key("hooks".into()),
                Seg::Key("PreToolUse".into()),
                Seg::Index(0),
                Seg::Key("hooks".into()),
                Seg::Index(0)
            ]
        );
        let (t, at) = cursor("{\n  // c: {\n  \"permissions\": {\"allow\": [\"Bash\", \"R|\"]}}");
        let p = json_place(&t, at);
        assert!(!p.at_key);
        assert_eq!(
            p.path,
            vec![
                Seg::Key("permissions".into()),
                Seg::Key("allow".into()),
                Seg::Index(1)
            ]
        );
        assert_eq!(&t[p.token], "\"R\"");
    }

    #[test]
    fn settings_completions() {
        let k = FileKind::ClaudeSettings;
        let ctx = Context {
            mcp_servers: Some(["github".to_string()].into()),
            ..Context::default()
        };
        assert!(labels(k, "{\"|", &ctx).contains(&"permissions".to_string()));
        assert!(labels(k, "{\"hooks\": {|", &ctx).contains(&"PreToolUse".to_string()));
        let l = labels(k, r#"{"permissions": {"allow": ["|"#, &ctx);
        assert!(l.contains(&"Bash".to_string()) && l.contains(&"mcp__github".to_string()));
        assert!(
            labels(k, r#"{"permissions": {"defaultMode": "|"#, &ctx).contains(&"plan".to_string())
        );
        assert!(labels(k, r#"{"enabledMcpjsonServers": [|"#, &ctx).contains(&"github".to_string()));
        let l = labels(k, r#"{"hooks": {"Stop": [{"hooks": [{"type": "|"#, &ctx);
        assert!(l.contains(&"command".to_string()), "{l:?}");
        let l = labels(k, r#"{"hooks": {"Stop": [{"|"#, &ctx);
        assert!(l.contains(&"matcher".to_string()), "{l:?}");
    }

    #[test]
    fn toml_completions() {
        let k = FileKind::CollectionToml;
        let ctx = Context {
            existing_paths: Some(
                ["skills", "skills/a", "skills/a/SKILL.md", "commands/b.md"]
                    .map(String::from)
                    .into(),
            ),
            artifacts: Some(vec![("skill".into(), "a".into())]),
            ..Context::default()
        };
        let src = "[collection]\nname = \"x\"\n\n[[artifacts]]\ntype = |";
        assert_eq!(labels(k, src, &ctx), ["skill", "command", "agent", "hook"]);
        let (t, at) = cursor(src);
        assert_eq!(complete(k, &t, at, &ctx)[0].insert, "\"skill\"");
        let src = "[collection]\n\n[[artifacts]]\npath = \"|\"";
        assert_eq!(labels(k, src, &ctx), ["commands/b.md", "skills/a"]);
        let src = "[collection]\n\n[[artifacts]]\nname = |";
        assert_eq!(labels(k, src, &ctx), ["b"]);
        assert!(
            labels(k, "[collection]\n\n[[artifacts]]\nor|", &ctx).contains(&"origin".to_string())
        );
    }

    #[test]
    fn agent_skills_complete_from_the_context() {
        let ctx = Context {
            artifacts: Some(vec![
                ("skill".into(), "code-review".into()),
                ("command".into(), "explain".into()),
                ("skill".into(), "changelog".into()),
            ]),
            ..Context::default()
        };
        let l = labels(
            FileKind::AgentMd,
            "---\nname: r\nskills:\n  - c|\n---\nbody",
            &ctx,
        );
        assert_eq!(l, ["code-review", "changelog"]);
        let l = labels(FileKind::AgentMd, "---\nskills: co|\n---\n", &ctx);
        assert_eq!(l, ["code-review", "changelog"]);
    }

    #[test]
    fn front_matter_completion_and_hover() {
        let ctx = Context::default();
        let l = labels(FileKind::AgentMd, "---\nname: x\nmem|\n---\nbody", &ctx);
        assert!(l.contains(&"memory".to_string()));
        let l = labels(FileKind::AgentMd, "---\nmemory: |\n---\n", &ctx);
        assert_eq!(l, ["user", "project", "local"]);
        let l = labels(FileKind::SkillMd, "---\nallowed-tools:\n  - |\n---\n", &ctx);
        assert!(l.contains(&"Bash".to_string()));
        assert!(labels(FileKind::SkillMd, "body |", &ctx).is_empty());
        let text = "---\nname: x\n---\n";
        let h = hover(FileKind::SkillMd, text, 5).unwrap();
        assert!(h.markdown.contains("folder"), "{}", h.markdown);
    }

    #[test]
    fn hovers() {
        let text = r#"{"hooks": {"PreToolUse": []}, "permissions": {"allow": ["Bash(ls)"]}}"#;
        let h = hover(
            FileKind::ClaudeSettings,
            text,
            text.find("PreTool").unwrap() + 2,
        )
        .unwrap();
        assert!(h.markdown.contains("hook event"));
        let h = hover(
            FileKind::ClaudeSettings,
            text,
            text.find("Bash").unwrap() + 1,
        )
        .unwrap();
        assert!(h.markdown.contains("**Bash** — tool"), "{}", h.markdown);
        let h = hover(FileKind::ClaudeSettings, text, 3).unwrap();
        assert!(h.markdown.starts_with("**hooks**"));
    }

    #[test]
    fn toml_outline_and_entries() {
        let text = "[collection]\nname = \"x\"\n\n[[artifacts]]\nname = \"a\"\ntype = \"skill\"\npath = \"skills/a\"\n\n[[mcp_servers]]\nname = \"gh\"\n";
        let s = symbols(FileKind::CollectionToml, text);
        let names: Vec<_> = s.iter().map(|s| (s.name.as_str(), s.kind)).collect();
        assert_eq!(
            names,
            [
                ("collection", SymbolKind::Table),
                ("a", SymbolKind::Artifact),
                ("gh", SymbolKind::Server)
            ]
        );
        assert_eq!(&text[s[1].selection.clone()], "\"a\"");
        let e = artifact_at(text, text.find("skill\"").unwrap()).unwrap();
        assert_eq!(e.get("path"), Some("skills/a"));
        assert!(artifact_at(text, 3).is_none());
    }

    #[test]
    fn mcp_server_references() {
        let text = r#"{"permissions": {"allow": ["mcp__github__search", "Bash"]}, "enabledMcpjsonServers": ["db"]}"#;
        let at = |n: &str| text.find(n).unwrap() + 2;
        assert_eq!(
            mcp_server_ref(text, at("mcp__github")).as_deref(),
            Some("github")
        );
        assert_eq!(mcp_server_ref(text, at("Bash")), None);
        assert_eq!(mcp_server_ref(text, at("db")).as_deref(), Some("db"));
        let mcp = "{\n  \"mcpServers\": {\"db\": {}, \"github\": {\"command\": \"x\"}}\n}";
        let r = mcp_server_entry(mcp, "github").unwrap();
        assert_eq!(&mcp[r], "\"github\"");
        assert_eq!(mcp_server_entry(mcp, "nope"), None);
    }

    #[test]
    fn never_panics_on_odd_input() {
        let samples = [
            "",
            "{",
            "\"",
            "{\"a\\",
            "[[",
            "---\n",
            "---\na: \"é",
            "{\"é🎉\": [\"x",
            "[x]\na = 'b",
        ];
        for s in samples {
            for kind in FileKind::ALL {
                for at in 0..=s.len() + 2 {
                    let _ = complete(kind, s, at, &Context::default());
                    let _ = hover(kind, s, at);
                }
                let _ = symbols(kind, s);
            }
        }
    }
}
