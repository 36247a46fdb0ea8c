//! Codex custom agents (`.codex/agents/*.toml`) ↔ agentc definitions, and
//! the access levels of the harnesses that have no tool list (Codex,
//! Cursor): an agent there is read-only or gets the parent's tools.
//!
//! Export writes `name`, `description`, `developer_instructions` (the
//! body), `model` with `model_provider` when it is not OpenAI,
//! `model_reasoning_effort`, `sandbox_mode = "read-only"` for an agent that
//! lists no tool that writes or runs commands, `web_search = "disabled"`
//! when the list leaves web search out, and the `x-codex-<key>` extensions
//! import kept. Import reads the same back.

use super::export::{
    Exported, Ref, note_alias, primary, read_ref, routing_notes, shown, unlisted_tools_refusal,
};
use super::{EXPORT_MARKER, Note, NoteKind, access_level, extension_prefix, raw_entries};
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::dialect::codex::{SANDBOX_MODES, agentc_provider, codex_provider};
use crate::model::agent::{AgentDef, EFFORTS, ToolsDecl, is_agent_name, slugify};
use crate::model::config::Config;
use crate::source::FileId;
use crate::syntax::toml::{self, TNode, TValue};
use crate::syntax::yaml::{YNode, YValue};

/// A TOML string: a basic string with escapes.
fn basic(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The prompt as a multi-line TOML string whose value is exactly `body`.
fn multiline(body: &str) -> String {
    let plain = |c: char| c == '\n' || c == '\t' || !(c.is_control());
    // A literal string holds any text without `'''`; the newline after
    // the opening quotes is not part of the value.
    if !body.contains("'''")
        && !body.ends_with('\'')
        && body.chars().all(plain)
        && !body.contains('\r')
    {
        return format!("'''\n{body}'''");
    }
    basic(body)
}

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        basic(k)
    }
}

/// A JSON value (an extension kept by import) as an inline TOML value;
/// `None` for a null, which TOML cannot hold.
fn toml_value(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => basic(s),
        Value::Array(items) => {
            let parts: Option<Vec<String>> = items.iter().map(toml_value).collect();
            format!("[{}]", parts?.join(", "))
        }
        Value::Object(map) => {
            let parts: Option<Vec<String>> = map
                .iter()
                .map(|(k, v)| toml_value(v).map(|v| format!("{} = {v}", key(k))))
                .collect();
            format!("{{ {} }}", parts?.join(", "))
        }
    })
}

/// The model and `model_provider` Codex runs, or why it cannot run it.
fn codex_model(r: &Ref, notes: &mut Vec<Note>) -> Option<(String, Option<&'static str>)> {
    match r {
        Ref::Inherit => None,
        Ref::Qualified {
            provider, model, ..
        } => match codex_provider(provider) {
            Some("openai") => Some((model.clone(), None)),
            Some(p) => Some((model.clone(), Some(p))),
            None => {
                notes.push(Note::new(
                    NoteKind::Lost,
                    "model",
                    format!(
                        "`{}`: Codex has no built-in provider `{provider}` (define `[model_providers.{provider}]` in Codex's config.toml, then set `model_provider` with `x-codex-model_provider`)",
                        shown(r)
                    ),
                ));
                None
            }
        },
        Ref::Bare(m) => {
            notes.push(Note::new(
                NoteKind::Approximated,
                "model",
                format!("`{m}` names no provider; Codex runs it on its default provider, OpenAI"),
            ));
            Some((m.clone(), None))
        }
    }
}

