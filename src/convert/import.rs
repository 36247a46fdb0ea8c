//! Another harness's agent file → an agentc definition (`agentc import`).
//!
//! Mappings: tool names to agentc's vocabulary (`Read` → `read`, OpenCode's
//! `list` → `ls`, Copilot's `search` → `grep`, `glob`); Claude models to
//! `anthropic/<model>` (as agentc reads them in Claude files); OpenCode's
//! `provider/model` to agentc's provider ids; Copilot model names to the
//! vendor's id when the vendor is clear; Copilot and OpenCode display names
//! and file names to valid agentc ids. What has no agentc field is kept as
//! `x-<dialect>-<key>`; what cannot be kept is reported.

use super::{
    Frontmatter, Note, NoteKind, agentc_provider_of_opencode, copilot_model, copilot_tool,
    extension_prefix, is_preset, line_ending, raw_entries,
};
use crate::diagnostic::Diagnostic;
use crate::dialect::{Dialect, TOOLS, ToolName};
use crate::model::agent::{self, EFFORTS, ToolsDecl, is_agent_name, slugify};
use crate::source::FileId;
use crate::syntax::emit;
use crate::syntax::yaml::{YNode, YValue, YamlLimits};

/// One file converted.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The agent's id, and the stem of the file to write.
    pub name: String,
    /// The agentc definition.
    pub text: String,
    pub notes: Vec<Note>,
    /// Tool names kept as written that agentc's vocabulary lacks: what
    /// `[tools] extra` would need to declare.
    pub extra_tools: Vec<String>,
}

#[derive(Default)]
enum ToolsOut {
    #[default]
    Inherit,
    All,
    List(Vec<String>),
}

#[derive(Default)]
struct Fields {
    description: Option<String>,
    model: Option<String>,
    fallback: Vec<String>,
    tools: ToolsOut,
    temperature: Option<f64>,
    top_p: Option<f64>,
    reasoning_effort: Option<String>,
    timeout: Option<String>,
    extensions: Vec<(String, YNode)>,
}

struct Cx {
    from: Dialect,
    fields: Fields,
    notes: Vec<Note>,
    extra_tools: Vec<String>,
}

impl Cx {
    fn note(&mut self, kind: NoteKind, field: &str, message: impl Into<String>) {
        self.notes.push(Note::new(kind, field, message));
    }

    fn extension(&mut self, key: String, value: &YNode) {
        if self.fields.extensions.iter().any(|(k, _)| *k == key) {
            self.note(
                NoteKind::Lost,
                &key,
                format!("`{key}` is set twice (once by its own key); the first is kept"),
            );
            return;
        }
        self.fields.extensions.push((key, value.clone()));
    }

    /// Keeps a field agentc does not use as `x-<dialect>-<key>`.
    fn keep(&mut self, key: &str, value: &YNode, why: &str) {
        let ext = format!("{}{key}", extension_prefix(self.from));
        self.note(NoteKind::Kept, key, format!("{why}; kept as `{ext}`"));
        self.extension(ext, value);
    }

    fn tool_as_written(&mut self, name: &str) -> String {
        if !TOOLS.contains(&name)
            && !name.starts_with("mcp__")
            && !self.extra_tools.iter().any(|t| t == name)
        {
            self.extra_tools.push(name.to_string());
        }
        name.to_string()
    }
}

fn push_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    for i in items {
        if !list.contains(&i) {
            list.push(i);
        }
    }
}

fn number(value: &YNode) -> Option<f64> {
    match value.value {
        YValue::Int(i) => Some(i as f64),
        YValue::Float(f) => Some(f),
        _ => None,
    }
}

