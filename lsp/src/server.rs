//! The Language Server's handlers. Each is a shim: it snapshots the document (state is updated
//! before the first `.await`), converts positions to byte offsets, calls the core (`check`,
//! `check_context`) or the protocol-free [`crate::ide`], and converts the result back.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use skillmeat_core::ArtifactKind;
use skillmeat_core::artifact::parse_front_matter;
use skillmeat_core::check::{self, FileKind};
use skillmeat_core::check_context::{self, ContextCache, is_safe_relative};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, Uri};
use tower_lsp_server::{Client, LanguageServer};

use crate::document::{Document, Encoding, Store};
use crate::{from_proto, ide, to_proto};

/// Files whose changes alter the context of open documents.
const WATCHED: &[&str] = &[
    "**/collection.toml",
    "**/collection.lock",
    "**/.mcp.json",
    "**/.claude/settings.json",
    "**/.claude/settings.local.json",
    "**/skills/**",
    "**/commands/**",
    "**/agents/**",
    "**/hooks/**",
];

pub(crate) struct Server {
    client: Client,
    docs: Store,
    cache: Mutex<ContextCache>,
    encoding: OnceLock<Encoding>,
    /// The client pulls diagnostics (`textDocument/diagnostic`); then they are not pushed too,
    /// or the editor would show each twice.
    client_pulls: AtomicBool,
    refresh_support: AtomicBool,
    watch_registration: AtomicBool,
}

impl Server {
    pub(crate) fn new(client: Client) -> Server {
        Server {
            client,
            docs: Store::default(),
            cache: Mutex::new(ContextCache::new()),
            encoding: OnceLock::new(),
            client_pulls: AtomicBool::new(false),
            refresh_support: AtomicBool::new(false),
            watch_registration: AtomicBool::new(false),
        }
    }

