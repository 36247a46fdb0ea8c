//! An agentc definition → another harness's agent file (`agentc export`).
//!
//! Written: name, description, tools (in the harness's names), the model
//! where the harness can run it, the parameters it has, and the
//! `x-<dialect>-<key>` extensions import kept. Reported, not written:
//! every other field (fallback chains where the harness has none, models of
//! providers it cannot reach, roles, requires, parameters it lacks, other
//! extensions).

use super::{
    EXPORT_MARKER, Frontmatter, Note, NoteKind, copilot_alias, copilot_model, copilot_tool,
    extension_prefix, line_ending, raw_entries,
};
use crate::agent::{AgentDef, ToolsDecl};
use crate::config::Config;
use crate::dialect::{Dialect, TOOLS, ToolName};
use crate::resolve::Resolver;
use crate::syntax::emit;
use crate::syntax::yaml::YValue;

/// One definition written for a harness.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    pub name: String,
    /// `<name>.md`, or `<name>.agent.md` for Copilot.
    pub file_name: String,
    pub text: String,
    pub notes: Vec<Note>,
}

/// The folder, relative to the project root, where a harness reads agents.
pub fn default_dir(to: Dialect) -> &'static str {
    match to {
        Dialect::Claude => ".claude/agents",
        Dialect::Opencode => ".opencode/agent",
        Dialect::Copilot => ".github/agents",
        Dialect::Agentc => crate::discover::AGENTS_DIR,
    }
}

pub fn file_name(name: &str, to: Dialect) -> String {
    match to {
        Dialect::Copilot => format!("{name}.agent.md"),
        _ => format!("{name}.md"),
    }
}

/// A model reference of the definition, read as the resolver reads it.
#[derive(Clone, Debug, PartialEq)]
enum Ref {
    Inherit,
    /// Provider and model; `alias` when an alias named them.
    Qualified {
        provider: String,
        model: String,
        alias: Option<String>,
    },
    /// A model id with no provider of its own.
    Bare(String),
}

fn read_ref(text: &str, config: &Config) -> Ref {
    let text = text.trim();
    if text == "inherit" {
        return Ref::Inherit;
    }
    if let Some((provider, model)) = Resolver::new(config).alias_target(text) {
        return Ref::Qualified {
            provider,
            model,
            alias: Some(text.to_string()),
        };
    }
    match text.split_once('/') {
        Some((p, m)) if config.providers.contains_key(p) && !m.is_empty() => Ref::Qualified {
            provider: p.to_string(),
            model: m.to_string(),
            alias: None,
        },
        _ => Ref::Bare(text.to_string()),
    }
}

/// The route the definition itself sets, if any.
fn primary(def: &AgentDef, config: &Config, notes: &mut Vec<Note>) -> Option<Ref> {
    let provider = def
        .provider
        .as_ref()
        .map(|p| p.value.as_str())
        .filter(|p| *p != "inherit");
    match (provider, def.model.as_ref().map(|m| m.value.as_str())) {
        (_, Some("inherit")) => Some(Ref::Inherit),
        (Some(p), Some(m)) => Some(Ref::Qualified {
            provider: p.to_string(),
            model: m.to_string(),
            alias: None,
        }),
        (None, Some(m)) => Some(read_ref(m, config)),
        (Some(p), None) => match config
            .providers
            .get(p)
            .and_then(|x| x.default_model.clone())
        {
            Some((m, _)) => Some(Ref::Qualified {
                provider: p.to_string(),
                model: m,
                alias: None,
            }),
            None => {
                notes.push(Note::new(
                    NoteKind::Lost,
                    "provider",
                    format!("`provider: {p}` names no model"),
                ));
                None
            }
        },
        (None, None) => None,
    }
}

fn shown(r: &Ref) -> String {
    match r {
        Ref::Inherit => "inherit".into(),
        Ref::Qualified {
            provider, model, ..
        } => format!("{provider}/{model}"),
        Ref::Bare(m) => m.clone(),
    }
}

