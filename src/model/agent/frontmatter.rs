//! The frontmatter fence and its YAML: `missing-frontmatter`,
//! `unterminated-frontmatter`, and the `unquoted-colon` recovery of
//! Claude files.

use super::*;

impl Cx<'_> {
    pub(super) fn split_error(&mut self, e: SplitError) {
        match e {
            SplitError::Missing { fence_later } => {
                let first = first_line(self.text);
                let mut d = Diagnostic::at(
                    Rule::MissingFrontmatter,
                    self.span(&first),
                    "the file does not begin with a `---` frontmatter fence",
                );
                match fence_later {
                    Some(l) => {
                        let (line, _) = line_of(self.text, l.start);
                        d = d
                            .with_label(self.span(&l), "this fence must be the first line")
                            .with_help(format!(
                                "move the frontmatter to line 1: the `---` on line {line} must start the file, with nothing before it"
                            ));
                    }
                    None if self.text[first.end..].starts_with('\r') && !self.text[first.end..].starts_with("\r\n") => {
                        d = d.with_help(
                            "the file separates lines with a lone carriage return (CR); save it with LF or CRLF line endings",
                        )
                    }
                    None => {
                        d = d.with_help(
                            "start the file with `---`, the agent's YAML keys, and `---`",
                        )
                    }
                }
                self.push(d);
            }
            SplitError::Unterminated { open, near_miss } => {
                let mut d = Diagnostic::at(
                    Rule::UnterminatedFrontmatter,
                    self.span(&open),
                    "the frontmatter is never closed",
                );
                match near_miss {
                    Some(l) => {
                        let found = &self.text[l.clone()];
                        let (line, _) = line_of(self.text, l.start);
                        let what = describe_fence(found);
                        d = d
                            .with_label(self.span(&l), format!("{what}, not `---`"))
                            .with_help(format!(
                                "line {line} looks like the closing fence but is {what}; make it exactly `---`"
                            ))
                            .with_fix(Fix {
                                message: "make the closing fence exactly `---`".into(),
                                edits: vec![Edit {
                                    span: self.span(&l),
                                    replacement: "---".into(),
                                }],
                            });
                    }
                    None => d = d.with_help("add a line `---` after the last frontmatter key"),
                }
                self.push(d);
            }
        }
    }

    /// One-line plain values containing `: ` (as Claude's `/agents` writes
    /// descriptions) are not YAML. Each such line is replaced by a quoted
    /// placeholder of the same byte length, so every span stays exact, and the
    /// original text is put back after parsing.
    pub(super) fn recover_unquoted(
        &mut self,
        yaml_range: &Range<usize>,
        limits: YamlLimits,
        error: &yaml::YamlError,
    ) -> Option<yaml::Parsed> {
        if error.kind != YamlErrorKind::Syntax {
            return None;
        }
        let text = &self.text[yaml_range.clone()];
        let candidates = unquoted_colon_values(text);
        if candidates.is_empty() {
            return None;
        }
        let mut patched = text.to_string();
        for c in &candidates {
            let n = c.value.len();
            let placeholder = format!("\"{}\"", "x".repeat(n - 2));
            patched.replace_range(c.value.clone(), &placeholder);
        }
        let mut parsed = yaml::parse(&patched, yaml_range.start, limits).ok()?;
        let abs = |r: &Range<usize>| r.start + yaml_range.start..r.end + yaml_range.start;
        if let YValue::Map(entries) = &mut parsed.root.value {
            for (_, v) in entries.iter_mut() {
                if let Some(c) = candidates.iter().find(|c| abs(&c.value) == v.span) {
                    v.value = YValue::Str(text[c.value.clone()].to_string());
                }
            }
        }
        for c in &candidates {
            let value = &text[c.value.clone()];
            let colon = abs(&c.colon);
            let fix = Fix {
                message: "quote the value".into(),
                edits: vec![Edit {
                    span: self.span(&abs(&c.value)),
                    replacement: double_quote(value),
                }],
            };
            let help = format!(
                "quote the value: `{}: {}`",
                &text[c.key.clone()],
                truncate(&double_quote(value), 60)
            );
            let d = if self.dialect == Dialect::Claude {
                Diagnostic::at(
                    Rule::UnquotedColon,
                    self.span(&colon),
                    "unquoted `: ` inside a plain value; strict YAML parsers reject this line",
                )
            } else {
                Diagnostic::at(
                    Rule::YamlSyntax,
                    self.span(&colon),
                    "mapping values are not allowed in this context: the value contains `: ` and is not quoted",
                )
            };
            self.push(d.with_help(help).with_fix(fix));
        }
        Some(parsed)
    }
}
