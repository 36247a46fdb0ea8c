//! Route resolution: the nine layers of DESIGN §4, aliases, provenance and
//! fallback chains. Written once: `check` runs it up to the user-override
//! layer, `plan` adds the parent, and `route`, `run` and the library's
//! [`Router`](crate::route::router::Router) add call and task overrides.

use crate::diagnostic::{Diagnostic, Span, did_you_mean, suggest};
use crate::dialect::Dialect;
use crate::model::config::{Config, RouteTable};
use crate::rules::Rule;

/// Where a route value came from, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    Parent,
    ProjectDefault,
    UserDefault,
    ProjectRole,
    UserRole,
    Agent,
    UserOverride,
    Call,
    Task,
    /// The provider's `default_model`, used when a layer sets only `provider`.
    ProviderDefault,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Parent => "parent",
            Layer::ProjectDefault => "project-default",
            Layer::UserDefault => "user-default",
            Layer::ProjectRole => "project-role",
            Layer::UserRole => "user-role",
            Layer::Agent => "agent",
            Layer::UserOverride => "user-override",
            Layer::Call => "call",
            Layer::Task => "task",
            Layer::ProviderDefault => "provider-default",
        }
    }

    /// Layers whose values come from the command line or an executor.
    pub fn is_runtime(self) -> bool {
        matches!(self, Layer::Parent | Layer::Call | Layer::Task)
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value as one layer set it: its text and where it was written (`None`
/// for run-time values).
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub text: String,
    pub span: Option<Span>,
}

impl Value {
    pub fn new(text: impl Into<String>, span: Option<Span>) -> Value {
        Value {
            text: text.into(),
            span,
        }
    }
}

/// What one layer sets.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerInput {
    pub layer: Layer,
    pub provider: Option<Value>,
    pub model: Option<Value>,
    pub fallback: Option<Vec<Value>>,
    /// How model names of this layer are read (agent layers of other
    /// dialects); config and run-time layers are agentc's own.
    pub dialect: Dialect,
}

impl LayerInput {
    pub fn new(layer: Layer) -> LayerInput {
        LayerInput {
            layer,
            provider: None,
            model: None,
            fallback: None,
            dialect: Dialect::Agentc,
        }
    }

    pub fn from_table(layer: Layer, table: &RouteTable) -> LayerInput {
        LayerInput {
            layer,
            provider: table
                .provider
                .as_ref()
                .map(|s| Value::new(&s.value, Some(s.span))),
            model: table
                .model
                .as_ref()
                .map(|s| Value::new(&s.value, Some(s.span))),
            fallback: table.fallback.as_ref().map(|(l, _)| {
                l.iter()
                    .map(|s| Value::new(&s.value, Some(s.span)))
                    .collect()
            }),
            dialect: Dialect::Agentc,
        }
    }

    pub fn sets_route(&self) -> bool {
        self.provider.is_some() || self.model.is_some()
    }
}

/// Which layer chose a value, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    pub layer: Layer,
    pub span: Option<Span>,
}

/// The route an agent runs on.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ResolvedRoute {
    pub provider: Option<String>,
    pub model: Option<String>,
    /// True when the route is the parent session's.
    pub inherit: bool,
    pub provider_source: Option<Source>,
    pub model_source: Option<Source>,
    /// True when `inherit` came from an explicit `inherit` value.
    pub explicit_inherit: bool,
}

/// One entry of a fallback chain.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    pub provider: Option<String>,
    pub model: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    pub route: ResolvedRoute,
    pub fallbacks: Vec<Target>,
    /// The layers that set something, lowest first.
    pub layers: Vec<LayerInput>,
}

/// A model reference read in its context.
#[derive(Clone, Debug, PartialEq)]
enum ModelRef {
    Inherit,
    /// Provider and model both fixed (`provider/model` or an alias).
    Qualified {
        provider: String,
        model: String,
    },
    /// A model id whose provider comes from a lower layer.
    Bare(String),
    /// A harness-specific model name with no provider (Copilot's picker names).
    Opaque(String),
}

enum RefError {
    Cycle,
}

pub struct Resolver<'a> {
    pub config: &'a Config,
}

