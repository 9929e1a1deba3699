//! Reading and verifying a pack, in the order of DESIGN.md §5 Verify: archive safety (from the
//! central directory, before anything is inflated), `manifest.json`, every file's SHA-256 and
//! size, no file missing or extra, artifact hashes, `bundle_hash`, signature, then trust.
//!
//! Packs made by the Python SkillMeat 0.3 (`manifest.json` with `version: "1.0"` and no
//! `format`) are verified with that tool's own hash rules (see [`super::manifest::legacy_bundle_hash`])
//! and then handled as v2 manifests whose file hashes are computed from the verified bytes.

use std::collections::{BTreeMap, HashSet};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::manifest::{
    FORMAT_V2, LegacyManifest, PackArtifact, PackManifest, bundle_hash_of_value,
    legacy_artifact_hash, legacy_bundle_hash,
};
use super::{PackError, RATIO_EXEMPT_BELOW, VerifyLimits};
use crate::artifact::{ArtifactKind, FileEntry, hash_of_entries, to_hex, validate_name_for};
use crate::home::Home;
use crate::signing;

/// Which manifest format a pack uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PackFormat {
    /// `skillmeat-pack/2`.
    V2,
    /// The Python SkillMeat 0.3 format (`version: "1.0"`).
    Python1,
}

/// A pack whose archive, files, hashes and signature all checked out (trust not yet checked).
pub(crate) struct OpenedPack {
    pub path: PathBuf,
    pub format: PackFormat,
    /// The manifest (a Python manifest is mapped onto the v2 shape, file hashes computed).
    pub manifest: PackManifest,
    /// Inflated bytes of every artifact file, by archive entry name (empty unless asked for).
    pub contents: BTreeMap<String, Vec<u8>>,
    /// Hex SHA-256 and size of every artifact file, by archive entry name.
    pub entries: BTreeMap<String, (String, u64)>,
}

