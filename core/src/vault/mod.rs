//! Vaults (DESIGN.md §5): places to share packs, configured in `<home>/sharing.toml`:
//!
//! ```toml
//! [vault.team]
//! type = "local"            # a folder (a network share, a synced folder…)
//! path = "/srv/packs"
//!
//! [vault.repo]
//! type = "git"              # the real `git` binary with the user's own credentials
//! url = "git@example.com:team/packs.git"
//! branch = "main"           # optional, default main
//! prefix = "packs"          # optional folder inside the repository
//!
//! [vault.bucket]
//! type = "s3"               # any S3-compatible endpoint, through the object_store crate
//! bucket = "packs"
//! endpoint = "http://127.0.0.1:9000"   # optional; AWS when absent
//! region = "us-east-1"      # optional
//! prefix = "team"           # optional
//! ```
//!
//! Credentials never go into `sharing.toml`: git uses the user's git setup, S3 reads
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`) from the environment.
//! A pack is verified before it is pushed and after it is pulled.

mod git;
mod s3;

use std::fs;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use toml_edit::{DocumentMut, Item, Table, value};

use crate::home::{Home, HomeError, atomic_write};
use crate::pack::{PackError, VerifyLimits};
use crate::txn::{self, Txn, TxnError};

/// Errors of vault operations; each is one sentence naming the vault or file and the fix.
#[derive(Debug, Error)]
pub enum VaultError {
    #[error("{path}:{line}:{col}: {message}; fix the file there and run the command again")]
    Syntax {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("no vault named `{name}` in {path}")]
    NotFound { name: String, path: PathBuf },
    #[error("a vault named `{name}` is already in {path}; remove it first or pick another name")]
    Exists { name: String, path: PathBuf },
    #[error("`{0}` is not a pack file name; use the file name of a .skillmeat-pack (no folders)")]
    BadPackName(String),
    #[error("vault `{vault}` holds no pack named `{pack}`")]
    NoSuchPack { vault: String, pack: String },
    #[error("vault `{vault}`: {message}")]
    Backend { vault: String, message: String },
    #[error(transparent)]
    Pack(Box<PackError>),
    #[error(transparent)]
    Name(#[from] crate::artifact::NameError),
    #[error(transparent)]
    Home(#[from] HomeError),
}

impl crate::hint::Hinted for VaultError {
    fn kind(&self) -> crate::hint::ErrorKind {
        use crate::hint::ErrorKind as K;
        match self {
            VaultError::Syntax { .. } => K::Invalid,
            VaultError::NotFound { .. } | VaultError::NoSuchPack { .. } => K::NotFound,
            VaultError::Exists { .. } => K::Conflict,
            VaultError::BadPackName(_) => K::Usage,
            VaultError::Backend { .. } => K::Network,
            VaultError::Pack(e) => e.kind(),
            VaultError::Name(e) => e.kind(),
            VaultError::Home(e) => e.kind(),
        }
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        use crate::hint::Fix;
        use serde_json::json;
        match self {
            VaultError::NotFound { name, .. } => {
                vec![Fix::op_with("vault_add", json!({ "name": name })).why("to add one")]
            }
            VaultError::NoSuchPack { vault, .. } => {
                vec![Fix::op_with("vault_ls", json!({ "vault": vault })).why("to see its packs")]
            }
            VaultError::Pack(e) => e.fixes(),
            VaultError::Name(e) => e.fixes(),
            VaultError::Home(e) => e.fixes(),
            _ => Vec::new(),
        }
    }
}

impl From<PackError> for VaultError {
    fn from(e: PackError) -> Self {
        VaultError::Pack(Box::new(e))
    }
}

/// `sharing.toml`: its path, its editable document and the vaults it defines.
type Sharing = (PathBuf, DocumentMut, Vec<(String, VaultConfig)>);

/// One vault's settings, as written under `[vault.<name>]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum VaultConfig {
    /// A folder.
    Local {
        /// The folder holding the packs.
        path: PathBuf,
    },
    /// A git repository, used through the `git` binary.
    Git {
        /// The repository URL (anything `git` accepts).
        url: String,
        /// The branch [default: main].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        branch: Option<String>,
        /// A folder inside the repository.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
    },
    /// An S3 bucket (AWS or any S3-compatible server).
    S3 {
        /// The bucket.
        bucket: String,
        /// The endpoint URL of an S3-compatible server (AWS when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
        /// The region [default: us-east-1].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<String>,
        /// A key prefix (folder) inside the bucket.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
    },
}

