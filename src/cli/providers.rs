//! `agentc providers`: every provider (presets and configured) with its
//! scope, kind, address, key variable and trust; `--probe` asks the
//! servers which models they serve.

use super::{CliError, CliResult, Outcome, args::Cli, args::ProvidersArgs};
use crate::check::project;
use crate::diagnostic::{Severity, suggest};
use crate::discover::{self, Env};
use crate::exec::providers::{self, ProbeOptions, ProbeReport};
use crate::model::config::Config;
use crate::render::escape::escape;
use crate::render::{Format, Report};
use crate::source::SourceMap;
use serde_json::json;
use std::fmt::Write;

/// Reads an environment variable for the probe and the credential checks.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

pub fn run(cli: &Cli, args: &ProvidersArgs, env: &Env) -> CliResult {
    let format = super::parse_format(cli.format.as_deref(), "text", &["text", "json"])?;
    let root = super::project_root(cli, env)?;
    let files = discover::discover_project(&root);
    let user = super::user_files(env, !cli.no_user);
    let mut sources = SourceMap::default();
    let configs = project::load_configs(&files, user.as_ref(), env, &mut sources);
    let config = &configs.config;
    for id in &args.ids {
        if config.provider(id).is_none() {
            let help = suggest(id, config.providers.keys().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            return Err(CliError::Usage(format!("unknown provider `{id}`{help}")));
        }
    }
    // Errors make the list incomplete, so they are shown; warnings (such as
    // an untrusted table) are `agentc check`'s, and the list says `trusted`.
    let errors: Vec<_> = configs
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        let report = Report::new(&sources, errors.clone(), 0, 0);
        super::eprint(&report.render(Format::Human, super::stderr_color(cli)));
    }
    let only = (!args.ids.is_empty()).then_some(args.ids.as_slice());
    let out = if args.probe {
        let targets = providers::targets(config, args.all, only, &process_env);
        let skipped = if args.all {
            0
        } else {
            listed(config, only)
                .filter(|p| !providers::is_local(p))
                .count()
        };
        let report = providers::probe(targets, &ProbeOptions::default())
            .map_err(|e| CliError::Io(e.to_string()))?;
        if format == "json" {
            report.to_json()
        } else {
            probe_text(&report, skipped)
        }
    } else if format == "json" {
        list_json(config, only)
    } else {
        list_text(config, only)
    };
    if format == "json" {
        super::print(&out)?;
    } else {
        super::print_text(&out)?;
    }
    Ok(if !errors.is_empty() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn listed<'c>(
    config: &'c Config,
    only: Option<&'c [String]>,
) -> impl Iterator<Item = &'c crate::model::config::Provider> {
    config
        .providers
        .values()
        .filter(move |p| only.is_none_or(|ids| ids.contains(&p.id)))
}

fn list_json(config: &Config, only: Option<&[String]>) -> String {
    let providers: Vec<serde_json::Value> = listed(config, only)
        .map(|p| {
            json!({
                "id": p.id,
                "scope": p.scope.as_str(),
                "kind": p.kind.as_str(),
                "base_url": p.base_url,
                "api_key_env": p.api_key_env,
                // Whether the variable is set, never what it holds.
                "api_key_set": p.api_key_env.as_deref().map(|v| process_env(v).is_some_and(|k| !k.is_empty())),
                "trusted": p.trusted,
                "default_model": p.default_model.as_ref().map(|(m, _)| m),
                "max_concurrency": p.max_concurrency,
                "models": p.models,
                "local": providers::is_local(p),
            })
        })
        .collect();
    crate::route::plan::to_sorted_json(&json!({ "providers": providers }))
}

fn list_text(config: &Config, only: Option<&[String]>) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        [
            "ID",
            "SCOPE",
            "KIND",
            "BASE URL",
            "KEY VARIABLE",
            "TRUSTED",
            "DEFAULT MODEL",
            "MAX CONCURRENCY",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for p in listed(config, only) {
        let key = match p.api_key_env.as_deref() {
            Some(v) if process_env(v).is_some_and(|k| !k.is_empty()) => format!("{v} (set)"),
            Some(v) => format!("{v} (unset)"),
            None => "-".into(),
        };
        rows.push(vec![
            p.id.clone(),
            p.scope.as_str().into(),
            p.kind.as_str().into(),
            p.base_url.as_ref().map_or("-".into(), |u| u.to_string()),
            key,
            if p.trusted { "yes" } else { "no" }.into(),
            p.default_model
                .as_ref()
                .map_or("-".into(), |(m, _)| m.clone()),
            p.max_concurrency.map_or("-".into(), |n| n.to_string()),
        ]);
    }
    table(&rows)
}

fn probe_text(report: &ProbeReport, skipped: usize) -> String {
    let mut out = String::new();
    for p in &report.providers {
        let state = match (&p.server, p.reachable) {
            (Some(s), true) => format!("{s}, reachable"),
            (None, true) => "reachable".into(),
            (_, false) => "unreachable".into(),
        };
        let _ = writeln!(
            out,
            "{}  {}  ({})",
            escape(&p.id),
            escape(&p.base_url),
            escape(&state)
        );
        if let Some(e) = &p.error {
            let _ = writeln!(out, "  {}", escape(e));
        }
        let Some(models) = &p.models else { continue };
        if models.is_empty() {
            let _ = writeln!(out, "  no models");
            continue;
        }
        let mut rows = vec![
            ["MODEL", "LOADED", "CONTEXT", "VISION", "TOOLS"]
                .map(String::from)
                .to_vec(),
        ];
        let flag = |b: Option<bool>| match b {
            Some(true) => "yes".to_string(),
            Some(false) => "no".to_string(),
            None => "?".to_string(),
        };
        for m in models {
            rows.push(vec![
                m.id.clone(),
                flag(m.loaded),
                m.context_length.map_or("?".into(), |n| n.to_string()),
                flag(m.vision),
                flag(m.tools),
            ]);
        }
        for line in table(&rows).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    if report.providers.is_empty() {
        out.push_str("no provider to probe\n");
    }
    if skipped > 0 {
        let _ = writeln!(
            out,
            "{skipped} cloud provider{} not probed (use --all)",
            if skipped == 1 { "" } else { "s" }
        );
    }
    out
}

/// Columns padded to their widest cell.
fn table(rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| escape(c).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = Vec::new();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            let n = c.chars().count();
            match widths.get_mut(i) {
                Some(w) => *w = (*w).max(n),
                None => widths.push(n),
            }
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (c, w) in r.iter().zip(&widths) {
            let _ = write!(line, "{c:<w$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
