//! The reference executor (`agentc run`, DESIGN §10): resolves a task's
//! route with the [`Router`], reads the agent's system prompt from its
//! file, and calls the provider's OpenAI-compatible chat completions
//! endpoint, following the fallback chain on connection errors, timeouts,
//! 5xx and 429 only. Every attempt is reported; nothing switches silently.
//! A batch runs its tasks concurrently within `--jobs` and each provider's
//! `max_concurrency`.
//!
//! One HTTP client per provider (connections are reused across tasks), the
//! provider's key read from the variable named by `api_key_env` and sent as
//! a bearer token, never shown.
//!
//! ```no_run
//! use agentc::run::{Executor, Quiet, RunOptions, Task};
//!
//! # async fn example() -> std::io::Result<()> {
//! // Compile the project's plan and build the executor over it.
//! let (executor, _findings) = Executor::from_project(std::path::Path::new("."), None)?;
//! let executor = executor.with_jobs(4);
//!
//! // One task, as `invoke_subagent(agent="explore", model="smart")` would.
//! let mut task = Task::new("explore", "Where is the config loaded?");
//! task.call.model = Some("smart".into());
//! let report = executor.run(&task, RunOptions::default(), &Quiet).await;
//! match &report.error {
//!     None => println!("{}", report.output.as_deref().unwrap_or("")),
//!     Some(e) => eprintln!("{}: {}", e.code, e.message),
//! }
//! // Which routes were tried, in order, and what each did.
//! for a in &report.attempts {
//!     eprintln!("{}/{}: {:?}", a.provider, a.model, a.error);
//! }
//! # Ok(())
//! # }
//! ```

pub mod batch;
pub(crate) mod chat;
pub(crate) mod sse;

pub use batch::{Batch, BatchError, BatchSummary};

use crate::diagnostic::Diagnostic;
use crate::model::agent::Params;
use crate::route::plan::{PlanAgent, PlanProvider};
use crate::route::router::{Override, Request, Router};
use crate::source::split;
use chat::{Answer, ApiKey, ChatRequest, Failure};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;

/// An attempt's time limit when the agent sets no `timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// How long to wait for a connection before the provider counts as down.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests in flight at once, across providers, unless set otherwise.
pub const DEFAULT_JOBS: usize = 8;
/// The largest agent file read for its system prompt.
const MAX_AGENT_FILE: u64 = 16 * 1024 * 1024;

/// A provider and a model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub provider: String,
    pub model: String,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.provider, self.model)
    }
}

impl Target {
    pub fn new(provider: &str, model: &str) -> Target {
        Target {
            provider: provider.to_string(),
            model: model.to_string(),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"provider": self.provider, "model": self.model})
    }
}

/// A call's or a task's `provider`/`model`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteOverride {
    pub provider: Option<String>,
    pub model: Option<String>,
}

impl RouteOverride {
    fn as_override(&self) -> Override<'_> {
        Override {
            provider: self.provider.as_deref(),
            model: self.model.as_deref(),
        }
    }
}

/// One sub-agent to open: the agent, the prompt, and the run-time layers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Task {
    pub agent: String,
    pub prompt: String,
    /// The parent session's route, `provider/model` or an alias.
    pub parent: Option<String>,
    /// The `call` layer (`invoke_subagent(model=…)`, a batch's top level).
    pub call: RouteOverride,
    /// The `task` layer (`tasks[i].model`).
    pub task: RouteOverride,
}

impl Task {
    pub fn new(agent: impl Into<String>, prompt: impl Into<String>) -> Task {
        Task {
            agent: agent.into(),
            prompt: prompt.into(),
            ..Task::default()
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Ask for a streamed answer and hand each piece to
    /// [`Observer::output`] as it arrives.
    pub stream: bool,
}

/// How a task ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Error,
    /// Stopped by the caller (Ctrl-C in `agentc run --batch`).
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Cancelled => "cancelled",
        }
    }
}

