//! `.skillmeat-pack` files (DESIGN.md §5): a deterministic ZIP of `manifest.json` and
//! `artifacts/<kind>/<name>/<file>`. This module owns the format: [`export`] writes packs,
//! [`verify`] and [`inspect`] read them, [`import`] brings their artifacts into a collection.
//!
//! Reading never trusts the archive: every safety check (paths, links, duplicates, counts,
//! sizes, compression ratios) runs on the central directory before a byte is inflated, inflated
//! bytes are capped at the declared sizes, and nothing is written anywhere until every check of
//! §5 Verify has passed.

mod import;
pub mod manifest;
mod reader;
mod writer;

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use import::{ImportAction, ImportItem, ImportReport, ImportRequest, Strategy, import};
pub use manifest::{
    FORMAT_V2, LegacyManifest, PackArtifact, PackDependency, PackManifest, PackSource,
    bundle_hash_of_value,
};
pub use reader::PackFormat;
pub(crate) use reader::open_pack;
pub use reader::{
    InspectArtifact, InspectReport, InspectRequest, SignatureStatus, VerifyReport, VerifyRequest,
    inspect, verify,
};
pub use writer::{ExportReport, ExportRequest, export};

use crate::collection::CollectionError;
use crate::home::HomeError;
use crate::signing::SigningError;

/// The file extension of packs.
pub const EXTENSION: &str = "skillmeat-pack";

