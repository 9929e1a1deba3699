//! Data-driven tests of the check engine.
//!
//! Every file under `tests/check_fixtures/<file-kind>/` (except `*.expected` and `*.ctx.json`)
//! is checked as that kind, with the `Context` from `<case>.ctx.json` when present, and the
//! diagnostics are compared with `<file>.expected`: one line per diagnostic,
//! `line:col-line:col severity code message`, 1-based, columns in characters, followed by
//! ` [fix: <title>]` when the diagnostic has a fix. `UPDATE_EXPECT=1` rewrites the expected
//! files (review the diff before committing).
//!
//! For every diagnostic with a fix, the first fix is applied and the result re-checked: the
//! diagnostic must be gone at that place (same code, same message, at the mapped offset — two
//! different findings may share a code and a place, e.g. two missing keys), and a fix must never introduce a syntax error.
//! A second test checks every prefix of every fixture, at each char boundary, for panics and
//! for ranges that leave the text or split a character.

use std::fs;
use std::path::{Path, PathBuf};

use skillmeat_core::check::text::LineIndex;
use skillmeat_core::check::{self, Context, Diagnostic, FileKind, apply_fix};

const SYNTAX_CODES: &[&str] = &[
    "syntax-error",
    "json-comment",
    "trailing-comma",
    "unclosed-front-matter",
];

struct Fixture {
    kind: FileKind,
    path: PathBuf,
    ctx: Context,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_fixtures")
}

fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    let mut dirs: Vec<_> = fs::read_dir(root())
        .expect("fixtures folder")
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        if !dir.is_dir() {
            continue; // README.md
        }
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let kind = FileKind::from_name(&name)
            .unwrap_or_else(|| panic!("fixture folder {name} is not a file kind"));
        let mut files: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            if file.ends_with(".expected") || file.ends_with(".ctx.json") {
                continue;
            }
            let case = file.rsplit_once('.').map_or(file.as_str(), |(c, _)| c);
            let ctx_path = dir.join(format!("{case}.ctx.json"));
            let ctx = if ctx_path.exists() {
                serde_json::from_str(&fs::read_to_string(&ctx_path).unwrap())
                    .unwrap_or_else(|e| panic!("{}: {e}", ctx_path.display()))
            } else {
                Context::default()
            };
            out.push(Fixture { kind, path, ctx });
        }
    }
    out
}

fn render(text: &str, diags: &[Diagnostic]) -> String {
    let idx = LineIndex::new(text);
    let mut out = String::new();
    for d in diags {
        let (l1, c1) = idx.position_chars(d.range.start);
        let (l2, c2) = idx.position_chars(d.range.end);
        out.push_str(&format!(
            "{}:{}-{}:{} {} {} {}",
            l1 + 1,
            c1 + 1,
            l2 + 1,
            c2 + 1,
            d.severity.as_str(),
            d.code,
            d.message
        ));
        if let Some(f) = d.fixes.first() {
            out.push_str(&format!(" [fix: {}]", f.title));
        }
        out.push('\n');
    }
    out
}

/// Where `offset` of the old text lands after the fix's edits.
fn map_offset(offset: usize, fix: &check::Fix) -> usize {
    let mut delta: isize = 0;
    for e in &fix.edits {
        if e.range.end <= offset && !(e.range.is_empty() && e.range.start == offset) {
            delta += e.new_text.len() as isize - e.range.len() as isize;
        } else if e.range.start < offset {
            return (e.range.start as isize + delta) as usize;
        }
    }
    (offset as isize + delta) as usize
}

fn assert_valid_ranges(text: &str, diags: &[Diagnostic], what: &str) {
    let ok = |r: &std::ops::Range<usize>| {
        r.start <= r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end)
    };
    let mut last = 0;
    for d in diags {
        assert!(
            ok(&d.range),
            "{what}: bad range {:?} for {}",
            d.range,
            d.code
        );
        assert!(d.range.start >= last, "{what}: diagnostics not sorted");
        last = d.range.start;
        assert!(!d.message.is_empty(), "{what}: empty message");
        assert!(
            d.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{what}: code {} is not kebab-case",
            d.code
        );
        for f in &d.fixes {
            let mut end = 0;
            for e in &f.edits {
                assert!(ok(&e.range), "{what}: bad fix range {:?}", e.range);
                assert!(e.range.start >= end, "{what}: overlapping fix edits");
                end = e.range.end;
            }
        }
    }
}

