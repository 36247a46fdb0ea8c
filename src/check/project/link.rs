//! Linking: the checks across files (names, shadowing, handoffs, then per
//! definition its tools, role, route and capabilities), each scope's
//! `[lint]` severities and suppressions, and the agents that compile.

use super::cache::{Checked, FileLink, LinkCache};
use super::{Agent, Configs, FileResult, Keep, Project, Tools};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::dialect::{Dialect, ToolName};
use crate::discover::Origin;
use crate::model::agent::{AgentDef, ToolsDecl};
use crate::model::config::Config;
use crate::model::resolve::{Layer, LayerInput, Resolver, Value};
use crate::rules::Rule;
use crate::source::{FileId, Scope, SourceMap};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The checks across files: names, shadowing, tools, roles and routes,
/// then each scope's `[lint]` severities.
pub fn link(
    root: PathBuf,
    configs: Configs,
    results: &[FileResult],
    extra: Vec<(FileId, Scope, Diagnostic)>,
    parent: Option<&str>,
    sources: &SourceMap,
    keep: Keep,
) -> (Project, Vec<Diagnostic>) {
    link_with(
        root,
        configs,
        results,
        extra,
        parent,
        sources,
        &mut LinkCache::keeping(keep),
    )
}

/// [`link`], keeping in `cache` what it can use again next time.
// Long: per-definition checks, `[lint]`, suppressions and the agent list share the cache and the scope map.
pub fn link_with(
    root: PathBuf,
    configs: Configs,
    results: &[FileResult],
    extra: Vec<(FileId, Scope, Diagnostic)>,
    parent: Option<&str>,
    sources: &SourceMap,
    cache: &mut LinkCache,
) -> (Project, Vec<Diagnostic>) {
    let Configs {
        config,
        diagnostics: mut diags,
        files: config_files,
    } = configs;
    cache.stamp(&config, parent);
    let mut scopes: HashMap<FileId, Scope> = config_files.into_iter().collect();
    for (id, scope, d) in extra {
        scopes.insert(id, scope);
        diags.push(d);
    }
    let files = results.len();
    scopes.reserve(results.len());
    // Room for every file's link at once, not grown one file at a time.
    let ids_end = results
        .iter()
        .map(|r| r.id.0 as usize + 1)
        .max()
        .unwrap_or(0);
    cache
        .files
        .reserve_exact(ids_end.saturating_sub(cache.files.len()));
    let mut current = vec![false; cache.files.len()];
    for r in results {
        scopes.insert(r.id, r.scope);
        diags.extend(r.diagnostics.iter().cloned());
        // A broken file still claims its name: a user agent of the same
        // name must not silently take its place.
        cache.claim(r);
        let at = r.id.0 as usize;
        if current.len() <= at {
            current.resize(at + 1, false);
        }
        current[at] = true;
    }
    let gone: Vec<FileId> = cache
        .files
        .iter()
        .enumerate()
        .filter(|(i, f)| f.is_some() && !current.get(*i).copied().unwrap_or(false))
        .map(|(i, _)| FileId(i as u32))
        .collect();
    for id in gone {
        cache.unclaim(id);
    }

    let Names {
        duplicate_files,
        mut winners,
        shadowed,
    } = names(cache, sources, &mut diags);
    handoffs(cache, &mut diags);

    // Per definition: tools, role, route; kept while the definition and
    // the config stay the same.
    let resolver = Resolver::new(&config);
    let parent_layer = parent.map(|p| crate::model::resolve::parent_layer(&config, p));
    let keep = cache.keep;
    // Each definition's checks stand alone: many are made in parallel, in
    // place (their findings are per definition, so the order is unchanged).
    // Every link in the cache is a current file's by now.
    let check = |f: &mut Option<FileLink>| {
        if let Some(f) = f
            && f.checked.is_none()
            && let Some(def) = &f.def
        {
            f.checked = Some(check_definition(
                def,
                &config,
                &resolver,
                parent_layer.as_ref(),
                keep,
            ));
        }
    };
    if results.len() >= PARALLEL_CHECKS {
        super::parse_pool().install(|| cache.files.par_iter_mut().for_each(check));
    } else {
        cache.files.iter_mut().for_each(check);
    }
    let mut directives = Vec::new();
    for r in results {
        let Some(f) = cache
            .files
            .get_mut(r.id.0 as usize)
            .and_then(Option::as_mut)
        else {
            continue;
        };
        directives.extend(r.directives.as_deref().cloned());
        if let Some(def) = &f.def
            && f.checked.is_none()
        {
            f.checked = Some(check_definition(
                def,
                &config,
                &resolver,
                parent_layer.as_ref(),
                keep,
            ));
        }
    }

    // Severities from each scope's `[lint]`, suppressions, then which
    // agents compiled.
    let mut suppressor =
        crate::check::suppress::Suppressor::with_directives(sources, &config, &scopes, directives);
    let diags: Vec<Diagnostic> = diags
        .into_iter()
        .filter_map(|d| match d.file().and_then(|f| scopes.get(&f).copied()) {
            Some(scope) => apply_lint_for(d, &config, scope),
            None => Some(d),
        })
        .filter(|d| !suppressor.suppresses(d))
        .collect();
    let mut errors_in_file: HashMap<FileId, bool> = HashMap::new();
    for d in &diags {
        if d.severity == Severity::Error
            && let Some(f) = d.file()
        {
            errors_in_file.insert(f, true);
        }
    }
    let mut all = diags;
    let mut ok = vec![false; cache.files.len()];
    for r in results {
        let Some(checked) = cache.file(r.id).and_then(|f| f.checked.as_ref()) else {
            continue;
        };
        let local: Vec<Diagnostic> = checked
            .diagnostics
            .iter()
            .cloned()
            .filter_map(|d| {
                let scope = d
                    .file()
                    .and_then(|f| scopes.get(&f).copied())
                    .unwrap_or(r.scope);
                apply_lint_for(d, &config, scope)
            })
            .filter(|d| !suppressor.suppresses(d))
            .collect();
        let failed = local.iter().any(|d| d.severity == Severity::Error)
            || errors_in_file.contains_key(&r.id)
            || duplicate_files.contains(&r.id)
            || checked.resolution.is_none();
        ok[r.id.0 as usize] = !failed;
        all.extend(local);
    }

    // In order of name, scope, folder kind and path. A winner with errors
    // takes its name out of the plan; what it shadows stays out too (no
    // silent fallback to another definition).
    let mut agents: Vec<Agent> = Vec::with_capacity(results.len());
    let mut group: Vec<(Scope, Origin, FileId)> = Vec::new();
    for ids in cache.claimants.values() {
        group.clear();
        group.extend(
            ids.iter()
                .filter_map(|&id| cache.file(id).map(|f| (f.scope, f.origin, id))),
        );
        if group.len() > 1 {
            in_order(&mut group, sources);
        }
        for &(scope, origin, id) in &group {
            let Some(f) = cache.file(id) else { continue };
            let (Some(def), Some(checked)) = (&f.def, &f.checked) else {
                continue;
            };
            let mut shadows = winners.remove(&id).unwrap_or_default();
            shadows.sort_by(|x, y| {
                (scopes.get(x), &sources.get(*x).path).cmp(&(scopes.get(y), &sources.get(*y).path))
            });
            agents.push(Agent {
                def: Arc::clone(def),
                scope,
                origin,
                tools: checked.tools.clone(),
                resolution: checked.resolution.clone(),
                shadows,
                shadowed_by: shadowed.get(&id).copied(),
                ok: ok.get(id.0 as usize).copied().unwrap_or(false),
            });
        }
    }
    all.extend(suppressor.finish().into_iter().filter_map(|d| {
        match d.file().and_then(|f| scopes.get(&f).copied()) {
            Some(scope) => apply_lint_for(d, &config, scope),
            None => Some(d),
        }
    }));
    dedup(&mut all);
    let project = Project {
        root,
        config,
        agents,
        files,
        scopes,
    };
    (project, all)
}