/// Everything that can go wrong with a pack. Each message is one sentence naming the pack file,
/// the entry and what differed.
#[derive(Debug, Error)]
pub enum PackError {
    /// The archive is unreadable or unsafe (checked before anything is inflated or written).
    #[error("{path}: {problem}; the pack is refused and nothing was written")]
    Archive { path: PathBuf, problem: String },
    /// `manifest.json` is missing, not JSON, or lacks or misstates fields.
    #[error("{path}: {problem}; the pack must be exported again")]
    Manifest { path: PathBuf, problem: String },
    /// A file, an artifact hash or the bundle hash does not match the manifest.
    #[error("{path}: {problem}, so the pack was altered after it was made and is refused")]
    Integrity { path: PathBuf, problem: String },
    /// The signature does not verify.
    #[error("{path}: the signature {problem}, so the pack is refused")]
    Signature { path: PathBuf, problem: String },
    /// The signer is not in `keys/trusted.toml`.
    #[error("{path} is signed by key {key_id} ({signer}), which is not trusted")]
    Untrusted {
        path: PathBuf,
        key_id: String,
        signer: String,
    },
    /// A pack for an artifact pinned to one signer is signed by another (or unsigned).
    #[error(
        "{kind} `{name}` in collection `{collection}` is pinned to signer {pinned}, but {path} is {got}, so it is not replaced (signer-change guard)"
    )]
    SignerChanged {
        path: PathBuf,
        kind: crate::ArtifactKind,
        name: String,
        collection: String,
        pinned: String,
        got: String,
    },
    /// The pack needs another pack the collection has not imported.
    #[error(
        "{path} needs pack `{name}` {version}, but collection `{collection}` {found}; import that pack first"
    )]
    MissingDependency {
        path: PathBuf,
        name: String,
        version: String,
        collection: String,
        found: String,
    },
    /// A request that cannot be carried out as asked.
    #[error("{0}")]
    Invalid(String),
    /// A refusal with its next steps.
    #[error(transparent)]
    Refused(crate::hint::Refusal),
    #[error(transparent)]
    Collection(#[from] CollectionError),
    #[error(transparent)]
    Signing(#[from] SigningError),
    #[error(transparent)]
    Home(#[from] HomeError),
    #[error(transparent)]
    Snapshot(Box<crate::snapshot::SnapshotError>),
}

impl crate::hint::Hinted for PackError {
    fn kind(&self) -> crate::hint::ErrorKind {
        use crate::hint::ErrorKind as K;
        match self {
            PackError::Archive { .. }
            | PackError::Manifest { .. }
            | PackError::Integrity { .. }
            | PackError::Signature { .. } => K::Invalid,
            PackError::Untrusted { .. }
            | PackError::SignerChanged { .. }
            | PackError::MissingDependency { .. } => K::Refused,
            PackError::Invalid(_) => K::Usage,
            PackError::Refused(r) => r.kind,
            PackError::Collection(e) => e.kind(),
            PackError::Signing(e) => e.kind(),
            PackError::Home(e) => e.kind(),
            PackError::Snapshot(e) => e.kind(),
        }
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        use crate::hint::Fix;
        use serde_json::json;
        match self {
            PackError::Untrusted { .. } => {
                vec![
                    Fix::param_value("trust_signer", true)
                        .why("to trust it (check the key with its owner first)"),
                ]
            }
            PackError::SignerChanged {
                kind,
                name,
                collection,
                ..
            } => vec![
                Fix::op_with(
                    "remove_artifact",
                    json!({"collection": collection, "name": name, "kind": kind}),
                )
                .why("first"),
                Fix::param_value("strategy", "fork").why("to add the pack's copy beside it"),
                Fix::param_value("strategy", "skip").why("to keep the collection's"),
            ],
            PackError::MissingDependency { .. } => {
                vec![Fix::param_value("ignore_dependencies", true).why("to import it anyway")]
            }
            PackError::Refused(r) => r.fixes.clone(),
            PackError::Collection(e) => e.fixes(),
            PackError::Signing(e) => e.fixes(),
            PackError::Home(e) => e.fixes(),
            PackError::Snapshot(e) => e.fixes(),
            _ => Vec::new(),
        }
    }
}

impl From<crate::snapshot::SnapshotError> for PackError {
    fn from(e: crate::snapshot::SnapshotError) -> Self {
        PackError::Snapshot(Box::new(e))
    }
}

/// Limits applied to an archive before anything in it is inflated. The defaults suit real packs;
/// tests and cautious users lower them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VerifyLimits {
    /// Most entries an archive may hold.
    pub max_entries: u64,
    /// Largest size of one file, inflated, in bytes.
    pub max_file_size: u64,
    /// Largest size of all files together, inflated, in bytes.
    pub max_total_size: u64,
    /// Highest inflated/compressed ratio of one entry (entries under 4 KiB inflated are exempt,
    /// since tiny files compress by odd ratios).
    pub max_ratio: u64,
}

impl Default for VerifyLimits {
    fn default() -> Self {
        VerifyLimits {
            max_entries: 50_000,
            max_file_size: 64 * 1024 * 1024,
            max_total_size: 1024 * 1024 * 1024,
            max_ratio: 200,
        }
    }
}

/// Inflated size under which the compression-ratio limit does not apply.
pub const RATIO_EXEMPT_BELOW: u64 = 4096;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Home;
    use crate::collection::ops::{self, AddRequest, NoProgress, OnConflict};
    use std::fs;

    fn home_with_artifacts(dir: &std::path::Path) -> Home {
        let src = dir.join("src");
        fs::create_dir_all(src.join("skills/tidy/scripts")).unwrap();
        fs::write(
            src.join("skills/tidy/SKILL.md"),
            "---\nname: tidy\ndescription: Tidies.\n---\nBody\n",
        )
        .unwrap();
        fs::write(src.join("skills/tidy/scripts/run.sh"), "#!/bin/sh\necho\n").unwrap();
        fs::create_dir_all(src.join("commands")).unwrap();
        fs::write(
            src.join("commands/go.md"),
            "---\ndescription: Go.\n---\nGo\n",
        )
        .unwrap();
        let home = Home::at(dir.join("home"));
        ops::add(
            &home,
            AddRequest {
                collection: None,
                source: src.display().to_string(),
                cwd: None,
                name: None,
                kind: None,
                tags: vec![],
                on_conflict: OnConflict::Fail,
                dry_run: false,
            },
            &NoProgress,
        )
        .unwrap();
        home
    }

    fn export_to(home: &Home, out: &std::path::Path) -> ExportReport {
        export(
            home,
            ExportRequest {
                all: true,
                output: out.to_path_buf(),
                ..Default::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn export_is_deterministic_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let home = home_with_artifacts(dir.path());
        let (a, b) = (dir.path().join("a.pack"), dir.path().join("b.pack"));
        let r = export_to(&home, &a);
        export_to(&home, &b);
        assert_eq!(r.artifacts, 2);
        assert_eq!(r.files, 3);
        let v = verify(
            &home,
            VerifyRequest {
                path: a.clone(),
                limits: VerifyLimits::default(),
            },
        )
        .unwrap();
        assert_eq!(v.bundle_hash, r.bundle_hash);
        assert_eq!(v.signature, SignatureStatus::Unsigned);
        // The two differ at most in `created_at` (outside the bundle hash; the end-to-end tests
        // pin it with SOURCE_DATE_EPOCH and compare bytes): everything else is equal.
        let m = |p: &std::path::Path| {
            let mut o = open_pack(p, &VerifyLimits::default(), true).unwrap();
            o.manifest.created_at.clear();
            (o.manifest, o.contents)
        };
        assert_eq!(m(&a), m(&b));
    }

    #[test]
    fn the_zip_writer_is_deterministic_with_fixed_headers() {
        let entries: Vec<(String, &[u8], bool)> = vec![
            ("manifest.json".into(), b"{}", false),
            ("artifacts/hook/h/run.sh".into(), b"#!/bin/sh\n", true),
        ];
        let one = writer::write_zip(&entries).unwrap();
        assert_eq!(one, writer::write_zip(&entries).unwrap());
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&one)).unwrap();
        let f = z.by_index(0).unwrap();
        assert_eq!(f.name().unwrap(), "manifest.json");
        assert_eq!(f.last_modified(), Some(zip::DateTime::default()));
        assert_eq!(f.unix_mode().map(|m| m & 0o777), Some(0o644));
        assert!(f.extra_data().is_none_or(|d| d.is_empty()));
        drop(f);
        let f = z.by_index(1).unwrap();
        assert_eq!(f.unix_mode().map(|m| m & 0o777), Some(0o755));
        assert_eq!(f.compression(), zip::CompressionMethod::Deflated);
    }

    #[test]
    fn a_changed_manifest_field_breaks_the_bundle_hash() {
        let dir = tempfile::tempdir().unwrap();
        let home = home_with_artifacts(dir.path());
        let a = dir.path().join("a.pack");
        export_to(&home, &a);
        let p = open_pack(&a, &VerifyLimits::default(), true).unwrap();
        let mut v = serde_json::to_value(&p.manifest).unwrap();
        assert_eq!(bundle_hash_of_value(&v), p.manifest.bundle_hash);
        v["description"] = "changed".into();
        assert_ne!(bundle_hash_of_value(&v), p.manifest.bundle_hash);
        v["description"] = "".into();
        v["created_at"] = "1999-01-01T00:00:00Z".into();
        assert_eq!(bundle_hash_of_value(&v), p.manifest.bundle_hash);
    }
}
