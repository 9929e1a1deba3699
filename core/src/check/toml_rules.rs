//! Rules for SkillMeat's own TOML files: `collection.toml` (DESIGN §2.2) and `collection.lock`
//! (§2.3).
//!
//! Parsed with `toml_edit`'s span-keeping `Document`, so every diagnostic points at the key or
//! value it is about, and fixes edit exactly those bytes (the rest of the user's layout and
//! comments stay as written).

use std::collections::BTreeSet;
use std::ops::Range;

use toml_edit::{Document, Item, TableLike, Value};

use super::claude_facts::{self as facts, KeyDoc, ValueType};
use super::secrets;
use super::text::{ceil_char_boundary, json_quote};
use super::{
    Context, Diagnostic, Severity, artifact_name_problem, closest, describe_type, quote_list,
    skill_name_problem, suggest_skill_name,
};

/// What kind of value an item holds, for messages.
fn kind_name(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(v) => match v {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::InlineTable(_) => "a table",
        },
    }
}

/// Whether `item` has type `ty` (deeply).
fn matches(item: &Item, ty: &ValueType) -> bool {
    match ty {
        ValueType::Any => true,
        ValueType::String => item.is_str(),
        ValueType::Boolean => item.is_bool(),
        ValueType::Integer => item.is_integer(),
        ValueType::Number => item.is_integer() || item.is_float(),
        ValueType::Null => false,
        ValueType::Datetime => item.is_datetime() || item.is_str(),
        ValueType::Object => item.is_table_like(),
        ValueType::Enum(vals) => item.as_str().is_some_and(|s| vals.contains(&s)),
        ValueType::Array(inner) => match item {
            Item::ArrayOfTables(a) => {
                matches!(inner, ValueType::Object | ValueType::Any) || a.is_empty()
            }
            Item::Value(Value::Array(a)) => {
                a.iter().all(|v| matches(&Item::Value(v.clone()), inner))
            }
            _ => false,
        },
        ValueType::Map(inner) => item
            .as_table_like()
            .is_some_and(|t| t.iter().all(|(_, v)| matches(v, inner))),
        ValueType::AnyOf(tys) => tys.iter().any(|t| matches(item, t)),
    }
}

/// Tables of an `[[array]]` or of an inline array of tables, with their header spans.
fn tables_of(item: &Item) -> Vec<(&dyn TableLike, Option<Range<usize>>)> {
    match item {
        Item::ArrayOfTables(a) => a.iter().map(|t| (t as &dyn TableLike, t.span())).collect(),
        Item::Value(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_inline_table().map(|t| (t as &dyn TableLike, t.span())))
            .collect(),
        _ => Vec::new(),
    }
}

struct Checker<'t> {
    text: &'t str,
    ctx: &'t Context,
    out: Vec<Diagnostic>,
    /// Start offsets of every `[table]` / `[[table]]` header, sorted: a table written with a
    /// header extends to the next header, which is what a "remove this table" fix deletes.
    headers: Vec<usize>,
}

