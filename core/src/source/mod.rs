//! Sources: where artifacts come from. A source spec (a local path, `owner/repo[/path][@ref]` on
//! GitHub, or a git URL) is parsed into a [`SourceSpec`], fetched into a folder ([`Fetched`]), and
//! the folder is searched for artifacts ([`discover`]).

mod discover;
pub mod git;
pub mod github;

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use discover::{Candidate, discover};

use crate::artifact::{ArtifactKind, HashError};
use crate::home::user_home;

/// Where an artifact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A local file or folder.
    #[default]
    Local,
    /// A GitHub repository, fetched through the REST API.
    Github,
    /// Any git URL, fetched with the `git` binary.
    Git,
    /// A marketplace listing.
    Marketplace,
    /// A `.skillmeat-pack` imported with `bundle import` (upstream is `pack:<name>@<version>`).
    Pack,
}

impl Origin {
    /// The lowercase name written to files.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Local => "local",
            Origin::Github => "github",
            Origin::Git => "git",
            Origin::Marketplace => "marketplace",
            Origin::Pack => "pack",
        }
    }
}

/// A parsed source spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// A local file or folder.
    Local {
        /// The path, absolute.
        path: PathBuf,
    },
    /// A GitHub repository, through the REST API.
    GitHub {
        owner: String,
        repo: String,
        /// A folder or file inside the repository.
        path: Option<String>,
        /// A tag, branch or commit; the default branch when absent.
        reference: Option<String>,
    },
    /// Any git URL, through the `git` binary.
    Git {
        url: String,
        /// A folder or file inside the repository.
        path: Option<String>,
        /// A tag, branch or commit; the remote HEAD when absent.
        reference: Option<String>,
    },
}

/// Why a source could not be used. Each message names what was asked for and what to do.
#[derive(Debug, Error)]
pub enum SourceError {
    #[error("{path} does not exist; check the path{}", if cwd.as_os_str().is_empty() {
        String::new()
    } else {
        format!(" (relative paths start from {})", cwd.display())
    })]
    NotFound { path: PathBuf, cwd: PathBuf },
    #[error(
        "`{spec}` is not a source SkillMeat understands{why}; use a local path, owner/repo[/path][@ref] for GitHub, or a git URL such as https://host/repo.git[//path][#ref]"
    )]
    Malformed { spec: String, why: String },
    #[error(
        "{path} holds no artifact; expected a skill folder with SKILL.md, a hook folder with hooks.json, a Markdown command or agent, or skills/, commands/, agents/ or hooks/ folders inside"
    )]
    NoArtifact { path: PathBuf },
    #[error(
        "{path} is a skill folder without SKILL.md; add SKILL.md with `name` and `description` front matter"
    )]
    NoSkillMd { path: PathBuf },
    #[error("{path} is not a {kind}: {why}")]
    WrongKind {
        path: PathBuf,
        kind: ArtifactKind,
        why: String,
    },
    #[error(
        "GitHub has no {what} (404 from {url}); check the repository and ref (a private repository needs GITHUB_TOKEN)"
    )]
    GitHubNotFound { what: String, url: String },
    #[error(
        "GitHub refused the request because its rate limit is used up (403 from {url}{reset}); set GITHUB_TOKEN to a personal access token and retry"
    )]
    RateLimited { url: String, reset: String },
    #[error("GitHub answered {status} for {url}: {message}")]
    Http {
        url: String,
        status: u16,
        message: String,
    },
    #[error("cannot reach {url} ({message}); check the network")]
    Network { url: String, message: String },
    #[error("`{path}` is not in {repo}; check the path inside the repository")]
    PathNotInRepo { path: String, repo: String },
    #[error("the `git` program was not found on PATH; install git to add artifacts from git URLs")]
    GitMissing,
    #[error(
        "git could not fetch {url}: {message}; check the URL, the ref and your git credentials"
    )]
    Git { url: String, message: String },
    #[error("the archive from {url} is unsafe or broken ({message}); nothing was written")]
    Archive { url: String, message: String },
    #[error("`{spec}` is a relative path, and there is no working folder to resolve it from")]
    RelativeWithoutCwd { spec: String },
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl crate::hint::Hinted for SourceError {
    fn kind(&self) -> crate::hint::ErrorKind {
        use crate::hint::ErrorKind as K;
        match self {
            SourceError::NotFound { .. }
            | SourceError::GitHubNotFound { .. }
            | SourceError::PathNotInRepo { .. } => K::NotFound,
            SourceError::Malformed { .. }
            | SourceError::WrongKind { .. }
            | SourceError::RelativeWithoutCwd { .. } => K::Usage,
            SourceError::NoArtifact { .. }
            | SourceError::NoSkillMd { .. }
            | SourceError::Archive { .. } => K::Invalid,
            SourceError::RateLimited { .. }
            | SourceError::Http { .. }
            | SourceError::Network { .. }
            | SourceError::GitMissing
            | SourceError::Git { .. } => K::Network,
            SourceError::Hash(e) => crate::hint::Hinted::kind(e),
            SourceError::Io { source, .. } => crate::hint::io_kind(source),
        }
    }

    fn fixes(&self) -> Vec<crate::hint::Fix> {
        use crate::hint::Fix;
        match self {
            SourceError::WrongKind { .. } => {
                vec![Fix::param("kind").why("with its real kind, or leave the kind out")]
            }
            SourceError::RelativeWithoutCwd { .. } => vec![
                Fix::param("source").why("as an absolute path"),
                Fix::param("cwd").why("naming the folder it is relative to"),
            ],
            SourceError::Network { .. } => vec![
                Fix::op_with(
                    "config_set",
                    serde_json::json!({"key": "github-api-url", "value": "URL"}),
                )
                .why("when the GitHub API lives elsewhere"),
            ],
            _ => Vec::new(),
        }
    }
}

