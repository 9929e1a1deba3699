//! Collections (models tier): `collections/<name>/` with `collection.toml`, `collection.lock`
//! and the artifact folders. The package-manager operations over them live in [`ops`]
//! (operations tier), which this module declares but never uses.

mod lock;
mod manifest;
mod open_cache;
pub mod ops;

use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use lock::{LOCK_VERSION, Lock, LockEntry, lock_key};
pub use manifest::{
    ArtifactEntry, CollectionInfo, Manifest, ManifestFile, McpServerEntry, Transport,
};
pub use open_cache::enable_open_cache;

pub use crate::source::Origin;
pub use crate::time::Timestamp;

use crate::artifact::{ArtifactKind, HashError, NameError, validate_name};
use crate::config::{Config, ConfigError};
use crate::fsx;
use crate::home::{Home, HomeError, create_private_dir_all};
use crate::source::SourceError;
use crate::txn::{Txn, TxnError};

/// Everything that can go wrong in a collection operation. Each message is one sentence that
/// names the file (and line:col where there is one) and says what to do.
#[derive(Debug, Error)]
pub enum CollectionError {
    #[error("collection `{name}` does not exist in {}{}", home.display(), others_text(.others))]
    NotFound {
        name: String,
        home: PathBuf,
        /// The collections that do exist there.
        others: Vec<String>,
    },
    #[error("collection `{name}` already exists at {path}; pick another name")]
    Exists { name: String, path: PathBuf },
    #[error("{path}:{line}:{col}: {message}; fix the file there and run the command again")]
    Syntax {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    /// `hint` ends the sentence: the kind asked for, and the closest name (`; did you mean …?`).
    #[error("no artifact named `{name}` in collection `{collection}`{hint}")]
    ArtifactNotFound {
        name: String,
        collection: String,
        hint: String,
    },
    #[error("`{name}` names more than one artifact ({kinds})")]
    Ambiguous { name: String, kinds: String },
    #[error(
        "a {kind} named `{name}` is already in collection `{collection}` (from {existing}), so {source_path} cannot be added under that name"
    )]
    Duplicate {
        kind: ArtifactKind,
        name: String,
        collection: String,
        existing: String,
        source_path: String,
    },
    #[error("{0}")]
    Clashes(String),
    /// A refusal with its next steps (clashes inside a source, names that need a choice).
    #[error(transparent)]
    Refused(crate::hint::Refusal),
    /// The caller cancelled before anything was changed.
    #[error("cancelled before the change was committed")]
    Cancelled,
    #[error("cannot delete the active collection `{0}`")]
    DeleteActive(String),
    #[error(transparent)]
    Name(#[from] NameError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Home(#[from] HomeError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Taking the safety snapshot before a destructive change failed (nothing was changed).
    /// Boxed as a plain error so this module (below `snapshot`) does not name the snapshot
    /// error type; `snapshot` converts its errors into this variant.
    #[error(transparent)]
    Snapshot(Box<dyn std::error::Error + Send + Sync>),
}

/// The end of the not-found sentence: which collections there are instead.
fn others_text(others: &[String]) -> String {
    match others {
        [] => " (it holds no collection yet)".into(),
        _ => format!(" (it holds {})", others.join(", ")),
    }
}

impl crate::hint::Hinted for CollectionError {
    fn kind(&self) -> crate::hint::ErrorKind {
        use crate::hint::ErrorKind as K;
        match self {
            CollectionError::NotFound { .. } | CollectionError::ArtifactNotFound { .. } => {
                K::NotFound
            }
            CollectionError::Exists { .. }
            | CollectionError::Duplicate { .. }
            | CollectionError::Clashes(_) => K::Conflict,
            CollectionError::Syntax { .. } => K::Invalid,
            CollectionError::Ambiguous { .. } => K::Usage,
            CollectionError::Refused(r) => r.kind,
            CollectionError::Cancelled => K::Cancelled,
            CollectionError::DeleteActive(_) => K::Refused,
            CollectionError::Name(e) => e.kind(),
            CollectionError::Hash(e) => e.kind(),
            CollectionError::Source(e) => e.kind(),
            CollectionError::Home(e) => e.kind(),
            CollectionError::Config(e) => e.kind(),
            CollectionError::Snapshot(_) => K::Io,
        }
    }

