//! The toolset registry: each toolset is one row naming a router of tools. `--toolsets` picks
//! rows; `--read-only` then drops every tool not annotated `readOnlyHint: true`. What is not
//! in the router is neither listed nor callable.
//!
//! Adding a toolset (deploy, pack, check, …) is: write `tools/<name>.rs` with
//! `#[tool_router(router = <name>_tools, vis = "pub(crate)")] impl SkillmeatServer { … }`, and
//! add one row to [`TOOLSETS`].

use rmcp::handler::server::router::tool::ToolRouter;

use crate::ServeError;
use crate::server::SkillmeatServer;

/// One group of tools.
pub struct Toolset {
    /// Its name, as `--toolsets` takes it.
    pub name: &'static str,
    /// What its tools are for (shown in the server instructions and `--help`).
    pub description: &'static str,
    /// Builds its tools.
    pub router: fn() -> ToolRouter<SkillmeatServer>,
}

/// Every toolset, in the order they are documented.
pub const TOOLSETS: &[Toolset] = &[
    Toolset {
        name: "collection",
        description: "list, show, search, add, remove and update the artifacts of a collection, and check their files against the lock",
        router: SkillmeatServer::collection_tools,
    },
    Toolset {
        name: "deploy",
        description: "deploy artifacts into a project, undeploy them, report drift, sync, diff, and take, list and restore collection snapshots",
        router: SkillmeatServer::deploy_tools,
    },
    Toolset {
        name: "pack",
        description: "export artifacts to a signed .skillmeat-pack, inspect and verify packs, and import them into a collection",
        router: SkillmeatServer::pack_tools,
    },
    Toolset {
        name: "check",
        description: "check a Claude Code or SkillMeat config file against the rules of `skillmeat check`",
        router: SkillmeatServer::check_tools,
    },
];

/// The names of every toolset, comma-separated.
pub fn known() -> String {
    TOOLSETS
        .iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The router for the chosen toolsets (all when `None`), without write tools when `read_only`.
pub(crate) fn router(
    chosen: Option<&[String]>,
    read_only: bool,
) -> Result<ToolRouter<SkillmeatServer>, ServeError> {
    if let Some(names) = chosen {
        for n in names {
            if !TOOLSETS.iter().any(|t| t.name == n) {
                return Err(ServeError::UnknownToolset {
                    name: n.clone(),
                    known: known(),
                });
            }
        }
    }
    let mut router = ToolRouter::new();
    for set in TOOLSETS {
        if chosen.is_none_or(|names| names.iter().any(|n| n == set.name)) {
            router.merge((set.router)());
        }
    }
    if read_only {
        let writers: Vec<String> = router
            .list_all()
            .into_iter()
            .filter(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) != Some(true))
            .map(|t| t.name.into_owned())
            .collect();
        for name in writers {
            router.remove_route(&name);
        }
    }
    Ok(router)
}
