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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::to_proto;

    fn doc(text: &str) -> Document {
        let uri: Uri = "file:///p/.claude/settings.json".parse().unwrap();
        Document::new(&uri, 1, text.to_string())
    }

    #[test]
    fn offsets_and_positions_round_trip_on_non_ascii_text() {
        let d = doc("{\"x\": \"a🎉b\",\r\n \"中文\": 1}\n\nlast");
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (off, _) in d.text.char_indices().chain([(d.text.len(), ' ')]) {
                if d.text[..off].ends_with('\r') {
                    continue; // inside a CRLF line break: no position exists there
                }
                let pos = to_proto::position(&d, enc, off);
                assert_eq!(offset(&d, enc, pos), off, "{enc:?} {off} {pos:?}");
            }
        }
        let b = d.text.find('b').unwrap();
        assert_eq!(
            to_proto::position(&d, Encoding::Utf8, b),
            lsp::Position::new(0, 12)
        );
        assert_eq!(
            to_proto::position(&d, Encoding::Utf16, b),
            lsp::Position::new(0, 10)
        );
        let one = d.text.find('1').unwrap();
        // `中文` is 6 bytes, 2 UTF-16 units.
        assert_eq!(
            to_proto::position(&d, Encoding::Utf8, one),
            lsp::Position::new(1, 11)
        );
        assert_eq!(
            to_proto::position(&d, Encoding::Utf16, one),
            lsp::Position::new(1, 7)
        );
    }

    #[test]
    fn positions_out_of_range_are_clamped() {
        let d = doc("a🎉\r\nb\n");
        // Past the end of a line: its end, before the line break.
        assert_eq!(offset(&d, Encoding::Utf16, lsp::Position::new(0, 99)), 5);
        // Inside the surrogate pair of 🎉 (UTF-16) or its bytes (UTF-8): the character's start.
        assert_eq!(offset(&d, Encoding::Utf16, lsp::Position::new(0, 2)), 1);
        assert_eq!(offset(&d, Encoding::Utf8, lsp::Position::new(0, 3)), 1);
        // Past the last line: the end of the text.
        assert_eq!(
            offset(&d, Encoding::Utf8, lsp::Position::new(9, 0)),
            d.text.len()
        );
        assert_eq!(
            to_proto::position(&d, Encoding::Utf8, 999),
            lsp::Position::new(2, 0)
        );
        assert_eq!(
            to_proto::position(&d, Encoding::Utf8, 3),
            lsp::Position::new(0, 1)
        );
    }
}