/// Converts one file of dialect `from` (its stem as discovery computes it).
/// A file agentc cannot read at all gives its findings instead.
// Long: one short section per field, in agentc's field order.
pub fn import(text: &str, from: Dialect, stem: &str) -> Result<Imported, Vec<Diagnostic>> {
    let analysis = agent::analyze(FileId(0), text, from, stem, YamlLimits::default());
    let Some(def) = &analysis.def else {
        return Err(analysis.diagnostics);
    };
    let Some(entries) = raw_entries(text, &analysis.diagnostics) else {
        return Err(analysis.diagnostics);
    };
    let mut cx = Cx {
        from,
        fields: Fields::default(),
        notes: Vec::new(),
        extra_tools: Vec::new(),
    };

    // The id: Claude's `name`, the file stem elsewhere.
    let display = entries
        .iter()
        .find(|(k, _)| k.as_str() == Some("name"))
        .and_then(|(_, v)| v.as_str())
        .map(str::trim);
    let wanted = match from {
        Dialect::Claude | Dialect::Gemini | Dialect::Cursor => def.name.clone(),
        _ => stem.to_string(),
    };
    let name = if is_agent_name(&wanted) {
        wanted
    } else {
        let mut slug = slugify(&wanted);
        if slug.is_empty() {
            slug = display.map(slugify).unwrap_or_default();
        }
        if slug.is_empty() {
            slug = "agent".into();
        }
        cx.note(
            NoteKind::Approximated,
            "name",
            format!("`{wanted}` is not an agentc name; imported as `{slug}`"),
        );
        slug
    };

    let mut seen: Vec<String> = Vec::new();
    for (key, value) in &entries {
        let Some(k) = key.key_text() else { continue };
        if seen.contains(&k) {
            continue; // a duplicate key: the first one counts, as in `check`
        }
        seen.push(k.clone());
        if k.starts_with("x-") {
            cx.extension(k, value);
            continue;
        }
        match (from, k.as_str()) {
            (_, "description") => match &def.description {
                Some(d) => cx.fields.description = Some(d.clone()),
                None => cx.keep(&k, value, "`description` is not a non-empty string"),
            },
            (Dialect::Claude | Dialect::Gemini | Dialect::Cursor, "name") => {}
            (Dialect::Cursor, "readonly") => match value.value {
                YValue::Bool(true) => {
                    cx.fields.tools = ToolsOut::List(
                        crate::dialect::cursor::READ_ONLY_TOOLS
                            .iter()
                            .map(|t| t.to_string())
                            .collect(),
                    );
                }
                YValue::Bool(false) => {}
                _ => cx.keep(&k, value, "`readonly` is not `true` or `false`"),
            },
            (Dialect::Gemini, "temperature") => match number(value) {
                Some(t) if def.params.temperature.is_some() => cx.fields.temperature = Some(t),
                _ => cx.keep(&k, value, "not a temperature agentc accepts"),
            },
            (Dialect::Gemini, "timeout_mins") => match value.value {
                YValue::Int(m) if m > 0 => cx.fields.timeout = Some(format!("{m}m")),
                _ => cx.keep(&k, value, "not a whole number of minutes"),
            },
            (Dialect::Gemini, "kind") if value.as_str() == Some("local") => {}
            (_, "name") => {
                if display != Some(name.as_str()) {
                    cx.keep(&k, value, &format!("{} shows this name", from.harness()));
                }
            }
            (Dialect::Opencode, "tools")
                if entries
                    .iter()
                    .any(|(k, _)| k.as_str() == Some("permission")) =>
            {
                // With permission rules the map is one half of the meaning:
                // both go back to OpenCode as they were.
                tools(&mut cx, def, value);
                cx.keep(
                    &k,
                    value,
                    "OpenCode applies this map together with the `permission` rules",
                );
            }
            (Dialect::Opencode, "tools") if opencode_open_map(value) => {
                // Without `"*"` the map turns off only what it names: the
                // agent keeps tools that come later (MCP servers, custom
                // tools). It goes back to OpenCode as it was.
                tools(&mut cx, def, value);
                cx.keep(
                    &k,
                    value,
                    "OpenCode keeps every tool this map does not turn off, also ones added later",
                );
            }
            (_, "tools") => tools(&mut cx, def, value),
            (Dialect::Opencode, "permission") => {
                // The rules stay as they are (export writes them back);
                // the tools they leave become the agent's list.
                if !entries.iter().any(|(k, _)| k.as_str() == Some("tools")) {
                    opencode_tools(&mut cx, def, value);
                }
                cx.keep(
                    &k,
                    value,
                    "OpenCode's permission rules (agentc's `tools` lists the tools they leave)",
                );
            }
            (_, "model") => model(&mut cx, def, value),
            (Dialect::Claude, "effort") => match value.as_str() {
                Some(e) if EFFORTS.contains(&e) => cx.fields.reasoning_effort = Some(e.to_string()),
                _ => cx.keep(&k, value, "agentc's `reasoning_effort` has no such level"),
            },
            (Dialect::Opencode, "temperature") => match number(value) {
                Some(t) if def.params.temperature.is_some() => cx.fields.temperature = Some(t),
                _ => cx.keep(&k, value, "not a temperature agentc accepts"),
            },
            (Dialect::Opencode, "top_p") => match number(value) {
                Some(t) if def.params.top_p.is_some() => cx.fields.top_p = Some(t),
                _ => cx.keep(&k, value, "not a `top_p` agentc accepts"),
            },
            _ => {
                let why = if from.knows(&k) {
                    format!("`{k}` is a {} setting agentc does not use", from.harness())
                } else {
                    format!("`{k}` is not a {} field", from.harness())
                };
                cx.keep(&k, value, &why);
            }
        }
    }

    let Cx {
        mut fields,
        notes,
        extra_tools,
        ..
    } = cx;
    // agentc's vocabulary order, then other tools as written: one order
    // whatever the harness's aliases expanded to.
    if let ToolsOut::List(list) = &mut fields.tools {
        list.sort_by_key(|t| TOOLS.iter().position(|v| v == t).unwrap_or(TOOLS.len()));
    }
    let mut fm = Frontmatter::new();
    fm.string("name", &name);
    if let Some(d) = &fields.description {
        fm.string("description", d);
    }
    if let Some(m) = &fields.model {
        fm.string("model", m);
        if !fields.fallback.is_empty() {
            fm.raw("fallback", &emit::flow_list(&fields.fallback));
        }
    }
    match &fields.tools {
        ToolsOut::Inherit => {}
        ToolsOut::All => fm.raw("tools", "\"*\""),
        ToolsOut::List(list) => fm.raw("tools", &emit::flow_list(list)),
    }
    if let Some(t) = fields.temperature {
        fm.raw("temperature", &format!("{t}"));
    }
    if let Some(t) = fields.top_p {
        fm.raw("top_p", &format!("{t}"));
    }
    if let Some(e) = &fields.reasoning_effort {
        fm.string("reasoning_effort", e);
    }
    if let Some(t) = &fields.timeout {
        fm.string("timeout", t);
    }
    let mut extensions = fields.extensions;
    extensions.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in &extensions {
        fm.node(k, v);
    }
    let body = &text[def.body.clone()];
    Ok(Imported {
        name,
        text: fm.finish(None, body, line_ending(text)),
        notes,
        extra_tools,
    })
}

