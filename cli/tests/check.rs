//! End-to-end: `skillmeat check` over project files and a collection, as text, JSON and SARIF,
//! with the exit codes CI relies on.

mod common;

use common::{Env, skill_md, write};
use predicates::prelude::*;

fn broken_project(env: &Env) -> std::path::PathBuf {
    let p = env.path("proj");
    write(
        &p,
        ".claude/settings.json",
        "{\n  \"hooks\": {\"PreToolUze\": []}\n}\n",
    );
    write(
        &p,
        ".mcp.json",
        "{\"mcpServers\": {\"gh\": {\"command\": \"npx\"}}}\n",
    );
    write(&p, "README.md", "not checked\n");
    p
}

#[test]
fn text_output_names_file_line_and_fails_on_errors() {
    let env = Env::new();
    let p = broken_project(&env);
    env.cmd()
        .arg("check")
        .arg(&p)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            ".claude/settings.json:2:13: error[unknown-hook-event]:",
        ))
        .stdout(predicate::str::contains("fix: Rename to `PreToolUse`"))
        .stdout(predicate::str::contains("checked 2 files: 1 error"))
        .stderr(predicate::str::contains("1 error in 1 file"));
}

#[test]
fn clean_files_pass() {
    let env = Env::new();
    let p = env.path("ok");
    write(
        &p,
        ".claude/settings.json",
        "{\"permissions\": {\"allow\": [\"Bash(npm run test:*)\"]}}\n",
    );
    write(
        &p,
        ".claude/skills/tidy/SKILL.md",
        &skill_md(
            "tidy",
            "Tidies imports. Use when a file has unused imports.",
        ),
    );
    env.cmd()
        .arg("check")
        .arg(&p)
        .assert()
        .success()
        .stdout(predicate::str::contains("checked 2 files: 0 errors"));
}

#[test]
fn json_and_sarif_reports() {
    let env = Env::new();
    let p = broken_project(&env);
    let out = env
        .cmd()
        .args(["check", "--json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["errors"], 1);
    let d = &r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "claude-settings")
        .unwrap()["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(13))
    );
    assert_eq!(d["code"], "unknown-hook-event");
    assert_eq!(d["fixes"][0]["edits"][0]["new_text"], "\"PreToolUse\"");

    let out = env
        .cmd()
        .current_dir(&p)
        .args(["check", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let run = &s["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "skillmeat");
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["id"],
        "unknown-hook-event"
    );
    let res = &run["results"][0];
    assert_eq!(res["level"], "error");
    assert_eq!(res["ruleIndex"], 0);
    let loc = &res["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], ".claude/settings.json");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], 13);
}

#[test]
fn a_collection_is_checked_against_its_files_and_lock() {
    let env = Env::new();
    let src = env.path("src");
    write(
        &src,
        "skills/one/SKILL.md",
        &skill_md("one", "The first. Use it first."),
    );
    env.cmd().arg("add").arg(&src).assert().success();
    let root = env.home().join("collections/default");
    env.cmd().arg("check").arg(&root).assert().success();
    // Edit the collection copy: the lock is out of date (a note, not an error).
    write(
        &root,
        "skills/one/SKILL.md",
        &skill_md("one", "Edited. Use it first."),
    );
    env.cmd()
        .arg("check")
        .arg(root.join("collection.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("lock-out-of-date"));
    // A path that does not exist.
    let manifest = root.join("collection.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("skills/one", "skills/gone");
    std::fs::write(&manifest, text).unwrap();
    env.cmd()
        .arg("check")
        .arg(&manifest)
        .assert()
        .stdout(predicate::str::contains("path-not-found"));
}

#[test]
fn unknown_kinds_and_missing_paths_are_usage_errors() {
    let env = Env::new();
    write(&env.path("x"), "notes.txt", "hi");
    env.cmd()
        .arg("check")
        .arg(env.path("x/notes.txt"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("pass --kind"));
    env.cmd()
        .args(["check", "--kind", "mcp-json"])
        .arg(env.path("x/notes.txt"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("notes.txt:1:1: error"));
    env.cmd()
        .args(["check", "nope.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "nope.json: no such file or folder",
        ));
}
