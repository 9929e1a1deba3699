//! End-to-end: `kill -9` at every step of every write. Each test runs the real binary with
//! `SKILLMEAT_TEST_PAUSE=<point>` (it prints a line to stderr and sleeps there), waits for that
//! line, sends SIGKILL, runs the next command, and checks that `list`/`status` (or `drift`)
//! show exactly the old state or exactly the new one, and that no staging, trash or temp folder
//! is left anywhere. Pause points: `stage:N` (staging, before the journal), `txn-commit:0`
//! (before the journal), `txn-commit:1` (journal written, nothing moved), `txn-commit:N`
//! (midway through the moves), `txn-commit:applied` (after the last step, before the commit
//! point) and `txn-commit:committed` (after the commit point, before the clean-up).
//!
//! Also: two homes deploying into one project at once lose nothing (issue #12).

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{Env, skill_md, snapshot, write};

/// Where a kill happens, and which state must be seen after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Old,
    New,
}

/// The points every write is killed at, with the state each must leave.
fn points(mid: usize) -> Vec<(String, Expect)> {
    vec![
        ("txn-commit:0".into(), Expect::Old),
        ("txn-commit:1".into(), Expect::Old),
        (format!("txn-commit:{mid}"), Expect::Old),
        ("txn-commit:applied".into(), Expect::Old),
        ("txn-commit:committed".into(), Expect::New),
    ]
}

/// `skillmeat ARGS` as a plain process with `env`'s variables and a pause point.
fn command(env: &Env, args: &[&str], pause: &str) -> Command {
    let mut c = Command::new(common::bin());
    c.args(args)
        .env("SKILLMEAT_HOME", env.home())
        .env("HOME", env.user_home())
        .env("NO_COLOR", "1")
        .env("SKILLMEAT_TEST_PAUSE", pause)
        .env("SKILLMEAT_KEY_STORAGE", "file")
        .env_remove("GITHUB_TOKEN")
        .env_remove("SKILLMEAT_LOG")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .current_dir(env.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// Runs `skillmeat ARGS`, waits until it pauses at `pause`, and kills it with SIGKILL.
fn kill_at(env: &Env, args: &[&str], pause: &str) {
    let mut child = command(env, args, pause).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) if line.contains("SKILLMEAT_TEST_PAUSE: paused at") => break,
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().unwrap();
                panic!(
                    "skillmeat {args:?} never paused at {pause} (it ended: {status}); stderr:\n{}",
                    seen.join("\n")
                );
            }
        }
    }
    // std's kill is SIGKILL on Unix: no destructor, no clean-up runs.
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Names of staging, trash and temp folders (and files) under `root`.
fn leftovers(root: &Path) -> Vec<String> {
    let bad = [
        ".skillmeat-txn-",
        ".staging-",
        ".trash-",
        ".tmp",
        ".deleted-",
        ".pull-",
        ".skillmeat-restore-",
    ];
    snapshot(root)
        .into_keys()
        .filter(|k| {
            k.split('/')
                .any(|part| bad.iter().any(|b| part.starts_with(b)))
        })
        .collect()
}

/// The collection folder of `env`'s default collection, byte for byte.
fn collection(env: &Env) -> BTreeMap<String, Vec<u8>> {
    snapshot(&env.home().join("collections/default"))
}

/// `(kind, name)` → state, from `status --json`.
fn status(env: &Env) -> BTreeMap<(String, String), String> {
    common::status_field(env, "state")
}

