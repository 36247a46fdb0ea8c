//! `agentc trust`: shows the project's provider tables that would send a
//! key off this machine and are not trusted yet, and records their hashes
//! in the user directory after confirmation; `--list`, `--revoke` and
//! `--revoke-all` manage the record.

use super::{CliError, CliResult, Outcome, args::Cli, args::TrustArgs};
use crate::check::project;
use crate::diagnostic::Severity;
use crate::discover::{self, Env};
use crate::model::config::{Config, ProviderTable, ScopeConfig};
use crate::model::trust::{self, AskedTables, FileTrustStore, TrustEntry};
use crate::render::escape::escape;
use crate::render::{Format, Report};
use crate::rules::Rule;
use crate::source::{Scope, SourceMap};
use serde_json::json;
use std::fmt::Write;
use std::io::IsTerminal;

// Long: list, trust and untrust share the table display.
pub fn run(cli: &Cli, args: &TrustArgs, env: &Env) -> CliResult {
    let format = super::parse_format(cli.format.as_deref(), "text", &["text", "json"])?;
    let Some(user_dir) = env.user_dir.as_deref() else {
        return Err(CliError::Usage(
            "no user directory to record trust in; set AGENTC_USER_DIR".into(),
        ));
    };
    let store = FileTrustStore::load(Some(user_dir));
    let mut entries = store
        .read_entries()
        .map_err(|e| CliError::Io(e.to_string()))?;
    let save = |entries: &[TrustEntry]| {
        store
            .save(entries)
            .map_err(|e| CliError::Io(format!("cannot write the trust record: {e}")))
    };
    if args.list {
        super::print(&entries_out(&entries, format, "trusted"))?;
        return Ok(Outcome::Clean);
    }
    if args.revoke_all || args.revoke.is_some() {
        let removed = match &args.revoke {
            Some(what) => {
                trust::revoke(&mut entries, what).map_err(|e| CliError::Usage(e.to_string()))?
            }
            None => std::mem::take(&mut entries),
        };
        save(&entries)?;
        super::print(&entries_out(&removed, format, "revoked"))?;
        return Ok(Outcome::Clean);
    }

    let root = super::project_root(cli, env)?;
    let files = discover::discover_project(&root);
    let mut sources = SourceMap::default();
    let configs = project::load_configs(&files, None, env, &mut sources);
    let config_errors: Vec<_> = configs
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && d.rule != Rule::CredentialHostMismatch)
        .cloned()
        .collect();
    if !config_errors.is_empty() {
        let report = Report::new(&sources, config_errors, 0, 0);
        super::eprint(&report.render(Format::Human, super::stderr_color(cli)));
        return Err(CliError::Usage(
            "the project config has errors; fix them before trusting its providers".into(),
        ));
    }
    // Trust can never lift a well-known key sent to another host: say so.
    let mismatches: Vec<_> = configs
        .diagnostics
        .iter()
        .filter(|d| d.rule == Rule::CredentialHostMismatch)
        .cloned()
        .collect();
    if !mismatches.is_empty() && !cli.quiet {
        let report = Report::new(&sources, mismatches, 0, 0);
        super::eprint(&report.render(Format::Human, super::stderr_color(cli)));
        super::eprint("these tables cannot be trusted; give them their own key variable\n");
    }
    let candidates = tables_needing_trust(configs.config.project.clone(), env);
    let project_path = root.display().to_string();
    let pending: Vec<(&ProviderTable, TrustEntry)> = candidates
        .iter()
        .map(|t| (t, entry(t, &project_path)))
        .filter(|(_, e)| !store.hashes.contains(&e.hash))
        .collect();
    if pending.is_empty() {
        if format == "json" {
            super::print(&entries_out(&[], format, "trusted"))?;
        } else if !cli.quiet {
            super::print("Nothing to trust: no untrusted provider table in this project.\n")?;
        }
        return Ok(Outcome::Clean);
    }
    if format == "text" {
        let mut out = String::from(
            "These project provider tables would send a key to a host other than this machine:\n",
        );
        for (t, e) in &pending {
            let at = sources_location(&sources, t);
            let _ = writeln!(
                out,
                "  {}  {}  key variable {}  ({}, hash {})",
                escape(&e.id),
                escape(e.base_url.as_deref().unwrap_or("-")),
                escape(e.api_key_env.as_deref().unwrap_or("-")),
                escape(&at),
                &e.hash[..12]
            );
        }
        super::print_text(&out)?;
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::Usage(
                "not trusting without confirmation: standard input is not a terminal; run `agentc trust --yes` to trust the tables listed"
                    .into(),
            ));
        }
        super::eprint(&format!(
            "Trust {} table{} and send their keys to these hosts? [y/N] ",
            pending.len(),
            if pending.len() == 1 { "" } else { "s" }
        ));
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| CliError::Io(format!("cannot read the answer: {e}")))?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            super::eprint("Nothing was trusted.\n");
            return Ok(Outcome::Findings);
        }
    }
    let new: Vec<TrustEntry> = pending.into_iter().map(|(_, e)| e).collect();
    trust::add_entries(&mut entries, new.clone());
    save(&entries)?;
    if format == "json" {
        super::print(&entries_out(&new, format, "trusted"))?;
    } else if !cli.quiet {
        super::print(&format!(
            "Trusted {} table{}; recorded in {}.\n",
            new.len(),
            if new.len() == 1 { "" } else { "s" },
            user_dir.join(trust::TRUST_FILE).display()
        ))?;
    }
    Ok(Outcome::Clean)
}

/// The project tables whose trust depends on the user's record.
fn tables_needing_trust(project: ScopeConfig, env: &Env) -> Vec<ProviderTable> {
    let asked = AskedTables::default();
    Config::merge(
        project,
        ScopeConfig::empty(Scope::User),
        &asked,
        env.ollama_host.as_deref(),
        &mut Vec::new(),
    );
    asked.into_tables()
}

fn entry(t: &ProviderTable, project: &str) -> TrustEntry {
    let preset = crate::model::config::presets::preset(&t.id);
    TrustEntry {
        id: t.id.clone(),
        hash: trust::table_hash(t),
        base_url: t
            .base_url
            .as_ref()
            .map(|s| s.value.clone())
            .or(preset.map(|p| p.base_url.to_string())),
        api_key_env: t
            .api_key_env
            .as_ref()
            .map(|s| s.value.clone())
            .or(preset.and_then(|p| p.api_key_env.map(str::to_string))),
        project: Some(project.to_string()),
    }
}

fn sources_location(sources: &SourceMap, t: &ProviderTable) -> String {
    let f = sources.get(t.key_span.file);
    format!("{}:{}", f.display, f.line_col(t.key_span.start).0)
}

fn entries_out(entries: &[TrustEntry], format: &str, what: &str) -> String {
    if format == "json" {
        return crate::route::plan::to_sorted_json(&json!({ what: entries }));
    }
    if entries.is_empty() {
        return format!("No table {what}.\n");
    }
    let mut out = String::new();
    for e in entries {
        let _ = writeln!(
            out,
            "{}  {}  key variable {}  {}{}",
            escape(&e.id),
            escape(e.base_url.as_deref().unwrap_or("-")),
            escape(e.api_key_env.as_deref().unwrap_or("-")),
            escape(&e.hash),
            e.project
                .as_deref()
                .map(|p| format!("  ({})", escape(p)))
                .unwrap_or_default()
        );
    }
    let heading = match what {
        "revoked" => "Revoked:\n",
        _ => "",
    };
    format!("{heading}{out}")
}
