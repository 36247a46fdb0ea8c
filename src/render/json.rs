//! `--format json`: one object with every finding and the summary (DESIGN §6).

use super::{Report, locate};
use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;
use serde_json::{Value, json};

/// One finding as JSON: `path`, `line`, ... are `null` for findings about
/// the command line.
pub fn diagnostic_json(d: &Diagnostic, sources: &SourceMap) -> Value {
    let loc = d.span.map(|s| locate(s, sources));
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| {
            let at = locate(l.span, sources);
            json!({
                "message": l.message,
                "path": at.path,
                "line": at.line,
                "column": at.column,
                "end_line": at.end_line,
                "end_column": at.end_column,
            })
        })
        .collect();
    let fix = d.fix.as_ref().map(|f| {
        json!({
            "message": f.message,
            "edits": f.edits.iter().map(|e| {
                let at = locate(e.span, sources);
                json!({
                    "path": at.path,
                    "line": at.line,
                    "column": at.column,
                    "end_line": at.end_line,
                    "end_column": at.end_column,
                    "replacement": e.replacement,
                })
            }).collect::<Vec<_>>(),
        })
    });
    json!({
        "code": d.rule.code(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "path": loc.as_ref().map(|l| l.path.clone()),
        "line": loc.as_ref().map(|l| l.line),
        "column": loc.as_ref().map(|l| l.column),
        "end_line": loc.as_ref().map(|l| l.end_line),
        "end_column": loc.as_ref().map(|l| l.end_column),
        "help": d.help,
        "labels": labels,
        "fix": fix,
    })
}

pub fn render(report: &Report) -> String {
    let doc = json!({
        "version": 1,
        "diagnostics": report.diagnostics.iter().map(|(d, _)| diagnostic_json(d, report.sources)).collect::<Vec<_>>(),
        "summary": report.summary,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
