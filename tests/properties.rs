//! Property tests: the splitter and the per-file checks never panic, and
//! every span lies inside the file and starts at the key or value it names.

#![allow(clippy::unwrap_used)]

use agentc::agent;
use agentc::dialect::Dialect;
use agentc::source::FileId;
use agentc::source::split;
use agentc::syntax::yaml::YamlLimits;
use proptest::prelude::*;

fn check_spans(text: &str, dialect: Dialect) -> Result<(), TestCaseError> {
    let a = agent::analyze(FileId(0), text, dialect, "stem", YamlLimits::default());
    for d in &a.diagnostics {
        let span = d.span.expect("file findings have a span");
        prop_assert!(span.start <= span.end, "{d:?}");
        prop_assert!(span.end <= text.len(), "{d:?}");
        prop_assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "{d:?}"
        );
        for l in &d.labels {
            prop_assert!(l.span.end <= text.len() && l.span.start <= l.span.end);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        let _ = split::split(&text);
        for d in Dialect::ALL {
            check_spans(&text, d)?;
        }
    }

    #[test]
    fn frontmatter_like_text_never_panics(
        body in prop::collection::vec(prop_oneof![
            Just("---".to_string()),
            Just("name: x".to_string()),
            Just("description: a: b".to_string()),
            Just("tools: [read, gerp".to_string()),
            Just("  - item".to_string()),
            Just("x-a: &a [1, *a]".to_string()),
            Just("model: \"unterminated".to_string()),
            Just("\u{feff}".to_string()),
            Just("\t".to_string()),
            "[a-z:\\[\\]{}\"' #&*!|>-]{0,20}",
        ], 0..12),
        crlf in any::<bool>(),
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let text = body.join(nl);
        for d in Dialect::ALL {
            check_spans(&text, d)?;
        }
    }
}

/// A frontmatter line: key, value as written, and whether the value is a
/// plain scalar whose source text is its value.
fn entry() -> impl Strategy<Value = (String, String)> {
    let key = prop_oneof![
        Just("name".to_string()),
        Just("description".to_string()),
        Just("role".to_string()),
        Just("provider".to_string()),
        Just("model".to_string()),
        Just("temperature".to_string()),
        Just("top_p".to_string()),
        Just("max_tokens".to_string()),
        Just("timeout".to_string()),
        Just("reasoning_effort".to_string()),
        Just("tools".to_string()),
        "[a-z][a-z_]{1,10}",
    ];
    let value = prop_oneof![
        "[a-z][a-z0-9-]{0,12}",
        Just("3.5".to_string()),
        Just("-1".to_string()),
        Just("0.2".to_string()),
        Just("hot".to_string()),
        Just("[read, gerp]".to_string()),
        Just("\"quoted value\"".to_string()),
        Just("é ü 漢字".to_string()),
    ];
    (key, value)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Findings about a key start at that key; findings about a value start
    /// at that value, whatever the line endings and BOM.
    #[test]
    fn spans_start_at_the_key_or_value_they_name(
        entries in prop::collection::vec(entry(), 1..8),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut text = String::new();
        if bom {
            text.push('\u{feff}');
        }
        text.push_str("---");
        text.push_str(nl);
        let mut starts = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (k, v) in &entries {
            if !seen.insert(k.clone()) {
                continue;
            }
            let key_at = text.len();
            let value_at = key_at + k.len() + 2;
            starts.push((k.clone(), key_at, value_at, v.clone()));
            text.push_str(&format!("{k}: {v}{nl}"));
        }
        text.push_str("---");
        text.push_str(nl);
        text.push_str("Body.");
        text.push_str(nl);
        let a = agent::analyze(FileId(0), &text, Dialect::Agentc, "stem", YamlLimits::default());
        for d in &a.diagnostics {
            let s = d.span.unwrap();
            match d.rule.code() {
                "unknown-field" | "foreign-field" => {
                    prop_assert!(starts.iter().any(|(k, at, _, _)| *at == s.start && &text[s.start..s.end] == k), "{d:?} in {text:?}");
                }
                "invalid-type" | "invalid-value" | "invalid-name" | "name-mismatch" => {
                    prop_assert!(
                        starts.iter().any(|(_, _, at, v)| s.start >= *at && s.end <= at + v.len()),
                        "{d:?} in {text:?}"
                    );
                }
                "missing-field" => {
                    let open = if bom { 3 } else { 0 };
                    prop_assert!(s.start == open || starts.iter().any(|(_, _, at, _)| *at == s.start), "{d:?}");
                }
                _ => {}
            }
        }
    }
}
