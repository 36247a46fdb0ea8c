//! `agentc route AGENT`: one agent's route at run time, with the parent's
//! route and call and task overrides, and every layer that set something.

use super::{CliResult, Outcome, args::Cli, args::RouteArgs};
use crate::check::project::{self, Project};
use crate::diagnostic::{Diagnostic, Severity, suggest};
use crate::discover::Env;
use crate::model::resolve::{Layer, LayerInput, Resolution, Resolver, Value};
use crate::render::{Format, Report};
use crate::route::plan;
use crate::rules::Rule;
use crate::source::SourceMap;
use serde_json::{Value as Json, json};

pub use crate::render::json::layers_json;

/// Run-time overrides of one resolution.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub parent: Option<String>,
    pub call_provider: Option<String>,
    pub call_model: Option<String>,
    pub task_provider: Option<String>,
    pub task_model: Option<String>,
}

/// Resolves `name` in a loaded project with run-time overrides. Errors are
/// findings without a file location when they concern the overrides.
pub fn resolve_agent(
    project: &Project,
    load_diags: &[Diagnostic],
    name: &str,
    o: &Overrides,
) -> Result<(Resolution, Vec<Diagnostic>), Vec<Diagnostic>> {
    let Some(agent) = project.agent(name) else {
        let names = project.agents.iter().map(|a| a.def.name.as_str());
        let mut d = Diagnostic::new(Rule::UnknownAgent, None, format!("unknown agent `{name}`"));
        d.help = suggest(name, names).or_else(|| {
            let all: Vec<&str> = project.planned().map(|a| a.def.name.as_str()).collect();
            Some(if all.is_empty() {
                "no agents are defined".to_string()
            } else {
                format!("known agents: {}", all.join(", "))
            })
        });
        return Err(vec![d]);
    };
    if !agent.ok {
        let own: Vec<Diagnostic> = load_diags
            .iter()
            .filter(|d| d.severity == Severity::Error && d.file() == Some(agent.def.file))
            .cloned()
            .collect();
        let mut out = own;
        if out.is_empty() {
            out.push(Diagnostic::new(
                Rule::UnknownAgent,
                None,
                format!(
                    "agent `{name}` has errors and is left out of the plan; run `agentc check`"
                ),
            ));
        }
        return Err(out);
    }
    let resolver = Resolver::new(&project.config);
    let def = &agent.def;
    let mut layers = resolver.config_layers(def.role.as_ref().map(|r| r.value.as_str()), &def.name);
    layers.push(project::agent_layer(def));
    if let Some(p) = &o.parent {
        layers.push(crate::model::resolve::parent_layer(&project.config, p));
    }
    for (layer, provider, model) in [
        (Layer::Call, &o.call_provider, &o.call_model),
        (Layer::Task, &o.task_provider, &o.task_model),
    ] {
        if provider.is_some() || model.is_some() {
            let mut l = LayerInput::new(layer);
            l.provider = provider.as_ref().map(|p| Value::new(p, None));
            l.model = model.as_ref().map(|m| Value::new(m, None));
            layers.push(l);
        }
    }
    let mut diags = Vec::new();
    let res = resolver.resolve(layers, &mut diags);
    match res {
        Some(r) if !diags.iter().any(|d| d.severity == Severity::Error) => Ok((r, diags)),
        _ => Err(diags
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect()),
    }
}

pub fn run(cli: &Cli, args: &RouteArgs, env: &Env) -> CliResult {
    let format = super::parse_format(cli.format.as_deref(), "text", &["text", "json"])?;
    let req = super::load_request(cli, env, !cli.no_user, None)?;
    let mut sources = SourceMap::default();
    let (project, load_diags) = project::load(req, env, &mut sources);
    let overrides = Overrides {
        parent: args.parent.clone(),
        call_provider: args.call_provider.clone(),
        call_model: args.call_model.clone(),
        task_provider: args.task_provider.clone(),
        task_model: args.task_model.clone(),
    };
    match resolve_agent(&project, &load_diags, &args.agent, &overrides) {
        Ok((res, _)) => {
            let route = plan::plan_route(&res.route, &project.config, &sources);
            let fallbacks: Vec<plan::PlanTarget> =
                res.fallbacks.iter().map(plan::plan_target).collect();
            if format == "json" {
                let doc = json!({
                    "agent": args.agent,
                    "route": route,
                    "fallbacks": fallbacks,
                    "layers": layers_json(&res, &sources),
                });
                super::print(&plan::to_sorted_json(&doc))?;
            } else {
                super::print_text(&text(&args.agent, &res, &route, &fallbacks, &sources))?;
            }
            Ok(Outcome::Clean)
        }
        Err(diags) => {
            let report = Report::new(&sources, diags, project.files, 0);
            if format == "json" {
                super::print(&report.render(Format::Json, false))?;
            } else {
                super::eprint(&report.render(Format::Human, super::stderr_color(cli)));
            }
            Ok(Outcome::Findings)
        }
    }
}

fn text(
    agent: &str,
    res: &Resolution,
    route: &plan::PlanRoute,
    fallbacks: &[plan::PlanTarget],
    sources: &SourceMap,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(parent's)".into());
    let _ = writeln!(
        out,
        "{agent}: {} / {}",
        shown(&route.provider),
        shown(&route.model)
    );
    if route.inherit {
        let _ = writeln!(out, "  inherits the parent session's route");
    }
    for (what, src) in [
        ("provider", &route.provider_source),
        ("model", &route.model_source),
    ] {
        if let Some(s) = src {
            let at = match (&s.path, s.line) {
                (Some(p), Some(l)) => format!(" ({p}:{l})"),
                _ => String::new(),
            };
            let _ = writeln!(out, "  {what:<8} chosen by {}{at}", s.layer);
        }
    }
    if route.trusted == Some(false) {
        let _ = writeln!(
            out,
            "  provider is untrusted: executors refuse it until `agentc trust`"
        );
    }
    if !fallbacks.is_empty() {
        let list: Vec<String> = fallbacks
            .iter()
            .map(|f| match &f.provider {
                Some(p) => format!("{p}/{}", f.model),
                None => f.model.clone(),
            })
            .collect();
        let _ = writeln!(out, "  fallbacks: {}", list.join(" → "));
    }
    let _ = writeln!(out, "  layers, lowest first:");
    for l in layers_json(res, sources) {
        let get = |k: &str| l.get(k).and_then(Json::as_str).map(str::to_string);
        let mut parts = Vec::new();
        if let Some(p) = get("provider") {
            parts.push(format!("provider={p}"));
        }
        if let Some(m) = get("model") {
            parts.push(format!("model={m}"));
        }
        if let Some(f) = l.get("fallback") {
            parts.push(format!("fallback={f}"));
        }
        let _ = writeln!(
            out,
            "    {:<15} {}",
            get("layer").unwrap_or_default(),
            parts.join(" ")
        );
    }
    out
}
