//! Git sources through the real `git` binary: a shallow fetch of one ref into a temp folder,
//! sparse when only a subfolder is wanted. The user's own credentials and config apply.

use std::path::Path;
use std::process::Command;

use super::{Checkout, SourceError};

fn git(dir: &Path, args: &[&str], url: &str) -> Result<String, SourceError> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                SourceError::GitMissing
            } else {
                SourceError::io(dir, e)
            }
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let message = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("hint:"))
            .map(|l| {
                l.trim_start_matches("fatal: ")
                    .trim_start_matches("error: ")
            })
            .collect::<Vec<_>>()
            .join("; ");
        return Err(SourceError::Git {
            url: url.into(),
            message: if message.is_empty() {
                format!("git {} failed", args.first().unwrap_or(&""))
            } else {
                message
            },
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Fetches `reference` (the remote HEAD when None) of `url` with depth 1. When `subpath` is
/// given only that folder is checked out.
pub fn fetch(
    url: &str,
    reference: Option<&str>,
    subpath: Option<&str>,
) -> Result<Checkout, SourceError> {
    let dir = tempfile::Builder::new()
        .prefix("skillmeat-git-")
        .tempdir()
        .map_err(|e| SourceError::io(std::env::temp_dir(), e))?;
    let d = dir.path();
    git(d, &["init", "-q"], url)?;
    git(d, &["remote", "add", "origin", url], url)?;
    if let Some(p) = subpath {
        git(
            d,
            &["sparse-checkout", "set", "--no-cone", &format!("/{p}")],
            url,
        )?;
    }
    let (version_spec, refname) = match reference {
        Some(r) if r != "latest" => (r.to_string(), r.to_string()),
        _ => ("latest".to_string(), "HEAD".to_string()),
    };
    git(
        d,
        &[
            "fetch",
            "-q",
            "--depth",
            "1",
            "--no-tags",
            "origin",
            &refname,
        ],
        url,
    )
    .map_err(|e| match e {
        SourceError::Git { url, message } if message.contains("couldn't find remote ref") => {
            SourceError::Git {
                url,
                message: format!("the ref `{refname}` does not exist there"),
            }
        }
        other => other,
    })?;
    git(d, &["checkout", "-q", "FETCH_HEAD"], url)?;
    let sha = git(d, &["rev-parse", "FETCH_HEAD"], url)?;
    let resolved_version = (refname != "HEAD" && refname != sha).then_some(refname);
    // The history is not part of any artifact.
    let _ = std::fs::remove_dir_all(d.join(".git"));
    Ok(Checkout {
        dir,
        sha,
        version_spec,
        resolved_version,
        symlinks: Vec::new(),
    })
}
