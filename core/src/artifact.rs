//! Artifacts: their kinds, the rules for their names, their YAML front matter and the content
//! hash of DESIGN.md §2.1 that the lock, deploy records, drift and packs all rely on.

use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::fsx::{self, FsError};

/// What an artifact is; decides where it lives in a collection and where it deploys.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ArtifactKind {
    /// A folder with `SKILL.md` and any supporting files.
    Skill,
    /// A slash command: one Markdown file.
    Command,
    /// A subagent: one Markdown file with `name` and `description` front matter.
    Agent,
    /// A folder with `hooks.json` (the Claude Code plugin shape) and its scripts.
    Hook,
}

impl ArtifactKind {
    /// Every kind, in display order.
    pub const ALL: [ArtifactKind; 4] = [
        ArtifactKind::Skill,
        ArtifactKind::Command,
        ArtifactKind::Agent,
        ArtifactKind::Hook,
    ];

    /// The lowercase name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ArtifactKind::Skill => "skill",
            ArtifactKind::Command => "command",
            ArtifactKind::Agent => "agent",
            ArtifactKind::Hook => "hook",
        }
    }

    /// The collection subfolder holding this kind (`skills`, `commands`, …).
    pub fn dir_name(self) -> &'static str {
        match self {
            ArtifactKind::Skill => "skills",
            ArtifactKind::Command => "commands",
            ArtifactKind::Agent => "agents",
            ArtifactKind::Hook => "hooks",
        }
    }

    /// Whether the artifact is a folder (skill, hook) rather than one Markdown file.
    pub fn is_dir(self) -> bool {
        matches!(self, ArtifactKind::Skill | ArtifactKind::Hook)
    }

    /// The collection-relative path an artifact of this kind and name is stored at.
    pub fn collection_path(self, name: &str) -> String {
        if self.is_dir() {
            format!("{}/{}", self.dir_name(), name)
        } else {
            format!("{}/{}.md", self.dir_name(), name)
        }
    }

    /// The file inside the artifact that carries its metadata.
    pub fn main_file(self, artifact_path: &Path) -> PathBuf {
        match self {
            ArtifactKind::Skill => artifact_path.join("SKILL.md"),
            ArtifactKind::Hook => artifact_path.join("hooks.json"),
            ArtifactKind::Command | ArtifactKind::Agent => artifact_path.to_path_buf(),
        }
    }
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An artifact kind that is not one of skill, command, agent or hook.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("unknown artifact kind `{0}`; use one of skill, command, agent, hook")]
pub struct UnknownKind(pub String);

impl FromStr for ArtifactKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "skill" | "skills" => Ok(ArtifactKind::Skill),
            "command" | "commands" => Ok(ArtifactKind::Command),
            "agent" | "agents" | "subagent" => Ok(ArtifactKind::Agent),
            "hook" | "hooks" => Ok(ArtifactKind::Hook),
            _ => Err(UnknownKind(s.to_string())),
        }
    }
}

/// Why a name cannot be used.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum NameError {
    #[error("a name cannot be empty")]
    Empty,
    #[error("the name `{0}` is longer than 128 characters")]
    TooLong(String),
    #[error(
        "the name `{0}` is not a safe file name (no `/`, `\\`, `..`, leading `.` or control characters)"
    )]
    Unsafe(String),
    #[error(
        "the skill name `{0}` must be 1-64 lowercase letters, digits and single hyphens (no leading or trailing `-`)"
    )]
    InvalidSkillName(String, String),
}

impl crate::hint::Hinted for NameError {
    fn kind(&self) -> crate::hint::ErrorKind {
        crate::hint::ErrorKind::Usage
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        // Names come from many parameters (an artifact's, a collection's, a token's); only the
        // skill-name rule has one to suggest, the one an added skill is given.
        match self {
            NameError::InvalidSkillName(_, suggested) => {
                vec![crate::hint::Fix::param_value("name", suggested.as_str())]
            }
            _ => Vec::new(),
        }
    }
}

