//! skillmeat-core: SkillMeat's domain — artifacts, collections, sources and their file formats.
//!
//! Invariants: this crate never imports a protocol crate (LSP, MCP, HTTP server, CLI parser) and
//! never prompts; every operation takes a typed request with explicit decisions and returns a
//! typed, serialisable report (see `docs/architecture.md`).

// The modules come in three tiers (docs/architecture.md, enforced by `tests/tiers.rs`): a module
// may use modules of its own tier or below, never above.

// Base: no domain state of its own.
pub mod artifact;
pub mod check;
pub mod fsx;
pub mod hint;
pub mod home;
pub mod progress;
pub mod text;
pub mod time;
pub mod txn;

// Models: the files SkillMeat keeps, and reading and writing them.
pub mod collection;
pub mod config;
pub mod signing;
pub mod snapshot;
pub mod source;
pub mod store;
pub mod tokens;

// Operations: what a user asks for (collection::ops and snapshot::ops belong here too).
pub mod check_context;
pub mod deploy;
pub mod op;
pub mod pack;
pub mod vault;

pub use artifact::ArtifactKind;
pub use collection::ops;
pub use home::Home;

/// The version of SkillMeat.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
