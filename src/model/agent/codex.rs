//! One Codex role file (`.codex/agents/*.toml`) → [`AgentDef`], with the
//! checks that need nothing but the file: what makes Codex skip the role
//! ("Ignoring malformed agent role definition") is an error, a key Codex
//! ignores a warning. The tables are in `dialect::codex`.

use super::{AgentDef, Analysis, Sp, ToolsDecl};
use crate::diagnostic::{Diagnostic, Span, suggest};
use crate::dialect::Dialect;
use crate::dialect::codex::{FIELDS, SANDBOX_MODES, agentc_provider, read_only_tools};
use crate::rules::{Rule, secrets};
use crate::source::FileId;
use crate::syntax::toml::{self, TKey, TNode, TValue};

/// Analyses one Codex role file.
pub fn analyze(file: FileId, text: &str, stem: &str) -> Analysis {
    let mut cx = Cx {
        file,
        diags: Vec::new(),
    };
    let def = cx.run(text, stem);
    Analysis {
        def,
        diagnostics: cx.diags,
    }
}

struct Cx {
    file: FileId,
    diags: Vec<Diagnostic>,
}

impl Cx {
    fn span(&self, r: &std::ops::Range<usize>) -> Span {
        Span::new(self.file, r.start, r.end)
    }

    fn run(&mut self, text: &str, stem: &str) -> Option<AgentDef> {
        // A BOM is not TOML; spans stay exact by parsing after it.
        let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let start = Span::new(self.file, skip, skip + first_line_len(&text[skip..]));
        let root = match toml::parse(&text[skip..]) {
            Ok(root) => shift(root, skip),
            Err(e) => {
                let at = (e.span.start + skip).min(text.len());
                let end = text[at..]
                    .chars()
                    .next()
                    .filter(|c| *c != '\n' && *c != '\r')
                    .map_or(at, |c| at + c.len_utf8());
                self.diags.push(
                    Diagnostic::at(Rule::TomlSyntax, Span::new(self.file, at, end), e.message)
                        .with_help("Codex skips a role file that is not valid TOML"),
                );
                return None;
            }
        };
        let entries = root.as_table().unwrap_or(&[]).to_vec();
        for (k, v) in &entries {
            self.scan_secrets(Some(&k.name), v);
        }
        let mut def = AgentDef::unset(self.file, Dialect::Codex, stem, start, skip..skip);
        let get = |key: &str| entries.iter().find(|(k, _)| k.name == key);
        let missing = |cx: &mut Cx, key: &str, help: &str| {
            cx.diags.push(
                Diagnostic::at(
                    Rule::MissingField,
                    start,
                    format!("missing required field `{key}`; Codex skips the role without it"),
                )
                .with_help(help.to_string()),
            );
        };
        match get("name") {
            Some((_, v)) => {
                if let Some(n) = self.non_empty("name", v) {
                    def.name_span = n.span;
                    def.name = n.value;
                }
            }
            None => missing(self, "name", &format!("add `name = \"{stem}\"`")),
        }
        match get("description") {
            Some((_, v)) => def.description = self.non_empty("description", v).map(|d| d.value),
            None => missing(
                self,
                "description",
                "add `description = \"...\"` saying when to use this agent",
            ),
        }
        match get("developer_instructions") {
            Some((_, v)) => {
                if self.non_empty("developer_instructions", v).is_some() {
                    def.body = string_body(text, v);
                }
            }
            None => missing(
                self,
                "developer_instructions",
                "add `developer_instructions = \"\"\"...\"\"\"` with the agent's instructions",
            ),
        }
        let mut provider: Option<Sp<String>> = None;
        for (key, value) in &entries {
            let k = key.name.as_str();
            if k.starts_with("x-") {
                let mut v = value.to_json();
                crate::syntax::json::sort_keys(&mut v);
                def.extensions.insert(k.to_string(), v);
                continue;
            }
            if !Dialect::Codex.knows(k) {
                self.unknown_key(key);
                continue;
            }
            match k {
                "model" => def.model = self.non_empty("model", value),
                "model_provider" => provider = self.non_empty("model_provider", value),
                "model_reasoning_effort" => {
                    if let Some(e) = self.string("model_reasoning_effort", value)
                        && super::EFFORTS.contains(&e.value.as_str())
                    {
                        std::sync::Arc::make_mut(&mut def.params).reasoning_effort = Some(e.value);
                    }
                }
                "sandbox_mode" => {
                    if let Some(m) = self.string("sandbox_mode", value) {
                        if !SANDBOX_MODES.contains(&m.value.as_str()) {
                            self.diags.push(
                                Diagnostic::at(
                                    Rule::InvalidValue,
                                    m.span,
                                    format!(
                                        "`sandbox_mode` must be one of {}, found `{}`; Codex skips the role",
                                        SANDBOX_MODES.join(", "),
                                        m.value
                                    ),
                                )
                                .with_help_opt(suggest(&m.value, SANDBOX_MODES.iter().copied())),
                            );
                        } else if m.value == "read-only" {
                            def.tools = ToolsDecl::List(
                                read_only_tools(&entries)
                                    .into_iter()
                                    .map(|t| Sp::new(t.to_string(), m.span))
                                    .collect(),
                            );
                        }
                    }
                }
                "nickname_candidates" => match &value.value {
                    TValue::Array(items) => {
                        for i in items {
                            self.string("nickname_candidates", i);
                        }
                    }
                    _ => self.invalid_type("nickname_candidates", value, "an array of strings"),
                },
                "tools"
                | "mcp_servers"
                | "features"
                | "skills"
                | "agents"
                | "profiles"
                | "model_providers"
                | "sandbox_workspace_write"
                | "shell_environment_policy"
                    if !matches!(value.value, TValue::Table(_)) =>
                {
                    let mut d = Diagnostic::at(
                        Rule::InvalidType,
                        self.span(&value.span),
                        format!(
                            "`{k}` must be a table, found {}; Codex skips the role",
                            value.type_name()
                        ),
                    );
                    if k == "tools" {
                        d = d.with_help(
                                "Codex has no per-agent tool list; `sandbox_mode = \"read-only\"` keeps a role from writing",
                            );
                    }
                    self.diags.push(d);
                }
                "web_search"
                | "approval_policy"
                | "model_verbosity"
                | "model_reasoning_summary"
                | "service_tier"
                | "personality"
                | "review_model"
                | "profile"
                | "plan_mode_reasoning_effort"
                | "oss_provider"
                | "model_instructions_file"
                | "instructions"
                | "compact_prompt" => {
                    self.string(k, value);
                }
                _ => {}
            }
        }
        if let Some(p) = provider {
            match agentc_provider(&p.value) {
                Some(id) if def.model.is_some() => {
                    def.provider = Some(Sp::new(id.to_string(), p.span))
                }
                Some(id) => {
                    def.provider = Some(Sp::new(id.to_string(), p.span));
                }
                // A provider Codex defines in its own config: agentc cannot
                // route it, and says so in the plan (the model stays opaque).
                None => {
                    if let Some(m) = &mut def.model {
                        m.value = format!("{}/{}", p.value, m.value);
                    }
                }
            }
        }
        Some(def)
    }

