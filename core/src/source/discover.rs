//! Finding artifacts in a fetched folder: one artifact (a skill folder, a hook folder, a Markdown
//! file) or many (a skills repository, a plugin, a project's `.claude/` folder).
//!
//! Rules (DESIGN.md §3): a folder with `SKILL.md` is a skill; a folder with `hooks.json` is a
//! hook (a plugin's `hooks/hooks.json` is named after the plugin); a `.md` under an `agents/`
//! folder is an agent and under `commands/` a command. A single `.md` file given directly is an
//! agent when it sits in `agents/` or its front matter has `name` and `description` without the
//! command-only keys, else a command. `README.md` files are documentation, never artifacts.

use std::fs;
use std::path::{Path, PathBuf};

use super::SourceError;
use crate::artifact::{ArtifactKind, is_ignored_name, parse_front_matter};

/// An artifact found in a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name (folder name or file stem, before any `--name`).
    pub name: String,
    /// Absolute path of the folder or file.
    pub path: PathBuf,
}

const COMMAND_ONLY_KEYS: &[&str] = &["argument-hint", "allowed-tools"];

fn is_readme(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "readme.md" | "changelog.md" | "license.md" | "contributing.md"
    )
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn dir_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Guesses whether a single Markdown file is an agent or a command.
fn md_kind(path: &Path) -> ArtifactKind {
    let parent = path.parent().map(dir_name).unwrap_or_default();
    if parent == "agents" {
        return ArtifactKind::Agent;
    }
    if parent == "commands" {
        return ArtifactKind::Command;
    }
    let text = fs::read_to_string(path).unwrap_or_default();
    match parse_front_matter(&text) {
        Ok(Some(fm))
            if fm.fields.contains_key("name")
                && fm.fields.contains_key("description")
                && !COMMAND_ONLY_KEYS.iter().any(|k| fm.fields.contains_key(*k)) =>
        {
            ArtifactKind::Agent
        }
        _ => ArtifactKind::Command,
    }
}