/// Writes `def` (read from `text`, at `source`) as a Codex role file.
pub fn export(def: &AgentDef, text: &str, source: &str, config: &Config) -> Exported {
    let to = Dialect::Codex;
    let harness = to.harness();
    let mut notes: Vec<Note> = Vec::new();
    let mut refused: Option<String> = None;
    let entries = raw_entries(text, &[]).unwrap_or_default();
    let mut out = format!(
        "{EXPORT_MARKER} from {source}; edit that file, then run `agentc export --to codex`.\n"
    );
    let put = |out: &mut String, k: &str, v: String| {
        out.push_str(&format!("{} = {v}\n", key(k)));
    };
    put(&mut out, "name", basic(&def.name));
    if let Some(d) = &def.description {
        put(&mut out, "description", basic(d));
    }

    // Model, fallbacks.
    if let Some(r) = primary(def, config, &mut notes) {
        note_alias(&r, &mut notes);
        if let Some((model, provider)) = codex_model(&r, &mut notes) {
            put(&mut out, "model", basic(&model));
            if let Some(p) = provider {
                put(&mut out, "model_provider", basic(p));
            }
        }
    }
    if let Some((list, _)) = &def.fallback {
        for f in list {
            notes.push(Note::new(
                NoteKind::Lost,
                "fallback",
                format!(
                    "`{}`: {harness} has no fallback chain",
                    shown(&read_ref(&f.value, config))
                ),
            ));
        }
    }
    let p = &def.params;
    if let Some(e) = &p.reasoning_effort {
        put(&mut out, "model_reasoning_effort", basic(e));
    }
    for (field, value) in [
        ("temperature", p.temperature.map(|t| t.to_string())),
        ("top_p", p.top_p.map(|t| t.to_string())),
        ("max_tokens", p.max_tokens.map(|t| t.to_string())),
        (
            "timeout",
            p.timeout_ms.map(|t| {
                if t % 1000 == 0 {
                    format!("{}s", t / 1000)
                } else {
                    format!("{t}ms")
                }
            }),
        ),
    ] {
        if let Some(v) = value {
            notes.push(Note::new(
                NoteKind::Lost,
                field,
                format!("`{field}: {v}`: {harness} has no such setting for an agent"),
            ));
        }
    }
    routing_notes(def, harness, "has no roles of agentc's kind", &mut notes);

    // What the agent may do.
    match &def.tools {
        ToolsDecl::Inherit | ToolsDecl::All(_) => {
            if let Some(why) = unlisted_tools_refusal(&entries, to) {
                refused = Some(why);
            }
        }
        ToolsDecl::List(l) => {
            let list: Vec<&str> = l.iter().map(|t| t.value.trim()).collect();
            match access_level(&list, harness) {
                Ok(level) => {
                    if level.read_only {
                        put(&mut out, "sandbox_mode", basic("read-only"));
                    }
                    if !list.contains(&"web_search") {
                        put(&mut out, "web_search", basic("disabled"));
                    }
                    if let Some(n) = level.note {
                        notes.push(Note::new(NoteKind::Approximated, "tools", n));
                    }
                }
                Err(why) => refused = Some(why),
            }
        }
    }

    // Extensions: Codex's own keys come back; others cannot go.
    let prefix = extension_prefix(to);
    for (k, v) in &def.extensions {
        match k.strip_prefix(&prefix) {
            Some(native) if !native.is_empty() && native != "developer_instructions" => {
                let set = format!("{} = ", key(native));
                if out.lines().any(|l| l.starts_with(&set)) {
                    notes.push(Note::new(
                        NoteKind::Lost,
                        k,
                        format!("`{k}` would set `{native}`, which the definition sets already"),
                    ));
                } else if let Some(value) = toml_value(v) {
                    put(&mut out, native, value);
                } else {
                    notes.push(Note::new(
                        NoteKind::Lost,
                        k,
                        format!("`{k}` is null, which TOML cannot hold"),
                    ));
                }
            }
            _ => notes.push(Note::new(
                NoteKind::Lost,
                k,
                format!("extension `{k}`: {harness} files have no such field"),
            )),
        }
    }
    let body = text.get(def.body.clone()).unwrap_or("");
    let body = body.trim_start_matches(['\n', '\r']);
    if body.trim().is_empty() {
        refused = refused.or(Some(format!(
            "the agent has no system prompt, and {harness} skips a role whose `developer_instructions` are blank"
        )));
    }
    out.push_str(&format!("developer_instructions = {}\n", multiline(body)));
    Exported {
        name: def.name.clone(),
        file_name: super::export::file_name(&def.name, to),
        text: out,
        notes,
        refused,
    }
}

