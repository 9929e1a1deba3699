//! End-to-end: `skillmeat lsp` driven over stdio by a tiny JSON-RPC client (Content-Length
//! framing), as an editor would: initialize (with and without UTF-8 positions), diagnostics
//! pushed and pulled, quick fixes applied and re-checked, completion, hover, outline,
//! go-to-definition, reaction to files changing on disk, shutdown and exit.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use common::{Env, skill_md, write};
use serde_json::{Value, json};

/// Generous guard so a broken server fails the test instead of hanging it (not a timing check).
const HANG_GUARD: Duration = Duration::from_secs(60);

struct Lsp {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    stash: Vec<Value>,
    /// Server-to-client requests seen (method names), answered with `null`.
    server_requests: Vec<Value>,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Lsp {
    fn start(env: &Env) -> Lsp {
        let mut child = Command::new(common::bin())
            .arg("lsp")
            .env("SKILLMEAT_HOME", env.home())
            .env("HOME", env.user_home())
            .env("NO_COLOR", "1")
            .env_remove("SKILLMEAT_LOG")
            .current_dir(env.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(m) = read_message(&mut r) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        Lsp {
            child,
            stdin,
            rx,
            next_id: 1,
            stash: Vec::new(),
            server_requests: Vec::new(),
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&mut self) -> Value {
        let m = self
            .rx
            .recv_timeout(HANG_GUARD)
            .expect("the server answered (or it hung or died)");
        assert_eq!(m["jsonrpc"], "2.0", "{m}");
        m
    }

    /// Sends a request and returns its result, answering server requests meanwhile.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.recv();
            if m.get("method").is_some() {
                self.handle_incoming(m);
                continue;
            }
            if m["id"] == id {
                assert!(m.get("error").is_none(), "{method} failed: {m}");
                return m["result"].clone();
            }
        }
    }

    fn handle_incoming(&mut self, m: Value) {
        if m.get("id").is_some() {
            let id = m["id"].clone();
            self.server_requests.push(m);
            self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
        } else {
            self.stash.push(m);
        }
    }

    /// The first request the server sent with `method` (waiting for it).
    fn server_request(&mut self, method: &str) -> Value {
        loop {
            if let Some(m) = self.server_requests.iter().find(|m| m["method"] == method) {
                return m.clone();
            }
            let m = self.recv();
            if m.get("method").is_some() {
                self.handle_incoming(m);
            }
        }
    }

    /// The next `method` notification matching `pred`.
    fn notification(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self
            .stash
            .iter()
            .position(|m| m["method"] == method && pred(&m["params"]))
        {
            return self.stash.remove(i)["params"].clone();
        }
        loop {
            let m = self.recv();
            if m["method"] == method && m.get("id").is_none() && pred(&m["params"]) {
                return m["params"].clone();
            }
            if m.get("method").is_some() {
                self.handle_incoming(m);
            }
        }
    }

    fn initialize(&mut self, caps: Value) -> Value {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": caps}),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn diagnostics_of(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let p = self.notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && p["version"] == version
        });
        p["diagnostics"].as_array().unwrap().clone()
    }

    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

fn uri(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    if s.starts_with('/') {
        format!("file://{s}")
    } else {
        format!("file:///{s}")
    }
}

