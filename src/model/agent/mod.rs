//! One agent file → [`AgentDef`]: splitting, YAML, and the checks that need
//! nothing but the file itself (schema, types, ranges, names, secrets).
//! Checks that need the config or other files run later, in `project`.
//!
//! [`analyze`] splits and parses the file and walks its keys once; the
//! checks are grouped by family, one file each: [`frontmatter`] (fences,
//! YAML), [`fields`] (keys, types, ranges), [`names`], [`tools`],
//! [`routing`] (model, fallback, requires) and [`credentials`]. The codes,
//! severities and docs are registered in [`crate::rules`].

use crate::diagnostic::{Diagnostic, Edit, Fix, Severity, Span, suggest};
use crate::dialect::Dialect;
use crate::rules::{Rule, secrets};
use crate::source::FileId;
use crate::source::split::{self, SplitError};
use crate::syntax::yaml::{self, YNode, YValue, YamlErrorKind, YamlLimits};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

mod credentials;
mod fields;
mod frontmatter;
mod names;
mod routing;
mod tools;

pub use crate::diagnostic::Sp;

pub mod codex;

/// The tools an agent declares.
#[derive(Clone, Debug, PartialEq)]
pub enum ToolsDecl {
    /// No `tools` key: the parent's tools.
    Inherit,
    /// `tools: "*"`.
    All(Span),
    /// Tool names as written in the file's dialect.
    List(Vec<Sp<String>>),
}

/// Model parameters passed to the provider.
#[derive(
    Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Params {
    // Fields in alphabetical order: the plan is written in this order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
}

/// One agent definition as read from its file.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentDef {
    pub file: FileId,
    pub dialect: Dialect,
    /// The id used to open the agent.
    pub name: String,
    /// The `name` value, or the opening fence when the id is the file stem.
    pub name_span: Span,
    pub description: Option<String>,
    pub role: Option<Sp<String>>,
    pub provider: Option<Sp<String>>,
    pub model: Option<Sp<String>>,
    /// `None`: no `fallback` key. The span is the whole value.
    pub fallback: Option<(Vec<Sp<String>>, Span)>,
    pub tools: ToolsDecl,
    pub requires: Vec<Sp<String>>,
    /// Shared: a definition that sets no parameter points at one empty
    /// set instead of holding its own (most set none, and a large project
    /// keeps every definition).
    pub params: Arc<Params>,
    pub extensions: BTreeMap<String, serde_json::Value>,
    /// The system prompt: the body after the closing fence.
    pub body: Range<usize>,
    /// SHA-256 of the body, computed when a plan first asks for it
    /// (`check` never needs it).
    pub prompt_sha256: std::sync::OnceLock<String>,
    /// The opening fence (line 1), where file-level findings point.
    pub fence: Span,
    /// Agents a Copilot `handoffs` entry names (its `agent` values).
    pub handoffs: Vec<Sp<String>>,
    /// The `name` of a dialect where it is a display name, not the id
    /// (Copilot): handoffs may name an agent by it.
    pub display_name: Option<String>,
}

impl AgentDef {
    /// A definition named after its file `stem` that sets nothing yet: every
    /// dialect's reader starts from it and fills in what its file says.
    /// `fence` is where file-level findings point (and the name, until a
    /// `name` key says otherwise).
    pub(super) fn unset(
        file: FileId,
        dialect: Dialect,
        stem: &str,
        fence: Span,
        body: Range<usize>,
    ) -> AgentDef {
        AgentDef {
            file,
            dialect,
            name: stem.to_string(),
            name_span: fence,
            description: None,
            role: None,
            provider: None,
            model: None,
            fallback: None,
            tools: ToolsDecl::Inherit,
            requires: Vec::new(),
            params: no_params(),
            extensions: BTreeMap::new(),
            body,
            prompt_sha256: std::sync::OnceLock::new(),
            fence,
            handoffs: Vec::new(),
            display_name: None,
        }
    }

    /// The SHA-256 of the system prompt; `text` is the file's text.
    pub fn prompt_sha256(&self, text: &str) -> &str {
        self.prompt_sha256.get_or_init(|| {
            debug_assert!(
                text.len() >= self.body.end,
                "the prompt's text was not kept"
            );
            prompt_sha256(text.get(self.body.clone()).unwrap_or(""))
        })
    }
}

/// The parameters of a definition that sets none, shared by all of them.
fn no_params() -> Arc<Params> {
    static NONE: std::sync::LazyLock<Arc<Params>> =
        std::sync::LazyLock::new(|| Arc::new(Params::default()));
    Arc::clone(&NONE)
}

