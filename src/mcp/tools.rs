//! What each tool does, apart from the protocol: every call reads the
//! latest generation of the live plan, so an edit applies to the next call.
//! `delegate` and `delegate_batch` hand their tasks to the same
//! [`Executor`] as `agentc run` (call layer = the top-level overrides, task
//! layer = each task's), one executor per plan generation.

use crate::discover::Env;
use crate::exec::run::{Batch, Executor, Observer, Report, RunError, RunOptions, Target, Task};
use crate::route::plan::PlanAgent;
use crate::route::router::{Override, Provenance, Request, Router};
use crate::watch::LivePlan;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::watch;

/// The default cap on an answer's text in a tool result, in bytes.
pub const DEFAULT_MAX_OUTPUT: usize = 64 * 1024;

/// How the tools run: where the project is, and the server's flags.
#[derive(Clone, Debug)]
pub struct ToolSettings {
    /// The project root; agent files and `check` paths are read from here.
    pub project_root: PathBuf,
    /// The user scope's folder, when it is read.
    pub user_dir: Option<PathBuf>,
    /// The parent session's route (`--parent`), for agents that inherit.
    pub parent: Option<String>,
    /// Requests in flight at once across providers (`--jobs`).
    pub jobs: usize,
    /// An answer longer than this many bytes is cut, with a marker.
    pub max_output: usize,
    /// The process's working directory and user directory, as `check` reads them.
    pub env: Env,
}

/// A tool's answer: the structured result, and whether it is a tool error
/// (the call was understood and failed: the result says why).
#[derive(Clone, Debug, PartialEq)]
pub struct ToolOutput {
    pub value: Value,
    pub is_error: bool,
}

impl ToolOutput {
    fn ok(value: Value) -> ToolOutput {
        ToolOutput {
            value,
            is_error: false,
        }
    }

    fn error(value: Value) -> ToolOutput {
        ToolOutput {
            value,
            is_error: true,
        }
    }

    /// A request the tool cannot take at all (bad arguments).
    pub fn invalid(code: &str, message: impl Into<String>) -> ToolOutput {
        ToolOutput::error(json!({"error": {
            "code": code,
            "message": message.into(),
            "help": null,
            "diagnostics": [],
        }}))
    }
}

/// `route`'s arguments.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteArgs {
    /// The agent's name, as `list_agents` shows it.
    pub agent: String,
    /// The `call` layer's model: `provider/model`, an alias from `[models]`, a bare model id or `inherit`.
    pub model: Option<String>,
    /// The `call` layer's provider id.
    pub provider: Option<String>,
    /// The `task` layer's model (one task of a batch; beats the call layer).
    pub task_model: Option<String>,
    /// The `task` layer's provider id.
    pub task_provider: Option<String>,
}

/// `check`'s arguments.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckArgs {
    /// Files or folders to check, relative to the server's working directory. Absent or empty: the live project and the user scope, as `agentc check` with no path.
    pub paths: Option<Vec<String>>,
}

/// `delegate`'s arguments.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegateArgs {
    /// The agent to run.
    pub agent: String,
    /// The task for the agent: its user message.
    pub prompt: String,
    /// The `call` layer's model: `provider/model`, an alias from `[models]` or a bare model id.
    pub model: Option<String>,
    /// The `call` layer's provider id.
    pub provider: Option<String>,
}

/// One task of `delegate_batch`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchTaskArgs {
    /// The agent to run.
    pub agent: String,
    /// The task for the agent.
    pub prompt: String,
    /// The `task` layer's model.
    pub model: Option<String>,
    /// The `task` layer's provider id.
    pub provider: Option<String>,
}

/// `delegate_batch`'s arguments, the `delegate_task` shape.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegateBatchArgs {
    /// The `call` layer's model, for every task.
    pub model: Option<String>,
    /// The `call` layer's provider id, for every task.
    pub provider: Option<String>,
    /// The tasks, run concurrently; one result each, in this order.
    pub tasks: Vec<BatchTaskArgs>,
}

/// What a run reports while it goes, in words: one line per attempt
/// started, fallback and task finished.
pub trait Progress: Send + Sync {
    fn message(&self, text: String);
}

