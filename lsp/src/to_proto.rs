//! Conversions from the core's results into LSP types: byte offsets into positions in the
//! negotiated encoding, check diagnostics and fixes into LSP diagnostics and quick fixes, editor
//! features into completion items, hovers and symbols.

use std::collections::HashMap;
use std::ops::Range;

use line_index::{TextSize, WideEncoding};
use serde::{Deserialize, Serialize};
use skillmeat_core::check;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::document::{Document, Encoding};
use crate::ide;

/// The position of byte `offset` in `doc`.
pub(crate) fn position(doc: &Document, enc: Encoding, offset: usize) -> lsp::Position {
    let text = &doc.text;
    let mut off = offset.min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let Some(lc) = doc.index.try_line_col(TextSize::new(off as u32)) else {
        return lsp::Position::new(0, 0);
    };
    let col = match enc {
        Encoding::Utf8 => lc.col,
        Encoding::Utf16 => doc
            .index
            .to_wide(WideEncoding::Utf16, lc)
            .map_or(lc.col, |w| w.col),
    };
    lsp::Position::new(lc.line, col)
}

/// The LSP range of bytes `r` in `doc`.
pub(crate) fn range(doc: &Document, enc: Encoding, r: Range<usize>) -> lsp::Range {
    lsp::Range::new(position(doc, enc, r.start), position(doc, enc, r.end))
}

/// What `diagnostic.data` carries: the quick fixes, already converted, so a code action request
/// needs nothing but the diagnostic the client sends back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FixData {
    pub fixes: Vec<FixEdit>,
}

/// One quick fix in `diagnostic.data`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FixEdit {
    pub title: String,
    pub edits: Vec<lsp::TextEdit>,
}

fn severity(s: check::Severity) -> lsp::DiagnosticSeverity {
    match s {
        check::Severity::Error => lsp::DiagnosticSeverity::ERROR,
        check::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        check::Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        check::Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// A check diagnostic as an LSP diagnostic (source `skillmeat`, code = the rule's code).
pub(crate) fn diagnostic(doc: &Document, enc: Encoding, d: &check::Diagnostic) -> lsp::Diagnostic {
    let data = (!d.fixes.is_empty()).then(|| {
        let fixes = d
            .fixes
            .iter()
            .map(|f| FixEdit {
                title: f.title.clone(),
                edits: f
                    .edits
                    .iter()
                    .map(|e| {
                        lsp::TextEdit::new(range(doc, enc, e.range.clone()), e.new_text.clone())
                    })
                    .collect(),
            })
            .collect();
        serde_json::to_value(FixData { fixes }).unwrap_or_default()
    });
    lsp::Diagnostic {
        range: range(doc, enc, d.range.clone()),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("skillmeat".into()),
        message: d.message.clone(),
        data,
        ..lsp::Diagnostic::default()
    }
}

/// The quick fixes carried by `d` (as produced by [`diagnostic`]), bound to it.
pub(crate) fn quick_fixes(uri: &Uri, d: &lsp::Diagnostic) -> Vec<lsp::CodeActionOrCommand> {
    let Some(data) = d
        .data
        .clone()
        .and_then(|v| serde_json::from_value::<FixData>(v).ok())
    else {
        return Vec::new();
    };
    data.fixes
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: f.title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), f.edits)])),
                    ..lsp::WorkspaceEdit::default()
                }),
                is_preferred: Some(i == 0),
                ..lsp::CodeAction::default()
            })
        })
        .collect()
}

/// A completion candidate as an LSP completion item (a text edit over the token at the cursor).
pub(crate) fn completion(doc: &Document, enc: Encoding, c: ide::Completion) -> lsp::CompletionItem {
    let kind = match c.kind {
        ide::ItemKind::Key => lsp::CompletionItemKind::PROPERTY,
        ide::ItemKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
        ide::ItemKind::Event => lsp::CompletionItemKind::EVENT,
        ide::ItemKind::Tool => lsp::CompletionItemKind::FUNCTION,
        ide::ItemKind::Server => lsp::CompletionItemKind::MODULE,
        ide::ItemKind::Artifact => lsp::CompletionItemKind::FILE,
    };
    lsp::CompletionItem {
        filter_text: Some(c.insert.clone()),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
            range(doc, enc, c.replace),
            c.insert,
        ))),
        label: c.label,
        kind: Some(kind),
        detail: c.detail,
        documentation: c.doc.map(|d| {
            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: d,
            })
        }),
        ..lsp::CompletionItem::default()
    }
}

/// Markdown hover over bytes `r`.
pub(crate) fn hover(
    doc: &Document,
    enc: Encoding,
    r: Range<usize>,
    markdown: String,
) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(range(doc, enc, r)),
    }
}

/// An outline entry as an LSP document symbol.
#[allow(deprecated)] // `deprecated` is a required field of the struct
pub(crate) fn symbol(doc: &Document, enc: Encoding, s: ide::Symbol) -> lsp::DocumentSymbol {
    let kind = match s.kind {
        ide::SymbolKind::Table => lsp::SymbolKind::OBJECT,
        ide::SymbolKind::Key => lsp::SymbolKind::PROPERTY,
        ide::SymbolKind::Artifact => lsp::SymbolKind::CLASS,
        ide::SymbolKind::Server => lsp::SymbolKind::MODULE,
        ide::SymbolKind::Event => lsp::SymbolKind::EVENT,
    };
    // The selection must lie inside the range.
    let selection = if s.range.start <= s.selection.start && s.selection.end <= s.range.end {
        s.selection
    } else {
        s.range.clone()
    };
    lsp::DocumentSymbol {
        name: if s.name.is_empty() {
            "\"\"".into()
        } else {
            s.name
        },
        detail: s.detail,
        kind,
        tags: None,
        deprecated: None,
        range: range(doc, enc, s.range),
        selection_range: range(doc, enc, selection),
        children: (!s.children.is_empty()).then(|| {
            s.children
                .into_iter()
                .map(|c| symbol(doc, enc, c))
                .collect()
        }),
    }
}
