//! Inputs found while fuzzing the parsers (see docs/fuzzing.md), each kept
//! as a test of the behaviour that was wrong, minimised.

#![allow(clippy::unwrap_used)]

use agentc::agent;
use agentc::dialect::Dialect;
use agentc::render::{Format, Report};
use agentc::source::{SourceFile, SourceMap};
use agentc::syntax::yaml::YamlLimits;
use agentc::{Diagnostic, Rule, Span};

fn report(text: &str, dialect: Dialect, format: Format) -> String {
    let mut sources = SourceMap::default();
    let file = sources.add(SourceFile::new(
        ".agents/big.md".into(),
        ".agents/big.md".into(),
        ".agents/big.md".into(),
        text.to_string(),
    ));
    let a = agent::analyze(file, text, dialect, "big", YamlLimits::default());
    let agents = usize::from(a.def.is_some());
    Report::new(&sources, a.diagnostics, 1, agents).render(format, false)
}

fn human_report(text: &str, dialect: Dialect) -> String {
    report(text, dialect, Format::Human)
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

/// A Claude file whose one `tools:` line names every tool of `tools`, and an
/// `unknown-tool` finding on each.
fn one_line_of_unknown_tools(tools: &[String]) -> (SourceMap, Vec<Diagnostic>) {
    let text = format!("---\nname: big\ntools: {}\n---\n", tools.join(", "));
    let mut sources = SourceMap::default();
    let mut at = text.find(tools[0].as_str()).unwrap();
    let file = sources.add(SourceFile::new(
        "big.md".into(),
        "big.md".into(),
        "big.md".into(),
        text,
    ));
    let mut diagnostics = Vec::new();
    for tool in tools {
        let span = Span::new(file, at, at + tool.len());
        diagnostics.push(Diagnostic::at(Rule::UnknownTool, span, tool.clone()));
        at += tool.len() + 2;
    }
    (sources, diagnostics)
}

/// Columns were counted from the start of the line for every finding, so
/// one long line with thousands of findings (a Claude `tools:` string of
/// unknown tools) was quadratic in every output format: 1.7 s for a 187 KB
/// line with 18,000 entries. Columns inside long lines are now counted from
/// checkpoints of a char index; this pins down that the last entries of such
/// a line, after multi-byte text, still get exact columns.
#[test]
fn columns_at_the_end_of_a_long_line_with_many_findings_are_exact() {
    let tools: Vec<String> = (0..3000).map(|i| format!("Tööl{i}")).collect();
    let (sources, diagnostics) = one_line_of_unknown_tools(&tools);
    let out = Report::new(&sources, diagnostics, 1, 1).render(Format::Short, false);
    let last = out.lines().find(|l| l.ends_with(" Tööl2999")).unwrap();
    let column = "tools: ".len()
        + tools[..2999]
            .iter()
            .map(|t| t.chars().count() + 2)
            .sum::<usize>()
        + 1;
    assert_eq!(
        last,
        format!("big.md:3:{column}: warning[unknown-tool] Tööl2999")
    );
}

/// Human snippets show whole lines, so a finding in a very long line printed
/// all of it, once per finding: a 48 KB Claude file whose `tools:` line
/// names 4,900 unknown tools printed 350 MB (and held it in memory). A line
/// too long to show whole is now cut to the bytes around the span.
#[test]
fn human_snippets_of_a_very_long_line_show_the_bytes_around_the_span() {
    let tools: Vec<String> = (0..4900).map(|i| format!("Tool{i}")).collect();
    let (sources, diagnostics) = one_line_of_unknown_tools(&tools);
    let out = Report::new(&sources, diagnostics, 1, 1).render(Format::Human, false);
    assert!(out.len() < 4900 * 2000, "{} bytes", out.len());
    let snippet: Vec<&str> = out
        .split("unknown-tool: Tool2500\n")
        .nth(1)
        .unwrap()
        .lines()
        .take(4)
        .collect();
    assert_eq!(snippet[0], "   ╭─[big.md:3:23898]");
    let shown = snippet[1].strip_prefix(" 3 │ ").unwrap();
    assert_eq!(shown.len(), 512 + "Tool2500".len() + 512);
    let under = snippet[2].strip_prefix("   · ").unwrap();
    let at = shown.find(" Tool2500,").unwrap() + 1;
    assert_eq!(under, format!("{}{}", " ".repeat(at), "─".repeat(8)));
    assert_eq!(snippet[3], "   ╰────");
}
