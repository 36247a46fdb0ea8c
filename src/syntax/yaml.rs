//! YAML frontmatter → [`YNode`] tree with byte spans, through `serde-saphyr`
//! with budgets (nesting depth, node count after alias expansion) so that
//! alias bombs and deep nesting end quickly as a `yaml-limits` finding.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

pub mod fast;

/// A YAML value with the byte range it occupies in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct YNode {
    pub span: Range<usize>,
    pub value: YValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum YValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<YNode>),
    /// Entries in source order; duplicates are kept (see [`Parsed::duplicates`]).
    Map(Vec<(YNode, YNode)>),
}

impl YNode {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The name of this value's YAML type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            YValue::Null => "null",
            YValue::Bool(_) => "a boolean",
            YValue::Int(_) => "an integer",
            YValue::Float(_) => "a number",
            YValue::Str(_) => "a string",
            YValue::Seq(_) => "a list",
            YValue::Map(_) => "a mapping",
        }
    }

    /// The key as text, for scalar keys.
    pub fn key_text(&self) -> Option<String> {
        match &self.value {
            YValue::Str(s) => Some(s.clone()),
            YValue::Int(i) => Some(i.to_string()),
            YValue::Float(f) => Some(f.to_string()),
            YValue::Bool(b) => Some(b.to_string()),
            YValue::Null => Some("null".into()),
            _ => None,
        }
    }

    /// Converts to JSON for extension keys passed through to the plan.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            YValue::Null => Value::Null,
            YValue::Bool(b) => Value::Bool(*b),
            YValue::Int(i) => Value::from(*i),
            YValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            YValue::Str(s) => Value::String(s.clone()),
            YValue::Seq(v) => Value::Array(v.iter().map(YNode::to_json).collect()),
            YValue::Map(entries) => {
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    if let Some(k) = k.key_text() {
                        map.entry(k).or_insert_with(|| v.to_json());
                    }
                }
                Value::Object(map)
            }
        }
    }
}

/// A key that appears twice in one mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Duplicate {
    pub key: String,
    pub first: Range<usize>,
    pub second: Range<usize>,
}

#[derive(Debug, PartialEq)]
pub struct Parsed {
    pub root: YNode,
    pub duplicates: Vec<Duplicate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YamlErrorKind {
    Syntax,
    Limits,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub message: String,
    /// Absolute byte offset where the parser stopped.
    pub offset: usize,
}

/// The deepest nesting `[limits] max_yaml_depth` may allow: parsing
/// recurses once per level, and [`PARSE_STACK`] is sized for this.
pub const MAX_DEPTH_LIMIT: usize = 1000;

/// Stack size for threads that parse YAML.
pub const PARSE_STACK: usize = 64 << 20;

/// Parser budgets, from `[limits]`.
#[derive(Clone, Copy, Debug)]
pub struct YamlLimits {
    pub max_depth: usize,
    pub max_nodes: usize,
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            max_depth: 64,
            max_nodes: 10_000,
        }
    }
}

/// Parses `text` (the YAML between the fences), which starts at byte `base`
/// of its file; every span in the result is absolute. The common shape of
/// frontmatter takes the [`fast`] path; everything else, and every error,
/// comes from [`parse_full`].
pub fn parse(text: &str, base: usize, limits: YamlLimits) -> Result<Parsed, YamlError> {
    match fast::parse(text, base, limits) {
        Some(parsed) => Ok(parsed),
        None => parse_full(text, base, limits),
    }
}

/// [`parse`] through the full YAML parser only.
pub fn parse_full(text: &str, base: usize, limits: YamlLimits) -> Result<Parsed, YamlError> {
    let mut options = serde_saphyr::options::Options::default();
    options.with_snippet = false;
    options.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::PassThrough;
    options.non_finite_float_policy = serde_saphyr::options::NonFiniteFloatPolicy::AsString;
    options.strict_booleans = true;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = limits.max_depth;
    budget.max_nodes = limits.max_nodes;
    budget.max_events = limits.max_nodes.saturating_mul(4).max(1024);
    options.budget = Some(budget);

    let raw: Spanned<Raw> = serde_saphyr::from_str_with_options(text, options)
        .map_err(|e| convert_error(&e, text, base, limits))?;
    let mut duplicates = Vec::new();
    let root = convert(raw, text, base, &mut duplicates);
    Ok(Parsed { root, duplicates })
}

