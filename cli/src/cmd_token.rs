//! `skillmeat token create|list|revoke`: access tokens for the HTTP servers (`mcp serve
//! --http`, `web`), kept hashed in `<home>/tokens.toml` (the `token` operations of the registry).

use anyhow::Result;
use clap::Subcommand;
use skillmeat_core::op::{self, OpContext};
use skillmeat_core::tokens;

use crate::call;
use crate::output::Out;

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

pub fn run(ctx: &OpContext, out: &Out, cmd: TokenCmd) -> Result<()> {
    match cmd {
        TokenCmd::Create { name } => {
            let r = call::<op::TokenCreate>(ctx, tokens::CreateTokenRequest { name })?;
            if out.is_json() {
                return out.emit(&r, Vec::new);
            }
            // The token alone on stdout, so `TOKEN=$(skillmeat token create --name x)` works;
            // the notice goes to stderr.
            if !out.is_quiet() {
                eprintln!(
                    "Created token `{}` (only its hash is kept, in {}). Copy it now; it is not shown again:",
                    r.name,
                    r.path.display()
                );
            }
            out.print_text(&format!("{}\n", r.token))
        }
        TokenCmd::List => {
            let r = call::<op::TokenList>(ctx, op::NoRequest {})?;
            out.emit(&r, || {
                if r.tokens.is_empty() {
                    return vec![
                        "No tokens; create one with `skillmeat token create --name NAME`.".into(),
                    ];
                }
                let w = r
                    .tokens
                    .iter()
                    .map(|t| t.name.len())
                    .max()
                    .unwrap_or(4)
                    .clamp(4, 40);
                let mut lines = vec![format!("{:<w$} {:<16} CREATED", "NAME", "STARTS WITH")];
                for t in &r.tokens {
                    lines.push(format!(
                        "{:<w$} {:<16} {}",
                        t.name,
                        format!("{}…", t.prefix),
                        t.created
                    ));
                }
                lines
            })
        }
        TokenCmd::Revoke { name } => {
            let r = call::<op::TokenRevoke>(ctx, op::TokenNameRequest { name })?;
            out.emit(&r, || vec![format!("Revoked token `{}`", r.revoked.name)])
        }
    }
}
