//! Signing keys, the trust store and pack signatures (DESIGN.md §5).
//!
//! Keys are Ed25519. A key's id is the first 16 hex digits of the SHA-256 of its 32-byte public
//! key. Each own key has `<home>/keys/<key id>.toml` (0600) with its public half and owner; the
//! private half is either in that file or in the OS keychain (the `keychain` module), and the
//! file then says where. `keys generate` and `keys import` pick the keychain when one is
//! reachable and fall back to the file otherwise (`StorageChoice::Auto`); `keys list` says which.
//! Public keys the user trusts live in `<home>/keys/trusted.toml`; a key generated or imported
//! with its private half is trusted too, since its owner made it.
//!
//! A pack signature signs the bytes `"skillmeat-pack/2\n" + bundle_hash`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::artifact::to_hex;
use crate::home::{Home, HomeError, atomic_write, atomic_write_private, create_private_dir_all};

pub mod keychain;

use keychain::{KeychainError, KeychainRef};

/// The only signature algorithm packs use.
pub const ALGORITHM: &str = "ed25519";

/// The domain-separation prefix of the signed message.
pub const SIGNED_PREFIX: &str = "skillmeat-pack/2\n";

/// Errors about keys, trust and signatures. Each is one sentence naming the file or key and
/// the fix.
#[derive(Debug, Error)]
pub enum SigningError {
    #[error("no signing key in {dir}")]
    NoKey { dir: PathBuf },
    #[error("there are {count} signing keys in {dir} ({ids})")]
    WhichKey {
        count: usize,
        dir: PathBuf,
        ids: String,
    },
    #[error("no key with id `{id}` in {dir}")]
    UnknownKey { id: String, dir: PathBuf },
    #[error("{path}: {problem}; fix or replace the file")]
    BadFile { path: PathBuf, problem: String },
    #[error(
        "{what} is not a valid key: {problem}; give a key file SkillMeat exported, or a base64 Ed25519 public key"
    )]
    BadKey { what: String, problem: String },
    #[error("could not make a random key: {0}")]
    Random(String),
    #[error(
        "the private key {key_id} is kept in the OS keychain ({backend}, service `{service}`, account `{account}`) but {problem}"
    )]
    Keychain {
        key_id: String,
        backend: String,
        service: String,
        account: String,
        problem: String,
    },
    #[error("the OS keychain ({backend}) cannot store the key: {problem}")]
    KeychainUnavailable { backend: String, problem: String },
    #[error(
        "key storage `{0}` is not one of auto, keychain, file; fix SKILLMEAT_KEY_STORAGE or the `key-storage` setting"
    )]
    BadStorage(String),
    #[error(transparent)]
    Home(#[from] HomeError),
}

impl crate::hint::Hinted for SigningError {
    fn kind(&self) -> crate::hint::ErrorKind {
        use crate::hint::ErrorKind as K;
        match self {
            SigningError::NoKey { .. } | SigningError::UnknownKey { .. } => K::NotFound,
            SigningError::WhichKey { .. } | SigningError::BadStorage(_) => K::Usage,
            SigningError::BadFile { .. } | SigningError::BadKey { .. } => K::Invalid,
            SigningError::Random(_)
            | SigningError::Keychain { .. }
            | SigningError::KeychainUnavailable { .. } => K::Io,
            SigningError::Home(e) => e.kind(),
        }
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        use crate::hint::Fix;
        use serde_json::json;
        match self {
            SigningError::NoKey { .. } => vec![
                Fix::op_with("keys_generate", json!({"name": "NAME", "email": "EMAIL"}))
                    .why("to create one"),
            ],
            SigningError::WhichKey { .. } => vec![Fix::param("key").why("to say which one signs")],
            SigningError::UnknownKey { .. } => vec![Fix::op("keys_list").why("to see the keys")],
            SigningError::Keychain { key_id, .. } => vec![
                Fix::op_with("keys_export", json!({"key": key_id, "private": true}))
                    .why("where that keychain is unlocked, and import the file it writes here"),
            ],
            SigningError::KeychainUnavailable { .. } => {
                vec![Fix::param_value("storage", "file").why("to keep it in a 0600 file instead")]
            }
            SigningError::BadStorage(_) => vec![Fix::param("storage")],
            SigningError::Home(e) => e.fixes(),
            _ => Vec::new(),
        }
    }
}

