//! A real HTTP server on 127.0.0.1 that speaks the slice of GitHub's REST API SkillMeat uses:
//! `GET /repos/{o}/{r}` (default branch), `GET /repos/{o}/{r}/commits/{ref}` (sha media type) and
//! `GET /repos/{o}/{r}/tarball/{sha}` (a gzipped tarball with GitHub's `owner-repo-sha/` top
//! folder). Tests change its state (move a branch, make it rate-limited) while it runs.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// One commit: path → (bytes, executable); `symlinks` are path → target.
#[derive(Clone, Default)]
pub struct Tree {
    pub files: BTreeMap<String, (Vec<u8>, bool)>,
    pub symlinks: BTreeMap<String, String>,
}

impl Tree {
    pub fn file(mut self, path: &str, text: &str) -> Tree {
        self.files
            .insert(path.into(), (text.as_bytes().to_vec(), false));
        self
    }
    pub fn symlink(mut self, path: &str, target: &str) -> Tree {
        self.symlinks.insert(path.into(), target.into());
        self
    }
}

#[derive(Default)]
pub struct State {
    /// "owner/repo" → default branch.
    pub default_branch: BTreeMap<String, String>,
    /// ("owner/repo", ref) → sha.
    pub refs: BTreeMap<(String, String), String>,
    /// sha → tree.
    pub commits: BTreeMap<String, Tree>,
    /// Answer every request with 403 and `x-ratelimit-remaining: 0`.
    pub rate_limited: bool,
    /// Authorization headers seen.
    pub auth_seen: Vec<String>,
}

pub struct GitHub {
    pub state: Arc<Mutex<State>>,
    pub url: String,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for GitHub {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn sha_for(n: u64) -> String {
    format!("{n:040x}")
}

impl GitHub {
    pub fn start() -> GitHub {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let (s2, st2) = (server.clone(), state.clone());
        let thread = std::thread::spawn(move || {
            for req in s2.incoming_requests() {
                let resp = handle(&st2, &req);
                let _ = req.respond(resp);
            }
        });
        GitHub {
            state,
            url: format!("http://127.0.0.1:{port}"),
            server,
            thread: Some(thread),
        }
    }

    /// Publishes `tree` as a new commit that `reference` (and the default branch, when it is
    /// `main`) now points at; returns its sha.
    pub fn push(&self, repo: &str, reference: &str, tree: Tree) -> String {
        let mut st = self.state.lock().unwrap();
        let sha = sha_for(st.commits.len() as u64 + 0xabc0);
        st.commits.insert(sha.clone(), tree);
        st.refs.insert((repo.into(), reference.into()), sha.clone());
        st.refs.insert((repo.into(), sha.clone()), sha.clone());
        st.default_branch
            .entry(repo.into())
            .or_insert_with(|| "main".into());
        sha
    }
}

type Resp = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

fn respond(status: u16, body: Vec<u8>, headers: &[(&str, &str)]) -> Resp {
    let mut r = tiny_http::Response::from_data(body).with_status_code(status);
    for (k, v) in headers {
        r.add_header(tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
    }
    r
}

fn not_found() -> Resp {
    respond(
        404,
        br#"{"message":"Not Found"}"#.to_vec(),
        &[("content-type", "application/json")],
    )
}

fn handle(state: &Mutex<State>, req: &tiny_http::Request) -> Resp {
    let mut st = state.lock().unwrap();
    if let Some(h) = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
    {
        st.auth_seen.push(h.value.to_string());
    }
    if st.rate_limited {
        return respond(
            403,
            br#"{"message":"API rate limit exceeded"}"#.to_vec(),
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1800000000"),
            ],
        );
    }
    let url = req.url().to_string();
    let parts: Vec<&str> = url.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["repos", o, r] => {
            let repo = format!("{o}/{r}");
            match st.default_branch.get(&repo) {
                Some(b) => respond(
                    200,
                    format!(r#"{{"default_branch":"{b}"}}"#).into_bytes(),
                    &[],
                ),
                None => not_found(),
            }
        }
        ["repos", o, r, "commits", reference] => {
            match st.refs.get(&(format!("{o}/{r}"), reference.to_string())) {
                Some(sha) => respond(200, sha.clone().into_bytes(), &[]),
                None => respond(
                    422,
                    br#"{"message":"No commit found for SHA"}"#.to_vec(),
                    &[],
                ),
            }
        }
        ["repos", o, r, "tarball", sha] => match st.commits.get(*sha) {
            Some(tree) => respond(200, tarball(&format!("{o}-{r}-{}", &sha[..7]), tree), &[]),
            None => not_found(),
        },
        _ => not_found(),
    }
}

fn tarball(top: &str, tree: &Tree) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut b = tar::Builder::new(gz);
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_size(0);
    b.append_data(&mut dir, format!("{top}/"), std::io::empty())
        .unwrap();
    for (path, (bytes, exec)) in &tree.files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(if *exec { 0o755 } else { 0o644 });
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, format!("{top}/{path}"), &bytes[..])
            .unwrap();
    }
    for (path, target) in &tree.symlinks {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        b.append_link(&mut h, format!("{top}/{path}"), target)
            .unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}
