//! Suppressions: findings a person has looked at and chosen to keep.
//!
//! In an agent file's frontmatter, as YAML comments:
//!
//! - `# agentc: ignore[CODE, CODE] reason` after a value suppresses findings
//!   of those codes whose primary span starts on that line; on a line of its
//!   own it applies to the next line that is neither blank nor a comment.
//! - `# agentc: ignore-file[CODE] reason` suppresses those codes in the
//!   whole file.
//!
//! In `agentc.toml`, `[lint] per_file = { "GLOB" = ["CODE"] }` ignores codes
//! in the files of that config's scope whose path (relative to the project
//! root, or to `$AGENTC_USER_DIR`) matches the glob.
//!
//! Rules with a fixed severity cannot be suppressed. A suppression without a
//! reason, with an unknown code or a fixed one is `invalid-suppression`; one
//! that suppressed nothing is `unused-suppression`, with a fix that removes
//! it. The filter runs once, in `project::link`, so `check`, `plan` and the
//! watcher see the same findings.

use crate::diagnostic::{Diagnostic, Edit, Fix, Span, suggest};
use crate::model::config::Config;
use crate::rules::Rule;
use crate::source::{FileId, Scope, SourceMap, split};
use std::collections::HashMap;
use std::ops::Range;

pub use crate::source::glob::compile_glob;

#[derive(Clone, Debug)]
struct Code {
    text: String,
    rule: Option<Rule>,
    span: Range<usize>,
    used: bool,
}

#[derive(Clone, Debug)]
struct Directive {
    file_level: bool,
    /// The 1-based line whose findings a line directive suppresses.
    target_line: Option<usize>,
    /// From `#` to the end of the line's text.
    comment: Range<usize>,
    /// What removing the directive deletes.
    removal: Range<usize>,
    codes: Vec<Code>,
}

/// The suppression comments of one agent file.
#[derive(Clone, Debug)]
pub struct FileDirectives {
    file: FileId,
    line_starts: Vec<usize>,
    directives: Vec<Directive>,
    problems: Vec<Diagnostic>,
}

