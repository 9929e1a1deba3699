//! The `keys` toolset: your signing keys and the keys you trust, over `signing`. Where a private
//! key goes is the request's `storage`, else the `key-storage` setting. Not offered over MCP.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;
use crate::signing::{
    self, ExportKeyRequest, GenerateRequest, ImportKeyRequest, KeyInfo, KeysReport, MoveKeyRequest,
    StorageChoice,
};

/// The storage a request asks for, else the `key-storage` setting.
fn storage(ctx: &OpContext, asked: Option<StorageChoice>) -> Result<StorageChoice, OpError> {
    match asked {
        Some(s) => Ok(s),
        None => Ok(crate::config::Config::load(ctx.home)?
            .get("key-storage")?
            .value
            .parse::<StorageChoice>()?),
    }
}

/// `keys_list`.
pub struct KeysList;

impl Operation for KeysList {
    const META: OpMeta = OpMeta::reads(
        "keys_list",
        "List keys",
        "keys",
        "List your signing keys (and where each private key is kept) and the public keys you trust.",
    );
    type Request = NoRequest;
    type Report = KeysReport;

    fn run(ctx: &OpContext, _req: NoRequest) -> Result<KeysReport, OpError> {
        Ok(signing::list(ctx.home)?)
    }
}

/// `keys_generate`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeysGenerateRequest {
    /// Your name, written into signatures.
    pub name: String,
    /// Your e-mail, written into signatures.
    pub email: String,
    /// Where the private key goes (the `key-storage` setting when absent).
    #[serde(default)]
    pub storage: Option<StorageChoice>,
}

/// `keys_generate`.
pub struct KeysGenerate;

impl Operation for KeysGenerate {
    const META: OpMeta = OpMeta::writes(
        "keys_generate",
        "Generate a signing key",
        "keys",
        "Make a new Ed25519 signing key, keep its private half in the OS keychain or a 0600 file, and trust its public half.",
    );
    type Request = KeysGenerateRequest;
    type Report = KeyInfo;

    fn run(ctx: &OpContext, req: KeysGenerateRequest) -> Result<KeyInfo, OpError> {
        let storage = storage(ctx, req.storage)?;
        Ok(signing::generate(
            ctx.home,
            GenerateRequest {
                name: req.name,
                email: req.email,
                storage,
            },
        )?)
    }
}

/// `keys_export`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeysExportRequest {
    /// The key id, or a prefix of at least 4 digits (your only key when absent).
    #[serde(default)]
    pub key: Option<String>,
    /// Include the private key (to move it to another machine; keep the file secret).
    #[serde(default)]
    pub private: bool,
    /// Write it to this file (0600 when it holds the private key) instead of returning it.
    #[serde(default)]
    pub output: Option<PathBuf>,
}

/// An exported key.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct KeysExportReport {
    /// The key id.
    pub key_id: String,
    /// Whether the private key is included.
    pub private: bool,
    /// The file it was written to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// The key as TOML text (when it was not written to a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// `keys_export`.
pub struct KeysExport;

impl Operation for KeysExport {
    const META: OpMeta = OpMeta::reads(
        "keys_export",
        "Export a key",
        "keys",
        "Export one of your keys as TOML (the public half unless `private`), for trusting or importing elsewhere.",
    );
    type Request = KeysExportRequest;
    type Report = KeysExportReport;

    fn run(ctx: &OpContext, req: KeysExportRequest) -> Result<KeysExportReport, OpError> {
        let output = req.output.map(|p| ctx.absolute("output", p)).transpose()?;
        let k = signing::export(
            ctx.home,
            ExportKeyRequest {
                key_id: req.key,
                private: req.private,
            },
        )?;
        let Some(path) = output else {
            return Ok(KeysExportReport {
                key_id: k.key_id,
                private: req.private,
                path: None,
                text: Some(k.text),
            });
        };
        if req.private {
            crate::home::atomic_write_private(&path, k.text.as_bytes())?;
        } else {
            crate::home::atomic_write(&path, k.text.as_bytes())?;
        }
        Ok(KeysExportReport {
            key_id: k.key_id,
            private: req.private,
            path: Some(path),
            text: None,
        })
    }
}

/// `keys_import`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeysImportRequest {
    /// A key file written by exporting a key: with the private key it becomes yours; a public
    /// key is trusted.
    pub file: PathBuf,
    /// Where an imported private key goes (the `key-storage` setting when absent).
    #[serde(default)]
    pub storage: Option<StorageChoice>,
}

/// `keys_import`.
pub struct KeysImport;