impl<'t> Checker<'t> {
    fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    fn parse(&mut self) -> Option<Document<&'t str>> {
        match Document::parse(self.text) {
            Ok(doc) => {
                collect_headers(doc.as_item(), &mut self.headers);
                self.headers.sort_unstable();
                Some(doc)
            }
            Err(e) => {
                let mut r = e.span().unwrap_or(0..0);
                if r.start == r.end {
                    r.end = ceil_char_boundary(self.text, r.start + 1);
                }
                let msg = e.message().lines().next().unwrap_or("invalid TOML").trim();
                self.push(Diagnostic::new(
                    r,
                    Severity::Error,
                    "syntax-error",
                    format!("Invalid TOML: {msg}; fix it, SkillMeat cannot read this file."),
                ));
                None
            }
        }
    }

    /// Where the file's first line is, for diagnostics about something missing from the file.
    fn file_start(&self) -> Range<usize> {
        let end = self.text.find('\n').unwrap_or(self.text.len());
        0..end.min(self.text.len())
    }

    /// The bytes a table written with a header spans, for removal fixes.
    fn table_extent(&self, header: &Range<usize>) -> Option<Range<usize>> {
        if !self.text[header.start..].starts_with('[') {
            return None;
        }
        let end = self
            .headers
            .iter()
            .copied()
            .find(|&h| h > header.start)
            .unwrap_or(self.text.len());
        Some(header.start..end)
    }

    fn unknown_key(
        &mut self,
        tbl: &dyn TableLike,
        key: &str,
        span: Range<usize>,
        keys: &[&str],
        place: &str,
    ) {
        // Renaming onto an existing key would duplicate it — except `[[x]]` onto another
        // `[[x]]`, which just appends to that array of tables.
        let is_aot = |k: &str| matches!(tbl.get(k), Some(Item::ArrayOfTables(_)));
        let suggestion = closest(key, keys.iter().copied())
            .filter(|s| tbl.get(s).is_none() || (is_aot(key) && is_aot(s)));
        let msg = match suggestion {
            Some(s) => format!("Unknown key `{key}` in {place}: did you mean `{s}`?"),
            None => format!(
                "Unknown key `{key}` in {place}: SkillMeat ignores it; check the spelling or remove it."
            ),
        };
        let fix = suggestion.map(|s| (format!("Rename to `{s}`"), span.clone(), s.to_string()));
        self.push(Diagnostic::new(span, Severity::Warning, "unknown-key", msg).with_opt_fix(fix));
    }

    /// Checks a table's keys against documented keys (types, unknown keys); returns nothing —
    /// required keys are checked by the callers, who know what to say.
    fn check_keys(&mut self, tbl: &dyn TableLike, keys: &'static [KeyDoc], place: &str) {
        let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
        for (k, item) in tbl.iter() {
            let key_span = key_span(tbl, k);
            match facts::find_key(keys, k) {
                Some(doc) => {
                    // check_item reports only values that do not match their type, so a value
                    // that does needs no path string (a 1,000-entry manifest has thousands of
                    // them, and an editor re-checks it on every keystroke).
                    if matches(item, &doc.ty) {
                        continue;
                    }
                    let what = format!("{place}.{k}");
                    self.check_item(item, &doc.ty, &what, key_span);
                }
                None => {
                    if let Some(span) = key_span {
                        self.unknown_key(tbl, k, span, &names, &format!("`{place}`"));
                    }
                }
            }
        }
    }

    fn check_item(
        &mut self,
        item: &Item,
        ty: &ValueType,
        what: &str,
        fallback: Option<Range<usize>>,
    ) {
        let span = item.span().or(fallback.clone());
        match (ty, item) {
            (ValueType::Any, _) => {}
            (ValueType::Enum(vals), Item::Value(Value::String(s))) => {
                let v = s.value();
                if !vals.contains(&v.as_str()) {
                    let suggestion = closest(v, vals.iter().copied());
                    let msg = format!("`{v}` is not a valid `{what}`; use {}.", quote_list(vals));
                    if let Some(span) = span {
                        let fix = suggestion
                            .map(|s| (format!("Change to `{s}`"), span.clone(), json_quote(s)));
                        self.push(
                            Diagnostic::new(span, Severity::Error, "unknown-value", msg)
                                .with_opt_fix(fix),
                        );
                    }
                }
            }
            (ValueType::Array(inner), Item::Value(Value::Array(a))) => {
                let item_what = format!("{what}[]");
                for v in a.iter() {
                    let it = Item::Value(v.clone());
                    self.check_item(&it, inner, &item_what, span.clone());
                }
            }
            (ValueType::Map(inner), it) if it.is_table_like() => {
                if let Some(t) = it.as_table_like() {
                    for (k, v) in t.iter() {
                        let ks = key_span(t, k);
                        self.check_item(v, inner, &format!("{what}.{k}"), ks);
                    }
                }
            }
            _ => {
                if !matches(item, ty)
                    && let Some(span) = span
                {
                    let msg = format!(
                        "`{what}` must be {}, not {}.",
                        describe_type(ty),
                        kind_name(item)
                    );
                    let fix = type_fix(self.text, item, ty, &span);
                    self.push(
                        Diagnostic::new(span, Severity::Error, "wrong-type", msg).with_opt_fix(fix),
                    );
                }
            }
        }
    }

    fn secret_values(&mut self, tbl: &dyn TableLike, field: &str, owner: &str) {
        let Some(item) = tbl.get(field) else { return };
        if let Some(m) = item.as_table_like() {
            for (k, v) in m.iter() {
                if let Some(s) = v.as_str()
                    && let Some(span) = v.span()
                {
                    self.secret(s, k, span, &format!("{owner}.{field}.{k}"));
                }
            }
        } else if let Some(a) = item.as_array() {
            for v in a.iter() {
                if let (Some(s), Some(span)) = (v.as_str(), v.span()) {
                    self.secret(s, "", span, &format!("{owner}.{field}"));
                }
            }
        }
    }

    fn secret(&mut self, value: &str, key: &str, span: Range<usize>, what: &str) {
        let Some(secret) = secrets::find_secret(value) else {
            return;
        };
        let var = secrets::var_name_for(key, &secret);
        self.push(
            Diagnostic::new(
                span.clone(),
                Severity::Warning,
                "plaintext-secret",
                format!(
                    "`{what}` holds {} in plain text; write a `${{{var}}}` reference and set {var} in the environment (and rotate the secret if this file was shared).",
                    secret.what
                ),
            )
            .with_fix(
                format!("Replace with `${{{var}}}`"),
                span,
                json_quote(&secrets::redacted(value, &secret, &var)),
            ),
        );
    }

    // ---- collection.toml ----

    fn collection(&mut self, doc: &Document<&str>) {
        let root = doc.as_table();
        let top: Vec<&str> = facts::collection_keys().iter().map(|k| k.name).collect();
        for (k, item) in root.iter() {
            let ks = key_span(root, k);
            match k {
                "collection" => match item.as_table_like() {
                    Some(t) => {
                        self.check_keys(
                            t,
                            facts::find_key(facts::collection_keys(), k).map_or(&[], |d| d.keys),
                            "collection",
                        );
                        if t.get("name").is_none() {
                            let span = item.span().or(ks).unwrap_or(0..0);
                            self.push(Diagnostic::new(
                                span,
                                Severity::Error,
                                "missing-key",
                                "`[collection]` has no `name`; add `name = \"…\"`.",
                            ));
                        }
                    }
                    None => self.check_item(item, &ValueType::Object, "collection", ks),
                },
                "artifacts" => self.artifacts(item, ks),
                "mcp_servers" => self.mcp_servers(item, ks),
                _ => {
                    if let Some(span) = ks {
                        self.unknown_key(root, k, span, &top, "collection.toml");
                    }
                }
            }
        }
        if root.get("collection").is_none() {
            self.push(
                Diagnostic::new(
                    self.file_start(),
                    Severity::Error,
                    "missing-key",
                    "collection.toml has no `[collection]` table; add one with the collection's `name`.",
                )
                .with_fix("Add a `[collection]` table", 0..0, "[collection]\nname = \"default\"\n\n"),
            );
        }
    }

    /// `[artifacts]` written for `[[artifacts]]` gets a fix that adds the brackets; other
    /// shapes are plain type errors.
    fn not_an_array_of_tables(&mut self, item: &Item, name: &str, key_span: Option<Range<usize>>) {
        if let Item::Table(t) = item
            && let Some(span) = t.span()
            && self.text.get(span.clone()).is_some_and(|h| {
                h.starts_with('[') && !h.starts_with("[[") && h.trim_end().ends_with(']')
            })
        {
            self.push(
                Diagnostic::new(
                    span.clone(),
                    Severity::Error,
                    "wrong-type",
                    format!("`[{name}]` must be written `[[{name}]]`: one table per entry."),
                )
                .with_fix(
                    format!("Write `[[{name}]]`"),
                    span,
                    format!("[[{name}]]"),
                ),
            );
            return;
        }
        self.check_item(item, &ValueType::Array(&ValueType::Object), name, key_span);
    }

    fn artifacts(&mut self, item: &Item, key_span: Option<Range<usize>>) {
        let tables = tables_of(item);
        if tables.is_empty()
            && !matches!(item, Item::ArrayOfTables(_) | Item::Value(Value::Array(_)))
        {
            self.not_an_array_of_tables(item, "artifacts", key_span);
            return;
        }
        let keys =
            facts::find_key(facts::collection_keys(), "artifacts").map_or(&[][..], |d| d.keys);
        let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
        for (t, header) in tables {
            let anchor = header.clone().or(key_span.clone()).unwrap_or(0..0);
            self.check_keys(t, keys, "artifacts");
            let name_item = t.get("name");
            let name = name_item.and_then(Item::as_str);
            let kind = t.get("type").and_then(Item::as_str);
            for field in ["name", "type"] {
                if t.get(field).is_none() {
                    let example = if field == "type" {
                        "`type = \"skill\"` (or command, agent, hook)"
                    } else {
                        "`name = \"…\"`"
                    };
                    self.push(Diagnostic::new(
                        anchor.clone(),
                        Severity::Error,
                        "missing-key",
                        format!("This `[[artifacts]]` entry has no `{field}`; add {example}."),
                    ));
                }
            }
            let (Some(name), name_span) = (name, name_item.and_then(Item::span)) else {
                continue;
            };
            let name_span = name_span.unwrap_or(anchor.clone());
            if let Some(problem) = artifact_name_problem(name) {
                self.push(Diagnostic::new(
                    name_span.clone(),
                    Severity::Error,
                    "invalid-artifact-name",
                    format!("`{name}` cannot be an artifact name: {problem}; names are used as file names."),
                ));
            } else if kind == Some("skill")
                && let Some(problem) = skill_name_problem(name)
            {
                let fix = suggest_skill_name(name).map(|s| {
                    (
                        format!("Rename to `{s}`"),
                        name_span.clone(),
                        json_quote(&s),
                    )
                });
                self.push(
                    Diagnostic::new(
                        name_span.clone(),
                        Severity::Error,
                        "invalid-skill-name",
                        format!("`{name}` is not a valid skill name: {problem}; use 1–64 lowercase letters, digits and single `-`."),
                    )
                    .with_opt_fix(fix),
                );
            }
            let Some(kind) = kind else { continue };
            if !seen.insert((kind.to_string(), name.to_string())) {
                let fix = header
                    .as_ref()
                    .and_then(|h| self.table_extent(h))
                    .map(|r| ("Remove this duplicate entry".to_string(), r, String::new()));
                self.push(
                    Diagnostic::new(
                        name_span.clone(),
                        Severity::Error,
                        "duplicate-artifact",
                        format!("The {kind} `{name}` is listed twice; (type, name) must be unique — remove one entry."),
                    )
                    .with_opt_fix(fix),
                );
            }
            self.artifact_path(t, name, kind);
            self.artifact_source(t, name);
            self.artifact_lock(name, kind, &name_span);
        }
    }

    fn artifact_path(&mut self, t: &dyn TableLike, name: &str, kind: &str) {
        let Some(item) = t.get("path") else { return };
        let (Some(path), Some(span)) = (item.as_str(), item.span()) else {
            return;
        };
        let norm = path.replace('\\', "/");
        let absolute =
            norm.starts_with('/') || norm.as_bytes().get(1) == Some(&b':') || norm.starts_with('~');
        if absolute || norm.split('/').any(|c| c == "..") {
            self.push(Diagnostic::new(
                span,
                Severity::Error,
                "unsafe-path",
                format!("`path` of `{name}` must stay inside the collection: write it relative, without `..` (e.g. `{}s/{name}`).", kind),
            ));
            return;
        }
        if let Some(existing) = &self.ctx.existing_paths {
            let clean = norm.trim_start_matches("./").trim_end_matches('/');
            if !existing.contains(clean) && !existing.contains(&format!("{clean}/")) {
                self.push(Diagnostic::new(
                    span,
                    Severity::Warning,
                    "path-not-found",
                    format!("`{clean}` does not exist in the collection; fix the path or re-add `{name}`."),
                ));
            }
        }
    }

    fn artifact_source(&mut self, t: &dyn TableLike, name: &str) {
        let origin = t.get("origin").and_then(Item::as_str);
        let upstream = t.get("upstream");
        if matches!(origin, Some("github" | "git" | "marketplace"))
            && upstream.is_none()
            && let Some(span) = t.get("origin").and_then(Item::span)
        {
            self.push(Diagnostic::new(
                    span,
                    Severity::Warning,
                    "unresolvable-source",
                    format!("`{name}` comes from {} but has no `upstream`, so it cannot be updated; add the source it was added from.", origin.unwrap_or_default()),
                ));
        }
        if let (Some(o), Some(up)) = (origin, upstream)
            && let (Some(u), Some(span)) = (up.as_str(), up.span())
        {
            let ok = match o {
                "github" => {
                    u.starts_with("https://github.com/")
                        || u.starts_with("http://github.com/")
                        || (!u.contains("://")
                            && u.split('/').filter(|s| !s.is_empty()).count() >= 2)
                }
                "git" => u.contains("://") || u.starts_with("git@") || u.ends_with(".git"),
                _ => true,
            };
            if !ok {
                self.push(Diagnostic::new(
                    span,
                    Severity::Warning,
                    "unresolvable-source",
                    format!(
                        "`{u}` is not a {o} source SkillMeat can resolve; write {}.",
                        if o == "github" {
                            "`owner/repo[/path][@ref]` or a https://github.com/… URL"
                        } else {
                            "a git URL (`https://…`, `ssh://…` or `git@host:repo`)"
                        }
                    ),
                ));
            }
        }
        if let Some(item) = t.get("resolved_sha")
            && let (Some(sha), Some(span)) = (item.as_str(), item.span())
            && !(sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            self.push(Diagnostic::new(
                span,
                Severity::Warning,
                "invalid-sha",
                format!("`resolved_sha` of `{name}` should be a 40-hex-digit commit id; run `skillmeat update {name}` to resolve it again."),
            ));
        }
    }

    fn artifact_lock(&mut self, name: &str, kind: &str, span: &Range<usize>) {
        let key = format!("{name}::{kind}");
        let Some(lock) = &self.ctx.lock_hashes else {
            return;
        };
        match lock.get(&key) {
            None => self.push(Diagnostic::new(
                span.clone(),
                Severity::Warning,
                "lock-missing-entry",
                format!("collection.lock has no entry for `{key}`; run `skillmeat update {name}` (or re-add it) to lock it."),
            )),
            Some(locked) => {
                if let Some(now) = self.ctx.actual_hashes.as_ref().and_then(|a| a.get(&key))
                    && now != locked
                {
                    self.push(Diagnostic::new(
                        span.clone(),
                        Severity::Information,
                        "lock-out-of-date",
                        format!("The collection copy of `{key}` changed since it was locked (local edits?); run `skillmeat status` to review and record it."),
                    ));
                }
            }
        }
    }

    fn mcp_servers(&mut self, item: &Item, key_span: Option<Range<usize>>) {
        let tables = tables_of(item);
        if tables.is_empty()
            && !matches!(item, Item::ArrayOfTables(_) | Item::Value(Value::Array(_)))
        {
            self.not_an_array_of_tables(item, "mcp_servers", key_span);
            return;
        }
        let keys =
            facts::find_key(facts::collection_keys(), "mcp_servers").map_or(&[][..], |d| d.keys);
        let mut seen = BTreeSet::new();
        for (t, header) in tables {
            let anchor = header.clone().or(key_span.clone()).unwrap_or(0..0);
            self.check_keys(t, keys, "mcp_servers");
            let name_item = t.get("name");
            let Some(name) = name_item.and_then(Item::as_str) else {
                if name_item.is_none() {
                    self.push(Diagnostic::new(
                        anchor,
                        Severity::Error,
                        "missing-key",
                        "This `[[mcp_servers]]` entry has no `name`; add it.",
                    ));
                }
                continue;
            };
            let name_span = name_item.and_then(Item::span).unwrap_or(anchor.clone());
            if !seen.insert(name.to_string()) {
                let fix = header
                    .as_ref()
                    .and_then(|h| self.table_extent(h))
                    .map(|r| ("Remove this duplicate entry".to_string(), r, String::new()));
                self.push(
                    Diagnostic::new(
                        name_span.clone(),
                        Severity::Error,
                        "duplicate-mcp-server",
                        format!("The MCP server `{name}` is listed twice; names must be unique — remove one entry."),
                    )
                    .with_opt_fix(fix),
                );
            }
            let transport = t.get("transport").and_then(Item::as_str);
            let has = |k: &str| t.get(k).is_some();
            match transport {
                Some("http" | "sse") if !has("url") => self.push(Diagnostic::new(
                    name_span.clone(),
                    Severity::Error,
                    "missing-url",
                    format!("MCP server `{name}` uses {} but has no `url`; add the server's URL.", transport.unwrap_or_default()),
                )),
                Some("stdio") | None if !has("command") && !has("url") && !has("repo") => {
                    self.push(Diagnostic::new(
                        name_span.clone(),
                        Severity::Error,
                        "missing-command",
                        format!("MCP server `{name}` has no `command`; a stdio server needs the executable to start (or set `transport` and `url`)."),
                    ))
                }
                _ => {}
            }
            for field in ["env", "headers", "args"] {
                self.secret_values(t, field, name);
            }
        }
    }

    // ---- collection.lock ----

    fn lock(&mut self, doc: &Document<&str>) {
        let root = doc.as_table();
        for (k, _) in root.iter() {
            if k != "lock"
                && let Some(span) = key_span(root, k)
            {
                self.unknown_key(root, k, span, &["lock"], "collection.lock");
            }
        }
        let Some(lock_item) = root.get("lock") else {
            self.push(Diagnostic::new(
                self.file_start(),
                Severity::Error,
                "missing-key",
                "collection.lock has no `[lock]` table; regenerate it with `skillmeat update`.",
            ));
            return;
        };
        let lock_span = lock_item.span().or(key_span(root, "lock")).unwrap_or(0..0);
        let Some(lock) = lock_item.as_table_like() else {
            self.check_item(lock_item, &ValueType::Object, "lock", Some(lock_span));
            return;
        };
        let lock_keys = facts::find_key(facts::lock_keys(), "lock").map_or(&[][..], |d| d.keys);
        let names: Vec<&str> = lock_keys.iter().map(|k| k.name).collect();
        for (k, _) in lock.iter() {
            if facts::find_key(lock_keys, k).is_none()
                && let Some(span) = key_span(lock, k)
            {
                self.unknown_key(lock, k, span, &names, "`[lock]`");
            }
        }
        match lock.get("version") {
            None => {
                self.push(Diagnostic::new(
                    lock_span.clone(),
                    Severity::Error,
                    "missing-key",
                    "`[lock]` has no `version`; add `version = \"2\"`.",
                ));
                return;
            }
            Some(v) => match v.as_str() {
                Some("2") => {}
                Some("1.0.0") => {
                    self.push(Diagnostic::new(
                        v.span().unwrap_or(lock_span.clone()),
                        Severity::Information,
                        "legacy-lock",
                        "This lock was written by the Python SkillMeat; SkillMeat recomputes its hashes on the next write.",
                    ));
                    self.legacy_entries(lock, lock_span);
                    return;
                }
                Some(other) => {
                    let span = v.span().unwrap_or(lock_span.clone());
                    self.push(
                        Diagnostic::new(
                            span.clone(),
                            Severity::Error,
                            "unknown-value",
                            format!("Unknown lock version `{other}`; this SkillMeat writes version `2` — regenerate the lock or upgrade SkillMeat."),
                        ),
                    );
                    return;
                }
                None => {
                    self.check_item(
                        v,
                        &ValueType::String,
                        "lock.version",
                        Some(lock_span.clone()),
                    );
                    return;
                }
            },
        }
        let entries_item = lock.get("entries");
        let mut locked: BTreeSet<(String, String)> = BTreeSet::new();
        // A set, so that checking every entry against the collection stays O(n log n).
        let ctx = self.ctx;
        let in_collection: Option<BTreeSet<(&str, &str)>> = ctx
            .artifacts
            .as_ref()
            .map(|a| a.iter().map(|(k, n)| (k.as_str(), n.as_str())).collect());
        if let Some(ei) = entries_item {
            let Some(entries) = ei.as_table_like() else {
                self.check_item(
                    ei,
                    &ValueType::Object,
                    "lock.entries",
                    key_span(lock, "entries"),
                );
                return;
            };
            for (key, item) in entries.iter() {
                let ks = key_span(entries, key)
                    .or(item.span())
                    .unwrap_or(lock_span.clone());
                self.lock_entry(entries, key, item, ks, &mut locked, in_collection.as_ref());
            }
        }
        self.unlocked_artifacts(lock, lock_span, &locked);
    }

    /// `lock-missing-entry` for each artifact of the collection that no lock entry names,
    /// anchored at the lock's `entries`.
    fn unlocked_artifacts(
        &mut self,
        lock: &dyn TableLike,
        lock_span: Range<usize>,
        locked: &BTreeSet<(String, String)>,
    ) {
        let Some(arts) = &self.ctx.artifacts else {
            return;
        };
        let anchor = lock
            .get("entries")
            .and_then(Item::span)
            .or(key_span(lock, "entries"))
            .unwrap_or(lock_span);
        for (kind, name) in arts {
            if !locked.contains(&(kind.clone(), name.clone())) {
                self.push(Diagnostic::new(
                    anchor.clone(),
                    Severity::Warning,
                    "lock-missing-entry",
                    format!("The {kind} `{name}` is in the collection but not in the lock; run `skillmeat update {name}` to lock it."),
                ));
            }
        }
    }

    /// `orphan-lock-entry` for the entry `item` (`label` names it as the message should), with a
    /// fix removing its table.
    fn orphan_entry(&mut self, item: &Item, ks: Range<usize>, label: &str) {
        let fix = item
            .span()
            .and_then(|h| self.table_extent(&h))
            .map(|r| ("Remove this entry".to_string(), r, String::new()));
        self.push(
            Diagnostic::new(
                ks,
                Severity::Warning,
                "orphan-lock-entry",
                format!("{label} is locked but not in collection.toml; remove the entry (or add the artifact back)."),
            )
            .with_opt_fix(fix),
        );
    }

    fn lock_entry(
        &mut self,
        entries: &dyn TableLike,
        key: &str,
        item: &Item,
        ks: Range<usize>,
        locked: &mut BTreeSet<(String, String)>,
        in_collection: Option<&BTreeSet<(&str, &str)>>,
    ) {
        let Some((name, kind)) = key.rsplit_once("::") else {
            self.push(Diagnostic::new(
                ks,
                Severity::Error,
                "invalid-lock-key",
                format!("Lock entry `{key}` must be keyed `\"name::kind\"`, e.g. `\"code-review::skill\"`."),
            ));
            return;
        };
        if !facts::ARTIFACT_TYPES.contains(&kind) {
            let suggestion = closest(kind, facts::ARTIFACT_TYPES.iter().copied())
                .filter(|s| entries.get(&format!("{name}::{s}")).is_none());
            let fix = suggestion.map(|s| {
                (
                    format!("Change to `{name}::{s}`"),
                    ks.clone(),
                    json_quote(&format!("{name}::{s}")),
                )
            });
            self.push(
                Diagnostic::new(
                    ks.clone(),
                    Severity::Error,
                    "unknown-value",
                    format!(
                        "`{kind}` in lock key `{key}` is not an artifact kind; use {}.",
                        quote_list(facts::ARTIFACT_TYPES)
                    ),
                )
                .with_opt_fix(fix),
            );
        }
        if let Some(problem) = artifact_name_problem(name) {
            self.push(Diagnostic::new(
                ks.clone(),
                Severity::Error,
                "invalid-artifact-name",
                format!("`{name}` cannot be an artifact name: {problem}."),
            ));
        }
        locked.insert((kind.to_string(), name.to_string()));
        let Some(entry) = item.as_table_like() else {
            self.check_item(
                item,
                &ValueType::Object,
                &format!("lock.entries.\"{key}\""),
                Some(ks),
            );
            return;
        };
        let entry_keys = facts::find_key(facts::lock_keys(), "lock")
            .and_then(|l| facts::find_key(l.keys, "entries"))
            .map_or(&[][..], |d| d.keys);
        self.check_keys(entry, entry_keys, &format!("lock.entries.\"{key}\""));
        match entry.get("content_hash") {
            None => self.push(Diagnostic::new(
                ks.clone(),
                Severity::Error,
                "missing-key",
                format!("Lock entry `{key}` has no `content_hash`; run `skillmeat update {name}` to record it."),
            )),
            Some(h) => {
                if let (Some(hash), Some(span)) = (h.as_str(), h.span()) {
                    self.content_hash(hash, span.clone(), key);
                    if let Some(now) = self.ctx.actual_hashes.as_ref().and_then(|a| a.get(key))
                        && now != hash
                    {
                        self.push(Diagnostic::new(
                            span,
                            Severity::Information,
                            "lock-out-of-date",
                            format!("The collection copy of `{key}` no longer has this hash (local edits?); run `skillmeat status` to review and record it."),
                        ));
                    }
                }
            }
        }
        if let Some(arts) = in_collection
            && !arts.contains(&(kind, name))
        {
            self.orphan_entry(item, ks, &format!("`{key}`"));
        }
    }

    /// The entries of a Python SkillMeat lock (`version = "1.0.0"`): keyed by the plain name,
    /// the kind in `type`. Their hashes follow that tool's rules, so only their form is checked
    /// (never `lock-out-of-date`); kinds, orphans and missing entries are checked as in a v2 lock.
    fn legacy_entries(&mut self, lock: &dyn TableLike, lock_span: Range<usize>) {
        let Some(entries) = lock.get("entries").and_then(Item::as_table_like) else {
            return;
        };
        let ctx = self.ctx;
        let in_collection: Option<BTreeSet<(&str, &str)>> = ctx
            .artifacts
            .as_ref()
            .map(|a| a.iter().map(|(k, n)| (k.as_str(), n.as_str())).collect());
        let mut locked: BTreeSet<(String, String)> = BTreeSet::new();
        for (name, item) in entries.iter() {
            let ks = key_span(entries, name)
                .or(item.span())
                .unwrap_or(lock_span.clone());
            let Some(entry) = item.as_table_like() else {
                self.check_item(
                    item,
                    &ValueType::Object,
                    &format!("lock.entries.{name}"),
                    Some(ks),
                );
                continue;
            };
            let kind = match entry.get("type").map(|t| (t.as_str(), t.span())) {
                Some((Some(k), _)) if facts::ARTIFACT_TYPES.contains(&k) => k,
                Some((Some(k), span)) => {
                    let span = span.unwrap_or(ks.clone());
                    let fix = closest(k, facts::ARTIFACT_TYPES.iter().copied())
                        .map(|s| (format!("Change to `{s}`"), span.clone(), json_quote(s)));
                    self.push(
                        Diagnostic::new(
                            span,
                            Severity::Error,
                            "unknown-value",
                            format!(
                                "`{k}` in lock entry `{name}` is not an artifact kind; use {}.",
                                quote_list(facts::ARTIFACT_TYPES)
                            ),
                        )
                        .with_opt_fix(fix),
                    );
                    continue;
                }
                _ => {
                    self.push(Diagnostic::new(
                        ks,
                        Severity::Warning,
                        "missing-key",
                        format!("Lock entry `{name}` has no `type`, so it locks no artifact; add `type = \"skill\"` (or command, agent, hook)."),
                    ));
                    continue;
                }
            };
            locked.insert((kind.to_string(), name.to_string()));
            if let Some(h) = entry.get("content_hash")
                && let (Some(hash), Some(span)) = (h.as_str(), h.span())
            {
                self.content_hash(hash, span, name);
            }
            if let Some(arts) = &in_collection
                && !arts.contains(&(kind, name))
            {
                self.orphan_entry(item, ks, &format!("`{name}` ({kind})"));
            }
        }
        self.unlocked_artifacts(lock, lock_span, &locked);
    }

    fn content_hash(&mut self, hash: &str, span: Range<usize>, key: &str) {
        let hex = hash.strip_prefix("sha256:");
        let ok = hex.is_some_and(|h| {
            h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if ok {
            return;
        }
        let bare = hex.unwrap_or(hash);
        let fix = (bare.len() == 64 && bare.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
            let fixed = format!("sha256:{}", bare.to_ascii_lowercase());
            (
                "Write it as `sha256:<lower-case hex>`".to_string(),
                span.clone(),
                json_quote(&fixed),
            )
        });
        self.push(
            Diagnostic::new(
                span,
                Severity::Error,
                "invalid-hash",
                format!("`content_hash` of `{key}` must be `sha256:` followed by 64 lower-case hex digits; run `skillmeat update` to recompute it."),
            )
            .with_opt_fix(fix),
        );
    }
}

