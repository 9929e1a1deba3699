//! The published JSON Schema of `collection.toml` (docs/collection.schema.json) must be the one
//! the Rust types generate. Run with `UPDATE_EXPECT=1` to rewrite it after changing the types.

use std::path::Path;

#[test]
fn published_collection_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/collection.schema.json");
    let generated =
        serde_json::to_string_pretty(&skillmeat_core::collection::json_schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == generated,
        "docs/collection.schema.json is stale; run `UPDATE_EXPECT=1 cargo test -p skillmeat-core --test schema`"
    );
}
