//! Core-level tests of the operations, on temp homes (no binary, no network): the collection
//! operations, snapshots, deploy/drift/sync/undeploy/diff, pack export and import, and a local
//! vault — each checked through its typed report and the files it leaves, including that every
//! write leaves no staging folder behind.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use skillmeat_core::collection::Collection;
use skillmeat_core::collection::ops::{
    self, AddRequest, ArtifactRef, ArtifactState, InitRequest, ListRequest, NoProgress, OnConflict,
    RemoveRequest, SearchRequest, UpdateOutcome, UpdateRequest,
};
use skillmeat_core::deploy::{
    self, DeployAction, DeployRequest, DiffRequest, DriftRequest, DriftState, SyncAction,
    SyncRequest, UndeployRequest,
};
use skillmeat_core::pack::{self, ExportRequest, ImportAction, ImportRequest, Strategy};
use skillmeat_core::snapshot::ops::{
    self as snapshot, SnapshotCreateRequest, SnapshotRestoreRequest,
};
use skillmeat_core::txn;
use skillmeat_core::vault::{self, VaultConfig};
use skillmeat_core::{ArtifactKind, Home};

struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: Home,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        World {
            home: Home::at(root.join("home")),
            root,
            _dir: dir,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        p
    }

    /// A source folder laid out as a plugin repository: two skills (one with references/), a
    /// command and an agent.
    fn source(&self, rel: &str, body: &str) -> PathBuf {
        for s in ["code-review", "changelog"] {
            self.write(
                &format!("{rel}/plugins/p/skills/{s}/SKILL.md"),
                &format!("---\nname: {s}\ndescription: The {s} skill.\n---\n{body}\n"),
            );
        }
        self.write(
            &format!("{rel}/plugins/p/skills/code-review/references/style.md"),
            &format!("style {body}\n"),
        );
        self.write(
            &format!("{rel}/plugins/p/commands/explain.md"),
            &format!("---\ndescription: Explain code\n---\n{body}\n"),
        );
        self.write(
            &format!("{rel}/plugins/p/agents/tester.md"),
            &format!("---\nname: tester\ndescription: Runs tests\n---\n{body}\n"),
        );
        self.path(rel)
    }

    fn add(&self, source: &Path) -> ops::AddReport {
        ops::add(
            &self.home,
            AddRequest {
                collection: None,
                source: source.display().to_string(),
                cwd: Some(self.root.clone()),
                name: None,
                kind: None,
                tags: vec!["t".into()],
                on_conflict: OnConflict::Fail,
                dry_run: false,
            },
            &NoProgress,
        )
        .unwrap()
    }

    fn states(&self) -> BTreeMap<String, ArtifactState> {
        ops::status(&self.home, None)
            .unwrap()
            .artifacts
            .into_iter()
            .map(|a| (a.name, a.state))
            .collect()
    }

    /// The `project` field of a deploy-side request.
    fn project(&self, project: &Path) -> Option<PathBuf> {
        Some(project.to_path_buf())
    }
}

/// Staging, trash and temp folders anywhere under `root`.
fn leftovers(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(txn::PREFIX) || n.starts_with(".staging-") || n.starts_with(".trash-")
            {
                out.push(e.path());
            }
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            }
        }
    }
    out
}

