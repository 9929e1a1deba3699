//! The check engine (DESIGN §9): pure rules over the text of SkillMeat's and Claude Code's
//! configuration files, behind the Language Server, `skillmeat check` and the MCP `check_config`
//! tool.
//!
//! [`check`] takes a [`FileKind`], the text and a [`Context`] of plain data the caller gathered
//! (files that exist, lock hashes, MCP server names …) and returns [`Diagnostic`]s with byte
//! ranges, stable codes and quick fixes. No IO happens here: no file system, environment or
//! network, so every face gets the same answers and the rules are tested as data
//! (`core/tests/check_fixtures/`). Parsing never fails: a syntax error is a diagnostic, and the
//! schema and semantic rules run only on a clean parse.

pub mod claude_facts;
mod front_matter;
mod json_rules;
mod secrets;
pub mod text;
mod toml_rules;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use claude_facts::{
    HookTypeDoc, KeyDoc, NamedDoc, ValueType, agent_keys, collection_keys, command_keys,
    hook_events, hook_types, lock_keys, mcp_entry_keys, mcp_json_keys, settings_keys, skill_keys,
    tool_names,
};

/// The kinds of file the engine understands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// A SkillMeat collection manifest, `collection.toml`.
    CollectionToml,
    /// A SkillMeat lock file, `collection.lock`.
    CollectionLock,
    /// A project's shared Claude Code settings, `.claude/settings.json`.
    ClaudeSettings,
    /// A project's personal, git-ignored settings, `.claude/settings.local.json`.
    ClaudeSettingsLocal,
    /// The user's Claude Code settings, `~/.claude/settings.json`.
    UserClaudeSettings,
    /// A project's MCP servers, `.mcp.json`.
    McpJson,
    /// A skill's `SKILL.md` (its YAML front matter).
    SkillMd,
    /// A slash command, `commands/<name>.md`.
    CommandMd,
    /// A subagent, `agents/<name>.md`.
    AgentMd,
}

impl FileKind {
    /// Every kind, for callers that iterate (fuzzing, `--kind` help).
    pub const ALL: [FileKind; 9] = [
        FileKind::CollectionToml,
        FileKind::CollectionLock,
        FileKind::ClaudeSettings,
        FileKind::ClaudeSettingsLocal,
        FileKind::UserClaudeSettings,
        FileKind::McpJson,
        FileKind::SkillMd,
        FileKind::CommandMd,
        FileKind::AgentMd,
    ];

    /// The kebab-case name used in JSON and fixture folders, e.g. `collection-toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::CollectionToml => "collection-toml",
            FileKind::CollectionLock => "collection-lock",
            FileKind::ClaudeSettings => "claude-settings",
            FileKind::ClaudeSettingsLocal => "claude-settings-local",
            FileKind::UserClaudeSettings => "user-claude-settings",
            FileKind::McpJson => "mcp-json",
            FileKind::SkillMd => "skill-md",
            FileKind::CommandMd => "command-md",
            FileKind::AgentMd => "agent-md",
        }
    }

    /// Parses [`FileKind::as_str`]'s names.
    pub fn from_name(name: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Detects the kind from a path, by file name and parent folders only (no file system).
    ///
    /// `~/.claude/settings.json` (or a `.claude` folder directly inside a home folder such as
    /// `/home/<user>`, `/Users/<user>`, `/root`) is the user's settings; any other
    /// `.claude/settings.json` a project's. A `.md` file is an agent or a command by the nearest
    /// `agents/` or `commands/` folder above it (commands may sit in sub-folders).
    pub fn detect(path: &str) -> Option<FileKind> {
        let norm = path.replace('\\', "/");
        let parts: Vec<&str> = norm.split('/').filter(|p| !p.is_empty()).collect();
        let (&file, dirs) = parts.split_last()?;
        let parent = dirs.last().copied();
        match file {
            "collection.toml" => return Some(FileKind::CollectionToml),
            "collection.lock" => return Some(FileKind::CollectionLock),
            "settings.local.json" => return Some(FileKind::ClaudeSettingsLocal),
            "managed-settings.json" => return Some(FileKind::ClaudeSettings),
            // Not Claude Desktop's claude_desktop_config.json: it holds other settings too, which
            // the .mcp.json rules would report as unknown keys.
            ".mcp.json" => return Some(FileKind::McpJson),
            "SKILL.md" => return Some(FileKind::SkillMd),
            "settings.json" if parent == Some(".claude") => {
                let above = &dirs[..dirs.len() - 1];
                let home = match above {
                    ["~"] | ["root"] => true,
                    [.., "home" | "Users", _] => above.len() <= 3,
                    _ => false,
                };
                return Some(if home {
                    FileKind::UserClaudeSettings
                } else {
                    FileKind::ClaudeSettings
                });
            }
            _ => {}
        }
        if file.ends_with(".md") {
            for dir in dirs.iter().rev() {
                match *dir {
                    "agents" => return Some(FileKind::AgentMd),
                    "commands" => return Some(FileKind::CommandMd),
                    "skills" => return None,
                    _ => {}
                }
            }
        }
        None
    }
}

