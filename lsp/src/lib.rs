//! skillmeat-lsp: SkillMeat's Language Server (DESIGN §9) over `skillmeat_core::check`.
//!
//! It checks `collection.toml`, `collection.lock`, Claude Code's `settings.json`,
//! `settings.local.json`, `.mcp.json` and the front matter of skills, commands and agents, and
//! offers quick fixes, completion, hover, an outline and go-to-definition. The rules live in the
//! core; this crate only gathers the surroundings (through `skillmeat_core::check_context`),
//! converts between LSP positions and byte offsets, and speaks the protocol.
//!
//! Layout: `server` holds the handlers (thin shims: convert in, call the core, convert out),
//! `from_proto` / `to_proto` the only other code that sees LSP types, `document` the open
//! documents, `ide` the protocol-free editor features.

mod document;
mod from_proto;
pub mod ide;
mod server;
mod to_proto;

/// Serves the Language Server Protocol on stdin/stdout until the client says `exit`. Nothing
/// but protocol messages is written to stdout; logs go through `tracing` (stderr).
pub fn run_stdio() -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let (service, socket) = tower_lsp_server::LspService::new(server::Server::new);
        tower_lsp_server::Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    Ok(())
}
