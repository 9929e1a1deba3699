//! Byte/line helpers shared by the rule modules: a line index for turning byte offsets into
//! line/column positions (for the LSP and the fixture files), and small helpers that keep every
//! range inside the text and on `char` boundaries, which the engine promises to its callers.

use std::ops::Range;

/// Maps byte offsets of one text to zero-based lines and columns.
///
/// Built once per text in O(n); each lookup is a binary search, so diagnostics for large files
/// stay cheap.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset at which each line starts; always starts with 0.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`. Lines end at `\n`; a `\r` before it stays part of the previous line's bytes.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// Zero-based line containing byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte offset where zero-based `line` starts (the text length past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// Number of lines (a text without newline has one).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Zero-based (line, column in `char`s) of byte `offset`, snapped down to a char boundary.
    pub fn position_chars(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset);
        let line = self.line_of(offset);
        let col = self.text[self.line_start(line)..offset].chars().count();
        (line, col)
    }

    /// Zero-based (line, column in UTF-16 code units) of byte `offset` — what LSP clients use.
    pub fn position_utf16(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset);
        let line = self.line_of(offset);
        let col = self.text[self.line_start(line)..offset]
            .chars()
            .map(char::len_utf16)
            .sum();
        (line, col)
    }

    /// Byte offset of zero-based (line, column in `char`s), clamped to the line's end.
    pub fn offset_of_chars(&self, line: usize, col: usize) -> usize {
        if line >= self.starts.len() {
            return self.text.len();
        }
        let start = self.line_start(line);
        let end = self.line_end(line);
        self.text[start..end]
            .char_indices()
            .nth(col)
            .map_or(end, |(i, _)| start + i)
    }

    /// Byte offset of zero-based (line, column in UTF-16 code units) — an LSP position —
    /// clamped to the line's end; a column inside a surrogate pair maps to the char's start.
    pub fn offset_of_utf16(&self, line: usize, col: usize) -> usize {
        if line >= self.starts.len() {
            return self.text.len();
        }
        let start = self.line_start(line);
        let end = self.line_end(line);
        let mut units = 0;
        for (i, c) in self.text[start..end].char_indices() {
            if units + c.len_utf16() > col {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    /// Byte offset of the end of zero-based `line`, before its `\n` (and a `\r` before that).
    pub fn line_end(&self, line: usize) -> usize {
        let next = self.starts.get(line + 1).map_or(self.text.len(), |s| s - 1);
        let start = self.line_start(line).min(next);
        if next > start && self.text.as_bytes()[next - 1] == b'\r' {
            next - 1
        } else {
            next
        }
    }
}

/// Largest char boundary `<= offset`, clamped to the text.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Smallest char boundary `>= offset`, clamped to the text.
pub fn ceil_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// `range` clamped into the text, widened outwards to char boundaries, with `start <= end`.
pub fn clamp_range(text: &str, range: Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(text, range.start);
    if range.end <= range.start {
        // An insertion point stays an insertion point.
        return start..start;
    }
    let end = ceil_char_boundary(text, range.end);
    start..end
}

/// The byte range of the whole line that contains `offset`, including its line break — the
/// range a fix deletes to remove that line.
pub fn full_line_range(text: &str, offset: usize) -> Range<usize> {
    let offset = floor_char_boundary(text, offset);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1);
    start..end
}

/// Quotes `s` as a JSON string literal (also a valid TOML basic string and YAML double-quoted
/// scalar for the characters we escape).
pub fn json_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// `s` cut to at most `max` chars with an ellipsis, so messages stay one readable line.
pub fn shorten(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        flat
    } else {
        let mut out: String = flat.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_chars_and_utf16() {
        let text = "ab\nçé😀x\r\nz";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.position_chars(x), (1, 3));
        assert_eq!(idx.position_utf16(x), (1, 4));
        assert_eq!(idx.offset_of_chars(1, 3), x);
        assert_eq!(idx.offset_of_utf16(1, 4), x);
        assert_eq!(idx.offset_of_utf16(1, 3), text.find('😀').unwrap());
        assert_eq!(idx.offset_of_utf16(9, 0), text.len());
        assert_eq!(idx.line_end(1), text.find('\r').unwrap());
        assert_eq!(idx.position_chars(text.len()), (2, 1));
        // An offset inside a multi-byte char snaps to its start.
        assert_eq!(idx.position_chars(4), (1, 0));
    }

    #[test]
    fn clamp_keeps_boundaries() {
        let text = "é";
        assert_eq!(clamp_range(text, 1..1), 0..0);
        assert_eq!(clamp_range(text, 1..5), 0..2);
        assert_eq!(full_line_range("a\nbc\nd", 3), 2..5);
    }
}
