//! The default format: miette's graphical report, with the source snippet,
//! the underline, labels and help. Colour only when asked for.

use super::escape::{escape as esc, neutralise_in_place};
use super::{Report, locate};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::FileId;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
};
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// One file's text for miette, shared by all of the file's findings.
///
/// miette finds a snippet's lines by scanning its source from the first
/// byte, so handing it the whole file made each finding cost the length of
/// the file and a file with thousands of findings quadratic. This source
/// hands miette only the lines around each span (found through a line
/// index), and shifts the line numbers back: the output is the same, except
/// that a line too long to show whole is cut to the bytes around the span.
#[derive(Clone)]
struct Snippets(Arc<SnippetText>);

/// Bytes shown on either side of a finding whose lines are too long to show
/// whole.
const SNIPPET_SIDE: usize = 512;

struct SnippetText {
    text: String,
    /// Start of every line as miette counts them (`\n`, `\r\n` and a lone
    /// `\r` end a line).
    line_starts: Vec<usize>,
}

impl Snippets {
    fn new(text: &str) -> Snippets {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                line_starts.push(i + 1);
            }
        }
        Snippets(Arc::new(SnippetText {
            text: text.to_string(),
            line_starts,
        }))
    }

    /// The bytes miette needs to read for `span` with this much context: whole
    /// lines from more than `before` lines above the span to more than `after`
    /// below.
    fn window(&self, span: &SourceSpan, before: usize, after: usize) -> Range<usize> {
        let starts = &self.0.line_starts;
        let line_of = |offset: usize| starts.partition_point(|&s| s <= offset) - 1;
        let first = line_of(span.offset());
        let last = line_of(span.offset() + span.len().saturating_sub(1));
        // One line of slack on each side: miette places an empty span by the
        // byte before it, and ends the context only when it sees the line
        // break after it.
        let from = starts[first.saturating_sub(before).saturating_sub(1)];
        let to = starts
            .get(last.saturating_add(after).saturating_add(2))
            .copied()
            .unwrap_or(self.0.text.len());
        from..to
    }

    /// miette's reading of the span from a cut of the text: at most
    /// [`SNIPPET_SIDE`] bytes on a side that asks for context, else the
    /// couple of bytes miette looks at, at char boundaries and never between
    /// `\r` and `\n`. miette shows the whole of every line it is given, and
    /// a finding in a very long line would otherwise print that line again
    /// for each of its findings.
    fn clipped(
        &self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'_> + '_>, MietteError> {
        let text = &self.0.text;
        let bytes = text.as_bytes();
        let starts = &self.0.line_starts;
        let splits_crlf = |at: usize| at > 0 && bytes.get(at - 1..=at) == Some(b"\r\n");
        let side = |context: usize| if context == 0 { 2 } else { SNIPPET_SIDE };
        let mut from = span.offset().saturating_sub(side(before));
        while !text.is_char_boundary(from) || splits_crlf(from) {
            from -= 1;
        }
        let mut to = (span.offset() + span.len() + side(after)).min(text.len());
        while !text.is_char_boundary(to) || splits_crlf(to) {
            to += 1;
        }
        let inner = bytes[from..to].read_span(
            &SourceSpan::new((span.offset() - from).into(), span.len()),
            before,
            after,
        )?;
        let line = starts.partition_point(|&s| s <= from) - 1;
        let column = if before == 0 && inner.line() == 0 {
            inner.column() + from - starts[line]
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + line,
            column,
            inner.line_count() + line,
        )))
    }
}

impl SourceCode for Snippets {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.0.text.as_bytes();
        if span.offset() + span.len() > text.len() {
            // miette's own answer (out of bounds) for a span past the end.
            return text.read_span(span, context_lines_before, context_lines_after);
        }
        let window = self.window(span, context_lines_before, context_lines_after);
        if window.len() > span.len() + 2 * SNIPPET_SIDE {
            return self.clipped(span, context_lines_before, context_lines_after);
        }
        let lines_above = self.0.line_starts.partition_point(|&s| s < window.start);
        let inner = text[window.clone()].read_span(
            &SourceSpan::new((span.offset() - window.start).into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + window.start).into(),
                inner.span().len(),
            ),
            inner.line() + lines_above,
            inner.column(),
            inner.line_count() + lines_above,
        )))
    }
}

