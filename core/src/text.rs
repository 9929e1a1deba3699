//! Positions in text: the 1-based line and column of a byte offset, as every one-sentence error
//! that names `file:line:col` prints them. Base tier: no IO, no other module of the crate.

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("a\nbé c", 0), (1, 1));
        assert_eq!(line_col("a\nbé c", 2), (2, 1));
        assert_eq!(line_col("a\nbé c", 5), (2, 3));
        assert_eq!(line_col("ab", 99), (1, 3));
    }
}