#[test]
fn fixtures_match_expected() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let fixtures = fixtures();
    for fx in &fixtures {
        let text = fs::read_to_string(&fx.path).unwrap();
        let diags = check::check(fx.kind, &text, &fx.ctx);
        let what = fx.path.display().to_string();
        assert_valid_ranges(&text, &diags, &what);
        let got = render(&text, &diags);
        let expected_path = PathBuf::from(format!("{}.expected", fx.path.display()));
        if update {
            fs::write(&expected_path, &got).unwrap();
        } else {
            let want = fs::read_to_string(&expected_path).unwrap_or_default();
            if want != got {
                failures.push(format!("{what}\n--- expected\n{want}--- got\n{got}"));
            }
        }
        let had_syntax = diags.iter().any(|d| SYNTAX_CODES.contains(&d.code));
        for d in &diags {
            let Some(fix) = d.fixes.first() else { continue };
            let fixed = apply_fix(&text, fix);
            let after = check::check(fx.kind, &fixed, &fx.ctx);
            assert_valid_ranges(&fixed, &after, &what);
            let at = map_offset(d.range.start, fix);
            if let Some(still) = after
                .iter()
                .find(|a| a.code == d.code && a.range.start == at && a.message == d.message)
            {
                failures.push(format!(
                    "{what}: fix `{}` for {} did not remove it: {}\n{fixed}",
                    fix.title, d.code, still.message
                ));
            }
            if !had_syntax && let Some(s) = after.iter().find(|a| SYNTAX_CODES.contains(&a.code)) {
                failures.push(format!(
                    "{what}: fix `{}` for {} broke the syntax: {}\n{fixed}",
                    fix.title, d.code, s.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(fixtures.len() >= 40, "only {} fixtures", fixtures.len());
}

#[test]
fn every_rule_has_a_fixture() {
    let mut seen = std::collections::BTreeSet::new();
    let mut clean = 0;
    for fx in fixtures() {
        let text = fs::read_to_string(&fx.path).unwrap();
        let diags = check::check(fx.kind, &text, &fx.ctx);
        if diags.is_empty() {
            clean += 1;
        }
        seen.extend(diags.iter().map(|d| d.code));
    }
    let missing: Vec<_> = check::rule_codes()
        .iter()
        .map(|r| r.code)
        .filter(|c| !seen.contains(c))
        .collect();
    assert!(missing.is_empty(), "rules without a fixture: {missing:?}");
    let undocumented: Vec<_> = seen
        .iter()
        .filter(|c| check::rule_codes().iter().all(|r| r.code != **c))
        .collect();
    assert!(
        undocumented.is_empty(),
        "codes missing from rule_codes(): {undocumented:?}"
    );
    assert!(clean >= 9, "only {clean} clean fixtures");
}

#[test]
fn no_panic_on_any_prefix() {
    let mut runs = 0usize;
    for fx in fixtures() {
        let text = fs::read_to_string(&fx.path).unwrap();
        let what = fx.path.display().to_string();
        for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let prefix = &text[..i];
            let diags = check::check(fx.kind, prefix, &fx.ctx);
            assert_valid_ranges(prefix, &diags, &format!("{what}[..{i}]"));
            runs += 1;
        }
        for kind in FileKind::ALL {
            let diags = check::check(kind, &text, &fx.ctx);
            assert_valid_ranges(&text, &diags, &format!("{what} as {}", kind.as_str()));
        }
    }
    // Every char boundary of every fixture was tried (a guard against an empty walk).
    assert!(runs > 10_000, "only {runs} prefixes checked");
}

/// A deterministic stand-in for fuzzing on stable: every fixture, mutated a few hundred times at
/// pseudo-random places with the characters that matter to the parsers (quotes, brackets,
/// separators, line breaks, multi-byte text), checked as its own kind.
#[test]
fn no_panic_on_mutations() {
    const PIECES: &[&str] = &[
        "\"",
        "'",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "=",
        "\n",
        "---\n",
        "#",
        "//",
        "/*",
        "\\",
        "é",
        "😀",
        "\u{0}",
        "\r\n",
        " ",
        "-",
        "::",
        "(",
        ")",
        "${",
        "mcp__",
        "[[artifacts]]\n",
        "\t",
        "*/",
        "\n/* a\n b */",
        "\"\"\"",
        "\'\'\'",
    ];
    let mut seed: u64 = 0x5eed_cafe_f00d_d00d;
    let mut next = move || {
        // xorshift64*: tiny, deterministic, good enough to pick places and pieces.
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        seed.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    // `CHECK_MUTATIONS=20000` searches much longer, locally.
    let rounds: usize = std::env::var("CHECK_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let mut runs = 0usize;
    for fx in fixtures() {
        let original = fs::read_to_string(&fx.path).unwrap();
        for _ in 0..rounds {
            let mut text = original.clone();
            for _ in 0..(1 + next() % 4) {
                let bounds: Vec<usize> = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([text.len()])
                    .collect();
                let at = bounds[(next() as usize) % bounds.len()];
                let piece = PIECES[(next() as usize) % PIECES.len()];
                if next() % 3 == 0 {
                    // Delete a few chars instead of inserting.
                    let end_idx = bounds
                        .iter()
                        .position(|&b| b == at)
                        .map_or(bounds.len() - 1, |p| {
                            (p + 1 + (next() as usize) % 3).min(bounds.len() - 1)
                        });
                    text.replace_range(at..bounds[end_idx], "");
                } else {
                    text.insert_str(at, piece);
                }
            }
            let diags = check::check(fx.kind, &text, &fx.ctx);
            assert_valid_ranges(
                &text,
                &diags,
                &format!("mutated {}:\n{text}", fx.path.display()),
            );
            if runs.is_multiple_of(10) {
                for kind in FileKind::ALL {
                    let other = check::check(kind, &text, &fx.ctx);
                    assert_valid_ranges(&text, &other, &format!("mutated, as {}", kind.as_str()));
                }
            }
            for d in &diags {
                if let Some(f) = d.fixes.first() {
                    let fixed = apply_fix(&text, f);
                    let after = check::check(fx.kind, &fixed, &fx.ctx);
                    assert_valid_ranges(&fixed, &after, "after fix");
                }
            }
            runs += 1;
        }
    }
    assert!(runs > 1_000);
}
