//! GitHub Actions workflow commands: `::error file=…,line=…::message`.

use super::Report;
use crate::diagnostic::Severity;
use std::fmt::Write;

/// The workflow command encoding of the message: its parts from files are
/// escaped first (control characters, escape sequences, bidi overrides, line
/// breaks), so the only line break left is agentc's own before `help:`,
/// which a runner reads as `%0A`, inside one annotation.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(&super::escape::escape(s))
        .replace(':', "%3A")
        .replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for (d, loc) in &report.diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let title = escape_property(&format!("agentc({})", d.rule.code()));
        let mut message = super::escape::escape(&d.message).into_owned();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&super::escape::escape(h));
        }
        match loc {
            Some(l) => {
                let _ = writeln!(
                    out,
                    "::{level} file={},line={},col={},endLine={},endColumn={},title={title}::{}",
                    escape_property(&l.path),
                    l.line,
                    l.column,
                    l.end_line,
                    l.end_column,
                    escape_data(&message)
                );
            }
            None => {
                let _ = writeln!(out, "::{level} title={title}::{}", escape_data(&message));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(super::escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(super::escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
