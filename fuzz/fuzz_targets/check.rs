//! Fuzz target for `core::check`: arbitrary bytes, read as (lossy) UTF-8, checked as every file
//! kind with an empty and a populated `Context`. The engine promises never to panic and to
//! return ranges inside the text on char boundaries, sorted, with applicable fixes — this target
//! asserts exactly that.
#![no_main]

use std::collections::{BTreeMap, BTreeSet};

use libfuzzer_sys::fuzz_target;
use skillmeat_core::check::{Context, FileKind, apply_fix, check};

fn populated() -> Context {
    Context {
        file_path: Some("/p/.claude/skills/code-review/SKILL.md".into()),
        existing_paths: Some(BTreeSet::from(["skills/code-review".to_string()])),
        lock_hashes: Some(BTreeMap::from([(
            "code-review::skill".to_string(),
            "sha256:00".to_string(),
        )])),
        actual_hashes: Some(BTreeMap::from([(
            "code-review::skill".to_string(),
            "sha256:11".to_string(),
        )])),
        mcp_servers: Some(BTreeSet::from(["github".to_string()])),
        artifacts: Some(vec![("skill".into(), "code-review".into())]),
        skill_listing_max_desc_chars: Some(100),
    }
}

fn valid(text: &str, r: &std::ops::Range<usize>) -> bool {
    r.start <= r.end
        && r.end <= text.len()
        && text.is_char_boundary(r.start)
        && text.is_char_boundary(r.end)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for ctx in [Context::default(), populated()] {
        for kind in FileKind::ALL {
            let diags = check(kind, &text, &ctx);
            let mut last = 0;
            for d in &diags {
                assert!(valid(&text, &d.range), "{kind:?}: bad range {:?}", d.range);
                assert!(d.range.start >= last, "{kind:?}: unsorted diagnostics");
                last = d.range.start;
                for f in &d.fixes {
                    for e in &f.edits {
                        assert!(
                            valid(&text, &e.range),
                            "{kind:?}: bad fix range {:?}",
                            e.range
                        );
                    }
                    // Applying a fix and checking again must not panic either.
                    let fixed = apply_fix(&text, f);
                    let _ = check(kind, &fixed, &ctx);
                }
            }
        }
    }
});