    fn unknown_key(&mut self, key: &TKey) {
        let span = self.span(&key.span);
        let owners = Dialect::Codex.owners_of(&key.name);
        let d = if owners.is_empty() {
            Diagnostic::at(
                Rule::UnknownField,
                span,
                format!(
                    "unknown field `{}` in a Codex agent file; Codex ignores it",
                    key.name
                ),
            )
            .with_help_opt(suggest(&key.name, FIELDS.iter().copied()))
        } else {
            let names: Vec<&str> = owners.iter().map(|d| d.harness()).collect();
            Diagnostic::at(Rule::ForeignField, span, {
                let owners = names.join(" and ");
                let article =
                    if owners.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
                        "an"
                    } else {
                        "a"
                    };
                format!(
                    "`{}` is {article} {owners} field; Codex does not read it",
                    key.name
                )
            })
            .with_help(format!(
                "remove it, or keep it if the file is also read by {}",
                names.join(" or ")
            ))
        };
        self.diags.push(d);
    }

    fn invalid_type(&mut self, key: &str, value: &TNode, expected: &str) {
        self.diags.push(Diagnostic::at(
            Rule::InvalidType,
            self.span(&value.span),
            format!(
                "`{key}` must be {expected}, found {}; Codex skips the role",
                value.type_name()
            ),
        ));
    }

    fn string(&mut self, key: &str, value: &TNode) -> Option<Sp<String>> {
        match &value.value {
            TValue::Str(s) => Some(Sp::new(s.trim().to_string(), self.span(&value.span))),
            _ => {
                self.invalid_type(key, value, "a string");
                None
            }
        }
    }

    fn non_empty(&mut self, key: &str, value: &TNode) -> Option<Sp<String>> {
        let s = self.string(key, value)?;
        if s.value.is_empty() {
            self.diags.push(Diagnostic::at(
                Rule::MissingField,
                s.span,
                format!("`{key}` is blank; Codex skips the role"),
            ));
            return None;
        }
        Some(s)
    }

    fn scan_secrets(&mut self, key: Option<&str>, value: &TNode) {
        match &value.value {
            TValue::Str(s) => {
                if let Some(message) = secrets::check(key, s) {
                    self.diags.push(
                        Diagnostic::at(Rule::SecretInDefinition, self.span(&value.span), message)
                            .with_help(secrets::HELP),
                    );
                }
            }
            TValue::Array(items) => {
                for i in items {
                    self.scan_secrets(key, i);
                }
            }
            TValue::Table(entries) => {
                for (k, v) in entries {
                    self.scan_secrets(Some(&k.name), v);
                }
            }
            _ => {}
        }
    }
}

