//! The answers to the editor's questions, from the last analysis (the
//! linked project, its plan and findings) and the buffer as it is now.

use super::cursor::{self, Context, Item};
use super::state::{State, to_lsp};
use super::text;
use crate::check::project::Agent;
use crate::dialect::{self, Dialect, ToolName};
use crate::rules::Rule;
use crate::source::{Scope, SourceMap};
use lsp_types::{self as lsp, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The buffer (or analysed text) behind a request, and the byte offset of
/// its position.
struct At {
    path: PathBuf,
    text: String,
    offset: usize,
}

fn at(st: &State, uri: &Uri, pos: lsp::Position) -> Option<At> {
    let path = super::state::uri_path(uri)?;
    let text = st.text_of(&path)?;
    let offset = text::offset(&text, pos, st.enc);
    Some(At { path, text, offset })
}

/// The definition read from `path` in the last analysis.
fn agent_of<'a>(st: &'a State, path: &Path) -> Option<&'a Agent> {
    let project = st.live.project()?;
    let sources = st.live.sources();
    project
        .agents
        .iter()
        .find(|a| sources.get(a.def.file).path == path)
}

fn dialect_of(st: &State, path: &Path) -> Dialect {
    st.live
        .agent_file(path)
        .map(|(f, _)| f.dialect)
        .unwrap_or_else(|| crate::discover::dialect_of_file(path).0)
}

fn is_config(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == crate::discover::CONFIG_FILE)
}

fn markdown(value: String) -> lsp::HoverContents {
    lsp::HoverContents::Markup(lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value,
    })
}

fn target_text(provider: Option<&str>, model: &str) -> String {
    match provider {
        Some(p) => format!("{p}/{model}"),
        None => model.to_string(),
    }
}

// ---------------------------------------------------------------- hover

