//! What the cursor is on, read from the buffer as it is now (which may not
//! parse yet: the user is typing). Only the frontmatter's shape matters
//! here: which top-level key a line belongs to, and which value or list
//! item the cursor is in. Meaning (is this provider known? which route?)
//! comes from the analysis, never from here.

use std::ops::Range;

/// One key of the frontmatter, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyLine {
    pub key: String,
    /// The key's bytes.
    pub key_range: Range<usize>,
    /// The whole entry: the key's line and its indented continuation lines.
    pub entry: Range<usize>,
    /// The value on the key's line, trimmed, without a trailing comment.
    pub value: Range<usize>,
}

/// A scalar (or one item of a list) under a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The top-level key it belongs to.
    pub key: String,
    /// A nested key it is the value of (`agent` in a `handoffs` entry).
    pub subkey: Option<String>,
    /// The text, without quotes.
    pub text: String,
    /// The raw token's bytes, quotes included; empty at the cursor when
    /// nothing is typed yet.
    pub range: Range<usize>,
    /// Whether the value is written in quotes.
    pub quoted: bool,
    /// Whether it is one item of a list (flow `[a, b]` or block `- a`).
    pub in_list: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Context {
    /// On a key, or at the start of a line where a key can be typed
    /// (`prefix` is what is typed so far).
    Key { prefix: Range<usize> },
    /// On a value.
    Value(Item),
    /// Not in the frontmatter, or somewhere nothing is offered.
    None,
}

/// The frontmatter's byte range (between the fences), when there is one.
pub fn frontmatter(text: &str) -> Option<Range<usize>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - body.len();
    let first = body.lines().next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let start = bom + body.find('\n')? + 1;
    let mut at = start;
    for line in text[start..].split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == "---" {
            return Some(start..at);
        }
        at += line.len();
    }
    // Unclosed: everything is frontmatter while it is being typed.
    Some(start..text.len())
}

/// The top-level keys of the frontmatter, in order.
pub fn keys(text: &str) -> Vec<KeyLine> {
    let Some(fm) = frontmatter(text) else {
        return Vec::new();
    };
    let mut out: Vec<KeyLine> = Vec::new();
    let mut at = fm.start;
    for line in text[fm.clone()].split_inclusive('\n') {
        let content = line.trim_end_matches(['\r', '\n']);
        let starts_entry = !content.is_empty()
            && !content.starts_with([' ', '\t', '#', '-'])
            && content.contains(':');
        if starts_entry {
            let colon = key_colon(content);
            if let Some(colon) = colon {
                let key = content[..colon].trim_end();
                let key = key.trim_matches(['"', '\'']);
                let value = trim_value(content, colon + 1);
                out.push(KeyLine {
                    key: key.to_string(),
                    key_range: at..at + content[..colon].trim_end().len(),
                    entry: at..at + line.len(),
                    value: at + value.start..at + value.end,
                });
            }
        } else if let Some(last) = out.last_mut()
            && content.starts_with([' ', '\t', '-'])
            && !content.trim().is_empty()
        {
            last.entry.end = at + line.len();
        }
        at += line.len();
    }
    out
}

/// The colon that ends a key (`key: value` or `key:` at the end).
fn key_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' '))
}

/// The value after `from`, trimmed, without a ` #` comment outside quotes.
fn trim_value(line: &str, from: usize) -> Range<usize> {
    let rest = &line[from..];
    let lead = rest.len() - rest.trim_start().len();
    let start = from + lead;
    let mut end = line.len();
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line[start..].char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if (c == '"' || c == '\'') && i == 0 => quote = Some(c),
            None if c == '#' && (prev == ' ' || prev == '\t') => {
                end = start + i;
                break;
            }
            None => {}
        }
        prev = c;
    }
    let end = start + line[start..end].trim_end().len();
    start..end.max(start)
}

