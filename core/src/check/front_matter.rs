//! Rules for the YAML front matter of `SKILL.md`, slash commands and subagents.
//!
//! Values come from `serde_yaml_ng`; positions come from scanning the front matter's lines for
//! top-level `key:` lines, because the YAML parser keeps no spans. That is enough for
//! front matter, which is a flat mapping in practice, and lets every diagnostic point at its key.

use std::ops::Range;

use serde_yaml_ng::Value as Yaml;

use super::claude_facts::{self as facts, KeyDoc, ValueType, limits};
use super::text::{LineIndex, json_quote, shorten};
use super::{
    Context, Diagnostic, FileKind, Severity, artifact_name_problem, closest, describe_type,
    quote_list, skill_name_problem, suggest_skill_name,
};

/// Where a top-level key and its value are written.
#[derive(Debug, Clone)]
struct KeyLoc {
    key: String,
    /// The key as written (with quotes, if any).
    key_range: Range<usize>,
    /// The value on the key's own line (trimmed; may be empty).
    value_range: Range<usize>,
    /// From just after the `:` to the end of the value, continuation lines included (without
    /// the final line break).
    block_range: Range<usize>,
}

struct FrontMatter {
    /// The opening `---` line.
    open: Range<usize>,
    /// The YAML between the fences.
    body: Range<usize>,
}

/// Finds the front matter: a first line `---` and a later line `---` (or `...`).
/// `Err(open)` when the opening fence has no closing one.
fn locate(text: &str) -> Option<Result<FrontMatter, Range<usize>>> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    if text[start..first_end].trim_end() != "---" {
        return None;
    }
    let open = start..first_end;
    let body_start = (first_end + 1).min(text.len());
    let mut pos = body_start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            return Some(Ok(FrontMatter {
                open,
                body: body_start..pos,
            }));
        }
        pos = end + 1;
    }
    Some(Err(open))
}

/// Scans the top-level keys of the YAML in `body`.
fn scan_keys(text: &str, body: Range<usize>) -> Vec<KeyLoc> {
    let mut out: Vec<KeyLoc> = Vec::new();
    let mut pos = body.start;
    while pos < body.end {
        let end = text[pos..body.end].find('\n').map_or(body.end, |i| pos + i);
        let line = &text[pos..end];
        let content_end = pos + line.trim_end().len();
        let first = line.chars().next();
        let is_key_line = matches!(first, Some(c) if !c.is_whitespace() && c != '#' && c != '-' && c != '[' && c != '{');
        if is_key_line && let Some((key, key_len, colon)) = split_key(line) {
            if let Some(prev) = out.last_mut() {
                prev.block_range.end = block_end(text, prev.block_range.start, pos);
            }
            let after = pos + colon + 1;
            let vstart = after + text[after..content_end.max(after)].len()
                - text[after..content_end.max(after)].trim_start().len();
            out.push(KeyLoc {
                key,
                key_range: pos..pos + key_len,
                value_range: vstart.min(content_end.max(after))..content_end.max(after),
                block_range: after..content_end.max(after),
            });
        }
        pos = end + 1;
    }
    if let Some(prev) = out.last_mut() {
        prev.block_range.end = block_end(text, prev.block_range.start, body.end);
    }
    out
}

/// End of a value block that runs until `next` (the next key line or the closing fence),
/// without trailing line breaks and blank lines.
fn block_end(text: &str, start: usize, next: usize) -> usize {
    let next = next.max(start);
    start + text[start..next].trim_end().len()
}

/// Splits `key: value` into (key, length of the key as written, offset of the colon).
fn split_key(line: &str) -> Option<(String, usize, usize)> {
    let bytes = line.as_bytes();
    if let Some(q) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let close = line[1..].find(q)? + 1;
        let rest = &line[close + 1..];
        let colon = close + 1 + rest.find(':')?;
        if !line[close + 1..colon].trim().is_empty() {
            return None;
        }
        return Some((line[1..close].to_string(), close + 1, colon));
    }
    for (i, &b) in bytes.iter().enumerate() {
        if b == b':'
            && (i + 1 == bytes.len()
                || bytes[i + 1] == b' '
                || bytes[i + 1] == b'\t'
                || bytes[i + 1] == b'\r')
        {
            let key = line[..i].trim_end();
            return Some((key.to_string(), key.len(), i));
        }
    }
    None
}

