//! `agentc init`, `agentc add NAME` and `agentc new NAME --template T`:
//! new files in `.agents/`, never written over existing ones.

use super::args::{AddArgs, Cli, NewArgs};
use super::{CliError, CliResult, Outcome};
use crate::check::project::{self, LoadRequest};
use crate::convert::scaffold::{self, Route};
use crate::diagnostic::{Severity, suggest};
use crate::discover::{self, Env};
use crate::render::{Format, Report};
use crate::source::{self, SourceMap};
use std::path::{Path, PathBuf};

/// Writes every file, or none when one of them exists already.
fn write_all(root: &Path, files: &[(PathBuf, String)], env: &Env) -> Result<(), CliError> {
    for (rel, _) in files {
        let path = root.join(rel);
        let shown = source::relative_display(&path, &env.cwd);
        for dir in rel
            .ancestors()
            .skip(1)
            .filter(|d| !d.as_os_str().is_empty())
        {
            if std::fs::metadata(root.join(dir)).is_ok_and(|m| !m.is_dir()) {
                return Err(CliError::Usage(format!(
                    "`{}` is a file, not a folder; agentc writes nothing over it",
                    source::relative_display(&root.join(dir), &env.cwd)
                )));
            }
        }
        crate::fsutil::destination_in_root(root, &path)
            .map_err(|e| CliError::Usage(e.to_string().replace(&source::slash(&path), &shown)))?;
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(CliError::Usage(format!(
                "`{}` already exists; agentc writes nothing over an existing file",
                source::relative_display(&path, &env.cwd)
            )));
        }
    }
    for (rel, text) in files {
        let path = root.join(rel);
        crate::fsutil::write_new_in_root(root, &path, text.as_bytes()).map_err(|e| {
            let shown = source::relative_display(&path, &env.cwd);
            match e {
                crate::fsutil::WriteError::Io(e)
                    if e.kind() == std::io::ErrorKind::AlreadyExists =>
                {
                    CliError::Usage(format!(
                        "`{shown}` already exists; agentc writes nothing over an existing file"
                    ))
                }
                e => CliError::Io(format!("cannot write `{shown}`: {e}")),
            }
        })?;
    }
    Ok(())
}

pub fn init(cli: &Cli, env: &Env) -> CliResult {
    let root = match &cli.project {
        Some(_) => super::project_root(cli, env)?,
        None => env.cwd.clone(),
    };
    let files: Vec<(PathBuf, String)> = scaffold::init_files()
        .into_iter()
        .map(|(p, t)| (p, t.to_string()))
        .collect();
    write_all(&root, &files, env)?;
    if !cli.quiet {
        let names: Vec<&str> = scaffold::CATALOGUE.iter().map(|e| e.name).collect();
        let dir = source::relative_display(&root.join(discover::AGENTS_DIR), &env.cwd);
        super::print(&format!(
            "Created {dir}/ with agentc.toml and {} agents: {}.\nNext: `agentc plan` shows where each one runs; edit .agents/agentc.toml to route them.\n",
            names.len(),
            names.join(", ")
        ))?;
    }
    Ok(Outcome::Clean)
}

pub fn add(cli: &Cli, args: &AddArgs, env: &Env) -> CliResult {
    let root = super::project_root(cli, env)?;
    let mut files = Vec::new();
    for name in &args.names {
        let Some(entry) = scaffold::catalogue(name) else {
            let names: Vec<&str> = scaffold::CATALOGUE.iter().map(|e| e.name).collect();
            let hint = suggest(name, names.iter().copied())
                .map(|h| format!("{h} "))
                .unwrap_or_default();
            return Err(CliError::Usage(format!(
                "no agent `{name}` in the catalogue; {hint}the catalogue has: {}",
                names.join(", ")
            )));
        };
        files.push((
            Path::new(discover::AGENTS_DIR).join(format!("{name}.md")),
            entry.text.to_string(),
        ));
    }
    write_all(&root, &files, env)?;
    report_written(cli, env, &root, &files)
}

pub fn new(cli: &Cli, args: &NewArgs, env: &Env) -> CliResult {
    if !crate::model::agent::is_agent_name(&args.name) {
        let slug = crate::model::agent::slugify(&args.name);
        let hint = if slug.is_empty() {
            String::new()
        } else {
            format!(" (try `{slug}`)")
        };
        return Err(CliError::Usage(format!(
            "`{}` is not a valid agent name: names match `^[a-z0-9][a-z0-9._-]{{0,63}}$`{hint}",
            args.name
        )));
    }
    let Some(template) = scaffold::template(&args.template) else {
        let names: Vec<&str> = scaffold::TEMPLATES.iter().map(|e| e.name).collect();
        let hint = suggest(&args.template, names.iter().copied())
            .map(|h| format!("{h} "))
            .unwrap_or_default();
        return Err(CliError::Usage(format!(
            "no template `{}`; {hint}the templates are: {}",
            args.template,
            names.join(", ")
        )));
    };
    let root = super::project_root(cli, env)?;
    let route = Route {
        provider: args.provider.clone(),
        model: args.model.clone(),
    };
    let text = scaffold::render_template(template.text, &args.name, &route);
    let files = vec![(
        Path::new(discover::AGENTS_DIR).join(format!("{}.md", args.name)),
        text,
    )];
    write_all(&root, &files, env)?;
    report_written(cli, env, &root, &files)
}

/// Names the files written, then checks them in their project: a new agent
/// routed to a provider that does not exist is reported at once.
fn report_written(cli: &Cli, env: &Env, root: &Path, files: &[(PathBuf, String)]) -> CliResult {
    let written: Vec<PathBuf> = files.iter().map(|(p, _)| root.join(p)).collect();
    let mut sources = SourceMap::default();
    let (p, diags) = project::load(
        LoadRequest {
            project: discover::discover_project(root),
            user: None,
            parent: None,
        },
        env,
        &mut sources,
    );
    let mine: Vec<_> = diags
        .into_iter()
        .filter(|d| {
            d.file()
                .is_some_and(|f| written.contains(&sources.get(f).path))
        })
        .collect();
    let errors = mine.iter().any(|d| d.severity == Severity::Error);
    let compiled = p
        .agents
        .iter()
        .filter(|a| a.ok && written.contains(&sources.get(a.def.file).path))
        .count();
    let report = Report::new(&sources, mine, written.len(), compiled);
    let mut out = String::new();
    if !cli.quiet {
        for path in &written {
            out.push_str(&format!(
                "Created {}\n",
                source::relative_display(path, &env.cwd)
            ));
        }
    }
    if !report.diagnostics.is_empty() {
        out.push_str(&report.render(Format::Human, super::stdout_color(cli)));
        out.push_str(&super::check::summary_line(&report));
    }
    super::print(&out)?;
    Ok(if errors {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
