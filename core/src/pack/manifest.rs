//! `manifest.json` of a `.skillmeat-pack` (DESIGN.md §5): the v2 format this version writes,
//! the Python SkillMeat 0.3 format (`version: "1.0"`, no `format`) it still reads, and the
//! bundle hashes of both.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::artifact::{ArtifactKind, FileEntry, to_hex};
use crate::signing::PackSignature;

/// The `format` value of a v2 manifest.
pub const FORMAT_V2: &str = "skillmeat-pack/2";

/// Where an artifact in a pack came from (its collection entry's provenance).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct PackSource {
    /// local | github | git | marketplace | pack.
    pub origin: String,
    /// Where it was fetched from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// The commit it was fetched at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_sha: Option<String>,
    /// The tag or branch it was fetched at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_version: Option<String>,
}

/// One artifact of a v2 pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PackArtifact {
    /// skill | command | agent | hook.
    pub kind: ArtifactKind,
    /// Its name (a safe path component).
    pub name: String,
    /// Its version: the resolved tag, else a short commit, else its front matter `version`,
    /// else `unversioned`.
    pub version: String,
    /// Its folder inside the archive: `artifacts/<kind>/<name>`.
    pub path: String,
    /// Its files, sorted by path, relative to `path`.
    pub files: Vec<FileEntry>,
    /// The content hash of DESIGN.md §2.1 over `files`.
    pub hash: String,
    /// Its front matter (or `hooks.json` description), as JSON.
    #[serde(default)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<PackSource>,
}

/// Another pack this one needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PackDependency {
    /// The pack's name.
    pub name: String,
    /// A semver requirement (`^1.2`, `>=1, <3`, `*`).
    pub version: String,
}

impl PackDependency {
    /// Parses `NAME@REQUIREMENT` (or a bare `NAME`, meaning any version), as given to
    /// `bundle export --requires`. Returns what is wrong, as a phrase, when it cannot.
    pub fn parse(text: &str) -> Result<PackDependency, String> {
        let (name, req) = match text.split_once('@') {
            Some((n, r)) => (n.trim(), r.trim()),
            None => (text.trim(), "*"),
        };
        crate::artifact::validate_name(name).map_err(|_| format!("`{name}` is not a pack name"))?;
        semver::VersionReq::parse(req)
            .map_err(|e| format!("`{req}` is not a semver requirement ({e})"))?;
        Ok(PackDependency {
            name: name.into(),
            version: req.into(),
        })
    }

    /// Whether `version` (a pack version) satisfies this requirement.
    pub fn matches(&self, version: &str) -> bool {
        match (
            semver::VersionReq::parse(&self.version),
            semver::Version::parse(version),
        ) {
            (Ok(r), Ok(v)) => r.matches(&v),
            _ => false,
        }
    }
}

/// `manifest.json`, format `skillmeat-pack/2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PackManifest {
    /// Always `skillmeat-pack/2`.
    pub format: String,
    /// The pack's name.
    pub name: String,
    /// The pack's version (semver).
    pub version: String,
    /// What the pack is for.
    pub description: String,
    /// Who made it.
    pub author: String,
    /// An SPDX license expression (`MIT`, `Apache-2.0 OR MIT`, `NOASSERTION`).
    pub license: String,
    /// Labels.
    pub tags: Vec<String>,
    /// A web page about the pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// Its source repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// When it was made (informational; honours `SOURCE_DATE_EPOCH`; not covered by the hash).
    pub created_at: String,
    /// The artifacts, sorted by kind then name.
    pub artifacts: Vec<PackArtifact>,
    /// Other packs this one needs.
    pub dependencies: Vec<PackDependency>,
    /// `sha256:` + SHA-256 of the RFC 8785 canonical JSON of this manifest without
    /// `bundle_hash`, `signature` and `created_at`.
    pub bundle_hash: String,
    /// The Ed25519 signature of `"skillmeat-pack/2\n" + bundle_hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<PackSignature>,
}

/// The bundle hash of a v2 manifest given as JSON: JCS (RFC 8785) of the object without
/// `bundle_hash`, `signature` and `created_at`. Taking the JSON as parsed (not the typed
/// struct) means a field this version does not know is still covered.
pub fn bundle_hash_of_value(manifest: &serde_json::Value) -> String {
    let mut v = manifest.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("bundle_hash");
        o.remove("signature");
        o.remove("created_at");
    }
    let canonical = serde_json_canonicalizer::to_vec(&v).unwrap_or_default();
    format!("sha256:{}", to_hex(&Sha256::digest(&canonical)))
}

impl PackManifest {
    /// Computes the bundle hash of this manifest.
    pub fn compute_bundle_hash(&self) -> String {
        bundle_hash_of_value(&serde_json::to_value(self).unwrap_or_default())
    }

