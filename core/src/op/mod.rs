//! The operation registry (operations tier, the top of core): every operation SkillMeat offers
//! is one [`Operation`] — a name, its MCP/HTTP metadata, a typed request (`serde` + `schemars`,
//! `deny_unknown_fields`), a typed report and a `run` — listed once in [`registry()`].
//!
//! Faces never call an operation function directly. The CLI calls [`call`] with the request it
//! built from its arguments; the MCP server (and the web API) call an entry's `run_json` with
//! the JSON they received. Either way [`call`] times the run and hands exactly one [`OpEvent`]
//! to the [`EventSink`] the face installed, so analytics sees every operation once, from every
//! face. Failures are [`OpError`]s: a kind, a face-neutral sentence and [`Fix`]es as data, which
//! each face renders in its own words.

mod collection;
mod deploy;
mod error;
mod files;
mod keys;
mod pack;
mod registry;
mod settings;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use collection::*;
pub use deploy::*;
pub use error::OpError;
pub use files::*;
pub use keys::*;
pub use pack::*;
pub use registry::{Entry, find, registry};
pub use settings::*;

pub use crate::hint::{ErrorKind, Fix, Hint};
use crate::home::Home;
use crate::progress::Progress;
use crate::time::Timestamp;

/// What every face needs to know about an operation besides its types: the MCP tool name and
/// annotations, the future web route `/api/v1/ops/<name>` and the analytics event name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct OpMeta {
    /// The snake_case verb: the MCP tool name, the web route's last segment, the event name.
    pub name: &'static str,
    /// A short title for people.
    pub title: &'static str,
    /// What it does, for a model deciding whether to call it (no CLI flag spelling).
    pub description: &'static str,
    /// The group it belongs to (`--toolsets` picks groups).
    pub toolset: &'static str,
    /// It changes nothing.
    pub read_only: bool,
    /// It may replace or delete what is there (meaningful when not read-only).
    pub destructive: bool,
    /// Calling it twice with the same request has no further effect.
    pub idempotent: bool,
    /// It reaches beyond the home and the project (the network, a remote vault).
    pub open_world: bool,
    /// Offered as an MCP tool. Tokens, keys, vaults, settings and deleting collections are
    /// left to a person at the CLI (and later the web view).
    pub mcp: bool,
}

impl OpMeta {
    /// An operation that changes nothing (read-only, idempotent, closed world, not on MCP).
    pub const fn reads(
        name: &'static str,
        title: &'static str,
        toolset: &'static str,
        description: &'static str,
    ) -> OpMeta {
        OpMeta {
            name,
            title,
            description,
            toolset,
            read_only: true,
            destructive: false,
            idempotent: true,
            open_world: false,
            mcp: false,
        }
    }

    /// An operation that adds to what is there (not destructive, not idempotent, closed world,
    /// not on MCP); the builders below say more.
    pub const fn writes(
        name: &'static str,
        title: &'static str,
        toolset: &'static str,
        description: &'static str,
    ) -> OpMeta {
        OpMeta {
            read_only: false,
            idempotent: false,
            ..OpMeta::reads(name, title, toolset, description)
        }
    }

    /// It may replace or delete what is there.
    pub const fn destructive(self) -> OpMeta {
        OpMeta {
            destructive: true,
            ..self
        }
    }

    /// Calling it twice has no further effect.
    pub const fn idempotent(self) -> OpMeta {
        OpMeta {
            idempotent: true,
            ..self
        }
    }

    /// It reaches the network or a remote vault.
    pub const fn open_world(self) -> OpMeta {
        OpMeta {
            open_world: true,
            ..self
        }
    }

    /// It is offered as an MCP tool.
    pub const fn mcp(self) -> OpMeta {
        OpMeta { mcp: true, ..self }
    }
}

/// The face an operation is called from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Face {
    /// The `skillmeat` command line.
    Cli,
    /// The MCP server.
    Mcp,
    /// The web API.
    Web,
}

