//! Findings as data: one [`Diagnostic`] type that every stage produces and
//! every output format renders. Spans are byte ranges into a [`SourceFile`];
//! lines and columns are computed only when rendering.
//!
//! [`SourceFile`]: crate::source::SourceFile

use crate::rules::Rule;
use crate::source::FileId;
use serde::Serialize;

pub use crate::rules::Severity;

/// A byte range inside one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start,
            end: end.max(start),
        }
    }

    /// An empty span at the start of the file (line 1, column 1).
    pub fn file_start(file: FileId) -> Span {
        Span::new(file, 0, 0)
    }
}

/// A value with the span it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Span) -> Sp<T> {
        Sp { value, span }
    }
}

/// A secondary location, such as the other file of a `duplicate-name`.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One replacement of a byte range, part of a [`Fix`].
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// A safe, mechanical fix for a finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<Edit>,
}

/// One finding: a rule, where it is, what it says and how to mend it.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
    /// `None` for findings about the command line (for example an unknown
    /// agent name given to `agentc route`).
    pub span: Option<Span>,
    pub help: Option<String>,
    pub labels: Vec<Label>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A finding with the rule's default severity.
    pub fn new(rule: Rule, span: Option<Span>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.default_severity(),
            message: message.into(),
            span,
            help: None,
            labels: Vec::new(),
            fix: None,
        }
    }

    pub fn at(rule: Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(rule, Some(span), message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fix = Some(fix);
        self
    }

    pub fn file(&self) -> Option<FileId> {
        self.span.map(|s| s.file)
    }
}

/// Counts shown in every command's summary.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Summary {
    /// Agent definition files examined.
    pub files: usize,
    /// Agents that compiled without an error.
    pub agents: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn count(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => {}
            }
        }
    }
}

/// "did you mean `x`?" over a vocabulary, by edit distance.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if let Some(score) = closeness(word, c)
            && best.is_none_or(|(b, bc)| score < b || (score == b && c < bc))
        {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// How close `candidate` is to `word` (lower is closer), or `None` when it
/// is too far to suggest.
fn closeness(word: &str, candidate: &str) -> Option<usize> {
    let lower = word.to_ascii_lowercase();
    let cl = candidate.to_ascii_lowercase();
    let d = strsim::damerau_levenshtein(&lower, &cl);
    // Within a third of the word's length, and never more than 3 edits:
    // "gerp" finds "grep", "lm-studoi" finds "lm-studio", "colour" finds nothing.
    let limit = (word.chars().count().max(candidate.chars().count()) / 3).clamp(1, 3);
    let prefix = lower.len() >= 4 && (cl.starts_with(&lower) || lower.starts_with(&cl));
    if d <= limit || prefix {
        Some(if prefix && d > limit { limit + 1 } else { d })
    } else {
        None
    }
}

/// Every candidate close enough to `word` to be suggested.
pub fn close_matches<'a, I>(word: &str, candidates: I) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    candidates
        .into_iter()
        .filter(|c| closeness(word, c).is_some())
        .collect()
}

/// The help line for [`did_you_mean`], if there is a suggestion.
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    did_you_mean(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_close_words_only() {
        let tools = ["read", "grep", "glob", "bash"];
        assert_eq!(did_you_mean("gerp", tools), Some("grep"));
        assert_eq!(did_you_mean("bsh", tools), Some("bash"));
        assert_eq!(did_you_mean("deploy", tools), None);
        let providers = ["lm-studio", "ollama", "openai"];
        assert_eq!(did_you_mean("lm-studoi", providers), Some("lm-studio"));
        assert_eq!(did_you_mean("lmstudio", providers), Some("lm-studio"));
        let keys = ["name", "description", "model", "role"];
        assert_eq!(did_you_mean("modle", keys), Some("model"));
        assert_eq!(did_you_mean("colour", keys), None);
    }
}
