//! Deploy targets as data (DESIGN.md §4.1): where each agent reads artifacts from, per scope.
//! Supporting another agent that reads the same files is one more row in [`TARGETS`], never a
//! new code path.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifact::ArtifactKind;

/// Where artifacts are deployed: into one project, or for the user (all projects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// `<project>/<target folder>/…`
    #[default]
    Project,
    /// `$HOME/<target folder>/…`
    User,
}

impl Scope {
    /// The lowercase name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Project => "project",
            Scope::User => "user",
        }
    }
}

/// One row of the target table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The name used with `--target`.
    pub name: &'static str,
    /// What reads these files.
    pub description: &'static str,
    /// The folder under the project (project scope) or under `$HOME` (user scope).
    pub folder: &'static str,
    /// The kinds this target takes, each with its subfolder under the target folder.
    pub kinds: &'static [(ArtifactKind, &'static str)],
    /// Whether hook entries are merged into `settings.json` / `settings.local.json` in the
    /// target folder (Claude Code's hook mechanism).
    pub settings_hooks: bool,
}

/// Every target SkillMeat knows. The first is the default.
pub const TARGETS: &[Target] = &[
    Target {
        name: "claude",
        description: "Claude Code (.claude/skills, commands, agents, hooks + settings.json)",
        folder: ".claude",
        kinds: &[
            (ArtifactKind::Skill, "skills"),
            (ArtifactKind::Command, "commands"),
            (ArtifactKind::Agent, "agents"),
            (ArtifactKind::Hook, "hooks"),
        ],
        settings_hooks: true,
    },
    Target {
        name: "agents",
        description: "agents that read the shared Agent Skills folder (.agents/skills: Codex and others)",
        folder: ".agents",
        kinds: &[(ArtifactKind::Skill, "skills")],
        settings_hooks: false,
    },
];

/// The default target (`claude`).
pub const DEFAULT_TARGET: &str = "claude";

/// Finds a target by name.
pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The names of every target, for messages.
pub fn names() -> String {
    TARGETS
        .iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Target {
    /// Whether this target takes artifacts of `kind`.
    pub fn takes(&self, kind: ArtifactKind) -> bool {
        self.kinds.iter().any(|(k, _)| *k == kind)
    }

    /// The kinds this target takes, for messages (`skill, command`).
    pub fn kind_names(&self) -> String {
        self.kinds
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The target folder for a scope: `<project>/.claude` or `<user home>/.claude`.
    pub fn root(&self, scope: Scope, project: &Path, user_home: &Path) -> PathBuf {
        match scope {
            Scope::Project => project.join(self.folder),
            Scope::User => user_home.join(self.folder),
        }
    }

    /// Where an artifact goes, relative to the target folder, `/`-separated
    /// (`skills/<name>`, `commands/<name>.md`); `None` when the target does not take the kind.
    pub fn rel_path(&self, kind: ArtifactKind, name: &str) -> Option<String> {
        let (_, dir) = self.kinds.iter().find(|(k, _)| *k == kind)?;
        Some(if kind.is_dir() {
            format!("{dir}/{name}")
        } else {
            format!("{dir}/{name}.md")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        assert_eq!(TARGETS[0].name, DEFAULT_TARGET);
        let c = find("claude").unwrap();
        assert_eq!(
            c.rel_path(ArtifactKind::Command, "x").unwrap(),
            "commands/x.md"
        );
        assert_eq!(c.rel_path(ArtifactKind::Hook, "h").unwrap(), "hooks/h");
        let a = find("agents").unwrap();
        assert_eq!(a.rel_path(ArtifactKind::Skill, "s").unwrap(), "skills/s");
        assert!(a.rel_path(ArtifactKind::Agent, "s").is_none());
        assert_eq!(
            a.root(Scope::User, Path::new("/p"), Path::new("/h")),
            Path::new("/h/.agents")
        );
        let mut names: Vec<_> = TARGETS.iter().map(|t| t.name).collect();
        names.dedup();
        assert_eq!(names.len(), TARGETS.len());
    }
}
