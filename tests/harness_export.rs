//! The real harnesses judge `agentc export`: a project with agents on
//! several providers (anthropic, openai, lm-studio, ollama), tool lists, a
//! read-only agent, one with a fallback, one on the parent's model and one
//! with every tool (`tests/fixtures/export`) is exported to each harness,
//! and the harness is asked what it loaded:
//!
//! - OpenCode: `opencode debug agent NAME` (model, effective tools);
//! - Claude Code: the `system/init` event, and the request each sub-agent
//!   sends to a loopback Anthropic-shaped server when the parent opens it;
//! - Copilot CLI: its list of custom agents, and the request each one sends
//!   to a loopback OpenAI-shaped server when the parent opens it.
//!
//! Each agent's model and tools must be the plan's, or the export report
//! must name the difference; no agent may get a tool its source does not
//! allow. Then the round trip: each harness's own files, imported and
//! exported again, load the same.
//!
//! Needs `opencode`, `claude` and `copilot` on PATH (`.ci/clients`); run by
//! `.ci/run`. A missing client fails the test.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::harness::{ExportReport, HarnessProject, PlannedAgent, run_ok, set};
use support::scripted::{Scripted, Seen, anthropic_answer, openai_answer};

// ---------------------------------------------------------------- OpenCode

/// OpenCode's names for agentc's tools, as `opencode debug agent` lists
/// them (`write` and `edit` are one permission there).
fn opencode_tools(tool: &str) -> &'static [&'static str] {
    match tool {
        "read" => &["read"],
        "write" | "edit" | "multi_edit" => &["edit", "write"],
        "grep" => &["grep"],
        "glob" => &["glob"],
        "bash" => &["bash"],
        "web_fetch" => &["webfetch"],
        "agent" => &["task"],
        "todo" => &["todowrite"],
        other => panic!("no OpenCode name known for `{other}`"),
    }
}

fn opencode_provider(agentc: &str) -> &str {
    match agentc {
        "lm-studio" => "lmstudio",
        "gemini" => "google",
        p => p,
    }
}

/// `opencode debug agent NAME` in the project, as JSON.
fn opencode_agent(p: &HarnessProject, name: &str) -> Value {
    let mut c = p.client("opencode");
    c.args(["debug", "agent", name])
        .env("OPENCODE_DISABLE_MODELS_FETCH", "1")
        .env("OPENCODE_DISABLE_AUTOUPDATE", "1");
    let out = run_ok(c, 60);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "opencode debug agent {name}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// `opencode debug agent NAME` for each name. (One after the other: each
/// run is mostly OpenCode starting up, which two cores do not speed up.)
fn opencode_agents(p: &HarnessProject, names: &[String]) -> BTreeMap<String, Value> {
    names
        .iter()
        .map(|n| (n.clone(), opencode_agent(p, n)))
        .collect()
}

/// The tools OpenCode leaves the agent. `invalid` (OpenCode's answer to a
/// malformed tool call) and `question` (the primary agent's prompt to the
/// user) are not tools a definition grants.
fn opencode_effective(agent: &Value) -> BTreeSet<String> {
    agent["tools"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| **v == true && !matches!(k.as_str(), "invalid" | "question"))
        .map(|(k, _)| k.clone())
        .collect()
}

/// What OpenCode 1.18.33 gives an agent that restricts nothing, on a
/// model of another provider than its own (which alone gets `websearch`).
const OPENCODE_ALL: &[&str] = &[
    "bash",
    "edit",
    "glob",
    "grep",
    "read",
    "skill",
    "task",
    "todowrite",
    "webfetch",
    "write",
];

#[test]
#[ignore = "needs opencode; run by .ci/run"]
fn opencode_loads_each_exported_agent_on_the_plans_model_with_the_plans_tools() {
    let p = HarnessProject::from_fixture("export");
    let plan = p.plan();
    assert_eq!(plan.len(), 6);
    let report = p.export("opencode");
    let names: Vec<String> = plan.iter().map(|a| a.name.clone()).collect();
    let loaded = opencode_agents(&p, &names);
    for a in &plan {
        assert_eq!(report.status(&a.name), "written", "{}", a.name);
        let got = &loaded[&a.name];
        assert_eq!(got["name"], a.name.as_str());

        // The model: the plan's route in OpenCode's provider ids, or the
        // parent's (no model) for an agent that inherits.
        if a.inherit {
            assert_eq!(got["model"], Value::Null, "{}", a.name);
        } else {
            let provider = a.provider.as_deref().unwrap();
            assert_eq!(
                got["model"],
                json!({"providerID": opencode_provider(provider),
                       "modelID": a.model.as_deref().unwrap()}),
                "{}",
                a.name
            );
            // A provider OpenCode does not have built in is named in the
            // report (it needs an entry in opencode.json to run).
            if !["anthropic", "openai", "deepseek", "openrouter", "gemini"].contains(&provider) {
                assert!(
                    !report.notes(&a.name, "model").is_empty(),
                    "{}: no note for `{provider}`",
                    a.name
                );
            }
        }

        // The tools: exactly the plan's.
        let effective = opencode_effective(got);
        match &a.tools {
            Some(tools) => {
                let want: BTreeSet<String> = tools
                    .iter()
                    .flat_map(|t| opencode_tools(t).iter().map(|s| s.to_string()))
                    .collect();
                assert_eq!(effective, want, "{}", a.name);
            }
            None => assert_eq!(effective, set(OPENCODE_ALL.iter().copied()), "{}", a.name),
        }
    }
}

// ------------------------------------------------------------- Claude Code

/// Claude Code's names for agentc's tools, as a sub-agent's request
/// carries them.
fn claude_tools(tool: &str) -> &'static [&'static str] {
    match tool {
        "read" => &["Read"],
        "write" => &["Write"],
        "edit" | "multi_edit" => &["Edit"],
        "grep" => &["Grep"],
        "glob" | "ls" => &["Glob"],
        "bash" => &["Bash"],
        "web_fetch" => &["WebFetch"],
        "web_search" => &["WebSearch"],
        "agent" => &["Agent"],
        "todo" => &["TaskCreate", "TaskGet", "TaskList", "TaskUpdate"],
        "notebook_edit" => &["NotebookEdit"],
        other => panic!("no Claude Code name known for `{other}`"),
    }
}