fn first_line_len(text: &str) -> usize {
    text.find(['\n', '\r']).unwrap_or(text.len())
}

/// The text of a string value without its quotes: the prompt, for the
/// plan's `prompt_sha256` (exact when the string has no escapes).
fn string_body(text: &str, value: &TNode) -> std::ops::Range<usize> {
    let raw = &text[value.span.clone()];
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if raw.len() >= 2 * q.len() && raw.starts_with(q) && raw.ends_with(q) {
            let mut start = value.span.start + q.len();
            // A newline right after `"""` is not part of the string.
            if q.len() == 3 {
                if text[start..].starts_with("\r\n") {
                    start += 2;
                } else if text[start..].starts_with('\n') {
                    start += 1;
                }
            }
            return start..value.span.end - q.len();
        }
    }
    value.span.clone()
}

/// Moves every span of a tree parsed from `text[by..]` into `text`.
fn shift(mut node: TNode, by: usize) -> TNode {
    if by == 0 {
        return node;
    }
    node.span = node.span.start + by..node.span.end + by;
    node.value = match node.value {
        TValue::Array(items) => TValue::Array(items.into_iter().map(|i| shift(i, by)).collect()),
        TValue::Table(entries) => TValue::Table(
            entries
                .into_iter()
                .map(|(mut k, v)| {
                    k.span = k.span.start + by..k.span.end + by;
                    (k, shift(v, by))
                })
                .collect(),
        ),
        other => other,
    };
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Analysis {
        analyze(FileId(0), text, "stem")
    }

    #[test]
    fn a_read_only_role() {
        let t = "name = \"review\"\ndescription = \"Reviews.\"\nmodel = \"gpt-5.4\"\nmodel_reasoning_effort = \"high\"\nsandbox_mode = \"read-only\"\ndeveloper_instructions = \"\"\"\nReview the diff.\n\"\"\"\n";
        let a = run(t);
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        let def = a.def.unwrap();
        assert_eq!(def.name, "review");
        assert_eq!(&t[def.body.clone()], "Review the diff.\n");
        assert_eq!(def.params.reasoning_effort.as_deref(), Some("high"));
        match def.tools {
            ToolsDecl::List(l) => assert_eq!(l.len(), 5),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn what_codex_rejects_is_an_error() {
        let t = "description = \"D\"\ndeveloper_instructions = \"  \"\nsandbox_mode = \"readonly\"\ntools = [\"read\"]\ncolor = \"blue\"\n";
        let a = run(t);
        let codes: Vec<(&str, &str)> = a
            .diagnostics
            .iter()
            .map(|d| (d.rule.code(), d.severity.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("missing-field", "error"),
                ("missing-field", "error"),
                ("invalid-value", "error"),
                ("invalid-type", "error"),
                ("foreign-field", "warning"),
            ]
        );
        let d = &a.diagnostics[2];
        let s = d.span.unwrap();
        assert_eq!(&t[s.start..s.end], "\"readonly\"");
        assert_eq!(d.help.as_deref(), Some("did you mean `read-only`?"));
    }

    #[test]
    fn syntax_errors_point_into_the_file() {
        let a = run("name = \"x\"\ndescription = \n");
        assert_eq!(a.diagnostics[0].rule, Rule::TomlSyntax);
        assert!(a.def.is_none());
    }
}
