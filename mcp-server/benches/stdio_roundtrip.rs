//! Benchmark: round trips of read tools over stdio against a collection of 1,000 artifacts,
//! through the real `skillmeat mcp serve` process and rmcp's client — what Claude Code sees.
//!
//! Run: `cargo bench -p skillmeat-mcp --bench stdio_roundtrip` (add `--profile dev` to skip a
//! release build). The `skillmeat` binary measured is `$SKILLMEAT_BIN`, else the one built in the
//! bench's own profile. The corpus comes from `gen_corpus.py` (`$GEN_CORPUS`, else
//! `../shared/bench/gen_corpus.py`, else the copy vendored in `benches/`).
//! Figures are printed as a table; they are recorded in docs/mcp.md, never asserted.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};

const ARTIFACTS: usize = 1000;
const WARMUP: usize = 20;
const ROUNDS: usize = 200;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("SKILLMEAT_BIN") {
        return PathBuf::from(p);
    }
    // The server is built in the profile this bench was built in: `cargo bench` measures a
    // release server, `cargo bench --profile dev` a debug one.
    let release = !cfg!(debug_assertions);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.args(["build", "-q", "-p", "skillmeat", "--bin", "skillmeat"]);
    if release {
        build.arg("--release");
    }
    let status = build
        .current_dir(workspace_root())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building skillmeat failed");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target
        .join(if release { "release" } else { "debug" })
        .join("skillmeat")
}

fn generator() -> PathBuf {
    if let Some(p) = std::env::var_os("GEN_CORPUS") {
        return PathBuf::from(p);
    }
    let shared = workspace_root().join("../shared/bench/gen_corpus.py");
    if shared.exists() {
        return shared;
    }
    workspace_root().join("benches/gen_corpus.py")
}

struct Stats {
    min: Duration,
    median: Duration,
    p95: Duration,
    mean: Duration,
}

fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort();
    let mean = v.iter().sum::<Duration>() / v.len() as u32;
    Stats {
        min: v[0],
        median: v[v.len() / 2],
        p95: v[v.len() * 95 / 100],
        mean,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs benches once as a smoke test.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let bin = binary();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let corpus = dir.path().join("corpus");
    let n = if smoke { 10 } else { ARTIFACTS };
    let ok = Command::new("python3")
        .arg(generator())
        .arg(&corpus)
        .args(["-n", &n.to_string()])
        .status()
        .expect("python3 runs")
        .success();
    assert!(ok, "gen_corpus.py failed");
    let t = Instant::now();
    let ok = Command::new(&bin)
        .args(["add", "-q"])
        .arg(&corpus)
        .env("SKILLMEAT_HOME", &home)
        .status()
        .unwrap()
        .success();
    assert!(ok, "skillmeat add failed");
    eprintln!(
        "added {n} artifacts in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );

    let mut cmd = tokio::process::Command::new(&bin);
    cmd.args(["mcp", "serve"]).env("SKILLMEAT_HOME", &home);
    let client = ().serve(TokioChildProcess::new(cmd).unwrap()).await.unwrap();

    // A name from the middle of the collection, and a word every corpus uses.
    let list = client
        .call_tool(CallToolRequestParams::new("list_artifacts"))
        .await
        .unwrap();
    let arts = list.structured_content.unwrap()["artifacts"].clone();
    let some = arts[arts.as_array().unwrap().len() / 2]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let cases: Vec<(&str, Value)> = vec![
        ("show_artifact", json!({ "name": some })),
        ("list_artifacts", json!({ "kind": "agent" })),
        ("list_artifacts", json!({})),
        (
            "search_artifacts",
            json!({ "query": "review", "limit": 10 }),
        ),
        ("collection_status", json!({})),
    ];
    let rounds = if smoke { 3 } else { ROUNDS };
    println!(
        "{:<18} {:<28} {:>8} {:>8} {:>8} {:>8}   ({n} artifacts, {rounds} calls each)",
        "tool", "arguments", "min ms", "median", "p95", "mean"
    );
    for (tool, args) in cases {
        let Value::Object(map) = args.clone() else {
            unreachable!()
        };
        let req = CallToolRequestParams::new(tool).with_arguments(map);
        let warm = if smoke { 1 } else { WARMUP };
        for _ in 0..warm {
            client.call_tool(req.clone()).await.unwrap();
        }
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            let r = client.call_tool(req.clone()).await.unwrap();
            times.push(t.elapsed());
            assert_ne!(r.is_error, Some(true), "{tool} failed: {r:?}");
        }
        let s = stats(times);
        println!(
            "{:<18} {:<28} {:>8} {:>8} {:>8} {:>8}",
            tool,
            args.to_string(),
            ms(s.min),
            ms(s.median),
            ms(s.p95),
            ms(s.mean)
        );
    }
    client.cancel().await.unwrap();
}