fn tool_names(req: &Seen) -> BTreeSet<String> {
    req.body["tools"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|t| t["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn has_tool_result(req: &Seen) -> bool {
    req.body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_array())
        .is_some_and(|c| c.iter().any(|b| b["type"] == "tool_result"))
}

/// The agent whose body the request's system prompt carries.
fn agent_of<'a>(system: &str, bodies: &'a BTreeMap<String, String>) -> Option<&'a str> {
    bodies
        .iter()
        .find(|(_, body)| system.contains(body.as_str()))
        .map(|(name, _)| name.as_str())
}

/// The bodies of the agent files in `dir` (ids: file names without
/// `suffix`), JSON-escaped as a request's text carries them.
fn bodies(dir: &Path, suffix: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let body = text.splitn(3, "---\n").nth(2).unwrap().trim();
        let escaped = serde_json::to_string(body).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let name = file.strip_suffix(suffix).unwrap().to_string();
        out.insert(name, escaped[1..escaped.len() - 1].to_string());
    }
    out
}

/// The expected harness tools for a planned tool list, and which of them
/// the harness may leave out when the report names the tool.
fn mapped(tools: &[String], map: fn(&str) -> &'static [&'static str]) -> BTreeSet<String> {
    tools
        .iter()
        .flat_map(|t| map(t).iter().map(|s| s.to_string()))
        .collect()
}

/// What one Claude Code session showed: its `system/init` event, every
/// request it sent, and the parent's model.
struct ClaudeSession {
    init: Value,
    requests: Vec<Seen>,
    parent_model: String,
}

impl ClaudeSession {
    /// The first request of the sub-agent whose body is `name`'s.
    fn sub_agent(&self, bodies: &BTreeMap<String, String>, name: &str) -> &Seen {
        self.requests
            .iter()
            .find(|r| agent_of(&r.body["system"].to_string(), bodies) == Some(name))
            .unwrap_or_else(|| panic!("no request of the sub-agent {name}"))
    }