/// The `# agentc:` comment on a line: the byte index of its `#`.
fn directive_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(i) = line[from..].find('#').map(|i| i + from) {
        let starts_comment = i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t';
        if starts_comment && line[i + 1..].trim_start().starts_with("agentc:") {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

impl FileDirectives {
    /// Reads the directives in the frontmatter of `text`.
    pub fn parse(file: FileId, text: &str) -> FileDirectives {
        let mut out = FileDirectives {
            file,
            line_starts: Vec::new(),
            directives: Vec::new(),
            problems: Vec::new(),
        };
        let Ok(fm) = split::split(text) else {
            return out;
        };
        // Most files have no directive: do no more work for them.
        if !text[fm.yaml.clone()].contains("agentc:") {
            return out;
        }
        out.line_starts.push(0);
        out.line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        // Lines of the frontmatter: (start, content end, end with newline).
        let mut lines: Vec<(usize, usize, usize)> = Vec::new();
        let mut pos = fm.yaml.start;
        while pos < fm.yaml.end {
            let rest = &text[pos..fm.yaml.end];
            let next = rest.find('\n').map_or(fm.yaml.end, |i| pos + i + 1);
            let content_end = text[pos..next].trim_end_matches(['\n', '\r']).len() + pos;
            lines.push((pos, content_end, next));
            pos = next;
        }
        for (i, &(start, end, next)) in lines.iter().enumerate() {
            let line = &text[start..end];
            let Some(hash) = directive_start(line) else {
                continue;
            };
            let own_line = line[..hash].trim().is_empty();
            let comment = start + hash..end;
            let removal = if own_line {
                start..next
            } else {
                let before = line[..hash].trim_end().len();
                start + before..end
            };
            let target_line = if own_line {
                lines[i + 1..]
                    .iter()
                    .find(|(s, e, _)| {
                        let t = text[*s..*e].trim();
                        !t.is_empty() && !t.starts_with('#')
                    })
                    .map(|(s, _, _)| out.line_of(*s))
            } else {
                Some(out.line_of(start))
            };
            out.read_directive(text, comment, removal, target_line);
        }
        out
    }

    /// A file without `# agentc:` comments: it suppresses nothing and has
    /// nothing to report.
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty() && self.problems.is_empty()
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }

    fn span(&self, r: Range<usize>) -> Span {
        Span::new(self.file, r.start, r.end)
    }

    fn problem(&mut self, at: Range<usize>, message: String, help: &str) {
        let d = Diagnostic::at(Rule::InvalidSuppression, self.span(at), message).with_help(help);
        self.problems.push(d);
    }

    fn read_directive(
        &mut self,
        text: &str,
        comment: Range<usize>,
        removal: Range<usize>,
        target_line: Option<usize>,
    ) {
        const SYNTAX: &str = "write `# agentc: ignore[CODE] reason` on the line, or `# agentc: ignore-file[CODE] reason` for the whole file";
        let body = &text[comment.clone()];
        let after_marker = body
            .find("agentc:")
            .map_or(body.len(), |i| i + "agentc:".len());
        let rest = &body[after_marker..];
        let lead = rest.len() - rest.trim_start().len();
        let word_start = comment.start + after_marker + lead;
        let rest = rest.trim_start();
        let (file_level, after_word) = if let Some(r) = rest.strip_prefix("ignore-file") {
            (true, r)
        } else if let Some(r) = rest.strip_prefix("ignore") {
            (false, r)
        } else {
            let word: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
            self.problem(
                comment,
                format!("unknown agentc directive `{word}`"),
                SYNTAX,
            );
            return;
        };
        let Some(inside) = after_word.strip_prefix('[') else {
            self.problem(
                comment,
                "a suppression names its rule codes in brackets".into(),
                SYNTAX,
            );
            return;
        };
        let Some(close) = inside.find(']') else {
            self.problem(
                comment,
                "the `[` of this suppression is never closed".into(),
                SYNTAX,
            );
            return;
        };
        let word_len = if file_level {
            "ignore-file".len()
        } else {
            "ignore".len()
        };
        let codes_start = word_start + word_len + 1;
        let mut codes = Vec::new();
        let mut offset = codes_start;
        for part in inside[..close].split(',') {
            let lead = part.len() - part.trim_start().len();
            let code = part.trim();
            if !code.is_empty() {
                let span = offset + lead..offset + lead + code.len();
                codes.push(Code {
                    text: code.to_string(),
                    rule: Rule::from_code(code),
                    span,
                    used: false,
                });
            }
            offset += part.len() + 1;
        }
        if codes.is_empty() {
            self.problem(
                comment,
                "this suppression names no rule".into(),
                "name the codes to ignore, such as `# agentc: ignore[unknown-field] kept for a plugin`",
            );
            return;
        }
        for c in &codes {
            match c.rule {
                None => {
                    let d = Diagnostic::at(
                        Rule::InvalidSuppression,
                        self.span(c.span.clone()),
                        format!("unknown rule `{}` in a suppression", c.text),
                    )
                    .with_help_opt(suggest(&c.text, Rule::ALL.iter().map(|r| r.code())));
                    self.problems.push(d);
                }
                Some(rule) if rule.is_fixed() => {
                    let d = Diagnostic::at(
                        Rule::InvalidSuppression,
                        self.span(c.span.clone()),
                        format!("`{rule}` has a fixed severity and cannot be suppressed"),
                    )
                    .with_help("fix the finding instead; agentc would otherwise read the file wrongly or leak a secret");
                    self.problems.push(d);
                }
                Some(_) => {}
            }
        }
        let reason = inside[close + 1..]
            .trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == ':' || c == '—')
            .trim();
        if reason.is_empty() {
            self.problem(
                comment.clone(),
                "this suppression gives no reason".into(),
                "say why after the brackets, e.g. `# agentc: ignore[name-mismatch] the plugin prefixes names`",
            );
        }
        self.directives.push(Directive {
            file_level,
            target_line: if file_level { None } else { target_line },
            comment,
            removal,
            codes,
        });
    }

    /// Whether a finding is suppressed here; the directive that does it is
    /// marked used.
    pub fn suppress(&mut self, d: &Diagnostic) -> bool {
        let Some(span) = d.span.filter(|s| s.file == self.file) else {
            return false;
        };
        if d.rule.is_fixed() || self.directives.is_empty() {
            return false;
        }
        let line = self.line_of(span.start);
        for dir in &mut self.directives {
            if !dir.file_level && dir.target_line != Some(line) {
                continue;
            }
            if let Some(code) = dir.codes.iter_mut().find(|c| c.rule == Some(d.rule)) {
                code.used = true;
                return true;
            }
        }
        false
    }

    /// The findings about the directives themselves: invalid ones, and the
    /// ones that suppressed nothing.
    pub fn finish(self) -> Vec<Diagnostic> {
        let mut out = self.problems;
        for dir in &self.directives {
            let candidates: Vec<&Code> = dir
                .codes
                .iter()
                .filter(|c| c.rule.is_some_and(|r| !r.is_fixed()))
                .collect();
            let unused: Vec<&Code> = candidates.iter().copied().filter(|c| !c.used).collect();
            if unused.is_empty() {
                continue;
            }
            let where_ = if dir.file_level {
                "in this file"
            } else {
                "on this line"
            };
            let names: Vec<String> = unused.iter().map(|c| format!("`{}`", c.text)).collect();
            let message = format!(
                "unused suppression: nothing {where_} reports {}",
                names.join(" or ")
            );
            if unused.len() == dir.codes.len() {
                out.push(
                    Diagnostic::at(
                        Rule::UnusedSuppression,
                        Span::new(self.file, dir.comment.start, dir.comment.end),
                        message,
                    )
                    .with_help("remove the comment")
                    .with_fix(Fix {
                        message: "remove the unused suppression".into(),
                        edits: vec![Edit {
                            span: Span::new(self.file, dir.removal.start, dir.removal.end),
                            replacement: String::new(),
                        }],
                    }),
                );
            } else {
                for c in unused {
                    out.push(
                        Diagnostic::at(
                            Rule::UnusedSuppression,
                            Span::new(self.file, c.span.start, c.span.end),
                            format!("unused suppression: nothing {where_} reports `{}`", c.text),
                        )
                        .with_help(format!("remove `{}` from the brackets", c.text)),
                    );
                }
            }
        }
        out
    }
}