/// What the names of a project come to.
struct Names {
    /// Files whose name another file of the same namespace also claims.
    duplicate_files: Vec<FileId>,
    /// Each winner of a contested name, with the files it shadows.
    winners: HashMap<FileId, Vec<FileId>>,
    /// Each shadowed file, with the file that shadows it.
    shadowed: HashMap<FileId, FileId>,
}

/// Names: duplicates within one folder kind of one scope, shadowing
/// across. A name claimed once has neither.
fn names(cache: &LinkCache, sources: &SourceMap, diags: &mut Vec<Diagnostic>) -> Names {
    let mut duplicate_files: Vec<FileId> = Vec::new();
    let mut winners: HashMap<FileId, Vec<FileId>> = HashMap::new();
    let mut shadowed: HashMap<FileId, FileId> = HashMap::new();
    let name_span = |id: FileId| -> Span {
        cache
            .file(id)
            .and_then(|f| f.def.as_ref())
            .map_or(Span::file_start(id), |d| d.name_span)
    };
    for name in &cache.contested {
        let Some(ids) = cache.claimants.get(name) else {
            continue;
        };
        let mut group: Vec<(Scope, Origin, FileId)> = ids
            .iter()
            .filter_map(|&id| cache.file(id).map(|f| (f.scope, f.origin, id)))
            .collect();
        in_order(&mut group, sources);
        // One namespace: a scope's folder kind; in a collection read with
        // `--dialect`, each folder is its own package.
        let same_namespace = |a: &(Scope, Origin, FileId), b: &(Scope, Origin, FileId)| {
            (a.0, a.1) == (b.0, b.1)
                && (a.1 != Origin::Collection
                    || sources.get(a.2).path.parent() == sources.get(b.2).path.parent())
        };
        for (i, cur) in group.iter().enumerate() {
            if let Some(first) = group[..i].iter().find(|g| same_namespace(g, cur)) {
                diags.push(
                    Diagnostic::at(
                        Rule::DuplicateName,
                        name_span(cur.2),
                        format!(
                            "agent `{name}` is defined twice in the {} scope",
                            cur.0.as_str()
                        ),
                    )
                    .with_label(name_span(first.2), "first defined here")
                    .with_help(
                        "rename one of them; two definitions with one name cannot both be opened",
                    ),
                );
                duplicate_files.push(cur.2);
                duplicate_files.push(first.2);
            }
        }
        let winner = group[0];
        for other in &group[1..] {
            if !same_namespace(&winner, other) {
                shadowed.insert(other.2, winner.2);
                winners.entry(winner.2).or_default().push(other.2);
            }
        }
    }
    Names {
        duplicate_files,
        winners,
        shadowed,
    }
}

