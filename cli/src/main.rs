//! The `skillmeat` binary: a clap front end over `skillmeat-core`. Each subcommand builds one
//! typed request, calls one core operation and prints its report (as text, or as JSON with
//! `--json`). Prompts live here and only here. Exit codes: 0 ok, 1 failure, 2 usage.

mod cmd_check;
mod cmd_deploy;
mod cmd_lsp;
mod cmd_mcp;
mod cmd_pack;
mod cmd_token;
mod output;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand};
use skillmeat_core::collection::ops::{self, OnConflict};
use skillmeat_core::{ArtifactKind, Home};

use output::Out;

/// SkillMeat — a package manager for Claude Code skills, commands, agents, hooks and MCP servers.
#[derive(Debug, Parser)]
#[command(name = "skillmeat", version, about, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Global {
    /// The SkillMeat home [default: $SKILLMEAT_HOME, else ~/.skillmeat]
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,
    /// The collection to work on [default: the active one]
    #[arg(short = 'c', long, global = true, value_name = "NAME")]
    collection: Option<String>,
    /// Print the result as JSON (a stable, documented shape)
    #[arg(long, global = true)]
    json: bool,
    /// Answer yes to every question
    #[arg(short = 'y', long, global = true)]
    yes: bool,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more about what happens (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the home and a collection (the active one, `default`, unless named)
    Init {
        /// The collection to create
        name: Option<String>,
    },
    /// Manage collections: list, create, use, delete
    #[command(subcommand)]
    Collection(CollectionCmd),
    /// Add artifacts from a local path, GitHub (owner/repo[/path][@ref]) or a git URL
    Add(AddArgs),
    /// List the artifacts of a collection
    #[command(visible_alias = "ls")]
    List {
        /// Only this kind (skill, command, agent, hook)
        #[arg(long, short = 'k')]
        kind: Option<ArtifactKind>,
        /// Only artifacts with this tag
        #[arg(long, short = 't')]
        tag: Option<String>,
    },
    /// Show one artifact: metadata, source, files, state
    Show {
        /// Its name or alias
        name: String,
        /// Its kind, when the name is used by more than one
        #[arg(long, short = 'k')]
        kind: Option<ArtifactKind>,
        /// List its files with their hashes
        #[arg(long)]
        files: bool,
    },
    /// Search names, descriptions, tags and bodies, best match first
    Search {
        /// Words to look for (all must match)
        #[arg(required = true)]
        query: Vec<String>,
        /// Only this kind
        #[arg(long, short = 'k')]
        kind: Option<ArtifactKind>,
        /// At most this many results
        #[arg(long, short = 'n')]
        limit: Option<usize>,
    },
    /// Remove an artifact and its files from the collection
    #[command(visible_alias = "rm")]
    Remove {
        /// Its name or alias
        name: String,
        /// Its kind, when the name is used by more than one
        #[arg(long, short = 'k')]
        kind: Option<ArtifactKind>,
    },
    /// Re-resolve sources and bring changed artifacts forward
    Update {
        /// Only these artifacts
        names: Vec<String>,
        /// Only show what would change
        #[arg(long)]
        check: bool,
        /// Replace collection copies that were edited locally
        #[arg(long)]
        force: bool,
    },
    /// Compare every artifact's files with the lock
    Status,
    /// Read and change settings
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Run SkillMeat's MCP server (stdio, or streamable HTTP with --http)
    #[command(subcommand)]
    Mcp(cmd_mcp::McpCmd),
    /// Manage access tokens for the HTTP servers (create, list, revoke)
    #[command(subcommand)]
    Token(cmd_token::TokenCmd),
    #[command(flatten)]
    Deploy(cmd_deploy::DeployCmd),
    /// Share artifacts as signed .skillmeat-pack files: export, inspect, verify, import
    #[command(subcommand)]
    Bundle(cmd_pack::BundleCmd),
    /// Signing keys and the keys you trust
    #[command(subcommand)]
    Keys(cmd_pack::KeysCmd),
    /// Vaults to share packs through: a folder, a git repository or an S3 bucket
    #[command(subcommand)]
    Vault(cmd_pack::VaultCmd),
    /// Check collection.toml, Claude Code settings, .mcp.json and artifact front matter (for CI)
    Check(cmd_check::CheckArgs),
    /// Run the Language Server on stdin/stdout (started by editors)
    Lsp(cmd_lsp::LspArgs),
    /// Print shell completions
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
struct AddArgs {
    /// A path, owner/repo[/path][@ref], https://github.com/OWNER/REPO/tree/REF/PATH, or URL[//path][#ref]
    source: String,
    /// Add the artifact under this name (sources holding one artifact)
    #[arg(long)]
    name: Option<String>,
    /// Force the kind of a single artifact, or add only this kind from a folder
    #[arg(long, short = 'k')]
    kind: Option<ArtifactKind>,
    /// Tag every added artifact (repeatable)
    #[arg(long = "tag", short = 't', value_name = "TAG")]
    tags: Vec<String>,
    /// Skip artifacts whose kind and name are taken (keeps the first of clashing ones)
    #[arg(long, conflicts_with = "rename")]
    skip_existing: bool,
    /// Add artifacts whose kind and name are taken as <name>-2, <name>-3, …
    #[arg(long)]
    rename: bool,
    /// Show what would be added, change nothing
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Subcommand)]
enum CollectionCmd {
    /// List collections
    List,
    /// Create an empty collection
    Create { name: String },
    /// Make a collection the active one
    Use { name: String },
    /// Delete a collection and its files
    Delete { name: String },
}

