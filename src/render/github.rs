//! GitHub Actions workflow commands: `::error file=…,line=…::message`.

use super::Report;
use crate::diagnostic::Severity;
use std::fmt::Write;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
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
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
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