impl SourceError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SourceError::Io {
            path: path.into(),
            source,
        }
    }
}

fn is_repo_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl SourceSpec {
    /// Parses a spec as typed on the command line; relative local paths resolve from `cwd`.
    pub fn parse(spec: &str, cwd: &Path) -> Result<SourceSpec, SourceError> {
        Self::parse_from(spec, Some(cwd))
    }

    /// Parses a spec; relative local paths resolve from `cwd`, and without one (a server, whose
    /// working folder means nothing to its client) they are refused.
    pub fn parse_from(spec: &str, cwd: Option<&Path>) -> Result<SourceSpec, SourceError> {
        let s = spec.trim();
        if s.is_empty() {
            return Err(SourceError::Malformed {
                spec: spec.into(),
                why: " (it is empty)".into(),
            });
        }
        for prefix in ["https://github.com/", "http://github.com/"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                return parse_github_url(spec, rest);
            }
        }
        let schemes = ["https://", "http://", "ssh://", "git://", "file://", "git+"];
        if schemes.iter().any(|p| s.starts_with(p)) || (s.starts_with("git@") && s.contains(':')) {
            return Ok(parse_git_url(s));
        }
        let local = cwd.map(|c| c.join(s.strip_prefix("./").unwrap_or(s)));
        let looks_local = s.starts_with('/')
            || s.starts_with("./")
            || s.starts_with("../")
            || s.starts_with('~')
            || s == "."
            || s == ".."
            || (cfg!(windows) && s.as_bytes().get(1) == Some(&b':'));
        if local.as_ref().is_some_and(|l| l.exists()) || looks_local {
            let home_rel = s
                .strip_prefix("~/")
                .and_then(|rest| user_home().map(|h| h.join(rest)));
            let path = match (home_rel, local) {
                (Some(p), _) => p,
                _ if Path::new(s).is_absolute() => PathBuf::from(s),
                (None, Some(l)) => l,
                (None, None) => {
                    return Err(SourceError::RelativeWithoutCwd { spec: spec.into() });
                }
            };
            if !path.exists() {
                return Err(SourceError::NotFound {
                    path,
                    cwd: cwd.map(Path::to_path_buf).unwrap_or_default(),
                });
            }
            let path = path.canonicalize().map_err(|e| SourceError::io(&path, e))?;
            return Ok(SourceSpec::Local { path });
        }
        if s.ends_with(".git") {
            return Ok(parse_git_url(s));
        }
        // owner/repo[/path][@ref]
        let (body, reference) = match s.rsplit_once('@') {
            Some((b, r))
                if !r.is_empty() && !r.contains('/') || Some(&b).is_some_and(|_| false) =>
            {
                (b, Some(r.to_string()))
            }
            Some((b, r)) if !r.is_empty() => (b, Some(r.to_string())),
            Some((_, _)) => {
                return Err(SourceError::Malformed {
                    spec: spec.into(),
                    why: " (nothing follows `@`)".into(),
                });
            }
            None => (s, None),
        };
        let parts: Vec<&str> = body.split('/').collect();
        if parts.len() >= 2 && is_repo_segment(parts[0]) && is_repo_segment(parts[1]) {
            let path = parts[2..].join("/");
            if parts[2..].iter().any(|p| p.is_empty() || *p == "..") && !path.is_empty() {
                return Err(SourceError::Malformed {
                    spec: spec.into(),
                    why: " (the path inside the repository has an empty or `..` part)".into(),
                });
            }
            return Ok(SourceSpec::GitHub {
                owner: parts[0].into(),
                repo: parts[1].trim_end_matches(".git").into(),
                path: (!path.is_empty()).then_some(path),
                reference,
            });
        }
        Err(SourceError::Malformed {
            spec: spec.into(),
            why: match local {
                Some(l) => format!(" (no file or folder {} exists)", l.display()),
                None => String::new(),
            },
        })
    }

    /// How the spec reads back, for messages.
    pub fn display(&self) -> String {
        match self {
            SourceSpec::Local { path } => path.display().to_string(),
            SourceSpec::GitHub {
                owner,
                repo,
                path,
                reference,
            } => {
                let mut s = format!("{owner}/{repo}");
                if let Some(p) = path {
                    s.push('/');
                    s.push_str(p);
                }
                if let Some(r) = reference {
                    s.push('@');
                    s.push_str(r);
                }
                s
            }
            SourceSpec::Git {
                url,
                path,
                reference,
            } => {
                let mut s = url.clone();
                if let Some(p) = path {
                    s.push_str("//");
                    s.push_str(p);
                }
                if let Some(r) = reference {
                    s.push('#');
                    s.push_str(r);
                }
                s
            }
        }
    }
}

