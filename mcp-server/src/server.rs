//! The MCP server object: which tools it offers (registry entries of the toolsets chosen, minus
//! write tools when read-only), the server identity, and the `ServerHandler` that lists and calls
//! tools from the registry and serves resources.
//!
//! A tool call is one registry call: the arguments go to the entry's `run_json` as they came
//! (core's request types refuse unknown fields), on a blocking thread, with a context that has
//! no working folder (a relative path is refused with a hint), pages lists, reports progress and
//! is cancelled when the client cancels the request. A domain failure is a tool result with
//! `isError: true` and the error's sentence with its fixes rendered as tool calls.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use skillmeat_core::Home;
use skillmeat_core::op::{Cancel, Entry, EventSink, Face, OpContext};

use crate::ServeError;
use crate::toolsets::{self, TOOLSETS};

/// Items per page for list-like tools when the call gives no `limit`: a model reads the whole
/// answer, so a page rather than a thousand entries at once.
pub const LIST_PAGE: usize = 100;

/// What the server offers.
#[derive(Clone, Default)]
pub struct ServeOptions {
    /// Only these toolsets (all when `None`).
    pub toolsets: Option<Vec<String>>,
    /// Offer only tools that change nothing (`readOnlyHint: true`).
    pub read_only: bool,
    /// The collection tools use when a request names none (the active one when `None`).
    pub collection: Option<String>,
    /// Resources per `resources/list` page (0: [`crate::resources::DEFAULT_PAGE_SIZE`]).
    pub resource_page_size: usize,
    /// Where each tool call's event goes (analytics), if anywhere.
    pub events: Option<Arc<dyn EventSink>>,
}

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("toolsets", &self.toolsets)
            .field("read_only", &self.read_only)
            .field("collection", &self.collection)
            .field("resource_page_size", &self.resource_page_size)
            .field("events", &self.events.is_some())
            .finish()
    }
}

/// The SkillMeat MCP server. Cheap to clone: the HTTP transport makes one per session.
#[derive(Clone)]
pub struct SkillmeatServer {
    pub(crate) home: Arc<Home>,
    pub(crate) collection: Option<String>,
    page_size: usize,
    offered: Arc<Vec<&'static Entry>>,
    tools: Arc<Vec<Tool>>,
    events: Option<Arc<dyn EventSink>>,
}

/// An entry as an MCP tool: name, title, description, annotations, and core's request and
/// report schemas as input and output schemas (top-level title and description dropped: the
/// type's name and doc are noise to a model).
fn tool_of(e: &Entry) -> Tool {
    let schema = |v: Value| {
        let mut o = match v {
            Value::Object(o) => o,
            _ => Default::default(),
        };
        o.remove("title");
        o.remove("description");
        Arc::new(o)
    };
    let m = &e.meta;
    Tool::new(m.name, m.description, schema((e.request_schema)()))
        .with_title(m.title)
        .with_raw_output_schema(schema((e.report_schema)()))
        .with_annotations(
            ToolAnnotations::with_title(m.title)
                .read_only(m.read_only)
                .destructive(m.destructive)
                .idempotent(m.idempotent)
                .open_world(m.open_world),
        )
}

impl SkillmeatServer {
    /// A server over `home` offering the tools `opts` selects. Tools filtered out are neither
    /// listed nor callable.
    pub fn new(home: Home, opts: ServeOptions) -> Result<SkillmeatServer, ServeError> {
        let offered = toolsets::offered(opts.toolsets.as_deref(), opts.read_only)?;
        let tools = offered.iter().map(|e| tool_of(e)).collect();
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
            offered: Arc::new(offered),
            tools: Arc::new(tools),
            events: opts.events,
        })
    }

    /// The names of the tools offered, sorted.
    pub fn tool_names(&self) -> Vec<String> {
        self.tools.iter().map(|t| t.name.to_string()).collect()
    }

    /// Every tool offered, as `tools/list` returns them.
    pub fn tools(&self) -> Vec<Tool> {
        self.tools.as_ref().clone()
    }

    fn entry(&self, name: &str) -> Option<&'static Entry> {
        self.offered.iter().copied().find(|e| e.meta.name == name)
    }

    /// Runs one tool call through the registry.
    async fn call(
        &self,
        entry: &'static Entry,
        args: Value,
        context: &RequestContext<RoleServer>,
    ) -> CallToolResult {
        let (bar, forwarder) = crate::progress::for_request(context);
        let cancel = Cancel::new();
        let watch = {
            let cancel = cancel.clone();
            let ct = context.ct.clone();
            tokio::spawn(async move {
                ct.cancelled().await;
                cancel.cancel();
            })
        };
        let home = self.home.clone();
        let collection = self.collection.clone();
        let events = self.events.clone();
        let done = tokio::task::spawn_blocking(move || {
            let mut ctx = OpContext::new(&home, Face::Mcp);
            ctx.default_collection = collection;
            ctx.page_default = Some(LIST_PAGE);
            ctx.progress = &bar;
            ctx.cancel = cancel;
            ctx.events = events.as_deref();
            (entry.run_json)(&ctx, args)
        })
        .await;
        watch.abort();
        forwarder.flush().await;
        match done {
            Ok(Ok(report)) => CallToolResult::structured(report),
            Ok(Err(e)) => {
                CallToolResult::error(vec![ContentBlock::text(crate::hints::render(&e, |name| {
                    self.entry(name).is_some()
                }))])
            }
            Err(e) => CallToolResult::error(vec![ContentBlock::text(format!(
                "the operation stopped unexpectedly ({e}); this is a bug in SkillMeat, please report it"
            ))]),
        }
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
         `dry_run: true` first to show the user what will happen. Paths (projects, packs, sources) are \
         absolute. Each artifact file is a resource `<kind>://<name>/<path>` (e.g. \
         `skill://code-review/SKILL.md`), and the collection manifest is \
         `skillmeat://collection/collection.toml`."
    )
}

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

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // A tool filtered out (or that does not exist) is a protocol error, not a tool result.
        let Some(entry) = self.entry(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!(
                    "tool `{}` is not offered by this server (see tools/list)",
                    request.name
                ),
                None,
            ));
        };
        let args = request.arguments.map(Value::Object).unwrap_or(Value::Null);
        Ok(self.call(entry, args, &context).await.into())
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
