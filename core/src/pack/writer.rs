//! Writing a pack: select artifacts, hash their files, build the v2 manifest and its bundle
//! hash, sign it, and write a deterministic ZIP.
//!
//! Determinism is what lets a user (or CI) check a pack by rebuilding it: entries are sorted by
//! path with `manifest.json` first, every timestamp is 1980-01-01 00:00, modes are 0644 or 0755,
//! compression is deflate level 6, and no extra fields are written. `created_at` and `signed_at`
//! honour `SOURCE_DATE_EPOCH`. Entries compress independently, so they compress on every core.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zip::write::{SimpleFileOptions, ZipFileBuilder};
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::PackError;
use super::manifest::{
    FORMAT_V2, PackArtifact, PackDependency, PackManifest, PackSource, is_spdx_expression,
};
use crate::artifact::{ArtifactKind, FileEntry, HashError, hash_of_entries, list_files, to_hex};
use crate::collection::ops::{find_entry, resolve_collection};
use crate::collection::{ArtifactEntry, Collection};
use crate::hint::{ErrorKind, Fix, Refusal};
use crate::home::{Home, HomeError, sync_dir};
use crate::signing;

/// The one compression level packs use (zlib's default).
pub const COMPRESSION_LEVEL: i64 = 6;

/// `bundle export`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// Artifacts to export, by name or alias.
    #[serde(default)]
    pub names: Vec<String>,
    /// Export every artifact.
    #[serde(default)]
    pub all: bool,
    /// Export every artifact of this kind (with `names`, says which kind the names are).
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Export every artifact with this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// The pack file to write (replaced when it exists); an absolute path, which the MCP
    /// server requires.
    pub output: PathBuf,
    /// The pack's name (default: the collection's).
    #[serde(default)]
    pub name: Option<String>,
    /// The pack's semver version (default `0.1.0`).
    #[serde(default)]
    pub version: Option<String>,
    /// What the pack is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Who made it (default: the signing key's owner, when signing).
    #[serde(default)]
    pub author: Option<String>,
    /// An SPDX license expression (default `NOASSERTION`).
    #[serde(default)]
    pub license: Option<String>,
    /// Labels for the pack.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A web page about the pack.
    #[serde(default)]
    pub homepage: Option<String>,
    /// Its source repository.
    #[serde(default)]
    pub repository: Option<String>,
    /// Sign the pack.
    #[serde(default)]
    pub sign: bool,
    /// The key to sign with (the only own key when absent).
    #[serde(default)]
    pub key: Option<String>,
    /// Other packs this one needs, each `NAME@REQUIREMENT` (`team-base@^1.2`) or a bare `NAME`
    /// (any version); `bundle import` refuses the pack until they are imported.
    #[serde(default)]
    pub requires: Vec<String>,
}

/// What `bundle export` wrote.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ExportReport {
    /// The pack file.
    pub path: PathBuf,
    /// The pack's name.
    pub name: String,
    /// The pack's version.
    pub version: String,
    /// How many artifacts it holds.
    pub artifacts: usize,
    /// How many files it holds.
    pub files: usize,
    /// Size of the pack file in bytes.
    pub bytes: u64,
    /// Its bundle hash.
    pub bundle_hash: String,
    /// `ed25519:<key id>` when signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
}

struct Collected {
    artifact: PackArtifact,
    bytes: Vec<Vec<u8>>,
}