pub fn hover(st: &State, p: &lsp::HoverParams) -> Option<lsp::Hover> {
    let pp = &p.text_document_position_params;
    let a = at(st, &pp.text_document.uri, pp.position)?;
    let mut parts: Vec<String> = Vec::new();
    let mut range = None;
    match cursor::at(&a.text, a.offset) {
        Context::Value(item) => {
            range = Some(text::range(
                &a.text,
                item.range.start,
                item.range.end,
                st.enc,
            ));
            match (item.key.as_str(), item.subkey.as_deref()) {
                ("name" | "provider" | "model" | "role" | "fallback", None) => {
                    if let Some(agent) = agent_of(st, &a.path) {
                        parts.push(route_markdown(st, agent));
                    } else {
                        parts.push(
                            "This file has errors that keep it from being read as an agent; \
                             see its diagnostics."
                                .into(),
                        );
                    }
                    if item.key == "provider" || item.key == "model" || item.key == "fallback" {
                        parts.extend(value_note(st, &item));
                    }
                }
                ("tools", None) => parts.push(tool_markdown(st, &a.path, &item.text)),
                _ => {}
            }
        }
        Context::Key { prefix } => {
            let key = &a.text[prefix.clone()];
            if let Some(doc) = key_doc(dialect_of(st, &a.path), key) {
                range = Some(text::range(&a.text, prefix.start, prefix.end, st.enc));
                parts.push(format!("**`{key}`**: {doc}"));
            }
        }
        Context::None => {}
    }
    // The rule's docs, for a finding under the cursor.
    if st.up_to_date(&a.path) {
        let findings = &st.current.findings;
        let sources = findings.sources();
        let mut seen = Vec::new();
        for d in findings.diagnostics() {
            let Some(span) = d.span else { continue };
            if sources.get(span.file).path != a.path
                || a.offset < span.start
                || a.offset > span.end.max(span.start + 1)
                || seen.contains(&d.rule)
            {
                continue;
            }
            seen.push(d.rule);
            if let Some(doc) = d.rule.docs() {
                parts.push(doc.to_string());
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(lsp::Hover {
        contents: markdown(parts.join("\n\n---\n\n")),
        range,
    })
}

/// The agent's route: where each value came from, every layer that set
/// something, the fallbacks, trust, and what a probe found.
// Long: the hover text section by section, in the order it is shown.
fn route_markdown(st: &State, agent: &Agent) -> String {
    use std::fmt::Write;
    let sources = st.live.sources();
    let name = &agent.def.name;
    let mut out = String::new();
    let plan_path = &sources.get(agent.def.file).plan_path;
    let entry = st.current.plan.agent(name).filter(|e| &e.path == plan_path);
    let Some(res) = agent.resolution.as_deref() else {
        let _ = writeln!(
            out,
            "**`{name}`**: no route (see the diagnostics of this file)"
        );
        return out;
    };
    let Some(project) = st.live.project() else {
        return out;
    };
    let route = crate::route::plan::plan_route(&res.route, &project.config, sources);
    let shown = match (&route.provider, &route.model) {
        _ if route.inherit && route.model.is_none() => "the parent session's route".to_string(),
        (p, Some(m)) => format!("`{}`", target_text(p.as_deref(), m)),
        (Some(p), None) => format!("`{p}/?`"),
        (None, None) => "no route".to_string(),
    };
    let _ = writeln!(out, "**`{name}`** → {shown}\n");
    if !agent.in_plan() {
        let _ = writeln!(
            out,
            "_Left out of the plan: {}._\n",
            if agent.shadowed_by.is_some() {
                "shadowed by another definition"
            } else {
                "this definition has errors"
            }
        );
    } else if entry.is_some_and(|e| e.stale) {
        let _ = writeln!(out, "_The plan keeps this agent's last good definition._\n");
    }
    for (what, value, src) in [
        ("provider", &route.provider, &route.provider_source),
        ("model", &route.model, &route.model_source),
    ] {
        let (Some(v), Some(s)) = (value, src) else {
            continue;
        };
        let at = match (&s.path, s.line) {
            (Some(p), Some(l)) => format!(" ({p}:{l})"),
            _ => String::new(),
        };
        let _ = writeln!(out, "- {what} `{v}`: chosen by `{}`{at}", s.layer);
    }
    if !res.fallbacks.is_empty() {
        let list: Vec<String> = res
            .fallbacks
            .iter()
            .map(|f| format!("`{}`", target_text(f.provider.as_deref(), &f.model)))
            .collect();
        let _ = writeln!(out, "- fallbacks: {}", list.join(" → "));
    }
    if let Some(pid) = &route.provider
        && let Some(provider) = project.config.provider(pid)
    {
        let _ = writeln!(
            out,
            "- trust: {} (`{pid}`, {} provider at {})",
            if provider.trusted {
                "trusted".to_string()
            } else {
                "**untrusted**: executors refuse it until `agentc trust`".to_string()
            },
            provider.scope.as_str(),
            provider
                .base_url
                .as_ref()
                .map_or("no valid address", |u| u.as_str())
        );
        if let Some(report) = st.probe.report()
            && let Some(probe) = report.get(pid)
        {
            let line = match (&route.model, probe.reachable) {
                (_, false) => format!(
                    "unreachable{}",
                    probe
                        .error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                ),
                (Some(m), true) => match probe.model(m) {
                    Some(info) => format!(
                        "`{m}` is served{}",
                        match info.loaded {
                            Some(true) => ", loaded",
                            Some(false) => ", not loaded",
                            None => "",
                        }
                    ),
                    None if probe.models.is_some() => format!("`{m}` is **not served**"),
                    None => "reachable; it lists no models".to_string(),
                },
                (None, true) => "reachable".to_string(),
            };
            let server = probe.server.as_deref().unwrap_or("server");
            let _ = writeln!(out, "- probe ({server}): {line}");
        }
    }
    let _ = writeln!(out, "\nLayers, lowest first:\n");
    for l in crate::render::json::layers_json(res, sources) {
        let get = |k: &str| l.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let mut set = Vec::new();
        if let Some(p) = get("provider") {
            set.push(format!("provider=`{p}`"));
        }
        if let Some(m) = get("model") {
            set.push(format!("model=`{m}`"));
        }
        if let Some(f) = l.get("fallback").and_then(|f| f.as_array()) {
            let f: Vec<&str> = f.iter().filter_map(|v| v.as_str()).collect();
            set.push(format!("fallback=`[{}]`", f.join(", ")));
        }
        let at = match (get("path"), l.get("line").and_then(|v| v.as_u64())) {
            (Some(p), Some(n)) => format!(" ({p}:{n})"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "- `{}` {}{at}",
            get("layer").unwrap_or_default(),
            set.join(" ")
        );
    }
    out
}

/// What the value under the cursor names: an alias's target, a provider.
fn value_note(st: &State, item: &Item) -> Option<String> {
    let project = st.live.project()?;
    let config = &project.config;
    let v = item.text.trim();
    if let Some(target) = config.aliases.get(v) {
        return Some(format!("`{v}` is an alias of `{}`", target.value));
    }
    let pid = if item.key == "provider" {
        v
    } else {
        v.split_once('/').map(|(p, _)| p)?
    };
    let p = config.provider(pid)?;
    Some(format!(
        "provider `{pid}`: {} at {}{}",
        p.kind.as_str(),
        p.base_url
            .as_ref()
            .map_or("no valid address", |u| u.as_str()),
        p.api_key_env
            .as_deref()
            .map(|k| format!(", key from `${k}`"))
            .unwrap_or_default()
    ))
}

const TOOL_DOCS: &[(&str, &str)] = &[
    ("read", "reads files"),
    ("write", "creates or overwrites files"),
    ("edit", "edits part of a file"),
    ("multi_edit", "several edits to one file at once"),
    ("grep", "searches file contents"),
    ("glob", "finds files by name pattern"),
    ("ls", "lists a folder"),
    ("bash", "runs shell commands"),
    ("web_fetch", "fetches a URL"),
    ("web_search", "searches the web"),
    ("agent", "starts a sub-agent"),
    ("todo", "keeps a task list"),
    ("notebook_edit", "edits a Jupyter notebook"),
];

fn tool_markdown(st: &State, path: &Path, raw: &str) -> String {
    let dialect = dialect_of(st, path);
    let extra: Vec<String> = st
        .live
        .project()
        .map(|p| p.config.tools_extra.clone())
        .unwrap_or_default();
    match dialect.tool(raw, &extra) {
        ToolName::Mcp(name) => {
            let mut parts = name.splitn(3, "__").skip(1);
            let server = parts.next().unwrap_or("?");
            let tool = parts.next().unwrap_or("*");
            format!("**`{name}`**: MCP tool `{tool}` of the server `{server}`")
        }
        ToolName::Known(name) if extra.contains(&name) => {
            format!("**`{name}`**: a tool of this project (`[tools] extra` in agentc.toml)")
        }
        ToolName::Known(name) => {
            let what = TOOL_DOCS
                .iter()
                .find(|(t, _)| *t == name)
                .map(|(_, d)| *d)
                .unwrap_or("a tool of this harness");
            let mut known = Vec::new();
            if dialect::TOOLS.contains(&name.as_str()) {
                known.push(format!("agentc `{name}`"));
            }
            if let Some((names, _)) = Dialect::claude_tool_names(&name) {
                let names: Vec<String> = names.iter().map(|c| format!("`{c}`")).collect();
                known.push(format!("Claude Code {}", names.join(", ")));
            }
            if let Some((o, _)) = Dialect::opencode_tool_name(&name) {
                known.push(format!("OpenCode `{o}`"));
            }
            let harnesses = if known.is_empty() {
                format!("known to {}", dialect.harness())
            } else {
                format!("known as {}", known.join(", "))
            };
            format!("**`{raw}`**: {what}; {harnesses}")
        }
        ToolName::Unknown { name, suggestion } => format!(
            "**`{name}`**: not a tool {} knows{}",
            dialect.harness(),
            suggestion
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default()
        ),
    }
}

/// The docs of a frontmatter key in `dialect`.
fn key_doc(dialect: Dialect, key: &str) -> Option<String> {
    if !dialect.knows(key) {
        return None;
    }
    if dialect == Dialect::Agentc {
        let d = match key {
            "name" => {
                "the id used to open the agent; defaults to the file stem (`^[a-z0-9][a-z0-9._-]{0,63}$`)"
            }
            "description" => "when to use this agent (required, non-empty)",
            "role" => {
                "functional role (explorer, reviewer, ...); `[roles.<role>]` in agentc.toml routes whole roles"
            }
            "provider" => "a provider id, or `inherit`",
            "model" => {
                "`provider/model`, an alias from `[models]`, a model id of the provider, or `inherit`"
            }
            "fallback" => "ordered failover chain: `provider/model` entries or aliases",
            "tools" => "allowed tools, or `\"*\"`; absent: the parent's tools",
            "requires" => {
                "capabilities the model must have: `vision`, `tools`, `reasoning`, `json`"
            }
            "temperature" => "a number from 0 to 2",
            "top_p" => "a number from 0 to 1",
            "max_tokens" => "an integer above 0",
            "reasoning_effort" => "`minimal`, `low`, `medium` or `high`",
            "timeout" => "a duration: `30s`, `5m`, `1h`, `500ms`",
            _ => return None,
        };
        return Some(d.to_string());
    }
    Some(format!(
        "a {} field (see docs/dialects.md)",
        dialect.harness()
    ))
}

// ----------------------------------------------------------- completion

// Long: one arm per cursor context (key, provider, alias, model, tool), each a short list.
pub fn completion(st: &State, p: &lsp::CompletionParams) -> Option<lsp::CompletionResponse> {
    let pp = &p.text_document_position;
    let a = at(st, &pp.text_document.uri, pp.position)?;
    if is_config(&a.path) {
        return None;
    }
    let project = st.live.project();
    if let Some(p) = project {
        st.probe.refresh(&p.config);
    }
    let dialect = dialect_of(st, &a.path);
    let mut items: Vec<lsp::CompletionItem> = Vec::new();
    match cursor::at(&a.text, a.offset) {
        Context::Key { prefix } => {
            let present: Vec<String> = cursor::keys(&a.text).into_iter().map(|k| k.key).collect();
            let typed = &a.text[prefix.clone()];
            let range = text::range(&a.text, prefix.start, prefix.end.max(a.offset), st.enc);
            for key in dialect.fields() {
                if present.iter().any(|k| k == key && k != typed) {
                    continue;
                }
                items.push(lsp::CompletionItem {
                    label: (*key).to_string(),
                    kind: Some(lsp::CompletionItemKind::FIELD),
                    documentation: key_doc(dialect, key).map(|d| {
                        lsp::Documentation::MarkupContent(lsp::MarkupContent {
                            kind: lsp::MarkupKind::Markdown,
                            value: d,
                        })
                    }),
                    text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                        range,
                        format!("{key}: "),
                    ))),
                    filter_text: Some((*key).to_string()),
                    ..Default::default()
                });
            }
        }
        Context::Value(item) => {
            let project = project?;
            let config = &project.config;
            let mut values: Vec<(String, lsp::CompletionItemKind, String)> = Vec::new();
            let mut push = |v: String, k: lsp::CompletionItemKind, d: String| {
                if !values.iter().any(|(x, _, _)| *x == v) {
                    values.push((v, k, d));
                }
            };
            let report = st.probe.report();
            match (item.key.as_str(), item.subkey.as_deref()) {
                ("provider", None) => {
                    for p in config.providers.values() {
                        push(
                            p.id.clone(),
                            lsp::CompletionItemKind::MODULE,
                            format!(
                                "{} provider ({}) at {}",
                                p.kind.as_str(),
                                p.scope.as_str(),
                                p.base_url
                                    .as_ref()
                                    .map_or("no valid address", |u| u.as_str())
                            ),
                        );
                    }
                    push(
                        "inherit".into(),
                        lsp::CompletionItemKind::KEYWORD,
                        "the parent session's provider".into(),
                    );
                }
                ("model" | "fallback", None) => {
                    // With `provider:` in the same file the model is taken
                    // verbatim: offer that provider's model ids first.
                    let same_layer = cursor::keys(&a.text)
                        .into_iter()
                        .find(|k| k.key == "provider")
                        .map(|k| a.text[k.value].trim_matches(['"', '\'']).to_string())
                        .filter(|_| item.key == "model");
                    if let Some(pid) = &same_layer
                        && let Some(p) = config.provider(pid)
                    {
                        for m in p.models.iter().flatten() {
                            push(
                                m.clone(),
                                lsp::CompletionItemKind::VALUE,
                                format!("declared by `{pid}`"),
                            );
                        }
                        if let Some((m, _)) = &p.default_model {
                            push(
                                m.clone(),
                                lsp::CompletionItemKind::VALUE,
                                format!("default model of `{pid}`"),
                            );
                        }
                        if let Some(probe) = report.as_ref().and_then(|r| r.get(pid)) {
                            for m in probe.models.iter().flatten() {
                                push(m.id.clone(), lsp::CompletionItemKind::VALUE, served(m));
                            }
                        }
                    }
                    for (alias, target) in &config.aliases {
                        push(
                            alias.clone(),
                            lsp::CompletionItemKind::CONSTANT,
                            format!("alias of `{}`", target.value),
                        );
                    }
                    for p in config.providers.values() {
                        for m in p.models.iter().flatten() {
                            push(
                                format!("{}/{m}", p.id),
                                lsp::CompletionItemKind::VALUE,
                                format!("declared by `{}`", p.id),
                            );
                        }
                        if let Some((m, _)) = &p.default_model {
                            push(
                                format!("{}/{m}", p.id),
                                lsp::CompletionItemKind::VALUE,
                                format!("default model of `{}`", p.id),
                            );
                        }
                    }
                    if let Some(r) = &report {
                        for probe in &r.providers {
                            for m in probe.models.iter().flatten() {
                                push(
                                    format!("{}/{}", probe.id, m.id),
                                    lsp::CompletionItemKind::VALUE,
                                    served(m),
                                );
                            }
                        }
                    }
                    if item.key == "model" {
                        push(
                            "inherit".into(),
                            lsp::CompletionItemKind::KEYWORD,
                            "the parent session's model".into(),
                        );
                    }
                }
                ("role", None) => {
                    for (name, _) in config.project.roles.iter().chain(&config.user.roles) {
                        push(
                            name.value.clone(),
                            lsp::CompletionItemKind::ENUM_MEMBER,
                            "routed in agentc.toml".into(),
                        );
                    }
                    for a in &project.agents {
                        if let Some(r) = &a.def.role {
                            push(
                                r.value.clone(),
                                lsp::CompletionItemKind::ENUM_MEMBER,
                                "used by other agents".into(),
                            );
                        }
                    }
                }
                ("tools", None) => {
                    let names: Vec<String> = match dialect {
                        // Only the exact names: an approximation is not
                        // the tool the user asked for.
                        Dialect::Claude => dialect::TOOLS
                            .iter()
                            .filter_map(|t| Dialect::claude_tool_names(t))
                            .filter(|(_, approx)| !approx)
                            .flat_map(|(names, _)| names.iter().map(|n| n.to_string()))
                            .collect(),
                        Dialect::Opencode => dialect::TOOLS
                            .iter()
                            .filter_map(|t| Dialect::opencode_tool_name(t))
                            .filter(|(_, approx)| !approx)
                            .map(|(n, _)| n.to_string())
                            .collect(),
                        _ => dialect::TOOLS.iter().map(|t| t.to_string()).collect(),
                    };
                    for t in names {
                        let doc = tool_markdown(st, &a.path, &t);
                        push(t, lsp::CompletionItemKind::FUNCTION, doc);
                    }
                    for t in &config.tools_extra {
                        push(
                            t.clone(),
                            lsp::CompletionItemKind::FUNCTION,
                            "`[tools] extra` in agentc.toml".into(),
                        );
                    }
                }
                ("requires", None) => {
                    for c in ["vision", "tools", "reasoning", "json"] {
                        push(
                            c.into(),
                            lsp::CompletionItemKind::ENUM_MEMBER,
                            "a capability".into(),
                        );
                    }
                }
                ("reasoning_effort", None) => {
                    for c in ["minimal", "low", "medium", "high"] {
                        push(
                            c.into(),
                            lsp::CompletionItemKind::ENUM_MEMBER,
                            String::new(),
                        );
                    }
                }
                ("handoffs", Some("agent")) => {
                    for a in project.planned() {
                        push(
                            a.def.name.clone(),
                            lsp::CompletionItemKind::REFERENCE,
                            a.def.description.clone().unwrap_or_default(),
                        );
                    }
                }
                _ => {}
            }
            let end = item.range.end.max(a.offset);
            let range = text::range(&a.text, item.range.start, end, st.enc);
            for (i, (v, kind, detail)) in values.into_iter().enumerate() {
                let insert = if item.quoted {
                    crate::model::agent::double_quote(&v)
                } else {
                    v.clone()
                };
                items.push(lsp::CompletionItem {
                    label: v.clone(),
                    kind: Some(kind),
                    detail: (!detail.is_empty()).then_some(detail),
                    text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                        range, insert,
                    ))),
                    filter_text: Some(v),
                    sort_text: Some(format!("{i:05}")),
                    ..Default::default()
                });
            }
        }
        Context::None => return None,
    }
    Some(lsp::CompletionResponse::Array(items))
}