impl Progress for () {
    fn message(&self, _text: String) {}
}

/// The tools over a live plan.
pub struct Tools {
    plan: watch::Receiver<Arc<LivePlan>>,
    settings: ToolSettings,
    /// The executor of the latest generation used, by generation number.
    executor: Mutex<Option<(u64, Arc<Executor>)>>,
}

impl Tools {
    pub fn new(plan: watch::Receiver<Arc<LivePlan>>, settings: ToolSettings) -> Tools {
        Tools {
            plan,
            settings,
            executor: Mutex::new(None),
        }
    }

    pub fn settings(&self) -> &ToolSettings {
        &self.settings
    }

    /// The latest generation of the live plan.
    pub fn current(&self) -> Arc<LivePlan> {
        self.plan.borrow().clone()
    }

    /// A receiver that sees every later generation.
    pub fn subscribe(&self) -> watch::Receiver<Arc<LivePlan>> {
        self.plan.clone()
    }

    /// The executor over the latest generation. A task keeps the executor it
    /// started with; the next call gets the next generation's.
    pub fn executor(&self) -> Arc<Executor> {
        let live = self.current();
        let mut slot = self.executor.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((generation, exec)) = slot.as_ref()
            && *generation == live.generation
        {
            return exec.clone();
        }
        let exec = Arc::new(
            Executor::new(
                Router::new(live.plan.clone()),
                self.settings.project_root.clone(),
                self.settings.user_dir.clone(),
            )
            .with_jobs(self.settings.jobs),
        );
        *slot = Some((live.generation, exec.clone()));
        exec
    }

    /// `list_agents`: every agent of the live plan with its route.
    pub fn list_agents(&self) -> ToolOutput {
        let live = self.current();
        let summary = live.findings.summary();
        ToolOutput::ok(json!({
            "agents": live.plan.agents.iter().map(|a| agent_json(a)).collect::<Vec<_>>(),
            "generation": live.generation,
            "summary": {
                "agents": live.plan.agents.len(),
                "errors": summary.errors,
                "warnings": summary.warnings,
            },
        }))
    }

    /// `route`: one agent's route with the call and task overrides, or the
    /// findings that say why it cannot be resolved.
    pub fn route(&self, args: &RouteArgs) -> ToolOutput {
        let live = self.current();
        let router = Router::new(live.plan.clone());
        let request = Request {
            agent: &args.agent,
            parent: self.settings.parent.as_deref(),
            call: Override {
                provider: args.provider.as_deref(),
                model: args.model.as_deref(),
            },
            task: Override {
                provider: args.task_provider.as_deref(),
                model: args.task_model.as_deref(),
            },
        };
        match router.resolve(&request) {
            Ok(route) => {
                let mut layers = Vec::new();
                let mut push =
                    |layer: &str,
                     provider: Option<&str>,
                     model: Option<&str>,
                     src: Option<&crate::route::plan::PlanSource>| {
                        layers.push(json!({
                            "layer": layer,
                            "provider": provider,
                            "model": model,
                            "path": src.and_then(|s| s.path.clone()),
                            "line": src.and_then(|s| s.line),
                        }));
                    };
                // The compiled layers that decided, as the plan records them.
                let planned = &route.agent.route;
                let (ps, ms) = (&planned.provider_source, &planned.model_source);
                match (ps, ms) {
                    // One layer set both: one entry, at the model's line
                    // (as `agentc route` shows it).
                    (Some(p), Some(m)) if p.layer == m.layer && p.path == m.path => push(
                        &m.layer,
                        planned.provider.as_deref(),
                        planned.model.as_deref(),
                        Some(m),
                    ),
                    _ => {
                        if let Some(p) = ps {
                            push(&p.layer, planned.provider.as_deref(), None, Some(p));
                        }
                        if let Some(m) = ms {
                            push(&m.layer, None, planned.model.as_deref(), Some(m));
                        }
                    }
                }
                // Then the run-time layers given with this request.
                if let Some(p) = &self.settings.parent {
                    push("parent", None, Some(p), None);
                }
                for (layer, provider, model) in [
                    ("call", &args.provider, &args.model),
                    ("task", &args.task_provider, &args.task_model),
                ] {
                    if provider.is_some() || model.is_some() {
                        push(layer, provider.as_deref(), model.as_deref(), None);
                    }
                }
                let decided =
                    |p: &Option<Provenance<'_>>| p.as_ref().map(|p| p.layer().to_string());
                ToolOutput::ok(json!({
                    "agent": route.agent.name,
                    "route": serde_json::to_value(route.to_plan_route()).unwrap_or(Value::Null),
                    "fallbacks": serde_json::to_value(route.fallbacks).unwrap_or(Value::Null),
                    "layers": layers,
                    "decided_by": {
                        "provider": decided(&route.provider_source),
                        "model": decided(&route.model_source),
                    },
                    "stale": route.agent.stale,
                }))
            }
            Err(diagnostics) => ToolOutput::error(json!({
                "error": RunError::route(diagnostics).to_json(),
            })),
        }
    }

