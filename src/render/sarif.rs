//! SARIF 2.1.0 for code scanning: one run, a rule entry per code.

use super::{Report, locate};
use crate::diagnostic::Severity;
use crate::rules::Rule;
use serde_json::{Value, json};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.code(),
                "name": r.code(),
                "shortDescription": {"text": r.summary()},
                "fullDescription": {"text": r.docs().unwrap_or(r.summary())},
                "defaultConfiguration": {"level": level(r.default_severity())},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|(d, loc)| {
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(h);
            }
            let locations: Vec<Value> = loc
                .iter()
                .map(|l| {
                    json!({"physicalLocation": {
                        "artifactLocation": {"uri": l.path},
                        "region": {"startLine": l.line, "startColumn": l.column, "endLine": l.end_line, "endColumn": l.end_column}
                    }})
                })
                .collect();
            let related: Vec<Value> = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, lab)| {
                    let l = locate(lab.span, report.sources);
                    json!({
                        "id": i,
                        "message": {"text": lab.message},
                        "physicalLocation": {
                            "artifactLocation": {"uri": l.path},
                            "region": {"startLine": l.line, "startColumn": l.column, "endLine": l.end_line, "endColumn": l.end_column}
                        }
                    })
                })
                .collect();
            let rule_index = Rule::ALL.iter().position(|r| *r == d.rule).unwrap_or(0);
            json!({
                "ruleId": d.rule.code(),
                "ruleIndex": rule_index,
                "level": level(d.severity),
                "message": {"text": message},
                "locations": locations,
                "relatedLocations": related,
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "agentc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