#[test]
fn collection_operations_round_trip() {
    let w = World::new();
    let init = ops::init(&w.home, InitRequest::default()).unwrap();
    assert!(init.created && init.collection == "default");
    assert!(!ops::init(&w.home, InitRequest::default()).unwrap().created);

    let src = w.source("src", "v1");
    let added = w.add(&src);
    let mut names: Vec<_> = added.added.iter().map(|a| a.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["changelog", "code-review", "explain", "tester"]);

    // A second add of the same source is refused, names the clash, and changes nothing.
    let before = fs::read(w.home.collection_dir("default").join("collection.toml")).unwrap();
    let err = ops::add(
        &w.home,
        AddRequest {
            collection: None,
            source: src.display().to_string(),
            cwd: None,
            name: None,
            kind: Some(ArtifactKind::Command),
            tags: Vec::new(),
            on_conflict: OnConflict::Fail,
            dry_run: false,
        },
        &NoProgress,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("command named `explain` is already in collection `default`"),
        "{err}"
    );
    assert_eq!(
        fs::read(w.home.collection_dir("default").join("collection.toml")).unwrap(),
        before
    );

    let list = ops::list(
        &w.home,
        ListRequest {
            kind: Some(ArtifactKind::Skill),
            limit: Some(1),
            ..ListRequest::default()
        },
    )
    .unwrap();
    assert_eq!(
        (list.total, list.artifacts.len(), list.next_offset),
        (2, 1, Some(1))
    );

    let show = ops::show(
        &w.home,
        ArtifactRef {
            name: "code-review".into(),
            ..ArtifactRef::default()
        },
    )
    .unwrap();
    assert_eq!(show.files.len(), 2);
    assert_eq!(show.state, ArtifactState::Clean);
    assert_eq!(show.entry.tags, ["t"]);

    let hits = ops::search(
        &w.home,
        SearchRequest {
            query: "review".into(),
            ..SearchRequest::default()
        },
    )
    .unwrap();
    assert_eq!(hits.hits[0].artifact.name, "code-review");

    // An edit to the collection copy shows as modified; a missing copy as missing.
    let coll = w.home.collection_dir("default");
    fs::write(coll.join("commands/explain.md"), "edited\n").unwrap();
    fs::remove_file(coll.join("agents/tester.md")).unwrap();
    let states = w.states();
    assert_eq!(states["explain"], ArtifactState::Modified);
    assert_eq!(states["tester"], ArtifactState::Missing);
    assert_eq!(states["code-review"], ArtifactState::Clean);

    let removed = ops::remove(
        &w.home,
        RemoveRequest {
            name: "tester".into(),
            ..RemoveRequest::default()
        },
    )
    .unwrap();
    assert!(removed.snapshot.is_some_and(|s| !s.is_empty()));
    assert!(!w.states().contains_key("tester"));

    // Collections: create, use, list, delete.
    ops::collection_create(&w.home, "work").unwrap();
    assert_eq!(ops::collection_use(&w.home, "work").unwrap().active, "work");
    let all = ops::collection_list(&w.home).unwrap();
    assert_eq!(all.collections.len(), 2);
    assert!(
        ops::collection_delete(&w.home, "work").is_err(),
        "the active one stays"
    );
    ops::collection_use(&w.home, "default").unwrap();
    ops::collection_delete(&w.home, "work").unwrap();
    assert_eq!(Collection::names(&w.home).unwrap(), ["default"]);
    assert!(leftovers(&w.root).is_empty(), "{:?}", leftovers(&w.root));
}

#[test]
fn update_brings_changes_forward_and_keeps_local_edits() {
    let w = World::new();
    let src = w.source("src", "v1");
    w.add(&src);
    w.source("src", "v2");
    let coll = w.home.collection_dir("default");
    fs::write(coll.join("commands/explain.md"), "mine\n").unwrap();
    let check = ops::update(
        &w.home,
        UpdateRequest {
            dry_run: true,
            ..UpdateRequest::default()
        },
        &NoProgress,
    )
    .unwrap();
    assert!(
        check
            .items
            .iter()
            .any(|i| i.outcome == UpdateOutcome::Available)
    );
    let r = ops::update(&w.home, UpdateRequest::default(), &NoProgress).unwrap();
    let outcome: BTreeMap<_, _> = r
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.outcome))
        .collect();
    assert_eq!(outcome["code-review"], UpdateOutcome::Updated);
    assert_eq!(outcome["explain"], UpdateOutcome::LocallyModified);
    assert!(r.snapshot.is_some());
    let style = fs::read_to_string(coll.join("skills/code-review/references/style.md")).unwrap();
    assert_eq!(style, "style v2\n");
    assert_eq!(
        fs::read_to_string(coll.join("commands/explain.md")).unwrap(),
        "mine\n"
    );
    assert!(leftovers(&w.root).is_empty(), "{:?}", leftovers(&w.root));
}