    /// `check`: the diagnostics object of `check --format json`, for the
    /// live project or for the paths given.
    pub fn check(&self, args: &CheckArgs) -> ToolOutput {
        let paths = args.paths.clone().unwrap_or_default();
        let text = if paths.is_empty() {
            let live = self.current();
            crate::render::json::render(&live.findings.report())
        } else {
            match crate::cli::check::json_for_paths(&self.settings.env, &paths) {
                Ok(t) => t,
                Err(e) => return ToolOutput::invalid("invalid-path", e.to_string()),
            }
        };
        match serde_json::from_str(&text) {
            Ok(v) => ToolOutput::ok(v),
            Err(e) => ToolOutput::invalid("internal", e.to_string()),
        }
    }

    /// `delegate`: one task, run as `agentc run AGENT PROMPT` runs it.
    pub async fn delegate(
        &self,
        args: DelegateArgs,
        progress: &dyn Progress,
        cancel: impl Future<Output = ()>,
    ) -> ToolOutput {
        let exec = self.executor();
        let mut task = Task::new(args.agent, args.prompt);
        task.parent = self.settings.parent.clone();
        task.call.provider = args.provider;
        task.call.model = args.model;
        let observer = Narrator {
            progress,
            agents: vec![task.agent.clone()],
            batch: false,
        };
        let report = tokio::select! {
            biased;
            () = cancel => {
                let mut r = Report::new(0, Some(&task.agent));
                r.status = crate::exec::run::Status::Cancelled;
                r.error = Some(RunError::new("cancelled", "the client cancelled the call"));
                r
            }
            r = exec.run(&task, RunOptions::default(), &observer) => r,
        };
        let failed = !report.succeeded();
        let value = self.report_json(&report, None);
        if failed {
            ToolOutput::error(value)
        } else {
            ToolOutput::ok(value)
        }
    }

    /// `delegate_batch`: every task concurrently, one result per task in
    /// order, whatever happens to the others.
    pub async fn delegate_batch(
        &self,
        arguments: &Map<String, Value>,
        progress: &dyn Progress,
        cancel: impl Future<Output = ()>,
    ) -> ToolOutput {
        let text = Value::Object(arguments.clone()).to_string();
        let batch = match Batch::parse(&text, self.settings.parent.as_deref()) {
            Ok(b) => b,
            Err(e) => return ToolOutput::invalid("invalid-batch", e.to_string()),
        };
        let exec = self.executor();
        let agents = batch
            .tasks
            .iter()
            .map(|t| t.as_ref().map_or(String::new(), |t| t.agent.clone()))
            .collect();
        let collector = Collector {
            narrator: Narrator {
                progress,
                agents,
                batch: true,
            },
            reports: Mutex::new(vec![None; batch.tasks.len()]),
        };
        let summary = exec
            .run_batch(&batch, RunOptions::default(), cancel, &collector)
            .await;
        let reports = collector
            .reports
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let results: Vec<Value> = reports
            .iter()
            .enumerate()
            .map(|(i, r)| match r {
                Some(r) => self.report_json(r, Some(i)),
                // run_batch reports every task; this is never reached.
                None => json!({"index": i, "status": "error"}),
            })
            .collect();
        ToolOutput::ok(json!({
            "results": results,
            "summary": {
                "ok": summary.ok,
                "failed": summary.failed,
                "cancelled": summary.cancelled,
            },
        }))
    }

