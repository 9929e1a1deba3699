//! skillmeat-mcp: SkillMeat's MCP server. The core operations become MCP tools (grouped in
//! toolsets, see [`toolsets`]), each artifact file and the collection manifest become resources,
//! served over stdio (`skillmeat mcp serve`) or streamable HTTP with a bearer token
//! (`skillmeat mcp serve --http 127.0.0.1:PORT`).
//!
//! This crate holds protocol glue only: the tools are the operations of core's registry
//! (`skillmeat_core::op`), listed with core's request and report schemas and called through the
//! registry on a blocking thread; errors are rendered with their fixes as tool calls. Logs go to
//! stderr; stdout belongs to the protocol.

mod hints;
mod http;
mod progress;
mod resources;
mod server;
pub mod toolsets;

pub use http::{MCP_PATH, serve_http};
pub use resources::DEFAULT_PAGE_SIZE;
pub use server::{LIST_PAGE, ServeOptions, SkillmeatServer};

use rmcp::ServiceExt;
use skillmeat_core::Home;

/// Errors that stop the server (never a tool's domain failure: those are tool results).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// `--toolsets` named one that does not exist.
    #[error("unknown toolset `{name}`; available toolsets are {known}")]
    UnknownToolset { name: String, known: String },
    /// The transport failed.
    #[error("{0}")]
    Transport(String),
    /// Binding or accepting on the HTTP address failed.
    #[error("{addr}: {source}; pick a free port on 127.0.0.1, e.g. --http 127.0.0.1:0")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}

/// Serves MCP over stdin/stdout until the client closes the stream.
pub async fn serve_stdio(home: Home, opts: ServeOptions) -> Result<(), ServeError> {
    let server = SkillmeatServer::new(home, opts)?;
    tracing::info!(
        "skillmeat MCP server on stdio with {} tools",
        server.tool_names().len()
    );
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| ServeError::Transport(format!("the MCP handshake on stdio failed: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| ServeError::Transport(format!("the stdio MCP session ended badly: {e}")))?;
    Ok(())
}