/// One request to one route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub provider: String,
    pub model: String,
    pub ok: bool,
    /// The status the server answered with; `None` when it did not answer.
    pub http_status: Option<u16>,
    pub error: Option<String>,
}

impl Attempt {
    pub fn target(&self) -> Target {
        Target::new(&self.provider, &self.model)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "provider": self.provider,
            "model": self.model,
            "status": if self.ok { "ok" } else { "error" },
            "http_status": self.http_status,
            "error": self.error,
        })
    }
}

/// Why no route answered: every attempt as `provider/model (error)`.
pub fn unavailable_message(who: &str, attempts: &[Attempt]) -> String {
    let list: Vec<String> = attempts
        .iter()
        .map(|a| {
            format!(
                "{}/{} ({})",
                a.provider,
                a.model,
                a.error.as_deref().unwrap_or("failed")
            )
        })
        .collect();
    format!("no route of `{who}` answered: {}", list.join(", "))
}

/// Why a task failed: a stable code, a message, a help line, and for a
/// route that cannot be resolved the router's findings.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// `unknown-agent`, `override-not-allowed`, … (the findings' codes),
    /// `invalid-task`, `no-route`, `untrusted-provider`,
    /// `missing-credential`, `unsupported-provider`, `agent-file`,
    /// `prompt-changed`, `http-client`, `unavailable`, `request-rejected`,
    /// `invalid-response`, `interrupted`, `cancelled`.
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl RunError {
    pub fn new(code: &'static str, message: impl Into<String>) -> RunError {
        RunError {
            code,
            message: message.into(),
            help: None,
            diagnostics: Vec::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> RunError {
        self.help = Some(help.into());
        self
    }

    /// A route the router could not resolve: the first finding's code,
    /// message and help, and every finding.
    pub fn route(diagnostics: Vec<Diagnostic>) -> RunError {
        let first = diagnostics.first();
        RunError {
            code: first.map_or("unknown-agent", |d| d.rule.code()),
            message: first.map_or_else(
                || "the route cannot be resolved".into(),
                |d| d.message.clone(),
            ),
            help: first.and_then(|d| d.help.clone()),
            diagnostics,
        }
    }

    pub fn to_json(&self) -> Value {
        let sources = crate::source::SourceMap::default();
        let diagnostics: Vec<Value> = self
            .diagnostics
            .iter()
            .map(|d| {
                // The router's findings are about the request, not a file.
                let mut d = d.clone();
                d.span = None;
                d.labels.clear();
                d.fix = None;
                serde_json::to_value(crate::render::json::diagnostic_json(&d, &sources))
                    .unwrap_or(Value::Null)
            })
            .collect();
        json!({
            "code": self.code,
            "message": self.message,
            "help": self.help,
            "diagnostics": diagnostics,
        })
    }
}

/// What a task did: the route planned, the route that answered (or the
/// last one tried), every attempt in order, and the answer or the error.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The task's position in its batch (0 for a single run).
    pub index: usize,
    pub agent: Option<String>,
    pub status: Status,
    /// The resolved primary route.
    pub planned: Option<Target>,
    /// The route that produced the answer; for a failed run, the last one
    /// tried.
    pub route: Option<Target>,
    pub attempts: Vec<Attempt>,
    /// The answer; for a failed run, what arrived before the failure, if
    /// anything.
    pub output: Option<String>,
    /// The server's token counts, as it sent them.
    pub usage: Option<Value>,
    pub error: Option<RunError>,
}

impl Report {
    /// The report of task `index` before anything has run: an error with no
    /// route, attempts or output yet.
    pub fn new(index: usize, agent: Option<&str>) -> Report {
        Report {
            index,
            agent: agent.map(str::to_string),
            status: Status::Error,
            planned: None,
            route: None,
            attempts: Vec::new(),
            output: None,
            usage: None,
            error: None,
        }
    }

    pub fn succeeded(&self) -> bool {
        self.status == Status::Ok
    }

    /// The JSON of `agentc run --format json` (a batch line adds `index`).
    pub fn to_json(&self) -> Value {
        json!({
            "agent": self.agent,
            "status": self.status.as_str(),
            "planned": self.planned.as_ref().map(Target::to_json),
            "route": self.route.as_ref().map(Target::to_json),
            "attempts": self.attempts.iter().map(Attempt::to_json).collect::<Vec<_>>(),
            "output": self.output,
            "usage": self.usage,
            "error": self.error.as_ref().map(RunError::to_json),
        })
    }
}

/// Hooks into a run, for progress and streaming. Every method has an empty
/// default; [`Quiet`] implements none.
pub trait Observer: Sync {
    /// A request is about to be sent (its concurrency permits are held).
    fn attempt_started(&self, _index: usize, _target: &Target) {}
    /// A request ended, well or not.
    fn attempt_finished(&self, _index: usize, _attempt: &Attempt) {}
    /// The route of `failed` is unavailable and `next` is tried instead.
    fn fallback(&self, _index: usize, _failed: &Attempt, _next: &Target, _why: &str) {}
    /// A piece of a streamed answer.
    fn output(&self, _index: usize, _piece: &str) {}
    /// A task ended; its report is final.
    fn finished(&self, _report: &Report) {}
}

/// An observer that observes nothing.
pub struct Quiet;

impl Observer for Quiet {}

/// Where agent files are: plan paths are relative to the project root or
/// start with `$AGENTC_USER_DIR/`.
#[derive(Clone, Debug)]
struct AgentFiles {
    root: PathBuf,
    user_dir: Option<PathBuf>,
}

impl AgentFiles {
    fn path(&self, plan_path: &str) -> Option<PathBuf> {
        match plan_path.strip_prefix(crate::source::USER_DIR_VAR) {
            Some(rest) => Some(self.user_dir.as_ref()?.join(rest.trim_start_matches('/'))),
            None => Some(self.root.join(plan_path)),
        }
    }
}

struct ProviderSlot {
    client: OnceLock<Result<reqwest::Client, String>>,
    /// `max_concurrency`, when the provider sets it.
    limit: Option<Semaphore>,
}

type KeySource = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The executor: a router over a compiled plan, one HTTP client per
/// provider, and the concurrency limits. Share it by reference; it runs any
/// number of tasks at once.
pub struct Executor {
    router: Router,
    files: AgentFiles,
    providers: HashMap<String, ProviderSlot>,
    jobs: Semaphore,
    keys: KeySource,
    default_timeout: Duration,
    prompts: Mutex<HashMap<String, Result<Arc<str>, RunError>>>,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("files", &self.files)
            .field("jobs", &self.jobs.available_permits())
            .field("default_timeout", &self.default_timeout)
            .finish_non_exhaustive()
    }
}