/// Writes a pack of the selected artifacts.
pub fn export(home: &Home, req: ExportRequest) -> Result<ExportReport, PackError> {
    let collection = resolve_collection(home, req.collection.as_deref())?;
    home.settle();
    let coll = Collection::open(home, &collection)?;
    let selected = select(&coll, &req)?;
    let version = req.version.clone().unwrap_or_else(|| "0.1.0".into());
    if semver::Version::parse(&version).is_err() {
        return Err(PackError::Refused(
            Refusal::new(
                ErrorKind::Usage,
                format!("the pack version `{version}` is not a semantic version"),
            )
            .fix(Fix::param("version").why("as MAJOR.MINOR.PATCH, such as 1.0.0")),
        ));
    }
    let license = req.license.clone().unwrap_or_else(|| "NOASSERTION".into());
    if !is_spdx_expression(&license) {
        return Err(PackError::Refused(
            Refusal::new(
                ErrorKind::Usage,
                format!("the license `{license}` is not an SPDX expression"),
            )
            .fix(Fix::param("license").why("with an SPDX id such as MIT or Apache-2.0")),
        ));
    }
    let name = req.name.clone().unwrap_or_else(|| coll.name.clone());
    crate::artifact::validate_name(&name).map_err(|e| PackError::Invalid(e.to_string()))?;
    let mut dependencies = Vec::new();
    for given in &req.requires {
        let d = PackDependency::parse(given).map_err(|problem| {
            PackError::Invalid(format!(
                "the required pack `{given}`: {problem}; write it as NAME@REQUIREMENT, such as team-base@^1.2"
            ))
        })?;
        if d.name == name {
            return Err(PackError::Invalid(format!(
                "the required pack `{given}` is this pack itself; drop it"
            )));
        }
        dependencies.push(d);
    }
    // Sorted and one per name, so the same request always hashes the same.
    dependencies.sort_by(|a, b| a.name.cmp(&b.name).then(a.version.cmp(&b.version)));
    dependencies.dedup_by(|a, b| a.name == b.name && a.version == b.version);

    let mut collected: Vec<Collected> = selected
        .par_iter()
        .map(|e| collect(&coll, e))
        .collect::<Result<_, PackError>>()?;
    collected.sort_by(|a, b| {
        (a.artifact.kind, &a.artifact.name).cmp(&(b.artifact.kind, &b.artifact.name))
    });

    let mut manifest = PackManifest {
        format: FORMAT_V2.into(),
        name,
        version,
        description: req.description.clone().unwrap_or_default(),
        author: req.author.clone().unwrap_or_default(),
        license,
        tags: req.tags.clone(),
        homepage: req.homepage.clone(),
        repository: req.repository.clone(),
        created_at: signing::timestamp_now(),
        artifacts: collected.iter().map(|c| c.artifact.clone()).collect(),
        dependencies,
        bundle_hash: String::new(),
        signature: None,
    };
    if req.sign && req.author.is_none() {
        // The signer is the natural author; look the key up before hashing, since the author
        // is covered by the bundle hash.
        let keys = signing::list(home)?;
        let pick = match &req.key {
            Some(id) => keys.own.iter().find(|k| k.key_id.starts_with(id.as_str())),
            None if keys.own.len() == 1 => keys.own.first(),
            None => None,
        };
        if let Some(k) = pick {
            manifest.author = if k.email.is_empty() {
                k.name.clone()
            } else {
                format!("{} <{}>", k.name, k.email)
            };
        }
    }
    manifest.bundle_hash = manifest.compute_bundle_hash();
    if req.sign {
        manifest.signature = Some(signing::sign_bundle(
            home,
            req.key.as_deref(),
            &manifest.bundle_hash,
        )?);
    }
    let signer = manifest
        .signature
        .as_ref()
        .map(|s| format!("ed25519:{}", s.key_id));

    // Every entry: manifest.json first, then artifact files sorted by path.
    let mut entries: Vec<(String, &[u8], bool)> = Vec::new();
    let manifest_bytes = manifest.to_bytes();
    entries.push(("manifest.json".into(), &manifest_bytes, false));
    let mut files: Vec<(String, &[u8], bool)> = Vec::new();
    for c in &collected {
        for (f, bytes) in c.artifact.files.iter().zip(&c.bytes) {
            files.push((
                format!("{}/{}", c.artifact.path, f.path),
                bytes,
                f.executable,
            ));
        }
    }
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let file_count = files.len();
    entries.extend(files);

    let bytes = write_zip(&entries).map_err(|e| {
        PackError::Invalid(format!(
            "could not build the pack archive ({e}); report this as a bug"
        ))
    })?;
    write_output(&req.output, &bytes)?;
    Ok(ExportReport {
        path: req.output.clone(),
        name: manifest.name,
        version: manifest.version,
        artifacts: collected.len(),
        files: file_count,
        bytes: bytes.len() as u64,
        bundle_hash: manifest.bundle_hash,
        signer,
    })
}

fn select(coll: &Collection, req: &ExportRequest) -> Result<Vec<ArtifactEntry>, PackError> {
    let mut keys: BTreeSet<(ArtifactKind, String)> = BTreeSet::new();
    for n in &req.names {
        let e = find_entry(coll, n, req.kind)?;
        keys.insert((e.kind, e.name.clone()));
    }
    let filtering = req.all || (req.names.is_empty() && (req.kind.is_some() || req.tag.is_some()));
    if filtering {
        for a in &coll.manifest.file.artifacts {
            let kind_ok = req.all || req.kind.is_none_or(|k| a.kind == k);
            let tag_ok = req.all || req.tag.as_ref().is_none_or(|t| a.tags.contains(t));
            if kind_ok && tag_ok {
                keys.insert((a.kind, a.name.clone()));
            }
        }
    }
    if req.names.is_empty() && !filtering {
        return Err(PackError::Refused(
            Refusal::new(ErrorKind::Usage, "nothing says which artifacts to export")
                .fix(Fix::param("names"))
                .fix(Fix::param_value("all", true))
                .fix(Fix::param("kind"))
                .fix(Fix::param("tag")),
        ));
    }
    if keys.is_empty() {
        return Err(PackError::Refused(
            Refusal::new(
                ErrorKind::NotFound,
                format!("no artifact in collection `{}` matches", coll.name),
            )
            .fix(
                Fix::op_with(
                    "list_artifacts",
                    serde_json::json!({"collection": coll.name}),
                )
                .why("to see its artifacts"),
            ),
        ));
    }
    Ok(coll
        .manifest
        .file
        .artifacts
        .iter()
        .filter(|a| keys.contains(&(a.kind, a.name.clone())))
        .cloned()
        .collect())
}