fn convert_error(
    e: &serde_saphyr::Error,
    text: &str,
    base: usize,
    limits: YamlLimits,
) -> YamlError {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach;
    let offset = e
        .location()
        .map_or(text.len(), |loc| location_offset(&loc, text))
        + base;
    let mut root = e;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = root {
        root = error;
    }
    let (kind, message) = match root {
        E::Budget { breach, .. } => (
            YamlErrorKind::Limits,
            match breach {
                BudgetBreach::Depth { .. } => depth_message(limits),
                BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => format!(
                    "frontmatter expands to more than {} YAML nodes (an alias bomb?)",
                    limits.max_nodes
                ),
                other => format!("frontmatter exceeds a YAML parser limit ({other:?})"),
            },
        ),
        E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => (
            YamlErrorKind::Limits,
            format!(
                "frontmatter aliases expand to more than {} YAML nodes (an alias bomb?)",
                limits.max_nodes
            ),
        ),
        // The scanner's own nesting guard, hit before the budget on flow
        // collections: the same finding.
        other if other.to_string().contains("recursion limit") => {
            (YamlErrorKind::Limits, depth_message(limits))
        }
        E::Message { msg, .. } => (YamlErrorKind::Syntax, msg.clone()),
        other => (YamlErrorKind::Syntax, strip_location(&other.to_string())),
    };
    YamlError {
        kind,
        message,
        offset,
    }
}

fn depth_message(limits: YamlLimits) -> String {
    format!("frontmatter nests deeper than {} levels", limits.max_depth)
}

