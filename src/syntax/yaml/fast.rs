//! A fast path for the frontmatter most files have: a flat mapping whose
//! keys are plain words and whose values are plain or quoted one-line
//! scalars, one-line flow lists, block lists of such scalars, or literal and
//! folded block scalars. It builds the same [`YNode`] tree, with the same
//! spans, as the full parser would, and answers `None` for anything else
//! (comments in odd places, anchors, tags, nested mappings, multi-line plain
//! or quoted scalars, unusual numbers, tabs, control characters...), which
//! then goes to the full parser. It never reports an error: whatever it
//! does not accept, the full parser judges.
//!
//! The full parser costs about 40 times more per file than reading it; this
//! path keeps the cost of `check` near that of reading the files. A unit
//! test and the `yaml_fast` fuzz target compare both paths wherever this
//! one answers.

use super::{Parsed, YNode, YValue, YamlLimits, find_duplicates};

/// Keys longer than this go to the full parser, whose scanner bounds a
/// simple key's length.
const MAX_KEY: usize = 256;

/// Parses `text` (starting at byte `base` of its file), or `None` when the
/// text is not of the shape this path knows.
pub fn parse(text: &str, base: usize, limits: YamlLimits) -> Option<Parsed> {
    // Deep-nesting and node budgets are the full parser's to enforce: keep
    // well inside them (the fast path nests two levels at most).
    if limits.max_depth < 4 || text.len() > 1 << 20 || !clean(text) {
        return None;
    }
    let mut p = Fast {
        text,
        bytes: text.as_bytes(),
        base,
        pos: 0,
        nodes: 1,
    };
    let mut entries: Vec<(YNode, YNode)> = Vec::with_capacity(8);
    while let Some(line) = p.line() {
        let s = &p.bytes[line.start..line.end];
        match s.first() {
            None => {
                p.pos = line.next;
                continue;
            }
            Some(b' ') => {
                if s.iter().all(|&b| b == b' ') {
                    p.pos = line.next;
                    continue;
                }
                return None;
            }
            Some(b'#') => {
                p.pos = line.next;
                continue;
            }
            Some(_) => {}
        }
        let entry = p.entry(&line)?;
        entries.push(entry);
    }
    if entries.is_empty() {
        return None;
    }
    let nodes = p.nodes;
    if nodes.saturating_mul(2) + 16 > limits.max_nodes
        || nodes.saturating_mul(4) + 16 > limits.max_nodes.saturating_mul(4).max(1024)
    {
        return None;
    }
    let start = entries[0].0.span.start;
    let end = entries
        .iter()
        .map(|(k, v)| k.span.end.max(v.span.end))
        .max()
        .unwrap_or(start);
    let mut duplicates = Vec::new();
    find_duplicates(&entries, &mut duplicates);
    Some(Parsed {
        root: YNode {
            span: start..end,
            value: YValue::Map(entries),
        },
        duplicates,
    })
}

/// No tab, lone carriage return, control character, or code point that
/// some YAML readers treat as a line break or a byte-order mark.
fn clean(text: &str) -> bool {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\n' => {}
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => return false,
            b'\r' => {}
            0..=0x1f | 0x7f => return false,
            _ => {}
        }
    }
    text.is_ascii()
        || !text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            ) || (c as u32) >= 0x10000 && (c as u32) & 0xfffe == 0xfffe
        })
}

/// One line: its content (without the line ending) and the next line's start.
struct Line {
    start: usize,
    end: usize,
    next: usize,
}

struct Fast<'a> {
    text: &'a str,
    bytes: &'a [u8],
    base: usize,
    pos: usize,
    nodes: usize,
}

impl<'a> Fast<'a> {
    /// The line at `pos`, without consuming it.
    fn line_at(&self, at: usize) -> Option<Line> {
        if at >= self.bytes.len() {
            return None;
        }
        let rest = &self.bytes[at..];
        let (mut end, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (at + i, at + i + 1),
            None => (self.bytes.len(), self.bytes.len()),
        };
        if end > at && self.bytes[end - 1] == b'\r' {
            end -= 1;
        }
        Some(Line {
            start: at,
            end,
            next,
        })
    }

    fn line(&self) -> Option<Line> {
        self.line_at(self.pos)
    }

    fn node(&mut self, start: usize, end: usize, value: YValue) -> YNode {
        self.nodes += 1;
        YNode {
            span: start + self.base..end + self.base,
            value,
        }
    }