/// What is at byte `at` of `text`.
pub fn at(text: &str, at: usize) -> Context {
    let Some(fm) = frontmatter(text) else {
        return Context::None;
    };
    if at < fm.start || at > fm.end {
        return Context::None;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let col = at - line_start;
    if line.starts_with('#') {
        return Context::None;
    }
    // A top-level key line.
    if !line.starts_with([' ', '\t', '-']) {
        match key_colon(line) {
            Some(colon) if col > colon => {
                let key = line[..colon].trim().trim_matches(['"', '\'']).to_string();
                let value = trim_value(line, colon + 1);
                return Context::Value(item_in(text, line_start, key, None, value.clone(), at));
            }
            _ => {
                let end = key_colon(line).unwrap_or(line.len());
                let word = line[..end].trim_end();
                return Context::Key {
                    prefix: line_start..line_start + word.len(),
                };
            }
        }
    }
    // An indented line: find the key it belongs to.
    let Some(owner) = keys(text)
        .into_iter()
        .rev()
        .find(|k| k.key_range.start <= line_start)
    else {
        return Context::None;
    };
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let (item_start, in_list) = match trimmed.strip_prefix('-') {
        Some(rest) => (indent + 1 + (rest.len() - rest.trim_start().len()), true),
        None => (indent, false),
    };
    if col < item_start {
        return Context::None;
    }
    // `- agent: name` or `  agent: name` inside a list of mappings.
    let tail = &line[item_start..];
    if let Some(colon) = key_colon(tail)
        && !tail.starts_with(['"', '\''])
    {
        let sub = tail[..colon].trim().to_string();
        if col > item_start + colon {
            let value = trim_value(line, item_start + colon + 1);
            return Context::Value(item_in(text, line_start, owner.key, Some(sub), value, at));
        }
        return Context::None;
    }
    let value = trim_value(line, item_start);
    let mut item = item_in(text, line_start, owner.key, None, value, at);
    item.in_list |= in_list;
    Context::Value(item)
}

/// The item at `at` within the value `value` (bytes of the line starting at
/// `line_start`): the value itself, or one entry of a flow list.
fn item_in(
    text: &str,
    line_start: usize,
    key: String,
    subkey: Option<String>,
    value: Range<usize>,
    at: usize,
) -> Item {
    let v = &text[line_start + value.start..line_start + value.end];
    let base = line_start + value.start;
    if v.starts_with('[') {
        // Flow list: split at commas outside quotes.
        let inner_start = base + 1;
        let inner_end = base + v.len() - usize::from(v.ends_with(']') && v.len() > 1);
        let mut start = inner_start;
        let mut quote: Option<char> = None;
        let mut pieces = Vec::new();
        for (i, c) in text[inner_start..inner_end].char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c == ',' => {
                    pieces.push(start..inner_start + i);
                    start = inner_start + i + 1;
                }
                None => {}
            }
        }
        pieces.push(start..inner_end);
        let piece = pieces
            .into_iter()
            .find(|p| at >= p.start && at <= p.end)
            .unwrap_or(at..at);
        let raw = &text[piece.clone()];
        let lead = raw.len() - raw.trim_start().len();
        let range = piece.start + lead..piece.start + lead + raw.trim().len();
        return scalar(text, key, subkey, range, true, at);
    }
    scalar(text, key, subkey, base..base + v.len(), false, at)
}

fn scalar(
    text: &str,
    key: String,
    subkey: Option<String>,
    range: Range<usize>,
    in_list: bool,
    at: usize,
) -> Item {
    let range = if range.is_empty() { at..at } else { range };
    let raw = &text[range.clone()];
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')));
    let text = if quoted {
        raw[1..raw.len() - 1].to_string()
    } else {
        raw.trim_start_matches(['"', '\'']).to_string()
    };
    Item {
        key,
        subkey,
        text,
        range,
        quoted,
        in_list,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(marked: &str) -> (String, Context) {
        let at = marked.find('|').unwrap();
        let text = marked.replacen('|', "", 1);
        let c = at_(&text, at);
        (text, c)
    }

    fn at_(text: &str, i: usize) -> Context {
        at(text, i)
    }

    fn value(marked: &str) -> (String, String, String) {
        let (text, c) = ctx(marked);
        match c {
            Context::Value(i) => (i.key, i.text, text[i.range].to_string()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn values_lists_and_keys() {
        assert_eq!(
            value("---\nprovider: lm-st|udio\n---\n"),
            ("provider".into(), "lm-studio".into(), "lm-studio".into())
        );
        assert_eq!(
            value("---\nmodel: |\n---\n"),
            ("model".into(), "".into(), "".into())
        );
        assert_eq!(
            value("---\ntools: [read, gr|ep]\n---\n"),
            ("tools".into(), "grep".into(), "grep".into())
        );
        assert_eq!(
            value("---\nfallback:\n  - \"deep|seek/x\"  # c\n---\n"),
            (
                "fallback".into(),
                "deepseek/x".into(),
                "\"deepseek/x\"".into()
            )
        );
        let (_, c) = ctx("---\ndescription: A.\nprov|\n---\n");
        assert_eq!(c, Context::Key { prefix: 20..24 });
        let (_, c) = ctx("---\nx: 1\n---\nbody |\n");
        assert_eq!(c, Context::None);
    }

    #[test]
    fn handoff_entries_name_their_subkey() {
        let (_, c) = ctx("---\nhandoffs:\n  - label: Go\n    agent: pl|an\n---\n");
        match c {
            Context::Value(i) => {
                assert_eq!(i.key, "handoffs");
                assert_eq!(i.subkey.as_deref(), Some("agent"));
                assert_eq!(i.text, "plan");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_cover_their_continuation_lines() {
        let text = "---\nname: a\ntools:\n  - read\n  - grep\nmodel: x # c\n---\n";
        let k = keys(text);
        let names: Vec<&str> = k.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(names, ["name", "tools", "model"]);
        assert_eq!(&text[k[1].entry.clone()], "tools:\n  - read\n  - grep\n");
        assert_eq!(&text[k[2].value.clone()], "x");
    }
}