fn served(m: &crate::exec::providers::ModelInfo) -> String {
    match m.loaded {
        Some(true) => "served, loaded (probed)".into(),
        Some(false) => "served, not loaded (probed)".into(),
        None => "served (probed)".into(),
    }
}

// ------------------------------------------------- definition, references

/// Where a provider table, alias or role is written in the configs (user
/// config first: its entry is the one that wins).
fn config_locations(st: &State, item: &Item) -> Vec<lsp::Location> {
    let Some(project) = st.live.project() else {
        return Vec::new();
    };
    let sources = st.live.sources();
    let config = &project.config;
    let v = item.text.trim();
    let mut spans = Vec::new();
    let scopes = [&config.user, &config.project];
    match item.key.as_str() {
        "provider" => {
            for s in scopes {
                spans.extend(s.providers.iter().filter(|p| p.id == v).map(|p| p.key_span));
            }
        }
        "model" | "fallback" => {
            for s in scopes {
                spans.extend(
                    s.aliases
                        .iter()
                        .filter(|(n, _)| n.value == v)
                        .map(|(n, _)| n.span),
                );
            }
            if spans.is_empty()
                && let Some((pid, _)) = v.split_once('/')
            {
                for s in scopes {
                    spans.extend(
                        s.providers
                            .iter()
                            .filter(|p| p.id == pid)
                            .map(|p| p.key_span),
                    );
                }
            }
        }
        "role" => {
            for s in scopes {
                spans.extend(
                    s.roles
                        .iter()
                        .filter(|(n, _)| n.value == v)
                        .map(|(n, _)| n.span),
                );
            }
        }
        _ => {}
    }
    spans
        .into_iter()
        .filter_map(|s| st.location(sources, s))
        .collect()
}