/// Where a private key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeyStorage {
    /// A 0600 file under `<home>/keys/`.
    File,
    /// The OS keychain (Secret Service, macOS Keychain or Windows Credential Manager).
    Keychain,
}

/// Where a new or imported private key should go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StorageChoice {
    /// The OS keychain when one is reachable, otherwise a 0600 file.
    #[default]
    Auto,
    /// The OS keychain, or fail.
    Keychain,
    /// A 0600 file under `<home>/keys/`.
    File,
}

impl std::str::FromStr for StorageChoice {
    type Err = SigningError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "auto" | "" => Ok(StorageChoice::Auto),
            "keychain" => Ok(StorageChoice::Keychain),
            "file" => Ok(StorageChoice::File),
            other => Err(SigningError::BadStorage(other.into())),
        }
    }
}

/// Who signed a pack.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct SignerInfo {
    /// The signer's name.
    pub name: String,
    /// The signer's e-mail address.
    pub email: String,
}

/// The `signature` object of a pack manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PackSignature {
    /// Always `ed25519`.
    pub algorithm: String,
    /// First 16 hex digits of the SHA-256 of the public key.
    pub key_id: String,
    /// The 32-byte public key, base64.
    pub public_key: String,
    /// The 64-byte signature of `"skillmeat-pack/2\n" + bundle_hash`, base64.
    pub signature: String,
    /// Who signed.
    pub signer: SignerInfo,
    /// When it was signed (RFC 3339; honours `SOURCE_DATE_EPOCH`).
    pub signed_at: String,
}

/// One key as `keys list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct KeyInfo {
    /// The key id (16 hex digits).
    pub key_id: String,
    /// The public key, base64.
    pub public_key: String,
    /// The owner's name.
    pub name: String,
    /// The owner's e-mail.
    pub email: String,
    /// When the key was made or added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Where the private key is kept (absent for keys that are only trusted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<KeyStorage>,
    /// The key's file under `<home>/keys/` (holding the private key too when `storage` is
    /// `file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// The keychain entry holding the private key, when `storage` is `keychain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keychain: Option<KeychainRef>,
    /// Why the key went to a file although the keychain was asked for first (auto storage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_note: Option<String>,
}

/// The key file (`keys/<id>.toml`) and the export format.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFile {
    key_id: String,
    #[serde(default = "default_alg")]
    algorithm: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created: Option<String>,
    public_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_key: Option<String>,
    /// Set instead of `secret_key` when the private key is in the OS keychain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keychain: Option<KeychainRef>,
}

fn default_alg() -> String {
    ALGORITHM.into()
}

/// `keys/trusted.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct TrustFile {
    #[serde(default)]
    keys: BTreeMap<String, TrustedEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TrustedEntry {
    public_key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    added: Option<String>,
}

/// The id of a public key: first 16 hex digits of its SHA-256.
pub fn key_id_of(public: &[u8; 32]) -> String {
    to_hex(&Sha256::digest(public))[..16].to_string()
}

/// `<home>/keys/`.
pub fn keys_dir(home: &Home) -> PathBuf {
    home.root().join("keys")
}

fn trusted_path(home: &Home) -> PathBuf {
    keys_dir(home).join("trusted.toml")
}

/// Now (or `SOURCE_DATE_EPOCH`), RFC 3339 in UTC to the second.
pub fn timestamp_now() -> String {
    let ts = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .unwrap_or_else(jiff::Timestamp::now);
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn decode_public(text: &str, what: &str) -> Result<[u8; 32], SigningError> {
    let bytes = B64.decode(text.trim()).map_err(|e| SigningError::BadKey {
        what: what.into(),
        problem: format!("not base64 ({e})"),
    })?;
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| SigningError::BadKey {
            what: what.into(),
            problem: format!("{} bytes, expected 32", b.len()),
        })?;
    VerifyingKey::from_bytes(&arr).map_err(|e| SigningError::BadKey {
        what: what.into(),
        problem: e.to_string(),
    })?;
    Ok(arr)
}