fn tools(cx: &mut Cx, def: &agent::AgentDef, value: &YNode) {
    if cx.from == Dialect::Opencode {
        return opencode_tools(cx, def, value);
    }
    let list = match &def.tools {
        ToolsDecl::All(_) => {
            cx.fields.tools = ToolsOut::All;
            return;
        }
        ToolsDecl::Inherit => {
            cx.keep("tools", value, "not a tool list agentc can read");
            return;
        }
        ToolsDecl::List(list) => list,
    };
    let mut out: Vec<String> = Vec::new();
    let mut unmapped: Vec<String> = Vec::new();
    for entry in list {
        let raw = entry.value.trim();
        match cx.from {
            Dialect::Copilot => {
                let (names, mapped) = copilot_tool(raw);
                if !mapped {
                    unmapped.push(raw.to_string());
                    let n = cx.tool_as_written(raw);
                    push_unique(&mut out, [n]);
                } else {
                    push_unique(&mut out, names);
                }
            }
            Dialect::Gemini => match Dialect::Gemini.tool(raw, &[]) {
                ToolName::Known(n) if n == "*" => {
                    cx.fields.tools = ToolsOut::All;
                    return;
                }
                ToolName::Known(n) if TOOLS.contains(&n.as_str()) => push_unique(&mut out, [n]),
                ToolName::Mcp(n) => push_unique(&mut out, [n]),
                ToolName::Known(n) | ToolName::Unknown { name: n, .. } => {
                    unmapped.push(n.clone());
                    let n = cx.tool_as_written(&n);
                    push_unique(&mut out, [n]);
                }
            },
            _ if Dialect::claude_retired_tool(raw).is_some() => {
                cx.note(
                    NoteKind::Lost,
                    "tools",
                    format!(
                        "`{raw}` is not a {} tool any more (it drops it from the agent's tools); not imported",
                        cx.from.harness()
                    ),
                );
            }
            _ => match Dialect::Claude.tool(raw, &[]) {
                ToolName::Known(n) => {
                    if raw.contains('(') {
                        cx.note(
                            NoteKind::Lost,
                            "tools",
                            format!("`{raw}` allows only some uses of the tool; agentc's `{n}` has no such restriction"),
                        );
                    }
                    if !TOOLS.contains(&n.as_str()) {
                        unmapped.push(n.clone());
                        let n = cx.tool_as_written(&n);
                        push_unique(&mut out, [n]);
                    } else {
                        push_unique(&mut out, [n]);
                    }
                }
                ToolName::Mcp(n) => push_unique(&mut out, [n]),
                ToolName::Unknown { name, .. } => {
                    unmapped.push(name.clone());
                    let n = cx.tool_as_written(&name);
                    push_unique(&mut out, [n]);
                }
            },
        }
    }
    finish_tools(cx, out, &unmapped);
}

