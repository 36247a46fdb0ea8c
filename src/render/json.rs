//! `--format json`: one object with every finding and the summary (DESIGN §6),
//! serialised from the types in [`crate::render::schema`].

use super::{Report, locate};
use crate::diagnostic::Diagnostic;
use crate::model::resolve::Resolution;
use crate::render::schema::{DiagnosticJson, DiagnosticsJson, EditJson, FixJson, LabelJson};
use crate::source::SourceMap;
use serde_json::{Value as Json, json};

/// One finding as JSON: `path`, `line`, ... are `null` for findings about
/// the command line.
pub fn diagnostic_json(d: &Diagnostic, sources: &SourceMap) -> DiagnosticJson {
    let loc = d.span.map(|s| locate(s, sources));
    DiagnosticJson {
        code: d.rule.code().to_string(),
        severity: d.severity.as_str().to_string(),
        message: d.message.clone(),
        path: loc.as_ref().map(|l| l.path.clone()),
        line: loc.as_ref().map(|l| l.line),
        column: loc.as_ref().map(|l| l.column),
        end_line: loc.as_ref().map(|l| l.end_line),
        end_column: loc.as_ref().map(|l| l.end_column),
        help: d.help.clone(),
        labels: d
            .labels
            .iter()
            .map(|l| {
                let at = locate(l.span, sources);
                LabelJson {
                    message: l.message.clone(),
                    path: at.path,
                    line: at.line,
                    column: at.column,
                    end_line: at.end_line,
                    end_column: at.end_column,
                }
            })
            .collect(),
        fix: d.fix.as_ref().map(|f| FixJson {
            message: f.message.clone(),
            edits: f
                .edits
                .iter()
                .map(|e| {
                    let at = locate(e.span, sources);
                    EditJson {
                        path: at.path,
                        line: at.line,
                        column: at.column,
                        end_line: at.end_line,
                        end_column: at.end_column,
                        replacement: e.replacement.clone(),
                    }
                })
                .collect(),
        }),
    }
}

pub fn render(report: &Report) -> String {
    let doc = DiagnosticsJson {
        version: 1,
        diagnostics: report
            .diagnostics
            .iter()
            .map(|(d, _)| diagnostic_json(d, report.sources))
            .collect(),
        summary: report.summary,
    };
    crate::route::plan::to_sorted_json(&doc)
}

/// The `layers` list: every layer that set something, lowest first.
pub fn layers_json(res: &Resolution, sources: &SourceMap) -> Vec<Json> {
    res.layers
        .iter()
        .map(|l| {
            let span = l
                .model
                .as_ref()
                .and_then(|v| v.span)
                .or(l.provider.as_ref().and_then(|v| v.span));
            let (path, line) = match span {
                Some(s) => {
                    let f = sources.get(s.file);
                    (Some(f.plan_path.clone()), Some(f.line_col(s.start).0))
                }
                None => (None, None),
            };
            let mut o = json!({
                "layer": l.layer.as_str(),
                "provider": l.provider.as_ref().map(|v| v.text.clone()),
                "model": l.model.as_ref().map(|v| v.text.clone()),
                "path": path,
                "line": line,
            });
            if let Some(f) = &l.fallback {
                o["fallback"] = json!(f.iter().map(|v| v.text.clone()).collect::<Vec<_>>());
            }
            o
        })
        .collect()
}
