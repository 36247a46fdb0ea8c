//! Output formats for findings: one [`Report`] rendered as human text
//! (miette), `short` lines, JSON, SARIF 2.1.0 or GitHub workflow commands.

pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod plan_json;
pub mod sarif;
pub mod schema;
pub mod short;

use crate::diagnostic::{Diagnostic, Span, Summary};
use crate::source::SourceMap;

/// Output formats for findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Short,
    Json,
    Sarif,
    Github,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "human" => Format::Human,
            "short" => Format::Short,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "github" => Format::Github,
            _ => return None,
        })
    }
}

/// A resolved location: path and 1-based line/column range (end exclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn locate(span: Span, sources: &SourceMap) -> Location {
    let f = sources.get(span.file);
    let (line, column) = f.line_col(span.start);
    let (end_line, end_column) = f.line_col(span.end.max(span.start));
    Location {
        path: f.display.clone(),
        line,
        column,
        end_line,
        end_column,
    }
}

/// Findings ready to render: sorted by path, line, column, code.
pub struct Report<'a> {
    pub sources: &'a SourceMap,
    pub diagnostics: Vec<(Diagnostic, Option<Location>)>,
    pub summary: Summary,
}

impl<'a> Report<'a> {
    pub fn new(
        sources: &'a SourceMap,
        diagnostics: Vec<Diagnostic>,
        files: usize,
        agents: usize,
    ) -> Report<'a> {
        let mut summary = Summary {
            files,
            agents,
            ..Summary::default()
        };
        summary.count(&diagnostics);
        let mut located: Vec<(Diagnostic, Option<Location>)> = diagnostics
            .into_iter()
            .map(|d| {
                let loc = d.span.map(|s| locate(s, sources));
                (d, loc)
            })
            .collect();
        located.sort_by(|(a, la), (b, lb)| {
            let key = |l: &Option<Location>| l.as_ref().map(|l| (l.path.clone(), l.line, l.column));
            key(la)
                .cmp(&key(lb))
                .then_with(|| a.rule.code().cmp(b.rule.code()))
                .then_with(|| a.message.cmp(&b.message))
        });
        Report {
            sources,
            diagnostics: located,
            summary,
        }
    }

    pub fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Human => human::render(self, color),
            Format::Short => short::render(self),
            Format::Json => json::render(self),
            Format::Sarif => sarif::render(self),
            Format::Github => github::render(self),
        }
    }
}
