//! The tools' definitions: names, descriptions, and the JSON Schemas of
//! their input (derived from the argument types) and output (written here,
//! checked against real results by the tests).

use super::tools::{CheckArgs, DelegateArgs, DelegateBatchArgs, RouteArgs};
use crate::watch::LivePlan;
use serde_json::{Map, Value, json};

/// The tools, in the order `tools/list` shows them.
pub const TOOL_NAMES: [&str; 5] = [
    "list_agents",
    "route",
    "check",
    "delegate",
    "delegate_batch",
];

/// At most this many agents are named in `delegate`'s description; the
/// rest are a `list_agents` call away.
const AGENTS_IN_DESCRIPTION: usize = 50;

/// One tool's definition.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolDef {
    pub name: &'static str,
    pub title: &'static str,
    pub description: String,
    pub input_schema: Map<String, Value>,
    pub output_schema: Map<String, Value>,
    pub read_only: bool,
}

/// Every tool. `delegate`'s description names the live plan's agents, so
/// the tool list changes when they do.
pub fn tool_defs(live: &LivePlan) -> Vec<ToolDef> {
    TOOL_NAMES
        .iter()
        .filter_map(|n| tool_def(n, live))
        .collect()
}

pub fn tool_def(name: &str, live: &LivePlan) -> Option<ToolDef> {
    let def = match name {
        "list_agents" => ToolDef {
            name: "list_agents",
            title: "List agents",
            description: "List the sub-agents of the project's routing plan: name, description, role, the route each runs on (provider, model, and which layer chose them), fallbacks, tools, and whether the entry is stale (its file now has errors and this is its last good definition).".into(),
            input_schema: object(json!({"type": "object", "properties": {}, "additionalProperties": false})),
            output_schema: object(list_agents_output()),
            read_only: true,
        },
        "route" => ToolDef {
            name: "route",
            title: "Resolve a route",
            description: "Resolve where an agent will run, with optional call-layer (`model`, `provider`) and task-layer (`task_model`, `task_provider`) overrides, without running it. An override that is unknown or outside `[policy] allowed_models` is an error naming what is allowed; it is never replaced by something else.".into(),
            input_schema: input::<RouteArgs>(),
            output_schema: object(route_output()),
            read_only: true,
        },
        "check" => ToolDef {
            name: "check",
            title: "Check definitions",
            description: "Check agent definitions and configs: the diagnostics object of `agentc check --format json` (codes, severities, messages, exact lines and columns), for the live project or for the given paths.".into(),
            input_schema: input::<CheckArgs>(),
            output_schema: object(check_output()),
            read_only: true,
        },
        "delegate" => ToolDef {
            name: "delegate",
            title: "Delegate to an agent",
            description: delegate_description(live),
            input_schema: input::<DelegateArgs>(),
            output_schema: object(report_schema(false)),
            read_only: false,
        },
        "delegate_batch" => ToolDef {
            name: "delegate_batch",
            title: "Delegate a batch",
            description: "Run several tasks at once, each on its agent's route: the top-level `model`/`provider` is the call layer for every task, a task's own `model`/`provider` its task layer (the same prompt on two models is an A/B comparison). Tasks run concurrently within the server's --jobs and each provider's max_concurrency; one result per task, in order, each with its attempts; a failing task never hides the others.".into(),
            input_schema: input::<DelegateBatchArgs>(),
            output_schema: object(json!({
                "type": "object",
                "required": ["results", "summary"],
                "properties": {
                    "results": {"type": "array", "items": report_schema(true)},
                    "summary": {
                        "type": "object",
                        "required": ["ok", "failed", "cancelled"],
                        "properties": {
                            "ok": {"type": "integer", "minimum": 0},
                            "failed": {"type": "integer", "minimum": 0},
                            "cancelled": {"type": "integer", "minimum": 0},
                        },
                    },
                },
            })),
            read_only: false,
        },
        _ => return None,
    };
    Some(def)
}

