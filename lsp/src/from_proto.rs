//! Conversions from LSP types into what the core works with: positions into byte offsets,
//! URIs into paths. The only place (with `to_proto` and the handlers) that sees LSP types.

use std::ops::Range;
use std::path::PathBuf;

use line_index::{LineCol, WideEncoding, WideLineCol};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::document::{Document, Encoding};

/// The file a `file:` URI names.
pub(crate) fn path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

/// The byte offset of `pos` in `doc`. Positions past the end of a line or of the text are
/// clamped (LSP says so), and a column inside a character moves to its start.
pub(crate) fn offset(doc: &Document, enc: Encoding, pos: lsp::Position) -> usize {
    let text = &doc.text;
    let Some(line) = doc.index.line(pos.line) else {
        return text.len();
    };
    let (start, end) = (usize::from(line.start()), usize::from(line.end()));
    let content_end = start + text[start..end].trim_end_matches(['\n', '\r']).len();
    let col = match enc {
        Encoding::Utf8 => Some(pos.character),
        Encoding::Utf16 => doc
            .index
            .to_utf8(
                WideEncoding::Utf16,
                WideLineCol {
                    line: pos.line,
                    col: pos.character,
                },
            )
            .map(|lc: LineCol| lc.col),
    };
    let mut off = start
        .saturating_add(col.unwrap_or(u32::MAX) as usize)
        .min(content_end);
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    off
}

/// The byte range of `range` in `doc` (start and end ordered).
pub(crate) fn range(doc: &Document, enc: Encoding, range: lsp::Range) -> Range<usize> {
    let a = offset(doc, enc, range.start);
    let b = offset(doc, enc, range.end);
    a.min(b)..a.max(b)
}
