//! End-to-end: the home itself — a Python SkillMeat 0.3 home loads unchanged and keeps what it
//! does not know, two writers take turns, a 1,000-artifact folder adds in one command, and the
//! small commands (collection, config, completions) work.

mod common;

use std::process::Command;

use common::{Env, skill_md, write};

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

#[test]
fn python_home_loads_and_keeps_unknown_fields() {
    let env = Env::new();
    copy_dir(
        &common::workspace_root().join("cli/tests/fixtures/python-home"),
        &env.home(),
    );
    let manifest = env.home().join("collections/default/collection.toml");
    let before = std::fs::read_to_string(&manifest).unwrap();

    let list = env.json(&["list"]);
    assert_eq!(list["collection"], "default");
    assert_eq!(list["artifacts"].as_array().unwrap().len(), 3, "{list}");
    let status = env.json(&["status"]);
    assert_eq!(status["lock_version"], "1.0.0");
    assert_eq!(status["counts"]["unverified"], 3);
    // Reading changes nothing.
    assert_eq!(before, std::fs::read_to_string(&manifest).unwrap());

    // The first write keeps comments and unknown fields and upgrades the lock.
    let src = env.path("src");
    write(
        &src,
        "new-skill/SKILL.md",
        &skill_md("new-skill", "Brand new."),
    );
    env.cmd()
        .arg("add")
        .arg(src.join("new-skill"))
        .assert()
        .success();
    let after = std::fs::read_to_string(&manifest).unwrap();
    for kept in [
        "# my team's skills",
        "scope = \"user\"",
        "[artifacts.metadata]",
        "env_vars",
        "created = \"2025-09-28T17:02:11.482913\"",
    ] {
        assert!(after.contains(kept), "lost `{kept}`:\n{after}");
    }
    assert!(after.starts_with(&before[..before.find("updated").unwrap()]));
    let status = env.json(&["status"]);
    assert_eq!(status["lock_version"], "2");
    assert_eq!(status["counts"]["clean"], 4, "{status}");
}

#[test]
fn two_writers_at_once_both_succeed() {
    let env = Env::new();
    env.cmd().arg("init").assert().success();
    for i in 0..2 {
        for j in 0..40 {
            write(
                &env.path(&format!("src{i}/skills/s{i}-{j}")),
                "SKILL.md",
                &skill_md(&format!("s{i}-{j}"), "x"),
            );
        }
    }
    let spawn = |i: usize| {
        Command::new(common::bin())
            .arg("add")
            .arg(env.path(&format!("src{i}")))
            .env("SKILLMEAT_HOME", env.home())
            .env("HOME", env.user_home())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(0), spawn(1));
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let list = env.json(&["list"]);
    assert_eq!(list["artifacts"].as_array().unwrap().len(), 80);
    assert_eq!(env.json(&["status"])["counts"]["clean"], 80);
}

#[test]
fn a_thousand_artifacts_in_one_command() {
    let env = Env::new();
    let corpus = env.path("corpus");
    let generator = common::workspace_root()
        .parent()
        .unwrap()
        .join("shared/bench/gen_corpus.py");
    let generator = if generator.exists() {
        generator
    } else {
        common::workspace_root().join("benches/gen_corpus.py")
    };
    let ok = Command::new("python3")
        .arg(&generator)
        .arg(&corpus)
        .args(["-n", "1000"])
        .status()
        .unwrap();
    assert!(ok.success());
    let r = env.json(&["add", corpus.to_str().unwrap()]);
    assert_eq!(r["added"].as_array().unwrap().len(), 1000);
    let list = env.json(&["list"]);
    assert_eq!(list["artifacts"].as_array().unwrap().len(), 1000);
    let hits = env.json(&["search", "review", "--limit", "5"]);
    assert_eq!(hits["hits"].as_array().unwrap().len(), 5);
}

#[test]
fn collections_config_and_completions() {
    let env = Env::new();
    env.cmd()
        .args(["collection", "create", "work"])
        .assert()
        .success();
    env.cmd()
        .args(["collection", "use", "work"])
        .assert()
        .success();
    assert_eq!(
        env.json(&["config", "get", "active-collection"])["value"],
        "work"
    );
    let l = env.json(&["collection", "list"]);
    assert_eq!(l["active"], "work");
    write(&env.path("c"), "hello.md", "Say hello.");
    env.cmd()
        .args(["add", "c/hello.md", "-t", "greeting"])
        .assert()
        .success();
    assert_eq!(
        env.json(&["list", "-c", "work", "--tag", "greeting"])["artifacts"][0]["name"],
        "hello"
    );
    // The active collection cannot be deleted; another one can, with --yes.
    env.cmd()
        .args(["collection", "create", "old"])
        .assert()
        .success();
    env.cmd()
        .args(["collection", "delete", "work", "--yes"])
        .assert()
        .code(1);
    env.cmd()
        .args(["collection", "delete", "old"])
        .assert()
        .code(1); // no terminal to ask, no --yes
    env.cmd()
        .args(["collection", "delete", "old", "--yes"])
        .assert()
        .success();
    assert!(!env.home().join("collections/old").exists());

    env.cmd()
        .args(["config", "set", "analytics", "off"])
        .assert()
        .success();
    assert_eq!(env.json(&["config", "get", "analytics"])["value"], "false");
    let out = env
        .cmd()
        .args(["config", "set", "analytic", "on"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `analytics`?"));

    let out = env.cmd().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("skillmeat"));
}

#[cfg(unix)]
#[test]
fn home_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.cmd().arg("init").assert().success();
    let mode = std::fs::metadata(env.home()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}