impl VaultConfig {
    /// local | git | s3.
    pub fn kind(&self) -> &'static str {
        match self {
            VaultConfig::Local { .. } => "local",
            VaultConfig::Git { .. } => "git",
            VaultConfig::S3 { .. } => "s3",
        }
    }

    /// Where it is, for people.
    pub fn location(&self) -> String {
        fn pre(p: &Option<String>) -> String {
            p.as_ref().map(|p| format!("/{p}")).unwrap_or_default()
        }
        match self {
            VaultConfig::Local { path } => path.display().to_string(),
            VaultConfig::Git {
                url,
                branch,
                prefix,
            } => format!(
                "{url}#{}{}",
                branch.as_deref().unwrap_or("main"),
                pre(prefix)
            ),
            VaultConfig::S3 {
                bucket,
                endpoint,
                prefix,
                ..
            } => format!(
                "s3://{bucket}{}{}",
                pre(prefix),
                endpoint
                    .as_ref()
                    .map(|e| format!(" at {e}"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// A vault as listed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct VaultInfo {
    /// Its name.
    pub name: String,
    /// local | git | s3.
    pub kind: String,
    /// Where it is.
    pub location: String,
    /// Its settings.
    pub config: VaultConfig,
}

/// `vault list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct VaultList {
    /// Every vault in `sharing.toml`, by name.
    pub vaults: Vec<VaultInfo>,
}

/// A pack in a vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VaultPack {
    /// Its file name.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// `vault ls`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct VaultListing {
    /// The vault.
    pub vault: String,
    /// Its packs, by name.
    pub packs: Vec<VaultPack>,
}

/// What a push, pull or delete did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TransferReport {
    /// The vault.
    pub vault: String,
    /// The pack's file name in the vault.
    pub pack: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// What each backend does.
pub(crate) trait Backend {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), String>;
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, String>;
    fn list(&self) -> Result<Vec<VaultPack>, String>;
    fn delete(&self, name: &str) -> Result<bool, String>;
}

fn sharing_path(home: &Home) -> PathBuf {
    home.root().join("sharing.toml")
}

fn load_doc(home: &Home) -> Result<Sharing, VaultError> {
    let path = sharing_path(home);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(HomeError::io(&path, e).into()),
    };
    let syntax = |span: Option<std::ops::Range<usize>>, message: &str| {
        let (line, col) = span.map_or((1, 1), |s| crate::text::line_col(&text, s.start));
        VaultError::Syntax {
            path: path.clone(),
            line,
            col,
            message: message.trim().trim_end_matches('.').replace('\n', " "),
        }
    };
    let doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| syntax(e.span(), e.message()))?;
    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        vault: std::collections::BTreeMap<String, VaultConfig>,
    }
    let file: File =
        toml::from_str(&text).map_err(|e: toml::de::Error| syntax(e.span(), e.message()))?;
    Ok((path, doc, file.vault.into_iter().collect()))
}

fn info(name: &str, c: &VaultConfig) -> VaultInfo {
    VaultInfo {
        name: name.into(),
        kind: c.kind().into(),
        location: c.location(),
        config: c.clone(),
    }
}

