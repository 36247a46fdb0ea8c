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
use crate::dialect::{Dialect, TOOLS, ToolName};
use crate::model::agent::{AgentDef, ToolsDecl};
use crate::model::config::Config;
use crate::model::resolve::Resolver;
use crate::syntax::emit;
use crate::syntax::yaml::{YNode, YValue};

/// One definition written for a harness.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    pub name: String,
    /// `<name>.md`, or `<name>.agent.md` for Copilot.
    pub file_name: String,
    pub text: String,
    pub notes: Vec<Note>,
    /// Why the agent cannot be written without giving it more than its
    /// source allows; the file is then not written.
    pub refused: Option<String>,
}

/// The folder, relative to the project root, where a harness reads agents.
pub fn default_dir(to: Dialect) -> &'static str {
    match to {
        Dialect::Claude => ".claude/agents",
        Dialect::Opencode => ".opencode/agent",
        Dialect::Copilot => ".github/agents",
        Dialect::Gemini => ".gemini/agents",
        Dialect::Codex => ".codex/agents",
        Dialect::Cursor => ".cursor/agents",
        Dialect::Agentc => crate::discover::AGENTS_DIR,
    }
}

pub fn file_name(name: &str, to: Dialect) -> String {
    match to {
        Dialect::Copilot => format!("{name}.agent.md"),
        Dialect::Codex => format!("{name}.toml"),
        _ => format!("{name}.md"),
    }
}

/// A model reference of the definition, read as the resolver reads it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Ref {
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