fn read_toml<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> Result<T, SigningError> {
    match fs::read_to_string(path) {
        Ok(t) => toml::from_str(&t).map_err(|e| SigningError::BadFile {
            path: path.to_path_buf(),
            problem: e.message().to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(HomeError::io(path, e).into()),
    }
}

fn read_key_file(path: &Path) -> Result<KeyFile, SigningError> {
    let text = fs::read_to_string(path).map_err(|e| HomeError::io(path, e))?;
    toml::from_str(&text).map_err(|e| SigningError::BadFile {
        path: path.to_path_buf(),
        problem: e.message().to_string(),
    })
}

fn own_key_files(home: &Home) -> Result<Vec<(PathBuf, KeyFile)>, SigningError> {
    let dir = keys_dir(home);
    let mut out = Vec::new();
    let rd = match fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(HomeError::io(&dir, e).into()),
    };
    for e in rd.flatten() {
        let p = e.path();
        let is_key = p.extension().is_some_and(|x| x == "toml")
            && p.file_name().is_some_and(|n| n != "trusted.toml");
        if is_key {
            out.push((p.clone(), read_key_file(&p)?));
        }
    }
    out.sort_by(|a, b| a.1.key_id.cmp(&b.1.key_id));
    Ok(out)
}

fn info_of(path: Option<PathBuf>, k: &KeyFile) -> KeyInfo {
    KeyInfo {
        key_id: k.key_id.clone(),
        public_key: k.public_key.clone(),
        name: k.name.clone(),
        email: k.email.clone(),
        created: k.created.clone(),
        storage: if k.secret_key.is_some() {
            Some(KeyStorage::File)
        } else if k.keychain.is_some() {
            Some(KeyStorage::Keychain)
        } else {
            None
        },
        path,
        keychain: k.keychain.clone(),
        storage_note: None,
    }
}

fn add_trusted(
    home: &Home,
    public_key: &str,
    key_id: &str,
    name: &str,
    email: &str,
) -> Result<(), SigningError> {
    let path = trusted_path(home);
    let mut t: TrustFile = read_toml(&path)?;
    if t.keys.contains_key(key_id) {
        return Ok(());
    }
    t.keys.insert(
        key_id.to_string(),
        TrustedEntry {
            public_key: public_key.to_string(),
            name: name.to_string(),
            email: email.to_string(),
            added: Some(timestamp_now()),
        },
    );
    write_trust(&path, &t)
}

fn write_trust(path: &Path, t: &TrustFile) -> Result<(), SigningError> {
    let text = format!(
        "# Public keys whose pack signatures SkillMeat accepts (`skillmeat keys trust|untrust`).\n{}",
        toml::to_string(t).unwrap_or_default()
    );
    atomic_write(path, text.as_bytes())?;
    Ok(())
}

// ---------------------------------------------------------------- operations

/// `keys generate`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// The owner's name, written into signatures.
    pub name: String,
    /// The owner's e-mail, written into signatures.
    pub email: String,
    /// Where the private key goes.
    #[serde(default)]
    pub storage: StorageChoice,
}

/// Makes a new Ed25519 key pair, stores the private key (keychain or 0600 file) and trusts its
/// public key.
pub fn generate(home: &Home, req: GenerateRequest) -> Result<KeyInfo, SigningError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| SigningError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&secret);
    let _lock = home.lock()?;
    store_private(
        home,
        &key,
        &req.name,
        &req.email,
        Some(timestamp_now()),
        req.storage,
    )
}

/// The keychain entry a key of this home is stored under.
fn keychain_ref(home: &Home, key_id: &str) -> KeychainRef {
    let root = std::path::absolute(home.root()).unwrap_or_else(|_| home.root().to_path_buf());
    KeychainRef {
        service: keychain::SERVICE.into(),
        account: format!("{key_id}@{}", root.display()),
    }
}

fn keychain_failed(kf: &KeyFile, r: &KeychainRef, e: KeychainError) -> SigningError {
    SigningError::Keychain {
        key_id: kf.key_id.clone(),
        backend: keychain::backend_name().into(),
        service: r.service.clone(),
        account: r.account.clone(),
        problem: match e {
            KeychainError::NoEntry => "the keychain has no such entry".into(),
            KeychainError::Unavailable(why) => format!("the keychain could not be read ({why})"),
        },
    }
}

