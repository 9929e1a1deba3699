//! The MCP server object: which tools it offers (the toolsets chosen, minus write tools when
//! read-only), the server identity, and the `ServerHandler` that routes tool calls and resource
//! reads.

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    Implementation, ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};
use skillmeat_core::Home;

use crate::ServeError;
use crate::toolsets::{self, TOOLSETS};

/// What the server offers.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Only these toolsets (all when `None`).
    pub toolsets: Option<Vec<String>>,
    /// Offer only tools that change nothing (`readOnlyHint: true`).
    pub read_only: bool,
    /// The collection tools use when a request names none (the active one when `None`).
    pub collection: Option<String>,
    /// Resources per `resources/list` page (0: [`crate::resources::DEFAULT_PAGE_SIZE`]).
    pub resource_page_size: usize,
}

/// The SkillMeat MCP server. Cheap to clone: the HTTP transport makes one per session.
#[derive(Clone)]
pub struct SkillmeatServer {
    pub(crate) home: Arc<Home>,
    pub(crate) collection: Option<String>,
    page_size: usize,
    tools: ToolRouter<SkillmeatServer>,
}

impl SkillmeatServer {
    /// A server over `home` offering the tools `opts` selects. Tools filtered out are neither
    /// listed nor callable.
    pub fn new(home: Home, opts: ServeOptions) -> Result<SkillmeatServer, ServeError> {
        let tools = toolsets::router(opts.toolsets.as_deref(), opts.read_only)?;
        // A server answers many reads of the same files: keep the last parse of each
        // collection while its bytes are unchanged.
        skillmeat_core::collection::enable_open_cache();
        Ok(SkillmeatServer {
            home: Arc::new(home),
            collection: opts.collection,
            page_size: match opts.resource_page_size {
                0 => crate::resources::DEFAULT_PAGE_SIZE,
                n => n,
            },
            tools,
        })
    }

    /// The names of the tools offered, sorted.
    pub fn tool_names(&self) -> Vec<String> {
        self.tools
            .list_all()
            .into_iter()
            .map(|t| t.name.into_owned())
            .collect()
    }

    /// Every tool offered, as `tools/list` returns them.
    pub fn tools(&self) -> Vec<rmcp::model::Tool> {
        self.tools.list_all()
    }

    /// The collection a request names, else the server's default (else the active one).
    pub(crate) fn collection_or_default(&self, requested: Option<String>) -> Option<String> {
        requested.or_else(|| self.collection.clone())
    }
}

fn instructions() -> String {
    let sets = TOOLSETS
        .iter()
        .map(|t| format!("`{}` ({})", t.name, t.description))
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "SkillMeat manages a collection of Claude Code artifacts (skills, slash commands, subagents, hooks). \
         Tools are grouped in toolsets: {sets}. Tools that change files take `dry_run`; call them with \
         `dry_run: true` first to show the user what will happen. Each artifact file is a resource \
         `<kind>://<name>/<path>` (e.g. `skill://code-review/SKILL.md`), and the collection manifest \
         is `skillmeat://collection/collection.toml`."
    )
}

#[tool_handler(router = self.tools)]
impl ServerHandler for SkillmeatServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_resources()
                .enable_tools()
                .build(),
        )
        .with_server_info(
            Implementation::new("skillmeat", env!("CARGO_PKG_VERSION")).with_title("SkillMeat"),
        )
        .with_instructions(instructions())
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let home = self.home.clone();
        let collection = self.collection.clone();
        let resources = tokio::task::spawn_blocking(move || {
            crate::resources::list(&home, collection.as_deref())
        })
        .await
        .map_err(|e| ErrorData::internal_error(format!("listing resources failed: {e}"), None))?;
        let cursor = request.and_then(|r| r.cursor);
        let (items, next) = crate::resources::page(resources, cursor.as_deref(), self.page_size)
            .map_err(|e| ErrorData::invalid_params(e, None))?;
        let mut result = ListResourcesResult::with_all_items(items);
        result.next_cursor = next;
        Ok(result)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let home = self.home.clone();
        let collection = self.collection.clone();
        tokio::task::spawn_blocking(move || {
            crate::resources::read(&home, collection.as_deref(), &request.uri)
        })
        .await
        .map_err(|e| ErrorData::internal_error(format!("reading the resource failed: {e}"), None))?
        .map(Into::into)
    }
}