pub fn definition(
    st: &State,
    p: &lsp::GotoDefinitionParams,
) -> Option<lsp::GotoDefinitionResponse> {
    let pp = &p.text_document_position_params;
    let a = at(st, &pp.text_document.uri, pp.position)?;
    let Context::Value(item) = cursor::at(&a.text, a.offset) else {
        return None;
    };
    let locations = match (item.key.as_str(), item.subkey.as_deref()) {
        ("handoffs", Some("agent")) | ("handoffs", None) => {
            let project = st.live.project()?;
            let agent = project.agent(item.text.trim())?;
            st.location(st.live.sources(), agent.def.name_span)
                .into_iter()
                .collect()
        }
        _ => config_locations(st, &item),
    };
    (!locations.is_empty()).then_some(lsp::GotoDefinitionResponse::Array(locations))
}

pub fn references(st: &State, p: &lsp::ReferenceParams) -> Option<Vec<lsp::Location>> {
    let pp = &p.text_document_position;
    let a = at(st, &pp.text_document.uri, pp.position)?;
    let project = st.live.project()?;
    let sources = st.live.sources();
    let config = &project.config;
    // What is named: a provider id or an alias, from an agent file or from
    // agentc.toml (`[providers.X]`, an alias line of `[models]`).
    let (provider, alias, declaration) = if is_config(&a.path) {
        let (section, key) = toml_at(&a.text, a.offset)?;
        match section.as_str() {
            s if s.starts_with("providers.") => {
                (Some(s["providers.".len()..].to_string()), None, None)
            }
            "models" => (None, Some(key?), None),
            _ => return None,
        }
    } else {
        let Context::Value(item) = cursor::at(&a.text, a.offset) else {
            return None;
        };
        let v = item.text.trim().to_string();
        let decl = config_locations(st, &item);
        match item.key.as_str() {
            "provider" => (Some(v), None, Some(decl)),
            "model" | "fallback" if config.aliases.contains_key(&v) => (None, Some(v), Some(decl)),
            "model" | "fallback" => (
                v.split_once('/').map(|(p, _)| p.to_string()),
                None,
                Some(decl),
            ),
            _ => return None,
        }
    };
    let mut out: Vec<lsp::Location> = Vec::new();
    if p.context.include_declaration {
        out.extend(declaration.into_iter().flatten());
    }
    for agent in project.planned() {
        let Some(res) = agent.resolution.as_deref() else {
            continue;
        };
        let def = &agent.def;
        let span = if let Some(pid) = &provider {
            let routed = res.route.provider.as_deref() == Some(pid.as_str())
                || res
                    .fallbacks
                    .iter()
                    .any(|f| f.provider.as_deref() == Some(pid.as_str()));
            if !routed {
                continue;
            }
            def.provider
                .as_ref()
                .filter(|v| &v.value == pid)
                .or(def.model.as_ref())
                .map(|v| v.span)
                .unwrap_or(def.name_span)
        } else if let Some(alias) = &alias {
            let used = res.layers.iter().any(|l| {
                l.model.as_ref().is_some_and(|m| m.text.trim() == alias)
                    || l.fallback.iter().flatten().any(|f| f.text.trim() == alias)
            });
            if !used {
                continue;
            }
            def.model
                .as_ref()
                .filter(|m| m.value.trim() == alias)
                .map(|m| m.span)
                .or_else(|| {
                    def.fallback.as_ref().and_then(|(l, _)| {
                        l.iter().find(|f| f.value.trim() == alias).map(|f| f.span)
                    })
                })
                .unwrap_or(def.name_span)
        } else {
            continue;
        };
        out.extend(st.location(sources, span));
    }
    Some(out)
}

