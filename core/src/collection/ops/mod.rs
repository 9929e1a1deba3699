//! The collection operations (operations tier): one public function each, a typed request in
//! and a typed report out (`serde` + `schemars`), so the CLI, `--json`, the MCP server and the
//! web API share them.
//!
//! Writers take the home lock (which first recovers what a killed writer left), read state only
//! after holding it, and make every change to the collection one journaled transaction
//! ([`commit::Change`] over `core::txn`): artifact copies are staged inside the collection and
//! renamed into place with the manifest and lock, all or nothing, a kill included. Readers
//! settle the home first, so they never see a change half made.

mod add;
mod collections;
pub(crate) mod commit;
mod query;
mod remove;
mod status;
mod update;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use add::{AddReport, AddRequest, OnConflict, Renamed, Skipped, add};
pub use collections::{
    CollectionListReport, CollectionReport, CollectionSummary, InitReport, InitRequest,
    collection_create, collection_delete, collection_list, collection_use, init,
};
pub(crate) use commit::Change;
pub use query::{
    ArtifactDetail, ArtifactRef, ListReport, ListRequest, SearchHit, SearchReport, SearchRequest,
    find_entry, list, search, show,
};
pub use remove::{RemoveReport, RemoveRequest, remove};
pub use status::{ArtifactState, StatusItem, StatusReport, status};
pub use update::{UpdateItem, UpdateOutcome, UpdateReport, UpdateRequest, update};

pub use super::resolve_collection;
pub use crate::artifact::describe;
pub use crate::progress::{NoProgress, Progress};

use super::ArtifactEntry;
use crate::artifact::{ArtifactKind, FileEntry, HashError};
use crate::source::Origin;

/// A short description of one artifact, as `list` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactSummary {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ArtifactKind,
    /// Path relative to the collection folder.
    pub path: String,
    /// Where it came from.
    pub origin: Origin,
    /// The version it is at: a tag or branch, or a short commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Its description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Where it was fetched from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
}

impl ArtifactSummary {
    /// The summary of a manifest entry.
    pub fn of(e: &ArtifactEntry) -> ArtifactSummary {
        ArtifactSummary {
            name: e.name.clone(),
            kind: e.kind,
            path: e.path.clone(),
            origin: e.origin,
            version: e.resolved_version.clone().or_else(|| {
                e.resolved_sha
                    .as_ref()
                    .map(|s| s.chars().take(12).collect())
            }),
            description: e.description().map(str::to_string),
            tags: e.tags.clone(),
            upstream: e.upstream.clone(),
        }
    }
}

/// Copies an artifact (folder or single file) to `dst`, hashing each file as it goes; returns the
/// content hash of the copy. Symbolic links are refused.
pub fn copy_and_hash(
    src: &std::path::Path,
    dst: &std::path::Path,
) -> Result<(String, Vec<FileEntry>), super::CollectionError> {
    crate::artifact::copy_and_hash(src, dst, |_, _| Ok::<(), HashError>(()))
        .map_err(super::CollectionError::from)
}
