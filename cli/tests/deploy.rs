//! End-to-end: deploy, drift, sync (merge, --pull), diff, undeploy, snapshots and hooks in
//! settings files, on real temp projects, plus the all-or-nothing guarantees (a target path
//! that cannot be written, and a deploy killed midway).

mod common;

use std::path::{Path, PathBuf};

use common::{Env, skill_md, snapshot, write};
use predicates::prelude::*;
use serde_json::Value;

const CMD: &str = "---\ndescription: A command\n---\nline one\nline two\nline three\n";
const AGENT: &str = "---\nname: ag\ndescription: An agent\n---\nrole\nmiddle\nend\n";

/// A collection with two skills, a command and an agent, and an empty project folder.
fn setup() -> (Env, PathBuf) {
    let env = Env::new();
    let src = env.path("src");
    write(
        &src,
        "skills/alpha/SKILL.md",
        &skill_md("alpha", "The first."),
    );
    write(&src, "skills/alpha/notes.md", "a\nb\nc\n");
    write(
        &src,
        "skills/beta/SKILL.md",
        &skill_md("beta", "The second."),
    );
    write(&src, "commands/cmd.md", CMD);
    write(&src, "agents/ag.md", AGENT);
    env.cmd().arg("add").arg(&src).assert().success();
    let project = env.path("proj");
    std::fs::create_dir_all(&project).unwrap();
    (env, project)
}

