//! The read-only collection operations: `list`, `show` and `search`.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ArtifactSummary;
use super::status::{ArtifactState, state_of};
use crate::artifact::{ArtifactKind, FileEntry, HashError, hash_artifact, parse_front_matter};
use crate::collection::{
    ArtifactEntry, Collection, CollectionError, LockEntry, resolve_collection,
};
use crate::home::Home;

/// `list`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// Only artifacts with this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// At most this many artifacts (all when absent).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Skip this many artifacts first (the previous page's `next_offset`).
    #[serde(default)]
    pub offset: usize,
}

/// The artifacts of a collection.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ListReport {
    /// The collection.
    pub collection: String,
    /// Its artifacts, by kind then name (one page of them with `limit`).
    pub artifacts: Vec<ArtifactSummary>,
    /// How many artifacts match, on every page together.
    pub total: usize,
    /// The `offset` of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
}

/// Lists a collection's artifacts (reads only `collection.toml`).
pub fn list(home: &Home, req: ListRequest) -> Result<ListReport, CollectionError> {
    home.settle();
    let name = resolve_collection(home, req.collection.as_deref())?;
    let coll = Collection::open(home, &name)?;
    let mut artifacts: Vec<ArtifactSummary> = coll
        .manifest
        .file
        .artifacts
        .iter()
        .filter(|a| req.kind.is_none_or(|k| a.kind == k))
        .filter(|a| req.tag.as_ref().is_none_or(|t| a.tags.contains(t)))
        .map(ArtifactSummary::of)
        .collect();
    artifacts.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    let total = artifacts.len();
    let start = req.offset.min(total);
    let end = req
        .limit
        .map_or(total, |l| start.saturating_add(l).min(total));
    let artifacts = artifacts.drain(start..end).collect();
    Ok(ListReport {
        collection: coll.name,
        artifacts,
        total,
        next_offset: (end < total).then_some(end),
    })
}

/// Names one artifact.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArtifactRef {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// The artifact's name or one of its aliases.
    pub name: String,
    /// Its kind, when the name is used by more than one.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
}

