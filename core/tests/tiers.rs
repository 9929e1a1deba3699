//! The tier test (a tidy test, like rust-analyzer's): core's modules come in three tiers — base,
//! models, operations — and a module may use only modules of its own tier or below. This test
//! reads every `core/src/**/*.rs`, collects each reference to another module of the crate
//! (`crate::…` and `super::…` paths, in `use` lines and inline, and `use child::…` of a declared
//! child module), maps both ends to their tier through [`TIERS`], and fails naming `file:line`
//! for every reference that points up. It also fails on a cycle between modules, on a module
//! missing from the table, when `docs/architecture.md` shows another table, and when
//! `core/Cargo.toml` lists a protocol crate.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Base,
    Models,
    Operations,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Base => "base",
            Tier::Models => "models",
            Tier::Operations => "operations",
        })
    }
}

use Tier::*;

/// The one table: a module path and its tier. A file belongs to the longest entry its module
/// path starts with (`collection::ops::add` → `collection::ops`). docs/architecture.md shows
/// the same table; a new module gets a row here and there.
const TIERS: &[(&str, Tier)] = &[
    ("artifact", Base),
    ("check", Base),
    ("fsx", Base),
    ("hint", Base),
    ("home", Base),
    ("progress", Base),
    ("text", Base),
    ("time", Base),
    ("txn", Base),
    ("collection", Models),
    ("config", Models),
    ("signing", Models),
    ("snapshot", Models),
    ("source", Models),
    ("store", Models),
    ("tokens", Models),
    ("check_context", Operations),
    ("collection::ops", Operations),
    ("deploy", Operations),
    ("op", Operations),
    ("pack", Operations),
    ("snapshot::ops", Operations),
    ("vault", Operations),
];

/// Crates that speak a protocol or parse a command line: they belong to the faces, never to
/// core.
const PROTOCOL_CRATES: &[&str] = &[
    "clap",
    "clap_complete",
    "rmcp",
    "tower-lsp-server",
    "tower-lsp",
    "lsp-server",
    "lsp-types",
    "axum",
    "hyper",
    "hyper-util",
    "tower-http",
    "actix-web",
    "warp",
    "tiny_http",
];

fn core_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The unit (table entry) a module path belongs to.
fn unit_of(path: &[String]) -> Option<(&'static str, Tier)> {
    TIERS
        .iter()
        .filter(|(m, _)| {
            let segs: Vec<&str> = m.split("::").collect();
            segs.len() <= path.len() && segs.iter().zip(path).all(|(a, b)| a == b)
        })
        .max_by_key(|(m, _)| m.len())
        .copied()
}

// ------------------------------------------------------------------------------ a small lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(char),
    /// `::`
    Path,
}

