//! The registry's invariants (complete, distinct, described, consistent annotations, requests
//! that refuse unknown fields) and one event per call, from every entry.

use std::collections::BTreeSet;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::*;

/// Every operation the registry must hold: today's MCP tool names and the CLI's operations.
const EXPECTED: &[&str] = &[
    "add_artifact",
    "check_config",
    "check_files",
    "collection_create",
    "collection_delete",
    "collection_list",
    "collection_status",
    "collection_use",
    "config_get",
    "config_list",
    "config_set",
    "deploy",
    "deployment_status",
    "diff",
    "init",
    "keys_export",
    "keys_generate",
    "keys_import",
    "keys_list",
    "keys_move",
    "keys_remove",
    "keys_trust",
    "keys_untrust",
    "list_artifacts",
    "pack_export",
    "pack_import",
    "pack_inspect",
    "pack_verify",
    "remove_artifact",
    "search_artifacts",
    "show_artifact",
    "snapshot_create",
    "snapshot_list",
    "snapshot_restore",
    "sync",
    "token_create",
    "token_list",
    "token_revoke",
    "undeploy",
    "update_artifacts",
    "vault_add",
    "vault_delete",
    "vault_list",
    "vault_ls",
    "vault_pull",
    "vault_push",
    "vault_remove",
];

/// The MCP tools of the first wave: still offered, under the same names.
const MCP_TOOLS: &[&str] = &[
    "list_artifacts",
    "show_artifact",
    "search_artifacts",
    "collection_status",
    "add_artifact",
    "remove_artifact",
    "update_artifacts",
    "deploy",
    "undeploy",
    "deployment_status",
    "sync",
    "diff",
    "snapshot_create",
    "snapshot_list",
    "snapshot_restore",
    "pack_export",
    "pack_inspect",
    "pack_verify",
    "pack_import",
    "check_config",
];

#[test]
fn registry_is_complete_and_consistent() {
    let names: Vec<&str> = registry().iter().map(|e| e.meta.name).collect();
    let distinct: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(distinct.len(), names.len(), "duplicate names in {names:?}");
    assert_eq!(
        distinct,
        EXPECTED.iter().copied().collect::<BTreeSet<_>>(),
        "the registry differs from the operations SkillMeat offers"
    );
    let mcp: BTreeSet<&str> = registry()
        .iter()
        .filter(|e| e.meta.mcp)
        .map(|e| e.meta.name)
        .collect();
    assert_eq!(mcp, MCP_TOOLS.iter().copied().collect::<BTreeSet<_>>());
    for e in registry() {
        let m = &e.meta;
        assert!(
            m.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{} is not a snake_case verb",
            m.name
        );
        assert!(!m.title.trim().is_empty(), "{} has no title", m.name);
        assert!(
            m.description.len() > 20,
            "{} has no real description",
            m.name
        );
        assert!(
            !m.description.contains("--"),
            "{}'s description names a CLI flag",
            m.name
        );
        assert!(!m.toolset.is_empty(), "{} has no toolset", m.name);
        assert!(
            !(m.read_only && m.destructive),
            "{} is read-only and destructive",
            m.name
        );
        assert!(find(m.name).is_some_and(|f| f.meta == *m));

        let req = (e.request_schema)();
        assert_eq!(
            req["type"], "object",
            "{}'s request is not an object",
            m.name
        );
        assert_eq!(
            req["additionalProperties"], false,
            "{}'s request does not deny unknown fields (or flattens another type)",
            m.name
        );
        for (k, p) in req["properties"].as_object().into_iter().flatten() {
            assert!(
                p.get("description").is_some(),
                "{}.{k} is not described",
                m.name
            );
        }
        let rep = (e.report_schema)();
        assert!(
            rep.get("type").is_some() || rep.get("$ref").is_some() || rep.get("oneOf").is_some(),
            "{}'s report has no schema: {rep}",
            m.name
        );
        if m.mcp {
            assert_eq!(
                rep["type"], "object",
                "{}'s report is not an object",
                m.name
            );
        }
    }
}

/// A sink that keeps every event.
#[derive(Default)]
struct Recorder(Mutex<Vec<OpEvent>>);