/// Finds an entry by name or alias (and kind).
pub fn find_entry<'a>(
    coll: &'a Collection,
    name: &str,
    kind: Option<ArtifactKind>,
) -> Result<&'a ArtifactEntry, CollectionError> {
    let arts = &coll.manifest.file.artifacts;
    let by = |f: &dyn Fn(&ArtifactEntry) -> bool| -> Vec<&'a ArtifactEntry> {
        arts.iter()
            .filter(|a| kind.is_none_or(|k| a.kind == k))
            .filter(|a| f(a))
            .collect()
    };
    let mut found = by(&|a| a.name == name);
    if found.is_empty() {
        found = by(&|a| a.aliases.iter().any(|x| x == name));
    }
    match found.len() {
        1 => Ok(found[0]),
        0 => {
            let closest = arts
                .iter()
                .map(|a| (strsim::levenshtein(&a.name, name), &a.name))
                .min()
                .filter(|(d, n)| *d <= 3.max(n.len() / 3))
                .map(|(_, n)| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            Err(CollectionError::ArtifactNotFound {
                name: name.into(),
                collection: coll.name.clone(),
                hint: match kind {
                    Some(k) => format!(" of kind {k}{closest}"),
                    None => closest,
                },
            })
        }
        _ => Err(CollectionError::Ambiguous {
            name: name.into(),
            kinds: found
                .iter()
                .map(|a| a.kind.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Everything about one artifact.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactDetail {
    /// The collection.
    pub collection: String,
    /// Its manifest entry.
    pub entry: ArtifactEntry,
    /// Its lock entry, if any.
    pub lock: Option<LockEntry>,
    /// Absolute path of its files.
    pub path: PathBuf,
    /// Its files with their hashes.
    pub files: Vec<FileEntry>,
    /// Content hash of the files now.
    pub content_hash: Option<String>,
    /// clean, modified, missing or unlocked (see `status`).
    pub state: ArtifactState,
    /// Its front matter (or `hooks.json` for a hook).
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// A problem reading the metadata, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_error: Option<String>,
}

/// Shows one artifact.
pub fn show(home: &Home, req: ArtifactRef) -> Result<ArtifactDetail, CollectionError> {
    home.settle();
    let name = resolve_collection(home, req.collection.as_deref())?;
    let coll = Collection::open(home, &name)?;
    let entry = find_entry(&coll, &req.name, req.kind)?.clone();
    let path = coll.artifact_path(&entry)?;
    let (content_hash, files) = match hash_artifact(&path) {
        Ok((h, f)) => (Some(h), f),
        Err(HashError::Missing { .. }) => (None, Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let lock = coll.lock.get(entry.kind, &entry.name).cloned();
    let state = state_of(&coll, &entry, content_hash.as_deref());
    let (metadata, metadata_error) = read_metadata(entry.kind, &path);
    Ok(ArtifactDetail {
        collection: coll.name.clone(),
        entry,
        lock,
        path,
        files,
        content_hash,
        state,
        metadata,
        metadata_error,
    })
}

fn read_metadata(
    kind: ArtifactKind,
    path: &Path,
) -> (serde_json::Map<String, serde_json::Value>, Option<String>) {
    let main = kind.main_file(path);
    let Ok(text) = fs::read_to_string(&main) else {
        return (Default::default(), None);
    };
    if kind == ArtifactKind::Hook {
        return match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(m)) => (m, None),
            Ok(_) => (
                Default::default(),
                Some("hooks.json is not a JSON object".into()),
            ),
            Err(e) => (
                Default::default(),
                Some(format!(
                    "{}:{}:{}: {e}",
                    main.display(),
                    e.line(),
                    e.column()
                )),
            ),
        };
    }
    match parse_front_matter(&text) {
        Ok(Some(fm)) => (fm.fields, None),
        Ok(None) => (Default::default(), None),
        Err(e) => (Default::default(), Some(format!("{}: {e}", main.display()))),
    }
}

/// `search`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// The collection (the active one when absent).
    #[serde(default)]
    pub collection: Option<String>,
    /// Words to look for; every word must match somewhere.
    pub query: String,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<ArtifactKind>,
    /// At most this many hits (all when absent).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// One search hit.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SearchHit {
    /// The artifact.
    pub artifact: ArtifactSummary,
    /// Its score; higher is better.
    pub score: u32,
    /// Where the words matched: name, alias, tag, description, body.
    pub matched: Vec<String>,
}

/// Search results, best first.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SearchReport {
    /// The collection.
    pub collection: String,
    /// The query.
    pub query: String,
    /// The hits, best first.
    pub hits: Vec<SearchHit>,
}

/// Ranked search over names, aliases, tags, descriptions and bodies.
pub fn search(home: &Home, req: SearchRequest) -> Result<SearchReport, CollectionError> {
    home.settle();
    let name = resolve_collection(home, req.collection.as_deref())?;
    let coll = Collection::open(home, &name)?;
    let terms: Vec<String> = req
        .query
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut hits: Vec<SearchHit> = coll
        .manifest
        .file
        .artifacts
        .par_iter()
        .filter(|a| req.kind.is_none_or(|k| a.kind == k))
        .filter_map(|a| {
            let body = coll
                .artifact_path(a)
                .ok()
                .and_then(|p| fs::read_to_string(a.kind.main_file(&p)).ok())
                .unwrap_or_default()
                .to_lowercase();
            score(a, &body, &terms).map(|(score, matched)| SearchHit {
                artifact: ArtifactSummary::of(a),
                score,
                matched,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.artifact.name.cmp(&b.artifact.name))
    });
    if let Some(l) = req.limit {
        hits.truncate(l);
    }
    Ok(SearchReport {
        collection: coll.name,
        query: req.query,
        hits,
    })
}

/// Scores one artifact; None unless every term matches somewhere.
fn score(a: &ArtifactEntry, body: &str, terms: &[String]) -> Option<(u32, Vec<String>)> {
    if terms.is_empty() {
        return None;
    }
    let name = a.name.to_lowercase();
    let desc = a.description().unwrap_or("").to_lowercase();
    let mut total = 0;
    let mut matched = Vec::new();
    let mut mark = |m: &str| {
        if !matched.iter().any(|x| x == m) {
            matched.push(m.to_string());
        }
    };
    for t in terms {
        let mut s = 0;
        if name == *t {
            s += 100;
            mark("name");
        } else if name.contains(t.as_str()) {
            s += 40;
            mark("name");
        }
        if a.aliases
            .iter()
            .any(|x| x.to_lowercase().contains(t.as_str()))
        {
            s += 40;
            mark("alias");
        }
        if a.tags.iter().any(|x| x.to_lowercase() == *t) {
            s += 30;
            mark("tag");
        }
        if desc.contains(t.as_str()) {
            s += 15;
            mark("description");
        }
        let n = body.matches(t.as_str()).take(10).count() as u32;
        if n > 0 {
            s += 2 * n;
            mark("body");
        }
        if s == 0 {
            return None;
        }
        total += s;
    }
    Some((total, matched))
}
