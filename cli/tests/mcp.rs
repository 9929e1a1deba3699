//! End-to-end: `skillmeat mcp serve` run as a real process. Over stdio with rmcp's client: the
//! tool list (snapshot), every tool of the `collection` toolset including its error paths,
//! progress notifications, resources, `--read-only` and `--toolsets`; every tool of the `deploy`
//! toolset on a real temp project; `check_config` (toolset `check`, its context gathered as
//! `skillmeat check` gathers it); every tool of the `pack` toolset (export, inspect, verify,
//! import; an unknown signer trusted only on `trust_signer: true`). Over HTTP: tokens made with
//! `skillmeat token create` let a request in, anything else gets 401.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use common::{Env, skill_md, snapshot, write};
use rmcp::model::{
    CallToolRequestParams, CallToolResult, PaginatedRequestParams, ProgressNotificationParam,
    ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};

/// A client that records the progress notifications it receives.
#[derive(Clone, Default)]
struct Recorder {
    progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
}

impl ClientHandler for Recorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
    }
}

type Client = RunningService<RoleClient, Recorder>;

/// Starts `skillmeat mcp serve ARGS` in `env` and connects to it over stdio.
async fn connect(env: &Env, args: &[&str]) -> Client {
    let mut cmd = tokio::process::Command::new(common::bin());
    cmd.args(["mcp", "serve"])
        .args(args)
        .env("SKILLMEAT_HOME", env.home())
        .env("HOME", env.user_home())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_TOKEN")
        .env_remove("SKILLMEAT_GITHUB_API_URL")
        .env_remove("SKILLMEAT_LOG")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("SKILLMEAT_KEY_STORAGE", "file")
        .current_dir(env.dir.path());
    let transport = TokioChildProcess::new(cmd).expect("skillmeat starts");
    Recorder::default()
        .serve(transport)
        .await
        .expect("MCP handshake")
}

async fn call(client: &Client, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("arguments must be an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"))
}

/// The structured content of a successful call.
async fn ok(client: &Client, tool: &str, args: Value) -> Value {
    let r = call(client, tool, args.clone()).await;
    assert_ne!(r.is_error, Some(true), "{tool} {args} failed: {r:?}");
    r.structured_content
        .unwrap_or_else(|| panic!("{tool} returned no structured content"))
}