fn parse_github_url(spec: &str, rest: &str) -> Result<SourceSpec, SourceError> {
    let rest = rest.trim_end_matches('/');
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.len() < 2 || !is_repo_segment(parts[0]) || !is_repo_segment(parts[1]) {
        return Err(SourceError::Malformed {
            spec: spec.into(),
            why: " (a GitHub URL needs an owner and a repository)".into(),
        });
    }
    let owner = parts[0].to_string();
    let repo = parts[1].trim_end_matches(".git").to_string();
    let (reference, path) = match parts.get(2) {
        Some(&"tree") | Some(&"blob") => {
            let r = parts.get(3).map(|s| s.to_string());
            let p = parts[4.min(parts.len())..].join("/");
            (r, (!p.is_empty()).then_some(p))
        }
        None => (None, None),
        Some(_) => {
            return Err(SourceError::Malformed {
                spec: spec.into(),
                why: " (expected https://github.com/OWNER/REPO/tree/REF/PATH)".into(),
            });
        }
    };
    Ok(SourceSpec::GitHub {
        owner,
        repo,
        path,
        reference,
    })
}

fn parse_git_url(s: &str) -> SourceSpec {
    let s = s.strip_prefix("git+").unwrap_or(s);
    let (rest, reference) = match s.rsplit_once('#') {
        Some((a, r)) if !r.is_empty() => (a, Some(r.to_string())),
        Some((a, _)) => (a, None),
        None => (s, None),
    };
    // A subfolder follows `//` after the scheme's own `://`.
    let after_scheme = rest.find("://").map_or(0, |i| i + 3);
    let (url, path) = match rest[after_scheme..].find("//") {
        Some(i) => {
            let cut = after_scheme + i;
            let p = rest[cut + 2..].trim_matches('/').to_string();
            (rest[..cut].to_string(), (!p.is_empty()).then_some(p))
        }
        None => (rest.to_string(), None),
    };
    SourceSpec::Git {
        url,
        path,
        reference,
    }
}