impl EventSink for Recorder {
    fn record(&self, event: &OpEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

impl Recorder {
    fn take(&self) -> Vec<OpEvent> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Every entry, called with an empty request and with a misspelled `dryRun`: each call emits
/// exactly one event, named for the operation; the misspelling is refused as a usage error that
/// names the field, before anything runs.
#[test]
fn every_call_emits_one_event_and_unknown_fields_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let sink = Recorder::default();
    let mut ctx = OpContext::new(&home, Face::Mcp);
    ctx.events = Some(&sink);
    for e in registry() {
        let name = e.meta.name;
        let before = std::fs::read_dir(dir.path()).map(|d| d.count()).ok();
        let err = (e.run_json)(&ctx, json!({"dryRun": true})).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Usage, "{name}: {err:?}");
        assert!(err.message.contains("dryRun"), "{name}: {}", err.message);
        assert_eq!(
            before,
            std::fs::read_dir(dir.path()).map(|d| d.count()).ok(),
            "{name} wrote something for a refused request"
        );
        let events = sink.take();
        assert_eq!(events.len(), 1, "{name}: {events:?}");
        assert_eq!(events[0].op, name);
        assert_eq!(events[0].face, Face::Mcp);
        assert_eq!(
            events[0].outcome,
            Outcome::Error {
                kind: ErrorKind::Usage
            }
        );

        let r = (e.run_json)(&ctx, Value::Null);
        let events = sink.take();
        assert_eq!(events.len(), 1, "{name} with no arguments: {events:?}");
        assert_eq!(
            events[0].outcome,
            match &r {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Error { kind: e.kind },
            },
            "{name}: {r:?}"
        );
        if let Err(err) = r {
            assert!(!err.message.contains("--"), "{name}: {}", err.message);
        }
    }
}

/// A typed call: the event names the collection and the artifacts from the report.
#[test]
fn typed_calls_emit_their_scope() {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let src = dir.path().join("src/skills/tidy");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("SKILL.md"),
        "---\nname: tidy\ndescription: Tidies.\n---\nTidy.\n",
    )
    .unwrap();
    let sink = Recorder::default();
    let mut ctx = OpContext::new(&home, Face::Cli);
    ctx.cwd = Some(dir.path().to_path_buf());
    ctx.events = Some(&sink);
    let added = call::<AddArtifact>(
        &ctx,
        serde_json::from_value(json!({"source": "src"})).unwrap(),
    )
    .unwrap();
    assert_eq!(added.added.len(), 1);
    let e = sink.take();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].op, "add_artifact");
    assert_eq!(e[0].collection.as_deref(), Some("default"));
    assert_eq!(e[0].artifacts, ["skill:tidy"]);
    assert_eq!(e[0].outcome, Outcome::Ok);

    let err = call::<ShowArtifact>(
        &ctx,
        serde_json::from_value(json!({"name": "tidyy"})).unwrap(),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("did you mean `tidy`"), "{err:?}");
    let e = sink.take();
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].outcome,
        Outcome::Error {
            kind: ErrorKind::NotFound
        }
    );
}

/// Without a working folder a relative path is refused with a hint naming the parameter; the
/// sentence itself names no parameter and no flag.
#[test]
fn relative_paths_need_a_working_folder() {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let ctx = OpContext::new(&home, Face::Mcp);
    let err = call::<Deploy>(
        &ctx,
        serde_json::from_value(json!({"project": "proj", "all": true})).unwrap(),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Usage);
    assert!(
        err.message.contains("`proj` is not an absolute path"),
        "{err:?}"
    );
    assert_eq!(
        err.fixes[0].hint,
        Hint::Param {
            name: "project".into(),
            value: None
        }
    );
    let err =
        call::<Deploy>(&ctx, serde_json::from_value(json!({"all": true})).unwrap()).unwrap_err();
    assert!(err.message.contains("no project folder"), "{err:?}");
    let err = call::<AddArtifact>(
        &ctx,
        serde_json::from_value(json!({"source": "./skills"})).unwrap(),
    )
    .unwrap_err();
    assert!(err.message.contains("relative path"), "{err:?}");
}

/// A cancelled add stops before it commits: nothing is added.
#[test]
fn a_cancelled_add_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let src = dir.path().join("src/commands");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..3 {
        std::fs::write(src.join(format!("c{i}.md")), "Do it.\n").unwrap();
    }
    let mut ctx = OpContext::new(&home, Face::Cli);
    ctx.cwd = Some(dir.path().to_path_buf());
    call::<Init>(&ctx, InitRequest::default()).unwrap();
    ctx.cancel.cancel();
    let err = call::<AddArtifact>(
        &ctx,
        serde_json::from_value(json!({"source": "src"})).unwrap(),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
    let list = call::<ListArtifacts>(&ctx, ListRequest::default()).unwrap();
    assert_eq!(list.total, 0);
}

use crate::collection::ops::{InitRequest, ListRequest};
