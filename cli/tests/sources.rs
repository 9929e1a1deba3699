//! End-to-end: adding and updating from GitHub (a local HTTP server speaking GitHub's REST API)
//! and from git (a local bare repository and the real `git` binary).

mod common;
#[path = "common/github.rs"]
mod github;

use std::path::Path;
use std::process::Command;

use common::{Env, skill_md, snapshot};
use github::{GitHub, Tree};
use predicates::prelude::*;

fn repo_tree(alpha_body: &str) -> Tree {
    Tree::default()
        .file("README.md", "# acme skills\n")
        .file("skills/alpha/SKILL.md", &skill_md("alpha", alpha_body))
        .file(
            "skills/beta/SKILL.md",
            &skill_md("beta", "Beta does beta things."),
        )
        .file(
            "commands/deploy.md",
            "---\ndescription: Deploy the app\n---\nDeploy $ARGUMENTS\n",
        )
        .file(
            "agents/critic.md",
            "---\nname: critic\ndescription: Critiques plans.\n---\nBe critical.\n",
        )
}

fn gh_env(gh: &GitHub) -> Env {
    let env = Env::new();
    env.cmd().arg("init").assert().success();
    env.cmd()
        .args(["config", "set", "github-api-url", &gh.url])
        .assert()
        .success();
    env
}

#[test]
fn github_ref_resolves_to_a_pinned_commit() {
    let gh = GitHub::start();
    let sha = gh.push("acme/skills", "v1", repo_tree("Alpha v1."));
    let env = gh_env(&gh);
    let r = env.json(&["add", "acme/skills/skills/alpha@v1"]);
    assert_eq!(r["added"][0]["name"], "alpha");
    let show = env.json(&["show", "alpha"]);
    assert_eq!(show["entry"]["origin"], "github");
    assert_eq!(show["entry"]["resolved_sha"], sha);
    assert_eq!(show["entry"]["resolved_version"], "v1");
    assert_eq!(show["entry"]["version_spec"], "v1");
    assert_eq!(
        show["entry"]["upstream"],
        format!("https://github.com/acme/skills/tree/{sha}/skills/alpha")
    );
    let body =
        std::fs::read_to_string(env.home().join("collections/default/skills/alpha/SKILL.md"))
            .unwrap();
    assert!(body.contains("Alpha v1."));
}