/// The model as the harness writes it, or why it cannot.
fn model_for(r: &Ref, to: Dialect) -> Result<Option<String>, String> {
    let harness = to.harness();
    match (to, r) {
        (Dialect::Claude | Dialect::Copilot, Ref::Inherit) => Ok(Some("inherit".into())),
        (_, Ref::Inherit) => Ok(None),
        (
            Dialect::Claude,
            Ref::Qualified {
                provider, model, ..
            },
        ) if provider == "anthropic" => Ok(Some(model.clone())),
        (Dialect::Claude, Ref::Bare(m))
            if matches!(m.as_str(), "sonnet" | "opus" | "haiku" | "fable")
                || m.starts_with("claude-") =>
        {
            Ok(Some(m.clone()))
        }
        (Dialect::Claude, _) => Err(format!(
            "`{}`: {harness} runs Anthropic models only",
            shown(r)
        )),
        (
            Dialect::Opencode,
            Ref::Qualified {
                provider, model, ..
            },
        ) => Ok(Some(format!("{provider}/{model}"))),
        (Dialect::Opencode, Ref::Bare(m)) => Err(format!(
            "`{m}` names no provider; {harness} models are `provider/model`"
        )),
        (
            Dialect::Copilot,
            Ref::Qualified {
                provider, model, ..
            },
        ) if copilot_model(model).as_deref() == Some(&format!("{provider}/{model}")) => {
            Ok(Some(model.clone()))
        }
        (Dialect::Copilot, Ref::Bare(m)) if copilot_model(m).is_some() => Ok(Some(m.clone())),
        (Dialect::Copilot, _) => Err(format!(
            "`{}`: {harness} runs the Anthropic, OpenAI and Google models of its own model picker",
            shown(r)
        )),
        (Dialect::Agentc, _) => Ok(Some(shown(r))),
    }
}