/// Stores an own key: the private half in the keychain or the key file, as `choice` says, then
/// the key file, then trust. A keychain entry is only left behind when the key file that points
/// at it was written; a key file's earlier keychain entry is deleted once it is no longer used.
fn store_private(
    home: &Home,
    key: &SigningKey,
    name: &str,
    email: &str,
    created: Option<String>,
    choice: StorageChoice,
) -> Result<KeyInfo, SigningError> {
    let public = key.verifying_key().to_bytes();
    let key_id = key_id_of(&public);
    let secret = B64.encode(key.to_bytes());
    let mut kf = KeyFile {
        key_id: key_id.clone(),
        algorithm: ALGORITHM.into(),
        name: name.into(),
        email: email.into(),
        created,
        public_key: B64.encode(public),
        secret_key: None,
        keychain: None,
    };
    let dir = keys_dir(home);
    create_private_dir_all(&dir)?;
    let path = dir.join(format!("{key_id}.toml"));
    let previous = path
        .exists()
        .then(|| read_key_file(&path).ok())
        .flatten()
        .and_then(|old| old.keychain);

    let mut note = None;
    let wanted = keychain_ref(home, &key_id);
    match choice {
        StorageChoice::File => kf.secret_key = Some(secret),
        StorageChoice::Keychain => {
            keychain::store(&wanted, &secret).map_err(|e| SigningError::KeychainUnavailable {
                backend: keychain::backend_name().into(),
                problem: e.to_string(),
            })?;
            kf.keychain = Some(wanted.clone());
        }
        StorageChoice::Auto if !keychain::compiled_in() => kf.secret_key = Some(secret),
        StorageChoice::Auto => match keychain::store(&wanted, &secret) {
            Ok(()) => kf.keychain = Some(wanted.clone()),
            Err(e) => {
                note = Some(format!(
                    "the OS keychain ({}) could not be used ({e}), so the private key is in a 0600 file",
                    keychain::backend_name()
                ));
                kf.secret_key = Some(secret);
            }
        },
    }
    if let Err(e) = write_key_file(&path, &kf) {
        if kf.keychain.is_some() && previous.as_ref() != Some(&wanted) {
            let _ = keychain::delete(&wanted);
        }
        return Err(e);
    }
    if let Some(old) = previous
        && kf.keychain.as_ref() != Some(&old)
    {
        // The file no longer points at the old entry; a failure here only leaves a copy behind.
        let _ = keychain::delete(&old);
    }
    add_trusted(home, &kf.public_key, &key_id, name, email)?;
    let mut info = info_of(Some(path), &kf);
    info.storage_note = note;
    Ok(info)
}

fn write_key_file(path: &Path, kf: &KeyFile) -> Result<(), SigningError> {
    let header = if kf.secret_key.is_some() {
        "# SkillMeat signing key: keep this file private.\n"
    } else {
        "# SkillMeat signing key: the private half is in the OS keychain (see `keychain`).\n"
    };
    let text = format!("{header}{}", toml::to_string(kf).unwrap_or_default());
    atomic_write_private(path, text.as_bytes())?;
    Ok(())
}

/// The private key of an own key, from its file or the keychain.
fn signing_key_of(path: &Path, kf: &KeyFile) -> Result<SigningKey, SigningError> {
    let secret = match (&kf.secret_key, &kf.keychain) {
        (Some(s), _) => s.clone(),
        (None, Some(r)) => keychain::load(r).map_err(|e| keychain_failed(kf, r, e))?,
        (None, None) => {
            return Err(SigningError::BadFile {
                path: path.to_path_buf(),
                problem: "it has neither `secret_key` nor `keychain`".into(),
            });
        }
    };
    let bytes = B64
        .decode(secret.trim())
        .map_err(|e| SigningError::BadFile {
            path: path.to_path_buf(),
            problem: format!("secret_key is not base64 ({e})"),
        })?;
    let arr: [u8; 32] = bytes.try_into().map_err(|_| SigningError::BadFile {
        path: path.to_path_buf(),
        problem: "secret_key is not 32 bytes".into(),
    })?;
    let key = SigningKey::from_bytes(&arr);
    if B64.encode(key.verifying_key().to_bytes()) != kf.public_key.trim() {
        return Err(SigningError::BadFile {
            path: path.to_path_buf(),
            problem: "the private key does not belong to public_key".into(),
        });
    }
    Ok(key)
}