/// The byte offset of an LSP position, counting columns in UTF-8 bytes or UTF-16 units.
fn offset(text: &str, pos: &Value, utf8: bool) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let col = pos["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let rest = &text[start..];
    if utf8 {
        return start + col;
    }
    let mut units = 0;
    for (i, c) in rest.char_indices() {
        if units >= col || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Applies a WorkspaceEdit's edits for `uri` to `text`.
fn apply(text: &str, edit: &Value, uri: &str, utf8: bool) -> String {
    let mut edits: Vec<(usize, usize, String)> = edit["changes"][uri]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"], utf8),
                offset(text, &e["range"]["end"], utf8),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (s, e, t) in edits {
        out.replace_range(s..e, &t);
    }
    out
}

fn position_of(text: &str, needle: &str, utf8: bool) -> Value {
    let at = text.find(needle).unwrap();
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |p| p + 1);
    let col = if utf8 {
        at - start
    } else {
        text[start..at].encode_utf16().count()
    };
    json!({"line": line, "character": col})
}

fn caps(utf8: bool, pull: bool) -> Value {
    let mut c = json!({
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
        "textDocument": {}
    });
    if utf8 {
        c["general"] = json!({"positionEncodings": ["utf-8", "utf-16"]});
    }
    if pull {
        c["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    }
    c
}

#[test]
fn initialize_negotiates_encoding_and_advertises_features() {
    let env = Env::new();
    let mut lsp = Lsp::start(&env);
    let mut r = lsp.initialize(caps(true, false));
    assert_eq!(r["capabilities"]["positionEncoding"], "utf-8");
    r["serverInfo"]["version"] = json!("[version]");
    insta::assert_json_snapshot!("initialize_result", r);
    // The watcher registration asked for after `initialized`.
    let reg = lsp.server_request("client/registerCapability");
    assert_eq!(
        reg["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    lsp.shutdown();

    let mut lsp = Lsp::start(&env);
    let r = lsp.initialize(json!({}));
    assert_eq!(r["capabilities"]["positionEncoding"], "utf-16");
    lsp.shutdown();
}

/// Unknown hook event → pushed diagnostic (positions right on a line with emoji and CJK in both
/// encodings) → pull gives the same → its quick fix, applied, leaves the file clean.
#[test]
fn diagnostics_quick_fix_and_recheck_in_both_encodings() {
    for utf8 in [false, true] {
        let env = Env::new();
        let project = env.path("proj");
        let settings = project.join(".claude/settings.json");
        let text =
            "{\"env\": {\"GREETING\": \"héllo 🎉 你好\"}, \"hooks\": {\"PreToolUze\": []}}\n";
        write(&project, ".claude/settings.json", text);
        let u = uri(&settings);
        let mut lsp = Lsp::start(&env);
        lsp.initialize(caps(utf8, false));
        lsp.open(&u, text);
        let diags = lsp.diagnostics_of(&u, 1);
        let d = diags
            .iter()
            .find(|d| d["code"] == "unknown-hook-event")
            .unwrap_or_else(|| panic!("{diags:?}"))
            .clone();
        assert_eq!(d["severity"], 1);
        assert_eq!(d["source"], "skillmeat");
        let start = &d["range"]["start"];
        assert_eq!(
            start,
            &position_of(text, "\"PreToolUze\"", utf8),
            "utf8={utf8}"
        );
        assert!(d["message"].as_str().unwrap().contains("PreToolUse"));

        let pulled = lsp.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": u}}),
        );
        assert_eq!(pulled["kind"], "full");
        assert_eq!(pulled["items"].as_array().unwrap(), &diags);

        let actions = lsp.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": d["range"], "context": {"diagnostics": [d]}}),
        );
        let fix = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == "quickfix")
            .unwrap_or_else(|| panic!("{actions}"));
        assert_eq!(fix["diagnostics"][0]["code"], "unknown-hook-event");
        let fixed = apply(text, &fix["edit"], &u, utf8);
        assert!(fixed.contains("\"PreToolUse\""), "{fixed}");
        assert!(fixed.contains("héllo 🎉 你好"), "{fixed}");

        // A stale version arriving late is dropped.
        lsp.change(&u, 3, &fixed);
        lsp.change(&u, 2, text);
        let after = lsp.diagnostics_of(&u, 3);
        assert!(
            after.iter().all(|d| d["code"] != "unknown-hook-event"),
            "{after:?}"
        );
        let pulled = lsp.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": u}}),
        );
        assert!(
            pulled["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["code"] != "unknown-hook-event"),
            "{pulled}"
        );

        // Without `data` (some clients drop it) the server finds the fixes itself.
        let mut bare = d.clone();
        bare.as_object_mut().unwrap().remove("data");
        lsp.change(&u, 4, text);
        let _ = lsp.diagnostics_of(&u, 4);
        let actions = lsp.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": d["range"], "context": {"diagnostics": [bare]}}),
        );
        assert!(!actions.as_array().unwrap().is_empty(), "{actions}");
        lsp.shutdown();
    }
}

#[test]
fn server_exits_when_the_editor_goes_away() {
    let env = Env::new();
    let mut lsp = Lsp::start(&env);
    // Watchers requested and never answered: a pending server-to-client request.
    lsp.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": caps(false, false)}),
    );
    lsp.notify("initialized", json!({}));
    let Lsp {
        mut child, stdin, ..
    } = lsp;
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn pull_clients_get_no_pushed_duplicates() {
    let env = Env::new();
    let settings = env.path("p/.claude/settings.json");
    let text = "{\"hooks\": {\"Nope\": []}}";
    write(&env.path("p"), ".claude/settings.json", text);
    let u = uri(&settings);
    let mut lsp = Lsp::start(&env);
    lsp.initialize(caps(false, true));
    lsp.open(&u, text);
    let pulled = lsp.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(pulled["items"][0]["code"], "unknown-hook-event", "{pulled}");
    assert!(
        lsp.stash
            .iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics"),
        "{:?}",
        lsp.stash
    );
    // A client that sends ranged changes despite full sync: applied to the current text.
    let nope = position_of(text, "Nope", false);
    let end = json!({"line": 0, "character": nope["character"].as_u64().unwrap() + 4});
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2},
               "contentChanges": [{"range": {"start": nope, "end": end}, "text": "Stop"}]}),
    );
    let pulled = lsp.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(pulled["items"], json!([]), "{pulled}");
    lsp.shutdown();
}