/// Plain data about the file's surroundings, gathered by the caller. Every field is optional:
/// `None` means "unknown", and the rules that need it are skipped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Context {
    /// Path of the checked file, e.g. `…/skills/code-review/SKILL.md`, so a skill's `name` can be
    /// compared with its folder.
    pub file_path: Option<String>,
    /// Paths relative to the collection root (`/`-separated) that exist, for `path` rules.
    pub existing_paths: Option<BTreeSet<String>>,
    /// `"name::kind"` → content hash recorded in `collection.lock`.
    pub lock_hashes: Option<BTreeMap<String, String>>,
    /// `"name::kind"` → content hash of the collection copy now.
    pub actual_hashes: Option<BTreeMap<String, String>>,
    /// Names of the MCP servers defined (in `.mcp.json` or the collection), for `mcp__x` rules.
    pub mcp_servers: Option<BTreeSet<String>>,
    /// `(kind, name)` of the artifacts in the collection, for lock-file rules.
    pub artifacts: Option<Vec<(String, String)>>,
    /// The effective `skillListingMaxDescChars` setting, when the user changed it from Claude
    /// Code's default of 1,536 (for the skill-listing length rule).
    pub skill_listing_max_desc_chars: Option<usize>,
}

/// How serious a diagnostic is (LSP's four levels).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file will not work as intended: Claude Code or SkillMeat rejects or ignores it.
    Error,
    /// Likely a mistake, or a risk such as a secret in plain text.
    Warning,
    /// Worth knowing, e.g. the lock is out of date.
    Information,
    /// A suggestion.
    Hint,
}

impl Severity {
    /// Lower-case name, as in fixtures and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// Replace the bytes in `range` with `new_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TextEdit {
    /// Byte offsets into the checked text, on `char` boundaries.
    pub range: Range<usize>,
    /// The replacement.
    pub new_text: String,
}

/// A quick fix: a titled set of non-overlapping edits that repairs one diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Fix {
    /// What the fix does, e.g. "Rename to `permissions`".
    pub title: String,
    /// The edits, sorted by position.
    pub edits: Vec<TextEdit>,
}