/// "x at line 3, column 6" → "x".
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Byte offset in `text` of a parser location: its byte offset when known,
/// else its character offset converted.
fn location_offset(loc: &serde_saphyr::Location, text: &str) -> usize {
    let span = loc.span();
    match span.byte_offset() {
        Some(b) if (b as usize) <= text.len() => b as usize,
        _ => char_to_byte(text, span.offset() as usize),
    }
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

fn span_of<T>(node: &Spanned<T>, text: &str) -> Range<usize> {
    let span = node.referenced.span();
    match (span.byte_offset(), span.byte_len()) {
        (Some(b), Some(l)) if (b + l) as usize <= text.len() => b as usize..(b + l) as usize,
        _ => {
            let start = char_to_byte(text, span.offset() as usize);
            let end = char_to_byte(text, (span.offset() + span.len()) as usize);
            start..end
        }
    }
}

fn convert(raw: Spanned<Raw>, text: &str, base: usize, dups: &mut Vec<Duplicate>) -> YNode {
    let local = span_of(&raw, text);
    let (value, end) = match raw.value {
        Raw::Null => (YValue::Null, local.end),
        Raw::Bool(b) => (YValue::Bool(b), local.end),
        Raw::Int(i) => (YValue::Int(i), local.end),
        Raw::Float(f) => (YValue::Float(f), local.end),
        Raw::Str(s) => (YValue::Str(s), local.end),
        Raw::Seq(items) => {
            let items: Vec<YNode> = items
                .into_iter()
                .map(|i| convert(i, text, base, dups))
                .collect();
            let last = items.last().map_or(local.end, |i| i.span.end - base);
            (
                YValue::Seq(items),
                close_flow(text, local.start, last, b'[', b']'),
            )
        }
        Raw::Map(entries) => {
            let entries: Vec<(YNode, YNode)> = entries
                .into_iter()
                .map(|(k, v)| (convert(k, text, base, dups), convert(v, text, base, dups)))
                .collect();
            find_duplicates(&entries, dups);
            let last = entries
                .last()
                .map_or(local.end, |(k, v)| k.span.end.max(v.span.end) - base);
            (
                YValue::Map(entries),
                close_flow(text, local.start, last, b'{', b'}'),
            )
        }
    };
    YNode {
        span: local.start + base..end.max(local.end) + base,
        value,
    }
}

/// The end of a collection: for a flow collection, just past its closing
/// bracket; for a block one, the end of its last child.
fn close_flow(text: &str, start: usize, last: usize, open: u8, close: u8) -> usize {
    if text.as_bytes().get(start) != Some(&open) {
        return last;
    }
    let from = last.max(start + 1);
    text.as_bytes()[from.min(text.len())..]
        .iter()
        .position(|&b| b == close)
        .map_or(last, |i| from + i + 1)
}

fn find_duplicates(entries: &[(YNode, YNode)], dups: &mut Vec<Duplicate>) {
    if entries.len() < 2 {
        return;
    }
    // Hashed, so that a mapping of many keys costs time linear in its
    // size, not a comparison of every key with every other.
    let mut seen: HashMap<String, Range<usize>> = HashMap::with_capacity(entries.len());
    for (k, _) in entries {
        let Some(text) = k.key_text() else { continue };
        match seen.get(&text) {
            Some(first) => dups.push(Duplicate {
                first: first.clone(),
                key: text,
                second: k.span.clone(),
            }),
            None => {
                seen.insert(text, k.span.clone());
            }
        }
    }
}

/// The tree as serde-saphyr hands it over, before spans are made absolute.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<Raw>, Spanned<Raw>)>),
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Raw::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Parsed {
        parse(text, 0, YamlLimits::default()).unwrap()
    }

    fn entries(n: &YNode) -> &[(YNode, YNode)] {
        match &n.value {
            YValue::Map(e) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_and_values_carry_exact_byte_spans() {
        let t = "name: é x\ntools: [read, grep]\nt: 0.2\nq: \"0.2\"\n";
        let root = p(t).root;
        let e = entries(&root);
        assert_eq!(&t[e[0].0.span.clone()], "name");
        assert_eq!(&t[e[0].1.span.clone()], "é x");
        assert_eq!(&t[e[1].1.span.clone()], "[read, grep]");
        if let YValue::Seq(items) = &e[1].1.value {
            assert_eq!(&t[items[1].span.clone()], "grep");
        }
        assert_eq!(e[2].1.value, YValue::Float(0.2));
        assert_eq!(e[3].1.value, YValue::Str("0.2".into()));
        assert_eq!(&t[e[3].1.span.clone()], "\"0.2\"");
    }

    #[test]
    fn base_offset_is_added() {
        let root = parse("a: b\n", 10, YamlLimits::default()).unwrap().root;
        assert_eq!(entries(&root)[0].1.span, 13..14);
    }

    #[test]
    fn only_core_schema_booleans() {
        let root = p("a: yes\nb: y\nc: true\n").root;
        let e = entries(&root);
        assert_eq!(e[0].1.value, YValue::Str("yes".into()));
        assert_eq!(e[1].1.value, YValue::Str("y".into()));
        assert_eq!(e[2].1.value, YValue::Bool(true));
    }

    #[test]
    fn duplicates_are_reported_with_both_spans() {
        let t = "model: a\ntools: [x]\nmodel: b\n";
        let parsed = p(t);
        assert_eq!(parsed.duplicates.len(), 1);
        assert_eq!(parsed.duplicates[0].first, 0..5);
        assert_eq!(parsed.duplicates[0].second, 20..25);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let t = "name: a\ntools: [read, grep\nmodel: x\n";
        let e = parse(t, 0, YamlLimits::default()).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::Syntax);
        assert!(e.offset <= t.len());
        let e = parse("description: Use when: x\n", 0, YamlLimits::default()).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::Syntax);
        assert_eq!(e.offset, 21);
    }

    /// Runs `f` on a thread with the stack parsing threads get.
    fn on_parse_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(PARSE_STACK)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn alias_bombs_and_deep_nesting_hit_the_limits() {
        on_parse_stack(alias_bombs_and_deep_nesting);
    }

    fn alias_bombs_and_deep_nesting() {
        let mut t = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (i, c) in ('b'..='j').enumerate() {
            let prev = (b'a' + i as u8) as char;
            t += &format!("{c}: &{c} [{}]\n", vec![format!("*{prev}"); 9].join(", "));
        }
        let e = parse(&t, 0, YamlLimits::default()).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::Limits, "{e:?}");

        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        let e = parse(&deep, 0, YamlLimits::default()).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::Limits, "{e:?}");
        let deeper = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse(&deeper, 0, YamlLimits::default()).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::Limits, "{e:?}");
        let block: String = (0..200)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let e = parse(&block, 0, YamlLimits::default()).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::Limits, "{e:?}");
    }

    #[test]
    fn empty_and_comment_only_documents_are_null() {
        assert_eq!(p("").root.value, YValue::Null);
        assert_eq!(p("# c\n").root.value, YValue::Null);
    }
}