impl<'a> Resolver<'a> {
    pub fn new(config: &'a Config) -> Resolver<'a> {
        Resolver { config }
    }

    fn is_provider(&self, id: &str) -> bool {
        self.config.providers.contains_key(id)
    }

    /// Follows an alias chain to its final target text.
    fn follow_alias(&self, name: &str) -> Result<Option<String>, RefError> {
        let Some(mut target) = self.config.aliases.get(name).map(|t| t.value.clone()) else {
            return Ok(None);
        };
        let mut seen = vec![name.to_string()];
        while let Some(next) = self.config.aliases.get(&target) {
            if seen.contains(&target) {
                return Err(RefError::Cycle);
            }
            seen.push(target.clone());
            target = next.value.clone();
        }
        if seen.contains(&target) {
            return Err(RefError::Cycle);
        }
        Ok(Some(target))
    }

    /// Reads a model reference. `with_provider`: the same layer sets
    /// `provider`, so the model is taken verbatim.
    fn read_model(
        &self,
        text: &str,
        with_provider: bool,
        dialect: Dialect,
    ) -> Result<ModelRef, RefError> {
        let text = text.trim();
        if text == "inherit" {
            return Ok(ModelRef::Inherit);
        }
        if with_provider {
            return Ok(ModelRef::Bare(text.to_string()));
        }
        let resolved = match self.follow_alias(text)? {
            Some(target) => target,
            None => text.to_string(),
        };
        if let Some((p, m)) = resolved.split_once('/')
            && self.is_provider(p)
            && !m.is_empty()
        {
            return Ok(ModelRef::Qualified {
                provider: p.to_string(),
                model: m.to_string(),
            });
        }
        if dialect == Dialect::Opencode
            && let Some((p, m)) = resolved.split_once('/')
            && !m.is_empty()
        {
            // OpenCode's own provider ids (`lmstudio`, `google`) are
            // agentc's presets under other names; a provider agentc does not
            // know (`opencode`, `github-copilot`) leaves the model unrouted.
            let mapped = crate::dialect::agentc_provider_of_opencode(p);
            return Ok(if self.is_provider(mapped) {
                ModelRef::Qualified {
                    provider: mapped.to_string(),
                    model: m.to_string(),
                }
            } else {
                ModelRef::Opaque(resolved)
            });
        }
        Ok(match dialect {
            Dialect::Claude => ModelRef::Qualified {
                provider: "anthropic".into(),
                model: resolved,
            },
            Dialect::Copilot => ModelRef::Opaque(resolved),
            Dialect::Gemini => ModelRef::Qualified {
                provider: "gemini".into(),
                model: resolved,
            },
            // A provider Codex defines in its own config (`x/model`) is not
            // agentc's to route; a bare model runs on Codex's default, OpenAI.
            Dialect::Codex if resolved.contains('/') => ModelRef::Opaque(resolved),
            Dialect::Codex => ModelRef::Qualified {
                provider: "openai".into(),
                model: resolved,
            },
            Dialect::Cursor => match crate::dialect::cursor::model(&resolved).and_then(|q| {
                q.split_once('/')
                    .map(|(p, m)| (p.to_string(), m.to_string()))
            }) {
                Some((provider, model)) => ModelRef::Qualified { provider, model },
                None => ModelRef::Opaque(resolved),
            },
            _ => ModelRef::Bare(resolved),
        })
    }

    /// The `provider/model` an alias finally names, if it names one.
    pub fn alias_target(&self, name: &str) -> Option<(String, String)> {
        let target = self.follow_alias(name).ok()??;
        match self.read_model(&target, false, Dialect::Agentc).ok()? {
            ModelRef::Qualified { provider, model } => Some((provider, model)),
            _ => None,
        }
    }

    /// The configured layers (defaults, roles, user override) for an agent.
    pub fn config_layers(&self, role: Option<&str>, name: &str) -> Vec<LayerInput> {
        let c = self.config;
        let mut out = Vec::new();
        if let Some(t) = &c.project.defaults {
            out.push(LayerInput::from_table(Layer::ProjectDefault, t));
        }
        if let Some(t) = &c.user.defaults {
            out.push(LayerInput::from_table(Layer::UserDefault, t));
        }
        if let Some(role) = role {
            if let Some(t) = c.project.role(role) {
                out.push(LayerInput::from_table(Layer::ProjectRole, t));
            }
            if let Some(t) = c.user.role(role) {
                out.push(LayerInput::from_table(Layer::UserRole, t));
            }
        }
        if let Some(t) = c.user.agent(name) {
            out.push(LayerInput::from_table(Layer::UserOverride, t));
        }
        out
    }

    /// Resolves the route of `layers` (any order; sorted here). Findings
    /// are pushed to `diags`, and the caller decides what their severities
    /// mean; the result is `None` only when no route can be named at all (a
    /// provider with no model, an alias cycle).
    pub fn resolve(
        &self,
        mut layers: Vec<LayerInput>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Resolution> {
        layers.sort_by_key(|l| l.layer);
        layers.retain(|l| l.sets_route() || l.fallback.is_some());
        // Kept in the resolution of every agent: no spare capacity.
        layers.shrink_to_fit();
        let before = diags.len();
        // Every layer's provider is checked whether or not it wins: an
        // unknown provider is an error even when a higher layer overrides it.
        for l in layers.iter().filter(|l| l.layer != Layer::Parent) {
            if let Some(p) = l.provider.as_ref().filter(|p| p.text.trim() != "inherit") {
                let _ = self.check_provider(p, diags);
            }
        }
        let route = self.resolve_route(&layers, diags);
        // An override that names an unknown provider or model is reported
        // as that; the policy is checked on routes that exist.
        let route_failed = diags[before..]
            .iter()
            .any(|d| d.severity == crate::diagnostic::Severity::Error);
        let fallbacks = self.resolve_fallbacks(&layers, route.as_ref(), diags);
        if let Some(route) = &route
            && !route_failed
            && let Some(winner) = layers.iter().rev().find(|l| l.sets_route())
            && matches!(winner.layer, Layer::Call | Layer::Task)
        {
            self.check_allowed(winner, route, diags);
        }
        let mut seen = std::collections::HashSet::new();
        let mut i = before;
        while i < diags.len() {
            if seen.insert((diags[i].rule, diags[i].span, diags[i].message.clone())) {
                i += 1;
            } else {
                diags.remove(i);
            }
        }
        Some(Resolution {
            route: route?,
            fallbacks,
            layers,
        })
    }

    // Long: the rules of DESIGN §4 for the winning layer, one arm each.
    fn resolve_route(
        &self,
        layers: &[LayerInput],
        diags: &mut Vec<Diagnostic>,
    ) -> Option<ResolvedRoute> {
        let parent = layers.iter().find(|l| l.layer == Layer::Parent);
        let winner = layers
            .iter()
            .rev()
            .find(|l| l.sets_route() && l.layer != Layer::Parent);
        let Some(winner) = winner else {
            return Some(self.inherit(parent, false));
        };
        let provider = winner
            .provider
            .as_ref()
            .filter(|p| p.text.trim() != "inherit");
        let explicit_inherit_provider = winner
            .provider
            .as_ref()
            .is_some_and(|p| p.text.trim() == "inherit");
        match (&winner.model, provider) {
            (Some(model), Some(provider)) => {
                if model.text.trim() == "inherit" {
                    return Some(self.inherit(parent, true));
                }
                let p = self.check_provider(provider, diags);
                self.check_model(&p, &model.text, model.span, diags);
                Some(ResolvedRoute {
                    provider: Some(p),
                    model: Some(model.text.trim().to_string()),
                    inherit: false,
                    provider_source: Some(source(winner.layer, provider.span)),
                    model_source: Some(source(winner.layer, model.span)),
                    explicit_inherit: false,
                })
            }
            (Some(model), None) => {
                let read = match self.read_model(&model.text, false, winner.dialect) {
                    Ok(r) => r,
                    Err(RefError::Cycle) => return None, // alias-cycle is reported at the config
                };
                match read {
                    ModelRef::Inherit => Some(self.inherit(parent, true)),
                    ModelRef::Qualified { provider, model: m } => {
                        self.check_model(&provider, &m, model.span, diags);
                        Some(ResolvedRoute {
                            provider: Some(provider),
                            model: Some(m),
                            inherit: false,
                            provider_source: Some(source(winner.layer, model.span)),
                            model_source: Some(source(winner.layer, model.span)),
                            explicit_inherit: false,
                        })
                    }
                    ModelRef::Opaque(m) => {
                        if winner.dialect == Dialect::Opencode
                            && let Some((p, _)) = m.split_once('/')
                        {
                            diags.push(
                                Diagnostic::new(
                                    Rule::UnknownProvider,
                                    model.span,
                                    format!(
                                        "OpenCode provider `{p}` is not a provider agentc knows; the plan keeps the model without a route"
                                    ),
                                )
                                .with_severity(crate::Severity::Warning)
                                .with_help(format!(
                                    "OpenCode runs it; for agentc to route it, declare `[providers.{p}]` in agentc.toml"
                                )),
                            );
                        }
                        Some(ResolvedRoute {
                            provider: None,
                            model: Some(m),
                            inherit: false,
                            provider_source: None,
                            model_source: Some(source(winner.layer, model.span)),
                            explicit_inherit: false,
                        })
                    }
                    ModelRef::Bare(m) => {
                        self.check_typo_provider(&m, model.span, diags);
                        let lower = if explicit_inherit_provider {
                            parent
                                .and_then(|p| self.layer_provider(p))
                                .map(|(p, _)| (p, source(Layer::Parent, None)))
                        } else {
                            self.provider_below(layers, winner.layer)
                        };
                        let (provider, provider_source) = match lower {
                            Some((p, s)) => {
                                self.check_model(&p, &m, model.span, diags);
                                (Some(p), Some(s))
                            }
                            None => (None, Some(source(Layer::Parent, None))),
                        };
                        Some(ResolvedRoute {
                            provider,
                            model: Some(m),
                            inherit: false,
                            provider_source,
                            model_source: Some(source(winner.layer, model.span)),
                            explicit_inherit: false,
                        })
                    }
                }
            }
            (None, Some(provider)) => {
                let p = self.check_provider(provider, diags);
                // An unknown provider has no model to name: reported once.
                let def = self.config.provider(&p)?.default_model.clone();
                match def {
                    Some((model, span)) => Some(ResolvedRoute {
                        provider: Some(p),
                        model: Some(model),
                        inherit: false,
                        provider_source: Some(source(winner.layer, provider.span)),
                        model_source: Some(source(Layer::ProviderDefault, span)),
                        explicit_inherit: false,
                    }),
                    None => {
                        diags.push(missing_model(&p, provider.span));
                        None
                    }
                }
            }
            (None, None) => Some(self.inherit(parent, true)),
        }
    }

    fn inherit(&self, parent: Option<&LayerInput>, explicit: bool) -> ResolvedRoute {
        let (provider, model) = match parent {
            Some(p) => {
                let provider = self.layer_provider(p).map(|(p, _)| p);
                let model = p.model.as_ref().and_then(|m| {
                    match self.read_model(&m.text, p.provider.is_some(), Dialect::Agentc) {
                        Ok(ModelRef::Qualified { model, .. }) => Some(model),
                        Ok(ModelRef::Bare(m)) | Ok(ModelRef::Opaque(m)) => Some(m),
                        _ => None,
                    }
                });
                (provider, model)
            }
            None => (None, None),
        };
        let src = Some(source(Layer::Parent, None));
        ResolvedRoute {
            provider_source: provider.as_ref().and(src),
            model_source: model.as_ref().and(src),
            provider,
            model,
            inherit: true,
            explicit_inherit: explicit,
        }
    }

    /// The provider a layer names, by `provider` or by a qualified model.
    fn layer_provider(&self, l: &LayerInput) -> Option<(String, Option<Span>)> {
        if let Some(p) = &l.provider
            && p.text.trim() != "inherit"
        {
            return Some((p.text.trim().to_string(), p.span));
        }
        let m = l.model.as_ref()?;
        match self.read_model(&m.text, false, l.dialect) {
            Ok(ModelRef::Qualified { provider, .. }) => Some((provider, m.span)),
            _ => None,
        }
    }

    /// The provider named by the next layer below `above` (the parent last).
    /// A layer that says `inherit` names the parent's route: below it,
    /// only the parent counts.
    fn provider_below(&self, layers: &[LayerInput], above: Layer) -> Option<(String, Source)> {
        let says_inherit = |l: &LayerInput| {
            l.model.as_ref().is_some_and(|m| m.text.trim() == "inherit")
                || (l.model.is_none()
                    && l.provider
                        .as_ref()
                        .is_some_and(|p| p.text.trim() == "inherit"))
        };
        for l in layers.iter().rev().filter(|l| l.layer < above) {
            if l.layer != Layer::Parent && says_inherit(l) {
                let parent = layers.iter().find(|l| l.layer == Layer::Parent)?;
                return self
                    .layer_provider(parent)
                    .filter(|(p, _)| self.is_provider(p))
                    .map(|(p, _)| (p, source(Layer::Parent, None)));
            }
            if let Some((p, span)) = self.layer_provider(l) {
                return Some((p, source(l.layer, span)));
            }
        }
        None
    }

    /// The provider id, with an `unknown-provider` finding when it is not
    /// defined (the route still names it, so a lowered severity keeps it).
    fn check_provider(&self, provider: &Value, diags: &mut Vec<Diagnostic>) -> String {
        let id = provider.text.trim();
        if !self.is_provider(id) {
            let known = self.config.providers.keys().map(String::as_str);
            diags.push(unknown_provider(id, provider.span, known));
        }
        id.to_string()
    }

    /// A bare model whose first segment is a misspelt provider id is a typo,
    /// not a model id.
    fn check_typo_provider(&self, model: &str, span: Option<Span>, diags: &mut Vec<Diagnostic>) {
        let known = self.config.providers.keys().map(String::as_str);
        diags.extend(typo_provider(model, span, |p| self.is_provider(p), known));
    }

    fn check_model(
        &self,
        provider: &str,
        model: &str,
        span: Option<Span>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Some(p) = self.config.provider(provider) else {
            return;
        };
        let Some(models) = &p.models else { return };
        if !models.iter().any(|m| m == model) {
            diags.push(unknown_model(provider, model, span, models));
        }
    }

    fn resolve_fallbacks(
        &self,
        layers: &[LayerInput],
        primary: Option<&ResolvedRoute>,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<Target> {
        let Some(layer) = layers.iter().rev().find(|l| l.fallback.is_some()) else {
            return Vec::new();
        };
        let mut out: Vec<Target> = Vec::new();
        for entry in layer.fallback.iter().flatten() {
            let target = match self.read_model(&entry.text, false, layer.dialect) {
                Err(RefError::Cycle) => continue,
                Ok(ModelRef::Qualified { provider, model }) => {
                    self.check_model(&provider, &model, entry.span, diags);
                    Target {
                        provider: Some(provider),
                        model,
                    }
                }
                Ok(ModelRef::Opaque(model)) => Target {
                    provider: None,
                    model,
                },
                Ok(ModelRef::Inherit) | Ok(ModelRef::Bare(_)) => {
                    let known = self.config.aliases.keys().map(String::as_str);
                    diags.push(
                        Diagnostic::new(
                            Rule::InvalidValue,
                            entry.span,
                            format!("fallback entry `{}` is neither `provider/model` nor an alias", entry.text.trim()),
                        )
                        .with_help_opt(suggest(entry.text.trim(), known).or_else(|| {
                            Some("write the provider: `lm-studio/qwen-2.5-7b`, or name an alias from `[models]`".into())
                        })),
                    );
                    continue;
                }
            };
            let same_as_primary = primary.is_some_and(|p| {
                !p.inherit
                    && p.provider == target.provider
                    && p.model.as_deref() == Some(target.model.as_str())
            });
            if same_as_primary || out.contains(&target) {
                let what = if same_as_primary {
                    "the primary route"
                } else {
                    "an earlier entry"
                };
                diags.push(
                    Diagnostic::new(
                        Rule::FallbackRedundant,
                        entry.span,
                        format!(
                            "fallback `{}` is {what} ({}); it can never help",
                            entry.text.trim(),
                            target.display()
                        ),
                    )
                    .with_help("remove it, or fall back to a different provider"),
                );
                continue;
            }
            out.push(target);
        }
        out
    }

    /// `[policy] allowed_models` for call and task overrides.
    fn check_allowed(
        &self,
        winner: &LayerInput,
        route: &ResolvedRoute,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Some(allowed) = &self.config.allowed_models else {
            return;
        };
        let raw = winner.model.as_ref().map(|m| m.text.trim());
        let ok = allowed.iter().any(|entry| {
            let e = entry.value.trim();
            if Some(e) == raw {
                return true;
            }
            if let Some(p) = e.strip_suffix("/*") {
                return route.provider.as_deref() == Some(p);
            }
            let target = match self.read_model(e, false, Dialect::Agentc) {
                Ok(ModelRef::Qualified { provider, model }) => Some((provider, model)),
                _ => None,
            };
            target.is_some_and(|(p, m)| {
                route.provider.as_deref() == Some(p.as_str())
                    && route.model.as_deref() == Some(m.as_str())
            })
        });
        if ok {
            return;
        }
        let asked = [winner.provider.as_ref(), winner.model.as_ref()]
            .into_iter()
            .flatten()
            .map(|v| v.text.trim())
            .collect::<Vec<_>>()
            .join(" ");
        diags.push(override_not_allowed(
            winner.layer,
            &asked,
            &route_display(route),
            winner
                .model
                .as_ref()
                .or(winner.provider.as_ref())
                .and_then(|v| v.span),
            allowed.iter().map(|e| e.value.as_str()),
        ));
    }
}

fn source(layer: Layer, span: Option<Span>) -> Source {
    Source { layer, span }
}

impl Target {
    pub fn display(&self) -> String {
        match &self.provider {
            Some(p) => format!("{p}/{}", self.model),
            None => self.model.clone(),
        }
    }
}

pub fn route_display(r: &ResolvedRoute) -> String {
    route_text(r.provider.as_deref(), r.model.as_deref())
}

/// `provider/model`, as people read a route.
pub fn route_text(provider: Option<&str>, model: Option<&str>) -> String {
    match (provider, model) {
        (Some(p), Some(m)) => format!("{p}/{m}"),
        (None, Some(m)) => m.to_string(),
        (Some(p), None) => p.to_string(),
        (None, None) => "inherit".into(),
    }
}

/// `unknown-provider`, naming the known providers.
pub fn unknown_provider<'a>(
    id: &str,
    span: Option<Span>,
    known: impl Iterator<Item = &'a str> + Clone,
) -> Diagnostic {
    let help = suggest(id, known.clone()).unwrap_or_else(|| {
        format!(
            "known providers: {}; define others in `[providers.{id}]` of agentc.toml",
            known.collect::<Vec<_>>().join(", ")
        )
    });
    Diagnostic::new(
        Rule::UnknownProvider,
        span,
        format!("unknown provider `{id}`"),
    )
    .with_help(help)
}

/// `unknown-provider` for `lm-studoi/qwen`: a bare model id whose first
/// segment is a misspelt provider.
pub fn typo_provider<'a>(
    model: &str,
    span: Option<Span>,
    is_provider: impl Fn(&str) -> bool,
    known: impl Iterator<Item = &'a str>,
) -> Option<Diagnostic> {
    let (first, _) = model.split_once('/')?;
    if is_provider(first) {
        return None;
    }
    let p = did_you_mean(first, known).filter(|p| *p != first)?;
    Some(
        Diagnostic::new(
            Rule::UnknownProvider,
            span,
            format!("unknown provider `{first}` in `{model}`"),
        )
        .with_help(format!("did you mean `{p}`?")),
    )
}

/// `unknown-model`, naming the provider's models.
pub fn unknown_model(
    provider: &str,
    model: &str,
    span: Option<Span>,
    models: &[String],
) -> Diagnostic {
    let help = suggest(model, models.iter().map(String::as_str))
        .unwrap_or_else(|| format!("`{provider}` declares: {}", models.join(", ")));
    Diagnostic::new(
        Rule::UnknownModel,
        span,
        format!("provider `{provider}` does not declare model `{model}`"),
    )
    .with_help(help)
}

/// `missing-model`: a provider chosen alone, without a default model.
pub fn missing_model(provider: &str, span: Option<Span>) -> Diagnostic {
    Diagnostic::new(
        Rule::MissingModel,
        span,
        format!("`provider: {provider}` is set without a model, and `{provider}` has no `default_model`"),
    )
    .with_help(format!(
        "add `model: ...` next to it, or set `default_model` in `[providers.{provider}]` of agentc.toml"
    ))
}

/// `override-not-allowed`: rejected loudly, never replaced.
pub fn override_not_allowed<'a>(
    layer: Layer,
    asked: &str,
    route: &str,
    span: Option<Span>,
    allowed: impl Iterator<Item = &'a str>,
) -> Diagnostic {
    Diagnostic::new(
        Rule::OverrideNotAllowed,
        span,
        format!(
            "{layer} override `{asked}` ({route}) is outside `[policy] allowed_models`; it was rejected, not replaced"
        ),
    )
    .with_help(format!("allowed: {}", allowed.collect::<Vec<_>>().join(", ")))
}