#[test]
fn completion_and_hover_in_settings() {
    let env = Env::new();
    let project = env.path("proj");
    write(
        &project,
        ".mcp.json",
        r#"{"mcpServers": {"github": {"command": "npx"}}}"#,
    );
    let text = "{\n  \"permissions\": {\"allow\": [\"\"]},\n  \"hooks\": {\"\"}\n}\n";
    write(&project, ".claude/settings.json", text);
    let u = uri(&project.join(".claude/settings.json"));
    let mut lsp = Lsp::start(&env);
    lsp.initialize(caps(false, false));
    lsp.open(&u, text);

    let labels = |r: &Value| -> Vec<String> {
        r.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    // Inside the empty rule string: tool names and the project's MCP servers.
    let mut pos = position_of(text, "\"\"]", false);
    pos["character"] = json!(pos["character"].as_u64().unwrap() + 1);
    let r = lsp.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": pos}),
    );
    let l = labels(&r);
    assert!(
        l.contains(&"Bash".into()) && l.contains(&"mcp__github".into()),
        "{l:?}"
    );
    let bash = r
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "Bash")
        .unwrap();
    assert_eq!(bash["textEdit"]["newText"], "\"Bash\"");

    // A key inside `hooks`: the hook events.
    let mut pos = position_of(text, "\"\"}", false);
    pos["character"] = json!(pos["character"].as_u64().unwrap() + 1);
    let r = lsp.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": pos}),
    );
    assert!(labels(&r).contains(&"PreToolUse".into()), "{r}");

    let h = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": position_of(text, "permissions", false)}),
    );
    insta::assert_json_snapshot!("hover_permissions", h);

    // Go to definition: from an `mcp__server` rule to the server in the project's .mcp.json.
    let text = "{\"permissions\": {\"allow\": [\"mcp__github__search\"]}}";
    lsp.change(&u, 2, text);
    let def = lsp.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": u}, "position": position_of(text, "github__", false)}),
    );
    assert_eq!(def["uri"], uri(&project.join(".mcp.json")), "{def}");
    assert_eq!(
        def["range"],
        json!({"start": {"line": 0, "character": 16}, "end": {"line": 0, "character": 24}})
    );
    lsp.shutdown();
}