/// Checks that `name` is a safe single path component (DESIGN.md §2.1). This is enforced
/// everywhere a name becomes a path, so a hostile manifest or pack can never escape its folder.
pub fn validate_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > 128 {
        return Err(NameError::TooLong(name.to_string()));
    }
    if name.contains('/')
        || name.contains('\\')
        || name.contains("..")
        || name.starts_with('.')
        || name.chars().any(|c| c.is_control())
        || name.contains(':') && cfg!(windows)
    {
        return Err(NameError::Unsafe(name.to_string()));
    }
    Ok(())
}

/// Whether `name` follows the Agent Skills naming rule: 1–64 chars of `[a-z0-9-]`, no leading,
/// trailing or doubled `-`.
pub fn is_valid_skill_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// The closest valid skill name to `name` (lowercased, other characters turned into single `-`).
pub fn suggest_skill_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_matches('-').chars().take(64).collect();
    let trimmed = trimmed.trim_end_matches('-').to_string();
    if trimmed.is_empty() {
        "skill".into()
    } else {
        trimmed
    }
}

/// Checks a name for an artifact of `kind`: the safe-name rule for all, the Agent Skills rule
/// additionally for skills.
pub fn validate_name_for(kind: ArtifactKind, name: &str) -> Result<(), NameError> {
    validate_name(name)?;
    if kind == ArtifactKind::Skill && !is_valid_skill_name(name) {
        return Err(NameError::InvalidSkillName(
            name.to_string(),
            suggest_skill_name(name),
        ));
    }
    Ok(())
}

/// The YAML front matter of a Markdown artifact.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    /// The top-level keys, as JSON values (YAML scalars map onto JSON ones).
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// Byte offset where the body (after the closing `---`) starts.
    pub body_start: usize,
}

impl FrontMatter {
    /// A string field, if present and a string.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(|v| v.as_str())
    }
}

/// Front matter that is present but is not valid YAML mapping.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error(
    "line {line}: the front matter is not valid YAML ({message}); fix it so Claude Code reads the metadata"
)]
pub struct FrontMatterError {
    /// 1-based line in the whole file.
    pub line: usize,
    pub message: String,
}

/// Splits `text` into front matter and body. `Ok(None)` when there is no front matter (the file
/// does not start with a `---` line); an error when it starts one that is unterminated or not YAML.
pub fn parse_front_matter(text: &str) -> Result<Option<FrontMatter>, FrontMatterError> {
    let text_nobom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - text_nobom.len();
    let Some(rest) = text_nobom
        .strip_prefix("---\n")
        .or_else(|| text_nobom.strip_prefix("---\r\n"))
    else {
        return Ok(None);
    };
    let yaml_start = text.len() - rest.len();
    // Find the closing `---` line.
    let mut offset = 0;
    let mut close = None;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if trimmed == "---" || trimmed == "..." {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, after)) = close else {
        return Err(FrontMatterError {
            line: 1,
            message: "the opening `---` has no closing `---` line".into(),
        });
    };
    let yaml = &rest[..yaml_end];
    let _ = bom;
    let fields = if yaml.trim().is_empty() {
        serde_json::Map::new()
    } else {
        match serde_yaml_ng::from_str::<serde_json::Value>(yaml) {
            Ok(serde_json::Value::Object(m)) => m,
            Ok(serde_json::Value::Null) => serde_json::Map::new(),
            Ok(_) => {
                return Err(FrontMatterError {
                    line: 2,
                    message: "it must be a mapping of `key: value` lines".into(),
                });
            }
            Err(e) => {
                let line = e.location().map(|l| l.line() + 1).unwrap_or(2);
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                return Err(FrontMatterError { line, message: msg });
            }
        }
    };
    Ok(Some(FrontMatter {
        fields,
        body_start: yaml_start + after,
    }))
}

