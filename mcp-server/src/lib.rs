//! skillmeat-mcp: SkillMeat's MCP server. The core operations become MCP tools (grouped in
//! toolsets, see [`toolsets`]), each artifact file and the collection manifest become resources,
//! served over stdio (`skillmeat mcp serve`) or streamable HTTP with a bearer token
//! (`skillmeat mcp serve --http 127.0.0.1:PORT`).
//!
//! This crate holds protocol glue only: every tool is one core function called on a blocking
//! thread; its request and report types (with their JSON Schemas) come from `skillmeat-core`
//! or are thin wrappers that convert to them. Logs go to stderr; stdout belongs to the protocol.

mod http;
mod progress;
mod resources;
mod server;
mod tools;
pub mod toolsets;

pub use http::{MCP_PATH, serve_http};
pub use resources::DEFAULT_PAGE_SIZE;
pub use server::{ServeOptions, SkillmeatServer};
pub use tools::collection::{
    CollectionRequest, RemoveArtifactReport, RemoveArtifactRequest, UpdateArtifactsRequest,
};

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
