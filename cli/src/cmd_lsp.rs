//! `skillmeat lsp`: runs SkillMeat's Language Server on stdin/stdout for editors.

use anyhow::{Context, Result};
use clap::Args;

/// Arguments of `skillmeat lsp`.
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Speak over stdin/stdout (the default and only transport; accepted because editor clients
    /// such as vscode-languageclient pass it)
    #[arg(long)]
    stdio: bool,
}

/// Serves until the editor sends `exit`. stdout carries only protocol messages.
pub fn run(args: LspArgs) -> Result<()> {
    let _ = args.stdio;
    tracing::info!("skillmeat language server starting on stdio");
    skillmeat_lsp::run_stdio().context("the language server stopped")
}