/// Why an artifact could not be hashed.
#[derive(Debug, Error)]
pub enum HashError {
    #[error(
        "{path} is a symbolic link; artifacts must hold regular files only, so replace the link with the file it points to"
    )]
    Symlink { path: PathBuf },
    #[error("{path} does not exist")]
    Missing { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl crate::hint::Hinted for HashError {
    fn kind(&self) -> crate::hint::ErrorKind {
        match self {
            HashError::Symlink { .. } => crate::hint::ErrorKind::Invalid,
            HashError::Missing { .. } => crate::hint::ErrorKind::NotFound,
            HashError::Io { source, .. } => crate::hint::io_kind(source),
        }
    }
}

impl From<FsError> for HashError {
    fn from(e: FsError) -> Self {
        HashError::Io {
            path: e.path,
            source: e.source,
        }
    }
}

/// One file of an artifact, as listed for the content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FileEntry {
    /// Path relative to the artifact root, `/`-separated.
    pub path: String,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Whether any execute bit is set (Unix).
    pub executable: bool,
}

/// Names skipped when listing an artifact's files (caches and VCS folders that are never part
/// of the artifact).
pub fn is_ignored_name(name: &str, is_dir: bool) -> bool {
    if is_dir {
        matches!(name, ".git" | "__pycache__" | "node_modules")
    } else {
        name == ".DS_Store" || name.ends_with(".pyc")
    }
}

/// Lists the regular files of an artifact (a folder, or a single file) sorted by path bytes,
/// refusing symlinks. For a single-file artifact the one path is the file's own name.
pub fn list_files(root: &Path) -> Result<Vec<(String, PathBuf)>, HashError> {
    let meta = fs::symlink_metadata(root).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            HashError::Missing {
                path: root.to_path_buf(),
            }
        } else {
            HashError::Io {
                path: root.to_path_buf(),
                source: e,
            }
        }
    })?;
    if meta.file_type().is_symlink() {
        return Err(HashError::Symlink {
            path: root.to_path_buf(),
        });
    }
    if meta.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![(name, root.to_path_buf())]);
    }
    let mut out = Vec::new();
    walk(root, "", &mut out)?;
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> Result<(), HashError> {
    let io = |e| HashError::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    for entry in fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let ft = entry.file_type().map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_ignored_name(&name, ft.is_dir()) {
            continue;
        }
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if ft.is_symlink() {
            return Err(HashError::Symlink { path: entry.path() });
        } else if ft.is_dir() {
            walk(&entry.path(), &rel, out)?;
        } else if ft.is_file() {
            out.push((rel, entry.path()));
        }
    }
    Ok(())
}

/// Hashes one file, returning its entry.
pub fn hash_file(rel: &str, path: &Path) -> Result<FileEntry, HashError> {
    let io = |e| HashError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut f = fs::File::open(path).map_err(io)?;
    let meta = f.metadata().map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let executable = fsx::mode_is_executable(&meta);
    Ok(FileEntry {
        path: rel.to_string(),
        sha256: to_hex(&hasher.finalize()),
        size,
        executable,
    })
}

/// The artifact hash over already-hashed files: `sha256:` + hex SHA-256 of the lines
/// `"<file hex>  <path>\n"` in path-byte order.
pub fn hash_of_entries(files: &[FileEntry]) -> String {
    let mut sorted: Vec<&FileEntry> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let mut hasher = Sha256::new();
    for f in sorted {
        hasher.update(f.sha256.as_bytes());
        hasher.update(b"  ");
        hasher.update(f.path.as_bytes());
        hasher.update(b"\n");
    }
    format!("sha256:{}", to_hex(&hasher.finalize()))
}