fn coll(env: &Env, rel: &str) -> PathBuf {
    env.home().join("collections/default").join(rel)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn states(env: &Env, project: &Path) -> Vec<(String, String)> {
    let r = env.json(&["drift", "--project", p(project)]);
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_string(),
                i["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn state_of(env: &Env, project: &Path, name: &str) -> String {
    states(env, project)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("{name} not deployed"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn add_hook(env: &Env) {
    let hook = common::workspace_root().join("examples/collection/hooks/auto-format");
    env.cmd().arg("add").arg(hook).assert().success();
}

fn example_settings() -> Vec<u8> {
    std::fs::read(common::workspace_root().join("examples/project/.claude/settings.json")).unwrap()
}

#[test]
fn every_drift_state_and_sync_brings_them_in_step() {
    let (env, project) = setup();
    let r = env.json(&["deploy", "--all", "--project", p(&project)]);
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{r}");
    assert!(items.iter().all(|i| i["action"] == "deployed"), "{r}");
    let claude = project.join(".claude");
    assert_eq!(read(&claude.join("skills/alpha/notes.md")), "a\nb\nc\n");
    assert_eq!(read(&claude.join("commands/cmd.md")), CMD);
    assert_eq!(read(&claude.join("agents/ag.md")), AGENT);
    let record = read(&claude.join(".skillmeat-deployed.toml"));
    assert!(
        record.contains("content_hash = \"sha256:") && record.contains("deployed_at"),
        "{record}"
    );
    assert!(states(&env, &project).iter().all(|(_, s)| s == "current"));

    // outdated: the collection moved.
    write(&coll(&env, "skills"), "alpha/notes.md", "a\nb\nc\nd\n");
    // modified: the project copy was edited.
    write(
        &claude,
        "commands/cmd.md",
        &CMD.replace("line two", "line 2 (mine)"),
    );
    // diverged: both, in different places.
    write(
        &coll(&env, "agents"),
        "ag.md",
        &AGENT.replace("role", "ROLE"),
    );
    write(&claude, "agents/ag.md", &AGENT.replace("end", "END"));
    // missing: the project copy is gone.
    std::fs::remove_dir_all(claude.join("skills/beta")).unwrap();
    assert_eq!(state_of(&env, &project, "alpha"), "outdated");
    assert_eq!(state_of(&env, &project, "cmd"), "modified");
    assert_eq!(state_of(&env, &project, "ag"), "diverged");
    assert_eq!(state_of(&env, &project, "beta"), "missing");

    // A dry run changes nothing.
    let before = snapshot(&project);
    let dry = env.json(&["sync", "--dry-run", "--project", p(&project)]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(snapshot(&project), before);

    let r = env.json(&["sync", "--project", p(&project)]);
    let action = |n: &str| {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == n)
            .unwrap()["action"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(action("alpha"), "updated", "{r}");
    assert_eq!(action("beta"), "restored");
    assert_eq!(action("ag"), "merged");
    assert_eq!(action("cmd"), "kept");
    assert!(r["snapshot"].is_string(), "{r}");
    assert_eq!(read(&claude.join("skills/alpha/notes.md")), "a\nb\nc\nd\n");
    assert!(claude.join("skills/beta/SKILL.md").is_file());
    assert_eq!(
        read(&claude.join("agents/ag.md")),
        AGENT.replace("role", "ROLE").replace("end", "END")
    );
    assert_eq!(state_of(&env, &project, "alpha"), "current");
    assert_eq!(state_of(&env, &project, "beta"), "current");
    // The merged agent keeps a project edit the collection does not have yet.
    assert_eq!(state_of(&env, &project, "ag"), "modified");

    // --pull takes project edits into the collection and updates the lock.
    let r = env.json(&["sync", "--pull", "--project", p(&project)]);
    let pulled: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "pulled")
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    let mut pulled = pulled;
    pulled.sort();
    assert_eq!(pulled, ["ag", "cmd"], "{r}");
    assert_eq!(
        read(&coll(&env, "commands/cmd.md")),
        CMD.replace("line two", "line 2 (mine)")
    );
    assert!(read(&coll(&env, "agents/ag.md")).contains("END"));
    assert!(states(&env, &project).iter().all(|(_, s)| s == "current"));
    // The lock follows the pulled copies (alpha stays `modified`: the test edited its collection
    // copy by hand to make it move).
    let status = env.json(&["status"]);
    for a in status["artifacts"].as_array().unwrap() {
        let want = if a["name"] == "alpha" {
            "modified"
        } else {
            "clean"
        };
        assert_eq!(a["state"], want, "{status}");
    }
}

#[test]
fn conflicting_edits_leave_markers_and_are_reported() {
    let (env, project) = setup();
    env.cmd()
        .args(["deploy", "alpha", "--project", p(&project)])
        .assert()
        .success();
    write(
        &coll(&env, "skills"),
        "alpha/notes.md",
        "a\nfrom the collection\nc\n",
    );
    let deployed = project.join(".claude/skills/alpha/notes.md");
    std::fs::write(&deployed, "a\nfrom the project\nc\n").unwrap();
    assert_eq!(state_of(&env, &project, "alpha"), "diverged");
    let r = env.json(&["sync", "--project", p(&project)]);
    let item = &r["items"][0];
    assert_eq!(item["action"], "conflicted", "{r}");
    assert!(
        item["conflicts"][0]
            .as_str()
            .unwrap()
            .starts_with("notes.md:"),
        "{r}"
    );
    let text = read(&deployed);
    assert!(
        text.contains("<<<<<<< project\nfrom the project\n"),
        "{text}"
    );
    assert!(
        text.contains("from the collection\n>>>>>>> collection\n"),
        "{text}"
    );
    // The text form names the conflict too.
    write(&coll(&env, "skills"), "alpha/notes.md", "a\nagain\nc\n");
    std::fs::write(&deployed, "a\nproject again\nc\n").unwrap();
    env.cmd()
        .args(["sync", "--project", p(&project)])
        .assert()
        .success()
        .stdout(predicate::str::contains("CONFLICT"))
        .stdout(predicate::str::contains(
            "notes.md: both sides changed the same lines",
        ));
}

#[test]
fn diff_shows_both_sides() {
    let (env, project) = setup();
    env.cmd()
        .args(["deploy", "cmd", "--project", p(&project)])
        .assert()
        .success();
    write(
        &project,
        ".claude/commands/cmd.md",
        &CMD.replace("line two", "line 2"),
    );
    let r = env.json(&["diff", "cmd", "--project", p(&project)]);
    assert_eq!(r["state"], "modified");
    let d = r["files"][0]["diff"].as_str().unwrap();
    assert!(
        d.contains("--- a/cmd.md") && d.contains("+++ b/cmd.md"),
        "{d}"
    );
    assert!(d.contains("-line two\n+line 2\n"), "{d}");
    env.cmd()
        .args(["diff", "nope", "--project", p(&project)])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not deployed"));
}

#[test]
fn edited_copies_and_foreign_files_are_refused_without_force() {
    let (env, project) = setup();
    env.cmd()
        .args(["deploy", "alpha", "--project", p(&project)])
        .assert()
        .success();
    write(&project, ".claude/skills/alpha/notes.md", "my edit\n");
    // A file SkillMeat did not write stands where beta goes.
    write(&project, ".claude/skills/beta/SKILL.md", "hand written\n");
    let before = snapshot(&project);
    env.cmd()
        .args(["deploy", "alpha", "beta", "--project", p(&project)])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("was edited since it was deployed"))
        .stderr(predicate::str::contains("was not deployed by SkillMeat"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(snapshot(&project), before);
    env.cmd()
        .args(["undeploy", "alpha", "--project", p(&project)])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--force"));
    let r = env.json(&[
        "deploy",
        "alpha",
        "beta",
        "--force",
        "--project",
        p(&project),
    ]);
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["action"] == "replaced"),
        "{r}"
    );
    assert_eq!(
        read(&project.join(".claude/skills/alpha/notes.md")),
        "a\nb\nc\n"
    );
    // The replaced copies are in the snapshot taken first.
    let id = r["snapshot"].as_str().unwrap();
    let snap = read(&env.home().join(format!("snapshots/default/{id}.toml")));
    assert!(
        snap.contains("[[saved]]") && snap.contains("skills/beta"),
        "{snap}"
    );
    // ... and come back with `snapshot restore --copies`, leaving the collection alone.
    let collection = snapshot(&env.home().join("collections"));
    let r = env.json(&["snapshot", "restore", id, "--copies"]);
    assert_eq!(r["copies"].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(
        read(&project.join(".claude/skills/alpha/notes.md")),
        "my edit\n"
    );
    assert_eq!(
        read(&project.join(".claude/skills/beta/SKILL.md")),
        "hand written\n"
    );
    assert_eq!(snapshot(&env.home().join("collections")), collection);
    assert_eq!(state_of(&env, &project, "alpha"), "modified");
}

#[test]
fn user_scope_and_the_agents_target() {
    let (env, project) = setup();
    let r = env.json(&["deploy", "alpha", "cmd", "--scope", "user"]);
    assert_eq!(r["scope"], "user");
    assert!(
        env.user_home()
            .join(".claude/skills/alpha/SKILL.md")
            .is_file()
    );
    assert!(env.user_home().join(".claude/commands/cmd.md").is_file());
    assert!(!project.join(".claude").exists());
    let r = env.json(&[
        "deploy",
        "--all",
        "--target",
        "agents",
        "--project",
        p(&project),
    ]);
    let actions: Vec<(&str, &str)> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["name"].as_str().unwrap(), i["action"].as_str().unwrap()))
        .collect();
    assert!(
        actions.contains(&("alpha", "deployed")) && actions.contains(&("cmd", "skipped")),
        "{actions:?}"
    );
    assert!(project.join(".agents/skills/alpha/SKILL.md").is_file());
    assert!(!project.join(".agents/commands").exists());
    let d = env.json(&["drift", "--project", p(&project)]);
    assert_eq!(d["items"][0]["target"], "agents");
    env.cmd()
        .args(["undeploy", "--all", "--scope", "user"])
        .assert()
        .success();
    assert!(!env.user_home().join(".claude/skills/alpha").exists());
    // Kind folders SkillMeat emptied go too.
    assert!(!env.user_home().join(".claude/skills").exists());
    assert!(
        !env.user_home()
            .join(".claude/.skillmeat-deployed.toml")
            .exists()
    );
}

#[test]
fn snapshot_create_list_restore() {
    let (env, _project) = setup();
    let dir = env.home().join("collections/default");
    let before = snapshot(&dir);
    let s = env.json(&["snapshot", "create", "-m", "before changes"]);
    let id = s["id"].as_str().unwrap().to_string();
    assert!(s["bytes"].as_u64().unwrap() < 16 * 1024, "{s}");
    write(&dir, "skills/alpha/SKILL.md", "broken\n");
    env.cmd().args(["remove", "cmd"]).assert().success();
    assert_ne!(snapshot(&dir), before);
    let r = env.json(&["snapshot", "restore", &id]);
    assert_eq!(r["artifacts"], 4);
    assert_eq!(snapshot(&dir), before);
    let l = env.json(&["snapshot", "list"]);
    let reasons: Vec<&str> = l["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"before changes"), "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.starts_with("before restore")),
        "{reasons:?}"
    );
    env.cmd()
        .args(["snapshot", "restore", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no snapshot `nope`"));
}

#[test]
fn a_hook_entry_deleted_from_settings_by_hand_is_drift_and_sync_writes_it_back() {
    let (env, project) = setup();
    add_hook(&env);
    let settings = project.join(".claude/settings.json");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(&settings, example_settings()).unwrap();
    env.cmd()
        .args(["deploy", "auto-format", "--project", p(&project)])
        .assert()
        .success();
    let d = env.json(&["drift", "--project", p(&project)]);
    assert_eq!(d["items"][0]["state"], "current", "{d}");
    assert!(d["items"][0].get("settings_missing").is_none(), "{d}");
    let deployed: Value = serde_json::from_str(&read(&settings)).unwrap();

    // The user deletes the hook's entry (the hook's files stay).
    let mut v = deployed.clone();
    v["hooks"]
        .as_object_mut()
        .unwrap()
        .shift_remove("PostToolUse");
    std::fs::write(&settings, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let d = env.json(&["drift", "--project", p(&project)]);
    assert_eq!(d["items"][0]["state"], "missing", "{d}");
    assert_eq!(
        d["items"][0]["settings_missing"],
        serde_json::json!(["settings.json:/hooks/PostToolUse/0"]),
        "{d}"
    );
    env.cmd()
        .args(["drift", "--project", p(&project)])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "settings entries gone: settings.json:/hooks/PostToolUse/0; `skillmeat sync` writes them back",
        ));

    // sync puts the entry back; the project is current again and the rest of the file is kept.
    let r = env.json(&["sync", "--project", p(&project)]);
    assert_eq!(r["items"][0]["action"], "restored", "{r}");
    let after: Value = serde_json::from_str(&read(&settings)).unwrap();
    assert_eq!(
        after["hooks"]["PostToolUse"],
        deployed["hooks"]["PostToolUse"]
    );
    assert_eq!(
        after["hooks"]["PreToolUse"],
        deployed["hooks"]["PreToolUse"]
    );
    assert_eq!(after["myTeamNote"], "keep me");
    let d = env.json(&["drift", "--project", p(&project)]);
    assert_eq!(d["items"][0]["state"], "current", "{d}");

    // An entry edited by hand counts as gone too (SkillMeat no longer owns what is there), but
    // it is the user's now: sync does not add a second entry for the same hook, and says so.
    let mut v = after.clone();
    v["hooks"]["PostToolUse"][0]["hooks"][0]["timeout"] = Value::from(99);
    let edited = serde_json::to_string_pretty(&v).unwrap();
    std::fs::write(&settings, &edited).unwrap();
    let d = env.json(&["drift", "--project", p(&project)]);
    assert_eq!(d["items"][0]["state"], "missing", "{d}");
    let r = env.json(&["sync", "--project", p(&project)]);
    let msg = r["items"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("that SkillMeat did not write"), "{r}");
    // The way on is data (a forced deploy of this hook), which the CLI spells as a command.
    assert_eq!(
        r["items"][0]["fixes"][0]["hint"],
        serde_json::json!({"type": "op", "name": "deploy",
            "args": {"names": ["auto-format"], "kind": "hook", "force": true}}),
        "{r}"
    );
    let text = env.stdout(&["sync", "--project", p(&project)]);
    assert!(
        text.contains("run `skillmeat deploy auto-format --kind hook --force` to replace them"),
        "{text}"
    );
    assert_eq!(read(&settings), edited);
}

#[test]
fn hooks_merge_into_hand_written_settings_and_undeploy_byte_identical() {
    let (env, project) = setup();
    add_hook(&env);
    let original = example_settings();
    let settings = project.join(".claude/settings.json");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(&settings, &original).unwrap();

    let r = env.json(&["deploy", "auto-format", "--project", p(&project)]);
    assert_eq!(
        r["items"][0]["settings"][0], "settings.json#/hooks/PostToolUse/0",
        "{r}"
    );
    assert!(
        project
            .join(".claude/hooks/auto-format/format.sh")
            .is_file()
    );
    let text = read(&settings);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["hooks"]["PostToolUse"][0]["hooks"][0]["command"],
        "${CLAUDE_PROJECT_DIR}/.claude/hooks/auto-format/format.sh"
    );
    // Hand-written hooks, permissions and unknown keys are kept, in their order.
    assert_eq!(v["hooks"]["PreToolUse"][0]["matcher"], "Bash");
    assert_eq!(v["myTeamNote"], "keep me");
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["$schema", "permissions", "env", "hooks", "myTeamNote"]
    );
    assert_eq!(
        std::fs::read(project.join(".claude/settings.json.skillmeat-backup")).unwrap(),
        original
    );
    let record = read(&project.join(".claude/.skillmeat-deployed.toml"));
    assert!(
        record.contains("pointer = \"/hooks/PostToolUse/0\""),
        "{record}"
    );

    // Deploying another artifact leaves the hook alone; undeploying the hook restores bytes.
    env.cmd()
        .args(["deploy", "alpha", "--project", p(&project)])
        .assert()
        .success();
    env.cmd()
        .args(["undeploy", "auto-format", "--project", p(&project)])
        .assert()
        .success();
    assert_eq!(std::fs::read(&settings).unwrap(), original);
    assert!(!project.join(".claude/hooks/auto-format").exists());
    // Back to the original bytes: the backup (which differed only by SkillMeat's entries) goes.
    assert!(
        !project
            .join(".claude/settings.json.skillmeat-backup")
            .exists()
    );

    // --local: a settings.local.json that did not exist is created, then removed again.
    env.cmd()
        .args(["deploy", "auto-format", "--local", "--project", p(&project)])
        .assert()
        .success();
    let local = project.join(".claude/settings.local.json");
    assert!(read(&local).contains("auto-format/format.sh"));
    assert_eq!(std::fs::read(&settings).unwrap(), original);
    env.cmd()
        .args(["undeploy", "auto-format", "--project", p(&project)])
        .assert()
        .success();
    assert!(!local.exists());
}

#[test]
fn undeploy_removes_only_owned_entries_when_the_user_edited_around_them() {
    let (env, project) = setup();
    add_hook(&env);
    let settings = project.join(".claude/settings.json");
    write(&project, ".claude/settings.json", "{\n  \"hooks\": {}\n}\n");
    env.cmd()
        .args(["deploy", "auto-format", "--project", p(&project)])
        .assert()
        .success();
    // The user adds their own entry after ours.
    let mut v: Value = serde_json::from_str(&read(&settings)).unwrap();
    v["hooks"]["PostToolUse"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"matcher": "Write", "hooks": [{"type": "command", "command": "mine.sh"}]}));
    v["model"] = "opus".into();
    std::fs::write(&settings, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    env.cmd()
        .args(["undeploy", "auto-format", "--project", p(&project)])
        .assert()
        .success();
    let after: Value = serde_json::from_str(&read(&settings)).unwrap();
    assert_eq!(
        after,
        serde_json::json!({"hooks": {"PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "mine.sh"}]}]}, "model": "opus"})
    );
}

#[test]
fn an_unowned_hook_with_the_same_identity_is_refused_unless_forced() {
    let (env, project) = setup();
    add_hook(&env);
    let settings = project.join(".claude/settings.json");
    let hand = r#"{
  "hooks": {
    "PostToolUse": [
      {
        "matcher": "Edit|Write",
        "hooks": [
          {
            "type": "command",
            "command": "${CLAUDE_PROJECT_DIR}/.claude/hooks/auto-format/format.sh"
          }
        ]
      }
    ]
  }
}
"#;
    write(&project, ".claude/settings.json", hand);
    let before = snapshot(&project);
    env.cmd()
        .args(["deploy", "auto-format", "--project", p(&project)])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("SkillMeat did not write"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(snapshot(&project), before);
    env.cmd()
        .args(["deploy", "auto-format", "--force", "--project", p(&project)])
        .assert()
        .success();
    let v: Value = serde_json::from_str(&read(&settings)).unwrap();
    assert_eq!(
        v["hooks"]["PostToolUse"].as_array().unwrap().len(),
        1,
        "{v}"
    );
}

#[test]
fn a_malformed_settings_file_is_refused_and_never_rewritten() {
    let (env, project) = setup();
    add_hook(&env);
    let bad = "{\n  \"permissions\": {\"allow\": [\"Bash(ls)\",]}\n}\n";
    write(&project, ".claude/settings.json", bad);
    let before = snapshot(&project);
    env.cmd()
        .args(["deploy", "auto-format", "--project", p(&project)])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("settings.json:2:"))
        .stderr(predicate::str::contains("never rewrites"));
    assert_eq!(snapshot(&project), before);
}

#[test]
fn a_target_path_that_cannot_be_written_leaves_the_project_fully_old() {
    let (env, project) = setup();
    env.cmd()
        .args(["deploy", "--all", "--project", p(&project)])
        .assert()
        .success();
    // Every artifact moves on in the collection.
    write(&coll(&env, "skills"), "alpha/notes.md", "new\n");
    write(&coll(&env, "skills"), "beta/extra.md", "new\n");
    write(&coll(&env, "commands"), "cmd.md", "new\n");
    // A file stands where the agents folder must be (unwritable even for root).
    let claude = project.join(".claude");
    std::fs::remove_dir_all(claude.join("agents")).unwrap();
    std::fs::write(claude.join("agents"), "not a folder").unwrap();
    let before = snapshot(&project);
    env.cmd()
        .args(["deploy", "--all", "--project", p(&project)])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("agents"));
    assert_eq!(
        snapshot(&project),
        before,
        "a failed deploy changed the project"
    );
    // sync fails the same way and also leaves everything old.
    env.cmd()
        .args(["sync", "--project", p(&project)])
        .assert()
        .code(1);
    assert_eq!(snapshot(&project), before);
    std::fs::remove_file(claude.join("agents")).unwrap();
    env.cmd()
        .args(["sync", "--project", p(&project)])
        .assert()
        .success();
    assert!(states(&env, &project).iter().all(|(_, s)| s == "current"));
}

#[test]
fn a_deploy_killed_midway_leaves_the_old_state() {
    let env = Env::new();
    let src = env.path("src");
    for i in 0..12 {
        write(
            &src,
            &format!("skills/s{i:02}/SKILL.md"),
            &skill_md(&format!("s{i:02}"), "One."),
        );
    }
    env.cmd().arg("add").arg(&src).assert().success();
    let project = env.path("proj");
    std::fs::create_dir_all(&project).unwrap();
    env.cmd()
        .args(["deploy", "--all", "--project", p(&project)])
        .assert()
        .success();
    for i in 0..12 {
        write(&coll(&env, "skills"), &format!("s{i:02}/more.md"), "v2\n");
    }
    let before = snapshot(&project);

    let mut child = std::process::Command::new(common::bin())
        .args(["deploy", "--all", "--project", p(&project)])
        .env("SKILLMEAT_HOME", env.home())
        .env("HOME", env.user_home())
        .env("SKILLMEAT_TEST_PAUSE", "stage:5")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until five artifacts are staged (the process then pauses), then kill it.
    let claude = project.join(".claude");
    let staged = || -> usize {
        std::fs::read_dir(&claude)
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".skillmeat-txn-")
            })
            .map(|e| std::fs::read_dir(e.path()).map(|r| r.count()).unwrap_or(0))
            .sum()
    };
    let mut waited = 0;
    while staged() < 5 {
        assert!(waited < 6000, "the deploy never staged five artifacts");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the deploy ended before pausing"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
        waited += 1;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // Only the staging folder is new; the next command removes it.
    let mut after = snapshot(&project);
    after.retain(|k, _| !k.starts_with(".claude/.skillmeat-txn-"));
    assert_eq!(after, before);
    let r = env.json(&["drift", "--project", p(&project)]);
    assert!(r["recovered"].as_array().unwrap().len() == 1, "{r}");
    assert_eq!(snapshot(&project), before);
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["state"] == "outdated"),
        "{r}"
    );
    env.cmd()
        .args(["deploy", "--all", "--project", p(&project)])
        .assert()
        .success();
    assert!(states(&env, &project).iter().all(|(_, s)| s == "current"));
}
