//! Fuzz target: the file-format parsers (collection.toml, collection.lock, YAML front matter) and
//! the source-spec parser must return a value or an error for any input, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skillmeat_core::collection::{Lock, Manifest};
use skillmeat_core::source::SourceSpec;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Manifest::parse("collection.toml".into(), &text);
    let _ = Lock::parse("collection.lock".into(), &text);
    let _ = skillmeat_core::artifact::parse_front_matter(&text);
    let _ = SourceSpec::parse(&text, std::path::Path::new("/nonexistent"));
});