/// Reads a `--parent provider/model` value into the parent layer.
pub fn parent_layer(config: &Config, text: &str) -> LayerInput {
    let mut l = LayerInput::new(Layer::Parent);
    let text = text.trim();
    match text.split_once('/') {
        Some((p, m)) if config.providers.contains_key(p) && !m.is_empty() => {
            l.provider = Some(Value::new(p, None));
            l.model = Some(Value::new(m, None));
        }
        _ => l.model = Some(Value::new(text, None)),
    }
    l
}

/// Checks the config's own route values once: `[models]` targets and alias
/// cycles, `[defaults]`, `[roles]`, `[agents]`, `default_model`s and
/// `[policy] allowed_models`.
// Long: one section per route table of the config, run once.
pub fn check_config(config: &Config, diags: &mut Vec<Diagnostic>) {
    let r = Resolver::new(config);
    // Alias cycles, reported once at the first alias of the cycle in source order.
    let mut reported: Vec<String> = Vec::new();
    for scope in [&config.project, &config.user] {
        for (name, target) in &scope.aliases {
            if config.aliases.get(&name.value).map(|t| t.span) != Some(target.span) {
                continue; // overridden by the user's alias of the same name
            }
            match r.follow_alias(&name.value) {
                Err(RefError::Cycle) => {
                    let cycle = alias_cycle(config, &name.value);
                    // Reported at the first member in source order; aliases
                    // that only lead into a cycle are covered by it.
                    if !cycle.contains(&name.value) || cycle.iter().any(|c| reported.contains(c)) {
                        continue;
                    }
                    reported.extend(cycle.iter().cloned());
                    diags.push(
                        Diagnostic::at(
                            Rule::AliasCycle,
                            name.span,
                            format!(
                                "model aliases form a cycle: {} → {}",
                                cycle.join(" → "),
                                cycle[0]
                            ),
                        )
                        .with_help("point one of them at a `provider/model`"),
                    );
                }
                Ok(Some(final_target)) => {
                    let mut tmp = Vec::new();
                    match r.read_model(&final_target, false, Dialect::Agentc) {
                        Ok(ModelRef::Qualified { provider, model }) => {
                            r.check_model(&provider, &model, Some(target.span), &mut tmp)
                        }
                        Ok(ModelRef::Bare(m)) => {
                            let first = m.split_once('/').map(|(p, _)| p);
                            let help = first
                                .and_then(|p| {
                                    suggest(p, config.providers.keys().map(String::as_str))
                                })
                                .unwrap_or_else(|| {
                                    "write `provider/model`, such as `lm-studio/qwen-2.5-7b`".into()
                                });
                            let msg = match first {
                                Some(p) => format!(
                                    "alias `{}` points at `{m}`, but `{p}` is not a provider",
                                    name.value
                                ),
                                None => format!(
                                    "alias `{}` points at `{m}`, which names no provider",
                                    name.value
                                ),
                            };
                            tmp.push(
                                Diagnostic::at(
                                    if first.is_some() {
                                        Rule::UnknownProvider
                                    } else {
                                        Rule::ConfigInvalid
                                    },
                                    target.span,
                                    msg,
                                )
                                .with_help(help),
                            );
                        }
                        _ => {}
                    }
                    diags.extend(tmp);
                }
                _ => {}
            }
        }
    }
    for p in config.providers.values() {
        if let (Some((m, Some(span))), Some(models)) = (&p.default_model, &p.models)
            && !models.contains(m)
        {
            diags.push(
                Diagnostic::at(
                    Rule::UnknownModel,
                    *span,
                    format!(
                        "`default_model` `{m}` is not in `models` of provider `{}`",
                        p.id
                    ),
                )
                .with_help_opt(suggest(m, models.iter().map(String::as_str))),
            );
        }
    }
    // Route tables: resolve each alone so unknown providers and models are
    // reported at the table even when no agent uses it.
    let mut tables: Vec<(Layer, &RouteTable)> = Vec::new();
    if let Some(t) = &config.project.defaults {
        tables.push((Layer::ProjectDefault, t));
    }
    if let Some(t) = &config.user.defaults {
        tables.push((Layer::UserDefault, t));
    }
    tables.extend(
        config
            .project
            .roles
            .iter()
            .map(|(_, t)| (Layer::ProjectRole, t)),
    );
    tables.extend(config.user.roles.iter().map(|(_, t)| (Layer::UserRole, t)));
    tables.extend(
        config
            .user
            .agents
            .iter()
            .map(|(_, t)| (Layer::UserOverride, t)),
    );
    for (layer, table) in tables {
        let mut tmp = Vec::new();
        let l = LayerInput::from_table(layer, table);
        if let Some(p) = &l.provider
            && p.text.trim() != "inherit"
        {
            let _ = r.check_provider(p, &mut tmp);
        }
        if let Some(m) = &l.model
            && let Ok(read) = r.read_model(&m.text, l.provider.is_some(), Dialect::Agentc)
        {
            match read {
                ModelRef::Qualified { provider, model } => {
                    r.check_model(&provider, &model, m.span, &mut tmp)
                }
                ModelRef::Bare(model) => {
                    r.check_typo_provider(&model, m.span, &mut tmp);
                    if let Some(p) = l.provider.as_ref().filter(|p| r.is_provider(p.text.trim())) {
                        r.check_model(p.text.trim(), &model, m.span, &mut tmp);
                    }
                }
                _ => {}
            }
        }
        r.resolve_fallbacks(std::slice::from_ref(&l), None, &mut tmp);
        diags.extend(tmp);
    }
    if let Some(allowed) = &config.allowed_models {
        for e in allowed {
            let v = e.value.trim();
            if let Some(p) = v.strip_suffix("/*") {
                if !r.is_provider(p) {
                    diags.push(
                        Diagnostic::at(
                            Rule::UnknownProvider,
                            e.span,
                            format!("unknown provider `{p}` in `allowed_models`"),
                        )
                        .with_help_opt(suggest(p, config.providers.keys().map(String::as_str))),
                    );
                }
                continue;
            }
            match r.read_model(v, false, Dialect::Agentc) {
                Ok(ModelRef::Qualified { .. }) | Err(_) => {}
                _ => diags.push(
                    Diagnostic::at(Rule::ConfigInvalid, e.span, format!("`{v}` in `allowed_models` is neither an alias, `provider/model` nor `provider/*`"))
                        .with_help_opt(suggest(v, config.aliases.keys().map(String::as_str))),
                ),
            }
        }
    }
}

/// The aliases of the cycle reachable from `start`, in order.
fn alias_cycle(config: &Config, start: &str) -> Vec<String> {
    let mut path: Vec<String> = vec![start.to_string()];
    let mut cur = start.to_string();
    while let Some(next) = config.aliases.get(&cur).map(|t| t.value.clone()) {
        if let Some(i) = path.iter().position(|p| *p == next) {
            return path[i..].to_vec();
        }
        path.push(next.clone());
        cur = next;
    }
    path
}
