#!/usr/bin/env python3
"""LSP diagnostics latency after an edit (DESIGN §11: under 10 ms for a 1,000-entry
collection.toml), measured end to end against the real `skillmeat lsp` over stdio.

For each document it opens the file, then sends N full-text `didChange` edits one at a time and
times each from writing the notification to reading the `publishDiagnostics` of that version —
what an editor waits for. Documents:

  * collection.toml with 1,000 [[artifacts]] (skills, commands, agents on disk, a lock with their
    hashes, so the path and lock rules run with a warm context cache);
  * a large .claude/settings.json (2,000 permission rules, every hook event with handlers, 200 env
    variables) next to an .mcp.json with 50 servers.

Usage: benches/lsp_latency.py [--bin PATH] [--edits N]
  PATH defaults to $SKILLMEAT_BIN, else target/release/skillmeat, else target/debug/skillmeat.
Prints median, p95 and max per document. Not a test: nothing is asserted.
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def find_bin(arg):
    if arg:
        return arg
    if os.environ.get("SKILLMEAT_BIN"):
        return os.environ["SKILLMEAT_BIN"]
    root = Path(__file__).resolve().parent.parent
    target = Path(os.environ.get("CARGO_TARGET_DIR", root / "target"))
    for profile in ("release", "debug"):
        p = target / profile / "skillmeat"
        if p.exists():
            return str(p)
    sys.exit("build skillmeat first (cargo build -p skillmeat) or pass --bin")


class Client:
    def __init__(self, binary, home):
        env = dict(os.environ, SKILLMEAT_HOME=str(home / "sm"), HOME=str(home), NO_COLOR="1")
        self.p = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.next_id = 1

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("server closed stdout")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def request(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        while True:
            m = self.read()
            if "method" in m and "id" in m:
                self.send({"jsonrpc": "2.0", "id": m["id"], "result": None})
            elif m.get("id") == i:
                return m.get("result")

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_diagnostics(self, uri, version):
        while True:
            m = self.read()
            if "method" in m and "id" in m:
                self.send({"jsonrpc": "2.0", "id": m["id"], "result": None})
            elif m.get("method") == "textDocument/publishDiagnostics":
                p = m["params"]
                if p["uri"] == uri and p.get("version") == version:
                    return p["diagnostics"]

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.p.wait(timeout=10)


def content_hash(files):
    """DESIGN §2.1: sha256 over "<file hex>  <path>\\n" lines sorted by path."""
    lines = "".join(f"{hashlib.sha256(data).hexdigest()}  {rel}\n" for rel, data in sorted(files))
    return "sha256:" + hashlib.sha256(lines.encode()).hexdigest()


def make_collection(root, n):
    root.mkdir(parents=True)
    kinds = ["skill", "command", "agent"]
    arts, lock = [], []
    for i in range(n):
        kind = kinds[i % 3]
        name = f"artifact-{i:04d}"
        if kind == "skill":
            rel = f"skills/{name}"
            body = f"---\nname: {name}\ndescription: Does thing {i}. Use when thing {i} is needed.\n---\n\nBody {i}.\n".encode()
            (root / rel).mkdir(parents=True)
            (root / rel / "SKILL.md").write_bytes(body)
            h = content_hash([("SKILL.md", body)])
        else:
            rel = f"{kind}s/{name}.md"
            body = f"---\nname: {name}\ndescription: Does thing {i}.\n---\n\nBody {i}.\n".encode()
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(body)
            h = content_hash([(f"{name}.md", body)])
        arts.append(
            f'[[artifacts]]\nname = "{name}"\ntype = "{kind}"\npath = "{rel}"\norigin = "github"\n'
            f'upstream = "https://github.com/acme/skills/tree/0123456789abcdef0123456789abcdef01234567/{name}"\n'
            f'version_spec = "latest"\nresolved_sha = "0123456789abcdef0123456789abcdef01234567"\n'
            f'added = 2026-11-24T10:00:00Z\ntags = ["t{i % 7}", "bench"]\n'
        )
        lock.append(f'[lock.entries."{name}::{kind}"]\ncontent_hash = "{h}"\nfetched = 2026-11-24T10:00:00Z\n')
    text = '[collection]\nname = "bench"\nversion = "1.0.0"\ncreated = 2026-11-24T10:00:00Z\n\n' + "\n".join(arts)
    (root / "collection.toml").write_text(text)
    (root / "collection.lock").write_text('[lock]\nversion = "2"\n\n' + "\n".join(lock))
    return root / "collection.toml", text


HOOK_EVENTS = ["PreToolUse", "PostToolUse", "Notification", "UserPromptSubmit", "Stop", "SubagentStop",
               "PreCompact", "SessionStart", "SessionEnd", "PermissionRequest"]


def make_settings(project):
    (project / ".claude").mkdir(parents=True)
    servers = {f"srv{i}": {"command": "npx", "args": ["-y", f"pkg-{i}"]} for i in range(50)}
    (project / ".mcp.json").write_text(json.dumps({"mcpServers": servers}, indent=2))
    tools = ["Bash", "Read", "Edit", "Write", "Grep", "Glob", "WebFetch"]
    allow = [f"{tools[i % len(tools)]}(path/{i}/**)" for i in range(1500)] + [f"mcp__srv{i % 50}__tool{i}" for i in range(500)]
    hooks = {
        e: [{"matcher": "Bash|Edit", "hooks": [{"type": "command", "command": f"./hooks/{e}-{j}.sh", "timeout": 30} for j in range(5)]}
            for _ in range(4)]
        for e in HOOK_EVENTS
    }
    settings = {
        "$schema": "https://json.schemastore.org/claude-code-settings.json",
        "model": "sonnet",
        "env": {f"VAR_{i}": f"value {i}" for i in range(200)},
        "permissions": {"allow": allow, "deny": ["Read(./.env)"], "defaultMode": "acceptEdits"},
        "hooks": hooks,
        "enabledMcpjsonServers": [f"srv{i}" for i in range(50)],
    }
    text = json.dumps(settings, indent=2)
    path = project / ".claude" / "settings.json"
    path.write_text(text)
    return path, text


def bench(client, path, text, edits, mutate):
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "x", "version": 1, "text": text}})
    first = client.wait_diagnostics(uri, 1)
    times = []
    for v in range(2, edits + 2):
        new = mutate(text, v)
        t0 = time.perf_counter()
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": new}]})
        client.wait_diagnostics(uri, v)
        times.append((time.perf_counter() - t0) * 1000)
    return len(first), times


def report(label, size, ndiag, times):
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<34} {size / 1024:8.0f} KiB  diagnostics={ndiag:<4} "
          f"median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   max {times[-1]:7.2f} ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin")
    ap.add_argument("--edits", type=int, default=50)
    a = ap.parse_args()
    binary = find_bin(a.bin)
    print(f"binary: {binary}")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        cpath, ctext = make_collection(d / "coll", 1000)
        spath, stext = make_settings(d / "proj")
        c = Client(binary, d)
        c.request("initialize", {"processId": None, "rootUri": None,
                                 "capabilities": {"general": {"positionEncodings": ["utf-8"]}}})
        c.notify("initialized", {})
        # An edit in the middle: change one artifact's tag.
        mid = ctext.index('name = "artifact-0500"')
        n, t = bench(c, cpath, ctext, a.edits, lambda s, v: s[:mid] + f"# edit {v}\n" + s[mid:])
        report("collection.toml, 1,000 artifacts", len(ctext), n, t)
        at = stext.index('"model"')
        n, t = bench(c, spath, stext, a.edits, lambda s, v: s[:at] + f'"language": "v{v}",\n  ' + s[at:])
        report("settings.json, 2,000 rules", len(stext), n, t)
        c.close()


if __name__ == "__main__":
    main()