fn collect(coll: &Collection, e: &ArtifactEntry) -> Result<Collected, PackError> {
    let root = coll.artifact_path(e)?;
    let listed = list_files(&root).map_err(crate::collection::CollectionError::from)?;
    let mut files = Vec::with_capacity(listed.len());
    let mut bytes = Vec::with_capacity(listed.len());
    for (rel, path) in listed {
        let b = fs::read(&path).map_err(|source| {
            crate::collection::CollectionError::from(HashError::Io {
                path: path.clone(),
                source,
            })
        })?;
        files.push(FileEntry {
            sha256: to_hex(&Sha256::digest(&b)),
            size: b.len() as u64,
            executable: crate::fsx::is_executable(&path),
            path: rel,
        });
        bytes.push(b);
    }
    let metadata = metadata_of(e.kind, &root);
    let version = e
        .resolved_version
        .clone()
        .or_else(|| {
            e.resolved_sha
                .as_ref()
                .map(|s| s.chars().take(12).collect())
        })
        .or_else(|| {
            metadata
                .get("version")
                .and_then(|v| v.as_str())
                .map(String::from)
        })
        .unwrap_or_else(|| "unversioned".into());
    let source = PackSource {
        origin: e.origin.as_str().into(),
        upstream: e.upstream.clone(),
        resolved_sha: e.resolved_sha.clone(),
        resolved_version: e.resolved_version.clone(),
    };
    Ok(Collected {
        artifact: PackArtifact {
            kind: e.kind,
            name: e.name.clone(),
            version,
            path: format!("artifacts/{}/{}", e.kind.as_str(), e.name),
            hash: hash_of_entries(&files),
            files,
            metadata,
            source: Some(source),
        },
        bytes,
    })
}

/// The metadata a pack records for an artifact: its front matter, or for a hook the
/// `description` of `hooks.json`.
fn metadata_of(kind: ArtifactKind, root: &Path) -> serde_json::Map<String, serde_json::Value> {
    let Ok(text) = fs::read_to_string(kind.main_file(root)) else {
        return Default::default();
    };
    if kind == ArtifactKind::Hook {
        let mut m = serde_json::Map::new();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
            && let Some(d) = v.get("description")
        {
            m.insert("description".into(), d.clone());
        }
        return m;
    }
    match crate::artifact::parse_front_matter(&text) {
        Ok(Some(fm)) => fm.fields,
        _ => Default::default(),
    }
}

/// The options of every entry: deflate at the fixed level, 1980-01-01, 0644 or 0755.
fn entry_options(executable: bool) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(COMPRESSION_LEVEL))
        .last_modified_time(DateTime::default())
        .unix_permissions(crate::fsx::file_mode(executable))
}

/// Builds the ZIP bytes: entries are compressed in parallel and appended in the given order.
pub(crate) fn write_zip(entries: &[(String, &[u8], bool)]) -> zip::result::ZipResult<Vec<u8>> {
    let prepared = entries
        .par_iter()
        .map(|(name, bytes, exec)| {
            let mut b = ZipFileBuilder::new(name, entry_options(*exec))?;
            b.write_all(bytes)?;
            b.finish()
        })
        .collect::<zip::result::ZipResult<Vec<_>>>()?;
    let mut w = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for p in prepared {
        w.add_prepared_file(p)?;
    }
    Ok(w.finish()?.into_inner())
}

/// Writes the pack atomically (temp file beside it, then rename), so a failed export never
/// leaves half a pack under the requested name.
fn write_output(path: &Path, bytes: &[u8]) -> Result<(), PackError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|e| HomeError::io(&dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".pack-")
        .tempfile_in(&dir)
        .map_err(|e| HomeError::io(&dir, e))?;
    tmp.write_all(bytes).map_err(|e| HomeError::io(path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| HomeError::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path)
        .map_err(|e| HomeError::io(path, e.error))?;
    sync_dir(&dir);
    Ok(())
}