fn yaml_kind(v: &Yaml) -> &'static str {
    match v {
        Yaml::Null => "empty",
        Yaml::Bool(_) => "a boolean",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "a string",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a mapping",
        Yaml::Tagged(_) => "a tagged value",
    }
}

/// Whether a YAML value has the type. Scalars count as strings (Claude Code reads `version: 1`
/// as text), lists and mappings do not.
fn matches(v: &Yaml, ty: &ValueType) -> bool {
    match (ty, v) {
        (ValueType::Any, _) => true,
        (
            ValueType::String | ValueType::Datetime,
            Yaml::String(_) | Yaml::Number(_) | Yaml::Bool(_),
        ) => true,
        (ValueType::Boolean, Yaml::Bool(_)) => true,
        (ValueType::Integer, Yaml::Number(n)) => n.is_i64() || n.is_u64(),
        (ValueType::Number, Yaml::Number(_)) => true,
        (ValueType::Null, Yaml::Null) => true,
        (ValueType::Object, Yaml::Mapping(_)) => true,
        (ValueType::Enum(vals), Yaml::String(s)) => vals.contains(&s.as_str()),
        (ValueType::Array(inner), Yaml::Sequence(items)) => items.iter().all(|i| matches(i, inner)),
        (ValueType::Map(inner), Yaml::Mapping(m)) => m.values().all(|i| matches(i, inner)),
        (ValueType::AnyOf(tys), v) => tys.iter().any(|t| matches(v, t)),
        _ => false,
    }
}

struct Checker<'t> {
    text: &'t str,
    kind: FileKind,
    ctx: &'t Context,
    out: Vec<Diagnostic>,
    keys: Vec<KeyLoc>,
    open: Range<usize>,
}

impl<'t> Checker<'t> {
    fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    fn loc(&self, key: &str) -> Option<&KeyLoc> {
        self.keys.iter().find(|k| k.key == key)
    }

    /// The value's range, or the key's when the value is empty or elsewhere.
    fn value_span(&self, key: &str) -> Range<usize> {
        match self.loc(key) {
            Some(l) if !l.value_range.is_empty() => l.value_range.clone(),
            Some(l) => l.key_range.clone(),
            None => self.open.clone(),
        }
    }

    fn key_span(&self, key: &str) -> Range<usize> {
        self.loc(key)
            .map_or(self.open.clone(), |l| l.key_range.clone())
    }

    /// Inserting a new `key: value` line right after the opening fence.
    fn insert_after_open(&self) -> Range<usize> {
        let at = (self.open.end + 1).min(self.text.len());
        at..at
    }

