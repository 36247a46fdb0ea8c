//! The library API for executors: resolve an agent's route at run time from
//! a compiled [`Plan`], with the parent session's route and per-call and
//! per-task overrides, exactly as `agentc route` does. A failed resolution
//! is a list of findings naming what is known; an override is never
//! replaced by something else.
//!
//! ```
//! use agentc::router::{Override, Request, Router};
//!
//! // A plan as `agentc plan --format json` writes it (here built in memory).
//! let dir = tempfile::tempdir().unwrap();
//! let agents = dir.path().join(".agents");
//! std::fs::create_dir_all(&agents).unwrap();
//! std::fs::write(agents.join("agentc.toml"), r#"
//! [providers.deepseek]
//! models = ["deepseek-v4-flash", "deepseek-reasoner"]
//! [models]
//! smart = "deepseek/deepseek-reasoner"
//! "#).unwrap();
//! std::fs::write(agents.join("explore.md"), "---\ndescription: Explores code.\nprovider: lm-studio\nmodel: qwen-2.5-7b\n---\nExplore.\n").unwrap();
//! std::fs::write(agents.join("planner.md"), "---\ndescription: Plans work.\nmodel: smart\nfallback: [lm-studio/qwen-2.5-7b]\n---\nPlan.\n").unwrap();
//!
//! let (router, findings) = Router::from_project(dir.path(), None).unwrap();
//! assert!(findings.is_empty());
//!
//! // The executor opens two sub-agents on two providers at once…
//! let explore = router.resolve(&Request::agent("explore")).unwrap();
//! let planner = router.resolve(&Request::agent("planner")).unwrap();
//! assert_eq!((explore.provider, explore.model), (Some("lm-studio"), Some("qwen-2.5-7b")));
//! assert_eq!((planner.provider, planner.model), (Some("deepseek"), Some("deepseek-reasoner")));
//! assert_eq!(planner.fallbacks[0].model, "qwen-2.5-7b");
//!
//! // …and one task of a batch asks for another model: the task layer wins,
//! // and the route says so.
//! let mut task = Request::agent("explore");
//! task.task = Override { provider: None, model: Some("smart") };
//! let r = router.resolve(&task).unwrap();
//! assert_eq!((r.provider, r.model), (Some("deepseek"), Some("deepseek-reasoner")));
//! assert_eq!(r.model_source.unwrap().layer(), "task");
//!
//! // An unknown provider is an error naming the known ones, not a fallback.
//! task.task = Override { provider: Some("lmstudio"), model: None };
//! let errors = router.resolve(&task).unwrap_err();
//! assert_eq!(errors[0].rule.code(), "unknown-provider");
//! assert!(errors[0].help.as_deref().unwrap().contains("lm-studio"));
//! ```

use crate::check::project::{self, LoadRequest};
use crate::diagnostic::{Diagnostic, suggest};
use crate::discover::{self, Env};
use crate::model::resolve::{self, Layer};
use crate::route::plan::{self, Plan, PlanAgent, PlanProvider, PlanRoute, PlanSource, PlanTarget};
use crate::rules::Rule;
use crate::source::SourceMap;
use std::collections::HashMap;
use std::path::Path;

/// A run-time override: the `provider`/`model` of a call or of one task.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Override<'a> {
    pub provider: Option<&'a str>,
    pub model: Option<&'a str>,
}

impl Override<'_> {
    fn is_set(&self) -> bool {
        self.provider.is_some() || self.model.is_some()
    }
}

/// What an executor asks: which agent, on behalf of which parent, with
/// which overrides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Request<'a> {
    pub agent: &'a str,
    /// The parent session's route, `provider/model`.
    pub parent: Option<&'a str>,
    pub call: Override<'a>,
    pub task: Override<'a>,
}

impl<'a> Request<'a> {
    pub fn agent(agent: &'a str) -> Request<'a> {
        Request {
            agent,
            ..Request::default()
        }
    }
}

/// Where a value of a resolved route came from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Provenance<'a> {
    /// As compiled into the plan (defaults, roles, the agent, the user's
    /// override), with its file and line.
    Planned(&'a PlanSource),
    /// A run-time layer: `parent`, `call`, `task`, or `provider-default`.
    Runtime(Layer),
}

impl Provenance<'_> {
    pub fn layer(&self) -> &str {
        match self {
            Provenance::Planned(s) => &s.layer,
            Provenance::Runtime(l) => l.as_str(),
        }
    }

