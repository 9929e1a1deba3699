//! Fuzz target: a `.skillmeat-pack` is untrusted input. Whatever the bytes — a broken ZIP, a
//! hostile central directory, a manifest of any shape — `bundle verify` must return a report or
//! an error, never panic, and never write outside its own temp folder.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use skillmeat_core::Home;
use skillmeat_core::pack::{self, VerifyLimits, VerifyRequest};

/// One temp folder for the whole run: the home (never written by verify) and the pack file,
/// rewritten for every input.
fn place() -> &'static (tempfile::TempDir, PathBuf) {
    static PLACE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    PLACE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temp folder");
        let pack = dir.path().join("input.skillmeat-pack");
        (dir, pack)
    })
}

fuzz_target!(|data: &[u8]| {
    let (dir, pack_path) = place();
    std::fs::write(pack_path, data).expect("the temp pack is writable");
    let home = Home::at(dir.path().join("home"));
    let _ = pack::verify(
        &home,
        VerifyRequest {
            path: pack_path.clone(),
            // Small limits keep each input fast; the checks are the same at any size.
            limits: VerifyLimits {
                max_entries: 64,
                max_file_size: 1 << 20,
                max_total_size: 4 << 20,
                max_ratio: 200,
            },
        },
    );
});
