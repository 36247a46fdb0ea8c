//! The compiled routing plan (DESIGN §5): per agent, the route it runs on
//! and which layer chose it, its fallbacks, tools and parameters. Its JSON
//! is what executors read; same inputs give the same bytes.

use crate::check::project::{Agent, Project, Tools};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::dialect::Dialect;
use crate::model::agent::{AgentDef, Params};
use crate::model::config::Config;
use crate::model::resolve::{Resolution, ResolvedRoute, Source, Target};
use crate::source::{Scope, SourceMap};
pub use crate::syntax::json::sort_keys;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const PLAN_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "agentc routing plan")]
pub struct Plan {
    // Shared (not a doc comment: the schema is unchanged): a plan built
    // again from a project that changed a little (the watcher's next
    // generation) keeps the entries that did not change instead of copying
    // them.
    pub agents: Vec<Arc<PlanAgent>>,
    /// `[models]` aliases, resolved to their final target, so executors can
    /// resolve call and task overrides from the plan alone.
    #[serde(default)]
    pub aliases: BTreeMap<String, PlanTarget>,
    /// `[gateway]`: what `agentc gateway` does with requests of no agent.
    #[serde(default, skip_serializing_if = "PlanGateway::is_unset")]
    pub gateway: PlanGateway,
    #[serde(default)]
    pub policy: PlanPolicy,
    pub providers: Vec<PlanProvider>,
    pub summary: PlanSummary,
    pub version: u32,
}

/// `[gateway]` of the merged config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanGateway {
    /// Where requests of the parent session go: a provider id (the client's
    /// model is kept) or a model reference. `null`: `anthropic` for the
    /// Anthropic door, an error for the OpenAI door.
    pub parent: Option<String>,
}

impl PlanGateway {
    pub fn is_unset(&self) -> bool {
        self.parent.is_none()
    }
}