    fn enc(&self) -> Encoding {
        self.encoding.get().copied().unwrap_or(Encoding::Utf16)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, ContextCache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The context of `doc`, gathered through the cache.
    fn context(&self, doc: &Document, kind: FileKind) -> check::Context {
        match &doc.path {
            Some(p) => self.cache().gather(kind, p, &doc.text),
            None => check::Context::default(),
        }
    }

    /// The diagnostics of `doc` (computed once per version).
    fn diagnostics(&self, doc: &Document) -> Arc<Vec<check::Diagnostic>> {
        doc.diagnostics
            .get_or_init(|| {
                let Some(kind) = doc.kind else {
                    return Arc::new(Vec::new());
                };
                let ctx = self.context(doc, kind);
                Arc::new(guard(Vec::new(), || check::check(kind, &doc.text, &ctx)))
            })
            .clone()
    }

    fn lsp_diagnostics(&self, doc: &Document) -> Vec<lsp::Diagnostic> {
        let enc = self.enc();
        self.diagnostics(doc)
            .iter()
            .map(|d| to_proto::diagnostic(doc, enc, d))
            .collect()
    }

    /// Checks `doc` and pushes its diagnostics, unless a newer version arrived meanwhile or the
    /// client pulls them.
    async fn publish(&self, uri: Uri, doc: Arc<Document>) {
        if self.client_pulls.load(Ordering::Relaxed) {
            return;
        }
        let diags = self.lsp_diagnostics(&doc);
        if !self.docs.is_current(&uri, &doc) {
            return;
        }
        self.client
            .publish_diagnostics(uri, diags, Some(doc.version))
            .await;
    }

    /// The surroundings changed: check every open document again.
    async fn recheck_all(&self) {
        let docs = self.docs.recheck_all();
        if self.client_pulls.load(Ordering::Relaxed) {
            if self.refresh_support.load(Ordering::Relaxed) {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
            return;
        }
        for (uri, doc) in docs {
            self.publish(uri, doc).await;
        }
    }

    /// Markdown about the artifact of a `collection.toml` entry: what its entry, its lock entry
    /// and its main file say.
    fn artifact_markdown(&self, root: &Path, e: &ide::TomlEntry) -> Option<String> {
        let name = e.get("name")?;
        let kind_s = e.get("type").unwrap_or("?");
        let kind = kind_s.parse::<ArtifactKind>().ok();
        let mut md = format!("**{name}** — {kind_s}\n");
        let description = e.get("description").map(str::to_string).or_else(|| {
            let rel = e.get("path")?;
            if !is_safe_relative(rel) {
                return None;
            }
            let main = kind?.main_file(&root.join(rel));
            let text = std::fs::read_to_string(main).ok()?;
            let fm = parse_front_matter(&text).ok()??;
            fm.str("description").map(str::to_string)
        });
        if let Some(d) = description {
            md.push_str(&format!("\n{d}\n"));
        }
        let lock = kind.and_then(|k| self.cache().lock_entry(root, k, name));
        let version = e
            .get("resolved_version")
            .or(e.get("version_spec"))
            .map(str::to_string)
            .or_else(|| lock.as_ref()?.resolved_version.clone());
        let source = e
            .get("upstream")
            .map(str::to_string)
            .or_else(|| lock.as_ref()?.upstream.clone());
        let mut rows = Vec::new();
        if let Some(v) = version {
            rows.push(format!("- version: `{v}`"));
        }
        if let Some(o) = e.get("origin") {
            rows.push(format!("- origin: {o}"));
        }
        if let Some(s) = source {
            rows.push(format!("- source: {s}"));
        }
        if let Some(sha) = e.get("resolved_sha") {
            rows.push(format!("- commit: `{sha}`"));
        }
        match lock.as_ref().and_then(|l| l.signer.clone()) {
            Some(s) => rows.push(format!("- signer: `{s}`")),
            None => rows.push("- signer: none (not from a signed pack)".into()),
        }
        if let Some(h) = lock.as_ref().and_then(|l| l.content_hash.clone()) {
            rows.push(format!("- locked hash: `{h}`"));
        }
        md.push('\n');
        md.push_str(&rows.join("\n"));
        Some(md)
    }
}

/// Runs a core call, turning a panic (a bug, never expected) into `fallback` so one bad input
/// cannot take the editor's server down; the panic message still reaches stderr.
fn guard<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(fallback)
}

impl Server {
    /// From an MCP server named in a project's settings to its entry in the project's
    /// `.mcp.json` (read from disk; it need not be open).
    fn mcp_definition(
        &self,
        doc: &Document,
        kind: FileKind,
        offset: usize,
    ) -> Option<lsp::GotoDefinitionResponse> {
        let name = guard(None, || ide::mcp_server_ref(&doc.text, offset))?;
        let mcp = check_context::project_mcp_json(kind, doc.path.as_deref()?)?;
        let text = std::fs::read_to_string(&mcp).ok()?;
        let range = guard(None, || ide::mcp_server_entry(&text, &name))?;
        let uri = Uri::from_file_path(&mcp)?;
        let target = Document::new(&uri, 0, text);
        Some(lsp::GotoDefinitionResponse::Scalar(lsp::Location {
            range: to_proto::range(&target, self.enc(), range),
            uri,
        }))
    }
}

fn uri_of(p: &lsp::TextDocumentPositionParams) -> &Uri {
    &p.text_document.uri
}

impl LanguageServer for Server {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let caps = &params.capabilities;
        let utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&lsp::PositionEncodingKind::UTF8));
        let enc = if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        let _ = self.encoding.set(enc);
        let td = caps.text_document.as_ref();
        self.client_pulls.store(
            td.is_some_and(|t| t.diagnostic.is_some()),
            Ordering::Relaxed,
        );
        let ws = caps.workspace.as_ref();
        self.refresh_support.store(
            ws.and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            Ordering::Relaxed,
        );
        self.watch_registration.store(
            ws.and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            Ordering::Relaxed,
        );
        Ok(lsp::InitializeResult {
            server_info: Some(lsp::ServerInfo {
                name: "skillmeat".into(),
                version: Some(skillmeat_core::VERSION.into()),
            }),
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(match enc {
                    Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
                    Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
                }),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(
                    lsp::TextDocumentSyncKind::FULL,
                )),
                completion_provider: Some(lsp::CompletionOptions {
                    trigger_characters: Some(vec!["\"".into(), "[".into(), "=".into()]),
                    ..lsp::CompletionOptions::default()
                }),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                definition_provider: Some(lsp::OneOf::Left(true)),
                document_symbol_provider: Some(lsp::OneOf::Left(true)),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                    lsp::CodeActionOptions {
                        code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                        ..lsp::CodeActionOptions::default()
                    },
                )),
                diagnostic_provider: Some(lsp::DiagnosticServerCapabilities::Options(
                    lsp::DiagnosticOptions {
                        identifier: Some("skillmeat".into()),
                        inter_file_dependencies: true,
                        workspace_diagnostics: false,
                        ..lsp::DiagnosticOptions::default()
                    },
                )),
                ..lsp::ServerCapabilities::default()
            },
            ..lsp::InitializeResult::default()
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        if !self.watch_registration.load(Ordering::Relaxed) {
            return;
        }
        let watchers = WATCHED
            .iter()
            .map(|g| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String((*g).to_string()),
                kind: None,
            })
            .collect();
        let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
        let reg = lsp::Registration {
            id: "skillmeat-watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![reg]).await {
            tracing::warn!("the editor refused to watch files for SkillMeat: {e}");
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let td = params.text_document;
        let doc = Document::new(&td.uri, td.version, td.text);
        if let Some(doc) = self.docs.update(td.uri.clone(), doc) {
            self.publish(td.uri, doc).await;
        }
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        // Full sync was negotiated, so a change normally carries the whole text; ranged changes
        // (from a client that ignores that) are applied in order to the current text.
        let mut text: Option<String> = None;
        for change in params.content_changes {
            match change.range {
                None => text = Some(change.text),
                Some(range) => {
                    let base = match text.take() {
                        Some(t) => t,
                        None => match self.docs.get(&uri) {
                            Some(d) => d.text.clone(),
                            None => return,
                        },
                    };
                    let doc = Document::new(&uri, version, base);
                    let r = from_proto::range(&doc, self.enc(), range);
                    let mut t = doc.text;
                    t.replace_range(r, &change.text);
                    text = Some(t);
                }
            }
        }
        let Some(text) = text else {
            return;
        };
        let doc = Document::new(&uri, version, text);
        if let Some(doc) = self.docs.update(uri.clone(), doc) {
            self.publish(uri, doc).await;
        }
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.docs.remove(&uri);
        if !self.client_pulls.load(Ordering::Relaxed) {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        // A saved manifest or lock changes the context of the other open files.
        if let Some(p) = from_proto::path(&params.text_document.uri) {
            self.cache().invalidate(&p);
            self.recheck_all().await;
        }
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        {
            let mut cache = self.cache();
            for ev in &params.changes {
                if let Some(p) = from_proto::path(&ev.uri) {
                    cache.invalidate(&p);
                }
            }
        }
        self.recheck_all().await;
    }

    async fn diagnostic(
        &self,
        params: lsp::DocumentDiagnosticParams,
    ) -> Result<lsp::DocumentDiagnosticReportResult> {
        let items = match self.docs.get(&params.text_document.uri) {
            Some(doc) => self.lsp_diagnostics(&doc),
            None => Vec::new(),
        };
        Ok(lsp::DocumentDiagnosticReportResult::Report(
            lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let uri = &params.text_document.uri;
        let mut out = Vec::new();
        let mut from_client = params.context.diagnostics.clone();
        // Clients that drop `data` get the diagnostics of the current version instead.
        if from_client.iter().all(|d| d.data.is_none())
            && let Some(doc) = self.docs.get(uri)
        {
            let enc = self.enc();
            let wanted = from_proto::range(&doc, enc, params.range);
            from_client = self
                .diagnostics(&doc)
                .iter()
                .filter(|d| d.range.start <= wanted.end && wanted.start <= d.range.end)
                .map(|d| to_proto::diagnostic(&doc, enc, d))
                .collect();
        }
        for d in &from_client {
            if d.source.as_deref() == Some("skillmeat") {
                out.extend(to_proto::quick_fixes(uri, d));
            }
        }
        Ok(Some(out))
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let p = &params.text_document_position;
        let Some(doc) = self.docs.get(uri_of(p)) else {
            return Ok(None);
        };
        let Some(kind) = doc.kind else {
            return Ok(None);
        };
        let enc = self.enc();
        let offset = from_proto::offset(&doc, enc, p.position);
        let ctx = self.context(&doc, kind);
        let items: Vec<_> = guard(Vec::new(), || ide::complete(kind, &doc.text, offset, &ctx))
            .into_iter()
            .map(|c| to_proto::completion(&doc, enc, c))
            .collect();
        Ok(Some(lsp::CompletionResponse::Array(items)))
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let p = &params.text_document_position_params;
        let Some(doc) = self.docs.get(uri_of(p)) else {
            return Ok(None);
        };
        let Some(kind) = doc.kind else {
            return Ok(None);
        };
        let enc = self.enc();
        let offset = from_proto::offset(&doc, enc, p.position);
        let key_doc = guard(None, || ide::hover(kind, &doc.text, offset));
        if key_doc.is_none()
            && kind == FileKind::CollectionToml
            && let Some(entry) = guard(None, || ide::artifact_at(&doc.text, offset))
            && let Some(root) = doc
                .path
                .as_deref()
                .and_then(|p| check_context::collection_root(kind, p))
            && let Some(md) = self.artifact_markdown(&root, &entry)
        {
            return Ok(Some(to_proto::hover(&doc, enc, entry.range.clone(), md)));
        }
        Ok(key_doc.map(|h| to_proto::hover(&doc, enc, h.range, h.markdown)))
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        let Some(doc) = self.docs.get(&params.text_document.uri) else {
            return Ok(None);
        };
        let Some(kind) = doc.kind else {
            return Ok(None);
        };
        let enc = self.enc();
        let syms = guard(Vec::new(), || ide::symbols(kind, &doc.text))
            .into_iter()
            .map(|s| to_proto::symbol(&doc, enc, s))
            .collect();
        Ok(Some(lsp::DocumentSymbolResponse::Nested(syms)))
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let p = &params.text_document_position_params;
        let Some(doc) = self.docs.get(uri_of(p)) else {
            return Ok(None);
        };
        let offset = from_proto::offset(&doc, self.enc(), p.position);
        if let Some(kind @ (FileKind::ClaudeSettings | FileKind::ClaudeSettingsLocal)) = doc.kind {
            return Ok(self.mcp_definition(&doc, kind, offset));
        }
        if doc.kind != Some(FileKind::CollectionToml) {
            return Ok(None);
        }
        let target = (|| -> Option<PathBuf> {
            let entry = ide::artifact_at(&doc.text, offset)?;
            let rel = entry.get("path")?;
            if !is_safe_relative(rel) {
                return None;
            }
            let root =
                check_context::collection_root(FileKind::CollectionToml, doc.path.as_ref()?)?;
            let kind = entry.get("type")?.parse::<ArtifactKind>().ok()?;
            let main = kind.main_file(&root.join(rel));
            main.exists().then_some(main)
        })();
        let Some(uri) = target.and_then(Uri::from_file_path) else {
            return Ok(None);
        };
        Ok(Some(lsp::GotoDefinitionResponse::Scalar(lsp::Location {
            uri,
            range: lsp::Range::default(),
        })))
    }
}