    fn agents(&self) -> BTreeSet<String> {
        self.init["agents"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect()
    }
}

/// `claude -p` in the project, its parent model a scripted server on
/// loopback: the parent opens every agent of `bodies` at once with its
/// Agent tool, each sub-agent answers at once, the parent ends its turn.
fn claude_session(p: &HarnessProject, bodies: &BTreeMap<String, String>) -> ClaudeSession {
    let (b, n): (BTreeMap<String, String>, Vec<String>) =
        (bodies.clone(), bodies.keys().cloned().collect());
    let server = Scripted::start(move |req, _| {
        let system = req.body["system"].to_string();
        if agent_of(&system, &b).is_some() {
            return anthropic_answer(
                req,
                vec![json!({"type": "text", "text": "done"})],
                "end_turn",
            );
        }
        if tool_names(req).contains("Agent") && !has_tool_result(req) {
            let calls = n
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    json!({"type": "tool_use", "id": format!("toolu_{i}"), "name": "Agent",
                           "input": {"description": format!("Open {name}"),
                                     "prompt": "Say done.", "subagent_type": name}})
                })
                .collect();
            return anthropic_answer(req, calls, "tool_use");
        }
        anthropic_answer(
            req,
            vec![json!({"type": "text", "text": "All done."})],
            "end_turn",
        )
    });
    let mut c = p.client("claude");
    c.args([
        "-p",
        "Open each of the project's agents.",
        "--output-format",
        "stream-json",
        "--verbose",
        "--allowedTools",
        "Agent",
    ])
    .env(
        "ANTHROPIC_BASE_URL",
        server.base_url().trim_end_matches("/v1"),
    )
    .env("ANTHROPIC_API_KEY", "sk-ant-dummy-key")
    .env("DISABLE_AUTOUPDATER", "1")
    .env("DISABLE_TELEMETRY", "1")
    .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    let out = run_ok(c, 120);
    let init = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|e| e["type"] == "system" && e["subtype"] == "init")
        .expect("a system/init event");
    assert_eq!(init["claude_code_version"], "2.1.197");
    let requests = server.requests();
    let parent_model = requests
        .iter()
        .find(|r| {
            tool_names(r).contains("Agent")
                && agent_of(&r.body["system"].to_string(), bodies).is_none()
        })
        .map(|r| r.body["model"].as_str().unwrap().to_string())
        .expect("the parent's request");
    ClaudeSession {
        init,
        requests,
        parent_model,
    }
}

#[test]
#[ignore = "needs claude; run by .ci/run"]
fn claude_code_loads_each_exported_agent_and_its_sub_agent_requests_carry_the_plans_tools() {
    let p = HarnessProject::from_fixture("export");
    let plan = p.plan();
    let report = p.export("claude");
    let bodies = bodies(&p.root().join(".claude/agents"), ".md");
    assert_eq!(bodies.len(), plan.len());

    let session = claude_session(&p, &bodies);
    // system/init lists every exported agent.
    let loaded = session.agents();
    for a in &plan {
        assert!(loaded.contains(&a.name), "{} not in {loaded:?}", a.name);
    }
    for a in &plan {
        let req = session.sub_agent(&bodies, &a.name);
        let model = req.body["model"].as_str().unwrap();
        check_claude_model(a, model, &session.parent_model, &report);
        let got = tool_names(req);
        match &a.tools {
            Some(tools) => {
                let want = mapped(tools, claude_tools);
                assert!(
                    got.is_subset(&want),
                    "{}: {got:?} is more than {want:?}",
                    a.name
                );
                // What the harness left out, the report names.
                for missing in want.difference(&got) {
                    assert!(
                        report.names(&a.name, "tools", missing),
                        "{}: Claude Code dropped `{missing}` and the report does not say so: {:?}",
                        a.name,
                        report.notes(&a.name, "tools")
                    );
                }
            }
            // Every tool: the sub-agent gets Claude Code's tools.
            None => {
                for t in ["Read", "Write", "Edit", "Bash", "WebFetch"] {
                    assert!(got.contains(t), "{}: no {t} in {got:?}", a.name);
                }
            }
        }
    }
}

/// The sub-agent runs on the planned Anthropic model, on the parent's when
/// the plan inherits, and the report names a model Claude Code cannot run.
fn check_claude_model(a: &PlannedAgent, model: &str, parent: &str, report: &ExportReport) {
    match (a.inherit, a.provider.as_deref()) {
        (true, _) => assert_eq!(model, parent, "{}", a.name),
        // Or the report says why it runs on another.
        (false, Some("anthropic")) => assert!(
            Some(model) == a.model.as_deref()
                || report.names(&a.name, "model", a.model.as_deref().unwrap()),
            "{} runs on {model}, not on {:?}, and the report does not say so",
            a.name,
            a.model
        ),
        (false, _) => assert!(
            !report.notes(&a.name, "model").is_empty(),
            "{} runs on {model}, and the report does not say why not on {:?}/{:?}",
            a.name,
            a.provider,
            a.model
        ),
    }
}

