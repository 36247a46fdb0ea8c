//! What every feature reads: the open buffers, the live analysis and the
//! settings, and the conversions between agentc's spans and paths and the
//! protocol's locations and URIs.

use super::probe::ProbeCache;
use super::text::{self, Encoding};
use crate::diagnostic::Severity;
use crate::source::SourceMap;
use crate::watch::{LivePlan, LiveProject};
use lsp_types::{self as lsp, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// One open buffer.
pub struct Doc {
    pub uri: Uri,
    pub text: String,
    pub version: i32,
    /// The version the last analysis read.
    pub analysed: Option<i32>,
}

/// What the features read: the analysis, the buffers and the settings.
pub struct State {
    pub enc: Encoding,
    pub live: LiveProject,
    pub current: Arc<LivePlan>,
    pub docs: HashMap<PathBuf, Doc>,
    pub probe: ProbeCache,
    pub rules_url: String,
    pub root: PathBuf,
    /// The client can create files in a workspace edit.
    pub can_create_files: bool,
}

impl State {
    /// The text of `path` as the editor has it, else as analysed.
    pub fn text_of(&self, path: &Path) -> Option<String> {
        if let Some(d) = self.docs.get(path) {
            return Some(d.text.clone());
        }
        let sources = self.live.sources();
        sources
            .iter()
            .find(|(_, f)| f.path == path)
            .map(|(_, f)| f.text.clone())
            .or_else(|| std::fs::read_to_string(path).ok())
    }

    /// The URI the client knows `path` by.
    pub fn uri_of(&self, path: &Path) -> Option<Uri> {
        if let Some(d) = self.docs.get(path) {
            return Some(d.uri.clone());
        }
        path_uri(path)
    }

    /// An LSP location for a byte span of a file in `sources`.
    pub fn location(&self, sources: &SourceMap, span: crate::Span) -> Option<lsp::Location> {
        let f = sources.get(span.file);
        if f.path.as_os_str().is_empty() {
            return None;
        }
        Some(lsp::Location::new(
            self.uri_of(&f.path)?,
            text::range(&f.text, span.start, span.end, self.enc),
        ))
    }

    /// The analysed text of `path` is the buffer the client has now.
    pub fn up_to_date(&self, path: &Path) -> bool {
        self.docs
            .get(path)
            .is_none_or(|d| d.analysed == Some(d.version))
    }
}

pub fn path_uri(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// One finding as an LSP diagnostic: `check`'s code, severity, message and
/// help, the rule's docs as `codeDescription`, labels as related
/// information.
pub fn to_lsp(st: &State, sources: &SourceMap, d: &crate::Diagnostic) -> Option<lsp::Diagnostic> {
    let span = d.span?;
    let f = sources.get(span.file);
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            Some(lsp::DiagnosticRelatedInformation {
                location: st.location(sources, l.span)?,
                message: l.message.clone(),
            })
        })
        .collect();
    Some(lsp::Diagnostic {
        range: text::range(&f.text, span.start, span.end, st.enc),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.rule.code().to_string())),
        code_description: Uri::from_str(&format!("{}#{}", st.rules_url, d.rule.code()))
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some("agentc".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    })
}