/// A source fetched into a local folder, ready for [`discover`].
#[derive(Debug)]
pub struct Fetched {
    /// The folder (or file) to search for artifacts.
    pub root: PathBuf,
    /// The repository root `root` lies in (for upstream paths); equals `root` for local sources.
    pub repo_root: PathBuf,
    /// Keeps a downloaded checkout alive until the artifacts are copied.
    pub _tmp: Option<tempfile::TempDir>,
    /// Where the artifacts come from.
    pub origin: Origin,
    /// What the user asked for (`latest`, tag, branch, sha); None for local.
    pub version_spec: Option<String>,
    /// The commit resolved.
    pub resolved_sha: Option<String>,
    /// The tag or branch resolved.
    pub resolved_version: Option<String>,
    /// Paths (repository-relative) of symbolic links that were not extracted.
    pub symlinks: Vec<String>,
    spec: SourceSpec,
}

/// How to reach remote sources.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// GitHub REST API base URL.
    pub github_api_url: String,
    /// GitHub token, if any.
    pub github_token: Option<String>,
}

/// Fetches `spec` into a local folder (downloads for GitHub and git; nothing for local paths).
pub fn fetch(spec: &SourceSpec, opts: &FetchOptions) -> Result<Fetched, SourceError> {
    match spec {
        SourceSpec::Local { path } => Ok(Fetched {
            root: path.clone(),
            repo_root: path.clone(),
            _tmp: None,
            origin: Origin::Local,
            version_spec: None,
            resolved_sha: None,
            resolved_version: None,
            symlinks: Vec::new(),
            spec: spec.clone(),
        }),
        SourceSpec::GitHub {
            owner,
            repo,
            path,
            reference,
        } => {
            let gh = github::Client::new(&opts.github_api_url, opts.github_token.clone())?;
            let checkout = gh.fetch(owner, repo, reference.as_deref())?;
            from_checkout(
                spec,
                checkout,
                path,
                Origin::Github,
                &format!("{owner}/{repo}@"),
            )
        }
        SourceSpec::Git {
            url,
            path,
            reference,
        } => {
            let checkout = git::fetch(url, reference.as_deref(), path.as_deref())?;
            from_checkout(spec, checkout, path, Origin::Git, &format!("{url}#"))
        }
    }
}

/// A remote repository checked out at one commit into a temp folder.
pub struct Checkout {
    /// The checked-out tree.
    pub dir: tempfile::TempDir,
    /// The commit.
    pub sha: String,
    /// What was asked for (`latest` for the default branch or remote HEAD).
    pub version_spec: String,
    /// The branch or tag the commit was reached through, when it was not a sha.
    pub resolved_version: Option<String>,
    /// Repository-relative paths of symbolic links that were not extracted.
    pub symlinks: Vec<String>,
}

/// Points a checkout at the path inside it that the spec names.
fn from_checkout(
    spec: &SourceSpec,
    checkout: Checkout,
    path: &Option<String>,
    origin: Origin,
    label: &str,
) -> Result<Fetched, SourceError> {
    let repo_root = checkout.dir.path().to_path_buf();
    let root = match path {
        Some(p) => repo_root.join(p),
        None => repo_root.clone(),
    };
    if !root.exists() {
        return Err(SourceError::PathNotInRepo {
            path: path.clone().unwrap_or_default(),
            repo: format!("{label}{}", checkout.version_spec),
        });
    }
    Ok(Fetched {
        root,
        repo_root,
        origin,
        version_spec: Some(checkout.version_spec),
        resolved_sha: Some(checkout.sha),
        resolved_version: checkout.resolved_version,
        symlinks: checkout.symlinks,
        _tmp: Some(checkout.dir),
        spec: spec.clone(),
    })
}

impl Fetched {
    /// The upstream to record for an artifact found at `abs` inside this source.
    pub fn upstream_for(&self, abs: &Path) -> String {
        let rel = abs
            .strip_prefix(&self.repo_root)
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_default();
        match &self.spec {
            SourceSpec::Local { .. } => abs.display().to_string(),
            SourceSpec::GitHub { owner, repo, .. } => {
                let sha = self.resolved_sha.as_deref().unwrap_or("HEAD");
                if rel.is_empty() {
                    format!("https://github.com/{owner}/{repo}/tree/{sha}")
                } else {
                    format!("https://github.com/{owner}/{repo}/tree/{sha}/{rel}")
                }
            }
            SourceSpec::Git { url, .. } => {
                if rel.is_empty() {
                    url.clone()
                } else {
                    format!("{url}//{rel}")
                }
            }
        }
    }