/// What a file yielded: a definition (possibly with findings) or only findings.
#[derive(Debug)]
pub struct Analysis {
    pub def: Option<AgentDef>,
    pub diagnostics: Vec<Diagnostic>,
}

pub use crate::dialect::CAPABILITIES;
pub const EFFORTS: &[&str] = &["minimal", "low", "medium", "high"];

/// Analyses one agent file's text. `stem` is the file name without `.md`
/// (and without `.agent` for Copilot files).
pub fn analyze(
    file: FileId,
    text: &str,
    dialect: Dialect,
    stem: &str,
    limits: YamlLimits,
) -> Analysis {
    if dialect.is_toml() {
        return codex::analyze(file, text, stem);
    }
    let mut cx = Cx {
        file,
        text,
        dialect,
        diags: Vec::new(),
    };
    let def = cx.run(stem, limits);
    Analysis {
        def,
        diagnostics: cx.diags,
    }
}

struct Cx<'a> {
    file: FileId,
    text: &'a str,
    dialect: Dialect,
    diags: Vec<Diagnostic>,
}

impl Cx<'_> {
    fn span(&self, r: &Range<usize>) -> Span {
        Span::new(self.file, r.start, r.end)
    }

    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// A YAML error after a `[` or `{` that was never closed: the help and
    /// a label name the bracket, where the mistake is.
    fn unclosed_flow_help(&self, d: Diagnostic, yaml_start: usize, at: usize) -> Diagnostic {
        let Some(yaml) = self.text.get(yaml_start..at.max(yaml_start)) else {
            return d;
        };
        let Some((rel, open)) = crate::syntax::unclosed::unclosed_flow(yaml, yaml.len()) else {
            return d;
        };
        let pos = yaml_start + rel;
        let line_start = self.text[..pos].rfind('\n').map_or(0, |i| i + 1);
        let line = self.text[..pos].matches('\n').count() + 1;
        let column = self.text[line_start..pos].chars().count() + 1;
        let (kind, close) = if open == '[' {
            ("flow sequence", ']')
        } else {
            ("flow mapping", '}')
        };
        let help = format!("unclosed {kind} started at {line}:{column}; close it with `{close}`");
        let help = match &d.help {
            Some(h) => format!("{h}; {help}"),
            None => help,
        };
        d.with_help(help).with_label(
            Span::new(self.file, pos, pos + 1),
            format!("this `{open}` is never closed"),
        )
    }

    // Long: split, parse, then one pass over the keys; the per-key checks are the methods below.
    fn run(&mut self, stem: &str, limits: YamlLimits) -> Option<AgentDef> {
        let fm = match split::split(self.text) {
            Ok(fm) => fm,
            Err(e) => {
                self.split_error(e);
                return None;
            }
        };
        let fence = self.span(&fm.open);
        let yaml_text = &self.text[fm.yaml.clone()];
        let parsed = match yaml::parse(yaml_text, fm.yaml.start, limits) {
            Ok(p) => p,
            Err(e) => match self.recover_unquoted(&fm.yaml, limits, &e) {
                Some(ok) => ok,
                None => {
                    let rule = match e.kind {
                        YamlErrorKind::Syntax => Rule::YamlSyntax,
                        YamlErrorKind::Limits => Rule::YamlLimits,
                    };
                    let at = e.offset.min(self.text.len());
                    let end = next_char_end(self.text, at);
                    let mut d = Diagnostic::at(rule, Span::new(self.file, at, end), e.message);
                    if rule == Rule::YamlSyntax {
                        d = d.with_help_opt(yaml_help(self.text, at));
                        d = self.unclosed_flow_help(d, fm.yaml.start, at);
                    }
                    self.push(d);
                    return None;
                }
            },
        };
        for dup in &parsed.duplicates {
            self.push(
                Diagnostic::at(
                    Rule::DuplicateKey,
                    self.span(&dup.second),
                    format!("duplicate key `{}`", dup.key),
                )
                .with_label(self.span(&dup.first), "first defined here")
                .with_help("YAML keys must be unique; remove one of them"),
            );
        }
        let entries: Vec<(YNode, YNode)> = match parsed.root.value {
            YValue::Map(entries) => entries,
            YValue::Null => Vec::new(),
            // A list of remote agents (A2A agent cards), which Gemini CLI
            // accepts: no local agent for agentc to route.
            YValue::Seq(_) if self.dialect == Dialect::Gemini => return None,
            _ => {
                let at = parsed.root.span.clone();
                self.push(
                    Diagnostic::at(
                        Rule::FrontmatterNotMapping,
                        self.span(&at),
                        format!(
                            "frontmatter is {}, not a mapping of keys to values",
                            parsed.root.type_name()
                        ),
                    )
                    .with_help("write `key: value` lines, such as `description: ...`"),
                );
                return None;
            }
        };
        for (key, value) in &entries {
            self.scan_secrets(key.key_text().as_deref(), value);
        }
        let mut def = AgentDef::unset(self.file, self.dialect, stem, fence, fm.body.clone());
        // Sets, so that checking many keys is linear in their number.
        let mut seen: HashSet<String> = HashSet::with_capacity(entries.len());
        let present: HashSet<String> = entries.iter().filter_map(|(k, _)| k.key_text()).collect();
        let mut has_name = false;
        let mut has_prompt_field = false;
        // A Gemini CLI remote agent (`kind: remote`) needs no description.
        let mut remote = false;
        // OpenCode's `tools` map and `permission` rules decide together.
        let mut opencode_tools: Option<&YNode> = None;
        let mut opencode_permission: Option<&YNode> = None;
        let mut params = Params::default();
        for (key, value) in &entries {
            let Some(k) = key.key_text() else {
                self.push(Diagnostic::at(
                    Rule::UnknownField,
                    self.span(&key.span),
                    format!("a {} cannot be a frontmatter key", key.type_name()),
                ));
                continue;
            };
            if !seen.insert(k.clone()) {
                continue; // duplicate-key already reported; the first one counts
            }
            if k.starts_with("x-") && !self.dialect.rejects_unknown_keys() {
                let mut v = value.to_json();
                crate::syntax::json::sort_keys(&mut v);
                def.extensions.insert(k.clone(), v);
                continue;
            }
            if !self.dialect.knows(&k) {
                self.unknown_key(&k, key, value, &present);
                continue;
            }
            match k.as_str() {
                "name" => {
                    has_name = true;
                    self.name(&mut def, stem, value);
                }
                "description" => def.description = self.description(value),
                "role" => def.role = self.string(&k, value),
                "provider" => def.provider = self.string(&k, value),
                "model" => self.model(&mut def, value),
                "fallback" => def.fallback = self.fallback(value),
                "tools" if self.dialect == Dialect::Opencode => opencode_tools = Some(value),
                "permission" if self.dialect == Dialect::Opencode => {
                    opencode_permission = Some(value)
                }
                "tools" => def.tools = self.tools(value),
                "requires" => def.requires = self.requires(value),
                "temperature" => params.temperature = self.number(&k, value, 0.0, 2.0),
                "top_p" => params.top_p = self.number(&k, value, 0.0, 1.0),
                "max_tokens" => params.max_tokens = self.max_tokens(value),
                "reasoning_effort" => params.reasoning_effort = self.effort(value),
                "timeout" => params.timeout_ms = self.timeout(value),
                "prompt" => has_prompt_field = true,
                "max_turns" | "timeout_mins" if self.dialect == Dialect::Gemini => {
                    self.positive_int(&k, value);
                }
                "kind" if self.dialect == Dialect::Gemini => remote = self.gemini_kind(value),
                "display_name" | "agent_card_url" | "agent_card_json"
                    if self.dialect == Dialect::Gemini =>
                {
                    self.string(&k, value);
                }
                "mcp_servers" | "auth"
                    if self.dialect == Dialect::Gemini
                        && !matches!(value.value, YValue::Map(_)) =>
                {
                    self.invalid_type(&k, value, "a mapping");
                }
                "readonly" | "is_background" if self.dialect == Dialect::Cursor => {
                    match value.value {
                        YValue::Bool(true) if k == "readonly" => {
                            def.tools = ToolsDecl::List(
                                crate::dialect::cursor::READ_ONLY_TOOLS
                                    .iter()
                                    .map(|t| Sp::new((*t).to_string(), self.span(&value.span)))
                                    .collect(),
                            );
                        }
                        YValue::Bool(_) => {}
                        _ => self.invalid_type(&k, value, "`true` or `false`"),
                    }
                }
                "handoffs" if self.dialect == Dialect::Copilot => {
                    if let YValue::Seq(items) = &value.value {
                        for item in items {
                            if let YValue::Map(fields) = &item.value
                                && let Some((_, agent)) =
                                    fields.iter().find(|(k, _)| k.as_str() == Some("agent"))
                                && let YValue::Str(a) = &agent.value
                            {
                                def.handoffs
                                    .push(Sp::new(a.trim().to_string(), self.span(&agent.span)));
                            }
                        }
                    }
                }
                _ => {} // a known field of this dialect that agentc does not use
            }
        }
        if opencode_tools.is_some() || opencode_permission.is_some() {
            def.tools = self.opencode_tools(opencode_tools, opencode_permission);
        }
        if params != Params::default() {
            def.params = Arc::new(params);
        }
        if self.dialect.requires_name() && !has_name {
            self.push(
                Diagnostic::at(Rule::MissingField, fence, "missing required field `name`")
                    .with_help(format!("add `name: {stem}`")),
            );
        }
        // OpenCode loads agents without a description (its primary and
        // hidden agents have none).
        if def.description.is_none()
            && self.dialect != Dialect::Opencode
            && !remote
            && !entries
                .iter()
                .any(|(k, _)| k.as_str() == Some("description"))
        {
            self.push(
                Diagnostic::at(
                    Rule::MissingField,
                    fence,
                    "missing required field `description`",
                )
                .with_help("add `description: ...` saying when to use this agent"),
            );
        }
        if self.text[fm.body.clone()].trim().is_empty() && !has_prompt_field && !remote {
            self.push(
                Diagnostic::at(
                    Rule::EmptyPrompt,
                    self.span(&fm.close),
                    "the agent has no system prompt",
                )
                .with_help("write the agent's instructions below the closing `---`"),
            );
        }
        Some(def)
    }
}