/// One Codex role file converted to an agentc definition.
pub fn import(text: &str, stem: &str) -> Result<super::import::Imported, Vec<Diagnostic>> {
    let analysis = crate::model::agent::codex::analyze(FileId(0), text, stem);
    let Some(def) = analysis.def else {
        return Err(analysis.diagnostics);
    };
    if analysis
        .diagnostics
        .iter()
        .any(|d| d.severity == crate::Severity::Error)
    {
        return Err(analysis.diagnostics);
    }
    let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let root = toml::parse(&text[skip..]).map_err(|_| analysis.diagnostics.clone())?;
    let entries = root.as_table().unwrap_or(&[]);
    let mut notes: Vec<Note> = Vec::new();
    let name = if is_agent_name(&def.name) {
        def.name.clone()
    } else {
        let mut slug = slugify(&def.name);
        if slug.is_empty() {
            slug = "agent".into();
        }
        notes.push(Note::new(
            NoteKind::Approximated,
            "name",
            format!("`{}` is not an agentc name; imported as `{slug}`", def.name),
        ));
        slug
    };
    let mut fm = String::new();
    let line = |fm: &mut String, k: &str, v: String| fm.push_str(&format!("{k}: {v}\n"));
    let scalar = crate::syntax::emit::scalar;
    line(&mut fm, "name", scalar(&name));
    if let Some(d) = &def.description {
        line(&mut fm, "description", scalar(d));
    }
    let provider = entries
        .iter()
        .find(|(k, _)| k.name == "model_provider")
        .and_then(|(_, v)| v.as_str());
    let mut kept: Vec<(String, &TNode)> = Vec::new();
    if let Some(m) = entries
        .iter()
        .find(|(k, _)| k.name == "model")
        .and_then(|(_, v)| v.as_str())
    {
        match provider.map(|p| (p, agentc_provider(p))) {
            None => line(&mut fm, "model", scalar(&format!("openai/{}", m.trim()))),
            Some((_, Some(p))) => line(&mut fm, "model", scalar(&format!("{p}/{}", m.trim()))),
            Some((p, None)) => {
                notes.push(Note::new(
                    NoteKind::Kept,
                    "model",
                    format!("Codex provider `{p}` is not one of agentc's presets (declare `[providers.{p}]` and set `model: {p}/{m}`); kept as `x-codex-model`"),
                ));
                if let Some((_, v)) = entries.iter().find(|(k, _)| k.name == "model") {
                    kept.push(("model".into(), v));
                }
            }
        }
    }
    let sandbox = entries
        .iter()
        .find(|(k, _)| k.name == "sandbox_mode")
        .and_then(|(_, v)| v.as_str());
    if sandbox == Some("read-only") {
        line(
            &mut fm,
            "tools",
            crate::syntax::emit::flow_list(&crate::dialect::codex::read_only_tools(entries)),
        );
    }
    for (k, v) in entries {
        let field = k.name.as_str();
        match field {
            "name" | "description" | "developer_instructions" => {}
            "model" => {}
            "model_provider" if provider.and_then(agentc_provider).is_some() => {}
            "model_provider" => kept.push((field.into(), v)),
            "model_reasoning_effort" => match v.as_str() {
                Some(e) if EFFORTS.contains(&e) => line(&mut fm, "reasoning_effort", scalar(e)),
                _ => {
                    notes.push(Note::new(
                        NoteKind::Kept,
                        field,
                        "agentc's `reasoning_effort` has no such level; kept as `x-codex-model_reasoning_effort`",
                    ));
                    kept.push((field.into(), v));
                }
            },
            "sandbox_mode" if v.as_str() == Some("read-only") => {}
            // Said by the tool list (`web_search` left out).
            "web_search" if sandbox == Some("read-only") && v.as_str() == Some("disabled") => {}
            "sandbox_mode" if v.as_str().is_some_and(|m| SANDBOX_MODES.contains(&m)) => {
                notes.push(Note::new(
                    NoteKind::Kept,
                    field,
                    "the sandbox Codex runs the agent in; kept as `x-codex-sandbox_mode`",
                ));
                kept.push((field.into(), v));
            }
            _ if field.starts_with("x-") => kept.push((field.into(), v)),
            _ => {
                notes.push(Note::new(
                    NoteKind::Kept,
                    field,
                    format!("`{field}` is a Codex setting agentc does not use; kept as `x-codex-{field}`"),
                ));
                kept.push((field.into(), v));
            }
        }
    }
    let prefix = extension_prefix(Dialect::Codex);
    let mut ext: Vec<(String, &TNode)> = kept
        .into_iter()
        .map(|(k, v)| {
            if k.starts_with("x-") {
                (k, v)
            } else {
                (format!("{prefix}{k}"), v)
            }
        })
        .collect();
    ext.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in &ext {
        crate::syntax::emit::entry(&mut fm, k, &yaml_node(v), 0);
    }
    let body = text.get(def.body.clone()).unwrap_or("").to_string();
    let body = if body.ends_with('\n') {
        body
    } else {
        format!("{body}\n")
    };
    Ok(super::import::Imported {
        name,
        text: format!("---\n{fm}---\n{body}"),
        notes,
        extra_tools: Vec::new(),
    })
}

/// A TOML value as a YAML node, to keep it as an extension.
fn yaml_node(v: &TNode) -> YNode {
    let value = match &v.value {
        TValue::Str(s) | TValue::Datetime(s) => YValue::Str(s.clone()),
        TValue::Int(i) => YValue::Int(*i),
        TValue::Float(f) => YValue::Float(*f),
        TValue::Bool(b) => YValue::Bool(*b),
        TValue::Array(items) => YValue::Seq(items.iter().map(yaml_node).collect()),
        TValue::Table(entries) => YValue::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        YNode {
                            span: 0..0,
                            value: YValue::Str(k.name.clone()),
                        },
                        yaml_node(v),
                    )
                })
                .collect(),
        ),
    };
    YNode { span: 0..0, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_keep_their_value() {
        for body in ["Plain.\n", "It's \"quoted\" \\ and '''\n", "tab\tand\r\n"] {
            let text = format!("x = {}\n", multiline(body));
            let parsed = toml::parse(&text).unwrap();
            assert_eq!(
                parsed.get("x").and_then(TNode::as_str),
                Some(body),
                "{text}"
            );
        }
    }
}