/// An OpenCode `tools` map with no `"*"` entry that turns something off.
fn opencode_open_map(value: &YNode) -> bool {
    match &value.value {
        YValue::Map(entries) => {
            !entries.iter().any(|(k, _)| k.as_str() == Some("*"))
                && entries
                    .iter()
                    .any(|(_, v)| matches!(v.value, YValue::Bool(false)))
        }
        _ => false,
    }
}

/// OpenCode's `tools` map (with the `permission` rules, as `check` reads
/// them): the tools the agent keeps there, as an explicit list. A map that
/// takes nothing away leaves the agent its parent's tools.
fn opencode_tools(cx: &mut Cx, def: &agent::AgentDef, value: &YNode) {
    let ToolsDecl::List(list) = &def.tools else {
        if !matches!(value.value, YValue::Map(_)) {
            cx.keep(
                "tools",
                value,
                "OpenCode's `tools` is a map of tool names to booleans",
            );
        }
        return;
    };
    let mut out: Vec<String> = Vec::new();
    let mut unmapped: Vec<String> = Vec::new();
    for entry in list {
        let mapped = match Dialect::Opencode.tool(&entry.value, &[]) {
            ToolName::Known(n) if TOOLS.contains(&n.as_str()) => n,
            ToolName::Known(n) | ToolName::Mcp(n) | ToolName::Unknown { name: n, .. } => {
                unmapped.push(n.clone());
                cx.tool_as_written(&n)
            }
        };
        push_unique(&mut out, [mapped]);
    }
    finish_tools(cx, out, &unmapped);
}