/// Names from `list --json`, sorted.
fn names(env: &Env) -> Vec<String> {
    let mut v: Vec<String> = env.json(&["list"])["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// A source folder of `n` skills (each with a references/ file and a script), and two
/// commands, laid out as a plugin repository publishes them.
fn source(env: &Env, rel: &str, n: usize, body: &str) -> PathBuf {
    let root = env.path(rel);
    for i in 0..n {
        let name = format!("skill-{i:03}");
        write(
            &root,
            &format!("plugins/p/skills/{name}/SKILL.md"),
            &format!("{}{body}\n", skill_md(&name, "A skill.")),
        );
        write(
            &root,
            &format!("plugins/p/skills/{name}/references/notes.md"),
            &format!("notes {i} {body}\n"),
        );
    }
    for c in ["review", "explain"] {
        write(
            &root,
            &format!("plugins/p/commands/{c}.md"),
            &format!("---\ndescription: {c}\n---\n{body}\n"),
        );
    }
    root
}

/// After a kill: the next command settles the home; then the collection is exactly `old` or
/// exactly as `new` describes, and nothing is left behind.
fn check_after(
    env: &Env,
    what: &str,
    expect: Expect,
    old: &BTreeMap<String, Vec<u8>>,
    old_names: &[String],
    new_names: &[String],
) {
    let listed = names(env);
    let states = status(env);
    assert!(
        leftovers(&env.home()).is_empty(),
        "{what}: left behind: {:?}",
        leftovers(&env.home())
    );
    match expect {
        Expect::Old => {
            assert_eq!(listed, old_names, "{what}: list is not the old state");
            assert_eq!(
                &collection(env),
                old,
                "{what}: the collection is not byte-identical"
            );
        }
        Expect::New => {
            assert_eq!(listed, new_names, "{what}: list is not the new state");
        }
    }
    assert!(
        states.values().all(|s| s == "clean"),
        "{what}: status is not all clean: {states:?}"
    );
}

#[test]
fn add_of_many_artifacts_survives_a_kill_at_every_step() {
    let mut cases: Vec<(String, Expect)> = vec![("stage:7".into(), Expect::Old)];
    cases.extend(points(12));
    for (pause, expect) in cases {
        for first in [false, true] {
            let env = Env::new();
            if !first {
                // An existing collection with an artifact of its own.
                let own = source(&env, "own", 1, "own");
                env.cmd()
                    .arg("add")
                    .arg(own.join("plugins/p/skills/skill-000"))
                    .args(["--name", "mine"])
                    .assert()
                    .success();
            }
            let src = source(&env, "src", 40, "v1");
            let old = collection(&env);
            let old_names = if first {
                Vec::new()
            } else {
                vec!["mine".to_string()]
            };
            // Into an empty home the whole new collection is one step (one folder renamed in).
            let pause = if first && pause == "txn-commit:12" {
                "txn-commit:2".to_string()
            } else {
                pause.clone()
            };
            kill_at(&env, &["add", src.to_str().unwrap()], &pause);
            let what = format!("add (first: {first}) killed at {pause}");
            if first && expect == Expect::Old {
                // The old state of an empty home: no collection at all.
                let out = env.cmd().arg("list").output().unwrap();
                assert!(!out.status.success(), "{what}: a collection appeared");
                assert!(
                    !env.home().join("collections/default").exists(),
                    "{what}: a half collection is left"
                );
                assert!(leftovers(&env.home()).is_empty(), "{what}");
            } else {
                let mut new_names = old_names.clone();
                new_names.extend((0..40).map(|i| format!("skill-{i:03}")));
                new_names.extend(["explain".to_string(), "review".to_string()]);
                new_names.sort();
                check_after(&env, &what, expect, &old, &old_names, &new_names);
            }
            // The report: after a kill a re-run was refused. It must just work.
            if expect == Expect::Old {
                env.cmd().arg("add").arg(&src).assert().success();
                assert_eq!(names(&env).len(), old_names.len() + 42, "{what}: re-run");
            }
        }
    }
}

#[test]
fn update_and_remove_survive_a_kill_at_every_step() {
    for (pause, expect) in points(4) {
        // update: five artifacts from a local source, all changed upstream.
        let env = Env::new();
        let src = source(&env, "src", 5, "v1");
        env.cmd().arg("add").arg(&src).assert().success();
        source(&env, "src", 5, "v2");
        let old = collection(&env);
        let old_names = names(&env);
        kill_at(&env, &["update"], &pause);
        let what = format!("update killed at {pause}");
        check_after(&env, &what, expect, &old, &old_names, &old_names);
        let body = std::fs::read_to_string(
            env.home()
                .join("collections/default/skills/skill-001/references/notes.md"),
        )
        .unwrap();
        let want = if expect == Expect::Old { "v1" } else { "v2" };
        assert!(body.contains(want), "{what}: {body}");

        // remove: one artifact of several.
        let env = Env::new();
        let src = source(&env, "src", 3, "v1");
        env.cmd().arg("add").arg(&src).assert().success();
        let old = collection(&env);
        let old_names = names(&env);
        let mut new_names = old_names.clone();
        new_names.retain(|n| n != "skill-001");
        let mid = if pause.starts_with("txn-commit:") && pause.ends_with(":4") {
            // remove has three steps (the folder, manifest, lock): midway is after one.
            "txn-commit:2".to_string()
        } else {
            pause.clone()
        };
        kill_at(&env, &["remove", "skill-001"], &mid);
        let what = format!("remove killed at {mid}");
        check_after(&env, &what, expect, &old, &old_names, &new_names);
        let folder = env.home().join("collections/default/skills/skill-001");
        assert_eq!(folder.exists(), expect == Expect::Old, "{what}");
    }
}

#[test]
fn snapshot_restore_survives_a_kill_at_every_step() {
    for (pause, expect) in points(3) {
        let env = Env::new();
        let src = source(&env, "src", 3, "v1");
        env.cmd().arg("add").arg(&src).assert().success();
        let id = env.json(&["snapshot", "create"])["id"]
            .as_str()
            .unwrap()
            .to_string();
        let at_snapshot = names(&env);
        // After the snapshot: one removed, three more added.
        env.cmd().args(["remove", "skill-000"]).assert().success();
        let more = source(&env, "more", 0, "x");
        write(
            &more,
            "extra/skills/late/SKILL.md",
            &skill_md("late", "Late."),
        );
        env.cmd()
            .arg("add")
            .arg(more.join("extra"))
            .assert()
            .success();
        let old = collection(&env);
        let old_names = names(&env);
        kill_at(&env, &["snapshot", "restore", &id], &pause);
        let what = format!("snapshot restore killed at {pause}");
        check_after(&env, &what, expect, &old, &old_names, &at_snapshot);
    }
}

#[test]
fn bundle_import_survives_a_kill_at_every_step() {
    // A pack of ten artifacts, exported from another home.
    let from = Env::new();
    let src = source(&from, "src", 8, "packed");
    from.cmd().arg("add").arg(&src).assert().success();
    let pack = from.path("p.skillmeat-pack");
    from.cmd()
        .args(["bundle", "export", "--all", "-o"])
        .arg(&pack)
        .assert()
        .success();
    for (pause, expect) in points(5) {
        let env = Env::new();
        let own = source(&env, "own", 2, "own");
        // Two artifacts the pack also has, with other content: merge replaces them.
        env.cmd().arg("add").arg(&own).assert().success();
        let old = collection(&env);
        let old_names = names(&env);
        let mut new_names: Vec<String> = (0..8).map(|i| format!("skill-{i:03}")).collect();
        new_names.extend(["explain".to_string(), "review".to_string()]);
        new_names.sort();
        kill_at(
            &env,
            &["bundle", "import", pack.to_str().unwrap(), "--yes"],
            &pause,
        );
        let what = format!("bundle import killed at {pause}");
        check_after(&env, &what, expect, &old, &old_names, &new_names);
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn sync_pull_survives_a_kill_at_every_step() {
    for (pause, expect) in points(2) {
        let env = Env::new();
        let src = source(&env, "src", 3, "v1");
        env.cmd().arg("add").arg(&src).assert().success();
        let project = env.path("proj");
        std::fs::create_dir_all(&project).unwrap();
        env.cmd()
            .args(["deploy", "--all", "--project", p(&project)])
            .assert()
            .success();
        // Edits in the project, to be pulled into the collection.
        for i in [0, 2] {
            write(
                &project,
                &format!(".claude/skills/skill-{i:03}/references/notes.md"),
                "edited in the project\n",
            );
        }
        let old = collection(&env);
        let old_names = names(&env);
        kill_at(&env, &["sync", "--pull", "--project", p(&project)], &pause);
        let what = format!("sync --pull killed at {pause}");
        check_after(&env, &what, expect, &old, &old_names, &old_names);
        let pulled = std::fs::read_to_string(
            env.home()
                .join("collections/default/skills/skill-002/references/notes.md"),
        )
        .unwrap();
        assert_eq!(
            pulled.contains("edited in the project"),
            expect == Expect::New,
            "{what}"
        );
        assert!(
            leftovers(&project).is_empty(),
            "{what}: {:?}",
            leftovers(&project)
        );
        // Whatever happened, drift then sync --pull again ends with nothing left to pull.
        env.cmd()
            .args(["sync", "--pull", "--project", p(&project)])
            .assert()
            .success();
        let d = env.json(&["drift", "--project", p(&project)]);
        assert!(
            d["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["state"] == "current"),
            "{what}: {d}"
        );
    }
}

#[test]
fn a_first_deploy_killed_at_every_step_is_rolled_back_by_drift() {
    let mut cases = vec![("stage:3".to_string(), Expect::Old)];
    cases.extend(points(6));
    for (pause, expect) in cases {
        let env = Env::new();
        let src = source(&env, "src", 10, "v1");
        env.cmd().arg("add").arg(&src).assert().success();
        let project = env.path("proj");
        write(&project, "README.md", "a project\n");
        let before = snapshot(&project);
        kill_at(&env, &["deploy", "--all", "--project", p(&project)], &pause);
        let what = format!("first deploy killed at {pause}");
        let d = env.json(&["drift", "--project", p(&project)]);
        assert_eq!(
            d["recovered"].as_array().map_or(0, Vec::len),
            1,
            "{what}: {d}"
        );
        assert!(
            leftovers(&project).is_empty(),
            "{what}: {:?}",
            leftovers(&project)
        );
        match expect {
            Expect::Old => {
                assert_eq!(snapshot(&project), before, "{what}: the project changed");
                assert!(d["items"].as_array().unwrap().is_empty(), "{what}: {d}");
            }
            Expect::New => {
                let items = d["items"].as_array().unwrap();
                assert_eq!(items.len(), 12, "{what}: {d}");
                assert!(items.iter().all(|i| i["state"] == "current"), "{what}: {d}");
            }
        }
        // And the deploy, run again, just works.
        env.cmd()
            .args(["deploy", "--all", "--project", p(&project)])
            .assert()
            .success();
    }
}

#[test]
fn two_homes_deploying_into_one_project_at_once_lose_nothing() {
    let a = Env::new();
    let b = Env::new();
    let project = a.path("shared-project");
    std::fs::create_dir_all(&project).unwrap();
    for (env, prefix) in [(&a, "alpha"), (&b, "beta")] {
        let src = env.path("src");
        for i in 0..20 {
            let name = format!("{prefix}-{i:02}");
            write(
                &src,
                &format!("skills/{name}/SKILL.md"),
                &skill_md(&name, "x"),
            );
        }
        env.cmd().arg("add").arg(&src).assert().success();
    }
    // Home A pauses for two seconds after staging its first artifact, holding the project's
    // lock; home B starts during that pause. Without the lock B would read the record before
    // A writes it, and the second writer would drop the first one's entries.
    let mut first = command(
        &a,
        &["deploy", "--all", "--project", p(&project)],
        "stage:1",
    );
    first.env("SKILLMEAT_TEST_PAUSE_SECS", "2");
    let mut first = first.spawn().unwrap();
    let stderr = first.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    loop {
        let line = lines
            .next()
            .expect("home A ended before it paused")
            .unwrap();
        if line.contains("SKILLMEAT_TEST_PAUSE: paused at") {
            break;
        }
    }
    let second = command(&b, &["deploy", "--all", "--project", p(&project)], "none:0")
        .spawn()
        .unwrap();
    let out_b = second.wait_with_output().unwrap();
    for _ in lines.by_ref() {}
    let status_a = first.wait().unwrap();
    assert!(status_a.success(), "home A failed");
    assert!(
        out_b.status.success(),
        "home B failed: {}",
        String::from_utf8_lossy(&out_b.stderr)
    );
    let record = std::fs::read_to_string(project.join(".claude/.skillmeat-deployed.toml")).unwrap();
    for prefix in ["alpha", "beta"] {
        for i in 0..20 {
            let name = format!("{prefix}-{i:02}");
            assert!(
                record.contains(&format!("name = \"{name}\"")),
                "{name} is missing from the record:\n{record}"
            );
            assert!(
                project
                    .join(format!(".claude/skills/{name}/SKILL.md"))
                    .is_file()
            );
        }
    }
    // Each home sees its own twenty as current.
    for (env, prefix) in [(&a, "alpha"), (&b, "beta")] {
        let d = env.json(&["drift", "--project", p(&project)]);
        let mine: Vec<_> = d["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["name"].as_str().unwrap().starts_with(prefix))
            .collect();
        assert_eq!(mine.len(), 20, "{d}");
        assert!(mine.iter().all(|i| i["state"] == "current"), "{d}");
    }
    assert!(leftovers(&project).is_empty(), "{:?}", leftovers(&project));
}