#[cfg(unix)]
#[test]
fn every_copy_follows_the_one_mode_rule() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    let hook = w.write(
        "hsrc/hooks/fmt/hooks.json",
        r#"{"hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/run.sh"}]}]}}"#,
    );
    let script = w.write("hsrc/hooks/fmt/run.sh", "#!/bin/sh\n");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o700)).unwrap();
    let doc = w.write("hsrc/hooks/fmt/README.md", "doc\n");
    fs::set_permissions(&doc, fs::Permissions::from_mode(0o600)).unwrap();
    w.add(hook.parent().unwrap());
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let coll = w.home.collection_dir("default").join("hooks/fmt");
    assert_eq!(mode(&coll.join("run.sh")), 0o755);
    assert_eq!(mode(&coll.join("README.md")), 0o644);
    let project = w.path("proj");
    fs::create_dir_all(&project).unwrap();
    deploy::deploy(
        &w.home,
        DeployRequest {
            all: true,
            project: w.project(&project),
            ..DeployRequest::default()
        },
        &NoProgress,
    )
    .unwrap();
    let deployed = project.join(".claude/hooks/fmt");
    assert_eq!(mode(&deployed.join("run.sh")), 0o755);
    assert_eq!(mode(&deployed.join("README.md")), 0o644);
}

#[test]
fn snapshots_restore_the_collection_as_it_was() {
    let w = World::new();
    let src = w.source("src", "v1");
    w.add(&src);
    let snap = snapshot::create(&w.home, SnapshotCreateRequest::default()).unwrap();
    assert_eq!(snap.artifacts, 4);
    let manifest = w.home.collection_dir("default").join("collection.toml");
    let at_snapshot = fs::read(&manifest).unwrap();
    ops::remove(
        &w.home,
        RemoveRequest {
            name: "changelog".into(),
            ..RemoveRequest::default()
        },
    )
    .unwrap();
    w.write(
        "late/skills/late/SKILL.md",
        "---\nname: late\ndescription: Late.\n---\n",
    );
    w.add(&w.path("late"));
    let r = snapshot::restore(
        &w.home,
        SnapshotRestoreRequest {
            collection: None,
            id: snap.id.clone(),
            copies: false,
            dry_run: false,
        },
    )
    .unwrap();
    assert_eq!(r.artifacts, 4);
    assert_eq!(fs::read(&manifest).unwrap(), at_snapshot);
    let states = w.states();
    assert!(!states.contains_key("late"));
    assert!(
        states.values().all(|s| *s == ArtifactState::Clean),
        "{states:?}"
    );
    assert!(
        !w.home
            .collection_dir("default")
            .join("skills/late")
            .exists()
    );
    // The state replaced was itself snapshotted, so the restore can be undone.
    let list = snapshot::list(&w.home, None).unwrap();
    assert!(
        list.snapshots
            .iter()
            .any(|s| Some(&s.id) == r.before.as_ref())
    );
    assert!(leftovers(&w.root).is_empty(), "{:?}", leftovers(&w.root));
}

#[test]
fn deploy_drift_sync_pull_diff_undeploy() {
    let w = World::new();
    let src = w.source("src", "v1");
    w.add(&src);
    let project = w.path("proj");
    w.write("proj/README.md", "mine\n");
    let place = w.project(&project);
    let r = deploy::deploy(
        &w.home,
        DeployRequest {
            all: true,
            project: place.clone(),
            ..DeployRequest::default()
        },
        &NoProgress,
    )
    .unwrap();
    assert!(r.items.iter().all(|i| i.action == DeployAction::Deployed));
    let drift = |w: &World| -> BTreeMap<String, DriftState> {
        deploy::drift(
            &w.home,
            DriftRequest {
                project: w.project(&project),
                ..DriftRequest::default()
            },
        )
        .unwrap()
        .items
        .into_iter()
        .map(|i| (i.name, i.state))
        .collect()
    };
    assert!(drift(&w).values().all(|s| *s == DriftState::Current));

    // The collection moves on for one, the project edits another.
    let coll = w.home.collection_dir("default");
    fs::write(coll.join("commands/explain.md"), "v2\n").unwrap();
    let deployed_skill = project.join(".claude/skills/changelog/SKILL.md");
    fs::write(&deployed_skill, "edited in the project\n").unwrap();
    let states = drift(&w);
    assert_eq!(states["explain"], DriftState::Outdated);
    assert_eq!(states["changelog"], DriftState::Modified);

    let d = deploy::diff(
        &w.home,
        DiffRequest {
            name: "changelog".into(),
            kind: None,
            project: place.clone(),
            ..DiffRequest::default()
        },
    )
    .unwrap();
    assert_eq!(d.files.len(), 1);
    assert!(
        d.files[0].diff.contains("+edited in the project"),
        "{}",
        d.files[0].diff
    );

    let s = deploy::sync(
        &w.home,
        SyncRequest {
            project: place.clone(),
            ..SyncRequest::default()
        },
        &NoProgress,
    )
    .unwrap();
    let act: BTreeMap<_, _> = s
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.action))
        .collect();
    assert_eq!(act["explain"], SyncAction::Updated);
    assert_eq!(act["changelog"], SyncAction::Kept);

    let p = deploy::sync(
        &w.home,
        SyncRequest {
            project: place.clone(),
            pull: true,
            ..SyncRequest::default()
        },
        &NoProgress,
    )
    .unwrap();
    assert!(p.items.iter().any(|i| i.action == SyncAction::Pulled));
    assert_eq!(
        fs::read_to_string(coll.join("skills/changelog/SKILL.md")).unwrap(),
        "edited in the project\n"
    );
    assert!(drift(&w).values().all(|s| *s == DriftState::Current));
    // The pulled copy is locked as it is now (explain was edited in the collection by hand).
    let states = w.states();
    assert_eq!(states["changelog"], ArtifactState::Clean);
    assert_eq!(states["explain"], ArtifactState::Modified);

    let u = deploy::undeploy(
        &w.home,
        UndeployRequest {
            all: true,
            project: place,
            ..UndeployRequest::default()
        },
    )
    .unwrap();
    assert_eq!(u.items.len(), 4);
    // The project is as it was before the first deploy: `.claude/` (which deploy made), its
    // record and its lock file are gone.
    let names: Vec<_> = fs::read_dir(&project)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["README.md"]);
    assert!(leftovers(&w.root).is_empty(), "{:?}", leftovers(&w.root));
}

