//! Helpers shared by the end-to-end tests: the real `skillmeat` binary (built by `cargo test`
//! for this package), temp homes that are never the real `$HOME`, and a byte-exact snapshot of a folder so a
//! test can prove a failed command changed nothing.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Path of the `skillmeat` binary: the one `cargo test` built for this package (same features as
/// the rest of the run, so nothing is rebuilt), or `SKILLMEAT_BIN` (benchmarks point it at a
/// release build).
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var_os("SKILLMEAT_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_skillmeat")))
    })
}

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A temp SkillMeat home plus a temp HOME, both removed on drop.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The SkillMeat home.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("skillmeat-home")
    }

    /// A fake user home, so nothing touches the real one.
    pub fn user_home(&self) -> PathBuf {
        let p = self.dir.path().join("user-home");
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// A scratch folder inside the temp dir.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `skillmeat` with this env: SKILLMEAT_HOME, HOME, no colour, no GitHub token from the
    /// developer's shell, and private keys in files: the developer's session bus (and so their
    /// keychain) is hidden; the keychain tests bring their own Secret Service.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::new(bin());
        c.env("SKILLMEAT_HOME", self.home())
            .env("HOME", self.user_home())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_TOKEN")
            .env_remove("SKILLMEAT_GITHUB_API_URL")
            .env_remove("SKILLMEAT_LOG")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("SKILLMEAT_KEY_STORAGE", "file")
            .current_dir(self.dir.path());
        c
    }

    /// Runs `skillmeat ARGS --json` and parses stdout, asserting success.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cmd().args(args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "skillmeat {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs `skillmeat ARGS` and returns its text output, asserting success.
    pub fn stdout(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "skillmeat {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// `(kind, name)` → `field` of each artifact in `status --json` (`state`, `actual_hash`, …).
pub fn status_field(env: &Env, field: &str) -> BTreeMap<(String, String), String> {
    env.json(&["status"])["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let s = |k: &str| a[k].as_str().unwrap_or_default().to_string();
            ((s("kind"), s("name")), s(field))
        })
        .collect()
}

/// Every file under `root` with its bytes (and folders as empty entries), for byte-identity checks.
pub fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !root.exists() {
        return out;
    }
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if e.file_type().unwrap().is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    walk(root, root, &mut out);
    out
}

/// Writes `text` to `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A minimal valid skill folder's SKILL.md.
pub fn skill_md(name: &str, description: &str) -> String {
    format!("---\nname: {name}\ndescription: {description}\n---\n\n# {name}\n\nDo the thing.\n")
}