/// Finds the artifacts at `root`. `kind` (from `--kind`) forces the kind of a single artifact,
/// or filters a multi-artifact folder. Results are sorted by path.
pub fn discover(root: &Path, kind: Option<ArtifactKind>) -> Result<Vec<Candidate>, SourceError> {
    let meta = fs::symlink_metadata(root).map_err(|e| SourceError::io(root, e))?;
    if meta.file_type().is_symlink() {
        return Err(crate::artifact::HashError::Symlink {
            path: root.to_path_buf(),
        }
        .into());
    }
    if meta.is_file() {
        return single_file(root, kind).map(|c| vec![c]);
    }
    if root.join("SKILL.md").is_file() {
        if let Some(k) = kind.filter(|k| *k != ArtifactKind::Skill) {
            return Err(SourceError::WrongKind {
                path: root.to_path_buf(),
                kind: k,
                why: "it holds SKILL.md, which makes it a skill".into(),
            });
        }
        return Ok(vec![Candidate {
            kind: ArtifactKind::Skill,
            name: dir_name(root),
            path: root.to_path_buf(),
        }]);
    }
    if root.join("hooks.json").is_file() && kind.is_none_or(|k| k == ArtifactKind::Hook) {
        return Ok(vec![Candidate {
            kind: ArtifactKind::Hook,
            name: hook_name(root),
            path: root.to_path_buf(),
        }]);
    }
    let mut out = Vec::new();
    scan(root, None, &mut out)?;
    if let Some(k) = kind {
        out.retain(|c| c.kind == k);
    }
    if out.is_empty() {
        let parent = root.parent().map(dir_name).unwrap_or_default();
        if kind == Some(ArtifactKind::Skill) || parent == "skills" {
            return Err(SourceError::NoSkillMd {
                path: root.to_path_buf(),
            });
        }
        return Err(SourceError::NoArtifact {
            path: root.to_path_buf(),
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn single_file(path: &Path, kind: Option<ArtifactKind>) -> Result<Candidate, SourceError> {
    let name = dir_name(path);
    if name == "SKILL.md" {
        let dir = path.parent().unwrap_or(path);
        return discover(dir, kind).and_then(|mut v| {
            v.pop().ok_or(SourceError::NoArtifact {
                path: dir.to_path_buf(),
            })
        });
    }
    if name == "hooks.json" {
        let dir = path.parent().unwrap_or(path);
        return Ok(Candidate {
            kind: ArtifactKind::Hook,
            name: hook_name(dir),
            path: dir.to_path_buf(),
        });
    }
    let is_md = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"));
    if !is_md {
        return Err(SourceError::NoArtifact {
            path: path.to_path_buf(),
        });
    }
    let k = match kind {
        Some(k @ (ArtifactKind::Command | ArtifactKind::Agent)) => k,
        Some(k) => {
            return Err(SourceError::WrongKind {
                path: path.to_path_buf(),
                kind: k,
                why: format!(
                    "a single Markdown file is a command or an agent, and a {k} is a folder"
                ),
            });
        }
        None => md_kind(path),
    };
    Ok(Candidate {
        kind: k,
        name: stem(path),
        path: path.to_path_buf(),
    })
}

/// A hook folder's name: a plugin's `hooks/` folder takes the plugin's name.
fn hook_name(dir: &Path) -> String {
    if dir_name(dir) == "hooks"
        && let Some(plugin) = dir.parent()
    {
        let manifest = plugin.join(".claude-plugin").join("plugin.json");
        if let Ok(text) = fs::read_to_string(&manifest)
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
            && let Some(n) = v.get("name").and_then(|n| n.as_str())
        {
            return n.to_string();
        }
        return dir_name(plugin);
    }
    dir_name(dir)
}

/// Walks `dir`; `section` is the nearest enclosing `commands` or `agents` folder kind.
fn scan(
    dir: &Path,
    section: Option<ArtifactKind>,
    out: &mut Vec<Candidate>,
) -> Result<(), SourceError> {
    let rd = fs::read_dir(dir).map_err(|e| SourceError::io(dir, e))?;
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        let name = e.file_name().to_string_lossy().into_owned();
        if ft.is_symlink() {
            tracing::warn!("skipping symbolic link {}", path.display());
            continue;
        }
        if ft.is_dir() {
            if is_ignored_name(&name, true) {
                continue;
            }
            if path.join("SKILL.md").is_file() {
                out.push(Candidate {
                    kind: ArtifactKind::Skill,
                    name,
                    path,
                });
                continue;
            }
            if path.join("hooks.json").is_file() {
                out.push(Candidate {
                    kind: ArtifactKind::Hook,
                    name: hook_name(&path),
                    path,
                });
                continue;
            }
            let sub = match name.as_str() {
                "commands" => Some(ArtifactKind::Command),
                "agents" => Some(ArtifactKind::Agent),
                // A plain folder inside commands/ namespaces its commands; keep the section.
                _ => section,
            };
            scan(&path, sub, out)?;
        } else if ft.is_file()
            && let Some(kind) = section
            && path
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("md"))
            && !is_readme(&name)
        {
            out.push(Candidate {
                kind,
                name: stem(&path),
                path,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    #[test]
    fn finds_everything_in_a_repository() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(r, "README.md", "# repo");
        write(r, "skills/a/SKILL.md", "---\nname: a\n---\n");
        write(r, "skills/a/nested/SKILL.md", "not a second skill");
        write(r, "commands/c.md", "hi");
        write(r, "commands/README.md", "docs");
        write(r, "commands/ns/d.md", "namespaced");
        write(r, "agents/g.md", "---\nname: g\ndescription: x\n---\n");
        write(r, "hooks/h/hooks.json", "{}");
        write(
            r,
            "plugins/p/.claude-plugin/plugin.json",
            r#"{"name":"plug"}"#,
        );
        write(r, "plugins/p/hooks/hooks.json", "{}");
        write(r, "plugins/p/skills/b/SKILL.md", "x");
        let found: Vec<_> = discover(r, None)
            .unwrap()
            .into_iter()
            .map(|c| format!("{}:{}", c.kind, c.name))
            .collect();
        assert_eq!(
            found,
            [
                "agent:g",
                "command:c",
                "command:d",
                "hook:h",
                "hook:plug",
                "skill:b",
                "skill:a"
            ]
        );
    }

    #[test]
    fn single_artifacts_and_errors() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(r, "x/agent.md", "---\nname: a\ndescription: b\n---\n");
        write(
            r,
            "x/cmd.md",
            "---\ndescription: b\nargument-hint: \"[x]\"\n---\n",
        );
        assert_eq!(
            discover(&r.join("x/agent.md"), None).unwrap()[0].kind,
            ArtifactKind::Agent
        );
        assert_eq!(
            discover(&r.join("x/cmd.md"), None).unwrap()[0].kind,
            ArtifactKind::Command
        );
        fs::create_dir_all(r.join("skills/empty")).unwrap();
        write(r, "skills/empty/notes.txt", "");
        assert!(matches!(
            discover(&r.join("skills/empty"), None),
            Err(SourceError::NoSkillMd { .. })
        ));
        fs::create_dir_all(r.join("nothing")).unwrap();
        assert!(matches!(
            discover(&r.join("nothing"), None),
            Err(SourceError::NoArtifact { .. })
        ));
    }
}