fn delegate_description(live: &LivePlan) -> String {
    let mut d = String::from(
        "Run one of the project's sub-agents on its planned route (its own system prompt, provider, model and parameters) and return its answer, the route that produced it and every attempt: a fallback taken after an outage is visible in `attempts`, never silent. `model`/`provider` are the call layer (`provider/model`, an alias from [models], or a bare model id).",
    );
    let agents = &live.plan.agents;
    if !agents.is_empty() {
        d.push_str("\n\nAgents:");
        for a in agents.iter().take(AGENTS_IN_DESCRIPTION) {
            let route = match (&a.route.provider, &a.route.model) {
                (Some(p), Some(m)) => format!("{p}/{m}"),
                _ if a.route.inherit => "inherits".to_string(),
                (p, m) => format!(
                    "{}/{}",
                    p.as_deref().unwrap_or("?"),
                    m.as_deref().unwrap_or("?")
                ),
            };
            d.push_str(&format!(
                "\n- {} ({route}): {}",
                a.name,
                one_line(&a.description)
            ));
        }
        if agents.len() > AGENTS_IN_DESCRIPTION {
            d.push_str(&format!(
                "\n- … and {} more: call list_agents",
                agents.len() - AGENTS_IN_DESCRIPTION
            ));
        }
    }
    d
}

fn one_line(s: &str) -> String {
    let line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 200 {
        let cut: String = line.chars().take(199).collect();
        format!("{cut}…")
    } else {
        line
    }
}

/// An output schema as a JSON object, nullable types spelled `anyOf`. A
/// tool error (`isError: true`) is `{"error": {code, message, help,
/// diagnostics}}` or, for `delegate`, the full result with its `error`; the
/// schema admits both, as clients validate error results too.
fn object(mut v: Value) -> Map<String, Value> {
    if let Value::Object(m) = &mut v {
        let required = m.remove("required").unwrap_or_else(|| json!([]));
        if let Some(Value::Object(props)) = m.get_mut("properties") {
            props
                .entry("error")
                .or_insert_with(|| json!({"anyOf": [{"type": "null"}, error_schema()]}));
        }
        m.insert(
            "anyOf".into(),
            json!([{"required": required}, {"required": ["error"]}]),
        );
    }
    portable(&mut v, false);
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Spells `"type": [T, "null"]` the way every client reads it: clients
/// that map schemas onto a single-`type` dialect (Gemini's function
/// declarations) reject the array form. In an input schema an optional
/// argument is simply left out, so the type is `T`; in an output schema
/// `null` is a value, so it becomes `anyOf: [{type: T}, {type: null}]`.
fn portable(v: &mut Value, input: bool) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(types)) = m.get("type")
                && types.len() == 2
                && types.iter().any(|t| t == "null")
                && let Some(t) = types.iter().find(|t| *t != "null").cloned()
            {
                if input {
                    m.insert("type".into(), t);
                } else {
                    m.remove("type");
                    m.insert("anyOf".into(), json!([{"type": t}, {"type": "null"}]));
                }
            }
            // schemars' integer formats (`uint`, `uint32`, …) are not JSON
            // Schema formats; validators warn about them.
            if m.get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("uint") || f.starts_with("int"))
            {
                m.remove("format");
            }
            for child in m.values_mut() {
                portable(child, input);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| portable(i, input)),
        _ => {}
    }
}

/// The input schema of an argument type, as a plain object schema.
fn input<T: schemars::JsonSchema>() -> Map<String, Value> {
    let schema = schemars::schema_for!(T);
    let mut v = serde_json::to_value(schema).unwrap_or(Value::Null);
    portable(&mut v, true);
    let mut m = match v {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    // The tool's description says what it is; the type's name adds nothing.
    m.remove("title");
    m
}

fn nullable(t: &str) -> Value {
    json!({"type": [t, "null"]})
}

fn source_schema() -> Value {
    json!({
        "type": ["object", "null"],
        "description": "Where a value came from: the layer, and the file and line that set it (null for run-time layers and presets).",
        "required": ["layer"],
        "properties": {
            "layer": {"type": "string"},
            "path": nullable("string"),
            "line": {"type": ["integer", "null"], "minimum": 1},
        },
    })
}

fn route_schema() -> Value {
    json!({
        "type": "object",
        "required": ["provider", "model", "inherit", "provider_source", "model_source"],
        "properties": {
            "provider": nullable("string"),
            "model": nullable("string"),
            "inherit": {"type": "boolean"},
            "provider_source": source_schema(),
            "model_source": source_schema(),
            "trusted": nullable("boolean"),
        },
    })
}

fn fallbacks_schema() -> Value {
    json!({
        "type": "array",
        "items": {
            "type": "object",
            "required": ["model"],
            "properties": {"provider": nullable("string"), "model": {"type": "string"}},
        },
    })
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "help": nullable("string"),
            "diagnostics": {"type": "array", "items": {"type": "object"}},
        },
    })
}

