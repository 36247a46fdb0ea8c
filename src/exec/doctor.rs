//! `agentc doctor`'s live checks: a loaded project held against what its
//! providers' servers say (a [`ProbeReport`]) and against the environment.
//! `provider-unreachable`, `model-not-found`, `model-not-loaded`,
//! `capability-mismatch` as the server reports it, and
//! `missing-credential`. The environment is read through a function, and
//! only ever asked whether a variable is set: no value is kept or shown.

use crate::check::capability;
use crate::check::project::{Agent, Project};
use crate::diagnostic::{Diagnostic, Span, suggest};
use crate::exec::providers::{ProbeReport, ProviderProbe};
use crate::model::config::{Config, ProviderScope, ProviderTable};
use crate::model::resolve::{Resolution, Resolver};
use crate::rules::Rule;
use std::collections::BTreeSet;

/// One model an agent may run on, with where the agent's route names it.
struct RoutedModel {
    provider: String,
    model: String,
    /// The model value (or what named it: an alias, a fallback entry).
    model_span: Option<Span>,
    /// The provider value.
    provider_span: Option<Span>,
}

/// The route and fallbacks of an agent, each with its span.
fn routed(agent: &Agent, resolution: &Resolution, resolver: &Resolver) -> Vec<RoutedModel> {
    let mut out = Vec::new();
    let r = &resolution.route;
    if let (Some(p), Some(m)) = (&r.provider, &r.model) {
        let provider_span = r.provider_source.and_then(|s| s.span);
        out.push(RoutedModel {
            provider: p.clone(),
            model: m.clone(),
            model_span: r.model_source.and_then(|s| s.span).or(provider_span),
            provider_span,
        });
    }
    let entries = resolution
        .layers
        .iter()
        .rev()
        .find_map(|l| l.fallback.as_ref());
    for t in &resolution.fallbacks {
        let Some(p) = &t.provider else { continue };
        let qualified = format!("{p}/{}", t.model);
        let span = entries.into_iter().flatten().find_map(|e| {
            let text = e.text.trim();
            let names = text == qualified
                || text == t.model
                || resolver
                    .alias_target(text)
                    .is_some_and(|(ap, am)| &ap == p && am == t.model);
            names.then_some(e.span).flatten()
        });
        if out.iter().any(|o| &o.provider == p && o.model == t.model) {
            continue;
        }
        out.push(RoutedModel {
            provider: p.clone(),
            model: t.model.clone(),
            model_span: span,
            provider_span: span,
        });
    }
    let fence = agent.def.fence;
    for o in &mut out {
        o.model_span = o.model_span.or(Some(fence));
        o.provider_span = o.provider_span.or(Some(fence));
    }
    out
}

/// The agents doctor looks at: every definition that wins its name and has
/// a route, errors or not (a broken `requires` does not make a missing
/// model less worth knowing).
fn examined(project: &Project) -> impl Iterator<Item = (&Agent, &Resolution)> {
    project
        .agents
        .iter()
        .filter(|a| a.shadowed_by.is_none())
        .filter_map(|a| Some((a, &**a.resolution.as_ref()?)))
}

/// The providers that the agents are routed to, by route or fallback: the
/// ones worth probing.
pub fn routed_providers(project: &Project) -> BTreeSet<String> {
    examined(project)
        .map(|(_, r)| r)
        .flat_map(capability::routed_models)
        .map(|(p, _)| p)
        .collect()
}

/// The `[providers.X]` table that defines the provider as merged.
fn winning_table<'c>(config: &'c Config, id: &str) -> Option<&'c ProviderTable> {
    let scope = config.provider(id)?.scope;
    let tables = match scope {
        ProviderScope::Builtin => return None,
        ProviderScope::Project => &config.project.providers,
        ProviderScope::User => &config.user.providers,
    };
    tables.iter().find(|t| t.id == id)
}