/// A comma-separated tool string (`Read, Grep`) as agentc tool names, when
/// every name is an agentc tool, an MCP tool or a Claude tool with an agentc
/// equivalent (a restricted `Bash(...)` is not: the restriction would go).
fn agentc_tool_list(s: &str) -> Option<Vec<String>> {
    use crate::dialect::{TOOLS, ToolName};
    let mut out: Vec<String> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let name = if TOOLS.contains(&part) || part.starts_with("mcp__") {
            part.to_string()
        } else if part.contains('(') {
            return None;
        } else if let Some(n) = match part {
            // Claude names of tools agentc's vocabulary still has, though
            // Claude Code retired them.
            "LS" => Some("ls"),
            "MultiEdit" => Some("multi_edit"),
            "TodoWrite" | "TodoRead" => Some("todo"),
            "NotebookRead" => Some("read"),
            _ => None,
        } {
            n.to_string()
        } else {
            match Dialect::Claude.tool(part, &[]) {
                ToolName::Known(n) if TOOLS.contains(&n.as_str()) => n,
                _ => return None,
            }
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    (!out.is_empty()).then_some(out)
}

fn article(d: Dialect) -> String {
    a_or_an(d.harness())
}

/// "a Claude Code", "an OpenCode", "an agentc".
fn a_or_an(name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {name}", if vowel { "an" } else { "a" })
}

/// OpenCode's permission patterns: `*` matches any run of characters.
fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i))
                .any(|i| glob_match(tail, &rest[i..]))
        }
    }
}