impl Executor {
    /// An executor over `router`'s plan; agent files are read below
    /// `project_root` (and `user_dir` for user agents). Keys come from the
    /// process environment.
    pub fn new(
        router: Router,
        project_root: impl Into<PathBuf>,
        user_dir: Option<PathBuf>,
    ) -> Executor {
        let providers = router
            .plan()
            .providers
            .iter()
            .map(|p| {
                let slot = ProviderSlot {
                    client: OnceLock::new(),
                    limit: p
                        .max_concurrency
                        .map(|n| Semaphore::new(usize::try_from(n).unwrap_or(usize::MAX).max(1))),
                };
                (p.id.clone(), slot)
            })
            .collect();
        Executor {
            router,
            files: AgentFiles {
                root: project_root.into(),
                user_dir,
            },
            providers,
            jobs: Semaphore::new(DEFAULT_JOBS),
            keys: Box::new(|var| std::env::var(var).ok()),
            default_timeout: DEFAULT_TIMEOUT,
            prompts: Mutex::new(HashMap::new()),
        }
    }

    /// Loads and compiles the project at `dir` (with the user scope at
    /// `user_dir`, if any). The load's findings come back with it; agents
    /// with errors are not in the plan.
    pub fn from_project(
        dir: &Path,
        user_dir: Option<&Path>,
    ) -> std::io::Result<(Executor, Vec<Diagnostic>)> {
        let (router, findings) = Router::from_project(dir, user_dir)?;
        Ok((
            Executor::new(router, dir, user_dir.map(Path::to_path_buf)),
            findings,
        ))
    }