/// One finding about the checked text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Diagnostic {
    /// Byte offsets into the checked text, on `char` boundaries.
    pub range: Range<usize>,
    /// How serious it is.
    pub severity: Severity,
    /// Stable kebab-case identifier of the rule, e.g. `unknown-key`.
    pub code: &'static str,
    /// One sentence saying what is wrong and what to do.
    pub message: String,
    /// Quick fixes, best first; empty when no single edit repairs it.
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub(crate) fn new(
        range: Range<usize>,
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            range,
            severity,
            code,
            message: message.into(),
            fixes: Vec::new(),
        }
    }

    /// Adds a fix made of a single edit.
    pub(crate) fn with_fix(
        mut self,
        title: impl Into<String>,
        range: Range<usize>,
        new_text: impl Into<String>,
    ) -> Self {
        self.fixes.push(Fix {
            title: title.into(),
            edits: vec![TextEdit {
                range,
                new_text: new_text.into(),
            }],
        });
        self
    }

    /// Adds a fix when there is one.
    pub(crate) fn with_opt_fix(self, fix: Option<(String, Range<usize>, String)>) -> Self {
        match fix {
            Some((title, range, new_text)) => self.with_fix(title, range, new_text),
            None => self,
        }
    }
}

/// One rule of the engine: its stable code and what it reports (for SARIF rule lists, docs and
/// `skillmeat check --explain`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct RuleDoc {
    /// The stable kebab-case code diagnostics carry.
    pub code: &'static str,
    /// What the rule reports.
    pub summary: &'static str,
}

macro_rules! rules {
    ($($code:literal => $summary:literal),* $(,)?) => {
        &[$(RuleDoc { code: $code, summary: $summary }),*]
    };
}

static RULES: &[RuleDoc] = rules![
    "syntax-error" => "The file does not parse (TOML, JSON or YAML front matter).",
    "json-comment" => "A comment in a JSON file Claude Code reads as plain JSON.",
    "trailing-comma" => "A trailing comma in a JSON file.",
    "unclosed-front-matter" => "Front matter opened with `---` and never closed.",
    "missing-front-matter" => "A skill or agent file without front matter.",
    "unknown-key" => "A key the format does not define (often a misspelling).",
    "duplicate-key" => "A JSON key written twice; only the last counts.",
    "wrong-type" => "A value of the wrong type.",
    "unknown-value" => "A value outside the allowed set (enum).",
    "missing-key" => "A required key is missing or empty.",
    "invalid-artifact-name" => "A name that is not a safe path component.",
    "invalid-skill-name" => "A skill name that breaks the Agent Skills naming rule.",
    "invalid-agent-name" => "An agent name that is not lowercase letters, digits and `-`.",
    "name-folder-mismatch" => "A skill whose `name` differs from its folder.",
    "duplicate-artifact" => "The same (type, name) listed twice in collection.toml.",
    "duplicate-mcp-server" => "The same MCP server name listed twice in collection.toml.",
    "unsafe-path" => "An artifact path that leaves the collection.",
    "path-not-found" => "An artifact path that does not exist.",
    "unresolvable-source" => "An origin/upstream SkillMeat cannot resolve.",
    "invalid-sha" => "A resolved commit that is not 40 hex digits.",
    "lock-missing-entry" => "An artifact that collection.lock does not record.",
    "lock-out-of-date" => "An artifact whose content changed since it was locked.",
    "orphan-lock-entry" => "A lock entry for an artifact no longer in the collection.",
    "invalid-lock-key" => "A lock entry not keyed `name::kind`.",
    "invalid-hash" => "A content hash that is not `sha256:` + 64 hex.",
    "legacy-lock" => "A lock written by the Python SkillMeat.",
    "plaintext-secret" => "A token or key written in plain text.",
    "missing-command" => "A stdio MCP server without `command`.",
    "missing-url" => "An http/sse MCP server without `url`.",
    "servers-not-mcpservers" => "`servers` (VS Code) written for `mcpServers` in .mcp.json.",
    "mcp-servers-in-settings" => "`mcpServers` in a settings file, where Claude Code does not read it.",
    "personal-setting" => "A personal setting in the team's shared settings.json.",
    "invalid-env-name" => "An `env` name that is not an environment variable name.",
    "permission-rule-syntax" => "A permission rule that is not `Tool`, `Tool(spec)` or `mcp__server[__tool]`.",
    "unknown-tool" => "A tool name Claude Code does not know (or renamed).",
    "unknown-mcp-server" => "An MCP server referenced but not defined.",
    "unknown-hook-event" => "A hook event Claude Code does not fire.",
    "unknown-hook-type" => "A hook handler `type` Claude Code does not know.",
    "unknown-model" => "A `model` that is neither an alias nor a model id.",
    "argument-hint-list" => "`argument-hint` written as a YAML list (crashes Claude Code).",
    "description-too-long" => "A skill description over 1024 characters.",
    "listing-truncated" => "description + when_to_use over what Claude Code's skill listing shows.",
    "compatibility-too-long" => "A skill `compatibility` over 500 characters.",
    "unknown-skill" => "An agent preloading a skill that is in neither its .claude/skills nor ~/.claude/skills.",
];

