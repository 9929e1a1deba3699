//! Which operations of the registry (`skillmeat_core::op::registry`) the server offers as
//! tools: those marked for MCP, in the toolsets `--toolsets` picks, minus every tool that is not
//! read-only under `--read-only`. What is not offered is neither listed nor callable.
//!
//! A toolset is one row in [`TOOLSETS`]; its tools are the registry's operations whose
//! `toolset` names it. `marketplace`, `mcp` and `analytics` join as they are built.

use skillmeat_core::op::{self, Entry};

use crate::ServeError;

/// One group of tools.
pub struct Toolset {
    /// Its name, as `--toolsets` takes it (and as the registry's `toolset` spells it).
    pub name: &'static str,
    /// What its tools are for (shown in the server instructions and `--help`).
    pub description: &'static str,
}

/// Every toolset the server offers, in the order they are documented.
pub const TOOLSETS: &[Toolset] = &[
    Toolset {
        name: "collection",
        description: "list, show, search, add, remove and update the artifacts of a collection, and check their files against the lock",
    },
    Toolset {
        name: "deploy",
        description: "deploy artifacts into a project, undeploy them, report drift, sync, diff, and take, list and restore collection snapshots",
    },
    Toolset {
        name: "pack",
        description: "export artifacts to a signed .skillmeat-pack, inspect and verify packs, and import them into a collection",
    },
    Toolset {
        name: "check",
        description: "check a Claude Code or SkillMeat config file against the rules of `skillmeat check`",
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

/// The registry entries offered for the chosen toolsets (all when `None`), without the tools
/// that change something when `read_only`.
pub(crate) fn offered(
    chosen: Option<&[String]>,
    read_only: bool,
) -> Result<Vec<&'static Entry>, ServeError> {
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
    let mut tools: Vec<&'static Entry> = op::registry()
        .iter()
        .filter(|e| e.meta.mcp)
        .filter(|e| TOOLSETS.iter().any(|t| t.name == e.meta.toolset))
        .filter(|e| chosen.is_none_or(|names| names.iter().any(|n| n == e.meta.toolset)))
        .filter(|e| !read_only || e.meta.read_only)
        .collect();
    tools.sort_by_key(|e| e.meta.name);
    Ok(tools)
}