/// The `[section]` and key of the TOML line at `at`.
fn toml_at(text: &str, at: usize) -> Option<(String, Option<String>)> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[line_start..line_end].trim();
    let mut section = None;
    for l in text[..line_end].lines().rev() {
        let l = l.trim();
        if l.starts_with('[') {
            section = Some(l.trim_matches(['[', ']']).trim().to_string());
            break;
        }
    }
    let key = (!line.starts_with('['))
        .then(|| {
            line.split_once('=')
                .map(|(k, _)| k.trim().trim_matches('"').to_string())
        })
        .flatten();
    Some((section?, key))
}

// --------------------------------------------------------- code actions

pub fn code_actions(
    st: &State,
    p: &lsp::CodeActionParams,
) -> Option<Vec<lsp::CodeActionOrCommand>> {
    let uri = &p.text_document.uri;
    let path = super::state::uri_path(uri)?;
    let doc_text = st.text_of(&path)?;
    let mut out = Vec::new();
    if st.up_to_date(&path) {
        let findings = &st.current.findings;
        let sources = findings.sources();
        let mine: Vec<&crate::Diagnostic> = findings
            .diagnostics()
            .iter()
            .filter(|d| d.span.is_some_and(|s| sources.get(s.file).path == path))
            .collect();
        let start = text::offset(&doc_text, p.range.start, st.enc);
        let end = text::offset(&doc_text, p.range.end, st.enc);
        for d in &mine {
            let Some(span) = d.span else { continue };
            let touches = span.start <= end && start <= span.end.max(span.start + 1);
            if !touches {
                continue;
            }
            let lsp_diag = to_lsp(st, sources, d);
            if let Some(fix) = &d.fix {
                let text = &sources.get(span.file).text;
                let edits: Vec<lsp::TextEdit> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        lsp::TextEdit::new(
                            text::range(text, e.span.start, e.span.end, st.enc),
                            e.replacement.clone(),
                        )
                    })
                    .collect();
                let title = if fix.message.is_empty() {
                    format!("Fix `{}`", d.rule.code())
                } else {
                    fix.message.clone()
                };
                out.push(action(
                    title,
                    lsp::CodeActionKind::QUICKFIX,
                    lsp_diag.clone(),
                    edit_of(uri.clone(), edits),
                    true,
                ));
            }
            if d.rule == Rule::UnknownTool {
                let tool = sources.get(span.file).text[span.start..span.end]
                    .trim_matches(['"', '\''])
                    .to_string();
                if let Some(edit) = add_tool_extra(st, &tool) {
                    out.push(action(
                        format!("Add `{tool}` to `[tools] extra` in agentc.toml"),
                        lsp::CodeActionKind::QUICKFIX,
                        lsp_diag,
                        edit,
                        false,
                    ));
                }
            }
        }
        if let Some(fixed) = fix_all(st, &path, &mine, sources)
            && fixed != doc_text
        {
            let whole = text::range(&doc_text, 0, doc_text.len(), st.enc);
            out.push(action(
                "Fix all agentc findings in this file (`agentc check --fix`)".into(),
                lsp::CodeActionKind::new("source.fixAll.agentc"),
                None,
                edit_of(uri.clone(), vec![lsp::TextEdit::new(whole, fixed)]),
                false,
            ));
        }
    }
    // "Quote this value", on any plain scalar of the frontmatter.
    if !is_config(&path) {
        let at = text::offset(&doc_text, p.range.start, st.enc);
        if let Context::Value(item) = cursor::at(&doc_text, at)
            && !item.quoted
            && !item.text.is_empty()
            && !item
                .text
                .starts_with(['[', '{', '|', '>', '&', '*', '!', '"', '\''])
        {
            let quoted = crate::model::agent::double_quote(&item.text);
            out.push(action(
                "Quote this value".into(),
                lsp::CodeActionKind::REFACTOR_REWRITE,
                None,
                edit_of(
                    uri.clone(),
                    vec![lsp::TextEdit::new(
                        text::range(&doc_text, item.range.start, item.range.end, st.enc),
                        quoted,
                    )],
                ),
                false,
            ));
        }
    }
    Some(out)
}

