//! Applying the safe fixes that findings carry (`agentc check --fix`), and
//! showing them as a unified diff (`--diff`).
//!
//! A fix is a set of byte-range replacements. Fixes are taken in file order;
//! one that overlaps a fix already taken waits for the next pass. The edits
//! are applied from the end of the file backwards, so every offset stays
//! valid, and nothing outside an edit changes: CRLF, a BOM and trailing
//! white space stay as they were. After each pass the file is analysed
//! again, so a fix that only becomes possible after another (a closing
//! fence repaired, then a value quoted) is made too.

use crate::check::suppress::{self, FileDirectives};
use crate::diagnostic::{Diagnostic, Fix};
use crate::discover::AgentFile;
use crate::model::agent;
use crate::model::config::Config;
use crate::source::{FileId, Scope, SourceMap};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Passes over one file before giving up on fixes that keep producing fixes.
pub const MAX_PASSES: usize = 10;

/// Text after fixing, and how many fixes were applied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    pub applied: usize,
}

fn valid(text: &str, fix: &Fix) -> bool {
    !fix.edits.is_empty()
        && fix.edits.iter().all(|e| {
            e.span.start <= e.span.end
                && e.span.end <= text.len()
                && text.is_char_boundary(e.span.start)
                && text.is_char_boundary(e.span.end)
        })
}

/// Applies the fixes that do not overlap each other to `text`.
pub fn apply(text: &str, fixes: &[&Fix]) -> Applied {
    let mut ordered: Vec<&Fix> = fixes.iter().copied().filter(|f| valid(text, f)).collect();
    ordered.sort_by_key(|f| {
        let start = f.edits.iter().map(|e| e.span.start).min().unwrap_or(0);
        let end = f.edits.iter().map(|e| e.span.end).max().unwrap_or(0);
        (start, end)
    });
    ordered.dedup_by(|a, b| a.edits == b.edits);
    let mut taken: Vec<(usize, usize, &str)> = Vec::new();
    let mut applied = 0;
    let mut last_end: Option<usize> = None;
    for fix in ordered {
        let mut edits: Vec<(usize, usize, &str)> = fix
            .edits
            .iter()
            .map(|e| (e.span.start, e.span.end, e.replacement.as_str()))
            .collect();
        edits.sort();
        let overlaps_itself = edits.windows(2).any(|w| w[0].1 > w[1].0);
        let first = edits[0].0;
        if overlaps_itself || last_end.is_some_and(|end| first < end) {
            continue;
        }
        last_end = edits.iter().map(|e| e.1).max();
        taken.extend(edits);
        applied += 1;
    }
    let mut out = text.to_string();
    for (start, end, replacement) in taken.into_iter().rev() {
        out.replace_range(start..end, replacement);
    }
    Applied { text: out, applied }
}

/// Fixes one file in passes: `first` are the fixes of the current text;
/// `analyse` returns the fixes of a changed text.
pub fn fix_text(text: &str, first: &[&Fix], mut analyse: impl FnMut(&str) -> Vec<Fix>) -> Applied {
    let mut current = apply(text, first);
    for _ in 1..MAX_PASSES {
        if current.applied == 0 {
            break;
        }
        let fixes = analyse(&current.text);
        let refs: Vec<&Fix> = fixes.iter().collect();
        let next = apply(&current.text, &refs);
        if next.applied == 0 || next.text == current.text {
            break;
        }
        current = Applied {
            text: next.text,
            applied: current.applied + next.applied,
        };
    }
    current
}

/// A unified diff (`--- a/path`, `+++ b/path`, three lines of context).
/// Paths outside the working directory are shown as they are.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let (a, b) = if path.starts_with('/') {
        (path.to_string(), path.to_string())
    } else {
        (format!("a/{path}"), format!("b/{path}"))
    };
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&a, &b)
        .to_string()
}

/// One file changed by fixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFix {
    pub path: PathBuf,
    /// As diagnostics name it.
    pub display: String,
    pub original: String,
    pub fixed: String,
    pub applied: usize,
}

/// What the fixer needs to know about a project: its config and the scope
/// of each file, and the agent files with their dialects.
pub struct FixContext<'a> {
    pub config: &'a Config,
    pub scopes: &'a HashMap<FileId, Scope>,
    pub agent_files: &'a [AgentFile],
}

/// Applies every fix among `diagnostics` (already filtered by `[lint]` and
/// suppressions) to its file, in memory.
pub fn fix_files(cx: &FixContext, diagnostics: &[Diagnostic], sources: &SourceMap) -> Vec<FileFix> {
    let mut by_file: BTreeMap<FileId, Vec<&Fix>> = BTreeMap::new();
    for d in diagnostics {
        if let (Some(fix), Some(file)) = (&d.fix, d.file()) {
            by_file.entry(file).or_default().push(fix);
        }
    }
    let mut out = Vec::new();
    for (id, fixes) in by_file {
        let source = sources.get(id);
        let agent_file = cx.agent_files.iter().find(|f| f.path == source.path);
        let scope = cx.scopes.get(&id).copied().unwrap_or(Scope::Project);
        let result = match agent_file {
            Some(f) => {
                let limits = cx.config.scope(scope).limits.yaml();
                let ignored = suppress::per_file_rules(
                    cx.config,
                    scope,
                    suppress::scope_relative(&source.plan_path),
                );
                fix_text(&source.text, &fixes, |text| {
                    let analysis = agent::analyze(id, text, f.dialect, &f.stem, limits);
                    let mut directives = FileDirectives::parse(id, text);
                    analysis
                        .diagnostics
                        .into_iter()
                        .filter(|d| {
                            cx.config
                                .scope(scope)
                                .severity(d.rule, d.severity)
                                .is_some()
                                && !ignored.contains(&d.rule)
                                && !directives.suppress(d)
                        })
                        .filter_map(|d| d.fix)
                        .collect()
                })
            }
            // Not an agent file (a config): one pass.
            None => apply(&source.text, &fixes),
        };
        if result.applied > 0 && result.text != source.text {
            out.push(FileFix {
                path: source.path.clone(),
                display: source.display.clone(),
                original: source.text.clone(),
                fixed: result.text,
                applied: result.applied,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Edit, Span};

    fn fix(start: usize, end: usize, with: &str) -> Fix {
        Fix {
            message: String::new(),
            edits: vec![Edit {
                span: Span::new(FileId(0), start, end),
                replacement: with.into(),
            }],
        }
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let text = "abcdef";
        let (a, b, c) = (fix(0, 2, "X"), fix(1, 3, "Y"), fix(4, 6, "Z"));
        let r = apply(text, &[&c, &b, &a]);
        assert_eq!(
            r,
            Applied {
                text: "XcdZ".into(),
                applied: 2
            }
        );
    }

    #[test]
    fn edits_outside_the_text_or_inside_a_char_are_skipped() {
        let text = "é";
        let r = apply(text, &[&fix(1, 2, "x"), &fix(0, 9, "x")]);
        assert_eq!(
            r,
            Applied {
                text: "é".into(),
                applied: 0
            }
        );
    }

    #[test]
    fn passes_stop_when_nothing_changes() {
        let mut calls = 0;
        let r = fix_text("ab", &[&fix(0, 1, "a")], |_| {
            calls += 1;
            vec![fix(0, 1, "a")]
        });
        assert_eq!(r.text, "ab");
        assert!(calls <= 1);
    }
}
