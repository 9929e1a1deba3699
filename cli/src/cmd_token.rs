//! `skillmeat token create|list|revoke`: access tokens for the HTTP servers (`mcp serve
//! --http`, `web`), kept hashed in `<home>/tokens.toml` by `skillmeat_core::tokens`.

use std::io::Write;

use anyhow::Result;
use clap::Subcommand;
use serde::Serialize;
use skillmeat_core::{Home, tokens};

use crate::Global;

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Create a token and print it (once: only its hash is kept)
    Create {
        /// Who or what will use it (unique)
        #[arg(long)]
        name: String,
    },
    /// List tokens (names and first characters; never the tokens)
    List,
    /// Revoke a token; servers refuse it from their next request
    Revoke {
        /// The token's name
        name: String,
    },
}

fn json<T: Serialize>(v: &T) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, v)?;
    writeln!(stdout)?;
    Ok(())
}

pub fn run(g: &Global, home: &Home, cmd: TokenCmd) -> Result<()> {
    match cmd {
        TokenCmd::Create { name } => {
            let r = tokens::create(home, tokens::CreateTokenRequest { name })?;
            if g.json {
                return json(&r);
            }
            // The token alone on stdout, so `TOKEN=$(skillmeat token create --name x)` works;
            // the notice goes to stderr.
            if !g.quiet {
                eprintln!(
                    "Created token `{}` (only its hash is kept, in {}). Copy it now; it is not shown again:",
                    r.name,
                    r.path.display()
                );
            }
            writeln!(std::io::stdout().lock(), "{}", r.token)?;
            Ok(())
        }
        TokenCmd::List => {
            let r = tokens::list(home)?;
            if g.json {
                return json(&r);
            }
            if g.quiet {
                return Ok(());
            }
            let mut out = std::io::stdout().lock();
            if r.tokens.is_empty() {
                writeln!(
                    out,
                    "No tokens; create one with `skillmeat token create --name NAME`."
                )?;
                return Ok(());
            }
            let w = r
                .tokens
                .iter()
                .map(|t| t.name.len())
                .max()
                .unwrap_or(4)
                .clamp(4, 40);
            writeln!(out, "{:<w$} {:<16} CREATED", "NAME", "STARTS WITH")?;
            for t in &r.tokens {
                writeln!(
                    out,
                    "{:<w$} {:<16} {}",
                    t.name,
                    format!("{}…", t.prefix),
                    t.created
                )?;
            }
            Ok(())
        }
        TokenCmd::Revoke { name } => {
            let r = tokens::revoke(home, &name)?;
            if g.json {
                return json(&r);
            }
            if !g.quiet {
                writeln!(
                    std::io::stdout().lock(),
                    "Revoked token `{}`",
                    r.revoked.name
                )?;
            }
            Ok(())
        }
    }
}