fn model(cx: &mut Cx, def: &agent::AgentDef, value: &YNode) {
    let Some(primary) = &def.model else {
        cx.keep("model", value, "not a model agentc can read");
        return;
    };
    let m = primary.value.trim();
    match cx.from {
        Dialect::Claude => {
            let qualified = match m.split_once('/') {
                _ if m == "inherit" => m.to_string(),
                Some((p, rest)) if is_preset(p) && !rest.is_empty() => m.to_string(),
                _ => format!("anthropic/{m}"),
            };
            cx.fields.model = Some(qualified);
        }
        Dialect::Opencode => match m.split_once('/') {
            Some((p, rest)) if is_preset(agentc_provider_of_opencode(p)) && !rest.is_empty() => {
                cx.fields.model = Some(format!("{}/{rest}", agentc_provider_of_opencode(p)));
            }
            Some((p, _)) => cx.keep(
                "model",
                value,
                &format!("OpenCode provider `{p}` is not one of agentc's presets (declare `[providers.{p}]` and set `model: {m}`)"),
            ),
            None => cx.keep("model", value, "OpenCode models are `provider/model`"),
        },
        Dialect::Copilot => {
            let mut chain = vec![m.to_string()];
            if let Some((fallbacks, _)) = &def.fallback {
                chain.extend(fallbacks.iter().map(|f| f.value.trim().to_string()));
            }
            let mapped: Option<Vec<String>> = chain.iter().map(|c| copilot_model(c)).collect();
            match mapped {
                Some(mut list) if !list.is_empty() => {
                    // A display name (`GPT-4.1`) is what a BYOK provider
                    // gets on the wire: it goes back as it was written.
                    let as_written = list
                        .iter()
                        .zip(&chain)
                        .all(|(m, c)| m == c || m.split_once('/').map(|(_, id)| id) == Some(c));
                    if !as_written {
                        cx.keep("model", value, "Copilot shows and sends this spelling");
                    }
                    cx.fields.model = Some(list.remove(0));
                    cx.fields.fallback = list;
                }
                _ => {
                    let unknown: Vec<String> = chain
                        .iter()
                        .filter(|c| copilot_model(c).is_none())
                        .map(|c| format!("`{c}`"))
                        .collect();
                    cx.keep(
                        "model",
                        value,
                        &format!(
                            "Copilot model {} names no provider agentc knows",
                            unknown.join(", ")
                        ),
                    )
                }
            }
        }
        Dialect::Gemini => {
            cx.fields.model = Some(match m.split_once('/') {
                _ if m == "inherit" => m.to_string(),
                Some((p, rest)) if is_preset(p) && !rest.is_empty() => m.to_string(),
                _ => format!("gemini/{m}"),
            });
        }
        Dialect::Cursor => match crate::dialect::cursor::model(m) {
            Some(mapped) => cx.fields.model = Some(mapped),
            None => cx.keep(
                "model",
                value,
                &format!("Cursor model `{m}` names no provider agentc knows"),
            ),
        },
        // Codex role files are imported by `super::codex`.
        Dialect::Agentc | Dialect::Codex => cx.fields.model = Some(m.to_string()),
    }
}

