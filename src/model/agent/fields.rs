//! Keys and value types: `unknown-field`, `foreign-field`, `invalid-type`,
//! `invalid-value`, `missing-field` (an empty description) and the ranged
//! parameters (`temperature`, `top_p`, `max_tokens`, `reasoning_effort`,
//! `timeout`).

use super::*;

impl Cx<'_> {
    pub(super) fn unknown_key(
        &mut self,
        k: &str,
        key: &YNode,
        value: &YNode,
        present: &HashSet<String>,
    ) {
        let owners = self.dialect.owners_of(k);
        let span = self.span(&key.span);
        if owners.is_empty() {
            let help = suggest(k, self.dialect.fields().iter().copied())
                .or_else(|| {
                    (self.dialect == Dialect::Agentc).then(|| {
                        format!(
                            "extension keys start with `x-`: `x-{k}` is passed to the plan untouched"
                        )
                    })
                })
                .or_else(|| {
                    self.dialect.rejects_unknown_keys().then(|| {
                        format!(
                            "remove it: {} loads no file with a key outside its schema",
                            self.dialect.harness()
                        )
                    })
                });
            // A misspelling with exactly one close key, not already set, is
            // renamed by `--fix`. A singular and its plural often mean
            // different things (Copilot's `agent: agent` is not a list of
            // `agents`): such a rename is offered only for a list value,
            // which is what a plural key holds.
            let close = crate::diagnostic::close_matches(k, self.dialect.fields().iter().copied());
            let value = Some(&value.value);
            let number_only =
                |only: &str| only.strip_suffix('s') == Some(k) || k.strip_suffix('s') == Some(only);
            let fix = match close.as_slice() {
                [only]
                    if !present.contains(*only)
                        && (!number_only(only)
                            || matches!(value, Some(crate::syntax::yaml::YValue::Seq(_)))) =>
                {
                    Some(Fix {
                        message: format!("rename `{k}` to `{only}`"),
                        edits: vec![Edit {
                            span,
                            replacement: (*only).to_string(),
                        }],
                    })
                }
                _ => None,
            };
            let mut d = Diagnostic::at(
                Rule::UnknownField,
                span,
                format!(
                    "unknown field `{k}` in {} agent file{}",
                    article(self.dialect),
                    self.fails_file()
                ),
            )
            .with_help_opt(help);
            d.fix = fix;
            if self.dialect.rejects_unknown_keys() {
                d = d.with_severity(Severity::Error);
            }
            self.push(d);
        } else {
            let names: Vec<&str> = owners.iter().map(|d| d.harness()).collect();
            let strict = self.dialect.rejects_unknown_keys();
            let d = Diagnostic::at(
                Rule::ForeignField,
                span,
                if strict {
                    format!(
                        "`{k}` is {} field; {} fails a file that has it",
                        a_or_an(&names.join(" and ")),
                        self.dialect.harness(),
                    )
                } else {
                    format!(
                        "`{k}` is {} field; {} does not read it",
                        a_or_an(&names.join(" and ")),
                        self.dialect.harness()
                    )
                },
            );
            let d = if strict {
                d.with_severity(Severity::Error).with_help_opt(
                    suggest(k, self.dialect.fields().iter().copied()).or_else(|| {
                        Some(format!(
                            "remove it: {} loads no file that has it",
                            self.dialect.harness()
                        ))
                    }),
                )
            } else {
                d
            };
            // A field of another harness is not a misspelling of one of
            // this harness's fields (`mode` is not a typo of `model`), except
            // where the harness fails the file: there the nearest key it
            // accepts is the way out (Claude's `mcpServers` is Gemini's
            // `mcp_servers`).
            let d = if strict {
                d
            } else {
                d.with_help(format!(
                    "remove it, or keep it if the file is also read by {}",
                    names.join(" or ")
                ))
            };
            self.push(d);
        }
    }

    /// ", and Gemini CLI fails the file" where the harness rejects unknown keys.
    pub(super) fn fails_file(&self) -> String {
        if self.dialect.rejects_unknown_keys() {
            format!(", and {} fails the file", self.dialect.harness())
        } else {
            String::new()
        }
    }

    pub(super) fn positive_int(&mut self, key: &str, value: &YNode) {
        match value.value {
            YValue::Int(i) if i > 0 => {}
            YValue::Int(i) => self.push(Diagnostic::at(
                Rule::InvalidValue,
                self.span(&value.span),
                format!("`{key}` must be greater than 0, found {i}"),
            )),
            _ => self.invalid_type(key, value, "a whole number"),
        }
    }

    /// Gemini CLI's `kind`: `local` (the default) or `remote`.
    pub(super) fn gemini_kind(&mut self, value: &YNode) -> bool {
        let Some(kind) = self.string("kind", value) else {
            return false;
        };
        match kind.value.as_str() {
            "local" => false,
            "remote" => true,
            other => {
                self.push(
                    Diagnostic::at(
                        Rule::InvalidValue,
                        kind.span,
                        format!("`kind` must be `local` or `remote`, found `{other}`"),
                    )
                    .with_help_opt(suggest(other, ["local", "remote"])),
                );
                false
            }
        }
    }

    pub(super) fn invalid_type(&mut self, key: &str, value: &YNode, expected: &str) {
        self.push(Diagnostic::at(
            Rule::InvalidType,
            self.span(&value.span),
            format!("`{key}` must be {expected}, found {}", value.type_name()),
        ));
    }

    pub(super) fn string(&mut self, key: &str, value: &YNode) -> Option<Sp<String>> {
        match &value.value {
            YValue::Str(s) if s.trim().is_empty() => {
                self.push(Diagnostic::at(
                    Rule::InvalidValue,
                    self.span(&value.span),
                    format!("`{key}` is empty"),
                ));
                None
            }
            YValue::Str(s) => Some(Sp::new(s.trim().to_string(), self.span(&value.span))),
            _ => {
                self.invalid_type(key, value, "a string");
                None
            }
        }
    }

    pub(super) fn description(&mut self, value: &YNode) -> Option<String> {
        match &value.value {
            YValue::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            YValue::Str(_) | YValue::Null => {
                self.push(
                    Diagnostic::at(
                        Rule::MissingField,
                        self.span(&value.span),
                        "`description` is empty",
                    )
                    .with_help("say when to use this agent; the parent agent reads it to choose"),
                );
                None
            }
            _ => {
                self.invalid_type("description", value, "a string");
                None
            }
        }
    }

    pub(super) fn string_list(&mut self, key: &str, items: &[YNode]) -> Vec<Sp<String>> {
        items.iter().filter_map(|i| self.string(key, i)).collect()
    }

    /// `Read, Grep` → entries with spans, when the scalar is plain (its
    /// source text is its value); else one span for the whole value.
    pub(super) fn comma_list(&mut self, s: &str, value: &YNode) -> Vec<Sp<String>> {
        let raw = &self.text[value.span.clone()];
        let exact = raw == s;
        let mut out = Vec::new();
        let mut offset = 0;
        for part in s.split(',') {
            let lead = part.len() - part.trim_start().len();
            let name = part.trim();
            if !name.is_empty() {
                let span = if exact {
                    let start = value.span.start + offset + lead;
                    Span::new(self.file, start, start + name.len())
                } else {
                    self.span(&value.span)
                };
                out.push(Sp::new(name.to_string(), span));
            }
            offset += part.len() + 1;
        }
        out
    }

    pub(super) fn number(&mut self, key: &str, value: &YNode, min: f64, max: f64) -> Option<f64> {
        let n = match value.value {
            YValue::Int(i) => i as f64,
            YValue::Float(f) => f,
            _ => {
                self.invalid_type(key, value, "a number");
                return None;
            }
        };
        if !(min..=max).contains(&n) || n.is_nan() {
            self.push(Diagnostic::at(
                Rule::InvalidValue,
                self.span(&value.span),
                format!("`{key}` must be between {min} and {max}, found {n}"),
            ));
            return None;
        }
        Some(n)
    }

    pub(super) fn max_tokens(&mut self, value: &YNode) -> Option<u64> {
        match value.value {
            YValue::Int(i) if i > 0 => Some(i as u64),
            YValue::Int(i) => {
                self.push(Diagnostic::at(
                    Rule::InvalidValue,
                    self.span(&value.span),
                    format!("`max_tokens` must be greater than 0, found {i}"),
                ));
                None
            }
            _ => {
                self.invalid_type("max_tokens", value, "a whole number");
                None
            }
        }
    }

    pub(super) fn effort(&mut self, value: &YNode) -> Option<String> {
        let s = self.string("reasoning_effort", value)?;
        if EFFORTS.contains(&s.value.as_str()) {
            return Some(s.value);
        }
        self.push(
            Diagnostic::at(
                Rule::InvalidValue,
                s.span,
                format!(
                    "`reasoning_effort` must be one of {}, found `{}`",
                    EFFORTS.join(", "),
                    s.value
                ),
            )
            .with_help_opt(suggest(&s.value, EFFORTS.iter().copied())),
        );
        None
    }

    pub(super) fn timeout(&mut self, value: &YNode) -> Option<u64> {
        let s = match &value.value {
            YValue::Str(s) => s.trim().to_string(),
            YValue::Int(_) | YValue::Float(_) => {
                self.push(
                    Diagnostic::at(
                        Rule::InvalidType,
                        self.span(&value.span),
                        "`timeout` must be a duration with a unit, found a bare number",
                    )
                    .with_help("write the unit: `30s`, `5m`, `1h` or `500ms`"),
                );
                return None;
            }
            _ => {
                self.invalid_type("timeout", value, "a duration such as `30s`");
                return None;
            }
        };
        match parse_duration_ms(&s) {
            Some(ms) if ms > 0 => Some(ms),
            _ => {
                self.push(
                    Diagnostic::at(
                        Rule::InvalidValue,
                        self.span(&value.span),
                        format!("`{s}` is not a duration"),
                    )
                    .with_help("write a number and a unit: `30s`, `5m`, `1h`, `500ms` or `1m30s`"),
                );
                None
            }
        }
    }
}