/// `30s`, `5m`, `1h`, `500ms`, `1m30s` → milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, len) = if rest.starts_with("ms") {
            (1, 2)
        } else if rest.starts_with('s') {
            (1_000, 1)
        } else if rest.starts_with('m') {
            (60_000, 1)
        } else if rest.starts_with('h') {
            (3_600_000, 1)
        } else {
            return None;
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        rest = &rest[len..];
    }
    Some(total)
}

/// `^[a-z0-9][a-z0-9._-]{0,63}$`
pub fn is_agent_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter().all(|&c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-')
        })
}

/// Claude Code's rule: lower-case letters, digits and hyphens.
fn is_claude_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// "Explore Agent" → "explore-agent".
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(64).collect()
}

pub fn prompt_sha256(body: &str) -> String {
    let mut h = Sha256::new();
    if memchr::memchr(b'\r', body.as_bytes()).is_some() {
        h.update(body.replace("\r\n", "\n").as_bytes());
    } else {
        h.update(body.as_bytes());
    }
    crate::source::digest::hex_digest(h)
}

fn first_line(text: &str) -> Range<usize> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let end = text[start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| start + i);
    start..end
}

fn line_of(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn next_char_end(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(at, |c| at + c.len_utf8())
}

fn describe_fence(line: &str) -> String {
    let trimmed = line.trim();
    if trimmed == "---" {
        "`---` with surrounding white space".to_string()
    } else if trimmed.bytes().all(|b| b == b'-') {
        format!("a line of {} dashes", trimmed.len())
    } else {
        format!("`{line}`")
    }
}

/// The help for a YAML syntax error at `at`: when the line is `key: value`
/// with a `: ` in the value, suggest quoting.
fn yaml_help(text: &str, at: usize) -> Option<String> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let (key, value) = line.split_once(": ")?;
    if value.contains(": ") && !value.starts_with(['"', '\'']) {
        return Some(format!(
            "quote the value: `{key}: {}`",
            truncate(&double_quote(value.trim()), 60)
        ));
    }
    None
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max - 4).collect();
        format!("{head}…\"")
    }
}