/// Tokens with their line numbers; comments, strings and char literals are dropped, so a
/// `crate::` in a doc comment or a message is not a reference.
fn lex(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let n = c.len();
    let skip_to = |i: &mut usize, line: &mut usize, end: usize| {
        while *i < end.min(n) {
            if c[*i] == '\n' {
                *line += 1;
            }
            *i += 1;
        }
    };
    while i < n {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < n && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < n {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if (ch == 'r' || ch == 'b')
            && matches!(
                (c.get(i + 1), c.get(i + 2)),
                (Some('"'), _) | (Some('#'), _) | (Some('r'), Some('"' | '#'))
            )
            && raw_string_end(&c, i).is_some()
        {
            let end = raw_string_end(&c, i).unwrap_or(n);
            skip_to(&mut i, &mut line, end);
        } else if ch == '"' {
            i += 1;
            while i < n && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                if i < n && c[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 1;
        } else if ch == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            if c.get(i + 1) == Some(&'\\') {
                i += 3;
                while i < n && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < n && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push((Tok::Ident(c[start..i].iter().collect()), line));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((Tok::Path, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// The index just past a raw (byte) string starting at `i` (`r"…"`, `r#"…"#`, `br"…"`).
fn raw_string_end(c: &[char], mut i: usize) -> Option<usize> {
    if c.get(i) == Some(&'b') {
        i += 1;
    }
    if c.get(i) != Some(&'r') {
        // A plain byte string b"…".
        if c.get(i) == Some(&'"') {
            let mut j = i + 1;
            while j < c.len() && c[j] != '"' {
                if c[j] == '\\' {
                    j += 1;
                }
                j += 1;
            }
            return Some(j + 1);
        }
        return None;
    }
    i += 1;
    let mut hashes = 0;
    while c.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    if c.get(i) != Some(&'"') {
        return None;
    }
    i += 1;
    while i < c.len() {
        if c[i] == '"' && (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
            return Some(i + 1 + hashes);
        }
        i += 1;
    }
    Some(c.len())
}

// ------------------------------------------------------------------------------ references

/// One reference from a file to a module path of the crate.
#[derive(Debug)]
struct Ref {
    line: usize,
    /// The absolute path referred to (module segments, then maybe an item).
    path: Vec<String>,
    /// The path as written.
    written: String,
}

/// Expands a use tree or path starting at token `i` (just after its first `::`) into every full
/// path it names, each prefixed with `base`.
fn expand(toks: &[(Tok, usize)], i: &mut usize, base: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = base;
    loop {
        match toks.get(*i).map(|t| &t.0) {
            Some(Tok::Ident(s)) => {
                path.push(s.clone());
                *i += 1;
                if toks.get(*i).map(|t| &t.0) == Some(&Tok::Path) {
                    *i += 1;
                    continue;
                }
                out.push(path);
                return;
            }
            Some(Tok::Punct('{')) => {
                *i += 1;
                loop {
                    match toks.get(*i).map(|t| &t.0) {
                        Some(Tok::Punct('}')) | None => {
                            *i += 1;
                            return;
                        }
                        Some(Tok::Punct(',')) => *i += 1,
                        Some(Tok::Ident(s)) if s == "self" => {
                            out.push(path.clone());
                            *i += 1;
                        }
                        Some(Tok::Ident(s)) if s == "as" => *i += 2,
                        Some(Tok::Punct('*')) => {
                            out.push(path.clone());
                            *i += 1;
                        }
                        Some(_) => expand(toks, i, path.clone(), out),
                    }
                }
            }
            _ => {
                out.push(path);
                return;
            }
        }
    }
}

/// The module path of a file: `collection/ops/add.rs` → `collection::ops::add`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut segs: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = segs.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        segs.push(stem.to_string());
    }
    segs
}

/// Every reference a file makes to a module of the crate, resolved to an absolute path.
fn references(rel: &Path, src: &str, root_items: &BTreeMap<String, Vec<String>>) -> Vec<Ref> {
    let toks = lex(src);
    let file_mod = module_of(rel);
    // Child modules declared here (`mod x;`) can be named without `crate::` or `self::`.
    let mut children = BTreeSet::new();
    for w in toks.windows(3) {
        if let (Tok::Ident(m), Tok::Ident(name), Tok::Punct(';' | '{')) =
            (&w[0].0, &w[1].0, &w[2].0)
            && m == "mod"
        {
            children.insert(name.clone());
        }
    }
    // Inline modules (`mod tests { … }`) change what `super` means inside them.
    let mut inline: Vec<(String, i32)> = Vec::new();
    let mut depth = 0;
    let mut refs = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let (t, line) = (&toks[i].0, toks[i].1);
        match t {
            Tok::Punct('{') => {
                depth += 1;
                i += 1;
                continue;
            }
            Tok::Punct('}') => {
                depth -= 1;
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        if let (Tok::Ident(m), Some((Tok::Ident(name), _)), Some((Tok::Punct('{'), _))) =
            (t, toks.get(i + 1), toks.get(i + 2))
            && m == "mod"
        {
            inline.push((name.clone(), depth));
            i += 2;
            continue;
        }
        let prev_is_path = i > 0 && toks[i - 1].0 == Tok::Path;
        let Tok::Ident(first) = t else {
            i += 1;
            continue;
        };
        if prev_is_path || toks.get(i + 1).map(|t| &t.0) != Some(&Tok::Path) {
            i += 1;
            continue;
        }
        let here: Vec<String> = file_mod
            .iter()
            .cloned()
            .chain(inline.iter().map(|(n, _)| n.clone()))
            .collect();
        let base: Option<Vec<String>> = match first.as_str() {
            "crate" => Some(Vec::new()),
            "self" => Some(here.clone()),
            "super" => {
                let mut p = here.clone();
                let mut j = i;
                p.pop();
                while toks.get(j + 2).map(|t| &t.0) == Some(&Tok::Ident("super".into())) {
                    p.pop();
                    j += 2;
                }
                i = j;
                Some(p)
            }
            name if inline.is_empty() && children.contains(name) => {
                let mut p = file_mod.clone();
                p.push(name.to_string());
                let mut out = Vec::new();
                let mut k = i + 2;
                expand(&toks, &mut k, p, &mut out);
                for path in out {
                    refs.push(Ref {
                        line,
                        written: format!("{name}::…"),
                        path,
                    });
                }
                i = k;
                continue;
            }
            _ => None,
        };
        let Some(base) = base else {
            i += 1;
            continue;
        };
        let mut k = i + 2;
        let mut out = Vec::new();
        expand(&toks, &mut k, base, &mut out);
        for mut path in out {
            // `crate::Home` and other items the crate root re-exports.
            if first == "crate"
                && let Some(target) = path.first().and_then(|f| root_items.get(f))
            {
                let rest = path.split_off(1);
                path = target.iter().cloned().chain(rest).collect();
            }
            refs.push(Ref {
                line,
                written: format!("{}::{}", first, path.join("::")),
                path,
            });
        }
        i = k;
    }
    refs
}

/// What the crate root re-exports: `Home` → `home::Home`, `ops` → `collection::ops`.
fn root_items(lib: &str) -> BTreeMap<String, Vec<String>> {
    let toks = lex(lib);
    let mut out = BTreeMap::new();
    for i in 0..toks.len() {
        if let (Tok::Ident(p), Some((Tok::Ident(u), _)), Some((Tok::Ident(first), _))) =
            (&toks[i].0, toks.get(i + 1), toks.get(i + 2))
            && p == "pub"
            && u == "use"
        {
            let mut paths = Vec::new();
            let mut k = i + 3;
            if toks.get(k).map(|t| &t.0) == Some(&Tok::Path) {
                k += 1;
                expand(&toks, &mut k, vec![first.clone()], &mut paths);
            }
            for p in paths {
                if let Some(last) = p.last() {
                    out.insert(last.clone(), p.clone());
                }
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Everything wrong with the tiers of the sources under `src` (empty when all is well).
fn tier_problems(src: &Path) -> Vec<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let root = root_items(&lib);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut problems = Vec::new();
    // unit → unit → (file:line, written) of one reference, for the cycle check.
    let mut edges: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(src).unwrap();
        let module = module_of(rel);
        if module.is_empty() {
            continue;
        }
        let Some((from, from_tier)) = unit_of(&module) else {
            problems.push(format!(
                "core/src/{}: module `{}` is in no tier; add it to TIERS in core/tests/tiers.rs and to the tiers table in docs/architecture.md",
                rel.display(),
                module[0]
            ));
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for r in references(rel, &text, &root) {
            if r.path.is_empty() {
                continue;
            }
            let Some((to, to_tier)) = unit_of(&r.path) else {
                // An item of the crate root itself (`crate::VERSION`), or a module of no tier,
                // which the loop above reports by its own file.
                continue;
            };
            let place = format!("core/src/{}:{}", rel.display(), r.line);
            if to_tier > from_tier {
                problems.push(format!(
                    "{place}: `{from}` ({from_tier}) uses `{}` from `{to}` ({to_tier}); a module may use only its own tier or below — move the shared part down a tier, or the caller up",
                    r.written
                ));
            }
            if to != from {
                edges
                    .entry(from)
                    .or_default()
                    .entry(to)
                    .or_insert(format!("{place} uses {}", r.written));
            }
        }
    }
    problems.extend(cycles(&edges));
    problems
}

/// One message per group of modules that import each other in a cycle (a strongly connected
/// component of the import graph), naming one cycle through it with a reference per step.
fn cycles(edges: &BTreeMap<&str, BTreeMap<&str, String>>) -> Vec<String> {
    let next = |u: &str| -> Vec<&str> {
        edges
            .get(u)
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default()
    };
    let reach = |from: &str| -> BTreeSet<&str> {
        let mut seen = BTreeSet::new();
        let mut stack = next(from);
        while let Some(u) = stack.pop() {
            if seen.insert(u) {
                stack.extend(next(u));
            }
        }
        seen
    };
    let reaches: BTreeMap<&str, BTreeSet<&str>> = edges.keys().map(|&u| (u, reach(u))).collect();
    let mut out = Vec::new();
    let mut done = BTreeSet::new();
    for (&u, r) in &reaches {
        if done.contains(u) || !r.contains(u) {
            continue;
        }
        let group: BTreeSet<&str> = r
            .iter()
            .copied()
            .filter(|v| reaches.get(v).is_some_and(|rv| rv.contains(u)))
            .collect();
        done.extend(group.iter().copied());
        // The shortest cycle from `u` back to itself inside the group.
        let mut prev: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([u]);
        'search: while let Some(x) = queue.pop_front() {
            for y in next(x) {
                if !group.contains(y) || prev.contains_key(y) {
                    continue;
                }
                prev.insert(y, x);
                if y == u {
                    break 'search;
                }
                queue.push_back(y);
            }
        }
        let mut cycle = vec![u];
        let mut at = prev.get(u).copied();
        while let Some(x) = at {
            if x == u {
                break;
            }
            cycle.push(x);
            at = prev.get(x).copied();
        }
        cycle.push(u);
        cycle.reverse();
        let steps: Vec<&str> = cycle
            .windows(2)
            .map(|w| edges[w[0]][w[1]].as_str())
            .collect();
        out.push(format!(
            "modules import each other in a cycle ({}): {}; break it by moving what they share down into one of them or a module below both",
            cycle.join(" → "),
            steps.join("; ")
        ));
    }
    out
}

#[test]
fn no_module_uses_a_higher_tier_and_none_form_a_cycle() {
    let problems = tier_problems(&core_dir().join("src"));
    assert!(
        problems.is_empty(),
        "{} tier problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_test_catches_a_planted_violation() {
    // A copy of the real sources with one upward import planted in a base module (and one in a
    // models module, written as a grouped use), so the test is known to be able to fail.
    let src = core_dir().join("src");
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for f in &files {
        let to = tmp.path().join(f.strip_prefix(&src).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(f, &to).unwrap();
    }
    let plant = |file: &str, text: &str| {
        let p = tmp.path().join(file);
        let old = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, format!("{text}\n{old}")).unwrap();
    };
    plant("fsx.rs", "use crate::deploy::DeployError;");
    plant(
        "collection/lock.rs",
        "use crate::{artifact::ArtifactKind as _K, collection::ops::{self, add}};",
    );
    plant("store.rs", "fn f() { let _ = super::vault::ls; }");
    let problems = tier_problems(tmp.path());
    let text = problems.join("\n");
    assert!(
        text.contains("core/src/fsx.rs:1: `fsx` (base) uses `crate::deploy::DeployError` from `deploy` (operations)"),
        "{text}"
    );
    assert!(
        text.contains("core/src/collection/lock.rs:1: `collection` (models) uses `crate::collection::ops::add`"),
        "{text}"
    );
    assert!(
        text.contains("core/src/store.rs:1: `store` (models) uses `super::vault::ls`"),
        "{text}"
    );
    // The grouped `artifact` import points down: not a problem.
    assert!(
        !problems
            .iter()
            .any(|p| !p.contains("cycle") && p.contains("ArtifactKind")),
        "{text}"
    );
    // fsx → deploy plus deploy's use of fsx is a cycle too.
    assert!(text.contains("cycle"), "{text}");
}

#[test]
fn lexer_ignores_comments_strings_and_lifetimes() {
    let src = r##"
// use crate::deploy;
/* crate::vault */
fn f<'a>(x: &'a str) -> char { let _ = "crate::pack"; let _ = r#"crate::pack"#; '{' }
use crate::home::Home;
mod tests { use super::*; }
"##;
    let refs = references(Path::new("store.rs"), src, &BTreeMap::new());
    let paths: Vec<String> = refs.iter().map(|r| r.path.join("::")).collect();
    assert_eq!(paths, ["home::Home", "store"].map(String::from), "{refs:?}");
    assert_eq!(refs[0].line, 5);
}

#[test]
fn docs_show_the_same_tiers_table() {
    let doc = std::fs::read_to_string(core_dir().join("../docs/architecture.md")).unwrap();
    for tier in [Base, Models, Operations] {
        let prefix = format!("| {tier} |");
        let row = doc
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| {
                panic!("docs/architecture.md has no `{prefix} …` row in its tiers table")
            });
        let documented: BTreeSet<String> = row[prefix.len()..]
            .split('|')
            .next()
            .unwrap_or("")
            .split(',')
            .map(|m| m.trim().trim_matches('`').to_string())
            .filter(|m| !m.is_empty())
            .collect();
        let table: BTreeSet<String> = TIERS
            .iter()
            .filter(|(_, t)| *t == tier)
            .map(|(m, _)| m.to_string())
            .collect();
        assert_eq!(
            documented, table,
            "docs/architecture.md's `{tier}` row differs from TIERS in core/tests/tiers.rs"
        );
    }
}

#[test]
fn core_lists_no_protocol_crate() {
    let text = std::fs::read_to_string(core_dir().join("Cargo.toml")).unwrap();
    let manifest: toml::Table = text.parse().unwrap();
    let mut deps: Vec<String> = Vec::new();
    let mut take = |t: Option<&toml::Value>| {
        if let Some(t) = t.and_then(|t| t.as_table()) {
            deps.extend(t.keys().cloned());
        }
    };
    take(manifest.get("dependencies"));
    take(manifest.get("build-dependencies"));
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        for t in targets.values() {
            take(t.get("dependencies"));
        }
    }
    let bad: Vec<&String> = deps
        .iter()
        .filter(|d| PROTOCOL_CRATES.contains(&d.as_str()))
        .collect();
    assert!(
        bad.is_empty(),
        "core/Cargo.toml lists {bad:?}: protocol crates belong to the faces (cli, lsp, mcp-server, web), never to core"
    );
}
