//! Rules for Claude Code's JSON files: `settings.json` (project, local, user) and `.mcp.json`.
//!
//! The text is parsed with `jsonc-parser`, which keeps byte ranges for every node. Comments and
//! trailing commas are accepted by that parser so they can be reported precisely (with a fix
//! that removes them) — but Claude Code reads plain JSON, so they are errors, and, like every
//! syntax error, they stop the schema rules: a file Claude Code cannot read has no meaning yet.

use std::collections::BTreeSet;
use std::ops::Range;

use jsonc_parser::ast::{Object, ObjectProp, StringLit, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::tokens::Token;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};

use super::claude_facts::{self as facts, KeyDoc, PERSONAL_SETTINGS, RENAMED_TOOLS, ValueType};
use super::secrets;
use super::text::json_quote;
use super::{Context, Diagnostic, FileKind, Severity, closest, describe_type, quote_list};

fn rng(r: jsonc_parser::common::Range) -> Range<usize> {
    r.start..r.end
}

fn value_range(v: &Value) -> Range<usize> {
    rng(v.range())
}

fn name_range(p: &ObjectProp) -> Range<usize> {
    rng(p.name.range())
}

/// "a string", "an array" … of the value actually written.
fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(_) => "a boolean",
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::NullKeyword(_) => "null",
    }
}

fn is_integer(raw: &str) -> bool {
    !raw.contains(['.', 'e', 'E'])
}

/// Whether `v` has type `ty` (deeply).
fn matches(v: &Value, ty: &ValueType) -> bool {
    match (ty, v) {
        (ValueType::Any, _) => true,
        (ValueType::String | ValueType::Datetime, Value::StringLit(_)) => true,
        (ValueType::Boolean, Value::BooleanLit(_)) => true,
        (ValueType::Integer, Value::NumberLit(n)) => is_integer(n.value),
        (ValueType::Number, Value::NumberLit(_)) => true,
        (ValueType::Null, Value::NullKeyword(_)) => true,
        (ValueType::Object, Value::Object(_)) => true,
        (ValueType::Enum(vals), Value::StringLit(s)) => vals.contains(&s.value.as_ref()),
        (ValueType::Array(inner), Value::Array(a)) => a.elements.iter().all(|e| matches(e, inner)),
        (ValueType::Map(inner), Value::Object(o)) => {
            o.properties.iter().all(|p| matches(&p.value, inner))
        }
        (ValueType::AnyOf(tys), v) => tys.iter().any(|t| matches(v, t)),
        _ => false,
    }
}

/// Whether `v` has the outer shape of `ty` (an enum's value may still be unknown).
fn shape_matches(v: &Value, ty: &ValueType) -> bool {
    match (ty, v) {
        (ValueType::Enum(_), Value::StringLit(_)) => true,
        (ValueType::Array(_), Value::Array(_)) => true,
        (ValueType::Map(_), Value::Object(_)) => true,
        (ValueType::AnyOf(tys), v) => tys.iter().any(|t| shape_matches(v, t)),
        _ => matches(v, ty),
    }
}

struct Checker<'t> {
    text: &'t str,
    ctx: &'t Context,
    kind: FileKind,
    out: Vec<Diagnostic>,
}