#[test]
fn github_whole_repository_then_update_respects_local_edits() {
    let gh = GitHub::start();
    gh.push("acme/skills", "main", repo_tree("Alpha one."));
    let env = gh_env(&gh);
    let r = env.json(&["add", "acme/skills"]);
    assert_eq!(r["added"].as_array().unwrap().len(), 4, "{r}");

    // Upstream moves: alpha changes, the rest stays.
    let new_sha = gh.push("acme/skills", "main", repo_tree("Alpha two."));
    let check = env.json(&["update", "--check"]);
    let by_name = |v: &serde_json::Value, n: &str| -> String {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == n)
            .unwrap()["outcome"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(by_name(&check, "alpha"), "available");
    assert_eq!(by_name(&check, "beta"), "up-to-date");
    let alpha = env.home().join("collections/default/skills/alpha/SKILL.md");
    assert!(
        std::fs::read_to_string(&alpha)
            .unwrap()
            .contains("Alpha one.")
    );

    let up = env.json(&["update"]);
    assert_eq!(by_name(&up, "alpha"), "updated");
    assert!(
        std::fs::read_to_string(&alpha)
            .unwrap()
            .contains("Alpha two.")
    );
    assert_eq!(
        env.json(&["show", "alpha"])["entry"]["resolved_sha"],
        new_sha
    );
    assert_eq!(env.json(&["status"])["counts"]["clean"], 4);

    // A local edit is never overwritten without --force.
    std::fs::write(&alpha, skill_md("alpha", "My own edit.")).unwrap();
    gh.push("acme/skills", "main", repo_tree("Alpha three."));
    let up = env.json(&["update"]);
    assert_eq!(by_name(&up, "alpha"), "locally-modified");
    assert!(
        std::fs::read_to_string(&alpha)
            .unwrap()
            .contains("My own edit.")
    );
    let up = env.json(&["update", "--force", "alpha"]);
    assert_eq!(by_name(&up, "alpha"), "updated");
    assert!(
        std::fs::read_to_string(&alpha)
            .unwrap()
            .contains("Alpha three.")
    );
}

#[test]
fn github_token_is_sent_when_set() {
    let gh = GitHub::start();
    gh.push("acme/skills", "main", repo_tree("A."));
    let env = gh_env(&gh);
    env.cmd()
        .args(["add", "acme/skills/skills/beta"])
        .env("GITHUB_TOKEN", "s3cret")
        .assert()
        .success();
    let seen = gh.state.lock().unwrap().auth_seen.clone();
    assert!(
        !seen.is_empty() && seen.iter().all(|h| h == "Bearer s3cret"),
        "{seen:?}"
    );
}

fn assert_refused(env: &Env, args: &[&str], needle: &str) {
    let before = snapshot(&env.home());
    let out = env.cmd().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: expected `{needle}` in: {stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert_eq!(before, snapshot(&env.home()), "{args:?} changed the home");
}

#[test]
fn github_errors_are_one_sentence_and_change_nothing() {
    let gh = GitHub::start();
    gh.push(
        "acme/skills",
        "main",
        repo_tree("A.").symlink("skills/alpha/link", "/etc/passwd"),
    );
    let env = gh_env(&gh);
    assert_refused(
        &env,
        &["add", "acme/skills@nope"],
        "GitHub has no ref `nope` in acme/skills",
    );
    assert_refused(
        &env,
        &["add", "acme/missing"],
        "GitHub has no repository acme/missing",
    );
    assert_refused(
        &env,
        &["add", "acme/skills/skills/alpha"],
        "is a symbolic link",
    );
    assert_refused(
        &env,
        &["add", "acme/skills/no/such/path"],
        "`no/such/path` is not in acme/skills",
    );
    gh.state.lock().unwrap().rate_limited = true;
    assert_refused(&env, &["add", "acme/skills"], "rate limit is used up");
}

// ------------------------------------------------------------------ git

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A bare repository with one commit tagged v1 holding two skills and a command.
fn bare_repo(env: &Env) -> (String, std::path::PathBuf) {
    let bare = env.path("remote.git");
    std::fs::create_dir_all(&bare).unwrap();
    git(&bare, &["init", "-q", "--bare"]);
    let work = env.path("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q"]);
    common::write(
        &work,
        "skills/alpha/SKILL.md",
        &skill_md("alpha", "Alpha from git."),
    );
    common::write(&work, "skills/alpha/helper.sh", "#!/bin/sh\necho hi\n");
    common::write(
        &work,
        "skills/beta/SKILL.md",
        &skill_md("beta", "Beta from git."),
    );
    common::write(&work, "commands/ship.md", "Ship it.\n");
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "one"]);
    git(&work, &["tag", "v1"]);
    git(&work, &["remote", "add", "origin", bare.to_str().unwrap()]);
    git(&work, &["push", "-q", "origin", "main", "--tags"]);
    (format!("file://{}", bare.display()), work)
}

#[test]
fn git_url_with_path_and_ref_then_update() {
    let env = Env::new();
    let (url, work) = bare_repo(&env);
    let v1 = git(&work, &["rev-parse", "HEAD"]);
    let r = env.json(&["add", &format!("{url}//skills/alpha#v1")]);
    assert_eq!(r["added"][0]["name"], "alpha");
    let show = env.json(&["show", "alpha"]);
    assert_eq!(show["entry"]["origin"], "git");
    assert_eq!(show["entry"]["resolved_sha"], v1);
    assert_eq!(show["entry"]["upstream"], format!("{url}//skills/alpha"));
    assert_eq!(show["files"].as_array().unwrap().len(), 2);

    // Whole repository at the remote HEAD.
    let r = env.json(&["add", &url, "--skip-existing"]);
    assert_eq!(r["added"].as_array().unwrap().len(), 2, "{r}");

    // A new commit on main: beta (tracking main) updates; alpha is pinned to v1.
    common::write(
        &work,
        "skills/beta/SKILL.md",
        &skill_md("beta", "Beta two."),
    );
    git(&work, &["commit", "-qam", "two"]);
    git(&work, &["push", "-q", "origin", "main"]);
    let up = env.json(&["update"]);
    let outcome = |n: &str| {
        up["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == n)
            .unwrap()["outcome"]
            .clone()
    };
    assert_eq!(outcome("beta"), "updated");
    assert_eq!(outcome("alpha"), "up-to-date");
    let beta = std::fs::read_to_string(env.home().join("collections/default/skills/beta/SKILL.md"))
        .unwrap();
    assert!(beta.contains("Beta two."));
}

#[test]
fn git_errors_change_nothing() {
    let env = Env::new();
    let (url, _) = bare_repo(&env);
    env.cmd().arg("init").assert().success();
    assert_refused(
        &env,
        &["add", &format!("{url}#no-such-tag")],
        "the ref `no-such-tag` does not exist",
    );
    assert_refused(
        &env,
        &[
            "add",
            &format!("file://{}/nope.git", env.dir.path().display()),
        ],
        "git could not fetch",
    );
    env.cmd()
        .args(["add", &format!("{url}//skills/gamma")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`skills/gamma` is not in"));
}