pub(super) fn read_ref(text: &str, config: &Config) -> Ref {
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

/// The note for a model alias, which is written as its target.
pub(super) fn note_alias(r: &Ref, notes: &mut Vec<Note>) {
    if let Ref::Qualified {
        alias: Some(a),
        provider,
        model,
    } = r
    {
        notes.push(Note::new(
            NoteKind::Approximated,
            "model",
            format!("alias `{a}` is written as its target `{provider}/{model}`"),
        ));
    }
}

/// The route the definition itself sets, if any.
pub(super) fn primary(def: &AgentDef, config: &Config, notes: &mut Vec<Note>) -> Option<Ref> {
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

pub(super) fn shown(r: &Ref) -> String {
    match r {
        Ref::Inherit => "inherit".into(),
        Ref::Qualified {
            provider, model, ..
        } => format!("{provider}/{model}"),
        Ref::Bare(m) => m.clone(),
    }
}

/// Model ids Claude Code (2.1.197) replaces with its current Opus model
/// when it loads an agent: written as they are, they do not run as named.
const CLAUDE_REPLACED_MODELS: &[&str] = &[
    "claude-opus-4-0",
    "claude-opus-4-1",
    "claude-opus-4-20250514",
    "claude-opus-4-1-20250805",
];

/// The model names of a kept `x-copilot-model` (a string or a list).
fn copilot_spelling(entries: &[(YNode, YNode)], prefix: &str) -> Option<Vec<String>> {
    let key = format!("{prefix}model");
    let (_, v) = entries.iter().find(|(k, _)| k.as_str() == Some(&key))?;
    match &v.value {
        YValue::Str(s) => Some(vec![s.clone()]),
        YValue::Seq(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// When the harness has a built-in agent of this name, what that does to
/// the exported one (seen in OpenCode 1.18.33's `opencode debug agent` and
/// Copilot CLI 1.0.102's `task` tool).
fn builtin_agent(name: &str, to: Dialect) -> Option<String> {
    let harness = to.harness();
    match to {
        Dialect::Opencode
            if [
                "build",
                "plan",
                "general",
                "explore",
                "compaction",
                "title",
                "summary",
            ]
            .contains(&name) =>
        {
            Some(format!(
                "`{name}` is a built-in {harness} agent: {harness} merges this file into it, keeping the built-in's `mode` and its permission rules before this file's"
            ))
        }
        Dialect::Copilot
            if [
                "explore",
                "task",
                "general-purpose",
                "code-review",
                "research",
                "security-review",
            ]
            .contains(&name) =>
        {
            Some(format!(
                "`{name}` is a built-in {harness} agent: opened as a sub-agent (its `task` tool), `{name}` runs the built-in, not this file; rename the agent to reach it"
            ))
        }
        _ => None,
    }
}

/// The model as the harness writes it, or why it cannot.
fn model_for(r: &Ref, to: Dialect) -> Result<Option<String>, String> {
    let harness = to.harness();
    match (to, r) {
        (Dialect::Claude | Dialect::Copilot | Dialect::Gemini | Dialect::Cursor, Ref::Inherit) => {
            Ok(Some("inherit".into()))
        }
        (
            Dialect::Gemini,
            Ref::Qualified {
                provider, model, ..
            },
        ) if provider == "gemini" => Ok(Some(model.clone())),
        (Dialect::Gemini, Ref::Bare(m)) if m.starts_with("gemini-") => Ok(Some(m.clone())),
        (Dialect::Gemini, _) => Err(format!("`{}`: {harness} runs Gemini models only", shown(r))),
        (
            Dialect::Cursor,
            Ref::Qualified {
                provider, model, ..
            },
        ) if matches!(provider.as_str(), "anthropic" | "openai" | "gemini") => {
            Ok(Some(model.clone()))
        }
        (Dialect::Cursor, Ref::Bare(m))
            if m == "fast" || crate::dialect::cursor::model(m).is_some() =>
        {
            Ok(Some(m.clone()))
        }
        (Dialect::Cursor, _) => Err(format!(
            "`{}`: {harness} runs the Anthropic, OpenAI and Google models of its own catalogue",
            shown(r)
        )),
        (Dialect::Codex, _) => Err(format!("`{}`: written by the Codex exporter", shown(r))),
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
        ) => Ok(Some(format!(
            "{}/{model}",
            super::opencode_provider_of_agentc(provider)
        ))),
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
// Long: the output fields in the harness's order, one short section each.
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
        Dialect::Gemini | Dialect::Cursor => fm.string("name", &def.name),
        _ => {}
    }
    let mut refused = None;
    if to == Dialect::Gemini && !crate::dialect::gemini::is_name(&def.name) {
        refused = Some(format!(
            "`{}` is not a {harness} name (lower-case letters, digits, `-` and `_`); it would fail the file",
            def.name
        ));
    }
    if let Some(d) = &def.description {
        fm.string("description", d);
    }
    if let Some(why) = builtin_agent(&def.name, to) {
        notes.push(Note::new(NoteKind::Approximated, "name", why));
    }

    // OpenCode's own rules (a permission block, or a tools map that turns
    // off only what it names) go back as they were.
    let native: Vec<&str> = ["tools", "permission"]
        .into_iter()
        .filter(|k| to == Dialect::Opencode && has_ext(k))
        .collect();
    let native_permission = !native.is_empty();
    refused = refused.or(tools(def, to, &mut fm, &mut notes, native_permission).err());
    if refused.is_none() && matches!(def.tools, ToolsDecl::Inherit | ToolsDecl::All(_)) {
        refused = unlisted_tools_refusal(&entries, to);
    }

    // Model and fallbacks.
    let fallbacks: Vec<Ref> = def
        .fallback
        .as_ref()
        .map(|(l, _)| l.iter().map(|f| read_ref(&f.value, config)).collect())
        .unwrap_or_default();
    match primary(def, config, &mut notes) {
        Some(r) => match model_for(&r, to) {
            Ok(written) => {
                note_alias(&r, &mut notes);
                if let (
                    Dialect::Opencode,
                    Ref::Qualified {
                        provider, model, ..
                    },
                ) = (to, &r)
                {
                    opencode_provider_note(provider, model, &mut notes);
                }
                if let (Dialect::Claude, Some(m)) = (to, written.as_deref())
                    && CLAUDE_REPLACED_MODELS.contains(&m)
                {
                    notes.push(Note::new(
                        NoteKind::Approximated,
                        "model",
                        format!("`{m}`: {harness} runs this retired Opus id on its current Opus model; name a current model to run it"),
                    ));
                }
                if let (Dialect::Cursor, Some(m)) = (to, &written)
                    && m != "inherit"
                {
                    notes.push(Note::new(
                        NoteKind::Approximated,
                        "model",
                        format!("`{m}`: Cursor resolves a model id against its own catalogue, which agentc cannot read; check that it lists `{m}`"),
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
                // The spelling import kept (`GPT-4.1`) goes back when it
                // still names the same models.
                let spelled = (to == Dialect::Copilot)
                    .then(|| copilot_spelling(&entries, &prefix))
                    .flatten()
                    .filter(|names| {
                        let models = |l: &[String]| -> Vec<Option<String>> {
                            l.iter().map(|m| copilot_model(m)).collect()
                        };
                        models(names) == models(&chain)
                    });
                if spelled.is_some() {
                    chain.clear();
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
            Dialect::Opencode | Dialect::Gemini => fm.raw("temperature", &format!("{t}")),
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
        if to == Dialect::Gemini {
            // Gemini CLI counts whole minutes; rounding up never cuts a
            // run short that the definition allows.
            let mins = ms.div_ceil(60_000);
            fm.raw("timeout_mins", &mins.to_string());
            if ms % 60_000 != 0 {
                notes.push(Note::new(
                    NoteKind::Approximated,
                    "timeout",
                    format!("`timeout: {raw}` is written as `timeout_mins: {mins}`: {harness} counts whole minutes"),
                ));
            }
        } else {
            lost(&mut notes, "timeout", raw);
        }
    }
    routing_notes(def, harness, "has no roles", &mut notes);

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
    let text = fm.finish(Some(&marker), body, line_ending(text));
    if refused.is_none() && native_permission {
        refused = permission_disagrees(def, &text, &native);
    }
    Exported {
        name: def.name.clone(),
        file_name: file_name(&def.name, to),
        text,
        notes,
        refused,
    }
}

/// What OpenCode needs to resolve `provider/model`: its catalogue has
/// some providers built in; the others (and local models, which no
/// catalogue lists) need an entry in `opencode.json`.
fn opencode_provider_note(provider: &str, model: &str, notes: &mut Vec<Note>) {
    let id = super::opencode_provider_of_agentc(provider);
    let base = crate::model::config::presets::preset(provider).map(|p| p.base_url.to_string());
    if !crate::dialect::OPENCODE_BUILTIN_PROVIDERS.contains(&id) {
        notes.push(Note::new(
            NoteKind::Approximated,
            "model",
            format!(
                "OpenCode has no built-in provider `{id}`: define `provider.{id}` in opencode.json (`\"npm\": \"@ai-sdk/openai-compatible\"`{}, and `models.{model}`)",
                base.map(|b| format!(", `options.baseURL` {b}")).unwrap_or_default()
            ),
        ));
    } else if id == "lmstudio" {
        notes.push(Note::new(
            NoteKind::Approximated,
            "model",
            format!(
                "OpenCode resolves `lmstudio/{model}` only when opencode.json lists it: add `provider.lmstudio.models.{model}`"
            ),
        ));
    }
}

/// When OpenCode permission rules are written back, the tools they leave
/// must be the tools the definition lists (read back as agentc reads
/// OpenCode files); else the two disagree and the export is refused.
fn permission_disagrees(def: &AgentDef, written: &str, native: &[&str]) -> Option<String> {
    let back = crate::model::agent::analyze(
        def.file,
        written,
        Dialect::Opencode,
        &def.name,
        crate::syntax::yaml::YamlLimits::default(),
    );
    let names = |t: &ToolsDecl, d: Dialect| -> Option<Vec<String>> {
        match t {
            ToolsDecl::List(l) => {
                let mut v: Vec<String> = l
                    .iter()
                    .map(|x| match d.tool(&x.value, &[]) {
                        ToolName::Known(n) | ToolName::Mcp(n) => n,
                        ToolName::Unknown { name, .. } => name,
                    })
                    .collect();
                v.sort();
                v.dedup();
                Some(v)
            }
            _ => None,
        }
    };
    let there = names(&back.def?.tools, Dialect::Opencode);
    let here = names(&def.tools, def.dialect);
    (there != here).then(|| {
        let show = |v: Option<Vec<String>>| match v {
            Some(v) => format!("[{}]", v.join(", ")),
            None => "every tool".into(),
        };
        let keys: Vec<String> = native.iter().map(|k| format!("`x-opencode-{k}`")).collect();
        format!(
            "{} {} the agent {} in OpenCode, but its `tools` say {}; make them agree",
            keys.join(" and "),
            if keys.len() == 1 { "leaves" } else { "leave" },
            show(there),
            show(here)
        )
    })
}

/// Extension keys of other harnesses that restrict what an agent may do.
/// Exported to a harness that cannot say the same, an agent that lists no
/// tools would get every tool there: a widening, refused.
const RESTRICTING: &[(Dialect, &str)] = &[
    (Dialect::Opencode, "permission"),
    (Dialect::Opencode, "tools"),
    (Dialect::Claude, "disallowedTools"),
    (Dialect::Claude, "permissionMode"),
];

/// What no harness has of agentc's routing: `role` (routed through
/// `[roles.X]`) and `requires` (capability checks). `no_roles` says how the
/// harness stands to roles ("has no roles", or has roles of another kind).
pub(super) fn routing_notes(def: &AgentDef, harness: &str, no_roles: &str, notes: &mut Vec<Note>) {
    if let Some(r) = &def.role {
        notes.push(Note::new(
            NoteKind::Lost,
            "role",
            format!(
                "`role: {}`: {harness} {no_roles} (agentc routes roles through `[roles.{}]`)",
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
}

/// Why an agent that lists no tools cannot be exported to `to`: another
/// harness's extension fields restrict what it may do, which `to` cannot
/// say, so there it would get every tool. `None` when none do.
pub(super) fn unlisted_tools_refusal(entries: &[(YNode, YNode)], to: Dialect) -> Option<String> {
    let names: Vec<String> = entries
        .iter()
        .filter_map(|(k, _)| k.as_str())
        .filter(|k| {
            RESTRICTING
                .iter()
                .any(|(d, f)| *d != to && *k == format!("{}{f}", extension_prefix(*d)))
        })
        .map(|k| format!("`{k}`"))
        .collect();
    if names.is_empty() {
        return None;
    }
    Some(format!(
        "{} {} what the agent may do and {} cannot say it; without a `tools:` list the agent would get every tool there (list its tools to export it)",
        names.join(", "),
        if names.len() == 1 {
            "restricts"
        } else {
            "restrict"
        },
        to.harness()
    ))
}

/// Writes the tool list; `Err` when the harness would give the agent
/// tools its source does not allow.
// Long: one table of tool mappings per harness, kept side by side so they can be compared.
fn tools(
    def: &AgentDef,
    to: Dialect,
    fm: &mut Frontmatter,
    notes: &mut Vec<Note>,
    native_permission: bool,
) -> Result<(), String> {
    let harness = to.harness();
    let list: Vec<&str> = match &def.tools {
        // No key, or every tool: the harness's default is every tool.
        ToolsDecl::Inherit | ToolsDecl::All(_) => return Ok(()),
        ToolsDecl::List(l) => l.iter().map(|t| t.value.trim()).collect(),
    };
    let mut out: Vec<String> = Vec::new();
    let mut lost: Vec<&str> = Vec::new();
    let mut foreign: Vec<&str> = Vec::new();
    let mut approximated: Vec<String> = Vec::new();
    for &t in &list {
        let names: Option<Vec<String>> = match to {
            Dialect::Claude => {
                if let Some((names, approx)) = Dialect::claude_tool_names(t) {
                    if approx {
                        approximated.push(format!("`{t}` as `{}`", names.join(", ")));
                    }
                    Some(names.iter().map(|n| n.to_string()).collect())
                } else if t.starts_with("mcp__") {
                    Some(vec![t.to_string()])
                } else if Dialect::claude_retired_tool(t).is_some() {
                    None
                } else {
                    // Claude's own tools, and names the agent had when it
                    // was imported: as written.
                    if !matches!(Dialect::Claude.tool(t, &[]), ToolName::Known(_)) {
                        foreign.push(t);
                    }
                    Some(vec![t.to_string()])
                }
            }
            Dialect::Opencode => {
                if let Some((name, approx)) = Dialect::opencode_tool_name(t) {
                    if approx {
                        approximated.push(format!("`{t}` as `{name}`"));
                    }
                    Some(vec![name.to_string()])
                } else if TOOLS.contains(&t) || t.starts_with("mcp__") {
                    None
                } else {
                    if !matches!(Dialect::Opencode.tool(t, &[]), ToolName::Known(ref n) if n == t) {
                        foreign.push(t);
                    }
                    Some(vec![t.to_string()])
                }
            }
            Dialect::Gemini => {
                if let Some((names, approx)) = crate::dialect::gemini::tool_names(t) {
                    if approx {
                        approximated.push(format!("`{t}` as `{}`", names.join(", ")));
                    }
                    Some(names.iter().map(|n| n.to_string()).collect())
                } else if let Some(m) = crate::dialect::gemini::mcp_name(t) {
                    Some(vec![m])
                } else if crate::dialect::gemini::TOOLS.iter().any(|(n, _)| *n == t)
                    || t.starts_with("discovered_tool_")
                {
                    Some(vec![t.to_string()])
                } else {
                    // Gemini CLI fails a file that names a tool it lacks.
                    None
                }
            }
            // Cursor writes no list: the level is decided below.
            Dialect::Cursor => Some(vec![t.to_string()]),
            Dialect::Copilot => {
                if TOOLS.contains(&t) {
                    copilot_alias(t).map(|a| vec![a.to_string()])
                } else if t.starts_with("mcp__") {
                    None
                } else {
                    Some(vec![t.to_string()])
                }
            }
            _ => Some(vec![t.to_string()]),
        };
        match names {
            Some(ns) => {
                for n in ns {
                    if !out.contains(&n) {
                        out.push(n);
                    }
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
    if !approximated.is_empty() {
        notes.push(Note::new(
            NoteKind::Approximated,
            "tools",
            format!(
                "{harness} has no tool of the same name; written {}",
                approximated.join(", ")
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
    match to {
        Dialect::Claude => {
            let search: Vec<&str> = ["Grep", "Glob"]
                .into_iter()
                .filter(|t| out.iter().any(|o| o == t))
                .collect();
            if out.iter().any(|o| o == "Bash") && !search.is_empty() {
                notes.push(Note::new(
                    NoteKind::Approximated,
                    "tools",
                    format!(
                        "{harness} gives an agent with `Bash` no `{}`: it searches through `Bash`",
                        search.join("`, `")
                    ),
                ));
            }
        }
        Dialect::Opencode => {
            // One OpenCode permission (`edit`) grants both tools.
            let has = |t: &str| out.iter().any(|o| o == t);
            if has("edit") != has("write") {
                let (is, other) = if has("edit") {
                    ("edit", "write")
                } else {
                    ("write", "edit")
                };
                return Err(format!(
                    "{harness} grants `edit` and `write` together (one `edit` permission): the agent lists `{is}` but would get `{other}` too; list both or neither"
                ));
            }
        }
        Dialect::Copilot => {
            // `search` stands for grep and glob; one of them alone goes as
            // Copilot CLI's own tool name (1.0.102 gives just that one).
            let listed = |t: &str| list.contains(&t) && !lost.contains(&t);
            let (grep, glob) = (listed("grep"), listed("glob") || listed("ls"));
            if grep != glob
                && let Some(i) = out.iter().position(|o| o == "search")
            {
                out[i] = if grep { "grep" } else { "glob" }.to_string();
            }
            // Copilot's aliases cover several agentc tools each.
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
            let more: Vec<&String> = back.iter().filter(|t| !here.contains(t)).collect();
            let searches = |t: &&String| matches!(t.as_str(), "grep" | "glob" | "ls");
            if !more.is_empty() && !more.iter().all(searches) {
                let names: Vec<String> = more.iter().map(|t| format!("`{t}`")).collect();
                return Err(format!(
                    "{harness}'s tool aliases `{}` would also give {}, which the agent does not list",
                    out.join(", "),
                    names.join(", ")
                ));
            }
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
        Dialect::Cursor => {
            let level = super::access_level(&list, "Cursor")?;
            if let Some(note) = level.note {
                notes.push(Note::new(NoteKind::Approximated, "tools", note));
            }
            if level.read_only {
                fm.raw("readonly", "true");
            }
            return Ok(());
        }
        _ => {}
    }
    match to {
        Dialect::Claude if !out.is_empty() => fm.string("tools", &out.join(", ")),
        // The permission rules imported from OpenCode say it; a tools map
        // beside them would change their meaning.
        Dialect::Opencode if native_permission => {}
        Dialect::Opencode => {
            let mk = |s: &str, v: YValue| YNode {
                span: 0..0,
                value: if s.is_empty() {
                    v
                } else {
                    YValue::Str(s.to_string())
                },
            };
            // `"*": false` first: a map of only `true` entries restricts
            // nothing in OpenCode.
            let mut entries = vec![(mk("*", YValue::Null), mk("", YValue::Bool(false)))];
            for t in &out {
                entries.push((mk(t, YValue::Null), mk("", YValue::Bool(true))));
            }
            fm.node(
                "tools",
                &YNode {
                    span: 0..0,
                    value: YValue::Map(entries),
                },
            );
        }
        _ => fm.raw("tools", &emit::flow_list(&out)),
    }
    Ok(())
}