    /// Refuses an artifact that contains a symbolic link the archive carried.
    pub fn check_symlinks(&self, abs: &Path) -> Result<(), SourceError> {
        let rel = abs
            .strip_prefix(&self.repo_root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        for link in &self.symlinks {
            if rel.is_empty() || link == &rel || link.starts_with(&format!("{rel}/")) {
                return Err(HashError::Symlink {
                    path: PathBuf::from(link),
                }
                .into());
            }
        }
        Ok(())
    }
}

/// Parses a recorded upstream back into a spec that re-fetches the same artifact at `reference`.
pub fn spec_from_upstream(
    origin: Origin,
    upstream: &str,
    reference: Option<&str>,
) -> Option<SourceSpec> {
    match origin {
        Origin::Local => Some(SourceSpec::Local {
            path: PathBuf::from(upstream),
        }),
        Origin::Github => {
            let rest = upstream
                .strip_prefix("https://github.com/")
                .or_else(|| upstream.strip_prefix("http://github.com/"))?;
            match parse_github_url(upstream, rest).ok()? {
                SourceSpec::GitHub {
                    owner, repo, path, ..
                } => Some(SourceSpec::GitHub {
                    owner,
                    repo,
                    path,
                    reference: reference.map(str::to_string),
                }),
                _ => None,
            }
        }
        Origin::Git => match parse_git_url(upstream) {
            SourceSpec::Git { url, path, .. } => Some(SourceSpec::Git {
                url,
                path,
                reference: reference.map(str::to_string),
            }),
            _ => None,
        },
        Origin::Marketplace | Origin::Pack => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<SourceSpec, SourceError> {
        SourceSpec::parse(s, Path::new("/nonexistent-cwd"))
    }

    #[test]
    fn github_specs() {
        assert_eq!(
            p("acme/skills/code-review@v1.4.0").unwrap(),
            SourceSpec::GitHub {
                owner: "acme".into(),
                repo: "skills".into(),
                path: Some("code-review".into()),
                reference: Some("v1.4.0".into())
            }
        );
        assert_eq!(
            p("https://github.com/acme/skills/tree/main/a/b").unwrap(),
            SourceSpec::GitHub {
                owner: "acme".into(),
                repo: "skills".into(),
                path: Some("a/b".into()),
                reference: Some("main".into())
            }
        );
        assert!(matches!(
            p("acme/skills").unwrap(),
            SourceSpec::GitHub {
                path: None,
                reference: None,
                ..
            }
        ));
    }

    #[test]
    fn git_specs() {
        assert_eq!(
            p("https://example.com/x/repo.git//skills/a#v1").unwrap(),
            SourceSpec::Git {
                url: "https://example.com/x/repo.git".into(),
                path: Some("skills/a".into()),
                reference: Some("v1".into())
            }
        );
        assert_eq!(
            p("git@host:x/y.git#main").unwrap(),
            SourceSpec::Git {
                url: "git@host:x/y.git".into(),
                path: None,
                reference: Some("main".into())
            }
        );
        assert_eq!(
            p("file:///tmp/r.git").unwrap(),
            SourceSpec::Git {
                url: "file:///tmp/r.git".into(),
                path: None,
                reference: None
            }
        );
    }

    #[test]
    fn malformed_and_missing() {
        assert!(matches!(p("justaword"), Err(SourceError::Malformed { .. })));
        assert!(matches!(
            p("acme/skills@"),
            Err(SourceError::Malformed { .. })
        ));
        assert!(matches!(p("./nope"), Err(SourceError::NotFound { .. })));
        assert!(matches!(p(""), Err(SourceError::Malformed { .. })));
    }

    #[test]
    fn upstream_round_trip() {
        let s = spec_from_upstream(
            Origin::Github,
            "https://github.com/acme/skills/tree/0123/code-review",
            Some("v2"),
        )
        .unwrap();
        assert_eq!(s.display(), "acme/skills/code-review@v2");
        let s = spec_from_upstream(Origin::Git, "file:///r.git//skills/a", None).unwrap();
        assert_eq!(s.display(), "file:///r.git//skills/a");
    }
}
