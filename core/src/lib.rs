//! skillmeat-core: SkillMeat's domain — artifacts, collections, sources and their file formats.
//!
//! Invariants: this crate never imports a protocol crate (LSP, MCP, HTTP server, CLI parser) and
//! never prompts; every operation takes a typed request with explicit decisions and returns a
//! typed, serialisable report (see `docs/architecture.md`).

pub mod artifact;
pub mod check;
pub mod check_context;
pub mod collection;
pub mod config;
pub mod deploy;
pub mod home;
pub mod pack;
pub mod signing;
pub mod snapshot;
pub mod source;
pub mod store;
pub mod tokens;
pub mod vault;

pub use artifact::ArtifactKind;
pub use collection::ops;
pub use home::Home;

/// The version of SkillMeat.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
