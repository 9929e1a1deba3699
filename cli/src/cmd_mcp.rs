//! `skillmeat mcp serve`: runs the MCP server (crate `skillmeat-mcp`) over stdio, or over
//! streamable HTTP with `--http ADDR` (bearer token required; see `skillmeat token`).
//! stdout belongs to the protocol on stdio, so everything this prints goes to stderr.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use clap::Subcommand;
use skillmeat_core::Home;
use skillmeat_mcp::{ServeOptions, toolsets};

use crate::Global;

#[derive(Debug, Subcommand)]
pub enum McpCmd {
    /// Serve SkillMeat's tools and resources over MCP (stdio, or HTTP with --http)
    ///
    /// Register with Claude Code: `claude mcp add skillmeat -- skillmeat mcp serve`.
    Serve {
        /// Serve streamable HTTP at ADDR (e.g. 127.0.0.1:8765, port 0 picks a free one) under
        /// /mcp, requiring `Authorization: Bearer <token>` from `skillmeat token create`
        #[arg(long, value_name = "ADDR")]
        http: Option<SocketAddr>,
        /// Offer only these toolsets (comma-separated) [default: all]
        #[arg(long, value_delimiter = ',', value_name = "LIST")]
        toolsets: Option<Vec<String>>,
        /// Offer only tools that change nothing
        #[arg(long)]
        read_only: bool,
        /// Resources per `resources/list` page (clients follow `nextCursor`)
        #[arg(long, value_name = "N", default_value_t = skillmeat_mcp::DEFAULT_PAGE_SIZE)]
        page_size: usize,
    },
}

pub fn run(g: &Global, home: &Home, cmd: McpCmd) -> Result<()> {
    match cmd {
        McpCmd::Serve {
            http,
            toolsets,
            read_only,
            page_size,
        } => {
            if page_size == 0 {
                anyhow::bail!("--page-size must be at least 1");
            }
            let opts = ServeOptions {
                toolsets,
                read_only,
                collection: g.collection.clone(),
                resource_page_size: page_size,
                events: None,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            let home = home.clone();
            let quiet = g.quiet;
            runtime.block_on(async move {
                match http {
                    None => skillmeat_mcp::serve_stdio(home, opts).await,
                    Some(addr) => {
                        skillmeat_mcp::serve_http(home, opts, addr, |bound| {
                            if !quiet {
                                eprintln!(
                                    "skillmeat MCP server listening on http://{bound}{} (toolsets: {}; Ctrl-C stops it)",
                                    skillmeat_mcp::MCP_PATH,
                                    toolsets::known()
                                );
                            }
                        })
                        .await
                    }
                }
            })?;
            Ok(())
        }
    }
}
