//! The whole check of one file, in every dialect: analysis, then the output
//! formats, then `--fix` in passes. Every finding and fix points into
//! the file on char boundaries, and fixing never breaks that.
#![no_main]

use agentc::agent::analyze;
use agentc::diagnostic::Fix;
use agentc::dialect::Dialect;
use agentc::fix;
use agentc::render::{Format, Report};
use agentc::source::{FileId, SourceFile, SourceMap};
use agentc::syntax::yaml::YamlLimits;
use agentc_fuzz::{assert_diagnostics, assert_range, on_parse_stack, text_of};
use libfuzzer_sys::fuzz_target;

const STEM: &str = "agent";
// SARIF is left out: most of its output is the rule catalogue, whose
// rendering does not depend on the input and would take most of each run.
const FORMATS: [Format; 4] = [Format::Human, Format::Short, Format::Json, Format::Github];

fn check(text: &str, dialect: Dialect) -> Vec<Fix> {
    let analysis = analyze(FileId(0), text, dialect, STEM, YamlLimits::default());
    assert_diagnostics(&analysis.diagnostics, &[text]);
    if let Some(def) = &analysis.def {
        assert_range(text, def.name_span.start, def.name_span.end, def);
        assert_range(text, def.body.start, def.body.end, def);
    }
    analysis
        .diagnostics
        .into_iter()
        .filter_map(|d| d.fix)
        .collect()
}

fn render_all(text: &str, dialect: Dialect) {
    let mut sources = SourceMap::default();
    let file = sources.add(SourceFile::new(
        "agent.md".into(),
        "agent.md".into(),
        "agent.md".into(),
        text.to_string(),
    ));
    let analysis = analyze(file, text, dialect, STEM, YamlLimits::default());
    let agents = usize::from(analysis.def.is_some());
    let report = Report::new(&sources, analysis.diagnostics, 1, agents);
    for format in FORMATS {
        let _ = report.render(format, false);
    }
}

fuzz_target!(|data: &[u8]| {
    let text = text_of(data);
    on_parse_stack(move || {
        for dialect in Dialect::ALL {
            let fixes = check(&text, dialect);
            render_all(&text, dialect);
            if !fixes.is_empty() {
                let refs: Vec<&Fix> = fixes.iter().collect();
                let fixed = fix::fix_text(&text, &refs, |t| check(t, dialect));
                check(&fixed.text, dialect);
            }
        }
    });
});
