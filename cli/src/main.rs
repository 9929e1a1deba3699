//! The `skillmeat` binary: a clap front end over `skillmeat-core`. Each subcommand builds one
//! typed request of core's operation registry, runs it with [`call`] (the one way this face runs
//! an operation) and prints its report (as text, or as JSON with `--json`); a failure prints the
//! error's sentence with its fixes spelled as flags and commands. Prompts live here and only
//! here. Exit codes: 0 ok, 1 failure, 2 usage.

mod cmd_check;
mod cmd_deploy;
mod cmd_lsp;
mod cmd_mcp;
mod cmd_pack;
mod cmd_token;
mod hints;
mod output;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand};
use skillmeat_core::collection::ops::{
    AddRequest, ArtifactRef, InitRequest, ListRequest, OnConflict, RemoveRequest, SearchRequest,
    UpdateRequest,
};
use skillmeat_core::op::{self, Face, OpContext, Operation};
use skillmeat_core::progress::{NoProgress, Progress};
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
    /// Remove an artifact and its files from the collection (after a snapshot)
    #[command(visible_alias = "rm")]
    Remove {
        /// Its name or alias
        name: String,
        /// Its kind, when the name is used by more than one
        #[arg(long, short = 'k')]
        kind: Option<ArtifactKind>,
        /// Show the files that would be removed, change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Re-resolve sources and bring changed artifacts forward
    Update {
        /// Only these artifacts
        names: Vec<String>,
        /// Only show what would change
        #[arg(long, visible_alias = "dry-run")]
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

impl Progress for Bar {
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

fn progress(g: &Global) -> Box<dyn Progress> {
    if g.quiet || g.json || !std::io::stderr().is_terminal() {
        return Box::new(NoProgress);
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

/// Runs operation `O` through the registry; its error becomes the CLI's sentence, fixes spelled
/// as flags and commands.
pub fn call<O: Operation>(ctx: &OpContext, req: O::Request) -> Result<O::Report> {
    op::call::<O>(ctx, req).map_err(|e| anyhow::Error::msg(hints::render(&e)))
}

/// Runs `O` and hands its error back as data (for a prompt that depends on the fixes).
pub fn try_call<O: Operation>(ctx: &OpContext, req: O::Request) -> Result<O::Report, op::OpError> {
    op::call::<O>(ctx, req)
}

fn run(cli: Cli) -> Result<()> {
    let g = &cli.global;
    let home = Home::resolve(g.home.as_deref()).map_err(|e| hints_of(e.into()))?;
    let out = Out::new(g.json, g.quiet);
    let bar = progress(g);
    let mut ctx = OpContext::new(&home, Face::Cli);
    ctx.cwd = Some(std::env::current_dir().context("reading the current folder")?);
    ctx.default_collection = g.collection.clone();
    ctx.progress = bar.as_ref();
    let ctx = &ctx;
    match cli.command {
        Command::Init { name } => {
            let r = call::<op::Init>(ctx, InitRequest { collection: name })?;
            output::init(&out, &r)
        }
        Command::Collection(c) => {
            let named = |name: String| op::CollectionNameRequest { name };
            match c {
                CollectionCmd::List => {
                    output::collections(&out, &call::<op::CollectionList>(ctx, op::NoRequest {})?)
                }
                CollectionCmd::Create { name } => output::collection(
                    &out,
                    "created",
                    &call::<op::CollectionCreate>(ctx, named(name))?,
                ),
                CollectionCmd::Use { name } => output::collection(
                    &out,
                    "now using",
                    &call::<op::CollectionUse>(ctx, named(name))?,
                ),
                CollectionCmd::Delete { name } => {
                    if !g.yes
                        && !confirm(&format!("Delete collection `{name}` and all its files?"))?
                    {
                        anyhow::bail!(
                            "not deleting collection `{name}`; pass --yes to delete without asking"
                        );
                    }
                    output::collection(
                        &out,
                        "deleted",
                        &call::<op::CollectionDelete>(ctx, named(name))?,
                    )
                }
            }
        }
        Command::Add(a) => {
            let on_conflict = if a.skip_existing {
                OnConflict::Skip
            } else if a.rename {
                OnConflict::Rename
            } else {
                OnConflict::Fail
            };
            let req = AddRequest {
                collection: None,
                source: a.source,
                cwd: None,
                name: a.name,
                kind: a.kind,
                tags: a.tags,
                on_conflict,
                dry_run: a.dry_run,
            };
            output::add(&out, &call::<op::AddArtifact>(ctx, req)?)
        }
        Command::List { kind, tag } => {
            let req = ListRequest {
                kind,
                tag,
                ..Default::default()
            };
            output::list(&out, &call::<op::ListArtifacts>(ctx, req)?)
        }
        Command::Show { name, kind, files } => {
            let req = ArtifactRef {
                collection: None,
                name,
                kind,
            };
            output::show(&out, &call::<op::ShowArtifact>(ctx, req)?, files)
        }
        Command::Search { query, kind, limit } => {
            let req = SearchRequest {
                collection: None,
                query: query.join(" "),
                kind,
                limit,
            };
            output::search(&out, &call::<op::SearchArtifacts>(ctx, req)?)
        }
        Command::Remove {
            name,
            kind,
            dry_run,
        } => {
            let req = RemoveRequest {
                collection: None,
                name,
                kind,
                dry_run,
            };
            output::remove(&out, &call::<op::RemoveArtifact>(ctx, req)?)
        }
        Command::Update {
            names,
            check,
            force,
        } => {
            let req = UpdateRequest {
                collection: None,
                names,
                dry_run: check,
                force,
            };
            output::update(&out, &call::<op::UpdateArtifacts>(ctx, req)?)
        }
        Command::Status => output::status(
            &out,
            &call::<op::CollectionStatus>(ctx, op::CollectionRequest::default())?,
        ),
        Command::Config(c) => match c {
            ConfigCmd::Get { key } => output::setting(
                &out,
                &call::<op::ConfigGet>(ctx, op::ConfigKeyRequest { key })?,
            ),
            ConfigCmd::Set { key, value } => output::setting(
                &out,
                &call::<op::ConfigSet>(ctx, op::ConfigSetRequest { key, value })?,
            ),
            ConfigCmd::List => {
                output::settings(&out, &call::<op::ConfigList>(ctx, op::NoRequest {})?)
            }
        },
        Command::Mcp(c) => cmd_mcp::run(g, &home, c),
        Command::Token(c) => cmd_token::run(ctx, &out, c),
        Command::Deploy(c) => cmd_deploy::run(ctx, &out, c),
        Command::Bundle(c) => cmd_pack::bundle(ctx, &out, c),
        Command::Keys(c) => cmd_pack::keys(ctx, &out, g.yes, c),
        Command::Vault(c) => cmd_pack::vault(ctx, &out, c),
        Command::Check(args) => cmd_check::run(ctx, &out, args),
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

/// A core error raised before any operation runs (finding the home), rendered the same way.
fn hints_of(e: op::OpError) -> anyhow::Error {
    anyhow::Error::msg(hints::render(&e))
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