/// Writes `def` (read from `text`, at `source` in the project) for `to`.
pub fn export(def: &AgentDef, text: &str, source: &str, config: &Config, to: Dialect) -> Exported {
    let mut notes: Vec<Note> = Vec::new();
    let harness = to.harness();
    let entries = raw_entries(text, &[]).unwrap_or_default();
    let prefix = extension_prefix(to);
    let has_ext = |key: &str| {
        entries
            .iter()
            .any(|(k, _)| k.as_str() == Some(&format!("{prefix}{key}")))
    };
    let mut fm = Frontmatter::new();

    // Name: the id for Claude; a display name for Copilot; OpenCode's id is
    // the file name.
    match to {
        Dialect::Claude => {
            let ok = !def.name.is_empty()
                && def
                    .name
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
            if !ok {
                notes.push(Note::new(
                    NoteKind::Approximated,
                    "name",
                    format!("`{}`: {harness} names are lower-case letters, digits and hyphens; it loads this one but warns", def.name),
                ));
            }
            fm.string("name", &def.name);
        }
        Dialect::Copilot if !has_ext("name") => fm.string("name", &def.name),
        _ => {}
    }
    if let Some(d) = &def.description {
        fm.string("description", d);
    }

    tools(def, to, &mut fm, &mut notes);

    // Model and fallbacks.
    let fallbacks: Vec<Ref> = def
        .fallback
        .as_ref()
        .map(|(l, _)| l.iter().map(|f| read_ref(&f.value, config)).collect())
        .unwrap_or_default();
    match primary(def, config, &mut notes) {
        Some(r) => match model_for(&r, to) {
            Ok(written) => {
                if let Ref::Qualified {
                    alias: Some(a),
                    provider,
                    model,
                } = &r
                {
                    notes.push(Note::new(
                        NoteKind::Approximated,
                        "model",
                        format!("alias `{a}` is written as its target `{provider}/{model}`"),
                    ));
                }
                let mut chain: Vec<String> = written.into_iter().collect();
                for f in &fallbacks {
                    match (to, model_for(f, to)) {
                        (Dialect::Copilot, Ok(Some(m))) if !chain.is_empty() => chain.push(m),
                        (Dialect::Copilot, Err(why)) => {
                            notes.push(Note::new(NoteKind::Lost, "fallback", why))
                        }
                        _ => notes.push(Note::new(
                            NoteKind::Lost,
                            "fallback",
                            format!("`{}`: {harness} has no fallback chain", shown(f)),
                        )),
                    }
                }
                match chain.len() {
                    0 => {}
                    1 => fm.string("model", &chain[0]),
                    _ => fm.raw("model", &emit::flow_list(&chain)),
                }
            }
            Err(why) => {
                notes.push(Note::new(NoteKind::Lost, "model", why));
                for f in &fallbacks {
                    notes.push(Note::new(
                        NoteKind::Lost,
                        "fallback",
                        format!("`{}`: the primary model is not written either", shown(f)),
                    ));
                }
            }
        },
        None => {
            for f in &fallbacks {
                notes.push(Note::new(
                    NoteKind::Lost,
                    "fallback",
                    format!("`{}`: {harness} has no fallback chain", shown(f)),
                ));
            }
        }
    }

    // Parameters.
    let p = &def.params;
    let lost = |notes: &mut Vec<Note>, field: &str, value: String| {
        notes.push(Note::new(
            NoteKind::Lost,
            field,
            format!("`{field}: {value}`: {harness} has no such setting"),
        ));
    };
    if let Some(t) = p.temperature {
        match to {
            Dialect::Opencode => fm.raw("temperature", &format!("{t}")),
            _ => lost(&mut notes, "temperature", t.to_string()),
        }
    }
    if let Some(t) = p.top_p {
        match to {
            Dialect::Opencode => fm.raw("top_p", &format!("{t}")),
            _ => lost(&mut notes, "top_p", t.to_string()),
        }
    }
    if let Some(m) = p.max_tokens {
        lost(&mut notes, "max_tokens", m.to_string());
    }
    if let Some(e) = &p.reasoning_effort {
        match to {
            Dialect::Claude if e != "minimal" => fm.string("effort", e),
            _ => lost(&mut notes, "reasoning_effort", e.clone()),
        }
    }
    if let Some(ms) = p.timeout_ms {
        let raw = entries
            .iter()
            .find(|(k, _)| k.as_str() == Some("timeout"))
            .and_then(|(_, v)| v.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("{ms}ms"));
        lost(&mut notes, "timeout", raw);
    }
    if let Some(r) = &def.role {
        notes.push(Note::new(
            NoteKind::Lost,
            "role",
            format!(
                "`role: {}`: {harness} has no roles (agentc routes roles through `[roles.{}]`)",
                r.value, r.value
            ),
        ));
    }
    if !def.requires.is_empty() {
        let caps: Vec<&str> = def.requires.iter().map(|r| r.value.as_str()).collect();
        notes.push(Note::new(
            NoteKind::Lost,
            "requires",
            format!(
                "`requires: [{}]`: {harness} has no capability checks",
                caps.join(", ")
            ),
        ));
    }

    // Extensions: this harness's own fields come back; others cannot go.
    for (k, v) in &entries {
        let Some(key) = k.as_str() else { continue };
        if !key.starts_with("x-") {
            continue;
        }
        match key.strip_prefix(&prefix) {
            Some(native) if !native.is_empty() => {
                if fm.has(native) {
                    notes.push(Note::new(
                        NoteKind::Lost,
                        key,
                        format!("`{key}` would set `{native}`, which the definition sets already"),
                    ));
                } else {
                    fm.node(native, v);
                }
            }
            _ => notes.push(Note::new(
                NoteKind::Lost,
                key,
                format!("extension `{key}`: {harness} files have no such field"),
            )),
        }
    }

    let marker = format!(
        "{EXPORT_MARKER} from {source}; edit that file, then run `agentc export --to {}`.",
        to.as_str()
    );
    let body = &text[def.body.clone()];
    Exported {
        name: def.name.clone(),
        file_name: file_name(&def.name, to),
        text: fm.finish(Some(&marker), body, line_ending(text)),
        notes,
    }
}