/// A real collection (made by `skillmeat add`): outline, hover on an entry, go-to-definition,
/// and re-checking when an artifact changes on disk.
#[test]
fn collection_outline_hover_definition_and_watched_files() {
    let env = Env::new();
    let src = env.path("src");
    write(
        &src,
        "skills/code-review/SKILL.md",
        &skill_md("code-review", "Reviews code carefully."),
    );
    write(
        &src,
        "commands/ship.md",
        "---\ndescription: Ship it.\n---\nShip $ARGUMENTS\n",
    );
    env.cmd().args(["add"]).arg(&src).assert().success();
    let root = env.home().join("collections/default");
    let manifest = root.join("collection.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let u = uri(&manifest);

    let mut lsp = Lsp::start(&env);
    lsp.initialize(caps(true, false));
    lsp.open(&u, &text);
    let diags = lsp.diagnostics_of(&u, 1);
    assert!(diags.is_empty(), "a fresh collection is clean: {diags:?}");

    let syms = lsp.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let names: Vec<(String, String)> = syms
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    insta::assert_json_snapshot!("collection_symbols", names);

    let at_name = position_of(&text, "\"code-review\"", true);
    let h = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": at_name}),
    );
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("**code-review** — skill"), "{md}");
    assert!(md.contains("Reviews code carefully."), "{md}");
    assert!(md.contains("source:") && md.contains("signer:"), "{md}");

    let def = lsp.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": u}, "position": at_name}),
    );
    let target = def["uri"].as_str().unwrap();
    assert!(target.ends_with("skills/code-review/SKILL.md"), "{def}");

    // Edit the artifact on disk: the lock is now out of date once the editor says so.
    write(
        &root,
        "skills/code-review/SKILL.md",
        &skill_md("code-review", "Edited."),
    );
    let changed = uri(&root.join("skills/code-review/SKILL.md"));
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": changed, "type": 2}]}),
    );
    let p = lsp.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == u
            && p["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["code"] == "lock-out-of-date"))
    });
    assert_eq!(p["version"], 1);

    // Completion of an artifact's `type`.
    let edited = format!("{text}\n[[artifacts]]\ntype = ");
    lsp.change(&u, 2, &edited);
    let end_line = edited.matches('\n').count();
    let r = lsp.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": {"line": end_line, "character": 7}}),
    );
    let l: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(l, ["skill", "command", "agent", "hook"]);
    lsp.shutdown();
}

#[test]
fn garbage_and_unknown_files_never_crash_the_server() {
    let env = Env::new();
    let mut lsp = Lsp::start(&env);
    lsp.initialize(caps(false, false));
    let inputs = [
        "",
        "{",
        "\u{0}\u{1}",
        "[[artifacts]]\nname = \"é",
        "---\nname: [\n",
        "🎉",
    ];
    let files = [
        "p/.claude/settings.json",
        "c/collection.toml",
        "c/collection.lock",
        "p/.mcp.json",
        "p/.claude/skills/x/SKILL.md",
        "p/README.md",
    ];
    for f in files {
        let u = uri(&env.path(f));
        for (v, t) in inputs.iter().enumerate() {
            if v == 0 {
                lsp.open(&u, t);
            } else {
                lsp.change(&u, v as i64 + 1, t);
            }
            for method in [
                "textDocument/hover",
                "textDocument/completion",
                "textDocument/definition",
            ] {
                for line in [0, 1, 99] {
                    lsp.request(
                        method,
                        json!({"textDocument": {"uri": u}, "position": {"line": line, "character": 3}}),
                    );
                }
            }
            lsp.request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": u}}),
            );
            lsp.request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": u}}),
            );
        }
    }
    lsp.shutdown();
}