    fn fixes(&self) -> Vec<crate::hint::Fix> {
        use crate::hint::Fix;
        use serde_json::json;
        match self {
            CollectionError::NotFound { name, others, .. } => {
                let mut f = vec![
                    Fix::op_with("collection_create", json!({ "name": name })).why("to create it"),
                ];
                if others.is_empty() {
                    f.push(Fix::op("init").why("to set up the home with a collection"));
                } else {
                    f.push(Fix::param("collection").why("naming one that exists"));
                }
                f
            }
            CollectionError::ArtifactNotFound {
                collection, hint, ..
            } if !hint.contains("did you mean") => {
                vec![
                    Fix::op_with("list_artifacts", json!({ "collection": collection }))
                        .why("to see its artifacts"),
                ]
            }
            CollectionError::Ambiguous { .. } => vec![Fix::param("kind").why("to say which")],
            CollectionError::Duplicate {
                kind,
                name,
                collection,
                ..
            } => vec![
                Fix::param("name").why("to add it under another name"),
                Fix::param_value("on_conflict", "skip").why("to leave it"),
                Fix::op_with(
                    "remove_artifact",
                    json!({ "collection": collection, "name": name, "kind": kind }),
                )
                .why("first to replace it"),
            ],
            CollectionError::DeleteActive(_) => vec![
                Fix::op_with("collection_use", json!({ "name": "OTHER" }))
                    .why("first to make another collection the active one"),
            ],
            CollectionError::Refused(r) => r.fixes.clone(),
            CollectionError::Name(e) => e.fixes(),
            CollectionError::Hash(e) => e.fixes(),
            CollectionError::Source(e) => e.fixes(),
            CollectionError::Home(e) => e.fixes(),
            CollectionError::Config(e) => e.fixes(),
            _ => Vec::new(),
        }
    }
}

impl From<TxnError> for CollectionError {
    fn from(e: TxnError) -> Self {
        match e {
            TxnError::Io { path, source } => CollectionError::Home(HomeError::io(path, source)),
            other => CollectionError::Refused(crate::hint::Refusal::of(&other)),
        }
    }
}

impl From<crate::fsx::FsError> for CollectionError {
    fn from(e: crate::fsx::FsError) -> Self {
        CollectionError::Home(HomeError::io(e.path, e.source))
    }
}

/// The collection a request names, or the active one.
pub fn resolve_collection(home: &Home, explicit: Option<&str>) -> Result<String, CollectionError> {
    match explicit {
        Some(c) => Ok(c.to_string()),
        None => Ok(Config::load(home)?.active_collection()),
    }
}

/// A collection opened from disk: its folder, manifest and lock.
#[derive(Debug, Clone)]
pub struct Collection {
    /// The collection's name.
    pub name: String,
    /// `collections/<name>/`.
    pub root: PathBuf,
    /// `collection.toml`.
    pub manifest: Manifest,
    /// `collection.lock`.
    pub lock: Lock,
}

impl Collection {
    /// Whether collection `name` exists in `home`.
    pub fn exists(home: &Home, name: &str) -> bool {
        home.collection_dir(name).join("collection.toml").is_file()
    }

