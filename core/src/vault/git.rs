//! The git vault: packs are files on a branch of a repository, handled with the real `git`
//! binary (so the user's own credentials, SSH keys and helpers apply). Each operation works in
//! a fresh temp repository: fetch the branch (shallow), change, commit, push.

use std::path::Path;
use std::process::Command;

use super::{Backend, VaultPack};

pub(super) struct GitVault {
    pub url: String,
    pub branch: String,
    pub prefix: Option<String>,
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| format!("cannot run `git` ({e}); install git"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        return Err(format!("`git {}` failed: {line}", args.join(" ")));
    }
    Ok(out.stdout)
}

impl GitVault {
    fn path_of(&self, name: &str) -> String {
        match &self.prefix {
            Some(p) => format!("{}/{name}", p.trim_matches('/')),
            None => name.to_string(),
        }
    }

    /// A temp repository with the branch fetched; `Ok(true)` when the branch exists.
    fn fetch(&self) -> Result<(tempfile::TempDir, bool), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        git(dir.path(), &["init", "-q"])?;
        let refspec = format!("refs/heads/{}", self.branch);
        let exists = !git(dir.path(), &["ls-remote", "--heads", &self.url, &refspec])?.is_empty();
        if exists {
            git(
                dir.path(),
                &["fetch", "-q", "--depth", "1", &self.url, &refspec],
            )?;
        }
        Ok((dir, exists))
    }

    /// Checks the branch out (or starts it), applies `change`, commits and pushes.
    fn commit(
        &self,
        message: &str,
        change: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<(), String> {
        let (dir, exists) = self.fetch()?;
        let d = dir.path();
        if exists {
            git(d, &["checkout", "-q", "-B", &self.branch, "FETCH_HEAD"])?;
        } else {
            git(
                d,
                &[
                    "symbolic-ref",
                    "HEAD",
                    &format!("refs/heads/{}", self.branch),
                ],
            )?;
        }
        change(d)?;
        git(d, &["add", "-A"])?;
        // Use the user's identity when git has one; a fallback keeps a bare setup working.
        let has_identity = git(d, &["config", "user.email"]).is_ok();
        let mut args: Vec<&str> = Vec::new();
        if !has_identity {
            args.extend([
                "-c",
                "user.name=SkillMeat",
                "-c",
                "user.email=skillmeat@localhost",
            ]);
        }
        args.extend(["commit", "-q", "-m", message]);
        git(d, &args)?;
        git(
            d,
            &[
                "push",
                "-q",
                &self.url,
                &format!("HEAD:refs/heads/{}", self.branch),
            ],
        )?;
        Ok(())
    }
}

impl Backend for GitVault {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let rel = self.path_of(name);
        self.commit(&format!("Add pack {name}"), |d| {
            let p = d.join(&rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&p, bytes).map_err(|e| e.to_string())
        })
    }

    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let (dir, exists) = self.fetch()?;
        if !exists {
            return Ok(None);
        }
        let spec = format!("FETCH_HEAD:{}", self.path_of(name));
        match git(dir.path(), &["cat-file", "-e", &spec]) {
            Ok(_) => git(dir.path(), &["cat-file", "blob", &spec]).map(Some),
            Err(_) => Ok(None),
        }
    }

    fn list(&self) -> Result<Vec<VaultPack>, String> {
        let (dir, exists) = self.fetch()?;
        if !exists {
            return Ok(Vec::new());
        }
        let tree = match &self.prefix {
            Some(p) => format!("FETCH_HEAD:{}", p.trim_matches('/')),
            None => "FETCH_HEAD".to_string(),
        };
        let out = match git(dir.path(), &["ls-tree", "-l", &tree]) {
            Ok(o) => o,
            Err(_) => return Ok(Vec::new()),
        };
        // `<mode> blob <sha> <size>\t<name>`
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| {
                let (meta, name) = l.split_once('\t')?;
                let mut parts = meta.split_whitespace();
                let _mode = parts.next()?;
                if parts.next()? != "blob" {
                    return None;
                }
                let _sha = parts.next()?;
                let bytes = parts.next()?.parse().ok()?;
                Some(VaultPack {
                    name: name.to_string(),
                    bytes,
                })
            })
            .collect())
    }

    fn delete(&self, name: &str) -> Result<bool, String> {
        let rel = self.path_of(name);
        self.commit(&format!("Remove pack {name}"), |d| {
            std::fs::remove_file(d.join(&rel)).map_err(|e| e.to_string())
        })?;
        Ok(true)
    }
}