    /// A task's report as `agentc run --format json` prints it, with the
    /// answer capped at `max_output` bytes.
    fn report_json(&self, report: &Report, index: Option<usize>) -> Value {
        let mut v = report.to_json();
        let (output, truncated, bytes) = cap(report.output.as_deref(), self.settings.max_output);
        v["output"] = output.map_or(Value::Null, Value::String);
        v["output_bytes"] = bytes.into();
        v["output_truncated"] = truncated.into();
        if let Some(i) = index {
            v["index"] = i.into();
        }
        v
    }
}

/// An answer longer than `max` bytes, cut at a character boundary with a
/// marker that says so: (text, cut, the answer's full length in bytes).
pub fn cap(output: Option<&str>, max: usize) -> (Option<String>, bool, usize) {
    let Some(text) = output else {
        return (None, false, 0);
    };
    if text.len() <= max {
        return (Some(text.to_string()), false, text.len());
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = format!(
        "{}\n\n[agentc: answer cut at {end} of {} bytes (agentc mcp --max-output)]",
        &text[..end],
        text.len()
    );
    (Some(cut), true, text.len())
}

/// One agent as `list_agents` shows it.
pub fn agent_json(a: &PlanAgent) -> Value {
    json!({
        "name": a.name,
        "description": a.description,
        "role": a.role,
        "scope": serde_json::to_value(a.scope).unwrap_or(Value::Null),
        "path": a.path,
        "route": serde_json::to_value(&a.route).unwrap_or(Value::Null),
        "fallbacks": serde_json::to_value(&a.fallbacks).unwrap_or(Value::Null),
        "tools": serde_json::to_value(&a.tools).unwrap_or(Value::Null),
        "stale": a.stale,
    })
}

/// Turns the executor's events into progress lines.
struct Narrator<'a> {
    progress: &'a dyn Progress,
    agents: Vec<String>,
    batch: bool,
}

impl Narrator<'_> {
    fn who(&self, index: usize) -> String {
        let agent = self.agents.get(index).map_or("", String::as_str);
        if self.batch {
            format!("task {index} ({agent})")
        } else {
            agent.to_string()
        }
    }
}

impl Observer for Narrator<'_> {
    fn attempt_started(&self, index: usize, target: &Target) {
        self.progress
            .message(format!("{}: sending to {target}", self.who(index)));
    }

    fn fallback(&self, index: usize, failed: &crate::exec::run::Attempt, next: &Target, why: &str) {
        self.progress.message(format!(
            "{}: {}/{} failed ({why}); falling back to {next}",
            self.who(index),
            failed.provider,
            failed.model
        ));
    }

    fn finished(&self, report: &Report) {
        let text = match (&report.error, &report.route) {
            (None, Some(r)) => format!("{}: answered by {r}", self.who(report.index)),
            (Some(e), _) => format!(
                "{}: {} [{}]: {}",
                self.who(report.index),
                report.status.as_str(),
                e.code,
                e.message
            ),
            (None, None) => format!("{}: {}", self.who(report.index), report.status.as_str()),
        };
        self.progress.message(text);
    }
}

/// Keeps each task's report, by index, and narrates.
struct Collector<'a> {
    narrator: Narrator<'a>,
    reports: Mutex<Vec<Option<Report>>>,
}

impl Observer for Collector<'_> {
    fn attempt_started(&self, index: usize, target: &Target) {
        self.narrator.attempt_started(index, target);
    }

    fn fallback(&self, index: usize, failed: &crate::exec::run::Attempt, next: &Target, why: &str) {
        self.narrator.fallback(index, failed, next, why);
    }

    fn finished(&self, report: &Report) {
        if let Some(slot) = self
            .reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(report.index)
        {
            *slot = Some(report.clone());
        }
        self.narrator.finished(report);
    }
}