/// `keys list`: own keys (with a private half) and trusted public keys.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct KeysReport {
    /// Keys this home can sign with.
    pub own: Vec<KeyInfo>,
    /// Public keys whose signatures are accepted.
    pub trusted: Vec<KeyInfo>,
}

/// Lists own and trusted keys.
pub fn list(home: &Home) -> Result<KeysReport, SigningError> {
    let own = own_key_files(home)?
        .into_iter()
        .map(|(p, k)| info_of(Some(p), &k))
        .collect();
    let t: TrustFile = read_toml(&trusted_path(home))?;
    let trusted = t
        .keys
        .into_iter()
        .map(|(id, e)| KeyInfo {
            key_id: id,
            public_key: e.public_key,
            name: e.name,
            email: e.email,
            created: e.added,
            storage: None,
            path: None,
            keychain: None,
            storage_note: None,
        })
        .collect();
    Ok(KeysReport { own, trusted })
}

/// `keys export`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportKeyRequest {
    /// The key id (the only own key when absent).
    #[serde(default)]
    pub key_id: Option<String>,
    /// Include the private key (to move it to another machine).
    #[serde(default)]
    pub private: bool,
}

/// An exported key.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ExportedKey {
    /// The key id.
    pub key_id: String,
    /// The TOML text to hand to `keys import` or `keys trust` elsewhere.
    pub text: String,
}

/// Renders a key as TOML, public half only unless `private`.
pub fn export(home: &Home, req: ExportKeyRequest) -> Result<ExportedKey, SigningError> {
    let (path, mut kf) = pick_own(home, req.key_id.as_deref())?;
    if req.private {
        // An export carries the private key itself, wherever this home keeps it.
        let key = signing_key_of(&path, &kf)?;
        kf.secret_key = Some(B64.encode(key.to_bytes()));
    } else {
        kf.secret_key = None;
    }
    kf.keychain = None;
    Ok(ExportedKey {
        key_id: kf.key_id.clone(),
        text: toml::to_string(&kf).unwrap_or_default(),
    })
}