    /// The bytes written to `manifest.json`: pretty JSON in field order, with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// One artifact of a Python SkillMeat 0.3 pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LegacyArtifact {
    /// skill | command | agent.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its version.
    #[serde(default)]
    pub version: Option<String>,
    /// user | local.
    #[serde(default)]
    pub scope: Option<String>,
    /// Its folder in the archive: `artifacts/<type>/<name>/`.
    pub path: String,
    /// File paths relative to `path`.
    #[serde(default)]
    pub files: Vec<String>,
    /// `sha256:` + SHA-256 over, for each file in sorted order, its path (UTF-8) then its bytes.
    pub hash: String,
    /// Free-form metadata.
    #[serde(default)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// `manifest.json` of a Python SkillMeat 0.3 pack (`version: "1.0"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LegacyManifest {
    /// The manifest format version, `1.0`.
    pub version: String,
    /// The pack's name.
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Who made it.
    #[serde(default)]
    pub author: String,
    /// When it was made.
    #[serde(default)]
    pub created_at: String,
    /// Its license.
    #[serde(default)]
    pub license: String,
    /// Labels.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The artifacts.
    pub artifacts: Vec<LegacyArtifact>,
    /// Other bundles it needs (names).
    #[serde(default)]
    pub dependencies: Vec<serde_json::Value>,
    /// See [`legacy_bundle_hash`].
    #[serde(default)]
    pub bundle_hash: String,
}

/// The Python tool's artifact hash: SHA-256 over, for each file in sorted path order, its path
/// (UTF-8, `/`-separated) followed by its bytes.
pub fn legacy_artifact_hash<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut files: Vec<(&str, &[u8])> = files.into_iter().collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    let mut h = Sha256::new();
    for (p, bytes) in files {
        h.update(p.as_bytes());
        h.update(bytes);
    }
    format!("sha256:{}", to_hex(&h.finalize()))
}

/// The Python tool's bundle hash: SHA-256 of the string `manifest_hash` followed by the sorted
/// artifact hashes, where `manifest_hash` is `sha256:` + SHA-256 of the manifest without
/// `bundle_hash` serialised with sorted keys and no whitespace (Python's
/// `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`, which equals RFC 8785
/// output for manifests without floating-point numbers).
pub fn legacy_bundle_hash(manifest: &serde_json::Value) -> String {
    let mut v = manifest.clone();
    let mut artifact_hashes: Vec<String> = Vec::new();
    if let Some(o) = v.as_object_mut() {
        o.remove("bundle_hash");
        if let Some(arts) = o.get("artifacts").and_then(|a| a.as_array()) {
            artifact_hashes = arts
                .iter()
                .filter_map(|a| a.get("hash").and_then(|h| h.as_str()).map(String::from))
                .collect();
        }
    }
    let canonical = serde_json_canonicalizer::to_vec(&v).unwrap_or_default();
    let manifest_hash = format!("sha256:{}", to_hex(&Sha256::digest(&canonical)));
    artifact_hashes.sort();
    let mut h = Sha256::new();
    h.update(manifest_hash.as_bytes());
    for a in artifact_hashes {
        h.update(a.as_bytes());
    }
    format!("sha256:{}", to_hex(&h.finalize()))
}

/// Whether `s` looks like an SPDX license expression: identifiers (`MIT`, `Apache-2.0`,
/// `LicenseRef-x`, with an optional `+`) joined by `AND`, `OR`, `WITH` and parentheses. The list of
/// SPDX identifiers itself is not checked here.
pub fn is_spdx_expression(s: &str) -> bool {
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    if tokens.is_empty() {
        return false;
    }
    let mut expect_id = true;
    let mut depth = 0i32;
    for t in tokens {
        match t {
            "(" if expect_id => depth += 1,
            ")" if !expect_id => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            "AND" | "OR" | "WITH" if !expect_id => expect_id = true,
            id if expect_id => {
                let ok = id
                    .trim_end_matches('+')
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
                if !ok || id.is_empty() {
                    return false;
                }
                expect_id = false;
            }
            _ => return false,
        }
    }
    !expect_id && depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jcs_sorts_keys_and_drops_unhashed_fields() {
        let a = serde_json::json!({"b": 1, "a": "x", "created_at": "t1", "bundle_hash": "h"});
        let b = serde_json::json!({"a": "x", "b": 1, "created_at": "t2", "signature": {"k": 1}});
        assert_eq!(bundle_hash_of_value(&a), bundle_hash_of_value(&b));
        let expected = format!("sha256:{}", to_hex(&Sha256::digest(br#"{"a":"x","b":1}"#)));
        assert_eq!(bundle_hash_of_value(&a), expected);
    }

    #[test]
    fn spdx() {
        for ok in [
            "MIT",
            "Apache-2.0 OR MIT",
            "(MIT AND BSD-3-Clause)",
            "GPL-2.0+",
            "NOASSERTION",
        ] {
            assert!(is_spdx_expression(ok), "{ok}");
        }
        for bad in ["", "MIT OR", "my license", "MIT)", "AND MIT"] {
            assert!(!is_spdx_expression(bad), "{bad}");
        }
    }
}
