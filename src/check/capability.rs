//! What a model can do, and the `capability-mismatch` check of an agent's
//! `requires` against it. Capabilities come from two places: the config
//! (`[providers.X.capabilities] "model" = ["vision", "tools"]`, checked
//! offline by every command) and a running server (Ollama's `/api/show`,
//! LM Studio's model type, ...; checked by `agentc doctor`).

use crate::diagnostic::{Diagnostic, Sp};
use crate::dialect::CAPABILITIES;
use crate::model::agent::AgentDef;
use crate::model::config::Config;
use crate::model::resolve::Resolution;
use crate::rules::Rule;

/// The models an agent may run on, `(provider, model)`: its route first,
/// then its fallbacks, each once. Entries whose provider is not known yet
/// (an inherited route) are left out.
pub fn routed_models(resolution: &Resolution) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let route = &resolution.route;
    let primary = route.provider.clone().zip(route.model.clone());
    let fallbacks = resolution
        .fallbacks
        .iter()
        .filter_map(|t| t.provider.clone().map(|p| (p, t.model.clone())));
    for pm in primary.into_iter().chain(fallbacks) {
        if !out.contains(&pm) {
            out.push(pm);
        }
    }
    out
}

/// The `requires` entries that name a known capability (unknown ones are
/// `invalid-value` already).
fn required(def: &AgentDef) -> impl Iterator<Item = &Sp<String>> {
    def.requires
        .iter()
        .filter(|c| CAPABILITIES.contains(&c.value.as_str()))
}

/// `capability-mismatch` for every `requires` entry that a routed model is
/// declared, in config, not to have. Models the config says nothing about
/// are not judged.
pub fn check_declared(
    def: &AgentDef,
    resolution: &Resolution,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) {
    if def.requires.is_empty() {
        return;
    }
    for (provider, model) in routed_models(resolution) {
        let Some(declared) = config
            .provider(&provider)
            .and_then(|p| p.capabilities.get(&model))
        else {
            continue;
        };
        for cap in required(def) {
            if declared.iter().any(|d| d == &cap.value) {
                continue;
            }
            let has = if declared.is_empty() {
                "none".to_string()
            } else {
                declared.join(", ")
            };
            diags.push(
                mismatch(def, cap, &provider, &model, "is declared without it")
                    .with_help(format!(
                        "`[providers.{provider}.capabilities]` gives `{model}`: {has}; route the agent to a model with `{}`, or declare it there if the model has it",
                        cap.value
                    )),
            );
        }
    }
}

/// `capability-mismatch` for every `requires` entry that a server says its
/// model lacks. `lacks(capability)` is true only when the server said so.
pub fn check_reported(
    def: &AgentDef,
    provider: &str,
    model: &str,
    lacks: impl Fn(&str) -> bool,
    diags: &mut Vec<Diagnostic>,
) {
    for cap in required(def) {
        if lacks(&cap.value) {
            diags.push(
                mismatch(def, cap, provider, model, "does not have it, says the server")
                    .with_help(format!(
                        "route the agent to a model with `{}` (`agentc providers --probe` lists what each model has), or remove the requirement",
                        cap.value
                    )),
            );
        }
    }
}

fn mismatch(
    def: &AgentDef,
    cap: &Sp<String>,
    provider: &str,
    model: &str,
    why: &str,
) -> Diagnostic {
    Diagnostic::at(
        Rule::CapabilityMismatch,
        cap.span,
        format!(
            "`{}` requires `{}`, but `{provider}/{model}` {why}",
            def.name, cap.value
        ),
    )
}
