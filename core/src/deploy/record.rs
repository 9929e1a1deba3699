//! The deployment record, `<target folder>/.skillmeat-deployed.toml` (DESIGN.md §2.4): what
//! SkillMeat put into one target folder, so drift, sync and undeploy know what they own.
//!
//! One `[[deployed]]` table per artifact: kind, name, path (relative to the target folder),
//! collection, `content_hash` at deploy time (its tree and file blobs are in the store: the merge
//! base), `deployed_at`, and for hooks the JSON pointers of the entries written into settings
//! files. `[[settings]]` keeps, per settings file, the blob of its bytes before SkillMeat first
//! wrote to it, so removing the last owned entry can put the file back byte for byte.
//!
//! The record is written last by every change to a target folder, in the same transaction as
//! the copies (`core::txn`), under the folder's lock file; its `txn` field names the change that
//! wrote it last.

use std::fs;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifact::ArtifactKind;
use crate::text::line_col;
use crate::time::Timestamp;

use super::DeployError;

/// The record's file name inside a target folder.
pub const RECORD_FILE: &str = ".skillmeat-deployed.toml";

/// The format version this code writes.
pub const RECORD_VERSION: u32 = 1;

/// `[record]`: about the record itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordHeader {
    /// Format version (1).
    pub version: u32,
    /// Id of the change that wrote this record last.
    #[serde(default)]
    pub txn: String,
    /// When the record was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
}

/// A settings-file entry SkillMeat owns (DESIGN.md §4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OwnedEntry {
    /// The settings file, relative to the target folder (`settings.json`).
    pub file: String,
    /// JSON pointer of the entry when it was written (`/hooks/PostToolUse/1`).
    pub pointer: String,
    /// The entry as written (compact JSON), to find it again if the user moved it.
    pub value: String,
}

/// One deployed artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Deployed {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name.
    pub name: String,
    /// Where it is, relative to the target folder (`skills/<name>`).
    pub path: String,
    /// The collection it came from.
    pub collection: String,
    /// The content hash deployed (the merge base for sync).
    pub content_hash: String,
    /// When it was deployed or last synced.
    pub deployed_at: Timestamp,
    /// Settings entries written for it (hooks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<OwnedEntry>,
}

/// What a settings file looked like before SkillMeat first wrote an entry into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SettingsBaseline {
    /// The settings file, relative to the target folder.
    pub file: String,
    /// Hex SHA-256 of its bytes then, kept in the store; absent when the file did not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pristine: Option<String>,
}

/// The whole record file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Record {
    /// About the record.
    pub record: RecordHeader,
    /// Settings files SkillMeat has entries in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<SettingsBaseline>,
    /// Deployed artifacts, by kind then name.
    #[serde(default)]
    pub deployed: Vec<Deployed>,
}

impl Default for Record {
    fn default() -> Self {
        Record {
            record: RecordHeader {
                version: RECORD_VERSION,
                txn: String::new(),
                updated: None,
            },
            settings: Vec::new(),
            deployed: Vec::new(),
        }
    }
}

impl Record {
    /// The record path of a target folder.
    pub fn path_in(root: &Path) -> PathBuf {
        root.join(RECORD_FILE)
    }

    /// Loads the record of a target folder (an empty one when there is none).
    pub fn load(root: &Path) -> Result<Record, DeployError> {
        let path = Self::path_in(root);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Record::default()),
            Err(e) => return Err(DeployError::io(&path, e)),
        };
        toml::from_str(&text).map_err(|e: toml::de::Error| {
            let (line, col) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
            DeployError::Record {
                path,
                line,
                col,
                message: e.message().trim().replace('\n', " "),
            }
        })
    }

    /// The text to write, with a header comment saying what the file is.
    pub fn render(&self) -> String {
        let mut r = self.clone();
        r.deployed
            .sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        r.settings.sort_by(|a, b| a.file.cmp(&b.file));
        let body = toml::to_string(&r).unwrap_or_default();
        format!(
            "# Written by SkillMeat: what it deployed here and owns. Do not edit; use `skillmeat deploy`/`undeploy`.\n{body}"
        )
    }

    /// The entry of `(kind, name)`.
    pub fn get(&self, kind: ArtifactKind, name: &str) -> Option<&Deployed> {
        self.deployed
            .iter()
            .find(|d| d.kind == kind && d.name == name)
    }

    /// Replaces or adds the entry for `d`'s kind and name.
    pub fn upsert(&mut self, d: Deployed) {
        match self
            .deployed
            .iter_mut()
            .find(|x| x.kind == d.kind && x.name == d.name)
        {
            Some(x) => *x = d,
            None => self.deployed.push(d),
        }
    }

    /// Removes the entry of `(kind, name)`.
    pub fn remove(&mut self, kind: ArtifactKind, name: &str) -> Option<Deployed> {
        let i = self
            .deployed
            .iter()
            .position(|d| d.kind == kind && d.name == name)?;
        Some(self.deployed.remove(i))
    }

    /// Whether nothing is recorded any more (the record file can go).
    pub fn is_empty(&self) -> bool {
        self.deployed.is_empty() && self.settings.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut r = Record::default();
        r.record.txn = "t1".into();
        r.upsert(Deployed {
            kind: ArtifactKind::Hook,
            name: "fmt".into(),
            path: "hooks/fmt".into(),
            collection: "default".into(),
            content_hash: "sha256:00".into(),
            deployed_at: Timestamp("2026-11-25T10:00:00Z".into()),
            settings: vec![OwnedEntry {
                file: "settings.json".into(),
                pointer: "/hooks/PostToolUse/1".into(),
                value: "{\"hooks\":[]}".into(),
            }],
        });
        r.settings.push(SettingsBaseline {
            file: "settings.json".into(),
            pristine: Some("ab".into()),
        });
        let text = r.render();
        assert!(text.starts_with("# Written by SkillMeat"), "{text}");
        let dir = tempfile::tempdir().unwrap();
        fs::write(Record::path_in(dir.path()), &text).unwrap();
        assert_eq!(Record::load(dir.path()).unwrap(), r);
        fs::write(Record::path_in(dir.path()), "[record]\nversion = \n").unwrap();
        let err = Record::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains(".skillmeat-deployed.toml:2:"), "{err}");
    }
}