/// Every entry under `root`: a file's bytes, or `None` for a folder.
fn tree(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.insert(e.path(), None);
                stack.push(e.path());
            } else {
                out.insert(e.path(), Some(fs::read(e.path()).unwrap_or_default()));
            }
        }
    }
    out
}

#[test]
fn dry_runs_take_no_lock_and_write_nothing() {
    let w = World::new();
    w.add(&w.source("src", "v1"));
    let project = w.path("proj");
    w.write("proj/README.md", "mine\n");
    deploy::deploy(
        &w.home,
        DeployRequest {
            names: vec!["explain".into()],
            project: w.project(&project),
            ..DeployRequest::default()
        },
        &NoProgress,
    )
    .unwrap();
    let snap = snapshot::create(&w.home, SnapshotCreateRequest::default()).unwrap();
    // Something for each dry run to report: the source moves on, the collection copy of the
    // deployed command too, and there is a new source to add.
    w.source("src", "v2");
    fs::write(
        w.home.collection_dir("default").join("commands/explain.md"),
        "v2\n",
    )
    .unwrap();
    w.write(
        "late/skills/late/SKILL.md",
        "---\nname: late\ndescription: Late.\n---\n",
    );
    // Without the lock files, a lock taken would show as a new file.
    fs::remove_file(w.home.root().join(".lock")).unwrap();
    let _ = fs::remove_file(project.join(".claude/.skillmeat-deployed.lock"));
    let before = tree(&w.root);

    let added = ops::add(
        &w.home,
        AddRequest {
            collection: None,
            source: w.path("late").display().to_string(),
            cwd: None,
            name: None,
            kind: None,
            tags: Vec::new(),
            on_conflict: OnConflict::Fail,
            dry_run: true,
        },
        &NoProgress,
    )
    .unwrap();
    assert_eq!(added.added.len(), 1);
    let update = ops::update(
        &w.home,
        UpdateRequest {
            dry_run: true,
            ..UpdateRequest::default()
        },
        &NoProgress,
    )
    .unwrap();
    assert!(
        update
            .items
            .iter()
            .any(|i| i.outcome == UpdateOutcome::Available)
    );
    let removed = ops::remove(
        &w.home,
        RemoveRequest {
            name: "code-review".into(),
            dry_run: true,
            ..RemoveRequest::default()
        },
    )
    .unwrap();
    assert_eq!(removed.files.len(), 2);
    assert!(removed.snapshot.is_none());
    let restore = snapshot::restore(
        &w.home,
        SnapshotRestoreRequest {
            collection: None,
            id: snap.id,
            copies: false,
            dry_run: true,
        },
    )
    .unwrap();
    assert!(restore.before.is_none());
    let dep = deploy::deploy(
        &w.home,
        DeployRequest {
            all: true,
            project: w.project(&project),
            dry_run: true,
            ..DeployRequest::default()
        },
        &NoProgress,
    )
    .unwrap();
    assert_eq!(dep.items.len(), 4);
    let sync = deploy::sync(
        &w.home,
        SyncRequest {
            project: w.project(&project),
            dry_run: true,
            ..SyncRequest::default()
        },
        &NoProgress,
    )
    .unwrap();
    assert_eq!(sync.items[0].action, SyncAction::Updated);
    let undeploy = deploy::undeploy(
        &w.home,
        UndeployRequest {
            all: true,
            project: w.project(&project),
            dry_run: true,
            ..UndeployRequest::default()
        },
    )
    .unwrap();
    assert_eq!(undeploy.items.len(), 1);

    assert_eq!(tree(&w.root), before, "a dry run wrote something");
}