fn pick_own(home: &Home, id: Option<&str>) -> Result<(PathBuf, KeyFile), SigningError> {
    let mut keys = own_key_files(home)?;
    keys.retain(|(_, k)| k.secret_key.is_some() || k.keychain.is_some());
    let dir = keys_dir(home);
    match id {
        Some(id) => keys
            .into_iter()
            .find(|(_, k)| k.key_id == id || k.key_id.starts_with(id) && id.len() >= 4)
            .ok_or_else(|| SigningError::UnknownKey { id: id.into(), dir }),
        None => match keys.len() {
            0 => Err(SigningError::NoKey { dir }),
            1 => Ok(keys.remove(0)),
            n => Err(SigningError::WhichKey {
                count: n,
                dir,
                ids: keys
                    .iter()
                    .map(|(_, k)| k.key_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        },
    }
}

/// `keys import` / `keys trust`: a key given as exported TOML text or a bare base64 public key.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportKeyRequest {
    /// Exported TOML, or a base64 public key.
    pub text: String,
    /// Where the text came from, for messages.
    pub source: String,
    /// The owner's name (overrides the file's).
    #[serde(default)]
    pub name: Option<String>,
    /// The owner's e-mail (overrides the file's).
    #[serde(default)]
    pub email: Option<String>,
    /// Where an imported private key goes (ignored for public keys).
    #[serde(default)]
    pub storage: StorageChoice,
}

/// Imports a key: with a private half it becomes an own key (and trusted); a public key is
/// trusted.
pub fn import(home: &Home, req: ImportKeyRequest) -> Result<KeyInfo, SigningError> {
    let kf = parse_key_text(&req)?;
    let _lock = home.lock()?;
    if let Some(secret) = &kf.secret_key {
        let bytes = B64
            .decode(secret.trim())
            .map_err(|e| SigningError::BadKey {
                what: req.source.clone(),
                problem: format!("secret_key is not base64 ({e})"),
            })?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| SigningError::BadKey {
            what: req.source.clone(),
            problem: "secret_key is not 32 bytes".into(),
        })?;
        let key = SigningKey::from_bytes(&arr);
        if B64.encode(key.verifying_key().to_bytes()) != kf.public_key {
            return Err(SigningError::BadKey {
                what: req.source.clone(),
                problem: "secret_key does not belong to public_key".into(),
            });
        }
        return store_private(
            home,
            &key,
            &kf.name,
            &kf.email,
            kf.created.clone(),
            req.storage,
        );
    }
    add_trusted(home, &kf.public_key, &kf.key_id, &kf.name, &kf.email)?;
    Ok(info_of(None, &kf))
}

/// Trusts a public key (the private half, if present in the text, is ignored).
pub fn trust(home: &Home, req: ImportKeyRequest) -> Result<KeyInfo, SigningError> {
    let mut kf = parse_key_text(&req)?;
    kf.secret_key = None;
    let _lock = home.lock()?;
    add_trusted(home, &kf.public_key, &kf.key_id, &kf.name, &kf.email)?;
    Ok(info_of(None, &kf))
}

fn parse_key_text(req: &ImportKeyRequest) -> Result<KeyFile, SigningError> {
    let text = req.text.trim();
    let mut kf = if text.contains('=') && text.contains("public_key") {
        toml::from_str::<KeyFile>(text).map_err(|e| SigningError::BadKey {
            what: req.source.clone(),
            problem: e.message().to_string(),
        })?
    } else {
        KeyFile {
            key_id: String::new(),
            algorithm: ALGORITHM.into(),
            name: String::new(),
            email: String::new(),
            created: None,
            public_key: text.to_string(),
            secret_key: None,
            keychain: None,
        }
    };
    if kf.algorithm != ALGORITHM {
        return Err(SigningError::BadKey {
            what: req.source.clone(),
            problem: format!("algorithm `{}` is not ed25519", kf.algorithm),
        });
    }
    let public = decode_public(&kf.public_key, &req.source)?;
    let id = key_id_of(&public);
    if !kf.key_id.is_empty() && kf.key_id != id {
        return Err(SigningError::BadKey {
            what: req.source.clone(),
            problem: format!(
                "key_id `{}` does not match the public key (its id is `{id}`)",
                kf.key_id
            ),
        });
    }
    kf.key_id = id;
    // A key file from this or another home may name its keychain entry; an import never
    // borrows another home's entry.
    kf.keychain = None;
    if let Some(n) = &req.name {
        kf.name = n.clone();
    }
    if let Some(e) = &req.email {
        kf.email = e.clone();
    }
    Ok(kf)
}

/// Stops trusting a key; returns whether it was trusted.
pub fn untrust(home: &Home, key_id: &str) -> Result<bool, SigningError> {
    let _lock = home.lock()?;
    let path = trusted_path(home);
    let mut t: TrustFile = read_toml(&path)?;
    let removed = t.keys.remove(key_id).is_some();
    if removed {
        write_trust(&path, &t)?;
    }
    Ok(removed)
}

/// Deletes an own key: its keychain entry (if any), then its file. Its public key stays trusted
/// until `untrust`. A keychain that cannot be reached stops the removal before anything is
/// deleted, so the private key is never left without the file that finds it.
pub fn remove(home: &Home, key_id: &str) -> Result<KeyInfo, SigningError> {
    let _lock = home.lock()?;
    let (path, kf) = pick_own(home, Some(key_id))?;
    if let Some(r) = &kf.keychain {
        match keychain::delete(r) {
            Ok(()) | Err(KeychainError::NoEntry) => {}
            Err(e) => return Err(keychain_failed(&kf, r, e)),
        }
    }
    fs::remove_file(&path).map_err(|e| HomeError::io(&path, e))?;
    Ok(info_of(Some(path), &kf))
}

/// `keys move`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveKeyRequest {
    /// The key id (or a prefix of at least 4 digits).
    pub key_id: String,
    /// Where the private key should be kept from now on.
    pub to: KeyStorage,
}

/// Moves an own key's private half between its file and the OS keychain. The new place is
/// written and read back before the old one is cleared.
pub fn move_key(home: &Home, req: MoveKeyRequest) -> Result<KeyInfo, SigningError> {
    let _lock = home.lock()?;
    let (path, kf) = pick_own(home, Some(&req.key_id))?;
    let key = signing_key_of(&path, &kf)?;
    let choice = match req.to {
        KeyStorage::File => StorageChoice::File,
        KeyStorage::Keychain => StorageChoice::Keychain,
    };
    store_private(home, &key, &kf.name, &kf.email, kf.created.clone(), choice)
}