/// The `[policy]` an executor must apply to run-time overrides.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanPolicy {
    /// Aliases, `provider/model` and `provider/*`; `null`: any override.
    pub allowed_models: Option<Vec<String>>,
    /// `error` or `fallback`: what to do when the routed provider is down.
    pub on_unavailable: String,
    pub require_explicit_route: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanAgent {
    pub description: String,
    pub dialect: Dialect,
    pub extensions: BTreeMap<String, serde_json::Value>,
    pub fallbacks: Vec<PlanTarget>,
    pub name: String,
    pub params: Params,
    /// Relative to the project root with `/`, or `$AGENTC_USER_DIR/...`.
    pub path: String,
    pub prompt_sha256: String,
    pub requires: Vec<String>,
    pub role: Option<String>,
    pub route: PlanRoute,
    pub scope: Scope,
    pub shadows: Vec<PlanShadow>,
    /// Set by `agentc watch` when the file's current text has errors and
    /// this is its last good definition.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
    /// `null`: the parent's tools; `"*"`: every tool.
    pub tools: Option<PlanTools>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanRoute {
    pub inherit: bool,
    pub model: Option<String>,
    pub model_source: Option<PlanSource>,
    pub provider: Option<String>,
    pub provider_source: Option<PlanSource>,
    /// Whether the provider may be called with the user's key; `null` when
    /// the provider is not known yet (an inherited route).
    pub trusted: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanSource {
    pub layer: String,
    pub line: Option<usize>,
    pub path: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanTarget {
    pub model: String,
    pub provider: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum PlanTools {
    /// `"*"`
    All(AllTools),
    List(Vec<String>),
}

/// The string `"*"`.
#[derive(Clone, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(extend("const" = "*"))]
pub struct AllTools(String);

impl Default for AllTools {
    fn default() -> Self {
        AllTools("*".into())
    }
}

impl Serialize for AllTools {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("*")
    }
}

impl<'de> Deserialize<'de> for AllTools {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "*" {
            Ok(AllTools(s))
        } else {
            Err(serde::de::Error::custom(format!(
                "expected \"*\", found \"{s}\""
            )))
        }
    }
}

impl Serialize for PlanTools {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PlanTools::All(_) => s.serialize_str("*"),
            PlanTools::List(l) => l.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for PlanTools {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            L(Vec<String>),
        }
        match Raw::deserialize(d)? {
            Raw::S(s) if s == "*" => Ok(PlanTools::All(AllTools(s))),
            Raw::S(s) => Err(serde::de::Error::custom(format!(
                "tools must be \"*\" or a list, found \"{s}\""
            ))),
            Raw::L(l) => Ok(PlanTools::List(l)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanShadow {
    pub path: String,
    pub scope: Scope,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanProvider {
    /// The NAME of the variable holding the key, never a key.
    pub api_key_env: Option<String>,
    /// Where requests go, exactly as the HTTP client reads it; `null` when
    /// the config gives no usable URL.
    #[schemars(with = "Option<String>")]
    pub base_url: Option<crate::model::config::BaseUrl>,
    pub default_model: Option<String>,
    /// Where `default_model` is set (`null` for a preset's).
    pub default_model_source: Option<PlanSource>,
    pub id: String,
    pub kind: String,
    pub max_concurrency: Option<u32>,
    pub models: Option<Vec<String>>,
    /// `builtin`, `project` or `user`.
    pub scope: String,
    pub trusted: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanSummary {
    pub agents: usize,
    pub errors: usize,
    pub files: usize,
    pub warnings: usize,
}

/// Provenance in plan terms: a layer and the file and line it was set at.
pub fn plan_source(src: &Source, sources: &SourceMap) -> PlanSource {
    let (path, line) = locate(src.span, sources);
    PlanSource {
        layer: src.layer.as_str().to_string(),
        path,
        line,
    }
}

fn locate(span: Option<Span>, sources: &SourceMap) -> (Option<String>, Option<usize>) {
    match span {
        Some(s) => {
            let f = sources.get(s.file);
            (Some(f.plan_path.clone()), Some(f.line_of(s.start)))
        }
        None => (None, None),
    }
}

pub fn plan_route(route: &ResolvedRoute, config: &Config, sources: &SourceMap) -> PlanRoute {
    PlanRoute {
        provider: route.provider.clone(),
        model: route.model.clone(),
        inherit: route.inherit,
        provider_source: route
            .provider_source
            .as_ref()
            .map(|s| plan_source(s, sources)),
        model_source: route.model_source.as_ref().map(|s| plan_source(s, sources)),
        trusted: route
            .provider
            .as_ref()
            .and_then(|p| config.provider(p))
            .map(|p| p.trusted),
    }
}

pub fn plan_target(t: &Target) -> PlanTarget {
    PlanTarget {
        provider: t.provider.clone(),
        model: t.model.clone(),
    }
}

/// The plan entry of a compiled agent.
pub fn plan_agent(agent: &Agent, project: &Project, sources: &SourceMap) -> Option<PlanAgent> {
    let res = agent.resolution.as_ref()?;
    let def = &agent.def;
    Some(PlanAgent {
        name: def.name.clone(),
        scope: agent.scope,
        path: sources.get(def.file).plan_path.clone(),
        dialect: def.dialect,
        description: def.description.clone().unwrap_or_default(),
        role: def.role.as_ref().map(|r| r.value.clone()),
        route: plan_route(&res.route, &project.config, sources),
        fallbacks: res.fallbacks.iter().map(plan_target).collect(),
        tools: match &agent.tools {
            Tools::Inherit => None,
            Tools::All => Some(PlanTools::All(AllTools("*".into()))),
            Tools::List(l) => Some(PlanTools::List(l.to_vec())),
        },
        requires: def.requires.iter().map(|r| r.value.clone()).collect(),
        params: Params::clone(&def.params),
        prompt_sha256: def.prompt_sha256(&sources.get(def.file).text).to_string(),
        shadows: agent
            .shadows
            .iter()
            .map(|f| PlanShadow {
                scope: project.scopes.get(f).copied().unwrap_or(Scope::Project),
                path: sources.get(*f).plan_path.clone(),
            })
            .collect(),
        extensions: def.extensions.clone(),
        stale: false,
    })
}

pub fn plan_providers(config: &Config, sources: &SourceMap) -> Vec<PlanProvider> {
    config
        .providers
        .values()
        .map(|p| PlanProvider {
            id: p.id.clone(),
            kind: p.kind.as_str().to_string(),
            base_url: p.base_url.clone(),
            api_key_env: p.api_key_env.clone(),
            max_concurrency: p.max_concurrency,
            models: p.models.clone(),
            default_model: p.default_model.as_ref().map(|(m, _)| m.clone()),
            default_model_source: p.default_model.as_ref().map(|(_, span)| {
                plan_source(
                    &Source {
                        layer: crate::model::resolve::Layer::ProviderDefault,
                        span: *span,
                    },
                    sources,
                )
            }),
            scope: p.scope.as_str().to_string(),
            trusted: p.trusted,
        })
        .collect()
}

/// Builds the plan of a loaded project; `diagnostics` are the findings of
/// the load, counted in the summary.
pub fn build(project: &Project, sources: &SourceMap, diagnostics: &[Diagnostic]) -> Plan {
    use rayon::prelude::*;
    let planned: Vec<&Agent> = project.planned().collect();
    // Hashing prompts and locating provenance lines is per agent: in parallel.
    let agents: Vec<Arc<PlanAgent>> = planned
        .par_iter()
        .filter_map(|a| plan_agent(a, project, sources).map(Arc::new))
        .collect();
    assemble(project, sources, diagnostics, agents)
}

/// Like [`build`], keeping each agent's entry in `cache` and taking it
/// from there again, shared, while everything it is made of is the same:
/// for a caller that builds the plan of one project over and over (the
/// watcher), the cost follows what changed, not the size of the project.
/// The plan is the same as [`build`]'s.
pub fn build_with(
    project: &Project,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    cache: &mut PlanCache,
) -> Plan {
    use rayon::prelude::*;
    cache.stamp(&project.config, sources);
    let planned: Vec<&Agent> = project.planned().collect();
    let mut agents: Vec<Option<Arc<PlanAgent>>> = Vec::with_capacity(planned.len());
    let mut misses: Vec<usize> = Vec::new();
    let mut seen = vec![false; cache.entries.len()];
    for (i, a) in planned.iter().enumerate() {
        let at = a.def.file.0 as usize;
        let kept = cache
            .entries
            .get(at)
            .and_then(Option::as_ref)
            .filter(|e| e.still_fits(a, project, sources));
        match kept {
            Some(e) => {
                agents.push(Some(Arc::clone(&e.entry)));
                seen[at] = true;
            }
            None => {
                agents.push(None);
                misses.push(i);
            }
        }
    }
    // Hashing prompts and locating provenance lines is per agent: in parallel.
    let made: Vec<(usize, Option<Arc<PlanAgent>>)> = misses
        .par_iter()
        .map(|&i| (i, plan_agent(planned[i], project, sources).map(Arc::new)))
        .collect();
    for (i, entry) in made {
        let a = planned[i];
        if let (Some(entry), Some(resolution)) = (&entry, &a.resolution) {
            let at = a.def.file.0 as usize;
            if cache.entries.len() <= at {
                cache.entries.resize_with(at + 1, || None);
                seen.resize(at + 1, false);
            }
            cache.entries[at] = Some(CachedEntry {
                def: Arc::clone(&a.def),
                resolution: Arc::clone(resolution),
                tools: a.tools.clone(),
                scope: a.scope,
                shadows: a.shadows.clone(),
                entry: Arc::clone(entry),
            });
            seen[at] = true;
        }
        agents[i] = entry;
    }
    // Agents no longer in the plan: their entries go.
    for (e, seen) in cache.entries.iter_mut().zip(seen) {
        if !seen {
            *e = None;
        }
    }
    assemble(
        project,
        sources,
        diagnostics,
        agents.into_iter().flatten().collect(),
    )
}

/// The plan entries of earlier builds, for [`build_with`].
#[derive(Debug, Default)]
pub struct PlanCache {
    /// What every entry depends on besides its agent: the config (provider
    /// trust) and the text of its files (provenance lines). When either
    /// differs, every entry is made again.
    config: Option<(Config, Vec<(String, String)>)>,
    /// By file id.
    entries: Vec<Option<CachedEntry>>,
}

#[derive(Debug)]
struct CachedEntry {
    /// What the entry was made from. Holding the `Arc`s keeps their
    /// addresses from being reused, so an equal pointer is the same value.
    def: Arc<AgentDef>,
    resolution: Arc<Resolution>,
    tools: Tools,
    scope: Scope,
    shadows: Vec<crate::source::FileId>,
    entry: Arc<PlanAgent>,
}

impl PlanCache {
    pub fn new() -> PlanCache {
        PlanCache::default()
    }

    /// Forgets every entry when the config or its files changed.
    fn stamp(&mut self, config: &Config, sources: &SourceMap) {
        let files = || {
            [config.project.file, config.user.file]
                .into_iter()
                .flatten()
                .map(|id| sources.get(id))
        };
        let same = self.config.as_ref().is_some_and(|(c, f)| {
            c == config
                && f.len() == files().count()
                && f.iter()
                    .zip(files())
                    .all(|((path, text), s)| *path == s.plan_path && *text == s.text)
        });
        if !same {
            self.entries.clear();
            let files = files()
                .map(|s| (s.plan_path.clone(), s.text.clone()))
                .collect();
            self.config = Some((config.clone(), files));
        }
    }
}

impl CachedEntry {
    /// Whether the entry is what [`plan_agent`] would make for `agent`: the
    /// same definition (and so the same file, text, name, description,
    /// parameters and prompt), the same route, tools and scope, and the
    /// same shadowed files.
    fn still_fits(&self, agent: &Agent, project: &Project, sources: &SourceMap) -> bool {
        let same_route = agent
            .resolution
            .as_ref()
            .is_some_and(|r| Arc::ptr_eq(r, &self.resolution));
        Arc::ptr_eq(&agent.def, &self.def)
            && same_route
            && agent.tools == self.tools
            && agent.scope == self.scope
            && agent.shadows == self.shadows
            // A shadowed file's id may name another file now.
            && agent.shadows.iter().zip(&self.entry.shadows).all(|(f, s)| {
                project.scopes.get(f).copied().unwrap_or(Scope::Project) == s.scope
                    && sources.get(*f).plan_path == s.path
            })
    }
}

/// The plan around its agents' entries.
pub(crate) fn assemble(
    project: &Project,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    agents: Vec<Arc<PlanAgent>>,
) -> Plan {
    Plan {
        version: PLAN_VERSION,
        summary: PlanSummary {
            files: project.files,
            agents: agents.len(),
            errors: diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count(),
            warnings: diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count(),
        },
        agents,
        providers: plan_providers(&project.config, sources),
        aliases: plan_aliases(&project.config),
        gateway: PlanGateway {
            parent: project.config.gateway_parent.clone(),
        },
        policy: plan_policy(&project.config),
    }
}

/// Aliases with their final targets (aliases in a cycle are left out).
pub fn plan_aliases(config: &Config) -> BTreeMap<String, PlanTarget> {
    let r = crate::model::resolve::Resolver::new(config);
    config
        .aliases
        .keys()
        .filter_map(|name| {
            let (provider, model) = r.alias_target(name)?;
            Some((
                name.clone(),
                PlanTarget {
                    provider: Some(provider),
                    model,
                },
            ))
        })
        .collect()
}

pub fn plan_policy(config: &Config) -> PlanPolicy {
    PlanPolicy {
        allowed_models: config
            .allowed_models
            .as_ref()
            .map(|l| l.iter().map(|s| s.value.clone()).collect()),
        on_unavailable: match config.on_unavailable {
            crate::model::config::OnUnavailable::Error => "error".into(),
            crate::model::config::OnUnavailable::Fallback => "fallback".into(),
        },
        require_explicit_route: config.require_explicit_route,
    }
}

impl Plan {
    /// The plan's JSON: keys sorted, 2-space indentation, a final newline.
    /// Every plan type declares its fields in alphabetical order and every
    /// map is sorted, so the plan is written directly, without building a
    /// JSON tree first (a test checks it against [`to_sorted_json`]). The
    /// agents' entries, most of the text, are serialised in parallel.
    pub fn to_json(&self) -> String {
        use rayon::prelude::*;
        let Some(tail) = self.json_tail() else {
            return self.whole_json();
        };
        let entries: Vec<String> = self
            .agents
            .par_iter()
            .with_min_len(64)
            .map(|a| entry_json(a))
            .collect();
        let size = entries.iter().map(|e| e.len() + 2).sum::<usize>() + tail.len() + 32;
        let mut out = Vec::with_capacity(size);
        // Writing to memory cannot fail, and only JSON text is written.
        let _ = write_spliced(&mut out, entries.iter().map(String::as_str), &tail);
        String::from_utf8(out).unwrap_or_else(|_| self.whole_json())
    }

    /// The plan's JSON serialised in one piece.
    fn whole_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The plan's JSON after its `agents` array, final newline included:
    /// what follows the entries when they are spliced in one by one. `None`
    /// without agents or in a layout other than the one spliced into.
    pub(crate) fn json_tail(&self) -> Option<String> {
        if self.agents.is_empty() {
            return None;
        }
        let rest = Plan {
            version: self.version,
            agents: Vec::new(),
            providers: self.providers.clone(),
            aliases: self.aliases.clone(),
            gateway: self.gateway.clone(),
            policy: self.policy.clone(),
            summary: self.summary,
        };
        rest.whole_json()
            .strip_prefix(EMPTY_AGENTS)
            .map(str::to_string)
    }

    pub fn from_json(text: &str) -> Result<Plan, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn agent(&self, name: &str) -> Option<&PlanAgent> {
        self.agents.iter().find(|a| a.name == name).map(|a| &**a)
    }

    pub fn provider(&self, id: &str) -> Option<&PlanProvider> {
        self.providers.iter().find(|p| p.id == id)
    }
}

/// Where the agents' entries go in the plan's JSON: `agents` sorts first.
pub(crate) const EMPTY_AGENTS: &str = "{\n  \"agents\": [],\n";

/// Writes the plan's JSON from its entries' text ([`entry_json`], in the
/// plan's order) and what follows them ([`Plan::json_tail`]).
pub(crate) fn write_spliced<'a>(
    w: &mut dyn std::io::Write,
    entries: impl Iterator<Item = &'a str>,
    tail: &str,
) -> std::io::Result<()> {
    w.write_all(b"{\n  \"agents\": [\n")?;
    for (i, text) in entries.enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        w.write_all(text.as_bytes())?;
    }
    w.write_all(b"\n  ],\n")?;
    w.write_all(tail.as_bytes())
}

/// One entry of the plan's `agents`, indented as inside the plan.
pub(crate) fn entry_json(agent: &PlanAgent) -> String {
    let pretty = serde_json::to_string_pretty(agent).unwrap_or_default();
    // JSON strings hold no raw newlines (they are escaped), so every
    // newline here is between lines of the pretty layout.
    let mut out = String::with_capacity(pretty.len() + pretty.len() / 4);
    for (i, line) in pretty.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    ");
        out.push_str(line);
    }
    out
}

/// Appends the entry of `agent` to `out` as [`entry_json`] of
/// [`plan_agent`] writes it (UTF-8, ready for the output), written straight
/// from the definition and route, without building a [`PlanAgent`] of
/// copies first: the plan of a large project is mostly its entries. An
/// agent with extension fields (any JSON, whose layout serde owns) is
/// written through [`plan_agent`]. `false`, and nothing appended, for an
/// agent without a route (which [`plan_agent`] leaves out too).
pub(crate) fn write_entry(
    agent: &Agent,
    project: &Project,
    sources: &SourceMap,
    out: &mut Vec<u8>,
) -> bool {
    let Some(res) = agent.resolution.as_ref() else {
        return false;
    };
    let def = &agent.def;
    if !def.extensions.is_empty() {
        return match plan_agent(agent, project, sources) {
            Some(a) => {
                out.extend_from_slice(entry_json(&a).as_bytes());
                true
            }
            None => false,
        };
    }
    // About what an entry takes: room made once, not piece by piece.
    out.reserve(1024 + def.description.as_ref().map_or(0, String::len));
    let mut w = EntryWriter(out);
    w.raw("    {\n");
    w.key(6, "description");
    w.string(def.description.as_deref().unwrap_or_default());
    w.key(6, "dialect");
    w.name(def.dialect.as_str());
    w.key(6, "extensions");
    w.raw("{}");
    w.key(6, "fallbacks");
    w.list(6, &res.fallbacks, |w, t| {
        w.object(8, |w| {
            w.key(10, "model");
            w.string(&t.model);
            w.key(10, "provider");
            w.opt_string(t.provider.as_deref());
        });
    });
    w.key(6, "name");
    w.string(&def.name);
    w.key(6, "params");
    let p = &*def.params;
    w.object(6, |w| {
        if let Some(v) = p.max_tokens {
            w.key(8, "max_tokens");
            w.serde(&v);
        }
        if let Some(v) = &p.reasoning_effort {
            w.key(8, "reasoning_effort");
            w.string(v);
        }
        if let Some(v) = p.temperature {
            w.key(8, "temperature");
            w.serde(&v);
        }
        if let Some(v) = p.timeout_ms {
            w.key(8, "timeout_ms");
            w.serde(&v);
        }
        if let Some(v) = p.top_p {
            w.key(8, "top_p");
            w.serde(&v);
        }
    });
    let file = sources.get(def.file);
    w.key(6, "path");
    w.string(&file.plan_path);
    w.key(6, "prompt_sha256");
    w.string(def.prompt_sha256(&file.text));
    w.key(6, "requires");
    w.list(6, &def.requires, |w, r| w.string(&r.value));
    w.key(6, "role");
    w.opt_string(def.role.as_ref().map(|r| r.value.as_str()));
    w.key(6, "route");
    let route = &res.route;
    let trusted = route
        .provider
        .as_ref()
        .and_then(|p| project.config.provider(p))
        .map(|p| p.trusted);
    w.object(6, |w| {
        w.key(8, "inherit");
        w.raw(if route.inherit { "true" } else { "false" });
        w.key(8, "model");
        w.opt_string(route.model.as_deref());
        w.key(8, "model_source");
        w.source(route.model_source.as_ref(), sources);
        w.key(8, "provider");
        w.opt_string(route.provider.as_deref());
        w.key(8, "provider_source");
        w.source(route.provider_source.as_ref(), sources);
        w.key(8, "trusted");
        w.raw(match trusted {
            None => "null",
            Some(true) => "true",
            Some(false) => "false",
        });
    });
    w.key(6, "scope");
    w.name(agent.scope.as_str());
    w.key(6, "shadows");
    w.list(6, &agent.shadows, |w, f| {
        let scope = project.scopes.get(f).copied().unwrap_or(Scope::Project);
        w.object(8, |w| {
            w.key(10, "path");
            w.string(&sources.get(*f).plan_path);
            w.key(10, "scope");
            w.name(scope.as_str());
        });
    });
    w.key(6, "tools");
    match &agent.tools {
        Tools::Inherit => w.raw("null"),
        Tools::All => w.raw("\"*\""),
        Tools::List(l) => w.list(6, l, |w, t| w.string(t)),
    }
    w.close(4, '}');
    true
}

/// Pretty JSON as serde writes it (two spaces a level), by hand.
struct EntryWriter<'a>(&'a mut Vec<u8>);

// The small writers are inlined: with their constant keys and indents
// folded in, most of an entry is a few fixed-size copies.
impl EntryWriter<'_> {
    #[inline]
    fn raw(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }

    #[inline]
    fn indent(&mut self, n: usize) {
        const SPACES: &[u8] = b"                ";
        debug_assert!(n <= SPACES.len());
        self.0.extend_from_slice(&SPACES[..n.min(SPACES.len())]);
    }

    /// The key of an object's field at `indent`, after a comma unless it
    /// is the first.
    #[inline]
    fn key(&mut self, indent: usize, key: &'static str) {
        // Keys are this file's own names: nothing in them to escape.
        debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        if self.0.last() != Some(&b'\n') {
            self.raw(",\n");
        }
        self.indent(indent);
        self.0.push(b'"');
        self.raw(key);
        self.raw("\": ");
    }

    #[inline]
    fn close(&mut self, indent: usize, bracket: char) {
        self.0.push(b'\n');
        self.indent(indent);
        self.0.push(bracket as u8);
    }

    fn string(&mut self, s: &str) {
        // Most strings need no escape: copied whole; the rest as serde
        // escapes them (writing to memory cannot fail).
        // A fold, not `any`: without an early exit the check is vectorised.
        let needs_escape = s
            .bytes()
            .fold(false, |e, b| e | (b < 0x20) | (b == b'"') | (b == b'\\'));
        if !needs_escape {
            self.0.reserve(s.len() + 2);
            self.0.push(b'"');
            self.0.extend_from_slice(s.as_bytes());
            self.0.push(b'"');
        } else {
            let _ = serde_json::to_writer(&mut *self.0, s);
        }
    }

    /// One of agentc's own names (a dialect, scope or layer): nothing in
    /// it to escape.
    #[inline]
    fn name(&mut self, s: &'static str) {
        debug_assert!(s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\'));
        self.0.push(b'"');
        self.raw(s);
        self.0.push(b'"');
    }

    fn opt_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.raw("null"),
        }
    }

    fn number(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.0.extend_from_slice(&digits[at..]);
    }

    fn serde(&mut self, v: &impl Serialize) {
        let _ = serde_json::to_writer(&mut *self.0, v);
    }

    /// An object whose key is at `indent`: `{}` when `fields` writes none.
    fn object(&mut self, indent: usize, fields: impl FnOnce(&mut Self)) {
        self.raw("{\n");
        let start = self.0.len();
        fields(self);
        if self.0.len() == start {
            self.0.pop();
            self.0.push(b'}');
        } else {
            self.close(indent, '}');
        }
    }

    /// A list whose key is at `indent`: `[]`, or one item a line.
    fn list<T>(&mut self, indent: usize, items: &[T], mut item: impl FnMut(&mut Self, &T)) {
        if items.is_empty() {
            self.raw("[]");
            return;
        }
        self.raw("[\n");
        for (i, t) in items.iter().enumerate() {
            if i > 0 {
                self.raw(",\n");
            }
            self.indent(indent + 2);
            item(self, t);
        }
        self.close(indent, ']');
    }

    /// A provenance object whose key is at 8 spaces, or `null`.
    fn source(&mut self, src: Option<&Source>, sources: &SourceMap) {
        let Some(src) = src else {
            self.raw("null");
            return;
        };
        let file = src.span.map(|s| (sources.get(s.file), s.start));
        self.object(8, |w| {
            w.key(10, "layer");
            w.name(src.layer.as_str());
            w.key(10, "line");
            match file {
                Some((f, at)) => w.number(f.line_of(at)),
                None => w.raw("null"),
            }
            w.key(10, "path");
            w.opt_string(file.map(|(f, _)| f.plan_path.as_str()));
        });
    }
}

/// Any value as JSON with sorted keys, 2-space indentation and a final newline.
pub fn to_sorted_json<T: Serialize>(value: &T) -> String {
    let mut v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    sort_keys(&mut v);
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