#[test]
fn a_killed_first_deploy_is_rolled_back_by_drift() {
    let w = World::new();
    w.add(&w.source("src", "v1"));
    let project = w.path("proj");
    w.write("proj/README.md", "mine\n");
    // What a first deploy killed after moving its copies in leaves: `.claude/` with copies, a
    // journal, no record. (A dead process's owner lock is gone, so recovery may take it.)
    let claude = project.join(".claude");
    let mut t = txn::Txn::begin(&claude).unwrap();
    let staged = t.stage_path();
    fs::create_dir_all(&staged).unwrap();
    fs::write(staged.join("SKILL.md"), "x").unwrap();
    t.create(claude.join("skills/changelog"), staged);
    let dir = t.dir().to_path_buf();
    // Commit for real, then put the folder back as a kill before the commit point leaves it.
    t.commit().unwrap();
    assert!(!dir.exists());
    let journal = format!(
        r#"{{"id":"x","steps":[{{"op":"move","dest":{:?},"new":"new-1","old":"old-0","fresh":true}}],"created_dirs":[{:?}]}}"#,
        claude.join("skills/changelog"),
        claude.join("skills")
    );
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("journal.json"), journal).unwrap();
    let r = deploy::drift(
        &w.home,
        DriftRequest {
            project: w.project(&project),
            ..DriftRequest::default()
        },
    )
    .unwrap();
    assert_eq!(r.recovered.len(), 1, "{:?}", r.recovered);
    assert!(r.items.is_empty());
    assert!(!claude.join("skills").exists());
    assert!(leftovers(&project).is_empty());
}

#[test]
fn pack_export_import_and_a_local_vault() {
    let from = World::new();
    from.add(&from.source("src", "packed"));
    let out = from.path("team.skillmeat-pack");
    let e = pack::export(
        &from.home,
        ExportRequest {
            all: true,
            output: out.clone(),
            version: Some("1.0.0".into()),
            ..ExportRequest::default()
        },
    )
    .unwrap();
    assert_eq!(e.artifacts, 4);

    // Through a local vault into another home.
    let to = World::new();
    let shared = to.path("shared");
    vault::add(&to.home, "team", VaultConfig::Local { path: shared }).unwrap();
    vault::push(&to.home, "team", &out).unwrap();
    let pulled = to.path("downloads/team.skillmeat-pack");
    vault::pull(&to.home, "team", "team.skillmeat-pack", &pulled).unwrap();
    assert_eq!(fs::read(&pulled).unwrap(), fs::read(&out).unwrap());

    let import = |strategy, dry_run| {
        pack::import(
            &to.home,
            ImportRequest {
                collection: None,
                path: pulled.clone(),
                strategy,
                dry_run,
                trust_signer: false,
                limits: Default::default(),
                ignore_dependencies: false,
            },
        )
        .unwrap()
    };
    let dry = import(Strategy::Merge, true);
    assert!(dry.items.iter().all(|i| i.action == ImportAction::Added));
    assert!(
        !to.home.collection_dir("default").exists(),
        "a dry run writes nothing"
    );
    let r = import(Strategy::Merge, false);
    assert!(r.items.iter().all(|i| i.action == ImportAction::Added));
    assert!(to.states().values().all(|s| *s == ArtifactState::Clean));
    // The same pack twice changes nothing.
    let again = import(Strategy::Merge, false);
    assert!(
        again
            .items
            .iter()
            .all(|i| i.action == ImportAction::Unchanged)
    );
    assert!(leftovers(&to.root).is_empty(), "{:?}", leftovers(&to.root));
}