    /// At most `n` requests in flight at once, whatever the providers.
    pub fn with_jobs(mut self, n: usize) -> Executor {
        self.jobs = Semaphore::new(n.max(1));
        self
    }

    /// Where keys come from, by variable name (default: the environment).
    pub fn with_keys(
        mut self,
        keys: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Executor {
        self.keys = Box::new(keys);
        self
    }

    /// The time limit of an attempt whose agent sets no `timeout`.
    pub fn with_default_timeout(mut self, timeout: Duration) -> Executor {
        self.default_timeout = timeout;
        self
    }

    pub fn router(&self) -> &Router {
        &self.router
    }

    /// The agent's system prompt: the body of its file, CRLF read as LF,
    /// surrounding blank space removed. The file must still be the one the
    /// plan was compiled from (`prompt_sha256`).
    pub fn system_prompt(&self, agent: &PlanAgent) -> Result<Arc<str>, RunError> {
        if let Ok(cache) = self.prompts.lock()
            && let Some(p) = cache.get(&agent.name)
        {
            return p.clone();
        }
        let result = self.read_prompt(agent);
        if let Ok(mut cache) = self.prompts.lock() {
            cache.insert(agent.name.clone(), result.clone());
        }
        result
    }

    fn read_prompt(&self, agent: &PlanAgent) -> Result<Arc<str>, RunError> {
        let unreadable = |why: String| {
            RunError::new(
                "agent-file",
                format!(
                    "cannot read the system prompt of `{}` from `{}`: {why}",
                    agent.name, agent.path
                ),
            )
        };
        let path = self
            .files
            .path(&agent.path)
            .ok_or_else(|| unreadable("no user directory is known".into()))?;
        let bytes = crate::fsutil::read_bounded(&path, MAX_AGENT_FILE)
            .map_err(|e| unreadable(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| unreadable("not UTF-8".into()))?;
        let changed = || {
            RunError::new(
                "prompt-changed",
                format!("`{}` changed since the plan was compiled", agent.path),
            )
            .with_help("compile the plan again (`agentc plan --out FILE`), or run from the project")
        };
        let fm = split::split(&text).map_err(|_| changed())?;
        let body = &text[fm.body];
        if crate::model::agent::prompt_sha256(body) != agent.prompt_sha256 {
            return Err(changed());
        }
        Ok(Arc::from(body.replace("\r\n", "\n").trim()))
    }

    fn client(&self, provider: &PlanProvider) -> Result<&reqwest::Client, RunError> {
        let slot = self.providers.get(&provider.id).ok_or_else(|| {
            RunError::new(
                "unknown-provider",
                format!("unknown provider `{}`", provider.id),
            )
        })?;
        slot.client
            .get_or_init(|| {
                let mut b = crate::http::client_builder().connect_timeout(CONNECT_TIMEOUT);
                let loopback = provider
                    .base_url
                    .as_ref()
                    .is_some_and(crate::model::config::BaseUrl::is_loopback);
                if loopback {
                    // A proxy from the environment must not see local traffic.
                    b = b.no_proxy();
                }
                b.build().map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| {
                RunError::new(
                    "http-client",
                    format!("cannot set up an HTTP client for `{}`: {e}", provider.id),
                )
            })
    }

    /// Runs one task to its end: the primary route, then the fallback
    /// chain while routes are unavailable.
    pub async fn run(&self, task: &Task, options: RunOptions, observer: &dyn Observer) -> Report {
        let progress = Mutex::new(Progress::new(0, &task.agent));
        self.execute(0, task, options, observer, &progress).await
    }

    async fn execute(
        &self,
        index: usize,
        task: &Task,
        options: RunOptions,
        observer: &dyn Observer,
        progress: &Mutex<Progress>,
    ) -> Report {
        let result = self
            .execute_inner(index, task, options, observer, progress)
            .await;
        let report = {
            let mut p = lock(progress);
            match result {
                Ok(()) => p.report.status = Status::Ok,
                Err(e) => {
                    p.report.status = Status::Error;
                    p.report.error = Some(e);
                }
            }
            p.report.clone()
        };
        observer.finished(&report);
        report
    }

    // Long: the fallback loop of one task; every exit writes the same report.
    async fn execute_inner(
        &self,
        index: usize,
        task: &Task,
        options: RunOptions,
        observer: &dyn Observer,
        progress: &Mutex<Progress>,
    ) -> Result<(), RunError> {
        let request = Request {
            agent: &task.agent,
            parent: task.parent.as_deref(),
            call: task.call.as_override(),
            task: task.task.as_override(),
        };
        let route = self.router.resolve(&request).map_err(RunError::route)?;
        let planned = match (route.provider, route.model) {
            (Some(p), Some(m)) => Target::new(p, m),
            (None, _) if route.inherit => {
                return Err(RunError::new(
                    "no-route",
                    format!(
                        "`{}` inherits the parent session's route, and none was given",
                        task.agent
                    ),
                )
                .with_help("pass the parent's route with `--parent PROVIDER/MODEL`"));
            }
            _ => {
                return Err(RunError::new(
                    "no-route",
                    format!(
                        "`{}` names no provider and model that agentc can call ({})",
                        task.agent,
                        crate::model::resolve::route_text(route.provider, route.model)
                    ),
                )
                .with_help(
                    "route the agent to a `provider/model`, or pass `--call-model PROVIDER/MODEL`",
                ));
            }
        };
        {
            let mut p = lock(progress);
            p.report.planned = Some(planned.clone());
            p.report.route = Some(planned.clone());
        }
        let agent = route.agent;
        let system = self.system_prompt(agent)?;
        let mut chain: Vec<Result<Target, String>> = vec![Ok(planned)];
        chain.extend(route.fallbacks.iter().map(|f| match &f.provider {
            Some(p) => Ok(Target::new(p, &f.model)),
            None => Err(f.model.clone()),
        }));
        let on_unavailable_fallback = self.router.plan().policy.on_unavailable == "fallback";
        let parent = task.parent.as_deref().and_then(|p| self.router.target(p));
        let mut tried: Vec<Target> = Vec::new();
        let mut last: Option<(Attempt, Failure)> = None;
        let mut i = 0;
        loop {
            let target = match chain.get(i) {
                Some(Ok(t)) => t.clone(),
                Some(Err(model)) => {
                    return Err(RunError::new(
                        "no-route",
                        format!("fallback `{model}` names no provider agentc can call"),
                    )
                    .with_help("write fallback entries as `provider/model` or an alias"));
                }
                None => match parent {
                    // The chain is exhausted: `on_unavailable = "fallback"`
                    // adds the parent session's route, once.
                    Some((p, m))
                        if on_unavailable_fallback
                            && i == chain.len()
                            && !tried.contains(&Target::new(p, m)) =>
                    {
                        Target::new(p, m)
                    }
                    _ => break,
                },
            };
            if let Some((failed, failure)) = &last {
                let why = if i >= chain.len() {
                    format!(
                        "{}; on_unavailable = \"fallback\": trying the parent session's route",
                        failure.message()
                    )
                } else {
                    failure.message()
                };
                observer.fallback(index, failed, &target, &why);
            }
            lock(progress).report.route = Some(target.clone());
            tried.push(target.clone());
            let mut answer = Answer::default();
            let outcome = self
                .attempt(
                    index,
                    &target,
                    &system,
                    task,
                    &agent.params,
                    options,
                    observer,
                    progress,
                    &mut answer,
                )
                .await;
            let mut p = lock(progress);
            if !answer.text.is_empty() || outcome.is_ok() {
                p.report.output = Some(std::mem::take(&mut answer.text));
            }
            p.report.usage = answer.usage.take();
            match outcome {
                Ok(()) => {
                    let attempt = Attempt {
                        provider: target.provider.clone(),
                        model: target.model.clone(),
                        ok: true,
                        http_status: answer.status,
                        error: None,
                    };
                    p.report.attempts.push(attempt.clone());
                    drop(p);
                    observer.attempt_finished(index, &attempt);
                    return Ok(());
                }
                Err(AttemptEnd::Refused(e)) => return Err(e),
                Err(AttemptEnd::Failed(failure)) => {
                    let answered = p.report.output.is_some();
                    let attempt = Attempt {
                        provider: target.provider.clone(),
                        model: target.model.clone(),
                        ok: false,
                        http_status: failure.http_status().or(answer.status),
                        error: Some(failure.message()),
                    };
                    p.report.attempts.push(attempt.clone());
                    drop(p);
                    observer.attempt_finished(index, &attempt);
                    if !failure.is_unavailable(answered) {
                        return Err(stopped(&target, &failure, answered));
                    }
                    last = Some((attempt, failure));
                }
            }
            i += 1;
        }
        let attempts = lock(progress).report.attempts.clone();
        let mut err = RunError::new("unavailable", unavailable_message(&task.agent, &attempts));
        if chain.len() == 1 && !on_unavailable_fallback {
            err = err.with_help(
                "start the provider, or give the agent a `fallback` chain (tried on connection errors, timeouts, 5xx and 429)",
            );
        } else if !on_unavailable_fallback && parent.is_some() {
            err = err.with_help(
                "with `[policy] on_unavailable = \"fallback\"` the parent session's route is tried when the chain is exhausted",
            );
        }
        Err(err)
    }

    /// One request to `target`, within its provider's and the global
    /// concurrency limits. The answer accumulates in `answer` even when the
    /// attempt fails part way.
    #[allow(clippy::too_many_arguments)]
    // Long: key, permits, request and stream of one attempt share their state.
    async fn attempt(
        &self,
        index: usize,
        target: &Target,
        system: &str,
        task: &Task,
        params: &Params,
        options: RunOptions,
        observer: &dyn Observer,
        progress: &Mutex<Progress>,
        answer: &mut Answer,
    ) -> Result<(), AttemptEnd> {
        let refuse = |e: RunError| Err(AttemptEnd::Refused(e));
        let Some(provider) = self.router.provider(&target.provider) else {
            return refuse(RunError::new(
                "unknown-provider",
                format!("unknown provider `{}`", target.provider),
            ));
        };
        if !provider.trusted {
            return refuse(
                RunError::new(
                    "untrusted-provider",
                    format!(
                        "provider `{}` ({}) is not trusted: the project's config would send `{}` to a host outside this machine",
                        provider.id,
                        provider.base_url.as_ref().map_or("no URL", |u| u.as_str()),
                        provider.api_key_env.as_deref().unwrap_or("a key"),
                    ),
                )
                .with_help(format!(
                    "review the `[providers.{}]` table, then run `agentc trust` to allow it",
                    provider.id
                )),
            );
        }
        let Some(base_url) = provider.base_url.as_ref() else {
            return refuse(
                RunError::new(
                    "config-invalid",
                    format!("provider `{}` has no usable `base_url`", provider.id),
                )
                .with_help("`agentc check` shows what is wrong with its table"),
            );
        };
        if provider.kind == "anthropic" {
            return refuse(
                RunError::new(
                    "unsupported-provider",
                    format!(
                        "provider `{}` speaks the Anthropic Messages API, which `agentc run` does not implement",
                        provider.id
                    ),
                )
                .with_help("route the agent to an OpenAI-compatible provider (`--call-model`), or run it from a harness that speaks the Messages API"),
            );
        }
        let key = match &provider.api_key_env {
            Some(var) => match (self.keys)(var).filter(|k| !k.trim().is_empty()) {
                Some(k) if !chat::header_safe(k.trim()) => {
                    return refuse(RunError::new(
                        "missing-credential",
                        format!(
                            "`{var}` is set but holds characters an HTTP header cannot carry: provider `{}` needs a usable API key",
                            provider.id
                        ),
                    ));
                }
                Some(k) => Some(ApiKey(k.trim().to_string())),
                None => {
                    return refuse(
                        RunError::new(
                            "missing-credential",
                            format!("`{var}` is not set: provider `{}` needs its API key", provider.id),
                        )
                        .with_help(format!(
                            "export {var}=… in the environment; a key never goes in agentc.toml or an agent file"
                        )),
                    );
                }
            },
            None => None,
        };
        let client = self.client(provider).map_err(AttemptEnd::Refused)?;
        // Provider first, then the global cap: a task waiting for a busy
        // provider holds no global slot that another provider could use.
        let limit = self
            .providers
            .get(&provider.id)
            .and_then(|s| s.limit.as_ref());
        let _provider_permit = match limit {
            Some(s) => s.acquire().await.ok(),
            None => None,
        };
        let _job_permit = self.jobs.acquire().await.ok();
        lock(progress).in_flight = Some(target.clone());
        observer.attempt_started(index, target);
        let request = ChatRequest {
            base_url,
            model: &target.model,
            system,
            prompt: &task.prompt,
            params,
            stream: options.stream,
        };
        let timeout = params
            .timeout_ms
            .map_or(self.default_timeout, Duration::from_millis);
        let mut on_delta = |piece: &str| observer.output(index, piece);
        let result = tokio::time::timeout(
            timeout,
            chat::complete(client, key.as_ref(), &request, answer, &mut on_delta),
        )
        .await;
        lock(progress).in_flight = None;
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(f)) => Err(AttemptEnd::Failed(f)),
            Err(_) => Err(AttemptEnd::Failed(Failure::Timeout(
                u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            ))),
        }
    }
}

/// The error of an attempt after which the chain is not followed.
fn stopped(target: &Target, failure: &Failure, answered: bool) -> RunError {
    match failure {
        _ if answered => RunError::new(
            "interrupted",
            format!("the answer from {target} broke off: {}", failure.message()),
        )
        .with_help("no fallback is tried once an answer has begun, so that answers are never mixed"),
        Failure::Status(s, _) => RunError::new(
            "request-rejected",
            format!("{target} rejected the request: {}", failure.message()),
        )
        .with_help(if *s == 401 || *s == 403 {
            "check the provider's API key; a 4xx other than 429 is not retried on a fallback"
        } else {
            "a 4xx other than 429 is an error in the request, not an outage: it is not retried on a fallback"
        }),
        Failure::Invalid(_) => RunError::new(
            "invalid-response",
            format!("{target} answered with something that is not a chat completion: {}", failure.message()),
        ),
        _ => RunError::new("interrupted", format!("{target}: {}", failure.message())),
    }
}

enum AttemptEnd {
    /// Not sent: the route may not or cannot be called.
    Refused(RunError),
    /// Sent, and it failed.
    Failed(Failure),
}

/// A task's report as it is being written, and the request in flight; read
/// when the task is cancelled part way.
struct Progress {
    report: Report,
    in_flight: Option<Target>,
}

impl Progress {
    fn new(index: usize, agent: &str) -> Progress {
        Progress {
            report: Report::new(index, Some(agent)),
            in_flight: None,
        }
    }
}

/// Locks a progress record; a panic elsewhere never hides a report.
fn lock(m: &Mutex<Progress>) -> std::sync::MutexGuard<'_, Progress> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