/// Hashes an artifact on disk: its files and the content hash of DESIGN.md §2.1.
pub fn hash_artifact(root: &Path) -> Result<(String, Vec<FileEntry>), HashError> {
    let files = list_files(root)?
        .iter()
        .map(|(rel, p)| hash_file(rel, p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((hash_of_entries(&files), files))
}

/// Copies an artifact (a folder, or one file) to `dst`, hashing each file as it goes; returns the
/// content hash of the copy and its files. `keep` sees each file's entry and bytes as it is
/// copied (deploy puts them into the store). Files get [`fsx::file_mode`]; an artifact folder
/// without files is copied as an empty folder; symbolic links are refused.
pub fn copy_and_hash<E: From<HashError>>(
    src: &Path,
    dst: &Path,
    mut keep: impl FnMut(&FileEntry, &[u8]) -> Result<(), E>,
) -> Result<(String, Vec<FileEntry>), E> {
    let files = list_files(src)?;
    let single = fs::symlink_metadata(src).is_ok_and(|m| m.is_file());
    let mut entries = Vec::with_capacity(files.len());
    for (rel, path) in files {
        let bytes = fs::read(&path).map_err(|e| HashError::Io {
            path: path.clone(),
            source: e,
        })?;
        let executable = fsx::is_executable(&path);
        let target = if single {
            dst.to_path_buf()
        } else {
            dst.join(&rel)
        };
        fsx::write_file(&target, &bytes, executable).map_err(HashError::from)?;
        let entry = FileEntry {
            sha256: to_hex(&Sha256::digest(&bytes)),
            size: bytes.len() as u64,
            path: rel,
            executable,
        };
        keep(&entry, &bytes)?;
        entries.push(entry);
    }
    if !single && entries.is_empty() {
        fs::create_dir_all(dst).map_err(|e| HashError::Io {
            path: dst.to_path_buf(),
            source: e,
        })?;
    }
    Ok((hash_of_entries(&entries), entries))
}

/// The description an artifact gives of itself (front matter `description`, or `description`
/// in a hook's `hooks.json`), on one line.
pub fn describe(kind: ArtifactKind, path: &Path) -> Option<String> {
    let main = kind.main_file(path);
    let text = fs::read_to_string(main).ok()?;
    if kind == ArtifactKind::Hook {
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        return v.get("description")?.as_str().map(str::to_string);
    }
    let fm = parse_front_matter(&text).ok()??;
    fm.str("description")
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Lowercase hex of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("code-review").is_ok());
        assert!(validate_name("My Command").is_ok());
        for bad in ["", "../x", "a/b", "a\\b", ".hidden", "x\u{7}", ".."] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_name(&"a".repeat(129)).is_err());
        assert!(is_valid_skill_name("pdf-2-text"));
        for bad in ["-a", "a-", "a--b", "A", "a_b", ""] {
            assert!(!is_valid_skill_name(bad), "{bad:?}");
        }
        assert_eq!(suggest_skill_name("My_Skill!!"), "my-skill");
    }

    #[test]
    fn front_matter_parses_and_reports_lines() {
        let fm = parse_front_matter("---\nname: x\ndescription: \"d\"\n---\nbody\n")
            .unwrap()
            .unwrap();
        assert_eq!(fm.str("name"), Some("x"));
        assert_eq!(
            &"---\nname: x\ndescription: \"d\"\n---\nbody\n"[fm.body_start..],
            "body\n"
        );
        assert!(parse_front_matter("no front matter").unwrap().is_none());
        let err = parse_front_matter("---\nname: x\n  bad: [\n---\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
        assert!(parse_front_matter("---\nname: x\n").is_err());
    }

    #[test]
    fn content_hash_matches_the_documented_rule() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        fs::create_dir_all(a.join("sub")).unwrap();
        fs::write(a.join("SKILL.md"), "hi\n").unwrap();
        fs::write(a.join("sub/x.txt"), "x").unwrap();
        fs::create_dir_all(a.join("__pycache__")).unwrap();
        fs::write(a.join("__pycache__/c.pyc"), "junk").unwrap();
        fs::write(a.join(".DS_Store"), "junk").unwrap();
        let (hash, files) = hash_artifact(&a).unwrap();
        assert_eq!(files.len(), 2);
        let h = |b: &[u8]| to_hex(&Sha256::digest(b));
        let manifest = format!("{}  SKILL.md\n{}  sub/x.txt\n", h(b"hi\n"), h(b"x"));
        assert_eq!(hash, format!("sha256:{}", h(manifest.as_bytes())));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        fs::create_dir_all(&a).unwrap();
        fs::write(a.join("SKILL.md"), "hi").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", a.join("link")).unwrap();
        assert!(matches!(hash_artifact(&a), Err(HashError::Symlink { .. })));
    }
}
