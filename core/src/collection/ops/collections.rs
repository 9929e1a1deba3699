//! `init` and the `collection` commands: create, list, use and delete collections.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::collection::{Collection, CollectionError, resolve_collection};
use crate::config::Config;
use crate::home::Home;
use crate::txn::Txn;

/// `init`: create the home and a collection.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InitRequest {
    /// The collection to create (the active one, `default`, when absent).
    pub collection: Option<String>,
}

/// What `init` did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct InitReport {
    /// The home folder.
    pub home: PathBuf,
    /// The collection.
    pub collection: String,
    /// The collection's folder.
    pub path: PathBuf,
    /// False when it already existed.
    pub created: bool,
}

/// Creates the home and the collection (idempotent).
pub fn init(home: &Home, req: InitRequest) -> Result<InitReport, CollectionError> {
    let name = resolve_collection(home, req.collection.as_deref())?;
    crate::artifact::validate_name(&name)?;
    let _lock = home.lock()?;
    let created = if Collection::exists(home, &name) {
        false
    } else {
        Collection::create(home, &name)?;
        true
    };
    Ok(InitReport {
        home: home.root().to_path_buf(),
        path: home.collection_dir(&name),
        collection: name,
        created,
    })
}

/// One collection in `collection list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CollectionSummary {
    /// Its name.
    pub name: String,
    /// How many artifacts it holds.
    pub artifacts: usize,
    /// Whether it is the active collection.
    pub active: bool,
}

/// `collection list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CollectionListReport {
    /// The active collection.
    pub active: String,
    /// Every collection.
    pub collections: Vec<CollectionSummary>,
}

/// Lists the collections in the home.
pub fn collection_list(home: &Home) -> Result<CollectionListReport, CollectionError> {
    home.settle();
    let active = Config::load(home)?.active_collection();
    let mut collections = Vec::new();
    for name in Collection::names(home)? {
        let c = Collection::open(home, &name)?;
        collections.push(CollectionSummary {
            active: name == active,
            artifacts: c.manifest.file.artifacts.len(),
            name,
        });
    }
    Ok(CollectionListReport {
        active,
        collections,
    })
}

/// A collection was created, selected or deleted.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CollectionReport {
    /// The collection.
    pub name: String,
    /// Its folder.
    pub path: PathBuf,
    /// The active collection afterwards.
    pub active: String,
}

/// Creates an empty collection.
pub fn collection_create(home: &Home, name: &str) -> Result<CollectionReport, CollectionError> {
    let _lock = home.lock()?;
    let c = Collection::create(home, name)?;
    Ok(CollectionReport {
        name: c.name,
        path: c.root,
        active: Config::load(home)?.active_collection(),
    })
}

/// Makes `name` the active collection.
pub fn collection_use(home: &Home, name: &str) -> Result<CollectionReport, CollectionError> {
    let _lock = home.lock()?;
    let c = Collection::open(home, name)?;
    let mut cfg = Config::load(home)?;
    cfg.set("active-collection", name)?;
    Ok(CollectionReport {
        name: c.name,
        path: c.root,
        active: name.into(),
    })
}

/// Deletes collection `name` and its files. The caller has asked the user (`--yes`).
pub fn collection_delete(home: &Home, name: &str) -> Result<CollectionReport, CollectionError> {
    let _lock = home.lock()?;
    let c = Collection::open(home, name)?;
    let active = Config::load(home)?.active_collection();
    if active == name {
        return Err(CollectionError::DeleteActive(name.into()));
    }
    // One change: the folder is moved into the staging folder (so a kill halfway through
    // deleting never leaves a half collection that still looks valid) and goes with it.
    let mut t = Txn::begin(&home.collections_dir())?;
    t.replace(c.root.clone(), None);
    t.commit()?;
    Ok(CollectionReport {
        name: name.into(),
        path: c.root,
        active,
    })
}