    pub fn to_plan_source(&self) -> PlanSource {
        match self {
            Provenance::Planned(s) => (*s).clone(),
            Provenance::Runtime(l) => PlanSource {
                layer: l.as_str().to_string(),
                path: None,
                line: None,
            },
        }
    }
}

/// The route that will actually run.
#[derive(Clone, Debug, PartialEq)]
pub struct Route<'a> {
    pub agent: &'a PlanAgent,
    pub provider: Option<&'a str>,
    pub model: Option<&'a str>,
    /// The route is the parent session's.
    pub inherit: bool,
    pub provider_source: Option<Provenance<'a>>,
    pub model_source: Option<Provenance<'a>>,
    /// The fallback chain, tried in order on connection errors, timeouts,
    /// 5xx and 429.
    pub fallbacks: &'a [PlanTarget],
    /// The provider's entry in the plan (base URL, key variable, trust).
    pub provider_entry: Option<&'a PlanProvider>,
}

impl Route<'_> {
    /// Whether the provider may be called; executors refuse `Some(false)`.
    pub fn trusted(&self) -> Option<bool> {
        self.provider_entry.map(|p| p.trusted)
    }

    /// The route in the plan's JSON shape.
    pub fn to_plan_route(&self) -> PlanRoute {
        PlanRoute {
            provider: self.provider.map(str::to_string),
            model: self.model.map(str::to_string),
            inherit: self.inherit,
            provider_source: self.provider_source.map(|p| p.to_plan_source()),
            model_source: self.model_source.map(|p| p.to_plan_source()),
            trusted: self.trusted(),
        }
    }
}

/// Resolves routes over a compiled plan.
#[derive(Clone, Debug)]
pub struct Router {
    plan: Plan,
    agents: HashMap<String, usize>,
    providers: HashMap<String, usize>,
}

/// A `provider/model` pair read from override text.
enum Read<'a> {
    Inherit,
    Qualified(&'a str, &'a str),
    Bare(&'a str),
}

