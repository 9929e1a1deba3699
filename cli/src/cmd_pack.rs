//! `skillmeat bundle …`, `skillmeat keys …` and `skillmeat vault …`: the clap definitions, one
//! registry call each (the `pack` and `keys` operations of `skillmeat_core::op`) and the text
//! rendering of their reports (`--json` prints the report types themselves). The one prompt:
//! whether to trust a pack's unknown signer (planned with a dry run, asked, then imported with
//! the explicit decision).

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use skillmeat_core::ArtifactKind;
use skillmeat_core::op::{self, Hint, OpContext};
use skillmeat_core::pack::{self, SignatureStatus, Strategy, VerifyLimits};
use skillmeat_core::signing::{self, KeyInfo, KeyStorage, MoveKeyRequest, StorageChoice};
use skillmeat_core::vault;

use crate::output::{Out, clip};
use crate::{call, hints, try_call};

// Parsed once per run, so the size of the export arguments does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum BundleCmd {
    /// Write a signed, deterministic .skillmeat-pack of artifacts
    Export(ExportArgs),
    /// Show what a pack holds (after verifying it)
    Inspect {
        /// The pack file
        file: PathBuf,
        /// List every file with its hash and size
        #[arg(long)]
        files: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Verify a pack: archive safety, file hashes, bundle hash, signature and trust
    Verify {
        /// The pack file
        file: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Import a pack's artifacts into the collection
    Import {
        /// The pack file
        file: PathBuf,
        /// What to do with artifacts already in the collection with other content
        #[arg(long, value_enum, default_value = "merge")]
        strategy: StrategyArg,
        /// Show the plan, change nothing
        #[arg(long)]
        dry_run: bool,
        /// Trust the pack's signer (adds its key to keys/trusted.toml)
        #[arg(long)]
        trust_signer: bool,
        /// Import even when packs this one needs are not in the collection
        #[arg(long)]
        ignore_dependencies: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StrategyArg {
    /// Replace the collection's copy
    Merge,
    /// Add the pack's copy as <name>-2, <name>-3, …
    Fork,
    /// Keep the collection's copy
    Skip,
}

/// Archive limits checked before anything is inflated.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Most entries the archive may hold
    #[arg(long, value_name = "N")]
    max_entries: Option<u64>,
    /// Largest inflated size of one file, in bytes
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Largest inflated size of all files, in bytes
    #[arg(long, value_name = "BYTES")]
    max_total_size: Option<u64>,
    /// Highest inflated/compressed ratio of one entry
    #[arg(long, value_name = "N")]
    max_ratio: Option<u64>,
}

impl LimitArgs {
    fn limits(&self) -> VerifyLimits {
        let d = VerifyLimits::default();
        VerifyLimits {
            max_entries: self.max_entries.unwrap_or(d.max_entries),
            max_file_size: self.max_file_size.unwrap_or(d.max_file_size),
            max_total_size: self.max_total_size.unwrap_or(d.max_total_size),
            max_ratio: self.max_ratio.unwrap_or(d.max_ratio),
        }
    }
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Artifacts to export, by name or alias
    names: Vec<String>,
    /// Export every artifact of the collection
    #[arg(long)]
    all: bool,
    /// Export every artifact of this kind (or: the kind of the NAMES)
    #[arg(long, short = 'k')]
    kind: Option<ArtifactKind>,
    /// Export every artifact with this tag
    #[arg(long, short = 't')]
    tag: Option<String>,
    /// The pack file to write
    #[arg(long, short = 'o', value_name = "FILE")]
    output: PathBuf,
    /// The pack's name [default: the collection's]
    #[arg(long)]
    name: Option<String>,
    /// The pack's semver version [default: 0.1.0]
    #[arg(long = "version", value_name = "SEMVER")]
    pack_version: Option<String>,
    /// What the pack is for
    #[arg(long)]
    description: Option<String>,
    /// Who made it [default: the signing key's owner]
    #[arg(long)]
    author: Option<String>,
    /// SPDX license expression [default: NOASSERTION]
    #[arg(long)]
    license: Option<String>,
    /// Labels for the pack (comma-separated or repeated)
    #[arg(long, value_delimiter = ',')]
    tags: Vec<String>,
    /// A web page about the pack
    #[arg(long)]
    homepage: Option<String>,
    /// Its source repository
    #[arg(long)]
    repository: Option<String>,
    /// Another pack this one needs, NAME@REQUIREMENT such as team-base@^1.2 (repeatable);
    /// import refuses the pack until it is in the collection
    #[arg(long, value_name = "NAME@REQ")]
    requires: Vec<String>,
    /// Sign the pack with your key
    #[arg(long)]
    sign: bool,
    /// The key to sign with (see `skillmeat keys list`)
    #[arg(long, requires = "sign", value_name = "ID")]
    key: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Make a new Ed25519 signing key (and trust it)
    Generate {
        /// Your name, written into signatures
        #[arg(long)]
        name: String,
        /// Your e-mail, written into signatures
        #[arg(long)]
        email: String,
        /// Where the private key goes [default: the `key-storage` setting, auto]
        #[arg(long, value_enum, env = "SKILLMEAT_KEY_STORAGE")]
        storage: Option<StorageArg>,
    },
    /// List your signing keys (and where each private key is kept) and the keys you trust
    List,
    /// Print a key (public half unless --private) for `keys trust` or `keys import` elsewhere
    Export {
        /// The key id [default: your only key]
        id: Option<String>,
        /// Include the private key (to move it to another machine; keep the file secret)
        #[arg(long)]
        private: bool,
        /// Write to this file instead of stdout
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Import a key file written by `keys export` (a private key becomes yours)
    Import {
        /// The key file
        file: PathBuf,
        /// Where an imported private key goes [default: the `key-storage` setting, auto]
        #[arg(long, value_enum, env = "SKILLMEAT_KEY_STORAGE")]
        storage: Option<StorageArg>,
    },
    /// Move one of your private keys into the OS keychain or back into its 0600 file
    Move {
        /// The key id
        id: String,
        /// Where to keep it from now on
        #[arg(long, value_enum)]
        to: MoveTo,
    },
    /// Trust a public key: a file written by `keys export`, or a base64 key
    Trust {
        /// The key file or base64 public key
        key: String,
        /// The owner's name
        #[arg(long)]
        name: Option<String>,
        /// The owner's e-mail
        #[arg(long)]
        email: Option<String>,
    },
    /// Stop trusting a key
    Untrust {
        /// The key id
        id: String,
    },
    /// Delete one of your signing keys
    Remove {
        /// The key id
        id: String,
    },
}

/// Where a private key goes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StorageArg {
    /// The OS keychain when one is reachable, otherwise a 0600 file
    Auto,
    /// The OS keychain, or fail
    Keychain,
    /// A 0600 file under <home>/keys/
    File,
}

/// Where `keys move` puts a private key.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MoveTo {
    /// The OS keychain
    Keychain,
    /// A 0600 file under <home>/keys/
    File,
}

/// The flag (or SKILLMEAT_KEY_STORAGE, which clap folds into it); core falls back to the
/// `key-storage` setting.
fn storage_choice(arg: Option<StorageArg>) -> Option<StorageChoice> {
    arg.map(|a| match a {
        StorageArg::Auto => StorageChoice::Auto,
        StorageArg::Keychain => StorageChoice::Keychain,
        StorageArg::File => StorageChoice::File,
    })
}

#[derive(Debug, Subcommand)]
pub enum VaultCmd {
    /// Add a vault to sharing.toml
    Add {
        /// Its name
        name: String,
        /// local (a folder), git (a repository URL) or s3 (a bucket)
        #[arg(long = "type", value_enum)]
        kind: VaultKindArg,
        /// local: the folder
        #[arg(long)]
        path: Option<PathBuf>,
        /// git: the repository URL; s3: the endpoint URL (S3-compatible servers)
        #[arg(long)]
        url: Option<String>,
        /// git: the branch [default: main]
        #[arg(long)]
        branch: Option<String>,
        /// s3: the bucket
        #[arg(long)]
        bucket: Option<String>,
        /// s3: the region [default: us-east-1]
        #[arg(long)]
        region: Option<String>,
        /// git, s3: a folder inside the repository or bucket
        #[arg(long)]
        prefix: Option<String>,
    },
    /// List the vaults
    List,
    /// Remove a vault from sharing.toml (its packs stay where they are)
    Remove {
        /// Its name
        name: String,
    },
    /// Upload a pack to a vault (it is verified first)
    Push {
        /// The vault
        vault: String,
        /// The pack file
        file: PathBuf,
    },
    /// Download a pack from a vault (it is verified after download)
    Pull {
        /// The vault
        vault: String,
        /// The pack's file name in the vault
        pack: String,
        /// Where to write it [default: the pack's file name in the current folder]
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List the packs in a vault
    Ls {
        /// The vault
        vault: String,
    },
    /// Delete a pack from a vault
    Delete {
        /// The vault
        vault: String,
        /// The pack's file name in the vault
        pack: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VaultKindArg {
    Local,
    Git,
    S3,
}

fn sig_line(s: &SignatureStatus) -> String {
    match s {
        SignatureStatus::Unsigned => "unsigned".into(),
        SignatureStatus::Trusted { signer, who } => format!("signed by {signer} ({who}), trusted"),
        SignatureStatus::Untrusted { signer, who } => {
            format!("signed by {signer} ({who}), NOT trusted")
        }
    }
}

pub fn bundle(ctx: &OpContext, out: &Out, cmd: BundleCmd) -> Result<()> {
    match cmd {
        BundleCmd::Export(a) => {
            let r = call::<op::PackExport>(
                ctx,
                pack::ExportRequest {
                    collection: None,
                    names: a.names,
                    all: a.all,
                    kind: a.kind,
                    tag: a.tag,
                    output: a.output,
                    name: a.name,
                    version: a.pack_version,
                    description: a.description,
                    author: a.author,
                    license: a.license,
                    tags: a.tags,
                    homepage: a.homepage,
                    repository: a.repository,
                    sign: a.sign,
                    key: a.key,
                    requires: a.requires,
                },
            )?;
            out.emit_str(&r, || {
                format!(
                    "Wrote {} ({} {}): {} artifact{}, {} files, {} bytes\n  bundle hash {}\n  {}",
                    r.path.display(),
                    r.name,
                    r.version,
                    r.artifacts,
                    if r.artifacts == 1 { "" } else { "s" },
                    r.files,
                    r.bytes,
                    r.bundle_hash,
                    match &r.signer {
                        Some(s) => format!("signed by {s}"),
                        None => "unsigned (pass --sign to sign it)".into(),
                    }
                )
            })
        }
        BundleCmd::Inspect {
            file,
            files,
            limits,
        } => {
            let r = call::<op::PackInspect>(
                ctx,
                pack::InspectRequest {
                    path: file,
                    limits: limits.limits(),
                },
            )?;
            out.emit_str(&r, || {
                let mut s = format!(
                    "{} {} ({:?})\n  {}\n  author: {}  license: {}\n  created: {}\n  bundle hash: {}\n  {}\n",
                    r.name,
                    r.version,
                    r.format,
                    if r.description.is_empty() {
                        "(no description)"
                    } else {
                        &r.description
                    },
                    if r.author.is_empty() { "-" } else { &r.author },
                    r.license,
                    r.created_at,
                    r.bundle_hash,
                    sig_line(&r.signature)
                );
                if !r.tags.is_empty() {
                    s.push_str(&format!("  tags: {}\n", r.tags.join(", ")));
                }
                if !r.dependencies.is_empty() {
                    let d: Vec<String> = r
                        .dependencies
                        .iter()
                        .map(|d| format!("{} {}", d.name, d.version))
                        .collect();
                    s.push_str(&format!("  needs packs: {}\n", d.join(", ")));
                }
                s.push_str(&format!("{} artifacts:\n", r.artifacts.len()));
                for a in &r.artifacts {
                    s.push_str(&format!(
                        "  {:<8} {:<32} {}{}\n",
                        a.kind.as_str(),
                        a.name,
                        a.version,
                        a.description
                            .as_ref()
                            .map(|d| format!("  {}", clip(d, 60)))
                            .unwrap_or_default()
                    ));
                    if files {
                        for f in &a.files {
                            s.push_str(&format!(
                                "      {} {:>9} {}{}\n",
                                &f.sha256[..12.min(f.sha256.len())],
                                f.size,
                                f.path,
                                if f.executable { " (executable)" } else { "" }
                            ));
                        }
                    }
                }
                s
            })
        }
        BundleCmd::Verify { file, limits } => {
            let r = call::<op::PackVerify>(
                ctx,
                pack::VerifyRequest {
                    path: file,
                    limits: limits.limits(),
                },
            )?;
            out.emit_str(&r, || {
                format!(
                    "OK {}: {} {} — {} artifacts, {} files, {} bytes; bundle hash {}; {}",
                    r.path.display(),
                    r.name,
                    r.version,
                    r.artifacts,
                    r.files,
                    r.bytes,
                    r.bundle_hash,
                    sig_line(&r.signature)
                )
            })
        }
        BundleCmd::Import {
            file,
            strategy,
            dry_run,
            trust_signer,
            ignore_dependencies,
            limits,
        } => {
            let mut req = pack::ImportRequest {
                collection: None,
                path: file,
                strategy: match strategy {
                    StrategyArg::Merge => Strategy::Merge,
                    StrategyArg::Fork => Strategy::Fork,
                    StrategyArg::Skip => Strategy::Skip,
                },
                dry_run,
                trust_signer,
                limits: limits.limits(),
                ignore_dependencies,
            };
            // An unknown signer is asked about on a terminal: plan with a dry run; when the
            // plan is refused for the signer alone, ask, then import with the decision.
            let interactive = !out.is_json()
                && !req.trust_signer
                && std::io::stdin().is_terminal()
                && std::io::stderr().is_terminal();
            if interactive {
                let plan = pack::ImportRequest {
                    dry_run: true,
                    ..req.clone()
                };
                if let Err(e) = try_call::<op::PackImport>(ctx, plan) {
                    let asks_trust = e.fixes.iter().any(
                        |f| matches!(&f.hint, Hint::Param { name, .. } if name == "trust_signer"),
                    );
                    if !asks_trust {
                        anyhow::bail!(hints::render(&e));
                    }
                    if !crate::confirm(&format!("{}. Trust it?", e.message))? {
                        anyhow::bail!(
                            "not importing: the signer is not trusted; pass --trust-signer to trust it"
                        );
                    }
                    req.trust_signer = true;
                }
            }
            let r = call::<op::PackImport>(ctx, req)?;
            out.emit_str(&r, || {
                let mut s = format!(
                    "{} {} {} into `{}` ({})\n",
                    if r.dry_run {
                        "Would import"
                    } else {
                        "Imported"
                    },
                    r.pack,
                    r.version,
                    r.collection,
                    sig_line(&r.signature)
                );
                for i in &r.items {
                    let word = match i.action {
                        pack::ImportAction::Added => "+ added",
                        pack::ImportAction::Replaced => "~ replaced",
                        pack::ImportAction::Forked => "+ forked",
                        pack::ImportAction::Skipped => "- skipped",
                        pack::ImportAction::Unchanged => "= unchanged",
                    };
                    let name = if i.as_name != i.name {
                        format!("{} as {}", i.name, i.as_name)
                    } else {
                        i.name.clone()
                    };
                    s.push_str(&format!("  {word:<12} {:<8} {name}\n", i.kind.as_str()));
                }
                for d in &r.unmet_dependencies {
                    s.push_str(&format!(
                        "warning: it needs pack `{}` {}, which the collection does not have (--ignore-dependencies)\n",
                        d.name, d.version
                    ));
                }
                if let Some(id) = &r.snapshot {
                    s.push_str(&format!(
                        "Snapshot {id} holds the replaced copies (`skillmeat snapshot restore {id}`)\n"
                    ));
                }
                s
            })
        }
    }
}

fn key_line(k: &KeyInfo) -> String {
    format!(
        "{}  {}{}{}",
        k.key_id,
        k.name,
        if k.email.is_empty() {
            String::new()
        } else {
            format!(" <{}>", k.email)
        },
        match (&k.storage, &k.path, &k.keychain) {
            (Some(KeyStorage::Keychain), _, Some(r)) => format!(
                "  [keychain: {}, service {}, account {}]",
                signing::keychain::backend_name(),
                r.service,
                r.account
            ),
            (Some(_), Some(p), _) => format!("  [file {}]", p.display()),
            _ => String::new(),
        }
    )
}

/// A generated or imported own key, with the reason it is not in the keychain when auto storage
/// fell back to the file.
fn stored_line(verb: &str, k: &KeyInfo) -> String {
    match &k.storage_note {
        Some(note) => format!("{verb} {}\nnote: {note}", key_line(k)),
        None => format!("{verb} {}", key_line(k)),
    }
}

pub fn keys(ctx: &OpContext, out: &Out, yes: bool, cmd: KeysCmd) -> Result<()> {
    match cmd {
        KeysCmd::Generate {
            name,
            email,
            storage,
        } => {
            let req = op::KeysGenerateRequest {
                name,
                email,
                storage: storage_choice(storage),
            };
            let k = call::<op::KeysGenerate>(ctx, req)?;
            out.emit_str(&k, || stored_line("Generated key", &k))
        }
        KeysCmd::List => {
            let r = call::<op::KeysList>(ctx, op::NoRequest {})?;
            out.emit_str(&r, || {
                let mut s = String::from("Your signing keys (where each private key is kept):\n");
                if r.own.is_empty() {
                    s.push_str("  none — create one with `skillmeat keys generate`\n");
                }
                for k in &r.own {
                    s.push_str(&format!("  {}\n", key_line(k)));
                }
                s.push_str("Trusted keys:\n");
                if r.trusted.is_empty() {
                    s.push_str("  none\n");
                }
                for k in &r.trusted {
                    s.push_str(&format!("  {}\n", key_line(k)));
                }
                s
            })
        }
        KeysCmd::Export {
            id,
            private,
            output,
        } => {
            let req = op::KeysExportRequest {
                key: id,
                private,
                output,
            };
            let r = call::<op::KeysExport>(ctx, req)?;
            out.emit_str(&r, || match (&r.path, &r.text) {
                (Some(p), _) => format!("Wrote key {} to {}", r.key_id, p.display()),
                (None, Some(text)) => text.clone(),
                (None, None) => String::new(),
            })
        }
        KeysCmd::Import { file, storage } => {
            let req = op::KeysImportRequest {
                file,
                storage: storage_choice(storage),
            };
            let k = call::<op::KeysImport>(ctx, req)?;
            out.emit_str(&k, || {
                if k.storage.is_some() {
                    stored_line("Imported signing key", &k)
                } else {
                    format!("Now trusting {}", key_line(&k))
                }
            })
        }
        KeysCmd::Trust { key, name, email } => {
            let k = call::<op::KeysTrust>(ctx, op::KeysTrustRequest { key, name, email })?;
            out.emit_str(&k, || format!("Now trusting {}", key_line(&k)))
        }
        KeysCmd::Untrust { id } => {
            let r = call::<op::KeysUntrust>(ctx, op::KeyIdRequest { key_id: id })?;
            out.emit_str(&r, || format!("No longer trusting {}", r.untrusted))
        }
        KeysCmd::Remove { id } => {
            if !yes
                && !crate::confirm(&format!(
                    "Delete signing key {id}? Packs it signed stay valid, but you cannot sign with it again."
                ))?
            {
                anyhow::bail!("not deleting key {id}; pass --yes to delete without asking");
            }
            let k = call::<op::KeysRemove>(ctx, op::KeyIdRequest { key_id: id })?;
            out.emit_str(&k, || format!("Deleted signing key {}", k.key_id))
        }
        KeysCmd::Move { id, to } => {
            let to = match to {
                MoveTo::Keychain => KeyStorage::Keychain,
                MoveTo::File => KeyStorage::File,
            };
            let k = call::<op::KeysMove>(ctx, MoveKeyRequest { key_id: id, to })?;
            out.emit_str(&k, || format!("Moved key {}", key_line(&k)))
        }
    }
}

pub fn vault(ctx: &OpContext, out: &Out, cmd: VaultCmd) -> Result<()> {
    match cmd {
        VaultCmd::Add {
            name,
            kind,
            path,
            url,
            branch,
            bucket,
            region,
            prefix,
        } => {
            let config = match kind {
                VaultKindArg::Local => vault::VaultConfig::Local {
                    path: path.context("a local vault needs --path FOLDER")?,
                },
                VaultKindArg::Git => vault::VaultConfig::Git {
                    url: url.context("a git vault needs --url REPOSITORY")?,
                    branch,
                    prefix,
                },
                VaultKindArg::S3 => vault::VaultConfig::S3 {
                    bucket: bucket.context("an s3 vault needs --bucket NAME")?,
                    endpoint: url,
                    region,
                    prefix,
                },
            };
            let r = call::<op::VaultAdd>(ctx, op::VaultAddRequest { name, config })?;
            out.emit_str(&r, || format!("Added vault `{}` ({})", r.name, r.location))
        }
        VaultCmd::List => {
            let r = call::<op::VaultList>(ctx, op::NoRequest {})?;
            out.emit_str(&r, || {
                if r.vaults.is_empty() {
                    return "No vaults; add one with `skillmeat vault add NAME --type local|git|s3 …`".into();
                }
                r.vaults
                    .iter()
                    .map(|v| format!("{:<16} {:<6} {}", v.name, v.kind, v.location))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        VaultCmd::Remove { name } => {
            let r = call::<op::VaultRemove>(ctx, op::VaultNameRequest { vault: name })?;
            out.emit_str(&r, || format!("Removed vault `{}`", r.name))
        }
        VaultCmd::Push { vault: v, file } => {
            let r = call::<op::VaultPush>(ctx, op::VaultPushRequest { vault: v, file })?;
            out.emit_str(&r, || {
                format!(
                    "Pushed {} to vault `{}` ({} bytes)",
                    r.pack, r.vault, r.bytes
                )
            })
        }
        VaultCmd::Pull {
            vault: v,
            pack,
            output,
        } => {
            let shown = output.clone().unwrap_or_else(|| PathBuf::from(&pack));
            let req = op::VaultPullRequest {
                vault: v,
                pack,
                output,
            };
            let r = call::<op::VaultPull>(ctx, req)?;
            out.emit_str(&r, || {
                format!(
                    "Pulled {} from vault `{}` to {} ({} bytes, verified)",
                    r.pack,
                    r.vault,
                    shown.display(),
                    r.bytes
                )
            })
        }
        VaultCmd::Ls { vault: v } => {
            let r = call::<op::VaultLs>(ctx, op::VaultNameRequest { vault: v })?;
            out.emit_str(&r, || {
                if r.packs.is_empty() {
                    return format!("Vault `{}` holds no packs", r.vault);
                }
                r.packs
                    .iter()
                    .map(|p| format!("{:<48} {:>10}", p.name, p.bytes))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        VaultCmd::Delete { vault: v, pack } => {
            let r = call::<op::VaultDelete>(ctx, op::VaultPackRequest { vault: v, pack })?;
            out.emit_str(&r, || {
                format!("Deleted {} from vault `{}`", r.pack, r.vault)
            })
        }
    }
}