/// Every rule the engine has, with its code and a summary.
pub fn rule_codes() -> &'static [RuleDoc] {
    RULES
}

/// The documented top-level keys of a file kind, for completion and hover. Front matter kinds
/// give their front matter keys.
pub fn keys_for(kind: FileKind) -> &'static [KeyDoc] {
    match kind {
        FileKind::CollectionToml => collection_keys(),
        FileKind::CollectionLock => lock_keys(),
        FileKind::ClaudeSettings | FileKind::ClaudeSettingsLocal | FileKind::UserClaudeSettings => {
            settings_keys()
        }
        FileKind::McpJson => mcp_json_keys(),
        FileKind::SkillMd => skill_keys(),
        FileKind::CommandMd => command_keys(),
        FileKind::AgentMd => agent_keys(),
    }
}

/// Checks `text` as a file of `kind`, with what the caller knows in `ctx`.
///
/// Returns the diagnostics sorted by range start. Never panics; every range (also in fixes) lies
/// within `text` on `char` boundaries.
///
/// ```
/// use skillmeat_core::check::{Context, FileKind, apply_fix, check};
///
/// let text = r#"{ "servers": { "github": { "command": "npx" } } }"#;
/// let diags = check(FileKind::McpJson, text, &Context::default());
/// assert_eq!(diags[0].code, "servers-not-mcpservers");
/// let fixed = apply_fix(text, &diags[0].fixes[0]);
/// assert_eq!(fixed, r#"{ "mcpServers": { "github": { "command": "npx" } } }"#);
/// assert!(check(FileKind::McpJson, &fixed, &Context::default()).is_empty());
/// ```
pub fn check(kind: FileKind, text: &str, ctx: &Context) -> Vec<Diagnostic> {
    let mut out = match kind {
        FileKind::CollectionToml => toml_rules::check_collection(text, ctx),
        FileKind::CollectionLock => toml_rules::check_lock(text, ctx),
        FileKind::ClaudeSettings | FileKind::ClaudeSettingsLocal | FileKind::UserClaudeSettings => {
            json_rules::check_settings(kind, text, ctx)
        }
        FileKind::McpJson => json_rules::check_mcp_json(text, ctx),
        FileKind::SkillMd | FileKind::CommandMd | FileKind::AgentMd => {
            front_matter::check(kind, text, ctx)
        }
    };
    for d in &mut out {
        d.range = text::clamp_range(text, d.range.clone());
        for fix in &mut d.fixes {
            for e in &mut fix.edits {
                e.range = text::clamp_range(text, e.range.clone());
            }
            fix.edits.sort_by_key(|e| (e.range.start, e.range.end));
        }
    }
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    out.dedup();
    out
}