impl Router {
    pub fn new(plan: Plan) -> Router {
        let agents = plan
            .agents
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.clone(), i))
            .collect();
        let providers = plan
            .providers
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        Router {
            plan,
            agents,
            providers,
        }
    }

    /// A router over plan JSON (`agentc plan --format json`).
    pub fn from_json(text: &str) -> Result<Router, serde_json::Error> {
        Ok(Router::new(Plan::from_json(text)?))
    }

    /// Loads the project at `dir` (and the user scope, unless `user_dir` is
    /// `Some(None)`-like: pass `None` to read no user scope) and compiles its
    /// plan. The findings of the load are returned with it; agents with
    /// errors are not in the plan.
    pub fn from_project(
        dir: &Path,
        user_dir: Option<&Path>,
    ) -> std::io::Result<(Router, Vec<Diagnostic>)> {
        let env = Env {
            cwd: dir.to_path_buf(),
            user_dir: user_dir.map(Path::to_path_buf),
            ollama_host: std::env::var("OLLAMA_HOST").ok(),
        };
        let req = LoadRequest {
            project: discover::discover_project(dir),
            user: user_dir.map(discover::discover_user),
            parent: None,
            keep: crate::check::project::Keep::Whole,
        };
        let mut sources = SourceMap::default();
        let (project, diags) = project::load(req, &env, &mut sources);
        let plan = plan::build(&project, &sources, &diags);
        Ok((Router::new(plan), diags))
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn provider(&self, id: &str) -> Option<&PlanProvider> {
        self.providers.get(id).map(|&i| &self.plan.providers[i])
    }

    /// The `(provider, model)` that `provider/model` or an alias names;
    /// `None` for a bare model or `inherit` (no provider to call).
    pub fn target<'a>(&'a self, text: &'a str) -> Option<(&'a str, &'a str)> {
        match self.read(text) {
            Read::Qualified(p, m) => Some((p, m)),
            Read::Inherit | Read::Bare(_) => None,
        }
    }

    fn read<'a>(&'a self, text: &'a str) -> Read<'a> {
        let text = text.trim();
        if text == "inherit" {
            return Read::Inherit;
        }
        if let Some(t) = self.plan.aliases.get(text)
            && let Some(p) = &t.provider
        {
            return Read::Qualified(p, &t.model);
        }
        match text.split_once('/') {
            Some((p, m)) if self.providers.contains_key(p) && !m.is_empty() => {
                Read::Qualified(p, m)
            }
            _ => Read::Bare(text),
        }
    }

    /// Resolves one request. `Err` holds the findings: `unknown-agent`,
    /// `unknown-provider`, `unknown-model`, `missing-model`,
    /// `override-not-allowed`.
    // Long: the run-time layers (parent, call, task) in order, each with its findings.
    pub fn resolve<'a>(&'a self, req: &Request<'a>) -> Result<Route<'a>, Vec<Diagnostic>> {
        let Some(&i) = self.agents.get(req.agent) else {
            let mut d = Diagnostic::new(
                Rule::UnknownAgent,
                None,
                format!("unknown agent `{}`", req.agent),
            );
            d.help = suggest(req.agent, self.plan.agents.iter().map(|a| a.name.as_str())).or_else(
                || {
                    if self.plan.agents.is_empty() {
                        return Some("the plan has no agents".to_string());
                    }
                    Some(format!(
                        "known agents: {}",
                        self.plan
                            .agents
                            .iter()
                            .map(|a| a.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                },
            );
            return Err(vec![d]);
        };
        let agent = &self.plan.agents[i];
        let planned = &agent.route;
        let parent = req.parent.map(|p| self.read(p));
        let (parent_provider, parent_model) = match &parent {
            Some(Read::Qualified(p, m)) => (Some(*p), Some(*m)),
            Some(Read::Bare(m)) => (None, Some(*m)),
            _ => (None, None),
        };
        let mut route = Route {
            agent,
            provider: planned.provider.as_deref(),
            model: planned.model.as_deref(),
            inherit: planned.inherit,
            provider_source: planned.provider_source.as_ref().map(Provenance::Planned),
            model_source: planned.model_source.as_ref().map(Provenance::Planned),
            fallbacks: &agent.fallbacks,
            provider_entry: None,
        };
        let inherit_route = |route: &mut Route<'a>| {
            route.inherit = true;
            route.provider = parent_provider;
            route.model = parent_model;
            route.provider_source = parent_provider.map(|_| Provenance::Runtime(Layer::Parent));
            route.model_source = parent_model.map(|_| Provenance::Runtime(Layer::Parent));
        };
        if planned.inherit && req.parent.is_some() {
            inherit_route(&mut route);
        }
        let winner = if req.task.is_set() {
            Some((Layer::Task, req.task))
        } else if req.call.is_set() {
            Some((Layer::Call, req.call))
        } else {
            None
        };
        let mut errors = Vec::new();
        for p in [req.call.provider, req.task.provider].into_iter().flatten() {
            let p = p.trim();
            if p != "inherit"
                && !errors
                    .iter()
                    .any(|e: &Diagnostic| e.message.contains(&format!("`{p}`")))
            {
                self.check_provider(p, &mut errors);
            }
        }
        if let Some((layer, ov)) = winner {
            // The provider a bare model takes: the next lower layer naming one.
            let lower = || -> Option<(&'a str, Provenance<'a>)> {
                if layer == Layer::Task {
                    // A call that says `inherit` names the parent's route.
                    let call_inherits = req.call.model.map(str::trim) == Some("inherit")
                        || (req.call.model.is_none()
                            && req.call.provider.map(str::trim) == Some("inherit"));
                    if call_inherits {
                        return parent_provider.map(|p| (p, Provenance::Runtime(Layer::Parent)));
                    }
                    let call_provider =
                        req.call.provider.map(str::trim).filter(|p| *p != "inherit");
                    match (call_provider, req.call.model.map(|m| self.read(m))) {
                        (Some(p), _) | (None, Some(Read::Qualified(p, _))) => {
                            return Some((p, Provenance::Runtime(Layer::Call)));
                        }
                        _ => {}
                    }
                }
                if !planned.inherit
                    && let Some(p) = planned.provider.as_deref()
                {
                    return Some((
                        p,
                        planned
                            .provider_source
                            .as_ref()
                            .map_or(Provenance::Runtime(Layer::Parent), Provenance::Planned),
                    ));
                }
                parent_provider.map(|p| (p, Provenance::Runtime(Layer::Parent)))
            };
            let provider = ov.provider.map(str::trim).filter(|p| *p != "inherit");
            match (provider, ov.model.map(str::trim)) {
                (_, Some("inherit")) | (None, None) => inherit_route(&mut route),
                (Some(p), Some(m)) => {
                    self.check_model(p, m, &mut errors);
                    route.inherit = false;
                    route.provider = Some(p);
                    route.model = Some(m);
                    route.provider_source = Some(Provenance::Runtime(layer));
                    route.model_source = Some(Provenance::Runtime(layer));
                }
                (None, Some(m)) => {
                    route.inherit = false;
                    route.model_source = Some(Provenance::Runtime(layer));
                    match self.read(m) {
                        Read::Inherit => inherit_route(&mut route),
                        Read::Qualified(p, m) => {
                            self.check_model(p, m, &mut errors);
                            route.provider = Some(p);
                            route.model = Some(m);
                            route.provider_source = Some(Provenance::Runtime(layer));
                        }
                        Read::Bare(m) => {
                            self.check_typo_provider(m, &mut errors);
                            // `provider: inherit` next to a bare model: the parent's provider.
                            let below = if ov.provider.map(str::trim) == Some("inherit") {
                                parent_provider.map(|p| (p, Provenance::Runtime(Layer::Parent)))
                            } else {
                                lower()
                            };
                            let (p, src) = match below {
                                Some((p, s)) => (Some(p), Some(s)),
                                None => (None, Some(Provenance::Runtime(Layer::Parent))),
                            };
                            if let Some(p) = p {
                                self.check_model(p, m, &mut errors);
                            }
                            route.provider = p;
                            route.model = Some(m);
                            route.provider_source = src;
                        }
                    }
                }
                (Some(p), None) => {
                    route.inherit = false;
                    route.provider = Some(p);
                    route.provider_source = Some(Provenance::Runtime(layer));
                    match self
                        .provider(p)
                        .and_then(|e| Some((e.default_model.as_deref()?, e)))
                    {
                        Some((m, entry)) => {
                            route.model = Some(m);
                            route.model_source = Some(entry.default_model_source.as_ref().map_or(
                                Provenance::Runtime(Layer::ProviderDefault),
                                Provenance::Planned,
                            ));
                        }
                        None if self.providers.contains_key(p) => {
                            errors.push(resolve::missing_model(p, None))
                        }
                        None => {}
                    }
                }
            }
            if errors.is_empty() {
                self.check_allowed(layer, ov, &route, &mut errors);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        route.provider_entry = route.provider.and_then(|p| self.provider(p));
        Ok(route)
    }

    fn provider_ids(&self) -> impl Iterator<Item = &str> + Clone {
        self.plan.providers.iter().map(|p| p.id.as_str())
    }

    fn check_provider(&self, id: &str, errors: &mut Vec<Diagnostic>) {
        if !self.providers.contains_key(id) {
            errors.push(resolve::unknown_provider(id, None, self.provider_ids()));
        }
    }

    fn check_typo_provider(&self, model: &str, errors: &mut Vec<Diagnostic>) {
        if let Some(d) = resolve::typo_provider(
            model,
            None,
            |p| self.providers.contains_key(p),
            self.provider_ids(),
        ) {
            errors.push(d);
        }
    }

    fn check_model(&self, provider: &str, model: &str, errors: &mut Vec<Diagnostic>) {
        if let Some(models) = self.provider(provider).and_then(|p| p.models.as_ref())
            && !models.iter().any(|m| m == model)
        {
            errors.push(resolve::unknown_model(provider, model, None, models));
        }
    }

    fn check_allowed(
        &self,
        layer: Layer,
        ov: Override,
        route: &Route,
        errors: &mut Vec<Diagnostic>,
    ) {
        let Some(allowed) = &self.plan.policy.allowed_models else {
            return;
        };
        let raw = ov.model.map(str::trim);
        let ok = allowed.iter().any(|e| {
            let e = e.trim();
            if Some(e) == raw {
                return true;
            }
            if let Some(p) = e.strip_suffix("/*") {
                return route.provider == Some(p);
            }
            match self.read(e) {
                Read::Qualified(p, m) => route.provider == Some(p) && route.model == Some(m),
                _ => false,
            }
        });
        if !ok {
            let asked: Vec<&str> = [ov.provider, ov.model]
                .into_iter()
                .flatten()
                .map(str::trim)
                .collect();
            errors.push(resolve::override_not_allowed(
                layer,
                &asked.join(" "),
                &resolve::route_text(route.provider, route.model),
                None,
                allowed.iter().map(String::as_str),
            ));
        }
    }
}