/// Adds a vault to `sharing.toml` (comments and other vaults are kept).
pub fn add(home: &Home, name: &str, config: VaultConfig) -> Result<VaultInfo, VaultError> {
    crate::artifact::validate_name(name)?;
    let _lock = home.lock()?;
    let (path, mut doc, vaults) = load_doc(home)?;
    if vaults.iter().any(|(n, _)| n == name) {
        return Err(VaultError::Exists {
            name: name.into(),
            path,
        });
    }
    let config = match config {
        // A relative folder means relative to where the command ran; store it absolute.
        VaultConfig::Local { path: p } if p.is_relative() => VaultConfig::Local {
            path: std::env::current_dir()
                .map_err(|e| HomeError::io(".", e))?
                .join(p),
        },
        c => c,
    };
    let mut t = Table::new();
    t.insert("type", value(config.kind()));
    let mut set = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            t.insert(k, value(v.as_str()));
        }
    };
    match &config {
        VaultConfig::Local { path: p } => set("path", &Some(p.display().to_string())),
        VaultConfig::Git {
            url,
            branch,
            prefix,
        } => {
            set("url", &Some(url.clone()));
            set("branch", branch);
            set("prefix", prefix);
        }
        VaultConfig::S3 {
            bucket,
            endpoint,
            region,
            prefix,
        } => {
            set("bucket", &Some(bucket.clone()));
            set("endpoint", endpoint);
            set("region", region);
            set("prefix", prefix);
        }
    }
    if !doc.contains_key("vault") {
        let mut parent = Table::new();
        parent.set_implicit(true);
        doc.insert("vault", Item::Table(parent));
    }
    if let Some(parent) = doc.get_mut("vault").and_then(Item::as_table_mut) {
        parent.insert(name, Item::Table(t));
    }
    atomic_write(&path, doc.to_string().as_bytes())?;
    Ok(info(name, &config))
}

/// Lists the vaults.
pub fn list(home: &Home) -> Result<VaultList, VaultError> {
    let (_, _, vaults) = load_doc(home)?;
    Ok(VaultList {
        vaults: vaults.iter().map(|(n, c)| info(n, c)).collect(),
    })
}

/// Removes a vault from `sharing.toml`; the packs in it are left alone.
pub fn remove(home: &Home, name: &str) -> Result<VaultInfo, VaultError> {
    let _lock = home.lock()?;
    let (path, mut doc, vaults) = load_doc(home)?;
    let Some((_, c)) = vaults.iter().find(|(n, _)| n == name) else {
        return Err(VaultError::NotFound {
            name: name.into(),
            path,
        });
    };
    if let Some(parent) = doc.get_mut("vault").and_then(Item::as_table_mut) {
        parent.remove(name);
    }
    atomic_write(&path, doc.to_string().as_bytes())?;
    Ok(info(name, c))
}

fn backend(home: &Home, name: &str) -> Result<Box<dyn Backend>, VaultError> {
    let (path, _, vaults) = load_doc(home)?;
    let Some((_, c)) = vaults.into_iter().find(|(n, _)| n == name) else {
        return Err(VaultError::NotFound {
            name: name.into(),
            path,
        });
    };
    Ok(match c {
        VaultConfig::Local { path } => Box::new(LocalVault { dir: path }),
        VaultConfig::Git {
            url,
            branch,
            prefix,
        } => Box::new(git::GitVault {
            url,
            branch: branch.unwrap_or_else(|| "main".into()),
            prefix,
        }),
        VaultConfig::S3 {
            bucket,
            endpoint,
            region,
            prefix,
        } => Box::new(s3::S3Vault {
            bucket,
            endpoint,
            region,
            prefix,
        }),
    })
}

fn check_pack_name(name: &str) -> Result<(), VaultError> {
    let ok = crate::artifact::validate_name(name).is_ok()
        && name.ends_with(&format!(".{}", crate::pack::EXTENSION));
    if ok {
        Ok(())
    } else {
        Err(VaultError::BadPackName(name.into()))
    }
}

fn backend_err(vault: &str) -> impl Fn(String) -> VaultError + '_ {
    move |message| VaultError::Backend {
        vault: vault.into(),
        message,
    }
}