    fn what(&self) -> &'static str {
        match self.kind {
            FileKind::SkillMd => "skill",
            FileKind::AgentMd => "agent",
            _ => "command",
        }
    }

    fn keys_doc(&self) -> &'static [KeyDoc] {
        match self.kind {
            FileKind::SkillMd => facts::skill_keys(),
            FileKind::AgentMd => facts::agent_keys(),
            _ => facts::command_keys(),
        }
    }

    fn check_fields(&mut self, map: &[(String, Yaml)]) {
        let docs = self.keys_doc();
        let names: Vec<&str> = docs.iter().map(|k| k.name).collect();
        for (key, value) in map {
            let Some(doc) = facts::find_key(docs, key) else {
                let suggestion =
                    closest(key, names.iter().copied()).filter(|s| map.iter().all(|(k, _)| k != s));
                let span = self.key_span(key);
                let msg = match suggestion {
                    Some(s) => format!(
                        "Unknown front matter key `{key}`: did you mean `{s}`? Claude Code ignores unknown keys."
                    ),
                    None => format!(
                        "Unknown front matter key `{key}` for a {}: Claude Code ignores it; check the spelling or remove it.",
                        self.what()
                    ),
                };
                let fix =
                    suggestion.map(|s| (format!("Rename to `{s}`"), span.clone(), s.to_string()));
                self.push(
                    Diagnostic::new(span, Severity::Warning, "unknown-key", msg).with_opt_fix(fix),
                );
                continue;
            };
            if key == "argument-hint" && matches!(value, Yaml::Sequence(_)) {
                self.argument_hint_list(value);
                continue;
            }
            if matches!(value, Yaml::Null) {
                // An empty value: required keys are reported below as empty; others are harmless.
                continue;
            }
            if key == "hooks" && matches!(value, Yaml::Mapping(_)) {
                self.hooks(value);
                continue;
            }
            if matches(value, &doc.ty) {
                continue;
            }
            if let (ValueType::Enum(vals), Yaml::String(s)) = (&doc.ty, value) {
                let span = self.value_span(key);
                let suggestion = closest(s, vals.iter().copied());
                let fix =
                    suggestion.map(|v| (format!("Change to `{v}`"), span.clone(), v.to_string()));
                self.push(
                    Diagnostic::new(
                        span,
                        Severity::Error,
                        "unknown-value",
                        format!(
                            "`{}` is not a valid `{key}`; use {}.",
                            shorten(s, 40),
                            quote_list(vals)
                        ),
                    )
                    .with_opt_fix(fix),
                );
                continue;
            }
            let span = self.value_span(key);
            let fix = match (&doc.ty, value) {
                (ValueType::Boolean, Yaml::String(s)) if s == "true" || s == "false" => {
                    Some((format!("Change to `{s}`"), span.clone(), s.clone()))
                }
                _ => None,
            };
            self.push(
                Diagnostic::new(
                    span,
                    Severity::Error,
                    "wrong-type",
                    format!(
                        "`{key}` must be {}, not {}.",
                        describe_type(&doc.ty),
                        yaml_kind(value)
                    ),
                )
                .with_opt_fix(fix),
            );
        }
    }

    /// `hooks:` in a skill's or agent's front matter holds the same object as `hooks` in a
    /// settings file, so it gets the same rules: the YAML is turned into JSON and checked by the
    /// settings checker. YAML keeps no spans, so each finding points at the `hooks` key and
    /// carries no fix; the message still names the event, type or key at fault.
    fn hooks(&mut self, value: &Yaml) {
        let Ok(json) = serde_json::to_string_pretty(value) else {
            // Keys that are not strings: the settings rules would reject them too.
            self.push(Diagnostic::new(
                self.value_span("hooks"),
                Severity::Error,
                "wrong-type",
                "`hooks` must map event names to lists of hook groups; a key here is not a name."
                    .to_string(),
            ));
            return;
        };
        let span = self.key_span("hooks");
        for d in super::json_rules::check_hooks_json(&json, self.ctx) {
            self.push(Diagnostic::new(
                span.clone(),
                d.severity,
                d.code,
                format!("In `hooks`: {}", d.message),
            ));
        }
    }

    fn argument_hint_list(&mut self, value: &Yaml) {
        let Some(loc) = self.loc("argument-hint").cloned() else {
            return;
        };
        let on_line = &self.text[loc.value_range.clone()];
        let (range, new_text) = if on_line.starts_with('[') {
            // `argument-hint: [message]` meant the text "[message]".
            (loc.value_range.clone(), json_quote(on_line))
        } else {
            let items: Vec<String> = match value {
                Yaml::Sequence(items) => items.iter().map(scalar_text).collect(),
                _ => Vec::new(),
            };
            (
                loc.block_range.clone(),
                format!(" {}", json_quote(&items.join(" "))),
            )
        };
        self.push(
            Diagnostic::new(
                loc.key_range.clone().start..loc.value_range.end.max(loc.key_range.end),
                Severity::Error,
                "argument-hint-list",
                "`argument-hint` is a YAML list here, which has crashed Claude Code; quote it as a string, e.g. `argument-hint: \"[message]\"`.",
            )
            .with_fix("Quote as a string", range, new_text),
        );
    }

    /// Reports a required key that is missing or empty; returns its string value otherwise.
    fn required_str(
        &mut self,
        map: &[(String, Yaml)],
        key: &str,
        fix: Option<String>,
    ) -> Option<String> {
        match map.iter().find(|(k, _)| k == key).map(|(_, v)| v) {
            None => {
                let mut d = Diagnostic::new(
                    self.open.clone(),
                    Severity::Error,
                    "missing-key",
                    format!(
                        "The {} has no `{key}` in its front matter; Claude Code requires it — add `{key}: …`.",
                        self.what()
                    ),
                );
                if let Some(line) = fix {
                    d = d.with_fix(format!("Add `{key}`"), self.insert_after_open(), line);
                }
                self.push(d);
                None
            }
            Some(Yaml::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            // `name: 123` is read as text by Claude Code.
            Some(v @ (Yaml::Number(_) | Yaml::Bool(_))) => Some(scalar_text(v)),
            Some(Yaml::Null) | Some(Yaml::String(_)) => {
                self.push(Diagnostic::new(
                    self.key_span(key),
                    Severity::Error,
                    "missing-key",
                    format!("`{key}` is empty; Claude Code requires it — write a value."),
                ));
                None
            }
            Some(_) => None, // wrong type: reported by check_fields
        }
    }

    fn skill(&mut self, map: &[(String, Yaml)]) {
        let folder = self.ctx.file_path.as_deref().and_then(parent_folder);
        let valid_folder = folder.filter(|f| skill_name_problem(f).is_none());
        let name_fix = valid_folder.map(|f| format!("name: {f}\n"));
        if let Some(name) = self.required_str(map, "name", name_fix) {
            let name = name.as_str();
            let span = self.value_span("name");
            if let Some(problem) = skill_name_problem(name) {
                let suggestion = valid_folder
                    .map(str::to_string)
                    .or_else(|| suggest_skill_name(name));
                let fix = suggestion.map(|s| (format!("Rename to `{s}`"), span.clone(), s));
                self.push(
                    Diagnostic::new(
                        span,
                        Severity::Error,
                        "invalid-skill-name",
                        format!("`{}` is not a valid skill name: {problem}; use 1–64 lowercase letters, digits and single `-`, the same as the folder.", shorten(name, 64)),
                    )
                    .with_opt_fix(fix),
                );
            } else if let Some(folder) = folder
                && folder != name
            {
                let d = Diagnostic::new(
                    span.clone(),
                    Severity::Error,
                    "name-folder-mismatch",
                    format!(
                        "The skill is named `{name}` but its folder is `{}`; they must be equal — rename one.",
                        shorten(folder, 64)
                    ),
                );
                let d = match valid_folder {
                    Some(f) => d.with_fix(format!("Rename to `{f}`"), span, f.to_string()),
                    None => d,
                };
                self.push(d);
            }
        }
        let description = self.required_str(map, "description", None);
        if let Some(desc) = &description {
            let n = desc.chars().count();
            if n > limits::DESCRIPTION_MAX {
                self.push(Diagnostic::new(
                    self.key_span("description"),
                    Severity::Error,
                    "description-too-long",
                    format!("`description` is {n} characters; the limit is {}: shorten it (move details into the body).", limits::DESCRIPTION_MAX),
                ));
            }
        }
        let when = map
            .iter()
            .find(|(k, _)| k == "when_to_use")
            .and_then(|(_, v)| v.as_str())
            .map_or(0, |s| s.chars().count());
        let total = description.as_deref().map_or(0, |d| d.chars().count()) + when;
        // The user may have changed the limit with `skillListingMaxDescChars`.
        let max = self
            .ctx
            .skill_listing_max_desc_chars
            .unwrap_or(limits::LISTING_MAX);
        if total > max {
            self.push(Diagnostic::new(
                self.key_span("description"),
                Severity::Warning,
                "listing-truncated",
                format!("`description` + `when_to_use` are {total} characters; Claude Code shows only the first {max} in its skill listing — shorten them."),
            ));
        }
        if let Some((_, Yaml::String(c))) = map.iter().find(|(k, _)| k == "compatibility") {
            let n = c.chars().count();
            if n > limits::COMPATIBILITY_MAX {
                self.push(Diagnostic::new(
                    self.key_span("compatibility"),
                    Severity::Warning,
                    "compatibility-too-long",
                    format!(
                        "`compatibility` is {n} characters; keep it within {}.",
                        limits::COMPATIBILITY_MAX
                    ),
                ));
            }
        }
        self.model(map);
    }

    fn agent(&mut self, map: &[(String, Yaml)]) {
        let stem = self.ctx.file_path.as_deref().and_then(file_stem);
        let fix = stem
            .filter(|s| artifact_name_problem(s).is_none())
            .map(|s| format!("name: {s}\n"));
        if let Some(name) = self.required_str(map, "name", fix) {
            let name = name.as_str();
            let span = self.value_span("name");
            if let Some(problem) = artifact_name_problem(name) {
                self.push(Diagnostic::new(
                    span,
                    Severity::Error,
                    "invalid-artifact-name",
                    format!(
                        "`{}` cannot be an agent name: {problem}.",
                        shorten(name, 64)
                    ),
                ));
            } else if skill_name_problem(name).is_some() {
                let fix =
                    suggest_skill_name(name).map(|s| (format!("Rename to `{s}`"), span.clone(), s));
                self.push(
                    Diagnostic::new(
                        span,
                        Severity::Warning,
                        "invalid-agent-name",
                        format!("Agent names are lowercase letters, digits and `-`; `{}` may not be found when Claude delegates.", shorten(name, 64)),
                    )
                    .with_opt_fix(fix),
                );
            }
        }
        self.required_str(map, "description", None);
        self.model(map);
        self.tools(map, "tools");
        self.tools(map, "disallowedTools");
        self.agent_skills(map);
    }

    /// `skills:` names skills to preload; one that is in neither the agent's `.claude/skills`
    /// nor `~/.claude/skills` is not loaded. Only checked when the context lists the skills.
    fn agent_skills(&mut self, map: &[(String, Yaml)]) {
        let Some(arts) = &self.ctx.artifacts else {
            return;
        };
        let known: Vec<&str> = arts
            .iter()
            .filter(|(k, _)| k == "skill")
            .map(|(_, n)| n.as_str())
            .collect();
        let names: Vec<String> = match map.iter().find(|(k, _)| k == "skills") {
            Some((_, Yaml::String(s))) => s
                .split(',')
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect(),
            Some((_, Yaml::Sequence(items))) => items
                .iter()
                .filter_map(|i| i.as_str().map(|n| n.trim().to_string()))
                .filter(|n| !n.is_empty())
                .collect(),
            _ => return,
        };
        let Some(block) = self.loc("skills").map(|l| l.block_range.clone()) else {
            return;
        };
        for name in names {
            // `plugin:skill` names a plugin's skill, which lives outside these folders.
            if known.contains(&name.as_str()) || name.contains(':') {
                continue;
            }
            // The name as written inside the `skills` block, else the key.
            let span = find_word(self.text, block.clone(), &name)
                .unwrap_or_else(|| self.key_span("skills"));
            let suggestion = closest(&name, known.iter().copied());
            let msg = match suggestion {
                Some(s) => format!(
                    "No skill `{name}` in this agent's .claude/skills or in ~/.claude/skills: did you mean `{s}`?"
                ),
                None => format!(
                    "No skill `{name}` in this agent's .claude/skills or in ~/.claude/skills; add it there (`skillmeat deploy {name}`) or remove it from `skills`."
                ),
            };
            let exact = self.text.get(span.clone()) == Some(name.as_str());
            let fix = suggestion
                .filter(|_| exact)
                .map(|s| (format!("Change to `{s}`"), span.clone(), s.to_string()));
            self.push(
                Diagnostic::new(span, Severity::Warning, "unknown-skill", msg).with_opt_fix(fix),
            );
        }
    }

    fn command(&mut self, map: &[(String, Yaml)]) {
        self.model(map);
    }

    fn model(&mut self, map: &[(String, Yaml)]) {
        let Some((_, Yaml::String(model))) = map.iter().find(|(k, _)| k == "model") else {
            return;
        };
        let known = facts::MODEL_ALIASES.contains(&model.as_str())
            || model.starts_with("claude-")
            || model.contains('.')
            || model.contains(':')
            || model.contains('/');
        if known {
            return;
        }
        let span = self.value_span("model");
        let suggestion = closest(model, facts::MODEL_ALIASES.iter().copied());
        let fix = suggestion.map(|s| (format!("Change to `{s}`"), span.clone(), s.to_string()));
        self.push(
            Diagnostic::new(
                span,
                Severity::Warning,
                "unknown-model",
                format!("`{}` is not a model alias or id; use `sonnet`, `opus`, `haiku`, `inherit` or a full `claude-…` id.", shorten(model, 40)),
            )
            .with_opt_fix(fix),
        );
    }

    fn tools(&mut self, map: &[(String, Yaml)], key: &str) {
        let Some((_, value)) = map.iter().find(|(k, _)| k == key) else {
            return;
        };
        let names: Vec<String> = match value {
            Yaml::String(s) => s.split(',').map(|t| t.trim().to_string()).collect(),
            Yaml::Sequence(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(|s| s.trim().to_string()))
                .collect(),
            _ => return,
        };
        let Some(loc) = self.loc(key).cloned() else {
            return;
        };
        for name in names {
            let tool = name.split('(').next().unwrap_or("").trim();
            if tool.is_empty()
                || tool == "*"
                || tool.starts_with("mcp__")
                || facts::tool_names().iter().any(|t| t.name == tool)
            {
                continue;
            }
            // Point at the tool's text in the value when it is written once there.
            let block = &self.text[loc.block_range.clone()];
            let at = match (block.find(tool), block.rfind(tool)) {
                (Some(a), Some(b)) if a == b => Some(loc.block_range.start + a),
                _ => None,
            };
            let span = at.map_or(loc.key_range.clone(), |a| a..a + tool.len());
            let renamed = facts::RENAMED_TOOLS
                .iter()
                .find(|(old, _)| *old == tool)
                .map(|(_, n)| *n);
            let suggestion =
                renamed.or_else(|| closest(tool, facts::tool_names().iter().map(|t| t.name)));
            let msg = match (renamed, suggestion) {
                (Some(n), _) => format!("The tool `{tool}` was renamed `{n}`; update the list."),
                (None, Some(s)) => format!(
                    "Unknown tool `{tool}` in `{key}`: did you mean `{s}`? (Tool names are case-sensitive.)"
                ),
                (None, None) => format!("Unknown tool `{tool}` in `{key}`; check the name."),
            };
            let fix = match (at, suggestion) {
                (Some(_), Some(s)) => {
                    Some((format!("Change to `{s}`"), span.clone(), s.to_string()))
                }
                _ => None,
            };
            self.push(
                Diagnostic::new(span, Severity::Warning, "unknown-tool", msg).with_opt_fix(fix),
            );
        }
    }
}

