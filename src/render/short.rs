//! `path:line:col: severity[code] message`, one finding a line.

use super::Report;
use super::escape::escape;
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for (d, loc) in &report.diagnostics {
        let at = match loc {
            Some(l) => format!("{}:{}:{}", escape(&l.path), l.line, l.column),
            None => "agentc".to_string(),
        };
        let _ = writeln!(
            out,
            "{at}: {}[{}] {}",
            d.severity.as_str(),
            d.rule.code(),
            escape(&d.message)
        );
    }
    out
}
