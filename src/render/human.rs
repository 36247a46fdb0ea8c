//! The default format: miette's graphical report, with the source snippet,
//! the underline, labels and help. Colour only when asked for.

use super::{Report, locate};
use crate::diagnostic::{Diagnostic, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt;

struct Shown {
    message: String,
    code: &'static str,
    severity: Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Shown {}

impl miette::Diagnostic for Shown {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

fn shown(d: &Diagnostic, report: &Report) -> Shown {
    let mut help = d.help.clone();
    let mut labels = Vec::new();
    let mut source = None;
    if let Some(span) = d.span {
        let f = report.sources.get(span.file);
        let len = span.end.saturating_sub(span.start);
        labels.push(LabeledSpan::new_primary_with_span(None, (span.start, len)));
        for l in &d.labels {
            if l.span.file == span.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    (l.span.start, l.span.end.saturating_sub(l.span.start)),
                ));
            } else {
                let at = locate(l.span, report.sources);
                let note = format!("{} at {}:{}:{}", l.message, at.path, at.line, at.column);
                help = Some(match help {
                    Some(h) => format!("{h}\nnote: {note}"),
                    None => format!("note: {note}"),
                });
            }
        }
        source = Some(NamedSource::new(f.display.clone(), f.text.clone()));
    }
    Shown {
        message: d.message.clone(),
        code: d.rule.code(),
        severity: d.severity,
        help,
        source,
        labels,
    }
}

pub fn render(report: &Report, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100)
        .with_context_lines(1);
    let mut out = String::new();
    for (d, _) in &report.diagnostics {
        let s = shown(d, report);
        if handler.render_report(&mut out, &s).is_err() {
            out.push_str(&format!(
                "{}[{}] {}\n",
                d.severity.as_str(),
                d.rule.code(),
                d.message
            ));
        }
        out.push('\n');
    }
    out
}
