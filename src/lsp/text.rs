//! Positions as the client counts them. agentc's spans are byte ranges; an
//! LSP position is a line and a character offset counted in the negotiated
//! encoding: UTF-16 code units by default, bytes when the client offers
//! UTF-8. Conversions here are exact both ways, and a position the client
//! sends that falls inside a character or past a line's end is clamped the
//! way the protocol asks (to the line's end, never onto the next line).

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// How the client counts characters within a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// The encoding to use from what the client offers, in its order of
    /// preference: UTF-8 when offered (no conversion at all), else UTF-16,
    /// which every client supports.
    pub fn negotiate(offered: Option<&[lsp_types::PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&lsp_types::PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> lsp_types::PositionEncodingKind {
        match self {
            Encoding::Utf8 => lsp_types::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp_types::PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// The byte offset where each line starts (after a `\n`).
fn line_start(text: &str, line: usize) -> Option<usize> {
    if line == 0 {
        return Some(0);
    }
    text.match_indices('\n').nth(line - 1).map(|(i, _)| i + 1)
}

/// The byte range of the line starting at `start`, without its line break
/// (`\n` or `\r\n`).
fn line_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let end = start + rest.find('\n').unwrap_or(rest.len());
    if end > start && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// The position of byte `offset` in `text` (clamped to the text and to a
/// character boundary).
pub fn position(text: &str, offset: usize, enc: Encoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[start..].chars().map(|c| enc.width(c)).sum();
    Position::new(line as u32, character as u32)
}

/// The byte offset of `pos` in `text`. A line past the end is the end of
/// the text; a character past the line's end is the line's end; one inside
/// a character (half of a UTF-16 surrogate pair) is that character's start.
pub fn offset(text: &str, pos: Position, enc: Encoding) -> usize {
    let Some(start) = line_start(text, pos.line as usize) else {
        return text.len();
    };
    let end = line_end(text, start);
    let mut units = 0usize;
    for (i, c) in text[start..end].char_indices() {
        let w = enc.width(c);
        if units + w > pos.character as usize {
            return start + i;
        }
        units += w;
    }
    end
}

pub fn range(text: &str, start: usize, end: usize, enc: Encoding) -> Range {
    Range::new(position(text, start, enc), position(text, end, enc))
}

/// Applies one change of `textDocument/didChange`: a range replaced, or
/// (without a range) the whole text.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent, enc: Encoding) {
    match change.range {
        Some(r) => {
            let start = offset(text, r.start, enc);
            let end = offset(text, r.end, enc).max(start);
            text.replace_range(start..end, &change.text);
        }
        None => *text = change.text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_as_two() {
        let text = "---\ndescription: é 🦀 x\n---\n";
        let x = text.find('x').unwrap();
        assert_eq!(position(text, x, Encoding::Utf16), Position::new(1, 18));
        assert_eq!(position(text, x, Encoding::Utf8), Position::new(1, 21));
        assert_eq!(offset(text, Position::new(1, 18), Encoding::Utf16), x);
        assert_eq!(offset(text, Position::new(1, 21), Encoding::Utf8), x);
    }

    #[test]
    fn every_boundary_round_trips_in_both_encodings() {
        let text = "a\u{feff}é\r\n🦀b\n\nλ𝄞z";
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
                // Between `\r` and `\n` is not a place in a line.
                if i > 0 && text[..i].ends_with('\r') {
                    continue;
                }
                let p = position(text, i, enc);
                assert_eq!(offset(text, p, enc), i, "{enc:?} at {i}");
            }
        }
    }

    #[test]
    fn positions_past_the_line_or_inside_a_pair_are_clamped() {
        let text = "ab\r\n🦀\n";
        assert_eq!(offset(text, Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(offset(text, Position::new(1, 1), Encoding::Utf16), 4);
        assert_eq!(
            offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        assert_eq!(position(text, 5, Encoding::Utf16), Position::new(1, 0));
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut text = "---\nprovider: lm-studo\n---\n".to_string();
        let change = |l1, c1, l2, c2, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: t.into(),
        };
        apply_change(&mut text, change(1, 17, 1, 17, "i"), Encoding::Utf16);
        assert_eq!(text, "---\nprovider: lm-studio\n---\n");
        apply_change(&mut text, change(1, 0, 2, 0, ""), Encoding::Utf16);
        assert_eq!(text, "---\n---\n");
        apply_change(
            &mut text,
            TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new".into(),
            },
            Encoding::Utf16,
        );
        assert_eq!(text, "new");
    }
}