/// Claimants of one name in precedence order: scope, folder kind, path.
fn in_order(group: &mut [(Scope, Origin, FileId)], sources: &SourceMap) {
    group.sort_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| sources.get(a.2).path.cmp(&sources.get(b.2).path))
    });
}

/// Copilot handoffs name agents, by id or by display name: one that no
/// file defines (and that is not one of Copilot's own agents) is a button
/// that opens nothing.
fn handoffs(cache: &LinkCache, diags: &mut Vec<Diagnostic>) {
    let display_names: std::collections::BTreeSet<&str> = cache
        .files
        .iter()
        .flatten()
        .filter_map(|f| f.def.as_ref()?.display_name.as_deref())
        .collect();
    for f in cache.files.iter().flatten() {
        let Some(def) = &f.def else { continue };
        for h in &def.handoffs {
            if display_names.contains(h.value.as_str())
                || COPILOT_BUILTIN_AGENTS.contains(&h.value.as_str())
                || cache.claimants.contains_key(h.value.as_str())
            {
                continue;
            }
            let names = cache.claimants.keys().map(|k| &**k);
            diags.push(
                Diagnostic::at(
                    Rule::UnknownAgent,
                    h.span,
                    format!("handoff to `{}`, which no agent file defines", h.value),
                )
                .with_help_opt(
                    crate::diagnostic::suggest(&h.value, names).or_else(|| {
                        Some(format!(
                            "name an agent of this project or one of Copilot's own ({})",
                            COPILOT_BUILTIN_AGENTS.join(", ")
                        ))
                    }),
                ),
            );
        }
    }
}

/// Definitions checked in parallel from this many on; fewer are checked
/// faster on the calling thread.
const PARALLEL_CHECKS: usize = 256;

/// Agents Copilot has built in, which a handoff may name.
const COPILOT_BUILTIN_AGENTS: &[&str] = &["agent", "ask", "edit", "plan"];

/// The checks of one definition on its own: tools, role, route,
/// capabilities and the explicit-route policy.
fn check_definition(
    def: &AgentDef,
    config: &Config,
    resolver: &Resolver,
    parent: Option<&LayerInput>,
    keep: Keep,
) -> Checked {
    let mut local = Vec::new();
    let tools = check_tools(def, config, &mut local);
    check_role(def, config, &mut local);
    let mut layers = resolver.config_layers(def.role.as_ref().map(|r| r.value.as_str()), &def.name);
    layers.push(agent_layer(def));
    if let Some(p) = parent {
        layers.push(p.clone());
    }
    let resolution = resolver.resolve(layers, &mut local);
    if let Some(r) = &resolution {
        crate::check::capability::check_declared(def, r, config, &mut local);
    }
    if config.require_explicit_route
        && let Some(r) = &resolution
        && r.route.inherit
        && !r.route.explicit_inherit
    {
        local.push(
            Diagnostic::at(
                Rule::ImplicitInherit,
                def.fence,
                format!("`{}` sets no route and would inherit the parent's; `[policy] require_explicit_route` is on", def.name),
            )
            .with_help("set `model:` (or `model: inherit` to inherit on purpose)"),
        );
    }
    Checked {
        tools,
        resolution: resolution.map(|mut r| {
            if keep != Keep::Whole {
                // Only explaining a route reads the layers.
                r.layers = Vec::new();
            }
            Arc::new(r)
        }),
        diagnostics: local,
    }
}