fn tools(def: &AgentDef, to: Dialect, fm: &mut Frontmatter, notes: &mut Vec<Note>) {
    let harness = to.harness();
    let list: Vec<&str> = match &def.tools {
        // No key, or every tool: the harness's default is every tool.
        ToolsDecl::Inherit | ToolsDecl::All(_) => return,
        ToolsDecl::List(l) => l.iter().map(|t| t.value.trim()).collect(),
    };
    let mut out: Vec<String> = Vec::new();
    let mut lost: Vec<&str> = Vec::new();
    let mut foreign: Vec<&str> = Vec::new();
    for &t in &list {
        let name = match to {
            Dialect::Claude => {
                if TOOLS.contains(&t) {
                    Dialect::claude_tool_name(t).map(str::to_string)
                } else {
                    // Claude's own tools, MCP tools, and names the agent
                    // had when it was imported: as written.
                    if !t.starts_with("mcp__")
                        && !matches!(Dialect::Claude.tool(t, &[]), ToolName::Known(_))
                    {
                        foreign.push(t);
                    }
                    Some(t.to_string())
                }
            }
            Dialect::Opencode => {
                if TOOLS.contains(&t) {
                    Dialect::opencode_tool_name(t).map(str::to_string)
                } else if t.starts_with("mcp__") {
                    None
                } else {
                    if !matches!(Dialect::Opencode.tool(t, &[]), ToolName::Known(ref n) if n == t) {
                        foreign.push(t);
                    }
                    Some(t.to_string())
                }
            }
            Dialect::Copilot => {
                if TOOLS.contains(&t) {
                    copilot_alias(t).map(str::to_string)
                } else if t.starts_with("mcp__") {
                    None
                } else {
                    Some(t.to_string())
                }
            }
            Dialect::Agentc => Some(t.to_string()),
        };
        match name {
            Some(n) => {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            None => lost.push(t),
        }
    }
    if !lost.is_empty() {
        let names: Vec<String> = lost.iter().map(|t| format!("`{t}`")).collect();
        notes.push(Note::new(
            NoteKind::Lost,
            "tools",
            format!(
                "{}: {harness} has no such tool{}",
                names.join(", "),
                if lost.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    if !foreign.is_empty() {
        let names: Vec<String> = foreign.iter().map(|t| format!("`{t}`")).collect();
        let message = if foreign.len() == 1 {
            format!(
                "{} is not a {harness} tool name; written as it is",
                names[0]
            )
        } else {
            format!(
                "{} are not {harness} tool names; written as they are",
                names.join(", ")
            )
        };
        notes.push(Note::new(NoteKind::Approximated, "tools", message));
    }
    if to == Dialect::Copilot {
        // Copilot's aliases cover several agentc tools each: say when the
        // agent gets more (or other) tools there than here.
        let mut back: Vec<String> = out.iter().flat_map(|t| copilot_tool(t).0).collect();
        back.sort();
        back.dedup();
        let mut here: Vec<String> = list
            .iter()
            .filter(|t| !lost.contains(t))
            .map(|t| t.to_string())
            .collect();
        here.sort();
        here.dedup();
        if back != here {
            notes.push(Note::new(
                NoteKind::Approximated,
                "tools",
                format!(
                    "written as Copilot's tool aliases `{}`, which stand for `{}`",
                    out.join(", "),
                    back.join(", ")
                ),
            ));
        }
    }
    match to {
        Dialect::Claude if !out.is_empty() => fm.string("tools", &out.join(", ")),
        Dialect::Opencode => {
            let mut entries = Vec::new();
            let mk = |s: &str, v: YValue| crate::syntax::yaml::YNode {
                span: 0..0,
                value: if s.is_empty() {
                    v
                } else {
                    YValue::Str(s.to_string())
                },
            };
            if out.is_empty() {
                entries.push((mk("*", YValue::Null), mk("", YValue::Bool(false))));
            }
            for t in &out {
                entries.push((mk(t, YValue::Null), mk("", YValue::Bool(true))));
            }
            fm.node(
                "tools",
                &crate::syntax::yaml::YNode {
                    span: 0..0,
                    value: YValue::Map(entries),
                },
            );
        }
        _ => fm.raw("tools", &emit::flow_list(&out)),
    }
}