fn action(
    title: String,
    kind: lsp::CodeActionKind,
    diagnostic: Option<lsp::Diagnostic>,
    edit: lsp::WorkspaceEdit,
    preferred: bool,
) -> lsp::CodeActionOrCommand {
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title,
        kind: Some(kind),
        diagnostics: diagnostic.map(|d| vec![d]),
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..Default::default()
    })
}

fn edit_of(uri: Uri, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri, edits)])),
        ..Default::default()
    }
}

/// What `agentc check --fix` writes for this file: every fix, in passes.
fn fix_all(
    st: &State,
    path: &Path,
    mine: &[&crate::Diagnostic],
    sources: &SourceMap,
) -> Option<String> {
    let project = st.live.project()?;
    let file_id = mine.first()?.span?.file;
    let (agent_file, scope) = match st.live.agent_file(path) {
        Some((f, s)) => (vec![f.clone()], s),
        None => (Vec::new(), Scope::Project),
    };
    let scopes = HashMap::from([(file_id, scope)]);
    let cx = crate::check::fix::FixContext {
        config: &project.config,
        scopes: &scopes,
        agent_files: &agent_file,
    };
    let diags: Vec<crate::Diagnostic> = mine.iter().map(|d| (*d).clone()).collect();
    crate::check::fix::fix_files(&cx, &diags, sources)
        .into_iter()
        .next()
        .map(|f| f.fixed)
}