/// A YAML double-quoted scalar with correct escaping.
pub fn double_quote(s: &str) -> String {
    crate::syntax::emit::double_quoted(s)
}

struct Unquoted {
    key: Range<usize>,
    value: Range<usize>,
    colon: Range<usize>,
}

/// Top-level `key: value` lines whose plain one-line value contains `: `.
fn unquoted_colon_values(text: &str) -> Vec<Unquoted> {
    let mut out = Vec::new();
    let mut pos = 0;
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .map(|l| {
            let start = pos;
            pos += l.len();
            (start, l)
        })
        .collect();
    for (i, &(start, raw)) in lines.iter().enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let Some(sep) = line.find(": ") else { continue };
        let key = &line[..sep];
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            continue;
        }
        let after = &line[sep + 2..];
        let lead = after.len() - after.trim_start().len();
        let value = after.trim();
        if value.is_empty()
            || value.starts_with([
                '"', '\'', '[', '{', '|', '>', '&', '*', '!', '%', '@', '`', '#',
            ])
        {
            continue;
        }
        let Some(colon) = value.find(": ") else {
            continue;
        };
        // A continuation line would make this a multi-line value.
        if let Some(&(_, next)) = lines.get(i + 1)
            && next.starts_with([' ', '\t'])
            && !next.trim().is_empty()
        {
            continue;
        }
        let vstart = start + sep + 2 + lead;
        out.push(Unquoted {
            key: start..start + sep,
            value: vstart..vstart + value.len(),
            colon: vstart + colon..vstart + colon + 2,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, dialect: Dialect, stem: &str) -> Analysis {
        analyze(FileId(0), text, dialect, stem, YamlLimits::default())
    }

    fn codes(a: &Analysis) -> Vec<&'static str> {
        a.diagnostics.iter().map(|d| d.rule.code()).collect()
    }

    #[test]
    fn a_clean_file_has_no_findings() {
        let a = run(
            "---\nname: explore\ndescription: Explores.\nprovider: lm-studio\nmodel: m\ntools: [read, grep]\ntemperature: 0.2\ntimeout: 1m30s\nx-owner: me\n---\nBody.\n",
            Dialect::Agentc,
            "explore",
        );
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        let def = a.def.unwrap();
        assert_eq!(def.name, "explore");
        assert_eq!(def.params.temperature, Some(0.2));
        assert_eq!(def.params.timeout_ms, Some(90_000));
        assert_eq!(def.extensions["x-owner"], serde_json::json!("me"));
        assert!(matches!(def.tools, ToolsDecl::List(ref l) if l.len() == 2));
    }

    #[test]
    fn claude_unquoted_colon_is_recovered_with_exact_column() {
        let t = "---\nname: a\ndescription: Use this agent when: you need it\ntools: Read, Grep\n---\nBody\n";
        let a = run(t, Dialect::Claude, "a");
        assert_eq!(codes(&a), vec!["unquoted-colon"]);
        let d = &a.diagnostics[0];
        let span = d.span.unwrap();
        assert_eq!(&t[span.start..span.end], ": ");
        assert_eq!(span.start, t.find("when:").unwrap() + 4);
        let fix = d.fix.as_ref().unwrap();
        assert_eq!(
            fix.edits[0].replacement,
            "\"Use this agent when: you need it\""
        );
        let def = a.def.unwrap();
        assert_eq!(
            def.description.as_deref(),
            Some("Use this agent when: you need it")
        );
        match def.tools {
            ToolsDecl::List(l) => {
                assert_eq!(l[1].value, "Grep");
                assert_eq!(&t[l[1].span.start..l[1].span.end], "Grep");
            }
            other => panic!("{other:?}"),
        }
        let a = run(t, Dialect::Agentc, "a");
        assert!(codes(&a).contains(&"yaml-syntax"));
    }

    #[test]
    fn quoting_escapes_backslashes_and_quotes() {
        assert_eq!(double_quote(r#"a "b" \n: c"#), r#""a \"b\" \\n: c""#);
    }

    #[test]
    fn names_are_checked_per_dialect() {
        let a = run(
            "---\nname: \"Explore Agent\"\ndescription: d\n---\nB\n",
            Dialect::Agentc,
            "explore",
        );
        assert_eq!(codes(&a), vec!["invalid-name"]);
        assert_eq!(a.diagnostics[0].severity, Severity::Error);
        assert_eq!(
            a.diagnostics[0].help.as_deref(),
            Some("use `name: explore-agent`")
        );
        let a = run(
            "---\nname: Explore_Agent\ndescription: d\n---\nB\n",
            Dialect::Claude,
            "x",
        );
        assert_eq!(a.diagnostics[0].severity, Severity::Warning);
        let a = run(
            "---\nname: Pretty Name\ndescription: d\n---\nB\n",
            Dialect::Copilot,
            "pretty",
        );
        assert!(a.diagnostics.is_empty());
        assert_eq!(a.def.unwrap().name, "pretty");
    }

    #[test]
    fn values_are_typed_and_ranged() {
        let a = run(
            "---\ndescription: d\ntemperature: hot\ntop_p: 2\nmax_tokens: 0\nreasoning_effort: hgih\ntimeout: 30\nrequires: [vison]\n---\nB\n",
            Dialect::Agentc,
            "a",
        );
        assert_eq!(
            codes(&a),
            vec![
                "invalid-type",
                "invalid-value",
                "invalid-value",
                "invalid-value",
                "invalid-type",
                "invalid-value"
            ]
        );
    }

    #[test]
    fn unknown_and_foreign_fields() {
        let a = run(
            "---\ndescription: d\nmodle: x\ncolor: blue\n---\nB\n",
            Dialect::Agentc,
            "a",
        );
        assert_eq!(codes(&a), vec!["unknown-field", "foreign-field"]);
        assert_eq!(
            a.diagnostics[0].help.as_deref(),
            Some("did you mean `model`?")
        );
        assert!(
            a.diagnostics[1]
                .message
                .contains("Claude Code and OpenCode")
        );
    }

    #[test]
    fn duplicate_keys_keep_the_first() {
        let a = run(
            "---\ndescription: d\nmodel: a\nmodel: b\n---\nB\n",
            Dialect::Agentc,
            "a",
        );
        assert_eq!(codes(&a), vec!["duplicate-key"]);
        assert_eq!(a.def.unwrap().model.unwrap().value, "a");
    }

    #[test]
    fn secrets_anywhere_in_frontmatter() {
        let key = format!("sk-ant-api03-{}", "Zx8Kq2".repeat(4));
        let t = format!("---\ndescription: d\nx-cfg:\n  token: hunter2\n  other: {key}\n---\nB\n");
        let a = run(&t, Dialect::Agentc, "a");
        assert_eq!(
            codes(&a),
            vec!["secret-in-definition", "secret-in-definition"]
        );
        for d in &a.diagnostics {
            assert!(!d.message.contains("hunter2") && !d.message.contains(&key));
        }
    }

    #[test]
    fn copilot_model_list_is_a_fallback_chain() {
        let a = run(
            "---\ndescription: d\nmodel: [GPT-5, Claude Sonnet 4.5]\n---\nB\n",
            Dialect::Copilot,
            "a",
        );
        let def = a.def.unwrap();
        assert_eq!(def.model.unwrap().value, "GPT-5");
        assert_eq!(def.fallback.unwrap().0[0].value, "Claude Sonnet 4.5");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("30s"), Some(30_000));
        assert_eq!(parse_duration_ms("5m"), Some(300_000));
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("1h2m"), Some(3_720_000));
        assert_eq!(parse_duration_ms("30"), None);
        assert_eq!(parse_duration_ms("s"), None);
        assert_eq!(parse_duration_ms("99999999999999999999h"), None);
    }

    #[test]
    fn prompt_hash_reads_crlf_as_lf() {
        assert_eq!(prompt_sha256("a\r\nb\r\n"), prompt_sha256("a\nb\n"));
        // The well-known digests, written as lowercase hex.
        assert_eq!(
            prompt_sha256(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            prompt_sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