/// The error sentence of a failed call (a tool result with isError, not a protocol error).
async fn err(client: &Client, tool: &str, args: Value) -> String {
    let r = call(client, tool, args.clone()).await;
    assert_eq!(r.is_error, Some(true), "{tool} {args} should fail: {r:?}");
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn names(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect()
}

/// A source folder with three skills and a command.
fn source(env: &Env) -> std::path::PathBuf {
    let src = env.path("src");
    write(
        &src,
        "skills/alpha/SKILL.md",
        &skill_md("alpha", "Formats release notes."),
    );
    write(&src, "skills/alpha/notes/template.md", "# Template\n");
    write(
        &src,
        "skills/beta/SKILL.md",
        &skill_md("beta", "Reviews pull requests."),
    );
    write(
        &src,
        "skills/gamma/SKILL.md",
        &skill_md("gamma", "Writes commit messages."),
    );
    write(
        &src,
        "commands/explain.md",
        "---\ndescription: Explain the selected code.\n---\n\nExplain $ARGUMENTS.\n",
    );
    src
}

#[tokio::test(flavor = "multi_thread")]
async fn tool_list_matches_snapshot() {
    let env = Env::new();
    let client = connect(&env, &[]).await;
    let info = client.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().unwrap().name, "skillmeat");
    assert_eq!(
        info.server_info.as_ref().unwrap().version,
        skillmeat_core::VERSION
    );
    let tools = client.list_all_tools().await.unwrap();
    for t in &tools {
        let a = t
            .annotations
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no annotations", t.name));
        assert!(
            t.title.is_some() && a.title.is_some(),
            "{} has no title",
            t.name
        );
        for (hint, v) in [
            ("readOnlyHint", a.read_only_hint),
            ("destructiveHint", a.destructive_hint),
            ("idempotentHint", a.idempotent_hint),
            ("openWorldHint", a.open_world_hint),
        ] {
            assert!(v.is_some(), "{} does not set {hint}", t.name);
        }
        assert!(t.output_schema.is_some(), "{} has no outputSchema", t.name);
        let props = t.input_schema.get("properties").and_then(Value::as_object);
        for (k, p) in props.into_iter().flatten() {
            assert!(
                p.get("description").is_some(),
                "{}.{k} is not described",
                t.name
            );
        }
    }
    insta::assert_json_snapshot!("mcp_tools", serde_json::to_value(&tools).unwrap());
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn every_collection_tool_over_stdio() {
    let env = Env::new();
    let src = source(&env);
    let src_s = src.display().to_string();
    let client = connect(&env, &[]).await;

    // add: a dry run writes nothing, then the real add reports progress.
    let before = snapshot(&env.home());
    let dry = ok(
        &client,
        "add_artifact",
        json!({"source": src_s, "dry_run": true}),
    )
    .await;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(names(&dry, "added").len(), 4, "{dry}");
    assert_eq!(snapshot(&env.home()), before, "a dry run must not write");
    client.service().progress.lock().unwrap().clear();
    let added = ok(
        &client,
        "add_artifact",
        json!({"source": src_s, "tags": ["mcp"]}),
    )
    .await;
    let mut added = names(&added, "added");
    added.sort();
    assert_eq!(added, ["alpha", "beta", "explain", "gamma"]);
    let progress = client.service().progress.lock().unwrap().clone();
    assert!(!progress.is_empty(), "add sent no progress notifications");
    assert!(
        progress.iter().all(|p| p.total == Some(4.0)),
        "{progress:?}"
    );
    // rmcp's client may hand notifications to the handler out of order; the server must still
    // send each value once, so sorted they strictly increase.
    let mut values: Vec<f64> = progress.iter().map(|p| p.progress).collect();
    values.sort_by(f64::total_cmp);
    assert!(
        values.windows(2).all(|w| w[0] < w[1]),
        "progress must increase: {progress:?}"
    );
    assert_eq!(values.last().copied(), Some(4.0));
    // Adding again is refused as a tool error naming the clash.
    let clash = err(&client, "add_artifact", json!({"source": src_s})).await;
    assert!(clash.contains("already in collection `default`"), "{clash}");

    // list
    let list = ok(&client, "list_artifacts", json!({})).await;
    assert_eq!(list["collection"], "default");
    let mut all: Vec<String> = list["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    all.sort();
    assert_eq!(all, ["alpha", "beta", "explain", "gamma"]);
    let cmds = ok(&client, "list_artifacts", json!({"kind": "command"})).await;
    assert_eq!(cmds["artifacts"].as_array().unwrap().len(), 1);
    assert_eq!(list["total"], 4);
    assert!(list.get("next_offset").is_none(), "{list}");
    // Pages: `limit` and `offset`, with `next_offset` until the last page.
    let mut paged = Vec::new();
    let mut offset = 0;
    loop {
        let page = ok(
            &client,
            "list_artifacts",
            json!({"limit": 3, "offset": offset}),
        )
        .await;
        assert_eq!(page["total"], 4);
        paged.extend(
            page["artifacts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap().to_string()),
        );
        match page["next_offset"].as_u64() {
            Some(n) => offset = n,
            None => break,
        }
    }
    assert_eq!(offset, 3);
    paged.sort();
    assert_eq!(paged, all);

    // show
    let show = ok(&client, "show_artifact", json!({"name": "alpha"})).await;
    assert_eq!(show["state"], "clean");
    assert_eq!(show["files"].as_array().unwrap().len(), 2);
    assert_eq!(show["entry"]["tags"], json!(["mcp"]));

    // search
    let hits = ok(
        &client,
        "search_artifacts",
        json!({"query": "pull requests"}),
    )
    .await;
    assert_eq!(hits["hits"][0]["artifact"]["name"], "beta", "{hits}");

    // status
    let status = ok(&client, "collection_status", json!({})).await;
    assert_eq!(status["counts"]["clean"], 4, "{status}");

    // update: the source moved on; a dry run reports it, the real run brings it in.
    write(
        &src,
        "skills/alpha/SKILL.md",
        &skill_md("alpha", "Formats better release notes."),
    );
    let before = snapshot(&env.home());
    let check = ok(
        &client,
        "update_artifacts",
        json!({"names": ["alpha"], "dry_run": true}),
    )
    .await;
    assert_eq!(check["items"][0]["outcome"], "available", "{check}");
    assert_eq!(snapshot(&env.home()), before, "a dry run must not write");
    let upd = ok(&client, "update_artifacts", json!({"names": ["alpha"]})).await;
    assert_eq!(upd["items"][0]["outcome"], "updated", "{upd}");
    let show = ok(&client, "show_artifact", json!({"name": "alpha"})).await;
    assert_eq!(
        show["entry"]["description"],
        "Formats better release notes."
    );

    // remove: a dry run names the files and keeps them; the real run deletes them.
    let alpha_dir = env.home().join("collections/default/skills/alpha");
    let dry = ok(
        &client,
        "remove_artifact",
        json!({"name": "alpha", "dry_run": true}),
    )
    .await;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["files"], json!(["SKILL.md", "notes/template.md"]));
    assert!(alpha_dir.exists(), "a dry run must not remove");
    let rm = ok(&client, "remove_artifact", json!({"name": "alpha"})).await;
    assert_eq!(rm["removed"]["name"], "alpha");
    assert!(!alpha_dir.exists());

    // Domain failures are tool results with isError and the core's sentence.
    let e = err(&client, "show_artifact", json!({"name": "alpha"})).await;
    assert!(
        e.contains("no artifact named `alpha` in collection `default`"),
        "{e}"
    );
    let e = err(
        &client,
        "remove_artifact",
        json!({"name": "nope", "dry_run": true}),
    )
    .await;
    assert!(e.contains("no artifact named `nope`"), "{e}");
    let e = err(&client, "update_artifacts", json!({"names": ["nope"]})).await;
    assert!(e.contains("no artifact named `nope`"), "{e}");
    let e = err(&client, "list_artifacts", json!({"collection": "missing"})).await;
    assert!(e.contains("collection `missing` does not exist"), "{e}");
    let e = err(
        &client,
        "collection_status",
        json!({"collection": "missing"}),
    )
    .await;
    assert!(e.contains("collection `missing` does not exist"), "{e}");
    let e = err(
        &client,
        "search_artifacts",
        json!({"query": "x", "collection": "missing"}),
    )
    .await;
    assert!(e.contains("does not exist"), "{e}");
    let e = err(
        &client,
        "add_artifact",
        json!({"source": env.path("nowhere").display().to_string()}),
    )
    .await;
    assert!(e.contains("nowhere"), "{e}");
    // Arguments that do not fit the schema are a tool error too, so the model sees why.
    let e = err(&client, "show_artifact", json!({})).await;
    assert!(e.contains("name"), "{e}");

    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn resources_list_is_paginated() {
    let env = Env::new();
    let src = source(&env);
    env.cmd().arg("add").arg(&src).assert().success();
    let whole = connect(&env, &[]).await;
    let first = whole.list_resources(None).await.unwrap();
    assert!(
        first.next_cursor.is_none(),
        "a small collection is one page"
    );
    let all: Vec<String> = first.resources.iter().map(|r| r.uri.clone()).collect();
    assert!(all.len() > 3, "{all:?}");
    whole.cancel().await.unwrap();

    // Pages of 2: every page but the last is full and has a cursor; together they are the
    // whole list, in order, once.
    let client = connect(&env, &["--page-size", "2"]).await;
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = client
            .list_resources(Some(
                PaginatedRequestParams::default().with_cursor(cursor.clone()),
            ))
            .await
            .unwrap();
        assert!(page.resources.len() <= 2);
        paged.extend(page.resources.iter().map(|r| r.uri.clone()));
        match page.next_cursor {
            Some(c) => {
                assert_eq!(page.resources.len(), 2);
                cursor = Some(c);
            }
            None => break,
        }
    }
    assert_eq!(paged, all);
    // A cursor the server never handed out is an invalid-params error naming it.
    let e = client
        .list_resources(Some(
            PaginatedRequestParams::default().with_cursor(Some("page-9".into())),
        ))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cursor `page-9` is not one this server handed out"),
        "{e}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn artifacts_are_resources() {
    let env = Env::new();
    let src = source(&env);
    env.cmd().arg("add").arg(&src).assert().success();
    let client = connect(&env, &[]).await;
    let resources = client.list_all_resources().await.unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    for want in [
        "skillmeat://collection/collection.toml",
        "skill://alpha/SKILL.md",
        "skill://alpha/notes/template.md",
        "command://explain/explain.md",
    ] {
        assert!(uris.contains(&want), "{want} not in {uris:?}");
    }
    let skill = resources
        .iter()
        .find(|r| r.uri == "skill://beta/SKILL.md")
        .unwrap();
    assert_eq!(skill.description.as_deref(), Some("Reviews pull requests."));
    assert_eq!(skill.mime_type.as_deref(), Some("text/markdown"));

    let read = |uri: &str| {
        let uri = uri.to_string();
        let client = &client;
        async move {
            client
                .read_resource(ReadResourceRequestParams::new(uri))
                .await
        }
    };
    let r = read("skill://alpha/SKILL.md").await.unwrap();
    let ResourceContents::TextResourceContents { text, .. } = &r.contents[0] else {
        panic!("text expected")
    };
    assert_eq!(text, &skill_md("alpha", "Formats release notes."));
    let r = read("skillmeat://collection/collection.toml")
        .await
        .unwrap();
    let ResourceContents::TextResourceContents { text, .. } = &r.contents[0] else {
        panic!("text expected")
    };
    assert!(text.contains("name = \"alpha\""), "{text}");
    for bad in [
        "skill://alpha/../beta/SKILL.md",
        "skill://alpha/missing.md",
        "skill://nope/SKILL.md",
        "agent://alpha/SKILL.md",
        "file:///etc/passwd",
    ] {
        assert!(read(bad).await.is_err(), "{bad} should not be readable");
    }
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_hides_and_refuses_write_tools() {
    let env = Env::new();
    let src = source(&env);
    env.cmd().arg("add").arg(&src).assert().success();
    let client = connect(&env, &["--read-only", "--toolsets", "collection"]).await;
    let mut tools: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    tools.sort();
    assert_eq!(
        tools,
        [
            "collection_status",
            "list_artifacts",
            "search_artifacts",
            "show_artifact"
        ]
    );
    let before = snapshot(&env.home());
    for tool in ["add_artifact", "remove_artifact", "update_artifacts"] {
        let mut args = serde_json::Map::new();
        args.insert("name".into(), json!("alpha"));
        args.insert("source".into(), json!(src.display().to_string()));
        let r = client
            .call_tool(CallToolRequestParams::new(tool).with_arguments(args))
            .await;
        assert!(r.is_err(), "{tool} must not be callable read-only: {r:?}");
    }
    assert_eq!(snapshot(&env.home()), before);
    ok(&client, "show_artifact", json!({"name": "alpha"})).await;
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn every_deploy_tool_over_stdio() {
    let env = Env::new();
    let src = source(&env);
    env.cmd().arg("add").arg(&src).assert().success();
    let project = env.path("proj");
    std::fs::create_dir_all(project.join(".claude")).unwrap();
    let proj = project.display().to_string();
    let client = connect(&env, &["--toolsets", "deploy"]).await;

    // deploy: a dry run writes nothing; the real one reports progress per artifact.
    let before = snapshot(&project);
    let dry = ok(
        &client,
        "deploy",
        json!({"project": proj, "all": true, "dry_run": true}),
    )
    .await;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(names(&dry, "items").len(), 4, "{dry}");
    assert_eq!(snapshot(&project), before, "a dry run must not write");
    client.service().progress.lock().unwrap().clear();
    let dep = ok(&client, "deploy", json!({"project": proj, "all": true})).await;
    assert!(
        dep["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["action"] == "deployed"),
        "{dep}"
    );
    let skill = project.join(".claude/skills/alpha/SKILL.md");
    assert_eq!(
        std::fs::read_to_string(&skill).unwrap(),
        skill_md("alpha", "Formats release notes.")
    );
    let progress = client.service().progress.lock().unwrap().clone();
    assert!(
        !progress.is_empty(),
        "deploy sent no progress notifications"
    );
    assert!(
        progress.iter().all(|p| p.total == Some(4.0)),
        "{progress:?}"
    );

    // deployment_status and diff see an edit in the project.
    write(&project, ".claude/skills/alpha/SKILL.md", "edited\n");
    let st = ok(&client, "deployment_status", json!({"project": proj})).await;
    assert_eq!(st["counts"], json!({"current": 3, "modified": 1}), "{st}");
    let d = ok(&client, "diff", json!({"project": proj, "name": "alpha"})).await;
    assert_eq!(d["state"], "modified");
    assert_eq!(d["files"][0]["path"], "SKILL.md", "{d}");
    assert!(
        d["files"][0]["diff"].as_str().unwrap().contains("+edited"),
        "{d}"
    );

    // sync --pull: a dry run changes nothing, the real one takes the edit into the collection.
    let coll_skill = env.home().join("collections/default/skills/alpha/SKILL.md");
    let dry = ok(
        &client,
        "sync",
        json!({"project": proj, "pull": true, "dry_run": true}),
    )
    .await;
    assert_eq!(dry["dry_run"], true);
    assert_ne!(std::fs::read_to_string(&coll_skill).unwrap(), "edited\n");
    let sy = ok(&client, "sync", json!({"project": proj, "pull": true})).await;
    let alpha = sy["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "alpha")
        .unwrap();
    assert_eq!(alpha["action"], "pulled", "{sy}");
    assert_eq!(std::fs::read_to_string(&coll_skill).unwrap(), "edited\n");

    // sync: a collection change reaches the project, with progress.
    write(
        &env.home(),
        "collections/default/skills/beta/SKILL.md",
        "newer beta\n",
    );
    let beta = project.join(".claude/skills/beta/SKILL.md");
    let dry = ok(&client, "sync", json!({"project": proj, "dry_run": true})).await;
    assert_eq!(dry["dry_run"], true);
    assert_ne!(std::fs::read_to_string(&beta).unwrap(), "newer beta\n");
    client.service().progress.lock().unwrap().clear();
    let sy = ok(&client, "sync", json!({"project": proj})).await;
    let b = sy["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "beta")
        .unwrap();
    assert_eq!(b["action"], "updated", "{sy}");
    assert_eq!(std::fs::read_to_string(&beta).unwrap(), "newer beta\n");
    assert!(
        !client.service().progress.lock().unwrap().is_empty(),
        "sync sent no progress"
    );

    // Snapshots: create, list, restore (dry run first).
    let snap = ok(&client, "snapshot_create", json!({"reason": "mcp test"})).await;
    let id = snap["id"].as_str().unwrap().to_string();
    assert_eq!(snap["reason"], "mcp test");
    let list = ok(&client, "snapshot_list", json!({})).await;
    let ids: Vec<&str> = list["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&id.as_str()), "{list}");
    write(
        &env.home(),
        "collections/default/skills/alpha/SKILL.md",
        "later\n",
    );
    let before = snapshot(&env.home());
    let dry = ok(
        &client,
        "snapshot_restore",
        json!({"id": id, "dry_run": true}),
    )
    .await;
    assert_eq!(
        (&dry["id"], &dry["dry_run"]),
        (&json!(id), &json!(true)),
        "{dry}"
    );
    assert!(dry.get("before").is_none(), "{dry}");
    assert_eq!(snapshot(&env.home()), before, "a dry run must not write");
    let r = ok(&client, "snapshot_restore", json!({"id": id})).await;
    assert_eq!(
        (&r["id"], &r["dry_run"]),
        (&json!(id), &json!(false)),
        "{r}"
    );
    assert!(r["before"].is_string(), "{r}");
    assert_eq!(std::fs::read_to_string(&coll_skill).unwrap(), "edited\n");

    // undeploy: dry run, then for real.
    let dry = ok(
        &client,
        "undeploy",
        json!({"project": proj, "names": ["beta"], "dry_run": true}),
    )
    .await;
    assert_eq!(names(&dry, "items"), ["beta"]);
    assert!(project.join(".claude/skills/beta/SKILL.md").exists());
    ok(
        &client,
        "undeploy",
        json!({"project": proj, "names": ["beta"]}),
    )
    .await;
    assert!(!project.join(".claude/skills/beta").exists());

    // Domain failures are tool results with isError and the core's sentence.
    let e = err(
        &client,
        "deploy",
        json!({"project": proj, "names": ["nope"]}),
    )
    .await;
    assert!(e.contains("no artifact named `nope`"), "{e}");
    let e = err(&client, "deploy", json!({"project": "proj", "all": true})).await;
    assert!(
        e.contains("`proj` is not an absolute path") && e.contains("pass `project`"),
        "{e}"
    );
    let e = err(
        &client,
        "undeploy",
        json!({"project": proj, "names": ["beta"]}),
    )
    .await;
    assert!(e.contains("`beta` is not deployed in"), "{e}");
    let e = err(&client, "deploy", json!({"project": proj})).await;
    assert!(
        e.contains("nothing says which artifacts to deploy") && e.contains("pass `all: true`"),
        "{e}"
    );
    let e = err(
        &client,
        "sync",
        json!({"project": proj, "targets": ["nope"]}),
    )
    .await;
    assert!(e.contains("unknown target `nope`"), "{e}");
    let e = err(
        &client,
        "snapshot_restore",
        json!({"id": "nope", "dry_run": true}),
    )
    .await;
    assert!(
        e.contains("no snapshot `nope` of collection `default`"),
        "{e}"
    );
    let e = err(&client, "snapshot_restore", json!({"id": "nope"})).await;
    assert!(
        e.contains("no snapshot `nope` of collection `default`"),
        "{e}"
    );
    let e = err(&client, "snapshot_create", json!({"collection": "missing"})).await;
    assert!(e.contains("collection `missing` does not exist"), "{e}");
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn check_config_over_stdio() {
    let env = Env::new();
    let project = env.path("proj");
    let settings = "{\n  \"hooks\": {\n    \"BeforeToolUse\": []\n  }\n}\n";
    write(&project, ".claude/settings.json", settings);
    let client = connect(&env, &["--toolsets", "check"]).await;
    let path = project.join(".claude/settings.json").display().to_string();
    let r = ok(&client, "check_config", json!({"path": path})).await;
    assert_eq!(r["kind"], "claude-settings");
    let d = &r["diagnostics"][0];
    assert_eq!(d["code"], "unknown-hook-event", "{r}");
    assert_eq!(
        (d["line"].as_u64(), d["col"].as_u64()),
        (Some(3), Some(5)),
        "{r}"
    );
    assert!(
        d["message"].as_str().unwrap().contains("BeforeToolUse"),
        "{r}"
    );
    assert!(!d["fixes"].as_array().unwrap().is_empty(), "{r}");
    assert_eq!(r["counts"]["error"], 1, "{r}");

    // The same text without a file, and a clean one.
    let r = ok(
        &client,
        "check_config",
        json!({"text": settings, "kind": "claude-settings"}),
    )
    .await;
    assert_eq!(r["diagnostics"][0]["code"], "unknown-hook-event");
    let r = ok(
        &client,
        "check_config",
        json!({"text": "{}", "kind": "claude-settings"}),
    )
    .await;
    assert_eq!(r["diagnostics"], json!([]));
    assert_eq!(r["counts"], json!({}));

    let e = err(&client, "check_config", json!({"text": "{}"})).await;
    assert!(
        e.contains("a text needs its kind") && e.contains("pass `kind: \"claude-settings\"`"),
        "{e}"
    );
    let e = err(
        &client,
        "check_config",
        json!({"path": env.path("notes.txt").display().to_string()}),
    )
    .await;
    assert!(e.contains("cannot tell what kind of file this is"), "{e}");
    let missing = project.join(".mcp.json").display().to_string();
    let e = err(&client, "check_config", json!({"path": missing})).await;
    assert!(e.contains(".mcp.json") && e.contains("readable"), "{e}");

    // The context is gathered like `skillmeat check` does: the project's .mcp.json names the
    // servers a settings file may enable, so a misspelt one is found (not from a bare text).
    write(
        &project,
        ".mcp.json",
        r#"{"mcpServers": {"github": {"command": "gh"}}}"#,
    );
    let enabling = "{\n  \"enabledMcpjsonServers\": [\"githb\"]\n}\n";
    write(&project, ".claude/settings.json", enabling);
    let r = ok(&client, "check_config", json!({"path": path})).await;
    let d = &r["diagnostics"][0];
    assert_eq!(d["code"], "unknown-mcp-server", "{r}");
    assert!(d["message"].as_str().unwrap().contains("`github`"), "{r}");
    let cli = env.json(&[
        "check",
        project.join(".claude/settings.json").to_str().unwrap(),
    ]);
    assert_eq!(
        cli["files"][0]["diagnostics"][0]["message"], d["message"],
        "CLI and MCP differ: {cli} vs {r}"
    );
    let r = ok(
        &client,
        "check_config",
        json!({"text": enabling, "kind": "claude-settings"}),
    )
    .await;
    assert_eq!(r["diagnostics"], json!([]), "{r}");
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_keeps_only_the_reading_deploy_and_check_tools() {
    let env = Env::new();
    let client = connect(&env, &["--read-only", "--toolsets", "deploy,check"]).await;
    let mut tools: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    tools.sort();
    assert_eq!(
        tools,
        ["check_config", "deployment_status", "diff", "snapshot_list"]
    );
    for tool in [
        "deploy",
        "undeploy",
        "sync",
        "snapshot_create",
        "snapshot_restore",
    ] {
        let r = client
            .call_tool(CallToolRequestParams::new(tool).with_arguments(serde_json::Map::new()))
            .await;
        assert!(r.is_err(), "{tool} must not be callable read-only: {r:?}");
    }
    client.cancel().await.unwrap();
}

#[test]
fn unknown_toolset_is_a_usage_error() {
    let env = Env::new();
    env.cmd()
        .args(["mcp", "serve", "--toolsets", "collection,nope"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "unknown toolset `nope`; available toolsets are collection",
        ));
}

// ---------------------------------------------------------------- HTTP

/// A `skillmeat mcp serve --http 127.0.0.1:0` process, killed on drop.
struct HttpServer {
    child: std::process::Child,
    url: String,
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_http(env: &Env) -> HttpServer {
    let mut child = std::process::Command::new(common::bin())
        .args(["mcp", "serve", "--http", "127.0.0.1:0"])
        .env("SKILLMEAT_HOME", env.home())
        .env("HOME", env.user_home())
        .env("NO_COLOR", "1")
        .env_remove("SKILLMEAT_LOG")
        .current_dir(env.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The server prints the address it bound on stderr before it accepts anything.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{url}"
    );
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in stderr.lines() {});
    HttpServer { child, url }
}

/// POSTs one JSON-RPC message; returns the status, the session id header and the JSON-RPC
/// messages in the body (plain JSON, or the `data:` lines of an event stream).
fn post(
    url: &str,
    token: Option<&str>,
    session: Option<&str>,
    body: Value,
) -> (u16, Option<String>, Vec<Value>) {
    let client = reqwest::blocking::Client::new();
    let mut req = client
        .post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-06-18")
        .body(body.to_string());
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    if let Some(s) = session {
        req = req.header("Mcp-Session-Id", s);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let session = resp
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_string());
    let text = resp.text().unwrap();
    let messages = if text.trim_start().starts_with('{') {
        vec![serde_json::from_str(&text).unwrap()]
    } else {
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str(d.trim()).ok())
            .collect()
    };
    (status, session, messages)
}

#[test]
fn http_requires_a_token_and_serves_tools_with_one() {
    let env = Env::new();
    let src = source(&env);
    env.cmd().arg("add").arg(&src).assert().success();
    let out = env
        .cmd()
        .args(["token", "create", "--name", "test"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("smt_"), "{token}");
    let server = start_http(&env);

    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "e2e", "version": "1"}}});
    // No token, a malformed header, a wrong token: 401 before any MCP processing.
    let (status, _, _) = post(&server.url, None, None, init.clone());
    assert_eq!(status, 401);
    let (status, _, _) = post(&server.url, Some("smt_0000"), None, init.clone());
    assert_eq!(status, 401);
    let raw = reqwest::blocking::Client::new()
        .post(&server.url)
        .header("Authorization", format!("Basic {token}"))
        .body(init.to_string())
        .send()
        .unwrap();
    assert_eq!(raw.status().as_u16(), 401);
    assert!(raw.headers().contains_key("www-authenticate"));

    // With the token: initialize, then call a tool.
    let (status, session, msgs) = post(&server.url, Some(&token), None, init.clone());
    assert_eq!(status, 200, "{msgs:?}");
    assert_eq!(msgs[0]["result"]["serverInfo"]["name"], "skillmeat");
    let session = session.expect("a session id");
    let (status, _, _) = post(
        &server.url,
        Some(&token),
        Some(&session),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    );
    assert_eq!(status, 202);
    let (status, _, msgs) = post(
        &server.url,
        Some(&token),
        Some(&session),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
               "params": {"name": "list_artifacts", "arguments": {"kind": "skill"}}}),
    );
    assert_eq!(status, 200);
    let result = msgs
        .iter()
        .find(|m| m["id"] == 2)
        .unwrap_or_else(|| panic!("no response in {msgs:?}"));
    let arts = result["result"]["structuredContent"]["artifacts"]
        .as_array()
        .unwrap();
    assert_eq!(arts.len(), 3, "{result}");

    // A revoked token stops working at once.
    env.cmd()
        .args(["token", "revoke", "test"])
        .assert()
        .success();
    let (status, _, _) = post(&server.url, Some(&token), None, init);
    assert_eq!(status, 401);
}

#[test]
fn tokens_are_listed_without_their_secret() {
    let env = Env::new();
    let created = env.json(&["token", "create", "--name", "ci"]);
    let token = created["token"].as_str().unwrap();
    let list = env.json(&["token", "list"]);
    assert_eq!(list["tokens"][0]["name"], "ci");
    assert!(!list.to_string().contains(token));
    let file = std::fs::read_to_string(env.home().join("tokens.toml")).unwrap();
    assert!(
        !file.contains(token),
        "the token itself must never be stored"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.home().join("tokens.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    env.cmd()
        .args(["token", "create", "--name", "ci"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "a token named `ci` already exists",
        ));
    env.cmd().args(["token", "revoke", "ci"]).assert().success();
    env.cmd()
        .args(["token", "revoke", "ci"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no token named `ci`"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_pack_tool_over_stdio() {
    let env = Env::new();
    let examples = common::workspace_root().join("examples/collection");
    env.cmd().arg("add").arg(&examples).assert().success();
    let client = connect(&env, &["--toolsets", "pack"]).await;
    let pack = env.path("out/two.skillmeat-pack");
    std::fs::create_dir_all(pack.parent().unwrap()).unwrap();
    let p = pack.display().to_string();

    // export: two artifacts to an absolute path; exporting again gives the same bytes.
    let r = ok(
        &client,
        "pack_export",
        json!({"names": ["code-review", "explain"], "output": p, "name": "two", "version": "1.2.0"}),
    )
    .await;
    assert_eq!(
        (r["name"].as_str(), r["artifacts"].as_u64()),
        (Some("two"), Some(2)),
        "{r}"
    );
    let bytes = std::fs::read(&pack).unwrap();
    let again = ok(
        &client,
        "pack_export",
        json!({"names": ["code-review", "explain"], "output": p, "name": "two", "version": "1.2.0"}),
    )
    .await;
    assert_eq!(again["bundle_hash"], r["bundle_hash"]);
    assert_eq!(std::fs::read(&pack).unwrap(), bytes);

    // inspect and verify read it back.
    let i = ok(&client, "pack_inspect", json!({"path": p})).await;
    assert_eq!(i["version"], "1.2.0");
    assert_eq!(i["signature"]["state"], "unsigned");
    let mut got = names(&i, "artifacts");
    got.sort();
    assert_eq!(got, ["code-review", "explain"]);
    let v = ok(
        &client,
        "pack_verify",
        json!({"path": p, "limits": {"max_entries": 100}}),
    )
    .await;
    assert_eq!(v["bundle_hash"], r["bundle_hash"]);
    assert_eq!(v["artifacts"], 2);

    // import into the same home after editing the collection's code-review.
    let skill = env
        .home()
        .join("collections/default/skills/code-review/SKILL.md");
    std::fs::write(&skill, skill_md("code-review", "Mine.")).unwrap();
    let action = |r: &Value, name: &str| {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in {r}"))["action"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = snapshot(&env.home());
    let plan = ok(&client, "pack_import", json!({"path": p, "dry_run": true})).await;
    assert_eq!(plan["dry_run"], true);
    assert_eq!(action(&plan, "code-review"), "replaced");
    assert_eq!(action(&plan, "explain"), "unchanged");
    assert_eq!(snapshot(&env.home()), before, "a dry run wrote something");
    let r = ok(
        &client,
        "pack_import",
        json!({"path": p, "strategy": "skip"}),
    )
    .await;
    assert_eq!(action(&r, "code-review"), "skipped");
    assert!(std::fs::read_to_string(&skill).unwrap().contains("Mine."));
    let r = ok(
        &client,
        "pack_import",
        json!({"path": p, "strategy": "fork"}),
    )
    .await;
    assert_eq!(action(&r, "code-review"), "forked");
    assert!(
        env.home()
            .join("collections/default/skills/code-review-2/SKILL.md")
            .is_file()
    );

    // Errors: a file that is not a ZIP, and relative paths, are tool errors with the sentence.
    let junk = env.path("junk.skillmeat-pack");
    std::fs::write(&junk, "not a zip").unwrap();
    let e = err(
        &client,
        "pack_verify",
        json!({"path": junk.display().to_string()}),
    )
    .await;
    assert!(
        e.contains("is not a readable ZIP archive") && e.contains("junk"),
        "{e}"
    );
    let e = err(
        &client,
        "pack_export",
        json!({"all": true, "output": "rel.skillmeat-pack"}),
    )
    .await;
    assert!(
        e.contains("`rel.skillmeat-pack` is not an absolute path"),
        "{e}"
    );
    assert!(!env.dir.path().join("rel.skillmeat-pack").exists());
    let e = err(
        &client,
        "pack_import",
        json!({"path": "two.skillmeat-pack"}),
    )
    .await;
    assert!(e.contains("is not an absolute path"), "{e}");
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_keeps_only_the_reading_pack_tools() {
    let env = Env::new();
    let client = connect(&env, &["--read-only", "--toolsets", "pack"]).await;
    let mut tools: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    tools.sort();
    assert_eq!(tools, ["pack_inspect", "pack_verify"]);
    for tool in ["pack_export", "pack_import"] {
        let r = client
            .call_tool(CallToolRequestParams::new(tool).with_arguments(serde_json::Map::new()))
            .await;
        assert!(r.is_err(), "{tool} must not be callable read-only: {r:?}");
    }
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn pack_import_trusts_an_unknown_signer_only_when_told() {
    // Ada signs a pack in her home; this home does not know her key.
    let ada = Env::new();
    let examples = common::workspace_root().join("examples/collection");
    ada.cmd().arg("add").arg(&examples).assert().success();
    ada.cmd()
        .args([
            "keys",
            "generate",
            "--name",
            "Ada",
            "--email",
            "ada@example.com",
        ])
        .assert()
        .success();
    let pack = ada.path("ada.skillmeat-pack");
    ada.cmd()
        .args(["bundle", "export", "--all", "--sign", "-o"])
        .arg(&pack)
        .assert()
        .success();
    let p = pack.display().to_string();

    let env = Env::new();
    let client = connect(&env, &["--toolsets", "pack"]).await;
    let i = ok(&client, "pack_inspect", json!({"path": p})).await;
    assert_eq!(i["signature"]["state"], "untrusted", "{i}");
    let e = err(&client, "pack_verify", json!({"path": p})).await;
    assert!(e.contains("which is not trusted"), "{e}");
    let before = snapshot(&env.home());
    let e = err(&client, "pack_import", json!({"path": p})).await;
    assert!(e.contains("which is not trusted"), "{e}");
    assert_eq!(
        snapshot(&env.home()),
        before,
        "a refused import wrote something"
    );

    let r = ok(
        &client,
        "pack_import",
        json!({"path": p, "trust_signer": true}),
    )
    .await;
    assert_eq!(r["signature"]["state"], "trusted", "{r}");
    let v = ok(&client, "pack_verify", json!({"path": p})).await;
    assert_eq!(v["signature"]["who"], "Ada <ada@example.com>", "{v}");
    client.cancel().await.unwrap();
}

// ---------------------------------------------------------------- requests and error texts

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_argument_is_refused_and_nothing_changes() {
    let env = Env::new();
    let src = source(&env);
    env.cmd().arg("add").arg(&src).assert().success();
    let project = env.path("proj");
    std::fs::create_dir_all(project.join(".claude")).unwrap();
    let proj = project.display().to_string();
    let client = connect(&env, &[]).await;

    // `dryRun` is not `dry_run`: the call is refused before anything runs, naming the key and
    // the keys there are, and the artifact is still there.
    let before = snapshot(&env.home());
    let e = err(
        &client,
        "remove_artifact",
        json!({"name": "alpha", "dryRun": true}),
    )
    .await;
    assert!(
        e.contains("unknown field `dryRun`") && e.contains("`dry_run`") && e.contains("`name`"),
        "{e}"
    );
    assert_eq!(
        snapshot(&env.home()),
        before,
        "a refused call changed the home"
    );
    let show = ok(&client, "show_artifact", json!({"name": "alpha"})).await;
    assert_eq!(show["entry"]["name"], "alpha");

    // The same for a tool that writes into a project, and for a nested request.
    let before = snapshot(&project);
    let e = err(
        &client,
        "deploy",
        json!({"project": proj, "all": true, "dryRun": true}),
    )
    .await;
    assert!(e.contains("unknown field `dryRun`"), "{e}");
    assert_eq!(
        snapshot(&project),
        before,
        "a refused deploy wrote something"
    );
    let e = err(
        &client,
        "pack_verify",
        json!({"path": env.path("x.skillmeat-pack").display().to_string(),
               "limits": {"maxEntries": 1}}),
    )
    .await;
    assert!(e.contains("unknown field `maxEntries`"), "{e}");
    client.cancel().await.unwrap();
}

/// The first `--x` (a CLI flag) in `text`, if any.
fn cli_flag(text: &str) -> Option<&str> {
    text.match_indices("--")
        .map(|(i, _)| &text[i..])
        .find(|rest| {
            rest[2..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
        })
}

/// Every error fixture — bad input, conflicts, a missing or relative project, missing
/// collections, artifacts and snapshots, broken and untrusted packs, bad requests — called
/// through MCP: each is a tool error whose text names no CLI flag and no command line.
#[tokio::test(flavor = "multi_thread")]
async fn no_tool_error_names_a_cli_flag() {
    let env = Env::new();
    let examples = common::workspace_root().join("examples/collection");
    env.cmd().arg("add").arg(&examples).assert().success();
    let abs = |rel: &str| env.path(rel).display().to_string();

    // Sources that cannot be added as they are.
    write(&env.path("empty"), "notes.txt", "nothing here");
    write(&env.path("src/skills/broken"), "helper.py", "print(1)");
    write(
        &env.path("other/code-review"),
        "SKILL.md",
        &skill_md("code-review", "Another."),
    );
    write(&env.path("x"), "cmd.md", "Hello.");
    write(
        &env.path("y/Bad_Skill"),
        "SKILL.md",
        &skill_md("Bad_Skill", "x"),
    );
    write(
        &env.path("plugins"),
        "one/skills/shared/SKILL.md",
        &skill_md("shared", "First."),
    );
    write(
        &env.path("plugins"),
        "two/skills/shared/SKILL.md",
        &skill_md("shared", "Second."),
    );
    write(
        &env.path("s/linky"),
        "SKILL.md",
        &skill_md("linky", "Link."),
    );
    std::os::unix::fs::symlink("/etc/hostname", env.path("s/linky/link")).unwrap();
    // A command with a skill's name makes `code-review` ambiguous.
    write(&env.path("amb/commands"), "code-review.md", "Review.\n");
    env.cmd().arg("add").arg(env.path("amb")).assert().success();
    // A collection whose manifest does not parse.
    env.cmd()
        .args(["collection", "create", "broken"])
        .assert()
        .success();
    std::fs::write(
        env.home().join("collections/broken/collection.toml"),
        "[collection\nname = \"broken\"\n",
    )
    .unwrap();
    // A project with an edited deployed copy.
    let project = env.path("proj");
    std::fs::create_dir_all(project.join(".claude")).unwrap();
    let proj = project.display().to_string();
    env.cmd()
        .args(["deploy", "explain", "--project", &proj])
        .assert()
        .success();
    write(&project, ".claude/commands/explain.md", "edited\n");
    // Packs: not a ZIP, signed by a key this home does not trust, needing another pack.
    std::fs::write(env.path("junk.skillmeat-pack"), "not a zip").unwrap();
    let ada = Env::new();
    ada.cmd().arg("add").arg(&examples).assert().success();
    ada.cmd()
        .args([
            "keys",
            "generate",
            "--name",
            "Ada",
            "--email",
            "ada@example.com",
        ])
        .assert()
        .success();
    let signed = env.path("ada.skillmeat-pack");
    ada.cmd()
        .args(["bundle", "export", "--all", "--sign", "-o"])
        .arg(&signed)
        .assert()
        .success();
    let needy = env.path("app.skillmeat-pack");
    ada.cmd()
        .args([
            "bundle",
            "export",
            "--all",
            "--name",
            "team-app",
            "--requires",
            "team-base@^1",
            "-o",
        ])
        .arg(&needy)
        .assert()
        .success();
    let out = abs("out.skillmeat-pack");

    let fixtures: Vec<(&str, Value)> = vec![
        ("add_artifact", json!({"source": abs("no/such/dir")})),
        ("add_artifact", json!({"source": "./relative"})),
        ("add_artifact", json!({"source": abs("empty")})),
        ("add_artifact", json!({"source": abs("src/skills/broken")})),
        ("add_artifact", json!({"source": abs("other/code-review")})),
        (
            "add_artifact",
            json!({"source": abs("x/cmd.md"), "name": "../x"}),
        ),
        (
            "add_artifact",
            json!({"source": abs("x/cmd.md"), "name": ""}),
        ),
        ("add_artifact", json!({"source": abs("y/Bad_Skill")})),
        ("add_artifact", json!({"source": "nonsense"})),
        ("add_artifact", json!({"source": abs("plugins")})),
        (
            "add_artifact",
            json!({"source": abs("plugins"), "name": "one"}),
        ),
        ("add_artifact", json!({"source": abs("s/linky")})),
        (
            "add_artifact",
            json!({"source": abs("x/cmd.md"), "kind": "skill"}),
        ),
        (
            "add_artifact",
            json!({"source": abs("x/cmd.md"), "on_conflict": "replace"}),
        ),
        ("show_artifact", json!({"name": "code-reviw"})),
        ("show_artifact", json!({"name": "zzz"})),
        ("show_artifact", json!({"name": "code-review"})),
        ("show_artifact", json!({})),
        ("remove_artifact", json!({"name": "nope"})),
        (
            "remove_artifact",
            json!({"name": "explain", "dryRun": true}),
        ),
        ("list_artifacts", json!({"collection": "missing"})),
        ("list_artifacts", json!({"collection": "broken"})),
        ("collection_status", json!({"collection": "../up"})),
        ("update_artifacts", json!({"names": ["nope"]})),
        ("deploy", json!({"all": true})),
        ("deploy", json!({"project": "proj", "all": true})),
        ("deploy", json!({"project": proj})),
        ("deploy", json!({"project": proj, "names": ["explain"]})),
        (
            "deploy",
            json!({"project": proj, "all": true, "scope": "everywhere"}),
        ),
        ("undeploy", json!({"project": proj, "names": ["explain"]})),
        (
            "undeploy",
            json!({"project": proj, "names": ["code-review"]}),
        ),
        ("undeploy", json!({"project": proj})),
        ("sync", json!({"project": proj, "targets": ["nope"]})),
        ("diff", json!({"project": proj, "name": "nope"})),
        ("deployment_status", json!({})),
        ("snapshot_restore", json!({"id": "nope"})),
        ("snapshot_restore", json!({"id": "nope", "dry_run": true})),
        ("snapshot_create", json!({"collection": "missing"})),
        ("pack_verify", json!({"path": abs("junk.skillmeat-pack")})),
        ("pack_verify", json!({"path": "rel.skillmeat-pack"})),
        ("pack_verify", json!({"path": signed.display().to_string()})),
        (
            "pack_inspect",
            json!({"path": abs("missing.skillmeat-pack")}),
        ),
        ("pack_import", json!({"path": signed.display().to_string()})),
        (
            "pack_import",
            json!({"path": needy.display().to_string(), "trust_signer": true}),
        ),
        ("pack_export", json!({"output": out})),
        (
            "pack_export",
            json!({"all": true, "output": "rel.skillmeat-pack"}),
        ),
        (
            "pack_export",
            json!({"all": true, "output": out, "version": "one"}),
        ),
        (
            "pack_export",
            json!({"all": true, "output": out, "license": "not a license!"}),
        ),
        (
            "pack_export",
            json!({"all": true, "output": out, "requires": ["x@banana"]}),
        ),
        (
            "pack_export",
            json!({"all": true, "output": out, "sign": true}),
        ),
        ("pack_export", json!({"names": ["zzz"], "output": out})),
        ("check_config", json!({})),
        ("check_config", json!({"text": "{}"})),
        ("check_config", json!({"path": "{}", "text": "{}"})),
        ("check_config", json!({"path": abs("empty/notes.txt")})),
        ("check_config", json!({"path": "relative.json"})),
    ];
    let client = connect(&env, &[]).await;
    let before = snapshot(&env.home());
    let mut failures = Vec::new();
    for (tool, args) in &fixtures {
        let r = call(&client, tool, args.clone()).await;
        let text = r
            .content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect::<Vec<_>>()
            .join("\n");
        if r.is_error != Some(true) {
            failures.push(format!("{tool} {args}: not an error: {text}"));
        } else if let Some(flag) = cli_flag(&text) {
            failures.push(format!("{tool} {args}: names a CLI flag ({flag}): {text}"));
        } else if text.contains("`skillmeat ") {
            failures.push(format!("{tool} {args}: names a command line: {text}"));
        } else if text.trim().is_empty() || text.lines().count() != 1 {
            failures.push(format!("{tool} {args}: not one sentence: {text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        snapshot(&env.home()),
        before,
        "an error fixture changed the home"
    );
    client.cancel().await.unwrap();
}