/// Span of key `k` of `tbl` as written (in a header or before `=`).
fn key_span(tbl: &dyn TableLike, k: &str) -> Option<Range<usize>> {
    tbl.get_key_value(k).and_then(|(key, _)| key.span())
}

fn collect_headers(item: &Item, out: &mut Vec<usize>) {
    match item {
        Item::Table(t) => {
            if let Some(s) = t.span() {
                out.push(s.start);
            }
            for (_, v) in t.iter() {
                collect_headers(v, out);
            }
        }
        Item::ArrayOfTables(a) => {
            for t in a.iter() {
                if let Some(s) = t.span() {
                    out.push(s.start);
                }
                for (_, v) in t.iter() {
                    collect_headers(v, out);
                }
            }
        }
        _ => {}
    }
}

/// A one-edit repair for an obviously mistyped value.
fn type_fix(
    text: &str,
    item: &Item,
    ty: &ValueType,
    span: &Range<usize>,
) -> Option<(String, Range<usize>, String)> {
    let accepts = |t: &ValueType| match ty {
        ValueType::AnyOf(tys) => tys.contains(t),
        other => other == t,
    };
    let raw = text.get(span.clone())?;
    match item {
        Item::Value(Value::String(s)) => {
            let s = s.value();
            if accepts(&ValueType::Boolean) && (s == "true" || s == "false") {
                return Some((format!("Change to `{s}`"), span.clone(), s.clone()));
            }
            if accepts(&ValueType::Integer) && s.trim().parse::<i64>().is_ok() {
                return Some((
                    format!("Change to `{}`", s.trim()),
                    span.clone(),
                    s.trim().to_string(),
                ));
            }
            if accepts(&ValueType::Array(&ValueType::String)) {
                return Some(("Wrap in an array".into(), span.clone(), format!("[{raw}]")));
            }
            None
        }
        Item::Value(Value::Integer(_) | Value::Float(_) | Value::Boolean(_))
            if accepts(&ValueType::String) =>
        {
            Some((
                format!("Quote as `\"{raw}\"`"),
                span.clone(),
                json_quote(raw),
            ))
        }
        _ => None,
    }
}

fn checker<'t>(text: &'t str, ctx: &'t Context) -> Checker<'t> {
    Checker {
        text,
        ctx,
        out: Vec::new(),
        headers: Vec::new(),
    }
}

/// Checks a `collection.toml`.
pub(crate) fn check_collection(text: &str, ctx: &Context) -> Vec<Diagnostic> {
    let mut ck = checker(text, ctx);
    if let Some(doc) = ck.parse() {
        ck.collection(&doc);
    }
    ck.out
}

/// Checks a `collection.lock`.
pub(crate) fn check_lock(text: &str, ctx: &Context) -> Vec<Diagnostic> {
    let mut ck = checker(text, ctx);
    if let Some(doc) = ck.parse() {
        ck.lock(&doc);
    }
    ck.out
}