// ------------------------------------------------------------- Copilot CLI

/// Copilot CLI's tools for agentc's tools, as a request carries them.
fn copilot_tools(tool: &str) -> &'static [&'static str] {
    match tool {
        "read" => &["view"],
        "write" | "edit" | "multi_edit" => &["create", "edit"],
        "grep" => &["grep"],
        "glob" | "ls" => &["glob"],
        "bash" => &["bash", "list_bash", "read_bash", "stop_bash"],
        "agent" => &["task", "list_agents", "read_agent", "write_agent"],
        "todo" => &["update_todo"],
        other => panic!("no Copilot CLI name known for `{other}`"),
    }
}

/// The agentc tool a Copilot tool stands for.
fn copilot_source(tool: &str) -> &'static str {
    match tool {
        "view" => "read",
        "create" | "edit" => "edit",
        "grep" => "grep",
        "glob" => "glob",
        "bash" | "list_bash" | "read_bash" | "stop_bash" => "bash",
        "task" | "list_agents" | "read_agent" | "write_agent" => "agent",
        "update_todo" => "todo",
        other => panic!("no agentc tool known for Copilot's `{other}`"),
    }
}

/// Tools of Copilot CLI 1.0.102's own (its skills and session database)
/// that a top-level session carries whatever an agent's `tools` say.
const COPILOT_ALWAYS: &[&str] = &["skill", "sql"];