impl<'t> Checker<'t> {
    fn new(kind: FileKind, text: &'t str, ctx: &'t Context) -> Self {
        Checker {
            text,
            ctx,
            kind,
            out: Vec::new(),
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    /// Parses the text, reporting syntax errors, comments and trailing commas. `None` when the
    /// file is not plain JSON.
    fn parse(&mut self) -> Option<Value<'t>> {
        let parse_options = ParseOptions {
            allow_comments: true,
            allow_loose_object_property_names: false,
            allow_trailing_commas: true,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        };
        let collect = CollectOptions {
            comments: CommentCollectionStrategy::AsTokens,
            tokens: true,
        };
        let parsed = match parse_to_ast(self.text, &collect, &parse_options) {
            Ok(p) => p,
            Err(e) => {
                let mut r = rng(e.range());
                if r.start == r.end {
                    r.end = super::text::ceil_char_boundary(self.text, r.start + 1);
                }
                self.push(Diagnostic::new(
                    r,
                    Severity::Error,
                    "syntax-error",
                    format!(
                        "Invalid JSON: {}; fix it, Claude Code cannot read this file.",
                        e.kind()
                    ),
                ));
                return None;
            }
        };
        let tokens = parsed.tokens.unwrap_or_default();
        let mut clean = true;
        for (i, t) in tokens.iter().enumerate() {
            match t.token {
                Token::CommentLine(_) | Token::CommentBlock(_) => {
                    clean = false;
                    let r = rng(t.range);
                    // Remove whole lines when the comment is alone on them (a block comment
                    // may span several lines).
                    let first = super::text::full_line_range(self.text, r.start);
                    let last = super::text::full_line_range(self.text, r.end.max(r.start));
                    let before = self.text[first.start..r.start].trim();
                    let after = self.text[r.end.min(last.end)..last.end].trim();
                    let del = if before.is_empty() && after.is_empty() {
                        first.start..last.end.max(r.end)
                    } else {
                        r.clone()
                    };
                    self.push(
                        Diagnostic::new(
                            r,
                            Severity::Error,
                            "json-comment",
                            "Comments are not allowed: Claude Code reads plain JSON; remove the comment.",
                        )
                        .with_fix("Remove the comment", del, ""),
                    );
                }
                Token::Comma => {
                    let next = tokens[i + 1..].iter().find(|n| {
                        !matches!(n.token, Token::CommentLine(_) | Token::CommentBlock(_))
                    });
                    if let Some(n) = next
                        && matches!(n.token, Token::CloseBrace | Token::CloseBracket)
                    {
                        clean = false;
                        let r = rng(t.range);
                        self.push(
                            Diagnostic::new(
                                r.clone(),
                                Severity::Error,
                                "trailing-comma",
                                "Trailing commas are not allowed in JSON; remove this comma.",
                            )
                            .with_fix(
                                "Remove the trailing comma",
                                r,
                                "",
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
        if !clean {
            return None;
        }
        match parsed.value {
            Some(v) => Some(v),
            None => {
                let end = self.text.len();
                self.push(
                    Diagnostic::new(
                        0..end,
                        Severity::Error,
                        "syntax-error",
                        "The file is empty; write `{}` at least, Claude Code cannot read an empty file.",
                    )
                    .with_fix("Write an empty object", 0..end, "{}\n"),
                );
                None
            }
        }
    }

    /// The root object, or an error when the root is something else.
    fn root_object<'v>(&mut self, v: &'v Value<'t>, file: &str) -> Option<&'v Object<'t>> {
        match v {
            Value::Object(o) => Some(o),
            other => {
                self.push(Diagnostic::new(
                    value_range(other),
                    Severity::Error,
                    "wrong-type",
                    format!(
                        "{file} must be a JSON object (`{{ … }}`), not {}.",
                        kind_name(other)
                    ),
                ));
                None
            }
        }
    }

    /// Reports keys written twice (JSON parsers keep only the last one).
    fn duplicates(&mut self, o: &Object) {
        let mut seen = BTreeSet::new();
        for (i, p) in o.properties.iter().enumerate() {
            let name = p.name.as_str();
            if !seen.insert(name) {
                // The fix removes the earlier one: the later one is what Claude Code used.
                let first = o
                    .properties
                    .iter()
                    .position(|q| q.name.as_str() == name)
                    .unwrap_or(i);
                let del = remove_prop_range(o, first);
                self.push(
                    Diagnostic::new(
                        name_range(p),
                        Severity::Warning,
                        "duplicate-key",
                        format!("`{name}` is written twice; only the last one counts — remove the other."),
                    )
                    .with_fix(format!("Remove the first `{name}`"), del, ""),
                );
            }
        }
    }

    fn unknown_key(&mut self, o: &Object, p: &ObjectProp, keys: &[&str], place: &str) {
        let name = p.name.as_str();
        let suggestion = closest(name, keys.iter().copied())
            .filter(|s| o.properties.iter().all(|q| q.name.as_str() != *s));
        let msg = match suggestion {
            Some(s) => format!(
                "Unknown key `{name}` in {place}: did you mean `{s}`? Claude Code ignores unknown keys."
            ),
            None => format!(
                "Unknown key `{name}` in {place}: Claude Code ignores it; check the spelling or remove it."
            ),
        };
        let d = Diagnostic::new(name_range(p), Severity::Warning, "unknown-key", msg).with_opt_fix(
            suggestion.map(|s| (format!("Rename to `{s}`"), name_range(p), json_quote(s))),
        );
        self.push(d);
    }

    fn wrong_type(&mut self, v: &Value, ty: &ValueType, what: &str) {
        let msg = format!(
            "`{what}` must be {}, not {}.",
            describe_type(ty),
            kind_name(v)
        );
        let fix = type_fix(self.text, v, ty);
        self.push(
            Diagnostic::new(value_range(v), Severity::Error, "wrong-type", msg).with_opt_fix(fix),
        );
    }

    fn unknown_value(&mut self, s: &StringLit, vals: &[&str], what: &str) {
        let suggestion = closest(&s.value, vals.iter().copied());
        let msg = format!(
            "`{}` is not a valid value for `{what}`; use {}.",
            s.value,
            quote_list(vals)
        );
        self.push(
            Diagnostic::new(rng(s.range), Severity::Error, "unknown-value", msg).with_opt_fix(
                suggestion.map(|v| (format!("Change to `{v}`"), rng(s.range), json_quote(v))),
            ),
        );
    }

    /// Checks a value against a type, reporting at the innermost wrong place.
    fn check_value(&mut self, v: &Value, ty: &ValueType, what: &str) {
        match (ty, v) {
            (ValueType::Any, _) => {}
            (ValueType::Enum(vals), Value::StringLit(s)) => {
                if !vals.contains(&s.value.as_ref()) {
                    self.unknown_value(s, vals, what);
                }
            }
            (ValueType::Array(inner), Value::Array(a)) => {
                let item = format!("{what}[]");
                for e in &a.elements {
                    self.check_value(e, inner, &item);
                }
            }
            (ValueType::Map(inner), Value::Object(o)) => {
                self.duplicates(o);
                for p in &o.properties {
                    self.check_value(&p.value, inner, &format!("{what}.{}", p.name.as_str()));
                }
            }
            (ValueType::AnyOf(tys), v) => {
                if !tys.iter().any(|t| matches(v, t)) {
                    // Descend into the alternative whose shape fits, for a precise message.
                    match tys.iter().find(|t| shape_matches(v, t)) {
                        Some(t) => self.check_value(v, t, what),
                        None => self.wrong_type(v, ty, what),
                    }
                }
            }
            _ => {
                if !matches(v, ty) {
                    self.wrong_type(v, ty, what);
                }
            }
        }
    }

    /// Checks an object's keys against documented keys: types, unknown keys, required keys.
    fn check_keys(&mut self, o: &Object, keys: &'static [KeyDoc], place: &str) {
        self.duplicates(o);
        let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
        for p in &o.properties {
            let name = p.name.as_str();
            match facts::find_key(keys, name) {
                Some(doc) => self.check_documented(p, doc, &format!("{place}.{name}")),
                None => self.unknown_key(o, p, &names, &format!("`{place}`")),
            }
        }
    }

    fn check_documented(&mut self, p: &ObjectProp, doc: &'static KeyDoc, what: &str) {
        match (&p.value, doc.ty) {
            (Value::Object(sub), ValueType::Object) if !doc.keys.is_empty() => {
                self.check_keys(sub, doc.keys, what);
            }
            (v, ty) => self.check_value(v, &ty, what),
        }
    }

    fn plaintext_secret(
        &mut self,
        lit: &StringLit,
        key: &str,
        what: &str,
        fixable: bool,
        severity: Severity,
    ) {
        let Some(secret) = secrets::find_secret(&lit.value) else {
            return;
        };
        let var = secrets::var_name_for(key, &secret);
        let r = rng(lit.range);
        let d = if fixable {
            Diagnostic::new(
                r.clone(),
                severity,
                "plaintext-secret",
                format!(
                    "`{what}` holds {} in plain text; write a `${{{var}}}` reference and set {var} in the environment (and rotate the secret if this file was shared).",
                    secret.what
                ),
            )
            .with_fix(
                format!("Replace with `${{{var}}}`"),
                r,
                json_quote(&secrets::redacted(&lit.value, &secret, &var)),
            )
        } else {
            let advice = if self.kind == FileKind::ClaudeSettings {
                "this file is shared with the team: set it in your shell environment or in .claude/settings.local.json (git-ignored) instead, and rotate it"
            } else {
                "prefer setting it in your shell environment or through a helper script"
            };
            Diagnostic::new(
                r,
                severity,
                "plaintext-secret",
                format!("`{what}` holds {} in plain text; {advice}.", secret.what),
            )
        };
        self.push(d);
    }

    // ---- settings.json ----

    fn settings(&mut self, root: &Object) {
        self.duplicates(root);
        let names: Vec<&str> = facts::settings_keys().iter().map(|k| k.name).collect();
        for p in &root.properties {
            let name = p.name.as_str();
            match name {
                "mcpServers" => self.push(Diagnostic::new(
                    name_range(p),
                    Severity::Error,
                    "mcp-servers-in-settings",
                    "Claude Code does not read `mcpServers` from settings files; move these servers to the project's .mcp.json (or `claude mcp add`).",
                )),
                "env" => self.env(&p.value),
                "hooks" => self.hooks(&p.value),
                _ => match facts::find_key(facts::settings_keys(), name) {
                    Some(doc) => {
                        self.check_documented(p, doc, name);
                        if name == "permissions"
                            && let Value::Object(perms) = &p.value
                        {
                            self.permission_rules(perms);
                        }
                        if matches!(name, "enabledMcpjsonServers" | "disabledMcpjsonServers")
                            && let Value::Array(a) = &p.value
                        {
                            for e in &a.elements {
                                if let Value::StringLit(s) = e {
                                    self.server_reference(s, &s.value, json_quote);
                                }
                            }
                        }
                    }
                    None => self.unknown_key(root, p, &names, "settings"),
                },
            }
        }
        if self.kind == FileKind::ClaudeSettings {
            self.personal_settings(root);
        }
    }

    fn personal_settings(&mut self, root: &Object) {
        for p in &root.properties {
            let name = p.name.as_str();
            if PERSONAL_SETTINGS.iter().any(|(k, _)| *k == name) {
                self.push(Diagnostic::new(
                    name_range(p),
                    Severity::Hint,
                    "personal-setting",
                    format!("`{name}` is usually a personal choice; consider moving it to .claude/settings.local.json so it does not apply to the whole team."),
                ));
            }
        }
        if let Some(perms) = root.get_object("permissions")
            && let Some(mode) = perms.get("defaultMode")
            && let Value::StringLit(s) = &mode.value
            && s.value == "bypassPermissions"
        {
            self.push(Diagnostic::new(
                rng(s.range),
                Severity::Information,
                "personal-setting",
                "`bypassPermissions` in the shared settings turns off every permission prompt for the whole team; set it in .claude/settings.local.json if it is only for you.",
            ));
        }
    }

    fn env(&mut self, v: &Value) {
        let Value::Object(o) = v else {
            self.wrong_type(v, &ValueType::Map(&ValueType::String), "env");
            return;
        };
        self.duplicates(o);
        let severity = if self.kind == FileKind::ClaudeSettings {
            Severity::Warning
        } else {
            Severity::Information
        };
        for p in &o.properties {
            let name = p.name.as_str();
            if !is_env_name(name) {
                let upper = name.to_ascii_uppercase().replace(['-', '.', ' '], "_");
                let fix = (is_env_name(&upper)
                    && o.properties.iter().all(|q| q.name.as_str() != upper))
                .then(|| {
                    (
                        format!("Rename to `{upper}`"),
                        name_range(p),
                        json_quote(&upper),
                    )
                });
                self.push(
                    Diagnostic::new(
                        name_range(p),
                        Severity::Warning,
                        "invalid-env-name",
                        format!("`{name}` is not a usual environment variable name; use upper-case letters, digits and `_`, not starting with a digit."),
                    )
                    .with_opt_fix(fix),
                );
            }
            match &p.value {
                Value::StringLit(s) => {
                    self.plaintext_secret(s, name, &format!("env.{name}"), false, severity)
                }
                other => self.wrong_type(other, &ValueType::String, &format!("env.{name}")),
            }
        }
    }

    fn permission_rules(&mut self, perms: &Object) {
        for list in ["allow", "deny", "ask"] {
            if let Some(Value::Array(a)) = perms.get(list).map(|p| &p.value) {
                for e in &a.elements {
                    if let Value::StringLit(s) = e {
                        self.permission_rule(s, &format!("`permissions.{list}`"));
                    }
                }
            }
        }
    }

    /// Checks one permission rule (also the `if` condition of a hook, which uses the same
    /// syntax); `place` names where it is written, for messages.
    fn permission_rule(&mut self, lit: &StringLit, place: &str) {
        let rule: &str = &lit.value;
        let r = rng(lit.range);
        let syntax = |msg: String| {
            Diagnostic::new(r.clone(), Severity::Error, "permission-rule-syntax", msg)
        };
        if rule.trim().is_empty() {
            self.push(syntax(format!(
                "Empty rule in {place}; write `Tool` or `Tool(specifier)`, or remove it."
            )));
            return;
        }
        if rule.trim() != rule {
            let d = Diagnostic::new(
                r.clone(),
                Severity::Warning,
                "permission-rule-syntax",
                format!(
                    "Rule `{}` has spaces around it, so it matches no tool; remove them.",
                    rule.trim()
                ),
            )
            .with_fix("Trim the rule", r.clone(), json_quote(rule.trim()));
            self.push(d);
            return;
        }
        let (tool, spec) =
            match rule.find('(') {
                Some(open) => {
                    if !rule.ends_with(')') {
                        let d = syntax(format!(
                        "Rule `{rule}` opens `(` but does not end with `)`; close the specifier."
                    ))
                    .with_fix("Add the closing `)`", r.clone(), json_quote(&format!("{rule})")));
                        self.push(d);
                        return;
                    }
                    (&rule[..open], Some(&rule[open + 1..rule.len() - 1]))
                }
                None => {
                    if rule.contains(')') {
                        self.push(syntax(format!(
                            "Rule `{rule}` has a `)` without `(`; write `Tool(specifier)`."
                        )));
                        return;
                    }
                    (rule, None)
                }
            };
        if tool.is_empty()
            || !tool
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'*')
        {
            self.push(syntax(format!(
                "Rule `{rule}` does not start with a tool name; write `Tool`, `Tool(specifier)` or `mcp__server__tool`."
            )));
            return;
        }
        if let Some(rest) = tool.strip_prefix("mcp__") {
            let server = rest.split("__").next().unwrap_or("");
            if server.is_empty() {
                self.push(syntax(format!(
                    "Rule `{rule}` names no MCP server; write `mcp__<server>` or `mcp__<server>__<tool>`."
                )));
                return;
            }
            let tail = &rest[server.len()..];
            let spec_part = spec.map(|s| format!("({s})")).unwrap_or_default();
            self.server_reference(lit, server, |srv| {
                json_quote(&format!("mcp__{srv}{tail}{spec_part}"))
            });
            return;
        }
        let spec_part = spec.map(|s| format!("({s})")).unwrap_or_default();
        if let Some((_, new)) = RENAMED_TOOLS.iter().find(|(old, _)| *old == tool) {
            let d = Diagnostic::new(
                r.clone(),
                Severity::Warning,
                "unknown-tool",
                format!("The tool `{tool}` was renamed `{new}`; update the rule."),
            )
            .with_fix(
                format!("Rename to `{new}`"),
                r,
                json_quote(&format!("{new}{spec_part}")),
            );
            self.push(d);
            return;
        }
        if facts::tool_names().iter().all(|t| t.name != tool) && tool != "*" {
            let suggestion = closest(tool, facts::tool_names().iter().map(|t| t.name));
            let msg = match suggestion {
                Some(s) => format!(
                    "Unknown tool `{tool}`: did you mean `{s}`? (Tool names are case-sensitive.)"
                ),
                None => format!(
                    "Unknown tool `{tool}`: the rule matches nothing unless a newer Claude Code has this tool; check the name."
                ),
            };
            let d = Diagnostic::new(r.clone(), Severity::Warning, "unknown-tool", msg)
                .with_opt_fix(suggestion.map(|s| {
                    (
                        format!("Change to `{s}`"),
                        r.clone(),
                        json_quote(&format!("{s}{spec_part}")),
                    )
                }));
            self.push(d);
        }
    }

    /// Warns when `server` is not among the MCP servers the caller knows; `rewrite` makes the
    /// literal's new text for a suggested server.
    fn server_reference(
        &mut self,
        lit: &StringLit,
        server: &str,
        rewrite: impl Fn(&str) -> String,
    ) {
        let Some(known) = &self.ctx.mcp_servers else {
            return;
        };
        if server == "*" || known.contains(server) {
            return;
        }
        let suggestion = closest(server, known.iter().map(String::as_str));
        let msg = match suggestion {
            Some(s) => format!("No MCP server `{server}` is defined: did you mean `{s}`?"),
            None => format!(
                "No MCP server `{server}` is defined in .mcp.json or the collection; add it or fix the name."
            ),
        };
        let r = rng(lit.range);
        let fix = suggestion.map(|s| (format!("Change to `{s}`"), r.clone(), rewrite(s)));
        self.push(
            Diagnostic::new(r, Severity::Warning, "unknown-mcp-server", msg).with_opt_fix(fix),
        );
    }

    fn hooks(&mut self, v: &Value) {
        let Value::Object(o) = v else {
            self.wrong_type(v, &ValueType::Object, "hooks");
            return;
        };
        self.duplicates(o);
        let events: Vec<&str> = facts::hook_events().iter().map(|e| e.name).collect();
        for p in &o.properties {
            let event = p.name.as_str();
            if !events.contains(&event) {
                let suggestion = closest(event, events.iter().copied())
                    .filter(|s| o.properties.iter().all(|q| q.name.as_str() != *s));
                let msg = match suggestion {
                    Some(s) => format!(
                        "Unknown hook event `{event}`: did you mean `{s}`? Claude Code drops unknown events."
                    ),
                    None => format!(
                        "Unknown hook event `{event}`: Claude Code drops it; use one of the documented events."
                    ),
                };
                self.push(
                    Diagnostic::new(name_range(p), Severity::Error, "unknown-hook-event", msg)
                        .with_opt_fix(
                            suggestion.map(|s| {
                                (format!("Rename to `{s}`"), name_range(p), json_quote(s))
                            }),
                        ),
                );
            }
            let what = format!("hooks.{event}");
            let Value::Array(groups) = &p.value else {
                self.wrong_type(&p.value, &ValueType::Array(&ValueType::Object), &what);
                continue;
            };
            for g in &groups.elements {
                match g {
                    Value::Object(go) => self.hook_group(go, &what),
                    other => self.wrong_type(other, &ValueType::Object, &what),
                }
            }
        }
    }

    fn hook_group(&mut self, go: &Object, what: &str) {
        self.duplicates(go);
        let keys = facts::hook_matcher_keys();
        let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
        for p in &go.properties {
            match p.name.as_str() {
                "matcher" => {
                    self.check_value(&p.value, &ValueType::String, &format!("{what}[].matcher"))
                }
                "hooks" => match &p.value {
                    Value::Array(a) => {
                        for h in &a.elements {
                            match h {
                                Value::Object(ho) => self.hook_handler(ho, what),
                                other => self.wrong_type(
                                    other,
                                    &ValueType::Object,
                                    &format!("{what}[].hooks[]"),
                                ),
                            }
                        }
                    }
                    other => self.wrong_type(
                        other,
                        &ValueType::Array(&ValueType::Object),
                        &format!("{what}[].hooks"),
                    ),
                },
                // A handler written straight into the group is reported once, below.
                "type" | "command" if go.get("hooks").is_none() => {}
                _ => self.unknown_key(go, p, &names, &format!("`{what}` entry")),
            }
        }
        if go.get("hooks").is_none() {
            let start = go.range.start;
            let msg = if go.get("type").is_some() || go.get("command").is_some() {
                format!(
                    "This `{what}` entry is a handler without its wrapper: write `{{\"matcher\": \"…\", \"hooks\": [ {{\"type\": \"command\", …}} ]}}`."
                )
            } else {
                format!(
                    "This `{what}` entry has no `hooks` array; add `\"hooks\": [ {{\"type\": \"command\", \"command\": \"…\"}} ]`."
                )
            };
            self.push(Diagnostic::new(
                start..start + 1,
                Severity::Error,
                "missing-key",
                msg,
            ));
        }
    }

    fn hook_handler(&mut self, ho: &Object, what: &str) {
        self.duplicates(ho);
        let start = ho.range.start;
        let Some(type_prop) = ho.get("type") else {
            let mut d = Diagnostic::new(
                start..start + 1,
                Severity::Error,
                "missing-key",
                format!(
                    "A `{what}` hook has no `type`; add `\"type\": \"command\"` (or prompt, agent, http, mcp_tool)."
                ),
            );
            if ho.get("command").is_some() {
                d = d.with_fix(
                    "Add `\"type\": \"command\"`",
                    start + 1..start + 1,
                    "\"type\": \"command\", ",
                );
            }
            self.push(d);
            return;
        };
        let Value::StringLit(ty) = &type_prop.value else {
            self.wrong_type(
                &type_prop.value,
                &ValueType::String,
                &format!("{what}[].hooks[].type"),
            );
            return;
        };
        let types = facts::hook_types();
        let Some(ht) = types.iter().find(|t| t.name == ty.value) else {
            let names: Vec<&str> = types.iter().map(|t| t.name).collect();
            let suggestion = closest(&ty.value, names.iter().copied());
            self.push(
                Diagnostic::new(
                    rng(ty.range),
                    Severity::Error,
                    "unknown-hook-type",
                    format!(
                        "Unknown hook type `{}`; use {}.",
                        ty.value,
                        quote_list(&names)
                    ),
                )
                .with_opt_fix(
                    suggestion.map(|s| (format!("Change to `{s}`"), rng(ty.range), json_quote(s))),
                ),
            );
            return;
        };
        let mut names: Vec<&str> = ht.fields.iter().map(|f| f.name).collect();
        names.push("type");
        for p in &ho.properties {
            let name = p.name.as_str();
            if name == "type" {
                continue;
            }
            match facts::find_key(ht.fields, name) {
                Some(doc) => {
                    self.check_value(&p.value, &doc.ty, &format!("{what}[].hooks[].{name}"));
                    if name == "if"
                        && let Value::StringLit(s) = &p.value
                    {
                        self.permission_rule(s, "a hook's `if` condition");
                    }
                    if name == "headers"
                        && let Value::Object(h) = &p.value
                    {
                        for hp in &h.properties {
                            if let Value::StringLit(s) = &hp.value {
                                let hn = hp.name.as_str();
                                self.plaintext_secret(
                                    s,
                                    hn,
                                    &format!("headers.{hn}"),
                                    true,
                                    Severity::Warning,
                                );
                            }
                        }
                    }
                }
                None => self.unknown_key(ho, p, &names, &format!("a `{}` hook", ht.name)),
            }
        }
        for f in ht.fields.iter().filter(|f| f.required) {
            if ho.get(f.name).is_none() {
                self.push(Diagnostic::new(
                    rng(ty.range),
                    Severity::Error,
                    "missing-key",
                    format!("A `{}` hook needs `{}`; add it.", ht.name, f.name),
                ));
            }
        }
    }

    // ---- .mcp.json ----

    fn mcp_json(&mut self, root: &Object) {
        self.duplicates(root);
        let has_mcp = root.get("mcpServers").is_some();
        let names: Vec<&str> = facts::mcp_json_keys().iter().map(|k| k.name).collect();
        for p in &root.properties {
            match p.name.as_str() {
                "mcpServers" => self.mcp_servers(&p.value, "mcpServers"),
                "servers" => {
                    let r = name_range(p);
                    let d = Diagnostic::new(
                        r.clone(),
                        Severity::Error,
                        "servers-not-mcpservers",
                        "Claude Code reads `mcpServers`, not `servers` (the VS Code spelling); rename the key or these servers are ignored.",
                    );
                    let d = if has_mcp {
                        d
                    } else {
                        d.with_fix("Rename to `mcpServers`", r, "\"mcpServers\"")
                    };
                    self.push(d);
                    self.mcp_servers(&p.value, "servers");
                }
                "$schema" => self.check_value(&p.value, &ValueType::String, "$schema"),
                _ => self.unknown_key(root, p, &names, ".mcp.json"),
            }
        }
        if !has_mcp && root.get("servers").is_none() {
            let start = root.range.start;
            self.push(Diagnostic::new(
                start..start + 1,
                Severity::Warning,
                "missing-key",
                "This .mcp.json defines no servers; add `\"mcpServers\": { \"name\": { \"command\": \"…\" } }`.",
            ));
        }
    }

    fn mcp_servers(&mut self, v: &Value, key: &str) {
        let Value::Object(o) = v else {
            self.wrong_type(v, &ValueType::Map(&ValueType::Object), key);
            return;
        };
        self.duplicates(o);
        for p in &o.properties {
            match &p.value {
                Value::Object(entry) => self.mcp_entry(p, entry),
                other => self.wrong_type(
                    other,
                    &ValueType::Object,
                    &format!("{key}.{}", p.name.as_str()),
                ),
            }
        }
    }

    fn mcp_entry(&mut self, p: &ObjectProp, entry: &Object) {
        let server = p.name.as_str();
        let keys = facts::mcp_entry_keys();
        let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
        self.duplicates(entry);
        let mut transport: Option<&str> = None;
        let mut type_ok = true;
        for ep in &entry.properties {
            let name = ep.name.as_str();
            let what = format!("{server}.{name}");
            match (name, &ep.value) {
                ("type", Value::StringLit(s)) => {
                    let alias = match s.value.as_ref() {
                        "streamable-http" | "streamableHttp" | "streamable_http"
                        | "http-stream" => Some("http"),
                        _ => None,
                    };
                    if let Some(a) = alias {
                        type_ok = false;
                        self.push(
                            Diagnostic::new(
                                rng(s.range),
                                Severity::Error,
                                "unknown-value",
                                format!(
                                    "Claude Code calls this transport `{a}`, not `{}`; change it.",
                                    s.value
                                ),
                            )
                            .with_fix(
                                format!("Change to `{a}`"),
                                rng(s.range),
                                json_quote(a),
                            ),
                        );
                    } else if facts::MCP_TRANSPORTS.contains(&s.value.as_ref()) {
                        transport = facts::MCP_TRANSPORTS
                            .iter()
                            .copied()
                            .find(|t| *t == s.value);
                    } else {
                        type_ok = false;
                        self.unknown_value(s, facts::MCP_TRANSPORTS, &what);
                    }
                }
                _ => match facts::find_key(keys, name) {
                    Some(doc) => self.check_documented(ep, doc, &what),
                    None => self.unknown_key(entry, ep, &names, &format!("server `{server}`")),
                },
            }
            if matches!(name, "env" | "headers")
                && let Value::Object(m) = &ep.value
            {
                for mp in &m.properties {
                    if let Value::StringLit(s) = &mp.value {
                        let k = mp.name.as_str();
                        self.plaintext_secret(
                            s,
                            k,
                            &format!("{server}.{name}.{k}"),
                            true,
                            Severity::Warning,
                        );
                    }
                }
            }
            if name == "args"
                && let Value::Array(a) = &ep.value
            {
                for e in &a.elements {
                    if let Value::StringLit(s) = e {
                        self.plaintext_secret(
                            s,
                            "",
                            &format!("{server}.args"),
                            true,
                            Severity::Warning,
                        );
                    }
                }
            }
        }
        if !type_ok {
            return;
        }
        let has_command = entry.get("command").is_some();
        let has_url = entry.get("url").is_some();
        let name_r = name_range(p);
        match transport {
            None if has_command => {}
            None if has_url => {
                let start = entry.range.start;
                self.push(
                    Diagnostic::new(
                        name_r,
                        Severity::Error,
                        "missing-key",
                        format!("Server `{server}` has a `url` but no `type`; remote servers need `\"type\": \"http\"` (or `sse`)."),
                    )
                    .with_fix("Add `\"type\": \"http\"`", start + 1..start + 1, "\"type\": \"http\", "),
                );
            }
            None | Some("stdio") => {
                if !has_command {
                    self.push(Diagnostic::new(
                        name_r,
                        Severity::Error,
                        "missing-command",
                        format!("Server `{server}` has no `command`; a stdio server needs the executable to start (or set `type` and `url` for a remote one)."),
                    ));
                }
            }
            Some(t) => {
                if !has_url {
                    self.push(Diagnostic::new(
                        name_r,
                        Severity::Error,
                        "missing-url",
                        format!(
                            "Server `{server}` has `type` `{t}` but no `url`; add the server's URL."
                        ),
                    ));
                }
            }
        }
    }
}

/// The range that removes property `i` from `o`, with the comma that separates it.
fn remove_prop_range(o: &Object, i: usize) -> Range<usize> {
    let p = &o.properties[i];
    let r = rng(p.range);
    if let Some(next) = o.properties.get(i + 1) {
        r.start..next.range.start
    } else if i > 0 {
        o.properties[i - 1].range.end..r.end
    } else {
        r
    }
}

fn is_env_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_uppercase() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

/// A one-edit repair for an obviously mistyped value: `"true"` for `true`, `"5"` for `5`, `5`
/// for `"5"`, `"x"` for `["x"]`.
fn type_fix(text: &str, v: &Value, ty: &ValueType) -> Option<(String, Range<usize>, String)> {
    let r = value_range(v);
    let accepts = |t: &ValueType| match ty {
        ValueType::AnyOf(tys) => tys.contains(t),
        other => other == t,
    };
    match v {
        Value::StringLit(s) => {
            let s = s.value.as_ref();
            if accepts(&ValueType::Boolean) && (s == "true" || s == "false") {
                return Some((format!("Change to `{s}`"), r, s.to_string()));
            }
            if (accepts(&ValueType::Integer) && s.parse::<i64>().is_ok())
                || (accepts(&ValueType::Number) && s.parse::<f64>().is_ok_and(f64::is_finite))
            {
                let n = s.trim();
                if serde_json::from_str::<serde_json::Number>(n).is_ok() {
                    return Some((format!("Change to `{n}`"), r, n.to_string()));
                }
            }
            if accepts(&ValueType::Array(&ValueType::String)) {
                return Some((
                    "Wrap in an array".into(),
                    r.clone(),
                    format!("[{}]", &text[r]),
                ));
            }
            None
        }
        Value::NumberLit(_) | Value::BooleanLit(_) if accepts(&ValueType::String) => {
            let raw = &text[r.clone()];
            Some((format!("Quote as `\"{raw}\"`"), r.clone(), json_quote(raw)))
        }
        _ => None,
    }
}

/// Checks a Claude Code settings file.
pub(crate) fn check_settings(kind: FileKind, text: &str, ctx: &Context) -> Vec<Diagnostic> {
    let mut ck = Checker::new(kind, text, ctx);
    if let Some(v) = ck.parse()
        && let Some(root) = ck.root_object(&v, "A settings file")
    {
        ck.settings(root);
    }
    ck.out
}

/// Checks a `hooks` object written somewhere other than a settings file (a skill's or agent's
/// front matter), given as JSON text: the same rules as `hooks` in a settings file. Ranges are
/// into `json`.
pub(crate) fn check_hooks_json(json: &str, ctx: &Context) -> Vec<Diagnostic> {
    let mut ck = Checker::new(FileKind::ClaudeSettings, json, ctx);
    if let Some(v) = ck.parse() {
        ck.hooks(&v);
    }
    ck.out
}

/// Checks a `.mcp.json` file.
pub(crate) fn check_mcp_json(text: &str, ctx: &Context) -> Vec<Diagnostic> {
    let mut ck = Checker::new(FileKind::McpJson, text, ctx);
    if let Some(v) = ck.parse()
        && let Some(root) = ck.root_object(&v, ".mcp.json")
    {
        ck.mcp_json(root);
    }
    ck.out
}