    /// `key: value` starting at column 0 of `line`.
    fn entry(&mut self, line: &Line) -> Option<(YNode, YNode)> {
        let b = self.bytes;
        let ks = line.start;
        let first = b[ks];
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        let mut i = ks + 1;
        while i < line.end && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-' | b'.')) {
            i += 1;
        }
        let ke = i;
        if ke - ks > MAX_KEY || i >= line.end || b[i] != b':' {
            return None;
        }
        let key_text = &self.text[ks..ke];
        if !matches!(plain_value(key_text)?, YValue::Str(_)) {
            return None;
        }
        let key = self.node(ks, ke, YValue::Str(key_text.to_string()));
        let colon = i;
        i += 1;
        if i < line.end && b[i] != b' ' {
            return None;
        }
        while i < line.end && b[i] == b' ' {
            i += 1;
        }
        if i == line.end {
            self.pos = line.next;
            let value = self.empty_value(colon)?;
            return Some((key, value));
        }
        let value = match b[i] {
            b'#' => {
                // `key: # comment`: only a null value is plain enough.
                self.pos = line.next;
                self.empty_value(colon)?
            }
            b'"' | b'\'' => {
                let (node, after) = self.quoted(i, line.end)?;
                self.line_end(after, line)?;
                node
            }
            b'[' => {
                let (node, after) = self.flow_seq(i, line.end)?;
                self.line_end(after, line)?;
                node
            }
            b'|' | b'>' => self.block_scalar(i, line)?,
            _ => {
                let (node, after) = self.plain(i, line.end, false)?;
                self.line_end(after, line)?;
                node
            }
        };
        Some((key, value))
    }

    /// After a one-line value: only spaces, or spaces and a comment, to
    /// the end of the line. Moves to the next line.
    fn line_end(&mut self, mut i: usize, line: &Line) -> Option<()> {
        let b = self.bytes;
        let spaced = i < line.end && b[i] == b' ';
        while i < line.end && b[i] == b' ' {
            i += 1;
        }
        if i < line.end && !(spaced && b[i] == b'#') {
            return None;
        }
        self.pos = line.next;
        Some(())
    }

    /// The value of `key:` with nothing after it on the line: a block list
    /// on the following lines, or null (spanned empty at the colon).
    fn empty_value(&mut self, colon: usize) -> Option<YNode> {
        // Look at the next line that is not blank.
        let mut at = self.pos;
        while let Some(l) = self.line_at(at) {
            let s = &self.bytes[l.start..l.end];
            if s.iter().all(|&b| b == b' ') {
                at = l.next;
                continue;
            }
            let indent = s.iter().take_while(|&&b| b == b' ').count();
            if s[indent] == b'-' && s.get(indent + 1).is_none_or(|&b| b == b' ') {
                if at != self.pos {
                    // Blank lines before the first item: not worth the care.
                    return None;
                }
                return self.block_seq(indent);
            }
            if indent > 0 {
                return None;
            }
            break;
        }
        Some(self.node(colon, colon, YValue::Null))
    }

    /// A block list of one-line scalars, every item `- ` at `indent`.
    fn block_seq(&mut self, indent: usize) -> Option<YNode> {
        let b = self.bytes;
        let mut items = Vec::new();
        let mut start = None;
        while let Some(l) = self.line() {
            let s = &b[l.start..l.end];
            let lead = s.iter().take_while(|&&c| c == b' ').count();
            if lead == s.len() {
                // A blank line ends the list or sits inside it: leave it to
                // the full parser.
                return None;
            }
            if lead != indent || s[lead] != b'-' {
                if lead == 0 && s[0] != b'-' && s[0] != b'#' {
                    break;
                }
                return None;
            }
            let dash = l.start + lead;
            let mut i = dash + 1;
            if i >= l.end || b[i] != b' ' {
                return None;
            }
            while i < l.end && b[i] == b' ' {
                i += 1;
            }
            if i >= l.end {
                return None;
            }
            let (node, after) = match b[i] {
                b'"' | b'\'' => self.quoted(i, l.end)?,
                _ => self.plain(i, l.end, false)?,
            };
            start.get_or_insert(if indent == 0 { i } else { dash });
            self.line_end(after, &l)?;
            items.push(node);
        }
        let start = start?;
        let end = items.last()?.span.end - self.base;
        Some(self.node(start, end, YValue::Seq(items)))
    }

    /// `[a, "b", c]` on one line; returns the node and the offset after `]`.
    fn flow_seq(&mut self, open: usize, end: usize) -> Option<(YNode, usize)> {
        let b = self.bytes;
        let mut items = Vec::new();
        let mut i = open + 1;
        loop {
            while i < end && b[i] == b' ' {
                i += 1;
            }
            if i >= end {
                return None;
            }
            if b[i] == b']' {
                i += 1;
                break;
            }
            let (node, after) = match b[i] {
                b'"' | b'\'' => self.quoted(i, end)?,
                _ => self.plain(i, end, true)?,
            };
            items.push(node);
            i = after;
            while i < end && b[i] == b' ' {
                i += 1;
            }
            match b.get(i) {
                Some(b',') if i < end => i += 1,
                Some(b']') if i < end => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
        Some((self.node(open, i, YValue::Seq(items)), i))
    }

    /// A plain scalar from `start`, ending at the end of the line, before
    /// ` #`, or (in a flow list) before `,` or `]`.
    fn plain(&mut self, start: usize, end: usize, flow: bool) -> Option<(YNode, usize)> {
        let b = self.bytes;
        let first = b[start];
        let starts_ok = first.is_ascii_alphanumeric()
            || first >= 0x80
            || matches!(first, b'_' | b'/' | b'(' | b'$' | b'<' | b'=' | b'^' | b';')
            || (first == b'-' && b.get(start + 1).is_some_and(u8::is_ascii_digit));
        if !starts_ok {
            return None;
        }
        let mut i = start;
        while i < end {
            match b[i] {
                b':' => {
                    let next = b.get(i + 1).copied();
                    if i + 1 >= end || next == Some(b' ') {
                        return None;
                    }
                    if flow && !next.is_some_and(|c| c.is_ascii_alphanumeric()) {
                        return None;
                    }
                }
                b'#' if b[i - 1] == b' ' => break,
                b',' | b']' if flow => break,
                b'[' | b'{' | b'}' | b'"' | b'\'' | b'#' if flow => return None,
                _ => {}
            }
            i += 1;
        }
        let mut e = i;
        while e > start && b[e - 1] == b' ' {
            e -= 1;
        }
        let value = plain_value(&self.text[start..e])?;
        Some((self.node(start, e, value), e))
    }

    /// A one-line quoted scalar at `start`; returns it and the offset after
    /// the closing quote.
    fn quoted(&mut self, start: usize, end: usize) -> Option<(YNode, usize)> {
        let b = self.bytes;
        let quote = b[start];
        let mut out = String::new();
        let mut run = start + 1;
        let mut i = start + 1;
        loop {
            if i >= end {
                return None;
            }
            let c = b[i];
            if c == quote {
                if quote == b'\'' && b.get(i + 1) == Some(&b'\'') && i + 1 < end {
                    out.push_str(&self.text[run..=i]);
                    i += 2;
                    run = i;
                    continue;
                }
                out.push_str(&self.text[run..i]);
                i += 1;
                break;
            }
            if quote == b'"' && c == b'\\' {
                out.push_str(&self.text[run..i]);
                let escaped = match b.get(i + 1) {
                    Some(b'"') => '"',
                    Some(b'\\') => '\\',
                    Some(b'/') => '/',
                    Some(b'n') => '\n',
                    Some(b't') => '\t',
                    _ => return None,
                };
                if i + 1 >= end {
                    return None;
                }
                out.push(escaped);
                i += 2;
                run = i;
                continue;
            }
            i += 1;
        }
        Some((self.node(start, i, YValue::Str(out)), i))
    }

    /// `|`, `|-`, `>` or `>-` at `at`, its content on the following lines,
    /// all at one indentation (deeper lines only in a literal scalar).
    fn block_scalar(&mut self, at: usize, header: &Line) -> Option<YNode> {
        let b = self.bytes;
        let literal = b[at] == b'|';
        let mut i = at + 1;
        let strip = b.get(i) == Some(&b'-') && i < header.end;
        if strip {
            i += 1;
        }
        while i < header.end && b[i] == b' ' {
            i += 1;
        }
        if i != header.end {
            return None;
        }
        self.pos = header.next;
        let first = self.line()?;
        let s = &b[first.start..first.end];
        let indent = s.iter().take_while(|&&c| c == b' ').count();
        if indent == 0 || indent == s.len() {
            return None;
        }
        let start = first.start + indent;
        let mut out = String::new();
        // Blank lines seen since the last content line.
        let mut blanks = 0usize;
        let mut any = false;
        let mut end = b.len();
        while let Some(l) = self.line() {
            let s = &b[l.start..l.end];
            let lead = s.iter().take_while(|&&c| c == b' ').count();
            if lead == s.len() {
                if lead > indent {
                    return None;
                }
                blanks += 1;
                self.pos = l.next;
                continue;
            }
            if lead < indent {
                if lead > 0 || s[0] == b'#' {
                    return None;
                }
                end = l.start;
                break;
            }
            if lead > indent && !literal {
                return None;
            }
            if any {
                if literal {
                    out.extend(std::iter::repeat_n('\n', blanks + 1));
                } else if blanks == 0 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', blanks));
                }
            }
            out.push_str(&self.text[l.start + indent..l.end]);
            any = true;
            blanks = 0;
            self.pos = l.next;
        }
        if !strip {
            out.push('\n');
        }
        Some(self.node(start, end, YValue::Str(out)))
    }
}

/// The value of a plain scalar under the core schema as agentc reads it
/// (only `true`/`false` as booleans), or `None` for a form the full parser
/// should type (numbers other than plain decimals, and so on).
fn plain_value(s: &str) -> Option<YValue> {
    let b = s.as_bytes();
    let first = *b.first()?;
    if first.is_ascii_digit() || first == b'-' {
        return number(s);
    }
    Some(match s {
        "true" | "True" | "TRUE" => YValue::Bool(true),
        "false" | "False" | "FALSE" => YValue::Bool(false),
        "null" | "Null" | "NULL" => YValue::Null,
        _ => YValue::Str(s.to_string()),
    })
}

/// `-?(0|[1-9][0-9]*)` as an integer, `-?(0|[1-9][0-9]*)\.[0-9]+` as a
/// float; anything else starting with a digit or `-` goes to the full
/// parser.
fn number(s: &str) -> Option<YValue> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    if !all_digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    match frac {
        None => s.parse::<i64>().ok().map(YValue::Int),
        Some(f) if all_digits(f) && s.len() <= 24 => s.parse::<f64>().ok().map(YValue::Float),
        Some(_) => None,
    }
}