/// A flag the caller sets to stop an operation; long loops check it between artifacts, before
/// they commit anything. Cheap to clone: clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag that is not set.
    pub fn new() -> Cancel {
        Cancel::default()
    }
    /// Asks the operation to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// Whether stopping was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Receives one event per operation call (analytics writes them to SQLite).
pub trait EventSink: Send + std::marker::Sync {
    /// Records one call.
    fn record(&self, event: &OpEvent);
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// It succeeded.
    Ok,
    /// It failed with an error of this kind.
    Error {
        /// The error's kind.
        kind: ErrorKind,
    },
}

/// One operation call, as analytics records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OpEvent {
    /// The operation's name.
    pub op: String,
    /// The face it was called from.
    pub face: Face,
    /// The collection it worked on, when it works on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    /// The project folder it worked on, when it works on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<PathBuf>,
    /// The artifacts it touched or reported on, as `kind:name`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// When it ended.
    pub at: Timestamp,
}

/// What an operation says about the collection, project and artifacts it worked on (for its
/// event). Absent parts are filled from the context or left empty.
#[derive(Debug, Clone, Default)]
pub struct EventScope {
    /// The collection.
    pub collection: Option<String>,
    /// The project folder.
    pub project: Option<PathBuf>,
    /// The artifacts, as `kind:name`.
    pub artifacts: Vec<String>,
}

/// Everything an operation is run with besides its request: where the home is, which face
/// calls, how relative paths resolve, the defaults the face sets, progress and cancelling.
pub struct OpContext<'a> {
    /// The SkillMeat home.
    pub home: &'a Home,
    /// Who calls.
    pub face: Face,
    /// The folder relative paths in a request resolve from: the CLI's current folder. `None`
    /// for the MCP server and the web API, whose working folder means nothing to their
    /// clients, so a relative path is refused with a hint.
    pub cwd: Option<PathBuf>,
    /// The collection a request that names none works on (`-c`, or `mcp serve -c`); the active
    /// collection when `None`.
    pub default_collection: Option<String>,
    /// The page size list-like operations use when a request gives no `limit` (the MCP server
    /// pages; the CLI prints everything).
    pub page_default: Option<usize>,
    /// Where long operations report progress.
    pub progress: &'a dyn Progress,
    /// Set by the caller to stop a long operation before it commits.
    pub cancel: Cancel,
    /// Where the event of each call goes, when analytics (or a test) listens.
    pub events: Option<&'a dyn EventSink>,
}

/// The progress handed to core functions: the face's progress, plus the cancel flag.
struct CtxProgress<'a> {
    inner: &'a dyn Progress,
    cancel: &'a Cancel,
}

impl Progress for CtxProgress<'_> {
    fn start(&self, total: u64, message: &str) {
        self.inner.start(total, message);
    }
    fn inc(&self, n: u64) {
        self.inner.inc(n);
    }
    fn finish(&self) {
        self.inner.finish();
    }
    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled() || self.inner.cancelled()
    }
}