/// Applies the `[lint]` severity of the scope a finding is in.
fn apply_lint_for(mut d: Diagnostic, config: &Config, scope: Scope) -> Option<Diagnostic> {
    let sev = config.scope(scope).severity(d.rule, d.severity)?;
    d.severity = sev;
    Some(d)
}

fn dedup(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert((d.rule, d.span, d.message.clone())));
}

/// The agent layer of an agent's route.
pub fn agent_layer(def: &AgentDef) -> LayerInput {
    let mut l = LayerInput::new(Layer::Agent);
    l.dialect = def.dialect;
    l.provider = def
        .provider
        .as_ref()
        .map(|s| Value::new(&s.value, Some(s.span)));
    l.model = def
        .model
        .as_ref()
        .map(|s| Value::new(&s.value, Some(s.span)));
    l.fallback = def.fallback.as_ref().map(|(list, _)| {
        list.iter()
            .map(|s| Value::new(&s.value, Some(s.span)))
            .collect()
    });
    l
}

fn check_tools(def: &AgentDef, config: &Config, diags: &mut Vec<Diagnostic>) -> Tools {
    match &def.tools {
        ToolsDecl::Inherit => Tools::Inherit,
        ToolsDecl::All(_) => Tools::All,
        ToolsDecl::List(list) => {
            let mut out = Vec::new();
            for entry in list {
                match def.dialect.tool(&entry.value, &config.tools_extra) {
                    ToolName::Known(n) | ToolName::Mcp(n) => out.push(n),
                    ToolName::Unknown { name, suggestion } => {
                        if def.dialect == Dialect::Claude
                            && let Some(now) = Dialect::claude_retired_tool(&name)
                        {
                            diags.push(
                                Diagnostic::at(
                                    Rule::UnknownTool,
                                    entry.span,
                                    format!(
                                        "Claude Code no longer has a `{name}` tool; it drops it from the agent's tools"
                                    ),
                                )
                                .with_help(format!("use `{now}`")),
                            );
                            continue;
                        }
                        let help = match suggestion {
                            Some(s) => format!("did you mean `{s}`?"),
                            None if def.dialect == Dialect::Agentc => {
                                format!(
                                    "declare it in `[tools] extra` of agentc.toml if `{name}` is a tool of your harness"
                                )
                            }
                            None => format!("{} has no tool `{name}`", def.dialect.harness()),
                        };
                        let d = Diagnostic::at(
                            Rule::UnknownTool,
                            entry.span,
                            format!("unknown tool `{name}`"),
                        )
                        .with_help(help);
                        // Gemini CLI fails a file that names a tool it lacks.
                        diags.push(if def.dialect.rejects_unknown_keys() {
                            d.with_severity(Severity::Error)
                        } else {
                            d
                        });
                        out.push(name);
                    }
                }
            }
            out.sort();
            out.dedup();
            Tools::List(out.into())
        }
    }
}

fn check_role(def: &AgentDef, config: &Config, diags: &mut Vec<Diagnostic>) {
    let Some(role) = &def.role else { return };
    let roles: Vec<&str> = config
        .project
        .roles
        .iter()
        .chain(config.user.roles.iter())
        .map(|(r, _)| r.value.as_str())
        .collect();
    if roles.contains(&role.value.as_str()) {
        return;
    }
    let close = roles
        .iter()
        .copied()
        .filter(|r| strsim::damerau_levenshtein(r, &role.value) <= 2)
        .min_by_key(|r| (strsim::damerau_levenshtein(r, &role.value), *r));
    if let Some(r) = close {
        diags.push(
            Diagnostic::at(
                Rule::UnknownRole,
                role.span,
                format!(
                    "role `{}` matches no `[roles]` table; `[roles.{r}]` will not route this agent",
                    role.value
                ),
            )
            .with_help(format!("did you mean `{r}`?")),
        );
    }
}