/// Sets the imported tools and notes the ones kept under their own name.
fn finish_tools(cx: &mut Cx, tools: Vec<String>, unmapped: &[String]) {
    if !unmapped.is_empty() {
        let names: Vec<String> = unmapped.iter().map(|t| format!("`{t}`")).collect();
        cx.note(
            NoteKind::Kept,
            "tools",
            format!(
                "{} {} no agentc name; kept as written (declare {} in `[tools] extra` of agentc.toml)",
                names.join(", "),
                if unmapped.len() == 1 { "has" } else { "have" },
                if unmapped.len() == 1 { "it" } else { "them" },
            ),
        );
    }
    cx.fields.tools = ToolsOut::List(tools);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_file_to_agentc() {
        let src = "---\nname: code-reviewer\ndescription: Use this agent when: you need a review\ntools: Read, Grep, Bash(git diff:*), Skill, TodoWrite, TodoRead\nmodel: sonnet\ncolor: blue\neffort: high\n---\nYou review code.\n";
        let i = import(src, Dialect::Claude, "code-reviewer").unwrap();
        assert_eq!(
            i.text,
            "---\nname: code-reviewer\ndescription: \"Use this agent when: you need a review\"\nmodel: anthropic/sonnet\ntools: [read, grep, bash, Skill]\nreasoning_effort: high\nx-claude-color: blue\n---\nYou review code.\n"
        );
        let kinds: Vec<(&str, NoteKind)> =
            i.notes.iter().map(|n| (n.field.as_str(), n.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("tools", NoteKind::Lost),
                ("tools", NoteKind::Lost),
                ("tools", NoteKind::Lost),
                ("tools", NoteKind::Kept),
                ("color", NoteKind::Kept)
            ]
        );
        assert_eq!(i.extra_tools, vec!["Skill".to_string()]);
    }

    #[test]
    fn copilot_file_to_agentc() {
        let src = "---\nname: 'C# Expert'\ndescription: Helps with C#.\ntools: ['search', 'edit/editFiles', 'execute']\nmodel: [GPT-5 (copilot), Claude Sonnet 4.5]\nhandoffs:\n  - label: Go\n    agent: next\n---\nBody\n";
        let i = import(src, Dialect::Copilot, "CSharpExpert").unwrap();
        assert_eq!(i.name, "csharpexpert");
        assert_eq!(
            i.text,
            "---\nname: csharpexpert\ndescription: Helps with C#.\nmodel: openai/gpt-5\nfallback: [anthropic/claude-sonnet-4-5]\ntools: [grep, glob, bash, edit/editFiles]\nx-copilot-handoffs:\n  - label: Go\n    agent: next\nx-copilot-model:\n  - GPT-5 (copilot)\n  - Claude Sonnet 4.5\nx-copilot-name: C# Expert\n---\nBody\n"
        );
    }

    #[test]
    fn opencode_file_to_agentc() {
        // Only-true entries restrict nothing; `bash: false` takes bash
        // away: the agent keeps OpenCode's other tools (and `list`), and
        // the map is kept to go back as it was (tools added later stay on).
        let src = "---\ndescription: Builds.\nmode: subagent\nmodel: lmstudio/qwen/qwen3-8b\ntemperature: 0.1\ntools:\n  read: true\n  list: true\n  bash: false\n---\nBody\n";
        let i = import(src, Dialect::Opencode, "builder").unwrap();
        assert_eq!(
            i.text,
            "---\nname: builder\ndescription: Builds.\nmodel: lm-studio/qwen/qwen3-8b\ntools: [read, write, edit, grep, glob, ls, web_fetch, web_search, agent, todo, skill]\ntemperature: 0.1\nx-opencode-mode: subagent\nx-opencode-tools:\n  read: true\n  list: true\n  bash: false\n---\nBody\n"
        );
        // `write: false` is OpenCode's `edit` permission: edit goes too.
        let off = "---\ndescription: d\ntools:\n  write: false\n---\nB\n";
        let i = import(off, Dialect::Opencode, "x").unwrap();
        assert!(
            i.text.contains(
                "tools: [read, grep, glob, bash, web_fetch, web_search, agent, todo, skill]"
            ),
            "{}",
            i.text
        );
        let only_true = "---\ndescription: d\ntools:\n  read: true\n  grep: true\n---\nB\n";
        let i = import(only_true, Dialect::Opencode, "x").unwrap();
        assert!(!i.text.contains("tools"), "{}", i.text);
        let star =
            "---\ndescription: d\ntools:\n  \"*\": false\n  read: true\n  grep: true\n---\nB\n";
        let i = import(star, Dialect::Opencode, "x").unwrap();
        assert!(i.text.contains("tools: [read, grep]\n"), "{}", i.text);
        let perm = "---\ndescription: d\npermission:\n  edit: deny\n  bash: deny\n---\nB\n";
        let i = import(perm, Dialect::Opencode, "x").unwrap();
        assert!(
            i.text
                .contains("tools: [read, grep, glob, web_fetch, web_search, agent, todo, skill]\n"),
            "{}",
            i.text
        );
        assert!(i.text.contains("x-opencode-permission:"), "{}", i.text);
    }
}