/// Uploads a pack (verified first, so a vault never holds a broken pack).
pub fn push(home: &Home, vault: &str, file: &Path) -> Result<TransferReport, VaultError> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    check_pack_name(&name)?;
    crate::pack::open_pack(file, &VerifyLimits::default(), false)?;
    let bytes = fs::read(file).map_err(|e| HomeError::io(file, e))?;
    let b = backend(home, vault)?;
    b.put(&name, &bytes).map_err(backend_err(vault))?;
    Ok(TransferReport {
        vault: vault.into(),
        pack: name,
        bytes: bytes.len() as u64,
    })
}

/// Downloads a pack to `out` (verified before it is written there).
pub fn pull(
    home: &Home,
    vault: &str,
    pack: &str,
    out: &Path,
) -> Result<TransferReport, VaultError> {
    check_pack_name(pack)?;
    let b = backend(home, vault)?;
    let bytes = b
        .get(pack)
        .map_err(backend_err(vault))?
        .ok_or_else(|| VaultError::NoSuchPack {
            vault: vault.into(),
            pack: pack.into(),
        })?;
    // Staged and verified beside the target, then renamed into place in one change; what a
    // killed pull left in that folder is cleaned up first.
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|e| HomeError::io(&dir, e))?;
    txn::recover(&dir);
    // Replacing a file in a folder that exists fails only as a filesystem operation does.
    let txn_error = |e: TxnError| -> VaultError {
        match e {
            TxnError::Io { path, source } => HomeError::io(path, source).into(),
            other => HomeError::io(out, std::io::Error::other(other.to_string())).into(),
        }
    };
    let mut t = Txn::begin(&dir).map_err(txn_error)?;
    let staged = t.stage_path();
    fs::write(&staged, &bytes).map_err(|e| HomeError::io(&staged, e))?;
    crate::pack::open_pack(&staged, &VerifyLimits::default(), false)?;
    t.replace(out.to_path_buf(), Some(staged));
    t.commit().map_err(txn_error)?;
    Ok(TransferReport {
        vault: vault.into(),
        pack: pack.into(),
        bytes: bytes.len() as u64,
    })
}

/// Lists the packs in a vault.
pub fn ls(home: &Home, vault: &str) -> Result<VaultListing, VaultError> {
    let b = backend(home, vault)?;
    let mut packs = b.list().map_err(backend_err(vault))?;
    packs.retain(|p| p.name.ends_with(&format!(".{}", crate::pack::EXTENSION)));
    packs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(VaultListing {
        vault: vault.into(),
        packs,
    })
}

/// Deletes a pack from a vault.
pub fn delete(home: &Home, vault: &str, pack: &str) -> Result<TransferReport, VaultError> {
    check_pack_name(pack)?;
    let b = backend(home, vault)?;
    let size = b
        .list()
        .map_err(backend_err(vault))?
        .into_iter()
        .find(|p| p.name == pack)
        .map(|p| p.bytes);
    let Some(bytes) = size else {
        return Err(VaultError::NoSuchPack {
            vault: vault.into(),
            pack: pack.into(),
        });
    };
    b.delete(pack).map_err(backend_err(vault))?;
    Ok(TransferReport {
        vault: vault.into(),
        pack: pack.into(),
        bytes,
    })
}

/// A folder.
struct LocalVault {
    dir: PathBuf,
}

impl Backend for LocalVault {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        atomic_write(&self.dir.join(name), bytes).map_err(|e| e.to_string())
    }
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        match fs::read(self.dir.join(name)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", self.dir.join(name).display())),
        }
    }
    fn list(&self) -> Result<Vec<VaultPack>, String> {
        let rd = match fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("{}: {e}", self.dir.display())),
        };
        Ok(rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| VaultPack {
                name: e.file_name().to_string_lossy().into_owned(),
                bytes: e.metadata().map(|m| m.len()).unwrap_or(0),
            })
            .collect())
    }
    fn delete(&self, name: &str) -> Result<bool, String> {
        match fs::remove_file(self.dir.join(name)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(format!("{}: {e}", self.dir.join(name).display())),
        }
    }
}