/// The `[lint] per_file` globs of one scope, compiled once.
struct PerFile(Vec<(globset::GlobMatcher, Vec<Rule>)>);

impl PerFile {
    fn of(config: &Config, scope: Scope) -> PerFile {
        PerFile(
            config
                .scope(scope)
                .per_file
                .iter()
                .filter_map(|e| Some((compile_glob(&e.pattern.value).ok()?, e.rules.clone())))
                .collect(),
        )
    }

    fn rules(&self, rel: &str) -> Vec<Rule> {
        self.0
            .iter()
            .filter(|(g, _)| g.is_match(rel))
            .flat_map(|(_, r)| r.iter().copied())
            .collect()
    }
}

/// The rules `[lint] per_file` ignores for a file of `scope` whose path
/// relative to the scope's root is `rel`.
pub fn per_file_rules(config: &Config, scope: Scope, rel: &str) -> Vec<Rule> {
    PerFile::of(config, scope).rules(rel)
}

/// A file's path relative to its scope's root, from its plan path.
pub fn scope_relative(plan_path: &str) -> &str {
    plan_path
        .strip_prefix(crate::source::USER_DIR_VAR)
        .map_or(plan_path, |p| p.trim_start_matches('/'))
}

/// Every suppression of a project: the comments of its agent files and
/// each scope's `[lint] per_file`.
pub struct Suppressor {
    directives: HashMap<FileId, FileDirectives>,
    per_file: HashMap<FileId, Vec<Rule>>,
}

impl Suppressor {
    /// `files`: every file of the project with its scope; `agent_files`:
    /// those that are agent definitions (whose comments are read).
    pub fn new(
        sources: &SourceMap,
        config: &Config,
        files: &HashMap<FileId, Scope>,
        agent_files: impl IntoIterator<Item = FileId>,
    ) -> Suppressor {
        let directives = agent_files
            .into_iter()
            .map(|id| FileDirectives::parse(id, &sources.get(id).text));
        Suppressor::with_directives(sources, config, files, directives)
    }

    /// Like [`Suppressor::new`], with the agent files' comments already
    /// read ([`FileDirectives::parse`]); files without any may be left out.
    pub fn with_directives(
        sources: &SourceMap,
        config: &Config,
        files: &HashMap<FileId, Scope>,
        directives: impl IntoIterator<Item = FileDirectives>,
    ) -> Suppressor {
        let directives = directives.into_iter().map(|d| (d.file, d)).collect();
        let globs = [
            (Scope::Project, PerFile::of(config, Scope::Project)),
            (Scope::User, PerFile::of(config, Scope::User)),
        ];
        let per_file = files
            .iter()
            .filter_map(|(&id, &scope)| {
                let globs = &globs.iter().find(|(s, _)| *s == scope)?.1;
                if globs.0.is_empty() {
                    return None;
                }
                let rules = globs.rules(scope_relative(&sources.get(id).plan_path));
                (!rules.is_empty()).then_some((id, rules))
            })
            .collect();
        Suppressor {
            directives,
            per_file,
        }
    }

