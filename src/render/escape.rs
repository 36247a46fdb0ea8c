//! Text bound for a terminal or a CI log. Names, paths, URLs, models, tools
//! and server answers come from files, servers and the environment; written
//! raw, an `ESC` sequence could retitle the terminal, clear a line or plant
//! a hyperlink, a bidi override could reorder what is read, and a newline
//! could start a forged `::error` workflow command. Every human, short,
//! github and table output goes through here; JSON and SARIF do not (their
//! format escapes them, and they must stay exact).

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as it is: C0 controls, DEL, C1
/// controls, the line and paragraph separators, and the bidirectional
/// embedding, override and isolate characters.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}'
        | '\u{200e}' | '\u{200f}' | '\u{061c}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` on one line with every unsafe character written as an escape
/// (`\n`, `\t`, `\u{1b}`); text without one is returned as it is.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

/// Like [`escape`], keeping line feeds and tabs (a carriage return, which
/// can hide what came before it on the line, is escaped): for multi-line
/// text such as a model's answer.
pub fn escape_lines(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

fn escape_with(s: &str, keep_lines: bool) -> Cow<'_, str> {
    let kept = |c: char| keep_lines && matches!(c, '\n' | '\t');
    if !s.chars().any(|c| is_unsafe(c) && !kept(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) || kept(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// `text` with every unsafe character except line breaks (`\n`, `\r\n`)
/// and tabs replaced
/// by a placeholder of the same UTF-8 length (`?` for one byte, `¿` for
/// two, `�` for three), so byte offsets into it stay valid: for source
/// snippets shown with an underline.
pub fn neutralise_in_place(text: &str) -> Cow<'_, str> {
    // A carriage return is kept only before a line feed: alone, it would
    // send the terminal's cursor back over what the line already shows.
    let bytes = text.as_bytes();
    let unsafe_at = |i: usize, c: char| match c {
        '\n' | '\t' => false,
        '\r' => bytes.get(i + 1) != Some(&b'\n'),
        _ => is_unsafe(c),
    };
    // Printable ASCII, tabs and line feeds are safe: skipped byte by
    // byte, the rest (a char boundary, after ASCII) looked at char by char.
    let plain = |b: &u8| matches!(b, b' '..=b'~' | b'\n' | b'\t');
    let Some(first) = bytes.iter().position(|b| !plain(b)) else {
        return Cow::Borrowed(text);
    };
    if !text[first..]
        .char_indices()
        .any(|(i, c)| unsafe_at(first + i, c))
    {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.char_indices()
            .map(|(i, c)| {
                if !unsafe_at(i, c) {
                    return c;
                }
                match c.len_utf8() {
                    1 => '?',
                    2 => '\u{bf}',
                    _ => '\u{fffd}',
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_written_as_escapes() {
        assert_eq!(escape("plain/path.md"), "plain/path.md");
        assert_eq!(escape("a\nb"), "a\\nb");
        assert_eq!(escape("\u{1b}]0;owned\u{7}"), "\\u{1b}]0;owned\\u{7}");
        assert_eq!(escape("x\u{9b}2Jy\u{7f}"), "x\\u{9b}2Jy\\u{7f}");
        assert_eq!(escape("ab\u{202e}cd\u{2028}"), "ab\\u{202e}cd\\u{2028}");
        assert_eq!(escape_lines("one\n\ttwo\u{1b}[2K"), "one\n\ttwo\\u{1b}[2K");
    }

    #[test]
    fn placeholders_keep_offsets() {
        let s = "a\u{1b}b\u{85}c\u{202e}d\ne\rf\r\n";
        let n = neutralise_in_place(s);
        assert_eq!(n.len(), s.len());
        assert_eq!(n, "a?b\u{bf}c\u{fffd}d\ne?f\r\n");
        // Safe text is lent back as it is, ASCII or not.
        for safe in [
            "plain\ttext\n",
            "crlf\r\nend",
            "caf\u{e9} \u{2014} ok\r\n",
            "",
        ] {
            assert!(
                matches!(neutralise_in_place(safe), Cow::Borrowed(_)),
                "{safe:?}"
            );
        }
        // An unsafe char after a long safe start, or at the very end.
        let late = format!("{}\u{1b}", "x".repeat(100));
        assert_eq!(neutralise_in_place(&late), format!("{}?", "x".repeat(100)));
        assert_eq!(neutralise_in_place("abc\r"), "abc?");
    }
}