/// The edit that adds `tool` to the project config's `[tools] extra`,
/// creating the table, or the file, as needed.
fn add_tool_extra(st: &State, tool: &str) -> Option<lsp::WorkspaceEdit> {
    let path = st.live.layout().project_config();
    let quoted = crate::model::agent::double_quote(tool);
    let Some(text) = st
        .text_of(&path)
        .filter(|_| path.is_file() || st.docs.contains_key(&path))
    else {
        if !st.can_create_files {
            return None;
        }
        let uri = super::state::path_uri(&path)?;
        return Some(lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Operations(vec![
                lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                    uri: uri.clone(),
                    options: None,
                    annotation_id: None,
                })),
                lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                    text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                        uri,
                        version: None,
                    },
                    edits: vec![lsp::OneOf::Left(lsp::TextEdit::new(
                        lsp::Range::default(),
                        format!("[tools]\nextra = [{quoted}]\n"),
                    ))],
                }),
            ])),
            ..Default::default()
        });
    };
    let uri = st.uri_of(&path)?;
    let mut offset = 0;
    let mut in_tools = false;
    let mut insert: Option<(usize, String)> = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') {
            if in_tools {
                // `[tools]` without `extra`: add it at the table's end.
                break;
            }
            in_tools = t.trim_start_matches('[').trim_end_matches(']').trim() == "tools";
            if in_tools {
                insert = Some((offset + line.len(), format!("extra = [{quoted}]\n")));
            }
        } else if in_tools
            && t.starts_with("extra")
            && t["extra".len()..].trim_start().starts_with('=')
            && let Some(close) = line.rfind(']')
        {
            let open = line.find('[').unwrap_or(close);
            let empty = line[open + 1..close].trim().is_empty();
            let at = offset + close;
            insert = Some((
                at,
                if empty {
                    quoted.clone()
                } else {
                    format!(", {quoted}")
                },
            ));
            break;
        }
        offset += line.len();
    }
    let (at, new) = insert.unwrap_or_else(|| {
        let sep = if text.is_empty() || text.ends_with("\n\n") {
            ""
        } else if text.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        (text.len(), format!("{sep}[tools]\nextra = [{quoted}]\n"))
    });
    let pos = text::position(&text, at, st.enc);
    Some(edit_of(
        uri,
        vec![lsp::TextEdit::new(lsp::Range::new(pos, pos), new)],
    ))
}