    /// Whether a finding is suppressed, by a comment or by `per_file`.
    pub fn suppresses(&mut self, d: &Diagnostic) -> bool {
        let Some(file) = d.file() else {
            return false;
        };
        if d.rule.is_fixed() || matches!(d.rule, Rule::UnusedSuppression | Rule::InvalidSuppression)
        {
            return false;
        }
        if let Some(dirs) = self.directives.get_mut(&file)
            && dirs.suppress(d)
        {
            return true;
        }
        self.per_file
            .get(&file)
            .is_some_and(|rules| rules.contains(&d.rule))
    }

    /// The findings about the suppressions themselves, in file order.
    pub fn finish(self) -> Vec<Diagnostic> {
        let mut files: Vec<(FileId, FileDirectives)> = self.directives.into_iter().collect();
        files.sort_by_key(|(id, _)| *id);
        files.into_iter().flat_map(|(_, d)| d.finish()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> FileDirectives {
        FileDirectives::parse(FileId(0), text)
    }

    fn finding(rule: Rule, text: &str, needle: &str) -> Diagnostic {
        let at = text.find(needle).unwrap();
        Diagnostic::at(rule, Span::new(FileId(0), at, at + needle.len()), "x")
    }

    #[test]
    fn line_and_file_directives() {
        let t = "---\n# agentc: ignore-file[name-mismatch] plugin prefixes names\nname: a\ncolour: red # agentc: ignore[unknown-field] read by our harness\n# agentc: ignore[unknown-tool] the next line\n\ntools: [gerp]\n---\nB\n";
        let mut f = parse(t);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert!(f.suppress(&finding(Rule::UnknownField, t, "colour")));
        assert!(!f.suppress(&finding(Rule::UnknownField, t, "name: a")));
        assert!(f.suppress(&finding(Rule::UnknownTool, t, "gerp")));
        assert!(f.suppress(&finding(Rule::NameMismatch, t, "a\n")));
        assert!(!f.suppress(&finding(Rule::YamlSyntax, t, "name")));
        assert!(f.finish().is_empty());
    }

    #[test]
    fn problems_are_reported() {
        let t = "---\nname: a # agentc: ignore[name-mismatch]\nx: 1 # agentc: ignore[unknwn-field, yaml-syntax] why\ny: 2 # agentc: ignroe[a] b\nz: 3 # agentc: ignore[unknown-field] unused\n---\nB\n";
        let f = parse(t);
        let got: Vec<(&str, &str)> = f
            .finish()
            .iter()
            .map(|d| {
                let s = d.span.unwrap();
                (d.rule.code(), &t[s.start..s.end])
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("invalid-suppression", "# agentc: ignore[name-mismatch]"),
                ("invalid-suppression", "unknwn-field"),
                ("invalid-suppression", "yaml-syntax"),
                ("invalid-suppression", "# agentc: ignroe[a] b"),
                ("unused-suppression", "# agentc: ignore[name-mismatch]"),
                (
                    "unused-suppression",
                    "# agentc: ignore[unknown-field] unused"
                ),
            ]
        );
    }

    #[test]
    fn unused_fix_removes_the_comment_or_the_line() {
        let t = "---\nname: a   # agentc: ignore[unknown-field] r\n# agentc: ignore[unknown-tool] r\ntools: [read]\n---\n";
        let f = parse(t);
        let edits: Vec<(usize, usize)> = f
            .finish()
            .iter()
            .map(|d| {
                let e = &d.fix.as_ref().unwrap().edits[0];
                (e.span.start, e.span.end)
            })
            .collect();
        assert_eq!(
            &t[edits[0].0..edits[0].1],
            "   # agentc: ignore[unknown-field] r"
        );
        assert_eq!(
            &t[edits[1].0..edits[1].1],
            "# agentc: ignore[unknown-tool] r\n"
        );
    }

    #[test]
    fn hashes_inside_values_are_not_directives() {
        assert_eq!(directive_start("description: C# agentc: x"), None);
        assert_eq!(directive_start("a: b # agentc: ignore[x] y"), Some(5));
        assert_eq!(directive_start("#agentc: ignore[x] y"), Some(0));
    }

    #[test]
    fn globs_stay_in_their_folder() {
        let g = compile_glob(".agents/legacy/*.md").unwrap();
        assert!(g.is_match(".agents/legacy/a.md"));
        assert!(!g.is_match(".agents/legacy/deep/a.md"));
        assert!(
            compile_glob(".agents/**/*.md")
                .unwrap()
                .is_match(".agents/x/y/a.md")
        );
        assert_eq!(
            scope_relative("$AGENTC_USER_DIR/agents/a.md"),
            "agents/a.md"
        );
    }
}