impl<'a> OpContext<'a> {
    /// A context for `face` over `home` with no defaults, no progress and no event sink.
    pub fn new(home: &'a Home, face: Face) -> OpContext<'a> {
        OpContext {
            home,
            face,
            cwd: None,
            default_collection: None,
            page_default: None,
            progress: &crate::progress::NoProgress,
            cancel: Cancel::new(),
            events: None,
        }
    }

    /// The collection a request names, else the face's default (else the active one, which
    /// core resolves).
    pub fn collection(&self, requested: Option<String>) -> Option<String> {
        requested.or_else(|| self.default_collection.clone())
    }

    /// Runs `f` with the progress core functions take (which also carries the cancel flag).
    fn with_progress<T>(&self, f: impl FnOnce(&dyn Progress) -> T) -> T {
        f(&CtxProgress {
            inner: self.progress,
            cancel: &self.cancel,
        })
    }

    /// `path` made absolute: as it is when it is, else from the working folder; without a
    /// working folder a relative path is refused, naming the parameter `param` that carried it.
    pub fn absolute(&self, param: &str, path: PathBuf) -> Result<PathBuf, OpError> {
        if path.is_absolute() {
            return Ok(path);
        }
        match &self.cwd {
            Some(cwd) => Ok(cwd.join(path)),
            None => Err(OpError::new(
                ErrorKind::Usage,
                format!(
                    "`{}` is not an absolute path, and there is no working folder to resolve it from",
                    path.display()
                ),
            )
            .fix(Fix::param(param).why("as an absolute path"))),
        }
    }

    /// The project folder of a deploy request: the one given (made absolute), else the working
    /// folder; without either it is refused for project scope (user scope does not need one).
    fn project(
        &self,
        given: Option<PathBuf>,
        scope: crate::deploy::Scope,
    ) -> Result<Option<PathBuf>, OpError> {
        match given {
            Some(p) => Ok(Some(self.absolute("project", p)?)),
            None => match (&self.cwd, scope) {
                (Some(cwd), _) => Ok(Some(cwd.clone())),
                (None, crate::deploy::Scope::User) => Ok(None),
                (None, crate::deploy::Scope::Project) => Err(OpError::new(
                    ErrorKind::Usage,
                    "no project folder was named, and there is no working folder to stand for it",
                )
                .fix(Fix::param("project").why("with the project folder's absolute path"))),
            },
        }
    }
}

/// One operation: its metadata, its request and report types, and how it runs.
pub trait Operation {
    /// Name, title, description and annotations.
    const META: OpMeta;
    /// What the caller asks (unknown fields are refused).
    type Request: DeserializeOwned + JsonSchema;
    /// What it reports.
    type Report: Serialize + JsonSchema;

    /// Runs it. Faces do not call this: they go through [`call`] (or an entry's `run_json`),
    /// which records the event.
    fn run(ctx: &OpContext, req: Self::Request) -> Result<Self::Report, OpError>;

    /// The collection and project a request names, for the event (before it runs).
    fn request_scope(_req: &Self::Request) -> EventScope {
        EventScope::default()
    }

    /// The collection, project and artifacts a report names, for the event.
    fn report_scope(_report: &Self::Report) -> EventScope {
        EventScope::default()
    }
}

/// Runs operation `O` with `req`: the one way faces run an operation. Emits exactly one event.
pub fn call<O: Operation>(ctx: &OpContext, req: O::Request) -> Result<O::Report, OpError> {
    let started = Instant::now();
    let scope = O::request_scope(&req);
    let result = O::run(ctx, req);
    let scope = match &result {
        Ok(report) => merge(O::report_scope(report), scope),
        Err(_) => scope,
    };
    emit(
        ctx,
        O::META.name,
        scope,
        result.as_ref().err().map(|e| e.kind),
        started,
    );
    result
}

/// The report's scope, with the request's where the report says nothing.
fn merge(report: EventScope, request: EventScope) -> EventScope {
    EventScope {
        collection: report.collection.or(request.collection),
        project: report.project.or(request.project),
        artifacts: report.artifacts,
    }
}

/// Hands the event of one call to the context's sink, if there is one.
fn emit(ctx: &OpContext, op: &str, scope: EventScope, error: Option<ErrorKind>, started: Instant) {
    let Some(sink) = ctx.events else { return };
    sink.record(&OpEvent {
        op: op.to_string(),
        face: ctx.face,
        collection: scope.collection.or_else(|| ctx.default_collection.clone()),
        project: scope.project,
        artifacts: scope.artifacts,
        outcome: match error {
            None => Outcome::Ok,
            Some(kind) => Outcome::Error { kind },
        },
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        at: Timestamp::now(),
    });
}

/// A request with no parameters (still refusing unknown ones).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoRequest {}

/// A request that names a collection (the default one when absent).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionRequest {
    /// The collection (the server's or command's default, else the active one, when absent).
    #[serde(default)]
    pub collection: Option<String>,
}

/// `kind:name`, as events name artifacts.
fn artifact_id(kind: crate::ArtifactKind, name: &str) -> String {
    format!("{kind}:{name}")
}

/// Whether `p` is the process's current folder (a path relative to it can stay relative).
fn is_process_cwd(p: &Path) -> bool {
    std::env::current_dir().is_ok_and(|c| c == p)
}

#[cfg(test)]
mod tests;
