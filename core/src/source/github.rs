//! GitHub sources through the REST API: a ref is resolved to a commit
//! (`GET /repos/{o}/{r}/commits/{ref}` with the `sha` media type) and the content comes from the
//! tarball endpoint, extracted safely into a temp folder. The base URL is configurable so tests
//! run against a local server, and `GITHUB_TOKEN` (or the configured variable) is honoured.

use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use super::{Checkout, SourceError};

/// Upper bounds on what one tarball may unpack to, so a hostile archive cannot fill the disk.
const MAX_ENTRIES: usize = 200_000;
const MAX_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// A blocking GitHub API client.
pub struct Client {
    base: String,
    token: Option<String>,
    http: reqwest::blocking::Client,
}

impl Client {
    /// A client for the API at `base` (e.g. `https://api.github.com`).
    pub fn new(base: &str, token: Option<String>) -> Result<Client, SourceError> {
        let http = reqwest::blocking::Client::builder()
            .user_agent(concat!("skillmeat/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| SourceError::Network {
                url: base.into(),
                message: e.to_string(),
            })?;
        Ok(Client {
            base: base.trim_end_matches('/').to_string(),
            token,
            http,
        })
    }

    fn get(&self, url: &str, accept: &str) -> Result<reqwest::blocking::Response, SourceError> {
        let mut req = self
            .http
            .get(url)
            .header("Accept", accept)
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().map_err(|e| SourceError::Network {
            url: url.into(),
            message: e.without_url().to_string(),
        })?;
        Ok(resp)
    }

    fn check(
        &self,
        resp: reqwest::blocking::Response,
        what: &str,
    ) -> Result<reqwest::blocking::Response, SourceError> {
        let status = resp.status().as_u16();
        let url = resp.url().to_string();
        match status {
            200..=299 => Ok(resp),
            404 | 422 => Err(SourceError::GitHubNotFound {
                what: what.into(),
                url,
            }),
            403 | 429
                if resp
                    .headers()
                    .get("x-ratelimit-remaining")
                    .is_some_and(|v| v == "0")
                    || status == 429 =>
            {
                let reset = resp
                    .headers()
                    .get("x-ratelimit-reset")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<i64>().ok())
                    .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
                    .map(|t| format!(", resets at {}", t.strftime("%H:%M UTC")))
                    .unwrap_or_default();
                Err(SourceError::RateLimited { url, reset })
            }
            _ => {
                let body = resp.text().unwrap_or_default();
                let message = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
                    .unwrap_or_else(|| body.chars().take(200).collect());
                Err(SourceError::Http {
                    url,
                    status,
                    message,
                })
            }
        }
    }

    /// The repository's default branch.
    pub fn default_branch(&self, owner: &str, repo: &str) -> Result<String, SourceError> {
        let url = format!("{}/repos/{owner}/{repo}", self.base);
        let resp = self.get(&url, "application/vnd.github+json")?;
        let resp = self.check(resp, &format!("repository {owner}/{repo}"))?;
        let v: serde_json::Value =
            serde_json::from_reader(resp).map_err(|e| SourceError::Http {
                url: url.clone(),
                status: 200,
                message: format!("unreadable JSON: {e}"),
            })?;
        v.get("default_branch")
            .and_then(|b| b.as_str())
            .map(String::from)
            .ok_or(SourceError::Http {
                url,
                status: 200,
                message: "the answer has no default_branch".into(),
            })
    }

    /// Resolves `reference` to a commit sha.
    pub fn resolve(&self, owner: &str, repo: &str, reference: &str) -> Result<String, SourceError> {
        let url = format!("{}/repos/{owner}/{repo}/commits/{reference}", self.base);
        let resp = self.get(&url, "application/vnd.github.sha")?;
        let resp = self.check(resp, &format!("ref `{reference}` in {owner}/{repo}"))?;
        let body = resp.text().map_err(|e| SourceError::Network {
            url: url.clone(),
            message: e.to_string(),
        })?;
        let sha = body.trim().to_string();
        if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SourceError::Http {
                url,
                status: 200,
                message: "the answer is not a commit sha".into(),
            });
        }
        Ok(sha)
    }

    /// Resolves `reference` (the default branch when None) and downloads the tree at that commit.
    pub fn fetch(
        &self,
        owner: &str,
        repo: &str,
        reference: Option<&str>,
    ) -> Result<Checkout, SourceError> {
        let (version_spec, refname) = match reference {
            Some(r) if r != "latest" => (r.to_string(), r.to_string()),
            _ => ("latest".to_string(), self.default_branch(owner, repo)?),
        };
        let sha = self.resolve(owner, repo, &refname)?;
        let resolved_version = (refname != sha).then_some(refname);
        let url = format!("{}/repos/{owner}/{repo}/tarball/{sha}", self.base);
        let resp = self.get(&url, "application/vnd.github+json")?;
        let resp = self.check(resp, &format!("tarball of {owner}/{repo}@{sha}"))?;
        let dir = tempfile::Builder::new()
            .prefix("skillmeat-gh-")
            .tempdir()
            .map_err(|e| SourceError::io(std::env::temp_dir(), e))?;
        let symlinks = extract_tarball(resp, dir.path(), &url)?;
        Ok(Checkout {
            dir,
            sha,
            version_spec,
            resolved_version,
            symlinks,
        })
    }
}

/// Extracts a gzipped tarball into `dest`, dropping its single top folder. Refuses absolute and
/// `..` paths; symbolic and hard links are never created (their paths are returned so an
/// artifact containing one can be refused by name).
pub fn extract_tarball(
    reader: impl Read,
    dest: &Path,
    url: &str,
) -> Result<Vec<String>, SourceError> {
    let bad = |m: String| SourceError::Archive {
        url: url.into(),
        message: m,
    };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(reader));
    let mut symlinks = Vec::new();
    let mut total = 0u64;
    let entries = archive.entries().map_err(|e| bad(e.to_string()))?;
    for (i, entry) in entries.enumerate() {
        if i >= MAX_ENTRIES {
            return Err(bad(format!("more than {MAX_ENTRIES} entries")));
        }
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let path = entry.path().map_err(|e| bad(e.to_string()))?.into_owned();
        let mut parts = Vec::new();
        for c in path.components() {
            match c {
                Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
                Component::CurDir => {}
                _ => return Err(bad(format!("entry `{}` leaves the folder", path.display()))),
            }
        }
        // Drop the `owner-repo-sha/` top folder GitHub adds.
        if parts.len() <= 1 {
            continue;
        }
        let rel = parts[1..].join("/");
        let target: PathBuf = dest.join(&rel);
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            fs::create_dir_all(&target).map_err(|e| SourceError::io(&target, e))?;
        } else if kind.is_symlink() || kind.is_hard_link() {
            symlinks.push(rel);
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            total += entry.header().size().unwrap_or(0);
            if total > MAX_TOTAL_BYTES {
                return Err(bad("it unpacks to more than 2 GiB".into()));
            }
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(|e| SourceError::io(parent, e))?;
            }
            let mut out = fs::File::create(&target).map_err(|e| SourceError::io(&target, e))?;
            std::io::copy(&mut entry, &mut out).map_err(|e| bad(e.to_string()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = entry.header().mode().unwrap_or(0o644);
                let mode = crate::fsx::file_mode(mode & 0o111 != 0);
                let _ = fs::set_permissions(&target, fs::Permissions::from_mode(mode));
            }
        }
        // Other entry types (pax headers, devices, fifos) carry nothing an artifact needs.
    }
    Ok(symlinks)
}