/// Whether `key_id` is in `keys/trusted.toml` with this public key.
pub fn is_trusted(home: &Home, key_id: &str, public_key: &str) -> Result<bool, SigningError> {
    let t: TrustFile = read_toml(&trusted_path(home))?;
    Ok(t.keys
        .get(key_id)
        .is_some_and(|e| e.public_key.trim() == public_key.trim()))
}

/// Adds a pack signer to the trust store (`--trust-signer`).
pub fn trust_signer(home: &Home, sig: &PackSignature) -> Result<(), SigningError> {
    add_trusted(
        home,
        &sig.public_key,
        &sig.key_id,
        &sig.signer.name,
        &sig.signer.email,
    )
}

/// Signs `bundle_hash` with an own key (the only one, or `key_id`).
pub fn sign_bundle(
    home: &Home,
    key_id: Option<&str>,
    bundle_hash: &str,
) -> Result<PackSignature, SigningError> {
    let (path, kf) = pick_own(home, key_id)?;
    let key = signing_key_of(&path, &kf)?;
    let public = key.verifying_key().to_bytes();
    let sig = key.sign(&signed_message(bundle_hash));
    Ok(PackSignature {
        algorithm: ALGORITHM.into(),
        key_id: key_id_of(&public),
        public_key: B64.encode(public),
        signature: B64.encode(sig.to_bytes()),
        signer: SignerInfo {
            name: kf.name,
            email: kf.email,
        },
        signed_at: timestamp_now(),
    })
}

/// The exact bytes a pack signature signs.
pub fn signed_message(bundle_hash: &str) -> Vec<u8> {
    let mut m = SIGNED_PREFIX.as_bytes().to_vec();
    m.extend_from_slice(bundle_hash.as_bytes());
    m
}

/// Checks a signature's own consistency (algorithm, key id = hash of the public key) and that it
/// signs `bundle_hash`. Returns what is wrong, as a phrase, when it does not.
pub fn check_signature(sig: &PackSignature, bundle_hash: &str) -> Result<(), String> {
    if sig.algorithm != ALGORITHM {
        return Err(format!("uses algorithm `{}`, not ed25519", sig.algorithm));
    }
    let public = B64
        .decode(sig.public_key.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or("has a public_key that is not 32 bytes of base64")?;
    let id = key_id_of(&public);
    if id != sig.key_id {
        return Err(format!(
            "names key_id `{}` but its public key has id `{id}`",
            sig.key_id
        ));
    }
    let vk = VerifyingKey::from_bytes(&public).map_err(|_| "has an invalid public key")?;
    let bytes = B64
        .decode(sig.signature.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or("has a signature that is not 64 bytes of base64")?;
    vk.verify_strict(&signed_message(bundle_hash), &Signature::from_bytes(&bytes))
        .map_err(|_| format!("does not match the bundle hash {bundle_hash} (key {id})"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_sign_verify_and_trust() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let k = generate(
            &home,
            GenerateRequest {
                name: "Ada".into(),
                email: "ada@example.com".into(),
                storage: StorageChoice::File,
            },
        )
        .unwrap();
        assert_eq!(k.key_id.len(), 16);
        assert_eq!(k.storage, Some(KeyStorage::File));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(k.path.as_ref().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let sig = sign_bundle(&home, None, "sha256:abc").unwrap();
        assert_eq!(sig.key_id, k.key_id);
        check_signature(&sig, "sha256:abc").unwrap();
        let err = check_signature(&sig, "sha256:abd").unwrap_err();
        assert!(err.contains("does not match"), "{err}");
        assert!(is_trusted(&home, &k.key_id, &k.public_key).unwrap());
        let exported = export(&home, ExportKeyRequest::default()).unwrap();
        assert!(!exported.text.contains("secret_key"));
        let other = tempfile::tempdir().unwrap();
        let other = Home::at(other.path());
        let t = trust(
            &other,
            ImportKeyRequest {
                text: exported.text,
                source: "k.toml".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(t.key_id, k.key_id);
        assert!(is_trusted(&other, &k.key_id, &k.public_key).unwrap());
        assert!(untrust(&other, &k.key_id).unwrap());
        assert!(!is_trusted(&other, &k.key_id, &k.public_key).unwrap());
    }
}