fn list_agents_output() -> Value {
    json!({
        "type": "object",
        "required": ["agents", "generation", "summary"],
        "properties": {
            "agents": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "description", "role", "route", "fallbacks", "tools", "stale"],
                    "properties": {
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "role": nullable("string"),
                        "scope": {"type": "string"},
                        "path": {"type": "string"},
                        "route": route_schema(),
                        "fallbacks": fallbacks_schema(),
                        "tools": {
                            "description": "null: the parent's tools; \"*\": every tool.",
                            "anyOf": [
                                {"type": "null"},
                                {"const": "*"},
                                {"type": "array", "items": {"type": "string"}},
                            ],
                        },
                        "stale": {"type": "boolean"},
                    },
                },
            },
            "generation": {"type": "integer", "minimum": 0, "description": "The live plan's generation: one more for each reload."},
            "summary": {
                "type": "object",
                "required": ["agents", "errors", "warnings"],
                "properties": {
                    "agents": {"type": "integer", "minimum": 0},
                    "errors": {"type": "integer", "minimum": 0},
                    "warnings": {"type": "integer", "minimum": 0},
                },
            },
        },
    })
}

fn route_output() -> Value {
    json!({
        "type": "object",
        "required": ["agent", "route", "fallbacks", "layers", "decided_by"],
        "properties": {
            "agent": {"type": "string"},
            "route": route_schema(),
            "fallbacks": fallbacks_schema(),
            "layers": {
                "type": "array",
                "description": "The compiled layers that decided the planned route, then the run-time layers given (parent, call, task), lowest first.",
                "items": {
                    "type": "object",
                    "required": ["layer", "provider", "model", "path", "line"],
                    "properties": {
                        "layer": {"type": "string"},
                        "provider": nullable("string"),
                        "model": nullable("string"),
                        "path": nullable("string"),
                        "line": {"type": ["integer", "null"], "minimum": 1},
                    },
                },
            },
            "decided_by": {
                "type": "object",
                "description": "The layer that chose the provider and the one that chose the model.",
                "properties": {"provider": nullable("string"), "model": nullable("string")},
            },
            "stale": {"type": "boolean"},
        },
    })
}

fn check_output() -> Value {
    crate::render::schema::schema_json("diagnostics")
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({"type": "object"}))
}

/// A task's result: `agentc run --format json`'s object, with the answer's
/// length and whether it was cut (and, in a batch, the task's index).
fn report_schema(batch: bool) -> Value {
    let target = json!({
        "type": ["object", "null"],
        "required": ["provider", "model"],
        "properties": {"provider": {"type": "string"}, "model": {"type": "string"}},
    });
    let mut required = vec![
        "agent",
        "status",
        "planned",
        "route",
        "attempts",
        "output",
        "output_bytes",
        "output_truncated",
        "usage",
        "error",
    ];
    if batch {
        required.push("index");
    }
    let mut v = json!({
        "type": "object",
        "required": required,
        "properties": {
            "agent": nullable("string"),
            "status": {"enum": ["ok", "error", "cancelled"]},
            "planned": target.clone(),
            "route": target,
            "attempts": {
                "type": "array",
                "description": "Every request sent, in order: the primary route, then each fallback tried.",
                "items": {
                    "type": "object",
                    "required": ["provider", "model", "status", "http_status", "error"],
                    "properties": {
                        "provider": {"type": "string"},
                        "model": {"type": "string"},
                        "status": {"enum": ["ok", "error"]},
                        "http_status": {"type": ["integer", "null"]},
                        "error": nullable("string"),
                    },
                },
            },
            "output": {"type": ["string", "null"], "description": "The answer; longer than the server's --max-output it is cut and ends with an `[agentc: answer cut at …]` marker."},
            "output_bytes": {"type": "integer", "minimum": 0, "description": "The full answer's length in bytes."},
            "output_truncated": {"type": "boolean"},
            "usage": {"type": ["object", "null"]},
            "error": {"anyOf": [{"type": "null"}, error_schema()]},
        },
    });
    if batch {
        v["properties"]["index"] = json!({"type": "integer", "minimum": 0});
    }
    v
}