#[derive(Debug, Subcommand)]
enum ConfigCmd {
    /// Print a setting's value
    Get { key: String },
    /// Change a setting
    Set { key: String, value: String },
    /// List every setting
    List,
}

/// Draws an indicatif bar on stderr for long core operations.
struct Bar(indicatif::ProgressBar);

impl ops::Progress for Bar {
    fn start(&self, total: u64, message: &str) {
        if total > 1 {
            self.0.set_length(total);
            self.0.set_message(message.to_string());
            self.0
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }
    fn inc(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn progress(g: &Global) -> Box<dyn ops::Progress> {
    if g.quiet || g.json || !std::io::stderr().is_terminal() {
        return Box::new(ops::NoProgress);
    }
    let bar = indicatif::ProgressBar::hidden();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg:>8} [{bar:30}] {pos}/{len} {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    Box::new(Bar(bar))
}

fn init_logging(g: &Global) {
    let level = if g.quiet {
        "error"
    } else {
        match g.verbose {
            0 => "warn",
            1 => "info",
            _ => "debug",
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SKILLMEAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_ansi(std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal())
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.global);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // One sentence: the core error already names the file, line and fix; the context
            // chain adds what was being done.
            let mut msg = e.to_string();
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !msg.contains(&c) {
                    msg.push_str(": ");
                    msg.push_str(&c);
                }
            }
            eprintln!("{} {msg}", output::error_prefix());
            ExitCode::from(1)
        }
    }
}

/// Output piped into `head` and closed early is not an error worth a message.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

fn run(cli: Cli) -> Result<()> {
    let g = &cli.global;
    let home = Home::resolve(g.home.as_deref())?;
    let out = Out::new(g.json, g.quiet);
    let coll = g.collection.clone();
    match cli.command {
        Command::Init { name } => {
            let r = ops::init(
                &home,
                ops::InitRequest {
                    collection: name.or(coll),
                },
            )?;
            out.init(&r)
        }
        Command::Collection(c) => match c {
            CollectionCmd::List => out.collections(&ops::collection_list(&home)?),
            CollectionCmd::Create { name } => {
                out.collection("created", &ops::collection_create(&home, &name)?)
            }
            CollectionCmd::Use { name } => {
                out.collection("now using", &ops::collection_use(&home, &name)?)
            }
            CollectionCmd::Delete { name } => {
                if !g.yes && !confirm(&format!("Delete collection `{name}` and all its files?"))? {
                    anyhow::bail!(
                        "not deleting collection `{name}`; pass --yes to delete without asking"
                    );
                }
                out.collection("deleted", &ops::collection_delete(&home, &name)?)
            }
        },
        Command::Add(a) => {
            let on_conflict = if a.skip_existing {
                OnConflict::Skip
            } else if a.rename {
                OnConflict::Rename
            } else {
                OnConflict::Fail
            };
            let req = ops::AddRequest {
                collection: coll,
                source: a.source,
                cwd: None,
                name: a.name,
                kind: a.kind,
                tags: a.tags,
                on_conflict,
                dry_run: a.dry_run,
            };
            let p = progress(g);
            let r = ops::add(&home, req, p.as_ref())?;
            out.add(&r)
        }
        Command::List { kind, tag } => out.list(&ops::list(
            &home,
            ops::ListRequest {
                collection: coll,
                kind,
                tag,
                ..Default::default()
            },
        )?),
        Command::Show { name, kind, files } => out.show(
            &ops::show(
                &home,
                ops::ArtifactRef {
                    collection: coll,
                    name,
                    kind,
                },
            )?,
            files,
        ),
        Command::Search { query, kind, limit } => out.search(&ops::search(
            &home,
            ops::SearchRequest {
                collection: coll,
                query: query.join(" "),
                kind,
                limit,
            },
        )?),
        Command::Remove { name, kind } => out.remove(&ops::remove(
            &home,
            ops::ArtifactRef {
                collection: coll,
                name,
                kind,
            },
        )?),
        Command::Update {
            names,
            check,
            force,
        } => {
            let p = progress(g);
            let r = ops::update(
                &home,
                ops::UpdateRequest {
                    collection: coll,
                    names,
                    check,
                    force,
                },
                p.as_ref(),
            )?;
            out.update(&r)
        }
        Command::Status => out.status(&ops::status(&home, coll.as_deref())?),
        Command::Config(c) => {
            let mut cfg = skillmeat_core::config::Config::load(&home)?;
            match c {
                ConfigCmd::Get { key } => out.setting(&cfg.get(&key)?),
                ConfigCmd::Set { key, value } => {
                    home.ensure()?;
                    let _lock = home.lock()?;
                    out.setting(&cfg.set(&key, &value)?)
                }
                ConfigCmd::List => out.settings(&cfg.list()),
            }
        }
        Command::Mcp(c) => cmd_mcp::run(g, &home, c),
        Command::Token(c) => cmd_token::run(g, &home, c),
        Command::Deploy(c) => {
            let p = progress(g);
            cmd_deploy::run(&home, coll, g.json, g.quiet, p.as_ref(), c)
        }
        Command::Bundle(c) => cmd_pack::bundle(g, &home, c),
        Command::Keys(c) => cmd_pack::keys(g, &home, c),
        Command::Vault(c) => cmd_pack::vault(g, &home, c),
        Command::Check(args) => cmd_check::run(args, g.json, g.quiet),
        Command::Lsp(args) => cmd_lsp::run(args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "skillmeat",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    }
}

/// Asks a yes/no question on stderr; refuses (false) when stdin is not a terminal.
fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    eprint!("{question} [y/N] ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the answer")?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
