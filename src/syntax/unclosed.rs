//! Finds the flow collection (`[` or `{`) still open where a YAML parser
//! stopped: the parser reports the error where it gave up (often the next
//! key, "illegal placement of ':' indicator"), while the cause is the
//! bracket that was never closed.

/// The byte offset (in `text`) and character of the innermost `[` or `{`
/// opened before `stop` and not closed by then, reading `text` as block
/// YAML: a bracket opens a flow collection only where a value or a list
/// item begins, or inside another flow collection; quoted text and
/// comments are skipped.
pub fn unclosed_flow(text: &str, stop: usize) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let stop = stop.min(bytes.len());
    let mut open: Vec<(usize, u8)> = Vec::new();
    let mut i = 0;
    // Where a value may begin on this line (after `key:` or `- `).
    let mut value_start = true;
    while i < stop {
        let b = bytes[i];
        if open.is_empty() {
            match b {
                b'\n' => value_start = true,
                b' ' | b'\t' | b'\r' => {}
                b'-' if value_start && matches!(bytes.get(i + 1), Some(b' ' | b'\n') | None) => {}
                b'[' | b'{' if value_start => open.push((i, b)),
                b'#' => i = line_end(bytes, i) - 1,
                b'\'' | b'"' if value_start => i = quoted_end(bytes, i),
                b':' if matches!(bytes.get(i + 1), Some(b' ' | b'\n' | b'\r') | None) => {
                    value_start = true;
                }
                _ => {
                    // A plain scalar or a key: brackets in it are text.
                    value_start = false;
                }
            }
        } else {
            match b {
                b'[' | b'{' => open.push((i, b)),
                b']' | b'}' => {
                    open.pop();
                    value_start = false;
                }
                b'\'' | b'"' => i = quoted_end(bytes, i),
                b'#' if i > 0 && bytes[i - 1].is_ascii_whitespace() => {
                    i = line_end(bytes, i) - 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    open.last().map(|&(at, b)| (at, b as char))
}

/// The offset of the `\n` ending the line at `i` (or the end).
fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

/// The offset of the quote closing the quoted scalar opened at `i`.
fn quoted_end(bytes: &[u8], i: usize) -> usize {
    let q = bytes[i];
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' if q == b'"' => j += 1,
            b'\'' if q == b'\'' && bytes.get(j + 1) == Some(&b'\'') => j += 1,
            c if c == q => return j,
            _ => {}
        }
        j += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::unclosed_flow;

    fn at(text: &str) -> Option<(usize, char)> {
        unclosed_flow(text, text.len())
    }

    #[test]
    fn finds_the_bracket_left_open() {
        assert_eq!(at("tools: [read, grep\nmodel: x\n"), Some((7, '[')));
        assert_eq!(at("tools: {read: true\nmodel: x\n"), Some((7, '{')));
        assert_eq!(at("a: [x, {b: 1\n"), Some((7, '{')));
        assert_eq!(at("list:\n  - [a, b\n"), Some((10, '[')));
    }

    #[test]
    fn closed_quoted_and_plain_brackets_are_not_open() {
        assert_eq!(at("tools: [read, grep]\nmodel: x\n"), None);
        assert_eq!(at("d: see [docs] here\nm: x\n"), None);
        assert_eq!(at("d: 'a [ b'\nm: x\n"), None);
        assert_eq!(at("d: \"a [ \\\" b\"\nm: x\n"), None);
        assert_eq!(at("d: x # [ note\nm: x\n"), None);
        assert_eq!(at("t: ['a]', \"b]\"\nm: x\n"), Some((3, '[')));
        assert_eq!(at("t: [a, b] # ]\n"), None);
    }
}