impl Operation for KeysImport {
    const META: OpMeta = OpMeta::writes(
        "keys_import",
        "Import a key",
        "keys",
        "Import a key file: one holding a private key becomes one of your signing keys (and trusted); a public key is trusted.",
    )
    .idempotent();
    type Request = KeysImportRequest;
    type Report = KeyInfo;

    fn run(ctx: &OpContext, req: KeysImportRequest) -> Result<KeyInfo, OpError> {
        let file = ctx.absolute("file", req.file)?;
        let text = read_text(&file)?;
        let storage = storage(ctx, req.storage)?;
        Ok(signing::import(
            ctx.home,
            ImportKeyRequest {
                text,
                source: file.display().to_string(),
                name: None,
                email: None,
                storage,
            },
        )?)
    }
}

/// A file's text, or the sentence saying why it cannot be read.
fn read_text(path: &Path) -> Result<String, OpError> {
    std::fs::read_to_string(path).map_err(|e| {
        OpError::new(
            crate::hint::io_kind(&e),
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// `keys_move`.
pub struct KeysMove;

impl Operation for KeysMove {
    const META: OpMeta = OpMeta::writes(
        "keys_move",
        "Move a private key",
        "keys",
        "Move one of your private keys into the OS keychain, or back into its 0600 file.",
    )
    .idempotent();
    type Request = MoveKeyRequest;
    type Report = KeyInfo;

    fn run(ctx: &OpContext, req: MoveKeyRequest) -> Result<KeyInfo, OpError> {
        Ok(signing::move_key(ctx.home, req)?)
    }
}

/// `keys_trust`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeysTrustRequest {
    /// A key file written by exporting a key, or a base64 Ed25519 public key.
    pub key: String,
    /// The owner's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The owner's e-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// `keys_trust`.
pub struct KeysTrust;

impl Operation for KeysTrust {
    const META: OpMeta = OpMeta::writes(
        "keys_trust",
        "Trust a key",
        "keys",
        "Trust a public key, so packs it signs verify and import without asking.",
    )
    .idempotent();
    type Request = KeysTrustRequest;
    type Report = KeyInfo;

    fn run(ctx: &OpContext, req: KeysTrustRequest) -> Result<KeyInfo, OpError> {
        // A key file when one is there (relative to the working folder), else the key itself.
        let file = match &ctx.cwd {
            Some(cwd) => Some(cwd.join(&req.key)),
            None => Some(PathBuf::from(&req.key)).filter(|p| p.is_absolute()),
        }
        .filter(|p| p.is_file());
        let (text, source) = match file {
            Some(p) => (read_text(&p)?, p.display().to_string()),
            None => (req.key.clone(), "the key given".to_string()),
        };
        Ok(signing::trust(
            ctx.home,
            ImportKeyRequest {
                text,
                source,
                name: req.name,
                email: req.email,
                storage: StorageChoice::File,
            },
        )?)
    }
}

/// A request that names one key.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyIdRequest {
    /// The key id.
    pub key_id: String,
}

/// What `keys_untrust` did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UntrustReport {
    /// The key no longer trusted.
    pub untrusted: String,
}

/// `keys_untrust`.
pub struct KeysUntrust;

impl Operation for KeysUntrust {
    const META: OpMeta = OpMeta::writes(
        "keys_untrust",
        "Stop trusting a key",
        "keys",
        "Stop trusting a public key: packs it signs are refused until it is trusted again.",
    )
    .destructive();
    type Request = KeyIdRequest;
    type Report = UntrustReport;

    fn run(ctx: &OpContext, req: KeyIdRequest) -> Result<UntrustReport, OpError> {
        if !signing::untrust(ctx.home, &req.key_id)? {
            return Err(OpError::new(
                ErrorKind::NotFound,
                format!("key {} is not in the trusted keys", req.key_id),
            )
            .fix(Fix::op("keys_list").why("to see the keys")));
        }
        Ok(UntrustReport {
            untrusted: req.key_id,
        })
    }
}

/// `keys_remove`.
pub struct KeysRemove;

impl Operation for KeysRemove {
    const META: OpMeta = OpMeta::writes(
        "keys_remove",
        "Delete a signing key",
        "keys",
        "Delete one of your signing keys (its keychain entry and file). Packs it signed stay valid; its public key stays trusted until untrusted.",
    )
    .destructive();
    type Request = KeyIdRequest;
    type Report = KeyInfo;

    fn run(ctx: &OpContext, req: KeyIdRequest) -> Result<KeyInfo, OpError> {
        Ok(signing::remove(ctx.home, &req.key_id)?)
    }
}
