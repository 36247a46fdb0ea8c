//! Inputs found while fuzzing the parsers (see docs/fuzzing.md), each kept
//! as a test of the behaviour that was wrong, minimised.

#![allow(clippy::unwrap_used)]

use agentc::agent;
use agentc::dialect::Dialect;
use agentc::render::{Format, Report};
use agentc::source::{SourceFile, SourceMap};
use agentc::syntax::yaml::YamlLimits;

fn human_report(text: &str, dialect: Dialect) -> String {
    let mut sources = SourceMap::default();
    let file = sources.add(SourceFile::new(
        ".agents/big.md".into(),
        ".agents/big.md".into(),
        ".agents/big.md".into(),
        text.to_string(),
    ));
    let a = agent::analyze(file, text, dialect, "big", YamlLimits::default());
    let agents = usize::from(a.def.is_some());
    Report::new(&sources, a.diagnostics, 1, agents).render(Format::Human, false)
}

/// Human output read the whole file once per finding (miette scans its
/// source from the top for every snippet), so a file with thousands of
/// findings took time quadratic in its size: 2.3 s for a 234 KB file with
/// 4,900 unknown keys, against 0.06 s for JSON. Snippets are now cut from a
/// line index (the bound is asserted in `render::human`'s unit tests); this
/// pins down that a finding deep in such a file still shows its own lines,
/// with the right numbers, in LF and CRLF files.
#[test]
fn human_snippets_deep_in_a_file_with_many_findings_show_their_own_lines() {
    for eol in ["\n", "\r\n"] {
        let mut text = format!("---{eol}description: x{eol}");
        for i in 0..2000 {
            text += &format!("k{i}: v{eol}");
        }
        text += &format!("---{eol}body{eol}");
        let out = human_report(&text, Dialect::Agentc);
        let last = out
            .split("unknown-field: unknown field `k1999`")
            .nth(1)
            .unwrap();
        let snippet: Vec<&str> = last.lines().take(6).collect();
        assert_eq!(
            snippet,
            [
                " in an agentc agent file",
                "      ╭─[.agents/big.md:2002:1]",
                " 2001 │ k1998: v",
                " 2002 │ k1999: v",
                "      · ─────",
                " 2003 │ ---",
            ],
            "{eol:?}"
        );
    }
}
