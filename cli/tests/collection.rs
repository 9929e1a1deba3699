//! End-to-end: the collection commands on a temp home with the sample collection in `examples/`.

mod common;

use common::{Env, skill_md, write};
use predicates::prelude::*;

fn examples() -> String {
    common::workspace_root()
        .join("examples/collection")
        .display()
        .to_string()
}

#[test]
fn add_list_show_search_remove_round_trip() {
    let env = Env::new();
    let r = env.json(&["add", &examples()]);
    let added = r["added"].as_array().unwrap();
    assert!(added.len() >= 8, "{r}");
    let list = env.json(&["list"]);
    let names: Vec<&str> = list["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"code-review") && names.contains(&"auto-format"),
        "{names:?}"
    );

    let show = env.json(&["show", "code-review"]);
    assert_eq!(show["entry"]["type"], "skill");
    assert_eq!(show["state"], "clean");
    assert!(
        show["content_hash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );

    let hits = env.json(&["search", "review"]);
    assert_eq!(hits["hits"][0]["artifact"]["name"], "code-review", "{hits}");

    let status = env.json(&["status"]);
    assert_eq!(
        status["counts"]["clean"].as_u64().unwrap() as usize,
        added.len()
    );

    env.cmd().args(["remove", "code-review"]).assert().success();
    env.cmd()
        .args(["show", "code-review"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no artifact named `code-review`"));
    assert!(
        !env.home()
            .join("collections/default/skills/code-review")
            .exists()
    );
}

#[test]
fn text_output_is_plain_without_a_terminal() {
    let env = Env::new();
    env.cmd().args(["add", &examples()]).assert().success();
    env.cmd()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("skill    code-review"))
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn comments_and_unknown_fields_survive_writes() {
    let env = Env::new();
    env.cmd().arg("init").assert().success();
    let manifest = env.home().join("collections/default/collection.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.insert_str(0, "# my notes, keep them\n");
    text.push_str("\n[extra]\nmine = true # also kept\n");
    std::fs::write(&manifest, &text).unwrap();
    let src = env.path("src");
    write(&src, "skills/one/SKILL.md", &skill_md("one", "The first."));
    env.cmd().args(["add"]).arg(&src).assert().success();
    let after = std::fs::read_to_string(&manifest).unwrap();
    assert!(after.starts_with("# my notes, keep them\n"), "{after}");
    assert!(after.contains("mine = true # also kept"), "{after}");
    assert!(after.contains("name = \"one\""));
}
