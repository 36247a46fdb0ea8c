//! The findings of one generation, self-contained: the diagnostics with a
//! copy of the files they point into, so that a snapshot can be rendered
//! in any format after the live project has moved on.

use crate::diagnostic::{Diagnostic, Span, Summary};
use crate::render::{self, Report};
use crate::source::{FileId, SourceFile, SourceMap};
use std::collections::HashMap;

#[derive(Debug)]
pub struct Findings {
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
    files: usize,
    agents: usize,
}

impl Findings {
    /// Copies the files `diagnostics` point into out of `sources`.
    pub fn new(
        sources: &SourceMap,
        mut diagnostics: Vec<Diagnostic>,
        files: usize,
        agents: usize,
    ) -> Findings {
        let mut own = SourceMap::default();
        let mut ids: HashMap<FileId, FileId> = HashMap::new();
        let mut map = |span: &mut Span| {
            let id = *ids
                .entry(span.file)
                .or_insert_with(|| own.add(copy_source(sources.get(span.file))));
            span.file = id;
        };
        for d in diagnostics.iter_mut() {
            if let Some(s) = d.span.as_mut() {
                map(s);
            }
            for l in d.labels.iter_mut() {
                map(&mut l.span);
            }
            if let Some(fix) = d.fix.as_mut() {
                for e in fix.edits.iter_mut() {
                    map(&mut e.span);
                }
            }
        }
        // The order every output uses: path, line, column, code, message.
        let mut keyed: Vec<(Option<render::Location>, Diagnostic)> = diagnostics
            .into_iter()
            .map(|d| (d.span.map(|s| render::locate(s, &own)), d))
            .collect();
        keyed.sort_by(|(la, a), (lb, b)| {
            let key = |l: &Option<render::Location>| {
                l.as_ref().map(|l| (l.path.clone(), l.line, l.column))
            };
            key(la)
                .cmp(&key(lb))
                .then_with(|| a.rule.code().cmp(b.rule.code()))
                .then_with(|| a.message.cmp(&b.message))
        });
        Findings {
            sources: own,
            diagnostics: keyed.into_iter().map(|(_, d)| d).collect(),
            files,
            agents,
        }
    }

    /// The diagnostics, sorted by path, line, column and code.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The files the diagnostics point into.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// A report to render in any of the output formats.
    pub fn report(&self) -> Report<'_> {
        Report::new(
            &self.sources,
            self.diagnostics.clone(),
            self.files,
            self.agents,
        )
    }

    /// Each diagnostic as the JSON object of `check --format json`.
    pub fn json(&self) -> Vec<serde_json::Value> {
        self.diagnostics
            .iter()
            .map(|d| {
                serde_json::to_value(render::json::diagnostic_json(d, &self.sources))
                    .unwrap_or(serde_json::Value::Null)
            })
            .collect()
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            files: self.files,
            agents: self.agents,
            ..Summary::default()
        };
        s.count(&self.diagnostics);
        s
    }
}

pub(super) fn copy_source(f: &SourceFile) -> SourceFile {
    SourceFile::new(
        f.path.clone(),
        f.display.clone(),
        f.plan_path.clone(),
        f.text.clone(),
    )
}