fn archive_err(path: &Path, problem: impl Into<String>) -> PackError {
    PackError::Archive {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

fn manifest_err(path: &Path, problem: impl Into<String>) -> PackError {
    PackError::Manifest {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

fn integrity_err(path: &Path, problem: impl Into<String>) -> PackError {
    PackError::Integrity {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

/// Why an entry name is unsafe, if it is.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("has an empty name");
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Some("has an absolute path");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Some("has an absolute (drive-letter) path");
    }
    if name.contains('\\') {
        return Some("has a backslash in its path");
    }
    if name.chars().any(|c| c.is_control()) {
        return Some("has a control character in its path");
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    for part in trimmed.split('/') {
        match part {
            ".." => return Some("has a `..` component that would leave the target folder"),
            "" | "." => return Some("has an empty or `.` path component"),
            _ => {}
        }
    }
    None
}

/// Archive safety: every check that needs only the central directory.
fn check_archive(path: &Path, data: &[u8], limits: &VerifyLimits) -> Result<(), PackError> {
    let not_zip = |e: zip::result::ZipError| {
        archive_err(
            path,
            format!(
                "is not a readable ZIP archive ({e}); it may be truncated or not a pack at all"
            ),
        )
    };
    let mut it =
        zip::unstable::read::ZipIterable::try_new(Cursor::new(data), zip::read::Config::default())
            .map_err(not_zip)?;
    let count = it.len() as u64;
    if count > limits.max_entries {
        return Err(archive_err(
            path,
            format!(
                "holds {count} entries, more than the limit of {}",
                limits.max_entries
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut total = 0u64;
    for entry in it.files().map_err(not_zip)? {
        let entry = entry.map_err(not_zip)?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if let Some(why) = unsafe_name(&name) {
            return Err(archive_err(path, format!("entry `{name}` {why}")));
        }
        if entry.is_symlink() {
            return Err(archive_err(
                path,
                format!("entry `{name}` is a symbolic link, which packs may not hold"),
            ));
        }
        if !seen.insert(name.clone()) {
            return Err(archive_err(
                path,
                format!("entry `{name}` appears more than once"),
            ));
        }
        let size = entry.size();
        if size > limits.max_file_size {
            return Err(archive_err(
                path,
                format!(
                    "entry `{name}` inflates to {size} bytes, more than the per-file limit of {}",
                    limits.max_file_size
                ),
            ));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_size {
            return Err(archive_err(
                path,
                format!(
                    "the entries up to `{name}` inflate to {total} bytes, more than the total limit of {}",
                    limits.max_total_size
                ),
            ));
        }
        let compressed = entry.compressed_size().max(1);
        if size >= RATIO_EXEMPT_BELOW && size / compressed > limits.max_ratio {
            return Err(archive_err(
                path,
                format!(
                    "entry `{name}` inflates {}-fold ({compressed} to {size} bytes), more than the compression-ratio limit of {}",
                    size / compressed,
                    limits.max_ratio
                ),
            ));
        }
    }
    Ok(())
}

/// Inflates one entry, never past its declared size (a lying header cannot make it bigger).
fn inflate<R: Read + std::io::Seek>(
    path: &Path,
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<Vec<u8>, PackError> {
    let mut f = archive
        .by_name(name)
        .map_err(|e| archive_err(path, format!("entry `{name}` cannot be read ({e})")))?;
    let declared = f.size();
    let mut out = Vec::with_capacity(declared.min(64 * 1024 * 1024) as usize);
    (&mut f)
        .take(declared + 1)
        .read_to_end(&mut out)
        .map_err(|e| archive_err(path, format!("entry `{name}` cannot be inflated ({e})")))?;
    if out.len() as u64 != declared {
        return Err(archive_err(
            path,
            format!(
                "entry `{name}` inflates to {} bytes but its header says {declared}",
                out.len()
            ),
        ));
    }
    Ok(out)
}

/// Opens and verifies a pack up to (not including) trust.
/// With `keep_contents` the inflated bytes are kept (to import them); verification alone
/// drops each file as soon as it is hashed.
pub(crate) fn open_pack(
    path: &Path,
    limits: &VerifyLimits,
    keep_contents: bool,
) -> Result<OpenedPack, PackError> {
    let meta =
        std::fs::metadata(path).map_err(|e| archive_err(path, format!("cannot be read ({e})")))?;
    if meta.len() > limits.max_total_size.saturating_add(64 * 1024 * 1024) {
        return Err(archive_err(
            path,
            format!(
                "is {} bytes, larger than the total size limit allows",
                meta.len()
            ),
        ));
    }
    let data =
        std::fs::read(path).map_err(|e| archive_err(path, format!("cannot be read ({e})")))?;

    // 1. Archive safety, from the central directory alone.
    check_archive(path, &data, limits)?;
    let mut archive = zip::ZipArchive::new(Cursor::new(&data[..])).map_err(|e| {
        archive_err(
            path,
            format!("is not a readable ZIP archive ({e}); it may be truncated"),
        )
    })?;

    // 2. The manifest.
    if archive.index_for_name("manifest.json").is_none() {
        return Err(manifest_err(
            path,
            "there is no manifest.json in the archive",
        ));
    }
    let mbytes = inflate(path, &mut archive, "manifest.json")?;
    let value: serde_json::Value = serde_json::from_slice(&mbytes).map_err(|e| {
        manifest_err(
            path,
            format!(
                "manifest.json:{}:{}: is not valid JSON ({e})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let format = match (value.get("format"), value.get("version")) {
        (Some(f), _) if f.as_str() == Some(FORMAT_V2) => PackFormat::V2,
        (Some(f), _) => {
            return Err(manifest_err(
                path,
                format!(
                    "manifest.json has format {f}, which this version does not read (it reads \"{FORMAT_V2}\" and the Python tool's \"1.0\"); upgrade SkillMeat"
                ),
            ));
        }
        (None, Some(v)) if v.as_str() == Some("1.0") => PackFormat::Python1,
        _ => {
            return Err(manifest_err(
                path,
                format!("manifest.json has no `format` field (expected \"{FORMAT_V2}\")"),
            ));
        }
    };

    // 3. Every other entry, inflated in parallel (each thread gets its own archive handle).
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| n != "manifest.json" && !n.ends_with('/'))
        .collect();
    // Each file is hashed right after it is inflated, on the same core, while it is hot. The
    // Python format's hash rule needs the bytes again, so they are kept for it.
    let keep = keep_contents || format == PackFormat::Python1;
    type Inflated = (String, Vec<u8>, String, u64);
    let inflated: Vec<Inflated> = names
        .par_iter()
        .map_init(
            || archive.clone(),
            |a, n| {
                inflate(path, a, n).map(|b| {
                    let sha = to_hex(&Sha256::digest(&b));
                    let size = b.len();
                    let b = if keep { b } else { Vec::new() };
                    (n.clone(), b, sha, size as u64)
                })
            },
        )
        .collect::<Result<_, PackError>>()?;
    let mut contents = BTreeMap::new();
    let mut entries = BTreeMap::new();
    for (n, b, sha, size) in inflated {
        entries.insert(n.clone(), (sha, size));
        if keep {
            contents.insert(n, b);
        }
    }

    match format {
        PackFormat::V2 => verify_v2(path, value, contents, entries),
        PackFormat::Python1 => verify_python(path, value, contents, entries),
    }
}

fn parse_typed<T: for<'de> Deserialize<'de>>(
    path: &Path,
    value: serde_json::Value,
) -> Result<T, PackError> {
    serde_json::from_value(value).map_err(|e| {
        manifest_err(
            path,
            format!("manifest.json does not match the pack format ({e})"),
        )
    })
}

fn check_artifact_identity(
    path: &Path,
    kind: ArtifactKind,
    name: &str,
    art_path: &str,
    seen: &mut HashSet<(ArtifactKind, String)>,
) -> Result<(), PackError> {
    validate_name_for(kind, name).map_err(|e| {
        manifest_err(
            path,
            format!("manifest.json names {kind} `{name}`, which is not a valid name ({e})"),
        )
    })?;
    let expected = format!("artifacts/{}/{name}", kind.as_str());
    if art_path.trim_end_matches('/') != expected {
        return Err(manifest_err(
            path,
            format!(
                "manifest.json gives {kind} `{name}` the path `{art_path}`, expected `{expected}`"
            ),
        ));
    }
    if !seen.insert((kind, name.to_string())) {
        return Err(manifest_err(
            path,
            format!("manifest.json lists {kind} `{name}` twice"),
        ));
    }
    Ok(())
}

fn check_extra(
    path: &Path,
    listed: &HashSet<String>,
    entries: &BTreeMap<String, (String, u64)>,
) -> Result<(), PackError> {
    if let Some(extra) = entries.keys().find(|k| !listed.contains(*k)) {
        return Err(integrity_err(
            path,
            format!("`{extra}` is in the archive but not listed in manifest.json"),
        ));
    }
    Ok(())
}

fn verify_v2(
    path: &Path,
    value: serde_json::Value,
    contents: BTreeMap<String, Vec<u8>>,
    entries: BTreeMap<String, (String, u64)>,
) -> Result<OpenedPack, PackError> {
    let manifest: PackManifest = parse_typed(path, value.clone())?;
    for d in &manifest.dependencies {
        super::manifest::PackDependency::parse(&format!("{}@{}", d.name, d.version))
            .map_err(|problem| manifest_err(path, format!("manifest.json dependency {problem}")))?;
    }
    let mut seen = HashSet::new();
    for a in &manifest.artifacts {
        check_artifact_identity(path, a.kind, &a.name, &a.path, &mut seen)?;
        if !a.kind.is_dir() && a.files.len() != 1 {
            return Err(manifest_err(
                path,
                format!(
                    "manifest.json gives {} `{}` {} files, but a {} is one file",
                    a.kind,
                    a.name,
                    a.files.len(),
                    a.kind
                ),
            ));
        }
    }
    // Every listed file's SHA-256 and size.
    let mut listed = HashSet::new();
    let mut missing = None;
    for a in &manifest.artifacts {
        for f in &a.files {
            let entry = format!("{}/{}", a.path, f.path);
            if let Some(why) = unsafe_name(&entry) {
                return Err(manifest_err(
                    path,
                    format!("manifest.json lists `{entry}`, which {why}"),
                ));
            }
            match entries.get(&entry) {
                Some((sha, size)) => {
                    if *sha != f.sha256 {
                        return Err(integrity_err(
                            path,
                            format!(
                                "`{entry}` has SHA-256 {sha}, but manifest.json says {}",
                                f.sha256
                            ),
                        ));
                    }
                    if *size != f.size {
                        return Err(integrity_err(
                            path,
                            format!(
                                "`{entry}` is {size} bytes, but manifest.json says {}",
                                f.size
                            ),
                        ));
                    }
                }
                None => {
                    missing.get_or_insert(entry.clone());
                }
            }
            listed.insert(entry);
        }
    }
    if let Some(entry) = missing {
        return Err(integrity_err(
            path,
            format!("`{entry}` is listed in manifest.json but missing from the archive"),
        ));
    }
    check_extra(path, &listed, &entries)?;
    for a in &manifest.artifacts {
        let h = hash_of_entries(&a.files);
        if h != a.hash {
            return Err(integrity_err(
                path,
                format!(
                    "{} `{}` has content hash {h}, but manifest.json says {}",
                    a.kind, a.name, a.hash
                ),
            ));
        }
    }
    let bundle = bundle_hash_of_value(&value);
    if bundle != manifest.bundle_hash {
        return Err(integrity_err(
            path,
            format!(
                "manifest.json hashes to {bundle}, but its bundle_hash says {}",
                manifest.bundle_hash
            ),
        ));
    }
    if let Some(sig) = &manifest.signature {
        signing::check_signature(sig, &manifest.bundle_hash).map_err(|problem| {
            PackError::Signature {
                path: path.to_path_buf(),
                problem,
            }
        })?;
    }
    Ok(OpenedPack {
        path: path.to_path_buf(),
        format: PackFormat::V2,
        manifest,
        contents,
        entries,
    })
}

fn verify_python(
    path: &Path,
    value: serde_json::Value,
    contents: BTreeMap<String, Vec<u8>>,
    entries: BTreeMap<String, (String, u64)>,
) -> Result<OpenedPack, PackError> {
    let legacy: LegacyManifest = parse_typed(path, value.clone())?;
    let mut seen = HashSet::new();
    let mut listed = HashSet::new();
    let mut artifacts = Vec::new();
    for a in &legacy.artifacts {
        let kind: ArtifactKind = a.kind.parse().map_err(|e: crate::artifact::UnknownKind| {
            manifest_err(path, format!("manifest.json: artifact `{}`: {e}", a.name))
        })?;
        check_artifact_identity(path, kind, &a.name, &a.path, &mut seen)?;
        let base = a.path.trim_end_matches('/');
        let mut files = Vec::new();
        let mut pairs = Vec::new();
        let mut sorted = a.files.clone();
        sorted.sort();
        for rel in &sorted {
            let entry = format!("{base}/{rel}");
            if let Some(why) = unsafe_name(&entry) {
                return Err(manifest_err(
                    path,
                    format!("manifest.json lists `{entry}`, which {why}"),
                ));
            }
            let bytes = contents.get(&entry).ok_or_else(|| {
                integrity_err(
                    path,
                    format!("`{entry}` is listed in manifest.json but missing from the archive"),
                )
            })?;
            files.push(FileEntry {
                path: rel.clone(),
                sha256: entries[&entry].0.clone(),
                size: bytes.len() as u64,
                executable: false,
            });
            pairs.push((rel.as_str(), bytes.as_slice()));
            listed.insert(entry);
        }
        if !kind.is_dir() && files.len() != 1 {
            return Err(manifest_err(
                path,
                format!(
                    "manifest.json gives {kind} `{}` {} files, but a {kind} is one file",
                    a.name,
                    files.len()
                ),
            ));
        }
        let h = legacy_artifact_hash(pairs);
        if h != a.hash {
            return Err(integrity_err(
                path,
                format!(
                    "{kind} `{}` has content hash {h}, but manifest.json says {}",
                    a.name, a.hash
                ),
            ));
        }
        artifacts.push(PackArtifact {
            kind,
            name: a.name.clone(),
            version: a.version.clone().unwrap_or_else(|| "unversioned".into()),
            path: base.to_string(),
            hash: hash_of_entries(&files),
            files,
            metadata: a.metadata.clone(),
            source: None,
        });
    }
    check_extra(path, &listed, &entries)?;
    let bundle = legacy_bundle_hash(&value);
    if bundle != legacy.bundle_hash {
        return Err(integrity_err(
            path,
            format!(
                "manifest.json hashes to {bundle} by the Python tool's rule, but its bundle_hash says {}",
                legacy.bundle_hash
            ),
        ));
    }
    let manifest = PackManifest {
        format: "python-1.0".into(),
        name: legacy.name,
        version: "1.0.0".into(),
        description: legacy.description,
        author: legacy.author,
        license: legacy.license,
        tags: legacy.tags,
        homepage: None,
        repository: None,
        created_at: legacy.created_at,
        artifacts,
        dependencies: Vec::new(),
        bundle_hash: legacy.bundle_hash,
        signature: None,
    };
    Ok(OpenedPack {
        path: path.to_path_buf(),
        format: PackFormat::Python1,
        manifest,
        contents,
        entries,
    })
}

// ---------------------------------------------------------------- verify / inspect

/// `bundle verify`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The pack file.
    pub path: PathBuf,
    /// Archive limits.
    #[serde(default)]
    pub limits: VerifyLimits,
}

/// The signature state of a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum SignatureStatus {
    /// No signature.
    Unsigned,
    /// Signed by a key in `keys/trusted.toml`.
    Trusted {
        /// `ed25519:<key id>`.
        signer: String,
        /// The signer's name and e-mail.
        who: String,
    },
    /// Signed (validly) by a key that is not trusted.
    Untrusted {
        /// `ed25519:<key id>`.
        signer: String,
        /// The signer's name and e-mail.
        who: String,
    },
}

/// What `bundle verify` found (only returned when every check passed).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct VerifyReport {
    /// The pack file.
    pub path: PathBuf,
    /// Its manifest format.
    pub format: PackFormat,
    /// The pack's name.
    pub name: String,
    /// The pack's version.
    pub version: String,
    /// How many artifacts it holds.
    pub artifacts: usize,
    /// How many files.
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// Its bundle hash.
    pub bundle_hash: String,
    /// Its signature state.
    pub signature: SignatureStatus,
}

pub(crate) fn who(sig: &signing::PackSignature) -> String {
    match (sig.signer.name.is_empty(), sig.signer.email.is_empty()) {
        (false, false) => format!("{} <{}>", sig.signer.name, sig.signer.email),
        (false, true) => sig.signer.name.clone(),
        (true, false) => format!("<{}>", sig.signer.email),
        (true, true) => "no name given".into(),
    }
}

pub(crate) fn signature_status(
    home: &Home,
    m: &PackManifest,
) -> Result<SignatureStatus, PackError> {
    Ok(match &m.signature {
        None => SignatureStatus::Unsigned,
        Some(s) => {
            let signer = format!("ed25519:{}", s.key_id);
            if signing::is_trusted(home, &s.key_id, &s.public_key)? {
                SignatureStatus::Trusted {
                    signer,
                    who: who(s),
                }
            } else {
                SignatureStatus::Untrusted {
                    signer,
                    who: who(s),
                }
            }
        }
    })
}

/// Verifies a pack completely, trust included: an untrusted signer is an error.
pub fn verify(home: &Home, req: VerifyRequest) -> Result<VerifyReport, PackError> {
    let p = open_pack(&req.path, &req.limits, false)?;
    let signature = signature_status(home, &p.manifest)?;
    if let (SignatureStatus::Untrusted { who, .. }, Some(s)) = (&signature, &p.manifest.signature) {
        return Err(PackError::Untrusted {
            path: p.path.clone(),
            key_id: s.key_id.clone(),
            signer: who.clone(),
        });
    }
    Ok(VerifyReport {
        path: p.path.clone(),
        format: p.format,
        name: p.manifest.name.clone(),
        version: p.manifest.version.clone(),
        artifacts: p.manifest.artifacts.len(),
        files: p.entries.len(),
        bytes: p.entries.values().map(|(_, size)| size).sum(),
        bundle_hash: p.manifest.bundle_hash.clone(),
        signature,
    })
}

/// `bundle inspect`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectRequest {
    /// The pack file.
    pub path: PathBuf,
    /// Archive limits.
    #[serde(default)]
    pub limits: VerifyLimits,
}

/// One artifact in `bundle inspect`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct InspectArtifact {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its content hash.
    pub hash: String,
    /// Its description, from its metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its files.
    pub files: Vec<FileEntry>,
}

/// What a pack holds.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct InspectReport {
    /// The pack file.
    pub path: PathBuf,
    /// Its manifest format.
    pub format: PackFormat,
    /// The pack's name.
    pub name: String,
    /// The pack's version.
    pub version: String,
    /// What it is for.
    pub description: String,
    /// Who made it.
    pub author: String,
    /// Its license.
    pub license: String,
    /// Its labels.
    pub tags: Vec<String>,
    /// When it was made.
    pub created_at: String,
    /// Its bundle hash.
    pub bundle_hash: String,
    /// Its signature state.
    pub signature: SignatureStatus,
    /// Its artifacts.
    pub artifacts: Vec<InspectArtifact>,
    /// Other packs it needs (`bundle import` refuses it until they are imported).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<super::manifest::PackDependency>,
}

/// Reads a pack's manifest after verifying it (every check but trust, which is reported).
pub fn inspect(home: &Home, req: InspectRequest) -> Result<InspectReport, PackError> {
    let p = open_pack(&req.path, &req.limits, false)?;
    let signature = signature_status(home, &p.manifest)?;
    let m = p.manifest;
    Ok(InspectReport {
        path: p.path,
        format: p.format,
        artifacts: m
            .artifacts
            .into_iter()
            .map(|a| InspectArtifact {
                description: a
                    .metadata
                    .get("description")
                    .and_then(|d| d.as_str())
                    .map(String::from),
                kind: a.kind,
                name: a.name,
                version: a.version,
                hash: a.hash,
                files: a.files,
            })
            .collect(),
        name: m.name,
        version: m.version,
        description: m.description,
        author: m.author,
        license: m.license,
        tags: m.tags,
        created_at: m.created_at,
        bundle_hash: m.bundle_hash,
        signature,
        dependencies: m.dependencies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names() {
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "C:/x",
            "a\\b",
            "a//b",
            "./a",
            "",
        ] {
            assert!(unsafe_name(bad).is_some(), "{bad:?}");
        }
        for ok in [
            "manifest.json",
            "artifacts/skill/a/SKILL.md",
            "artifacts/skill/a/",
        ] {
            assert!(unsafe_name(ok).is_none(), "{ok:?}");
        }
    }
}
