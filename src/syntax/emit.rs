//! Writing YAML: scalars quoted only when a plain scalar would be read
//! differently (by agentc or by another harness's YAML 1.1 parser), and
//! block-style trees for the values `import` and `export` carry over.
//! Every output parses back to the same value; a test says so.

use super::yaml::{YNode, YValue};

/// Words that some YAML parsers read as something other than a string.
const RESERVED: &[&str] = &[
    "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n",
];

/// Whether `s` can be written as a plain scalar in block context and be
/// read back as the same string by any YAML parser.
pub fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s || s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if s.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) {
        return false;
    }
    // Numbers in any notation (`1`, `0x1F`, `1e3`, `.5`, `.inf`, `1_000`,
    // `12:30` in YAML 1.1): quote anything that starts like one.
    !(first.is_ascii_digit() || first == '+' || first == '.')
}

/// A YAML double-quoted scalar.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{feff}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string as a scalar: plain when safe, else double-quoted.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// A string as an item of a flow sequence (`[a, b]`), where `,`, `[`, `]`,
/// `{` and `}` also need quotes.
pub fn flow_scalar(s: &str) -> String {
    if is_plain_safe(s) && !s.contains([',', '[', ']', '{', '}']) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// `[a, b, c]`.
pub fn flow_list<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| flow_scalar(s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}

fn number(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        }
    } else if f.fract() == 0.0 && f.abs() < 1e15 {
        // `1.0` stays a float when read back.
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

fn key_text(key: &YNode) -> String {
    match &key.value {
        YValue::Str(s) => scalar(s),
        YValue::Int(i) => i.to_string(),
        YValue::Bool(b) => b.to_string(),
        YValue::Float(f) => number(*f),
        YValue::Null => "null".into(),
        // Complex keys are not written by agentc; a string of them is.
        _ => double_quoted(&format!("{:?}", key.value)),
    }
}

/// Writes `key: value` at `indent` spaces, value in block style, with a
/// final newline.
pub fn entry(out: &mut String, key: &str, value: &YNode, indent: usize) {
    let pad = " ".repeat(indent);
    let k = scalar(key);
    match &value.value {
        YValue::Seq(items) if !items.is_empty() => {
            out.push_str(&format!("{pad}{k}:\n"));
            seq_items(out, items, indent + 2);
        }
        YValue::Map(entries) if !entries.is_empty() => {
            out.push_str(&format!("{pad}{k}:\n"));
            map_entries(out, entries, indent + 2);
        }
        _ => out.push_str(&format!("{pad}{k}: {}\n", inline(value))),
    }
}

/// A value that fits on the line of its key: a scalar or an empty collection.
fn inline(value: &YNode) -> String {
    match &value.value {
        YValue::Null => "null".into(),
        YValue::Bool(b) => b.to_string(),
        YValue::Int(i) => i.to_string(),
        YValue::Float(f) => number(*f),
        YValue::Str(s) => scalar(s),
        YValue::Seq(_) => "[]".into(),
        YValue::Map(_) => "{}".into(),
    }
}

fn map_entries(out: &mut String, entries: &[(YNode, YNode)], indent: usize) {
    for (k, v) in entries {
        let pad = " ".repeat(indent);
        let k = key_text(k);
        match &v.value {
            YValue::Seq(items) if !items.is_empty() => {
                out.push_str(&format!("{pad}{k}:\n"));
                seq_items(out, items, indent + 2);
            }
            YValue::Map(inner) if !inner.is_empty() => {
                out.push_str(&format!("{pad}{k}:\n"));
                map_entries(out, inner, indent + 2);
            }
            _ => out.push_str(&format!("{pad}{k}: {}\n", inline(v))),
        }
    }
}

/// Sequence items at `indent` (`- a`), as block sequences are written under
/// a key in most YAML files.
fn seq_items(out: &mut String, items: &[YNode], indent: usize) {
    let pad = " ".repeat(indent);
    for item in items {
        match &item.value {
            YValue::Map(entries) if !entries.is_empty() => {
                // `- key: value` with the other keys aligned under the first.
                let mut inner = String::new();
                map_entries(&mut inner, entries, indent + 2);
                let inner = inner
                    .strip_prefix(&" ".repeat(indent + 2))
                    .unwrap_or(&inner);
                out.push_str(&format!("{pad}- {inner}"));
            }
            YValue::Seq(inner) if !inner.is_empty() => {
                out.push_str(&format!("{pad}-\n"));
                seq_items(out, inner, indent + 2);
            }
            _ => out.push_str(&format!("{pad}- {}\n", inline(item))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::{self, YamlLimits};

    fn reparse(text: &str) -> YNode {
        yaml::parse(text, 0, YamlLimits::default())
            .unwrap_or_else(|e| panic!("{text}\n{e:?}"))
            .root
    }

    fn strip(n: &YNode) -> serde_json::Value {
        n.to_json()
    }

    #[test]
    fn scalars_read_back_as_the_same_string() {
        for s in [
            "plain words",
            "Use this agent when: you need it",
            "a #tag",
            "ends with:",
            "yes",
            "No",
            "null",
            "~",
            "1.5",
            "0x1F",
            ".inf",
            "-leading dash",
            "[not a list]",
            "'quoted'",
            "tab\there",
            "line\nbreak",
            "back\\slash \"quote\"",
            " padded ",
            "",
            "Read, Grep, Bash(git diff:*)",
            "<example>Context: x</example>",
            "ünïcödé ✓",
        ] {
            let text = format!("k: {}\n", scalar(s));
            let root = reparse(&text);
            let YValue::Map(entries) = root.value else {
                panic!("{text}")
            };
            assert_eq!(entries[0].1.as_str(), Some(s), "{text}");
        }
    }

    #[test]
    fn flow_lists_quote_commas() {
        let text = format!("k: {}\n", flow_list(&["read", "a,b", "x]"]));
        assert_eq!(text, "k: [read, \"a,b\", \"x]\"]\n");
        let root = reparse(&text);
        assert_eq!(
            strip(&root),
            serde_json::json!({"k": ["read", "a,b", "x]"]})
        );
    }

    #[test]
    fn trees_round_trip() {
        let src = "hooks:\n  PreToolUse:\n    - matcher: Bash\n      hooks:\n        - type: command\n          command: \"echo: hi\"\n  empty: {}\nlist:\n  - [1, 2]\n  - []\n  - 2.0\n  - true\n  - null\n";
        let root = reparse(src);
        let YValue::Map(entries) = &root.value else {
            panic!()
        };
        let mut out = String::new();
        for (k, v) in entries {
            entry(&mut out, k.as_str().unwrap(), v, 0);
        }
        assert_eq!(strip(&reparse(&out)), strip(&root), "{out}");
    }
}
