//! Byte offsets (what spans are) to and from LSP positions (line and UTF-16 column, the
//! protocol's default encoding).

use lsp_types::{Position, Range};

use crate::diagnostic::Span;

/// Where every line of a text starts.
#[derive(Debug)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// Indexes `text`.
    pub fn new(text: &str) -> Lines {
        // The protocol's line ends: `\n`, `\r\n` and a lone `\r`.
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        Lines { starts }
    }

    /// The position of byte `offset` (clamped to the text, and back to a character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(to_u32(line), to_u32(col))
    }

    /// The byte offset of `pos`; a column past the line's end is its end, a line past the text's
    /// end is the end of the text.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let next = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(text.len(), |&e| e);
        let end = start + text[start..next].trim_end_matches(['\n', '\r']).len();
        let mut units = 0;
        for (i, c) in text[start..end].char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    /// The range of a span.
    pub fn range(&self, text: &str, span: &Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end),
        )
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_and_round_trip() {
        let text = "a: b\nnäme: 𝄞x\n";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap();
        // "näme: " is 6 units, the clef two more.
        assert_eq!(lines.position(text, x), Position::new(1, 8));
        assert_eq!(lines.offset(text, Position::new(1, 8)), x);
        assert_eq!(lines.offset(text, Position::new(0, 99)), 4);
        assert_eq!(lines.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(lines.position(text, text.len()), Position::new(2, 0));
    }

    #[test]
    fn crlf_and_a_lone_cr_end_lines() {
        let text = "a: 1\r\nb: 2\rc: 3\n";
        let lines = Lines::new(text);
        let c = text.find('c').unwrap();
        assert_eq!(lines.position(text, c), Position::new(2, 0));
        // A column past the end of a CRLF line stops before the CR.
        assert_eq!(lines.offset(text, Position::new(0, 99)), 4);
        assert_eq!(lines.offset(text, Position::new(1, 99)), 10);
    }
}