/// The live findings for `project`. `env` reads an environment variable.
/// Severities follow each scope's `[lint]`.
pub fn findings(
    project: &Project,
    probe: &ProbeReport,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<Diagnostic> {
    let config = &project.config;
    let resolver = Resolver::new(config);
    let mut diags = Vec::new();
    let agents: Vec<(&Agent, Vec<RoutedModel>)> = examined(project)
        .map(|(a, r)| (a, routed(a, r, &resolver)))
        .collect();

    for p in probe.providers.iter().filter(|p| !p.reachable) {
        let span = winning_table(config, &p.id)
            .map(|t| t.key_span)
            .or_else(|| {
                // The value that routes the first agent there: its
                // `provider:` line, a qualified model, a fallback entry or
                // the config line it inherits.
                agents.iter().find_map(|(a, models)| {
                    let m = models.iter().find(|m| m.provider == p.id)?;
                    Some(m.provider_span.unwrap_or(Span::file_start(a.def.file)))
                })
            });
        let Some(span) = span else { continue };
        diags.push(
            Diagnostic::at(
                Rule::ProviderUnreachable,
                span,
                format!(
                    "provider `{}` at `{}` did not answer: {}",
                    p.id,
                    p.base_url,
                    p.error.as_deref().unwrap_or("no answer")
                ),
            )
            .with_help(unreachable_help(&p.id)),
        );
    }

    let mut credentials_checked: BTreeSet<String> = BTreeSet::new();
    for (agent, models) in &agents {
        for m in models {
            if let Some(served) = probe.get(&m.provider).filter(|p| p.reachable) {
                served_checks(agent, m, served, &mut diags);
            }
            missing_credential(config, m, env, &mut credentials_checked, &mut diags);
        }
    }

    diags
        .into_iter()
        .filter_map(|mut d| {
            let scope = d.file().and_then(|f| project.scopes.get(&f).copied())?;
            d.severity = config.scope(scope).severity(d.rule, d.severity)?;
            Some(d)
        })
        .collect()
}

fn unreachable_help(id: &str) -> String {
    let start = match id {
        "lm-studio" => "start LM Studio's local server (`lms server start`)",
        "ollama" => "start Ollama (`ollama serve`), or set `OLLAMA_HOST`",
        "llama-cpp" => "start `llama-server`",
        "vllm" => "start `vllm serve`",
        _ => "start the server",
    };
    format!("{start}, or correct `base_url`; `agentc providers --probe` shows what answers")
}

/// `model-not-found`, `model-not-loaded` and the server's
/// `capability-mismatch` for one routed model of a reachable provider.
fn served_checks(
    agent: &Agent,
    m: &RoutedModel,
    served: &ProviderProbe,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(models) = &served.models else {
        return; // reachable, but no listing: nothing to compare with
    };
    let Some(span) = m.model_span else { return };
    let Some(info) = served.model(&m.model) else {
        let ids: Vec<&str> = models.iter().map(|x| x.id.as_str()).collect();
        let help = suggest(&m.model, ids.iter().copied()).unwrap_or_else(|| {
            if ids.is_empty() {
                format!("`{}` serves no models", m.provider)
            } else {
                let mut shown = ids
                    .iter()
                    .take(10)
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                if ids.len() > 10 {
                    shown.push_str(&format!(" and {} more", ids.len() - 10));
                }
                format!("`{}` serves {shown}", m.provider)
            }
        });
        diags.push(
            Diagnostic::at(
                Rule::ModelNotFound,
                span,
                format!("`{}` does not serve `{}`", m.provider, m.model),
            )
            .with_help(help),
        );
        return;
    };
    if info.loaded == Some(false) {
        diags.push(
            Diagnostic::at(
                Rule::ModelNotLoaded,
                span,
                format!("`{}/{}` is available but not loaded", m.provider, m.model),
            )
            .with_help("the first request waits while it loads; load it beforehand to avoid that"),
        );
    }
    capability::check_reported(&agent.def, &m.provider, &m.model, |c| info.lacks(c), diags);
}

/// `missing-credential` for a routed provider whose key variable is unset
/// or empty: once at its table's `api_key_env`, else at each route that
/// names a preset.
fn missing_credential(
    config: &Config,
    m: &RoutedModel,
    env: &dyn Fn(&str) -> Option<String>,
    checked: &mut BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(provider) = config.provider(&m.provider) else {
        return;
    };
    let Some(var) = provider.api_key_env.as_deref() else {
        return;
    };
    let state = match env(var) {
        Some(v) if !v.is_empty() => return,
        Some(_) => "is empty",
        None => "is not set",
    };
    let table_span = winning_table(config, &m.provider)
        .and_then(|t| t.api_key_env.as_ref())
        .map(|k| k.span);
    let span = match table_span {
        Some(s) => {
            if !checked.insert(m.provider.clone()) {
                return;
            }
            s
        }
        None => match m.provider_span {
            Some(s) => s,
            None => return,
        },
    };
    diags.push(
        Diagnostic::at(
            Rule::MissingCredential,
            span,
            format!(
                "provider `{}` needs the key in `{var}`, which {state}",
                m.provider
            ),
        )
        .with_help(format!(
            "set `{var}` in the environment that runs the agents; agentc reads keys only from there"
        )),
    );
}