/// Applies a fix's edits to `text` (edits sorted and non-overlapping, as [`check`] returns them).
/// Overlapping or out-of-range edits are skipped rather than corrupting the text.
pub fn apply_fix(text: &str, fix: &Fix) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for e in &fix.edits {
        let r = text::clamp_range(text, e.range.clone());
        if r.start < pos {
            continue;
        }
        out.push_str(&text[pos..r.start]);
        out.push_str(&e.new_text);
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// The candidate closest to `word`, if it is close enough to be the intended spelling: a
/// case-insensitive match, or a few edits away relative to its length.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    fn squash(s: &str) -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    }
    let lower = word.to_lowercase();
    let word_len = word.chars().count();
    let mut best: Option<(usize, &'a str)> = None;
    let mut all = Vec::new();
    for c in candidates {
        all.push(c);
        if c == word {
            continue;
        }
        let cl = c.to_lowercase();
        if cl == lower {
            return Some(c);
        }
        // A third of the length, at most 4 edits; words of 1–2 chars (`LS`) get no fuzzy match,
        // since any one edit turns them into another name (`LSP`).
        let c_len = c.chars().count();
        let allowed = if word_len <= 2 {
            0
        } else {
            (word_len.max(c_len) / 3).clamp(1, 4)
        };
        // The distance is at least the length difference: skip the quadratic computation (a
        // huge pasted key stays cheap).
        if word_len.abs_diff(c_len) > allowed {
            continue;
        }
        let d = strsim::damerau_levenshtein(&lower, &cl);
        if d <= allowed && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    if let Some((_, c)) = best {
        return Some(c);
    }
    // Also accept a candidate that merely changes separators/case (`allowed_tools` for
    // `allowed-tools`), however long the word.
    let w = squash(word);
    if w.is_empty() {
        return None;
    }
    all.into_iter().find(|c| *c != word && squash(c) == w)
}

/// "a string", "an array of strings" … for messages.
pub(crate) fn describe_type(ty: &ValueType) -> String {
    match ty {
        ValueType::Any => "any value".into(),
        ValueType::String => "a string".into(),
        ValueType::Boolean => "true or false".into(),
        ValueType::Integer => "a whole number".into(),
        ValueType::Number => "a number".into(),
        ValueType::Null => "null".into(),
        ValueType::Datetime => "a date-time".into(),
        ValueType::Object => "an object".into(),
        ValueType::Enum(vals) => format!("one of {}", quote_list(vals)),
        ValueType::Array(inner) => match inner {
            ValueType::String => "an array of strings".into(),
            ValueType::Object => "an array of objects".into(),
            other => format!("an array whose items are {}", describe_type(other)),
        },
        ValueType::Map(inner) => format!("an object whose values are {}", plural(inner)),
        ValueType::AnyOf(tys) => tys
            .iter()
            .map(describe_type)
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn plural(ty: &ValueType) -> String {
    match ty {
        ValueType::String => "strings".into(),
        ValueType::Boolean => "booleans".into(),
        ValueType::Object => "objects".into(),
        other => describe_type(other),
    }
}

/// `` `a`, `b` or `c` `` for messages.
pub(crate) fn quote_list(vals: &[&str]) -> String {
    let quoted: Vec<String> = vals.iter().map(|v| format!("`{v}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// Why a name cannot be an artifact name (DESIGN §2.1), if it cannot.
pub(crate) fn artifact_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.chars().count() > claude_facts::limits::ARTIFACT_NAME_MAX {
        Some("it is longer than 128 characters")
    } else if name.contains('/') || name.contains('\\') {
        Some("it contains a path separator")
    } else if name.contains("..") {
        Some("it contains `..`")
    } else if name.starts_with('.') {
        Some("it starts with `.`")
    } else if name.chars().any(char::is_control) {
        Some("it contains control characters")
    } else {
        None
    }
}

/// Why a name breaks the Agent Skills naming rule, if it does.
pub(crate) fn skill_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.len() > claude_facts::limits::SKILL_NAME_MAX {
        Some("it is longer than 64 characters")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Some("only lowercase letters, digits and `-` are allowed")
    } else if name.starts_with('-') || name.ends_with('-') {
        Some("it starts or ends with `-`")
    } else if name.contains("--") {
        Some("it contains `--`")
    } else {
        None
    }
}

/// A valid skill name made from `name` (lowercase, other characters to `-`), if one can be made.
pub(crate) fn suggest_skill_name(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_matches('-').to_string();
    if out.len() > 64 {
        out.truncate(64);
        out = out.trim_end_matches('-').to_string();
    }
    (skill_name_problem(&out).is_none()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_by_path() {
        use FileKind::*;
        let cases = [
            (
                "/x/collections/default/collection.toml",
                Some(CollectionToml),
            ),
            ("collection.lock", Some(CollectionLock)),
            ("/p/.claude/settings.json", Some(ClaudeSettings)),
            ("~/.claude/settings.json", Some(UserClaudeSettings)),
            ("/home/ann/.claude/settings.json", Some(UserClaudeSettings)),
            (
                "C:\\Users\\ann\\.claude\\settings.json",
                Some(UserClaudeSettings),
            ),
            ("/home/ann/proj/.claude/settings.json", Some(ClaudeSettings)),
            ("/p/.claude/settings.local.json", Some(ClaudeSettingsLocal)),
            ("/p/.mcp.json", Some(McpJson)),
            ("/p/.claude/skills/x/SKILL.md", Some(SkillMd)),
            ("/p/.claude/commands/frontend/x.md", Some(CommandMd)),
            ("/p/.claude/agents/x.md", Some(AgentMd)),
            ("/p/README.md", None),
            ("/p/skills/x/reference.md", None),
            ("settings.json", None),
            ("", None),
        ];
        for (path, want) in cases {
            assert_eq!(FileKind::detect(path), want, "{path}");
        }
    }

    #[test]
    fn closest_matches() {
        let keys = ["permissions", "model", "allowed-tools"];
        assert_eq!(closest("permisions", keys), Some("permissions"));
        assert_eq!(closest("Model", keys), Some("model"));
        assert_eq!(closest("zzzzzz", keys), None);
        assert_eq!(closest("LS", ["LSP", "Bash"]), None);
        assert_eq!(closest("bash", ["LSP", "Bash"]), Some("Bash"));
    }

    #[test]
    fn public_types_have_schemas_and_round_trip() {
        for schema in [
            schemars::schema_for!(Diagnostic),
            schemars::schema_for!(Context),
            schemars::schema_for!(FileKind),
            schemars::schema_for!(KeyDoc),
            schemars::schema_for!(RuleDoc),
        ] {
            assert!(serde_json::to_string(&schema).is_ok());
        }
        let ctx: Context =
            serde_json::from_str(r#"{"mcp_servers": ["github"], "artifacts": [["skill", "x"]]}"#)
                .unwrap();
        assert_eq!(ctx.artifacts, Some(vec![("skill".into(), "x".into())]));
        let d =
            Diagnostic::new(0..1, Severity::Warning, "unknown-key", "m").with_fix("t", 0..1, "x");
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["severity"], "warning");
        assert_eq!(json["range"]["start"], 0);
        assert_eq!(
            serde_json::to_string(&FileKind::McpJson).unwrap(),
            "\"mcp-json\""
        );
        for kind in FileKind::ALL {
            assert_eq!(FileKind::from_name(kind.as_str()), Some(kind));
            assert!(!keys_for(kind).is_empty());
        }
    }

    #[test]
    fn apply_fix_edits_in_order() {
        let fix = Fix {
            title: "t".into(),
            edits: vec![
                TextEdit {
                    range: 0..1,
                    new_text: "A".into(),
                },
                TextEdit {
                    range: 2..3,
                    new_text: "".into(),
                },
            ],
        };
        assert_eq!(apply_fix("abcd", &fix), "Abd");
    }

    #[test]
    fn names() {
        assert!(skill_name_problem("code-review").is_none());
        assert!(skill_name_problem("Code_Review").is_some());
        assert_eq!(
            suggest_skill_name("Code_Review").as_deref(),
            Some("code-review")
        );
        assert!(artifact_name_problem("../x").is_some());
        assert!(artifact_name_problem("ok name").is_none());
    }
}