    /// Opens collection `name`; errors name the file and line when a file does not parse.
    pub fn open(home: &Home, name: &str) -> Result<Collection, CollectionError> {
        validate_name(name)?;
        let root = home.collection_dir(name);
        let mpath = root.join("collection.toml");
        let text = match fs::read_to_string(&mpath) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let others = Self::names(home).unwrap_or_default();
                return Err(CollectionError::NotFound {
                    name: name.into(),
                    home: home.root().to_path_buf(),
                    others,
                });
            }
            Err(e) => return Err(HomeError::io(&mpath, e).into()),
        };
        let lpath = root.join("collection.lock");
        let ltext = match fs::read_to_string(&lpath) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(HomeError::io(&lpath, e).into()),
        };
        if let Some(c) = open_cache::get(&root, &text, ltext.as_deref()) {
            return Ok(c);
        }
        let manifest = Manifest::parse(mpath, &text)?;
        let lock = match &ltext {
            Some(t) => Lock::parse(lpath, t)?,
            None => Lock::new(lpath),
        };
        let c = Collection {
            name: name.into(),
            root,
            manifest,
            lock,
        };
        open_cache::put(&c.root, &text, ltext.as_deref(), &c);
        Ok(c)
    }

    /// A collection that exists only in memory until a change commits it (see
    /// `ops::Change`): empty, at its place in `home`.
    pub fn new_in_memory(home: &Home, name: &str) -> Collection {
        let root = home.collection_dir(name);
        Collection {
            name: name.into(),
            manifest: Manifest::new(root.join("collection.toml"), name),
            lock: Lock::new(root.join("collection.lock")),
            root,
        }
    }

    /// Creates an empty collection `name` (manifest, lock and kind folders): built in a staging
    /// folder and renamed into place in one transaction, so it exists whole or not at all.
    pub fn create(home: &Home, name: &str) -> Result<Collection, CollectionError> {
        validate_name(name)?;
        let c = Collection::new_in_memory(home, name);
        if c.root.join("collection.toml").exists() {
            return Err(CollectionError::Exists {
                name: name.into(),
                path: c.root,
            });
        }
        let parent = home.collections_dir();
        create_private_dir_all(&parent)?;
        let mut t = Txn::begin(&parent)?;
        let staged = t.stage_path();
        c.build_folder(&staged)?;
        if c.root.is_dir() && fs::read_dir(&c.root).is_ok_and(|mut d| d.next().is_none()) {
            // An empty folder of that name (made by hand): the new collection takes its place.
            t.replace(c.root.clone(), Some(staged));
        } else {
            t.create(c.root.clone(), staged);
        }
        t.commit()?;
        Ok(c)
    }

    /// Writes this collection's folder at `dir` (inside a staging folder): the kind folders
    /// (0700), `collection.toml` and `collection.lock`.
    pub(crate) fn build_folder(&self, dir: &Path) -> Result<(), CollectionError> {
        create_private_dir_all(dir)?;
        for kind in ArtifactKind::ALL {
            create_private_dir_all(&dir.join(kind.dir_name()))?;
        }
        fsx::write_file(
            &dir.join("collection.toml"),
            self.manifest.render().as_bytes(),
            false,
        )?;
        fsx::write_file(
            &dir.join("collection.lock"),
            self.lock.render().as_bytes(),
            false,
        )?;
        Ok(())
    }

    /// The names of every collection in `home`, sorted.
    pub fn names(home: &Home) -> Result<Vec<String>, CollectionError> {
        let dir = home.collections_dir();
        let mut out = Vec::new();
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(HomeError::io(&dir, e).into()),
        };
        for e in rd.flatten() {
            if e.path().join("collection.toml").is_file() {
                out.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    /// The absolute path of an artifact entry's files. Entry paths are validated here, so a
    /// hand-edited `path = "../../etc"` can never point outside the collection.
    pub fn artifact_path(&self, entry: &ArtifactEntry) -> Result<PathBuf, CollectionError> {
        let Some(path) = crate::fsx::join_under(&self.root, &entry.path) else {
            return Err(CollectionError::Syntax {
                path: self.manifest.path().to_path_buf(),
                line: 1,
                col: 1,
                message: format!(
                    "artifact `{}` has path `{}`, which leaves the collection folder; use a relative path such as `{}`",
                    entry.name,
                    entry.path,
                    entry.kind.collection_path(&entry.name)
                ),
            });
        };
        Ok(path)
    }
}

/// The JSON Schema of `collection.toml`, generated from [`ManifestFile`] (published as
/// `docs/collection.schema.json` for TOML editors).
pub fn json_schema() -> serde_json::Value {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(ManifestFile)).expect("a schema serialises");
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("title".into(), "SkillMeat collection.toml".into());
        obj.insert(
            "description".into(),
            "A SkillMeat collection manifest: the collection's metadata, its artifacts and its MCP servers.".into(),
        );
    }
    schema
}
