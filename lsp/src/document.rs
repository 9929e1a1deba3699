//! Open documents: their text, version, kind and line index, and the diagnostics of that
//! version (computed once, on demand).
//!
//! A document is immutable; an edit replaces it with a new one in [`Store`], so a handler that
//! took a snapshot keeps working on consistent text while newer versions arrive.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use line_index::LineIndex;
use skillmeat_core::check::{Diagnostic, FileKind};
use tower_lsp_server::ls_types::Uri;

/// How positions count columns, as negotiated at `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Bytes of UTF-8 (when the client offers `utf-8`).
    Utf8,
    /// UTF-16 code units (the LSP default).
    Utf16,
}

/// One version of an open document.
#[derive(Debug)]
pub(crate) struct Document {
    /// The file behind it, when the URI is a `file:` URI.
    pub path: Option<PathBuf>,
    /// What the check engine sees it as (`None`: not a file SkillMeat checks).
    pub kind: Option<FileKind>,
    /// The client's version number.
    pub version: i32,
    /// The full text.
    pub text: String,
    /// Line starts and non-ASCII characters of `text`, for offset ↔ position.
    pub index: LineIndex,
    /// The diagnostics of this version, computed on first use.
    pub diagnostics: OnceLock<Arc<Vec<Diagnostic>>>,
}

impl Document {
    pub(crate) fn new(uri: &Uri, version: i32, text: String) -> Document {
        let path = crate::from_proto::path(uri);
        let kind = match &path {
            Some(p) => FileKind::detect(&p.to_string_lossy()),
            None => FileKind::detect(uri.path().as_str()),
        };
        Document {
            path,
            kind,
            version,
            index: LineIndex::new(&text),
            text,
            diagnostics: OnceLock::new(),
        }
    }

    /// The same text and version with the diagnostics forgotten (the surroundings changed).
    pub(crate) fn recheck(&self) -> Document {
        Document {
            path: self.path.clone(),
            kind: self.kind,
            version: self.version,
            text: self.text.clone(),
            index: LineIndex::new(&self.text),
            diagnostics: OnceLock::new(),
        }
    }
}

/// The open documents by URI.
#[derive(Debug, Default)]
pub(crate) struct Store {
    docs: Mutex<HashMap<Uri, Arc<Document>>>,
}

impl Store {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Uri, Arc<Document>>> {
        // A handler that panicked while holding the lock leaves consistent data (every
        // update is a single insert), so a poisoned lock is still usable.
        self.docs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current version of `uri`.
    pub(crate) fn get(&self, uri: &Uri) -> Option<Arc<Document>> {
        self.map().get(uri).cloned()
    }

    /// Stores `doc` unless a newer version is already there (an out-of-order or replayed
    /// change); returns whether it was stored.
    pub(crate) fn update(&self, uri: Uri, doc: Document) -> Option<Arc<Document>> {
        let mut map = self.map();
        if let Some(old) = map.get(&uri)
            && old.version > doc.version
        {
            return None;
        }
        let doc = Arc::new(doc);
        map.insert(uri, doc.clone());
        Some(doc)
    }

    /// Whether `doc` is still the current version of `uri`.
    pub(crate) fn is_current(&self, uri: &Uri, doc: &Arc<Document>) -> bool {
        self.map().get(uri).is_some_and(|d| Arc::ptr_eq(d, doc))
    }

    pub(crate) fn remove(&self, uri: &Uri) {
        self.map().remove(uri);
    }

    /// Replaces every document with a fresh copy whose diagnostics will be recomputed.
    pub(crate) fn recheck_all(&self) -> Vec<(Uri, Arc<Document>)> {
        let mut map = self.map();
        let mut out = Vec::new();
        for (uri, doc) in map.iter_mut() {
            *doc = Arc::new(doc.recheck());
            out.push((uri.clone(), doc.clone()));
        }
        out
    }
}
