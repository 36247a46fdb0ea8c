//! `agentc doctor`: what `check` reports for the project and the user
//! scope, plus the live checks against the routed providers' servers and
//! the environment's key variables.

use super::{CliError, CliResult, Outcome, args::Cli, args::DoctorArgs};
use crate::check::project;
use crate::discover::Env;
use crate::exec::providers::{self, ProbeOptions, ProbeReport};
use crate::render::{Format, Report};
use crate::rules::Rule;
use crate::source::SourceMap;
use std::fmt::Write;

pub fn run(cli: &Cli, args: &DoctorArgs, env: &Env) -> CliResult {
    let format = super::findings_format(cli.format.as_deref())?;
    let req = super::load_request(cli, env, !cli.no_user, None)?;
    let mut sources = SourceMap::default();
    let (project, mut diagnostics) = project::load(req, env, &mut sources);
    let routed = crate::exec::doctor::routed_providers(&project);
    let routed: Vec<String> = routed.into_iter().collect();
    let targets = providers::targets(
        &project.config,
        args.all,
        Some(&routed),
        &super::providers::process_env,
    );
    let probe = providers::probe(targets, &ProbeOptions::default())
        .map_err(|e| CliError::Io(e.to_string()))?;
    // A requirement the config already declares unmet is reported once.
    let declared: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.rule == Rule::CapabilityMismatch)
        .map(|d| d.span)
        .collect();
    diagnostics.extend(
        crate::exec::doctor::findings(&project, &probe, &super::providers::process_env)
            .into_iter()
            .filter(|d| d.rule != Rule::CapabilityMismatch || !declared.contains(&d.span)),
    );
    let deny_warnings = args.deny_warnings
        || project.config.project.deny_warnings.unwrap_or(false)
        || project.config.user.deny_warnings.unwrap_or(false);
    let agents = project.planned().count();
    let report = Report::new(&sources, diagnostics, project.files, agents);
    let mut out = report.render(format, super::stdout_color(cli));
    if format == Format::Human && !cli.quiet {
        out.push_str(&probe_line(&probe));
        out.push_str(&super::check::summary_line(&report));
    }
    super::print(&out)?;
    let s = report.summary;
    Ok(if s.errors > 0 || (deny_warnings && s.warnings > 0) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// One line on what was probed.
fn probe_line(probe: &ProbeReport) -> String {
    if probe.providers.is_empty() {
        return "No local provider is routed to; nothing was probed.\n".into();
    }
    let parts: Vec<String> = probe
        .providers
        .iter()
        .map(|p| match (&p.models, p.reachable) {
            (Some(m), true) => format!(
                "{} reachable ({} model{})",
                p.id,
                m.len(),
                if m.len() == 1 { "" } else { "s" }
            ),
            (None, true) => format!("{} reachable, no model listing", p.id),
            (_, false) => format!(
                "{} unreachable ({})",
                p.id,
                p.error.as_deref().unwrap_or("no answer")
            ),
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(out, "Probed {}.", parts.join(", "));
    out
}