/// The first occurrence of `word` in `text[range]` that is not part of a longer name.
fn find_word(text: &str, range: Range<usize>, word: &str) -> Option<Range<usize>> {
    if word.is_empty() {
        return None;
    }
    let hay = text.get(range.clone())?;
    let is_name = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut from = 0;
    while let Some(i) = hay[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        if !before.is_some_and(is_name) && !after.is_some_and(is_name) {
            return Some(range.start + start..range.start + end);
        }
        from = end;
    }
    None
}

fn scalar_text(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Null => String::new(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// The folder a file sits in: `…/skills/code-review/SKILL.md` → `code-review`.
fn parent_folder(path: &str) -> Option<&str> {
    let path = path.trim_end_matches(['/', '\\']);
    let dir = &path[..path.rfind(['/', '\\'])?];
    let name = dir.rsplit(['/', '\\']).next()?;
    (!name.is_empty()).then_some(name)
}

/// `…/agents/reviewer.md` → `reviewer`.
fn file_stem(path: &str) -> Option<&str> {
    let file = path.rsplit(['/', '\\']).next()?;
    let stem = file.strip_suffix(".md").unwrap_or(file);
    (!stem.is_empty()).then_some(stem)
}

/// Checks the front matter of a skill, command or agent file.
pub(crate) fn check(kind: FileKind, text: &str, ctx: &Context) -> Vec<Diagnostic> {
    let mut ck = Checker {
        text,
        kind,
        ctx,
        out: Vec::new(),
        keys: Vec::new(),
        open: 0..0,
    };
    let fm = match locate(text) {
        None => {
            if kind != FileKind::CommandMd {
                let first = 0..text.find('\n').unwrap_or(text.len());
                let what = ck.what();
                let name = match kind {
                    FileKind::SkillMd => ctx.file_path.as_deref().and_then(parent_folder),
                    _ => ctx.file_path.as_deref().and_then(file_stem),
                }
                .filter(|n| artifact_name_problem(n).is_none())
                .unwrap_or("my-name");
                let at = if text.starts_with('\u{feff}') { 3 } else { 0 };
                ck.push(
                    Diagnostic::new(
                        first,
                        Severity::Error,
                        "missing-front-matter",
                        format!("This {what} has no front matter; start the file with `---`, `name:` and `description:` lines and a closing `---`."),
                    )
                    .with_fix(
                        "Add front matter",
                        at..at,
                        format!("---\nname: {name}\ndescription: Describe what this {what} does and when to use it.\n---\n\n"),
                    ),
                );
            }
            return ck.out;
        }
        Some(Err(open)) => {
            ck.push(Diagnostic::new(
                open,
                Severity::Error,
                "unclosed-front-matter",
                "The front matter starts with `---` but is never closed; add a `---` line after it, or Claude Code reads the whole file as metadata.",
            ));
            return ck.out;
        }
        Some(Ok(fm)) => fm,
    };
    ck.open = fm.open.clone();
    let yaml = &text[fm.body.clone()];
    let value: Yaml = match serde_yaml_ng::from_str(yaml) {
        Ok(v) => v,
        Err(e) => {
            let idx = LineIndex::new(text);
            let base_line = idx.line_of(fm.body.start);
            let (start, end) = match e.location() {
                Some(loc) => {
                    let line = base_line + loc.line().saturating_sub(1);
                    let start = idx.offset_of_chars(line, loc.column().saturating_sub(1));
                    let start = start.clamp(fm.body.start, fm.body.end.max(fm.body.start));
                    let line_end = idx.line_end(idx.line_of(start));
                    (start, line_end.max(start))
                }
                None => (fm.open.start, fm.open.end),
            };
            let end = if start == end {
                super::text::ceil_char_boundary(text, start + 1)
            } else {
                end
            };
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            ck.push(Diagnostic::new(
                start..end,
                Severity::Error,
                "syntax-error",
                format!("Malformed YAML front matter ({}); Claude Code would load this {} without any metadata, silently — fix the YAML (quote values that contain `: `).", shorten(&msg, 120), ck.what()),
            ));
            return ck.out;
        }
    };
    let map: Vec<(String, Yaml)> = match value {
        Yaml::Null => Vec::new(),
        Yaml::Mapping(m) => m.into_iter().map(|(k, v)| (scalar_text(&k), v)).collect(),
        other => {
            ck.push(Diagnostic::new(
                fm.body.clone(),
                Severity::Error,
                "wrong-type",
                format!(
                    "The front matter must be `key: value` lines, not {}.",
                    yaml_kind(&other)
                ),
            ));
            return ck.out;
        }
    };
    ck.keys = scan_keys(text, fm.body);
    ck.check_fields(&map);
    match kind {
        FileKind::SkillMd => ck.skill(&map),
        FileKind::AgentMd => ck.agent(&map),
        _ => ck.command(&map),
    }
    ck.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_keys() {
        let text =
            "---\nname: x\n\"quoted key\": 1\nlist:\n  - a\n  - b\n\ndescription: d # c\n---\nbody";
        let fm = locate(text).unwrap().unwrap();
        let keys = scan_keys(text, fm.body);
        let names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(names, ["name", "quoted key", "list", "description"]);
        assert_eq!(&text[keys[0].value_range.clone()], "x");
        assert_eq!(&text[keys[2].block_range.clone()], "\n  - a\n  - b");
        assert_eq!(&text[keys[1].key_range.clone()], "\"quoted key\"");
    }

    #[test]
    fn paths() {
        assert_eq!(
            parent_folder("/a/skills/code-review/SKILL.md"),
            Some("code-review")
        );
        assert_eq!(parent_folder("SKILL.md"), None);
        assert_eq!(file_stem("a\\agents\\rev.md"), Some("rev"));
    }
}