// --------------------------------------------------- symbols, inlay hints

#[allow(deprecated)]
pub fn symbols(st: &State, p: &lsp::DocumentSymbolParams) -> Option<lsp::DocumentSymbolResponse> {
    let path = super::state::uri_path(&p.text_document.uri)?;
    let text = st.text_of(&path)?;
    let mut out = Vec::new();
    let sym = |name: String, detail: Option<String>, kind, range: lsp::Range, sel: lsp::Range| {
        lsp::DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range,
            selection_range: sel,
            children: None,
        }
    };
    if is_config(&path) {
        let mut headers: Vec<(usize, usize, String)> = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let t = line.trim();
            if t.starts_with('[') && t.ends_with(']') {
                let name = t.trim_matches(['[', ']']).trim().to_string();
                headers.push((offset, offset + line.trim_end().len(), name));
            }
            offset += line.len();
        }
        for (i, (start, head_end, name)) in headers.iter().enumerate() {
            let end = headers.get(i + 1).map_or(text.len(), |h| h.0);
            let body_end = start + text[*start..end].trim_end().len();
            out.push(sym(
                name.clone(),
                None,
                lsp::SymbolKind::NAMESPACE,
                text::range(&text, *start, body_end, st.enc),
                text::range(&text, *start, *head_end, st.enc),
            ));
        }
    } else {
        for k in cursor::keys(&text) {
            let entry_end = k.entry.start + text[k.entry.clone()].trim_end().len();
            let value = text[k.value.clone()].to_string();
            out.push(sym(
                k.key.clone(),
                (!value.is_empty()).then_some(value),
                lsp::SymbolKind::PROPERTY,
                text::range(&text, k.entry.start, entry_end, st.enc),
                text::range(&text, k.key_range.start, k.key_range.end, st.enc),
            ));
        }
    }
    Some(lsp::DocumentSymbolResponse::Nested(out))
}

/// The route summary at the end of the opening fence:
/// `→ lm-studio/qwen-2.5-7b (agent) · fallback deepseek/deepseek-v4-flash`.
pub fn inlay_hints(st: &State, p: &lsp::InlayHintParams) -> Option<Vec<lsp::InlayHint>> {
    let path = super::state::uri_path(&p.text_document.uri)?;
    let agent = agent_of(st, &path)?;
    let text = st.text_of(&path)?;
    let fence_end = text.find('\n').map_or(text.len(), |i| {
        if i > 0 && text.as_bytes()[i - 1] == b'\r' {
            i - 1
        } else {
            i
        }
    });
    let label = route_summary(agent)?;
    Some(vec![lsp::InlayHint {
        position: text::position(&text, fence_end, st.enc),
        label: lsp::InlayHintLabel::String(label),
        kind: None,
        text_edits: None,
        tooltip: None,
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }])
}

pub fn route_summary(agent: &Agent) -> Option<String> {
    let res = agent.resolution.as_deref()?;
    let r = &res.route;
    let mut out = if r.inherit && r.model.is_none() {
        "→ inherit (parent's route)".to_string()
    } else {
        let model = r.model.as_deref().unwrap_or("?");
        let layer = r
            .model_source
            .or(r.provider_source)
            .map(|s| s.layer.as_str())
            .unwrap_or("parent");
        format!("→ {} ({layer})", target_text(r.provider.as_deref(), model))
    };
    if !res.fallbacks.is_empty() {
        let list: Vec<String> = res
            .fallbacks
            .iter()
            .map(|f| target_text(f.provider.as_deref(), &f.model))
            .collect();
        out.push_str(&format!(" · fallback {}", list.join(", ")));
    }
    if !agent.in_plan() {
        out.push_str(" · not in the plan");
    }
    Some(out)
}