struct Shown {
    message: String,
    code: &'static str,
    severity: Severity,
    help: Option<String>,
    source: Option<NamedSource<Snippets>>,
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

fn shown(d: &Diagnostic, report: &Report, snippets: &mut HashMap<FileId, Snippets>) -> Shown {
    let mut help = d.help.as_deref().map(|h| esc(h).into_owned());
    let mut labels = Vec::new();
    let mut source = None;
    if let Some(span) = d.span {
        let f = report.sources.get(span.file);
        let len = span.end.saturating_sub(span.start);
        labels.push(LabeledSpan::new_primary_with_span(None, (span.start, len)));
        for l in &d.labels {
            if l.span.file == span.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(esc(&l.message).into_owned()),
                    (l.span.start, l.span.end.saturating_sub(l.span.start)),
                ));
            } else {
                let at = locate(l.span, report.sources);
                let note = format!(
                    "{} at {}:{}:{}",
                    esc(&l.message),
                    esc(&at.path),
                    at.line,
                    at.column
                );
                help = Some(match help {
                    Some(h) => format!("{h}\nnote: {note}"),
                    None => format!("note: {note}"),
                });
            }
        }
        let text = snippets
            .entry(span.file)
            .or_insert_with(|| Snippets::new(&neutralise_in_place(&f.text)))
            .clone();
        source = Some(NamedSource::new(esc(&f.display), text));
    }
    Shown {
        message: esc(&d.message).into_owned(),
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
    // Each finding renders on its own: many are rendered a chunk per
    // thread and joined in order, the same text as one after another.
    let render_some = |ds: &[(Diagnostic, Option<super::Location>)]| {
        let mut out = String::new();
        let mut snippets = HashMap::new();
        for (d, _) in ds {
            let s = shown(d, report, &mut snippets);
            if handler.render_report(&mut out, &s).is_err() {
                out.push_str(&format!(
                    "{}[{}] {}\n",
                    d.severity.as_str(),
                    d.rule.code(),
                    esc(&d.message)
                ));
            }
            out.push('\n');
        }
        out
    };
    if report.diagnostics.len() < 2 * RENDER_CHUNK {
        return render_some(&report.diagnostics);
    }
    use rayon::prelude::*;
    report
        .diagnostics
        .par_chunks(RENDER_CHUNK)
        .map(render_some)
        .collect::<Vec<String>>()
        .concat()
}

/// Findings rendered together on one thread: enough to be worth a
/// thread's start, few enough to share a large report among the cores.
const RENDER_CHUNK: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(c: &dyn SpanContents<'_>) -> (Vec<u8>, usize, usize, usize, usize, usize) {
        (
            c.data().to_vec(),
            c.span().offset(),
            c.span().len(),
            c.line(),
            c.column(),
            c.line_count(),
        )
    }

    #[test]
    fn snippets_read_what_miette_reads_from_the_whole_text() {
        let texts = [
            "",
            "a",
            "---\nname: x\n---\nbody\n",
            "\u{feff}---\r\nname: x\r\n\r\n---\r\nb\r\n",
            "a\rb\r\rc\n\nd\r\n",
            "é: ü\n\nλ\r\n  - x\n",
        ];
        for text in texts {
            let snippets = Snippets::new(text);
            for start in 0..=text.len() {
                for end in start..=text.len() + 1 {
                    for (before, after) in [(0, 0), (1, 1), (2, 3), (0, 2)] {
                        let span = SourceSpan::new(start.into(), end - start);
                        let whole = text.read_span(&span, before, after);
                        let ours = snippets.read_span(&span, before, after);
                        match (whole, ours) {
                            (Ok(w), Ok(o)) => assert_eq!(
                                contents(w.as_ref()),
                                contents(o.as_ref()),
                                "{text:?} {start}..{end} context {before}/{after}"
                            ),
                            (Err(_), Err(_)) => {}
                            (w, o) => panic!(
                                "{text:?} {start}..{end}: whole text {:?}, snippets {:?}",
                                w.is_ok(),
                                o.is_ok()
                            ),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn reads_without_context_in_very_long_lines_match_miette() {
        // miette takes the header's line and column from such a read.
        let text = format!("a\r\n{}\r{}\r\nz", "é".repeat(800), "x, ".repeat(600));
        let snippets = Snippets::new(&text);
        for start in (0..text.len()).step_by(7) {
            for len in [0, 1, 5, 40] {
                let span = SourceSpan::new(start.into(), len.min(text.len() - start));
                let whole = text.read_span(&span, 0, 0).unwrap();
                let ours = snippets.read_span(&span, 0, 0).unwrap();
                assert_eq!(
                    contents(whole.as_ref()),
                    contents(ours.as_ref()),
                    "{start}+{len}"
                );
            }
        }
    }

    #[test]
    fn a_snippet_reads_only_the_lines_around_its_span() {
        let text: String = (0..50_000).map(|i| format!("k{i}: v\n")).collect();
        let snippets = Snippets::new(&text);
        let at = text.find("k40000:").unwrap();
        let window = snippets.window(&SourceSpan::new(at.into(), 6), 1, 1);
        let lines = text[window].lines().collect::<Vec<_>>();
        assert_eq!(
            lines,
            [
                "k39998: v",
                "k39999: v",
                "k40000: v",
                "k40001: v",
                "k40002: v"
            ]
        );
    }
}
