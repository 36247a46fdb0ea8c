//! The frontmatter fast path (`syntax::yaml::fast`) against the full YAML
//! parser: wherever the fast path answers, its tree, spans and duplicate
//! keys equal the full parser's. Inputs: every agent file under `tests/`,
//! and generated frontmatter shaped like real files (flat mappings of plain
//! and quoted scalars, flow and block lists, block scalars, comments, CRLF).

#![allow(clippy::unwrap_used)]

use agentc::source::split;
use agentc::syntax::yaml::{self, YamlLimits};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// `Some(true)` when the fast path answered (and agreed), `None` when it
/// left the text to the full parser.
fn compare(text: &str, base: usize, limits: YamlLimits) -> Result<Option<()>, String> {
    let Some(fast) = yaml::fast::parse(text, base, limits) else {
        return Ok(None);
    };
    match yaml::parse_full(text, base, limits) {
        Ok(full) if full == fast => Ok(Some(())),
        Ok(full) => Err(format!(
            "trees differ for {text:?}\nfast: {fast:?}\nfull: {full:?}"
        )),
        Err(e) => Err(format!(
            "fast path accepted what the full parser rejects: {text:?}: {e:?}"
        )),
    }
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            markdown_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

/// Compares both paths on every markdown file below `dirs`, panicking on a
/// disagreement: how many files the fast path answered, of how many.
fn answered_of(dirs: &[PathBuf]) -> (usize, usize) {
    let mut files = Vec::new();
    for dir in dirs {
        markdown_files(dir, &mut files);
    }
    let mut answered = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let Ok(fm) = split::split(&text) else {
            continue;
        };
        let yaml_text = &text[fm.yaml.clone()];
        match compare(yaml_text, fm.yaml.start, YamlLimits::default()) {
            Ok(Some(())) => answered += 1,
            Ok(None) => {}
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    (answered, files.len())
}

#[test]
fn fast_path_equals_the_full_parser_on_every_test_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs: Vec<PathBuf> = ["tests", "agents", "templates", ".agents"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    let (answered, files) = answered_of(&dirs);
    assert!(files > 10, "found only {files} files");
    // The catalogue and templates are the common shape: most files take
    // the fast path, or it has stopped answering.
    assert!(answered * 2 > files, "{answered} of {files}");
}

/// How often the fast path answers on a folder of real files, for
/// docs/performance.md: `AGENTC_FAST_PATH_DIR=../shared/corpus cargo test
/// --release --test yaml_fast share -- --ignored --nocapture`. Both paths
/// are compared on every file, as above.
#[test]
#[ignore = "needs AGENTC_FAST_PATH_DIR"]
fn fast_path_share_of_a_folder() {
    let dir = std::env::var_os("AGENTC_FAST_PATH_DIR").expect("set AGENTC_FAST_PATH_DIR");
    let (answered, files) = answered_of(&[PathBuf::from(dir)]);
    println!("the fast path answered {answered} of {files} files");
}

#[test]
fn fast_path_answers_for_the_common_shape() {
    let text = "name: explore\ndescription: >-\n  Read-only explorer.\n  Use it to find files.\n\
                role: explorer\nprovider: lm-studio\nmodel: qwen-2.5-7b\n\
                fallback: [deepseek/deepseek-v4-flash]\ntools: [read, grep, glob]\n\
                temperature: 0.2\nmax_tokens: 4096\nx-team: \"core\"\n";
    assert_eq!(compare(text, 4, YamlLimits::default()), Ok(Some(())));
    let crlf = text.replace('\n', "\r\n");
    assert_eq!(compare(&crlf, 4, YamlLimits::default()), Ok(Some(())));
    let claude = "name: reviewer\ndescription: Use this agent when reviewing code, after a change\n\
                  tools: Read, Grep, Glob\nmodel: sonnet\ncolor: blue\n";
    assert_eq!(compare(claude, 4, YamlLimits::default()), Ok(Some(())));
}

#[test]
fn fast_path_leaves_errors_and_odd_shapes_to_the_full_parser() {
    for text in [
        "",
        "# only a comment\n",
        "description: Use when: x\n",
        "a: &x 1\nb: *x\n",
        "a:\n  b: c\n",
        "a: x\n  continued\n",
        "a: \"multi\n  line\"\n",
        "a: [x,\n  y]\n",
        "a: {b: c}\n",
        "a: 010\n",
        "a: 1e3\n",
        "a: 0x1F\n",
        "a: .inf\n",
        "a: |+\n  x\n",
        "a: >2\n  x\n",
        "a:\tb\n",
        "a: b\rc: d\n",
        "- a\n- b\n",
        "? a\n: b\n",
        "\"a\": 1\n",
        "a: 9223372036854775808\n",
        "a: !tag x\n",
    ] {
        assert_eq!(
            yaml::fast::parse(text, 0, YamlLimits::default()),
            None,
            "{text:?}"
        );
    }
    // Budgets tighter than the fast path can judge go to the full parser.
    let tight = YamlLimits {
        max_depth: 1,
        max_nodes: 10_000,
    };
    assert_eq!(yaml::fast::parse("a: [b]\n", 0, tight), None);
    let few = YamlLimits {
        max_depth: 64,
        max_nodes: 4,
    };
    assert_eq!(yaml::fast::parse("a: [b, c, d]\n", 0, few), None);
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("read".to_string()),
        Just("lm-studio/qwen-2.5-7b".to_string()),
        Just("ollama/qwen2.5-coder:7b".to_string()),
        Just("true".to_string()),
        Just("False".to_string()),
        Just("NULL".to_string()),
        Just("yes".to_string()),
        Just("0".to_string()),
        Just("-12".to_string()),
        Just("0.2".to_string()),
        Just("1.50".to_string()),
        Just("007".to_string()),
        Just("1e3".to_string()),
        Just("é ü".to_string()),
        Just("Read, Grep".to_string()),
        Just("http://localhost:1234/v1".to_string()),
        "[a-zA-Z][a-zA-Z0-9 ._/:,#'\"\\-]{0,24}",
    ]
}

fn quoted() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z :#,\\[\\]'é]{0,16}".prop_map(|s| format!("\"{s}\"")),
        "[a-z :#,\\[\\]\"é]{0,16}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
        Just("\"a\\\"b\\\\c\\nd\\te\\/f\"".to_string()),
        Just("\"\\u00e9\"".to_string()),
        Just("'it''s'".to_string()),
    ]
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![word(), quoted()]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => scalar(),
        1 => Just(String::new()),
        1 => scalar().prop_map(|s| format!("{s}  # note")),
        2 => prop::collection::vec(scalar(), 0..4)
            .prop_map(|v| format!("[{}]", v.join(", "))),
        1 => prop::collection::vec(scalar(), 1..3)
            .prop_map(|v| format!("[ {} , ]", v.join(" ,"))),
        2 => (0..3usize, prop::collection::vec(scalar(), 1..4)).prop_map(|(indent, v)| {
            let pad = " ".repeat(indent);
            v.iter().map(|s| format!("\n{pad}- {s}")).collect::<String>()
        }),
        2 => (
            prop_oneof![Just("|"), Just("|-"), Just(">"), Just(">-"), Just(">+"), Just("|2")],
            1..4usize,
            prop::collection::vec(
                prop_oneof![
                    3 => "[a-zA-Z][a-zA-Z .:#,]{0,20}",
                    1 => Just(String::new()),
                    1 => Just("  deeper".to_string()),
                    1 => Just("trailing  ".to_string()),
                ],
                1..5,
            ),
        )
            .prop_map(|(header, indent, lines)| {
                let pad = " ".repeat(indent);
                let body: String = lines
                    .iter()
                    .map(|l| if l.is_empty() { "\n".to_string() } else { format!("\n{pad}{l}") })
                    .collect();
                format!("{header}{body}")
            }),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("name".to_string()),
        Just("description".to_string()),
        Just("tools".to_string()),
        Just("model".to_string()),
        Just("x-team".to_string()),
        Just("true".to_string()),
        "[a-z_][a-z0-9_.-]{0,10}",
    ]
}

fn frontmatter() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => (key(), value()).prop_map(|(k, v)| {
                if v.is_empty() || v.starts_with('\n') {
                    format!("{k}:{v}")
                } else {
                    format!("{k}: {v}")
                }
            }),
            1 => Just(String::new()),
            1 => Just("# comment".to_string()),
            1 => Just("  # indented comment".to_string()),
        ],
        1..10,
    )
    .prop_map(|lines| lines.join("\n") + "\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn fast_path_equals_the_full_parser_on_frontmatter_like_text(
        text in frontmatter(),
        crlf in any::<bool>(),
        base in 0..8usize,
    ) {
        let text = if crlf { text.replace('\n', "\r\n") } else { text };
        if let Err(e) = compare(&text, base, YamlLimits::default()) {
            return Err(TestCaseError::fail(e));
        }
    }
}
