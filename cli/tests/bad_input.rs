//! End-to-end: every bad input of the foundation issue prints one sentence naming the file (and
//! line:col where there is one) and the fix, exits 1, and leaves the home byte-identical.

mod common;

use common::{Env, skill_md, snapshot, write};

/// A home with the sample collection added, plus a scratch source folder.
fn setup() -> Env {
    let env = Env::new();
    let examples = common::workspace_root().join("examples/collection");
    env.cmd().arg("add").arg(&examples).assert().success();
    env
}

/// Runs `args`, asserting exit 1, a one-line message holding every needle, and no change to the home.
fn refused(env: &Env, args: &[&str], needles: &[&str]) -> String {
    let before = snapshot(&env.home());
    let out = env.cmd().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    for n in needles {
        assert!(stderr.contains(n), "{args:?}: expected `{n}` in: {stderr}");
    }
    assert_eq!(before, snapshot(&env.home()), "{args:?} changed the home");
    stderr
}

#[test]
fn missing_path() {
    let env = setup();
    refused(
        &env,
        &["add", "./no/such/dir"],
        &["no/such/dir does not exist", "check the path"],
    );
}

#[test]
fn folder_without_artifacts() {
    let env = setup();
    write(&env.path("empty"), "notes.txt", "nothing here");
    refused(
        &env,
        &["add", "empty"],
        &[
            "empty holds no artifact",
            "expected a skill folder with SKILL.md",
        ],
    );
}

#[test]
fn skill_folder_without_skill_md() {
    let env = setup();
    write(&env.path("src/skills/broken"), "helper.py", "print(1)");
    refused(
        &env,
        &["add", "src/skills/broken"],
        &[
            "skills/broken is a skill folder without SKILL.md",
            "add SKILL.md",
        ],
    );
}

#[test]
fn duplicate_kind_and_name() {
    let env = setup();
    write(
        &env.path("other/code-review"),
        "SKILL.md",
        &skill_md("code-review", "Another."),
    );
    refused(
        &env,
        &["add", "other/code-review"],
        &[
            "a skill named `code-review` is already in collection `default`",
            "--name NEW",
            "--skip-existing",
        ],
    );
}

#[test]
fn unsafe_names() {
    let env = setup();
    write(&env.path("x"), "cmd.md", "Hello.");
    refused(
        &env,
        &["add", "x/cmd.md", "--name", "../x"],
        &["`../x` is not a safe file name"],
    );
    refused(
        &env,
        &["add", "x/cmd.md", "--name", ".hidden"],
        &["`.hidden` is not a safe file name"],
    );
    write(
        &env.path("y/Bad_Skill"),
        "SKILL.md",
        &skill_md("Bad_Skill", "x"),
    );
    refused(
        &env,
        &["add", "y/Bad_Skill"],
        &["skill name `Bad_Skill`", "--name bad-skill"],
    );
}

#[test]
fn malformed_source_spec() {
    let env = setup();
    refused(
        &env,
        &["add", "nonsense"],
        &[
            "`nonsense` is not a source SkillMeat understands",
            "owner/repo",
        ],
    );
    refused(&env, &["add", "acme/skills@"], &["nothing follows `@`"]);
}

#[test]
fn manifest_syntax_error_names_line_and_column() {
    let env = setup();
    let manifest = env.home().join("collections/default/collection.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[[artifacts]]\nname = \"oops\n");
    std::fs::write(&manifest, &text).unwrap();
    let line = text.lines().count();
    let needle = format!("collection.toml:{line}:");
    refused(&env, &["list"], &[&needle, "fix the file there"]);
    write(&env.path("z"), "c.md", "Hello.");
    refused(&env, &["add", "z/c.md"], &[&needle]);
}

#[test]
fn manifest_schema_error_names_line() {
    let env = setup();
    let manifest = env.home().join("collections/default/collection.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[[artifacts]]\nname = \"w\"\ntype = \"widget\"\npath = \"x\"\n");
    std::fs::write(&manifest, &text).unwrap();
    let line = text.lines().count() - 1;
    refused(
        &env,
        &["list"],
        &[&format!("collection.toml:{line}:"), "widget"],
    );
}

#[test]
fn lock_that_does_not_parse() {
    let env = setup();
    let lock = env.home().join("collections/default/collection.lock");
    std::fs::write(
        &lock,
        "[lock]\nversion = \"2\"\n[lock.entries.\"x::skill\"\n",
    )
    .unwrap();
    refused(
        &env,
        &["status"],
        &["collection.lock:3:", "fix the file there"],
    );
}

#[test]
fn symlink_inside_an_artifact() {
    let env = setup();
    write(
        &env.path("s/linky"),
        "SKILL.md",
        &skill_md("linky", "Has a link."),
    );
    std::os::unix::fs::symlink("/etc/hostname", env.path("s/linky/link")).unwrap();
    refused(
        &env,
        &["add", "s/linky"],
        &[
            "linky/link is a symbolic link",
            "replace the link with the file",
        ],
    );
}

#[test]
fn clashing_names_inside_one_source_offer_a_way_on() {
    let env = setup();
    let src = env.path("plugins");
    write(
        &src,
        "one/skills/shared/SKILL.md",
        &skill_md("shared", "First."),
    );
    write(
        &src,
        "two/skills/shared/SKILL.md",
        &skill_md("shared", "Second."),
    );
    write(&src, "two/commands/solo.md", "Solo.");
    let msg = refused(
        &env,
        &["add", "plugins"],
        &[
            "skill `shared` at",
            "one/skills/shared and",
            "two/skills/shared",
            "--skip-existing",
            "--rename",
        ],
    );
    assert!(
        msg.contains("1 artifacts with the same kind and name"),
        "{msg}"
    );

    let r = env.json(&["add", "plugins", "--rename", "--dry-run"]);
    assert_eq!(r["renamed"][0]["to"], "shared-2");
    let r = env.json(&["add", "plugins", "--skip-existing"]);
    let added: Vec<_> = r["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(added, ["shared", "solo"]);
    let body = std::fs::read_to_string(
        env.home()
            .join("collections/default/skills/shared/SKILL.md"),
    )
    .unwrap();
    assert!(body.contains("First."));
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.cmd().args(["add"]).assert().code(2);
    env.cmd()
        .args(["list", "--kind", "widget"])
        .assert()
        .code(2);
    env.cmd().args(["frobnicate"]).assert().code(2);
}