fn function_names(req: &Seen) -> BTreeSet<String> {
    req.body["tools"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|t| t["function"]["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn system_text(req: &Seen) -> String {
    req.body["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter(|m| m["role"] == "system")
                .map(|m| m["content"].to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// What one Copilot CLI session showed: the custom agents its `task` tool
/// lists (with their descriptions), and every request it sent.
struct CopilotSession {
    agents: BTreeMap<String, String>,
    requests: Vec<Seen>,
}

impl CopilotSession {
    fn sub_agent(&self, bodies: &BTreeMap<String, String>, name: &str) -> Option<&Seen> {
        self.requests
            .iter()
            .find(|r| agent_of(&system_text(r), bodies) == Some(name))
    }
}

/// `copilot -p` in the project with a BYOK provider on loopback: the
/// parent opens every agent of `bodies` at once with its `task` tool,
/// each sub-agent answers at once, the parent ends its turn.
fn copilot_session(p: &HarnessProject, bodies: &BTreeMap<String, String>) -> CopilotSession {
    let b = bodies.clone();
    let server = Scripted::start(move |req, _| {
        if agent_of(&system_text(req), &b).is_some() {
            return openai_answer(req, Some("done"), &[]);
        }
        let last_is_tool = req.body["messages"]
            .as_array()
            .and_then(|m| m.last())
            .is_some_and(|m| m["role"] == "tool");
        if function_names(req).contains("task") && !last_is_tool {
            // Copilot names a custom agent by its `name` (else its file's).
            let calls: Vec<(String, Value)> = copilot_custom_agents(req)
                .keys()
                .enumerate()
                .map(|(i, name)| {
                    (
                        format!("call_{i}"),
                        json!({"description": format!("Open {name}"), "prompt": "Say done.",
                               "agent_type": name, "name": name}),
                    )
                })
                .collect();
            let refs: Vec<(&str, &str, Value)> = calls
                .iter()
                .map(|(id, args)| (id.as_str(), "task", args.clone()))
                .collect();
            return openai_answer(req, None, &refs);
        }
        openai_answer(req, Some("All done."), &[])
    });
    let mut c = p.client("copilot");
    c.args([
        "-p",
        "Open each of the project's agents.",
        "--allow-all-tools",
        "--no-auto-update",
        "--output-format",
        "json",
    ])
    .env("COPILOT_OFFLINE", "true")
    .env("COPILOT_PROVIDER_BASE_URL", server.base_url())
    .env("COPILOT_MODEL", "byok-model");
    let out = run_ok(c, 120);
    let requests = server.requests();
    let parent = requests
        .iter()
        .find(|r| function_names(r).contains("task") && agent_of(&system_text(r), bodies).is_none())
        .unwrap_or_else(|| {
            panic!(
                "no parent request: {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
    let agents = copilot_custom_agents(parent);
    CopilotSession { agents, requests }
}

/// The custom agents the `task` tool of a Copilot request lists, with
/// their descriptions.
fn copilot_custom_agents(req: &Seen) -> BTreeMap<String, String> {
    let task = req.body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["function"]["name"] == "task")
        .unwrap();
    let described = task["function"]["description"].as_str().unwrap();
    let custom = described
        .split_once("User-provided custom agents:")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no custom agents in {described}"));
    // `- **name**: description`, one blank line between agents.
    custom
        .lines()
        .filter_map(|l| l.strip_prefix("- **"))
        .filter_map(|l| l.split_once("**: "))
        .map(|(n, d)| (n.to_string(), d.to_string()))
        .collect()
}

#[test]
#[ignore = "needs copilot; run by .ci/run"]
fn copilot_cli_lists_each_exported_agent_and_its_sub_agent_requests_carry_the_plans_tools() {
    let p = HarnessProject::from_fixture("export");
    let plan = p.plan();
    let report = p.export("copilot");
    let bodies = bodies(&p.root().join(".github/agents"), ".agent.md");
    let session = copilot_session(&p, &bodies);
    // The agent list: Copilot's `task` tool names the custom agents it
    // loaded.
    assert_eq!(
        session.agents.keys().cloned().collect::<BTreeSet<_>>(),
        set(plan.iter().map(|a| a.name.clone()))
    );

    for a in &plan {
        let req = session.sub_agent(&bodies, &a.name);
        // A name Copilot has a built-in agent for (`explore`) opens the
        // built-in; the report says so.
        if !report.notes(&a.name, "name").is_empty() {
            assert!(req.is_none(), "{}: the exported file ran", a.name);
            continue;
        }
        let req = req.unwrap_or_else(|| panic!("no request of the sub-agent {}", a.name));
        // The model: the plan's (Copilot keeps a custom agent on its
        // configured model, BYOK provider or not), the parent's when the
        // plan inherits; a model the report names as lost runs on the
        // parent's too.
        let model = req.body["model"].as_str().unwrap();
        match (a.inherit, a.provider.as_deref()) {
            (true, _) => assert_eq!(model, "byok-model", "{}", a.name),
            (false, Some("anthropic" | "openai")) => {
                assert_eq!(Some(model), a.model.as_deref(), "{}", a.name)
            }
            _ => {
                assert_eq!(model, "byok-model", "{}", a.name);
                assert!(!report.notes(&a.name, "model").is_empty(), "{}", a.name);
            }
        }
        let mut got = function_names(req);
        for t in COPILOT_ALWAYS {
            got.remove(*t);
        }
        match &a.tools {
            Some(tools) => {
                let want = mapped(tools, copilot_tools);
                // Never more than the plan.
                assert!(
                    got.is_subset(&want),
                    "{}: {got:?} is more than {want:?}",
                    a.name
                );
                for missing in want.difference(&got) {
                    assert!(
                        report.names(&a.name, "tools", copilot_source(missing)),
                        "{}: Copilot left out `{missing}` and the report does not say so",
                        a.name
                    );
                }
            }
            None => {
                for t in ["view", "edit", "bash", "grep", "glob"] {
                    assert!(got.contains(t), "{}: no {t} in {got:?}", a.name);
                }
            }
        }
    }
    // The model each file asks Copilot's picker for: the plan's, or named.
    for a in &plan {
        let file =
            std::fs::read_to_string(p.root().join(format!(".github/agents/{}.agent.md", a.name)))
                .unwrap();
        let line = file.lines().find_map(|l| l.strip_prefix("model: "));
        match (a.inherit, a.provider.as_deref(), line) {
            (true, _, Some(m)) => assert_eq!(m, "inherit"),
            (false, Some("anthropic" | "openai"), Some(m)) => {
                let first = m.trim_start_matches('[').split(',').next().unwrap();
                assert_eq!(Some(first), a.model.as_deref(), "{}", a.name);
            }
            _ => assert!(
                !report.notes(&a.name, "model").is_empty(),
                "{}: no model written and none reported",
                a.name
            ),
        }
    }
}

// ------------------------------------------------------------- Round trips

/// Each harness's own files (`tests/fixtures/roundtrip/<dialect>`), then
/// `agentc import --from <dialect>` into an empty project and `agentc
/// export --to <dialect>` there: the native project and the one that went
/// through agentc.
fn round_trip(dialect: &str, folder: &str) -> (HarnessProject, HarnessProject) {
    let native = HarnessProject::from_fixture(&format!("roundtrip/{dialect}"));
    let back = HarnessProject::empty();
    let (root, src) = (back.root(), native.root().join(folder));
    let out = back.agentc(&[
        "import",
        "--no-user",
        "--project",
        root.to_str().unwrap(),
        "--from",
        dialect,
        src.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "import failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report = back.export(dialect);
    for a in report.0["agents"].as_array().unwrap() {
        assert_eq!(a["status"], "written", "{a}");
    }
    (native, back)
}

/// A harness's view with the project's own folders named alike.
fn normalised(view: &Value, p: &HarnessProject) -> Value {
    let text = view
        .to_string()
        .replace(p.home().to_str().unwrap(), "$HOME")
        .replace(p.root().to_str().unwrap(), "$ROOT");
    serde_json::from_str(&text).unwrap()
}

#[test]
#[ignore = "needs opencode; run by .ci/run"]
fn opencode_files_load_the_same_after_import_and_export() {
    let (native, back) = round_trip("opencode", ".opencode/agent");
    let names: Vec<String> = bodies(&native.root().join(".opencode/agent"), ".md")
        .into_keys()
        .collect();
    assert_eq!(names.len(), 4);
    let (before, after) = (
        opencode_agents(&native, &names),
        opencode_agents(&back, &names),
    );
    for name in &names {
        let before = normalised(&before[name], &native);
        let after = normalised(&after[name], &back);
        // All of it: model, mode, prompt, steps, colour, and the
        // permission rules in their order.
        assert_eq!(before, after, "{name}");
    }
}

#[test]
#[ignore = "needs claude; run by .ci/run"]
fn claude_code_files_load_the_same_after_import_and_export() {
    let (native, back) = round_trip("claude", ".claude/agents");
    let bodies = bodies(&native.root().join(".claude/agents"), ".md");
    assert_eq!(bodies.len(), 3);
    let before = claude_session(&native, &bodies);
    let after = claude_session(&back, &bodies);
    assert_eq!(before.agents(), after.agents());
    // The parent's Agent tool describes each agent (name, description,
    // tools) the same way.
    let agent_tool = |s: &ClaudeSession| -> Value {
        s.requests
            .iter()
            .filter(|r| agent_of(&r.body["system"].to_string(), &bodies).is_none())
            .find_map(|r| {
                r.body["tools"]
                    .as_array()?
                    .iter()
                    .find(|t| t["name"] == "Agent")
                    .cloned()
            })
            .expect("the parent's Agent tool")
    };
    assert_eq!(agent_tool(&before), agent_tool(&after));
    for name in bodies.keys() {
        let (b, a) = (
            before.sub_agent(&bodies, name),
            after.sub_agent(&bodies, name),
        );
        assert_eq!(b.body["model"], a.body["model"], "{name}");
        assert_eq!(tool_names(b), tool_names(a), "{name}");
    }
}

#[test]
#[ignore = "needs copilot; run by .ci/run"]
fn copilot_cli_files_load_the_same_after_import_and_export() {
    let (native, back) = round_trip("copilot", ".github/agents");
    let bodies = bodies(&native.root().join(".github/agents"), ".agent.md");
    assert_eq!(bodies.len(), 3);
    let before = copilot_session(&native, &bodies);
    let after = copilot_session(&back, &bodies);
    assert_eq!(before.agents, after.agents);
    for name in bodies.keys() {
        let b = before
            .sub_agent(&bodies, name)
            .unwrap_or_else(|| panic!("{name} did not run"));
        let a = after
            .sub_agent(&bodies, name)
            .unwrap_or_else(|| panic!("{name} did not run after the round trip"));
        assert_eq!(b.body["model"], a.body["model"], "{name}");
        assert_eq!(function_names(b), function_names(a), "{name}");
    }
}
