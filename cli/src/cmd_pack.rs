//! `skillmeat bundle …`, `skillmeat keys …` and `skillmeat vault …`: the clap definitions, the
//! dispatch into `skillmeat_core::{pack, signing, vault}` and the text rendering of their reports
//! (`--json` prints the report types themselves).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use skillmeat_core::pack::{self, PackError, SignatureStatus, Strategy, VerifyLimits};
use skillmeat_core::signing::{self, KeyInfo, KeyStorage, StorageChoice};
use skillmeat_core::vault;
use skillmeat_core::{ArtifactKind, Home};

use crate::Global;

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

/// The flag (or SKILLMEAT_KEY_STORAGE, which clap folds into it), else the `key-storage` setting.
fn storage_choice(home: &Home, arg: Option<StorageArg>) -> Result<StorageChoice> {
    Ok(match arg {
        Some(StorageArg::Auto) => StorageChoice::Auto,
        Some(StorageArg::Keychain) => StorageChoice::Keychain,
        Some(StorageArg::File) => StorageChoice::File,
        None => skillmeat_core::config::Config::load(home)?
            .get("key-storage")?
            .value
            .parse()?,
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

/// Prints `v` as JSON with `--json`, else the text `text()` makes (unless `--quiet`).
fn emit<T: Serialize>(g: &Global, v: &T, text: impl FnOnce() -> String) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    if g.json {
        serde_json::to_writer_pretty(&mut stdout, v)?;
        writeln!(stdout)?;
    } else if !g.quiet {
        let t = text();
        if !t.is_empty() {
            writeln!(stdout, "{}", t.trim_end())?;
        }
    }
    Ok(())
}

/// The first `max` characters of `s`, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
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

pub fn bundle(g: &Global, home: &Home, cmd: BundleCmd) -> Result<()> {
    match cmd {
        BundleCmd::Export(a) => {
            let r = pack::export(
                home,
                pack::ExportRequest {
                    collection: g.collection.clone(),
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
            emit(g, &r, || {
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
            let r = pack::inspect(
                home,
                pack::InspectRequest {
                    path: file,
                    limits: limits.limits(),
                },
            )?;
            emit(g, &r, || {
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
            let r = pack::verify(
                home,
                pack::VerifyRequest {
                    path: file,
                    limits: limits.limits(),
                },
            )?;
            emit(g, &r, || {
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
                collection: g.collection.clone(),
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
            let r = match pack::import(home, req.clone()) {
                Err(PackError::Untrusted { key_id, signer, .. })
                    if !g.json
                        && std::io::stdin().is_terminal()
                        && std::io::stderr().is_terminal() =>
                {
                    if !crate::confirm(&format!(
                        "The pack is signed by key {key_id} ({signer}), which you do not trust yet. Trust it?"
                    ))? {
                        anyhow::bail!(
                            "not importing: the signer {key_id} is not trusted; pass --trust-signer to trust it"
                        );
                    }
                    req.trust_signer = true;
                    pack::import(home, req)?
                }
                other => other?,
            };
            emit(g, &r, || {
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

fn read_arg_file(p: &PathBuf) -> Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
}

pub fn keys(g: &Global, home: &Home, cmd: KeysCmd) -> Result<()> {
    match cmd {
        KeysCmd::Generate {
            name,
            email,
            storage,
        } => {
            let storage = storage_choice(home, storage)?;
            let k = signing::generate(
                home,
                signing::GenerateRequest {
                    name,
                    email,
                    storage,
                },
            )?;
            emit(g, &k, || stored_line("Generated key", &k))
        }
        KeysCmd::List => {
            let r = signing::list(home)?;
            emit(g, &r, || {
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
            let r = signing::export(
                home,
                signing::ExportKeyRequest {
                    key_id: id,
                    private,
                },
            )?;
            match output {
                Some(p) => {
                    if private {
                        skillmeat_core::home::atomic_write_private(&p, r.text.as_bytes())?;
                    } else {
                        std::fs::write(&p, &r.text)
                            .with_context(|| format!("writing {}", p.display()))?;
                    }
                    emit(g, &r, || {
                        format!("Wrote key {} to {}", r.key_id, p.display())
                    })
                }
                None => emit(g, &r, || r.text.clone()),
            }
        }
        KeysCmd::Import { file, storage } => {
            let storage = storage_choice(home, storage)?;
            let text = read_arg_file(&file)?;
            let k = signing::import(
                home,
                signing::ImportKeyRequest {
                    text,
                    source: file.display().to_string(),
                    name: None,
                    email: None,
                    storage,
                },
            )?;
            emit(g, &k, || {
                if k.storage.is_some() {
                    stored_line("Imported signing key", &k)
                } else {
                    format!("Now trusting {}", key_line(&k))
                }
            })
        }
        KeysCmd::Trust { key, name, email } => {
            let p = PathBuf::from(&key);
            let (text, source) = if p.is_file() {
                (read_arg_file(&p)?, p.display().to_string())
            } else {
                (key.clone(), "the key given".to_string())
            };
            let k = signing::trust(
                home,
                signing::ImportKeyRequest {
                    text,
                    source,
                    name,
                    email,
                    storage: StorageChoice::File,
                },
            )?;
            emit(g, &k, || format!("Now trusting {}", key_line(&k)))
        }
        KeysCmd::Untrust { id } => {
            let removed = signing::untrust(home, &id)?;
            if !removed {
                anyhow::bail!("key {id} is not in the trusted keys; see `skillmeat keys list`");
            }
            emit(g, &serde_json::json!({"untrusted": id}), || {
                format!("No longer trusting {id}")
            })
        }
        KeysCmd::Remove { id } => {
            if !g.yes
                && !crate::confirm(&format!(
                    "Delete signing key {id}? Packs it signed stay valid, but you cannot sign with it again."
                ))?
            {
                anyhow::bail!("not deleting key {id}; pass --yes to delete without asking");
            }
            let k = signing::remove(home, &id)?;
            emit(g, &k, || format!("Deleted signing key {}", k.key_id))
        }
        KeysCmd::Move { id, to } => {
            let to = match to {
                MoveTo::Keychain => KeyStorage::Keychain,
                MoveTo::File => KeyStorage::File,
            };
            let k = signing::move_key(home, signing::MoveKeyRequest { key_id: id, to })?;
            emit(g, &k, || format!("Moved key {}", key_line(&k)))
        }
    }
}

pub fn vault(g: &Global, home: &Home, cmd: VaultCmd) -> Result<()> {
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
            let r = vault::add(home, &name, config)?;
            emit(g, &r, || {
                format!("Added vault `{}` ({})", r.name, r.location)
            })
        }
        VaultCmd::List => {
            let r = vault::list(home)?;
            emit(g, &r, || {
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
            let r = vault::remove(home, &name)?;
            emit(g, &r, || format!("Removed vault `{}`", r.name))
        }
        VaultCmd::Push { vault: v, file } => {
            let r = vault::push(home, &v, &file)?;
            emit(g, &r, || {
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
            let out = output.unwrap_or_else(|| PathBuf::from(&pack));
            let r = vault::pull(home, &v, &pack, &out)?;
            emit(g, &r, || {
                format!(
                    "Pulled {} from vault `{}` to {} ({} bytes, verified)",
                    r.pack,
                    r.vault,
                    out.display(),
                    r.bytes
                )
            })
        }
        VaultCmd::Ls { vault: v } => {
            let r = vault::ls(home, &v)?;
            emit(g, &r, || {
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
            let r = vault::delete(home, &v, &pack)?;
            emit(g, &r, || {
                format!("Deleted {} from vault `{}`", r.pack, r.vault)
            })
        }
    }
}
