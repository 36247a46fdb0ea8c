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
    let mut present = String::new();
    for name in &args.names {
        let Some(entry) = scaffold::catalogue(name) else {
            let names: Vec<&str> = scaffold::CATALOGUE.iter().map(|e| e.name).collect();
            let hint = scaffold::by_role(name)
                .map(|n| format!("did you mean `{n}`?"))
                .or_else(|| suggest(name, names.iter().copied()))
                .map(|h| format!("{h} "))
                .unwrap_or_default();
            return Err(CliError::Usage(format!(
                "no agent `{name}` in the catalogue; {hint}the catalogue has: {}",
                names.join(", ")
            )));
        };
        let rel = Path::new(discover::AGENTS_DIR).join(format!("{name}.md"));
        // Already there (`init` wrote it, or an earlier `add`): nothing to
        // do, as `cargo add` of a dependency the manifest has. An edited
        // copy is kept as it is.
        let path = root.join(&rel);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            let shown = source::relative_display(&path, &env.cwd);
            let same = std::fs::read(&path).is_ok_and(|t| t == entry.text.as_bytes());
            present.push_str(&if same {
                format!("`{shown}` is already there; nothing to do\n")
            } else {
                format!(
                    "`{shown}` is already there and differs from the catalogue's `{name}`; left as it is\n"
                )
            });
            continue;
        }
        if files.iter().all(|(p, _)| p != &rel) {
            files.push((rel, entry.text.to_string()));
        }
    }
    if !cli.quiet {
        super::print(&present)?;
    }
    if files.is_empty() {
        return Ok(Outcome::Clean);
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
        let roles = scaffold::ROLE_NAMES.iter().map(|(r, _)| *r);
        let hint =
            crate::diagnostic::did_you_mean(&args.template, names.iter().copied().chain(roles))
                .map(|h| format!("did you mean `{}`? ", scaffold::by_role(h).unwrap_or(h)))
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
    refuse_errors(env, &root, &files, args)?;
    write_all(&root, &files, env)?;
    report_written(cli, env, &root, &files)
}

/// Checks the files about to be written in their project, from memory:
/// an error in them (`--provider lm-studoi`) is a usage error naming the
/// argument, and nothing is written.
fn refuse_errors(
    env: &Env,
    root: &Path,
    files: &[(PathBuf, String)],
    args: &NewArgs,
) -> Result<(), CliError> {
    let mut project = discover::discover_project(root);
    let mut overlay = source::Overlay::default();
    for (rel, text) in files {
        let path = root.join(rel);
        if std::fs::symlink_metadata(&path).is_ok() {
            // `write_all` refuses it with its own message.
            return Ok(());
        }
        overlay.set(path.clone(), text.clone());
        project.agents.push(discover::AgentFile {
            stem: args.name.clone(),
            path,
            dialect: crate::dialect::Dialect::Agentc,
            origin: discover::Origin::Agents,
        });
    }
    let written: Vec<PathBuf> = files.iter().map(|(p, _)| root.join(p)).collect();
    let mut sources = SourceMap::default();
    let (_, diags) = project::load_over(
        LoadRequest {
            project,
            user: None,
            parent: None,
            keep: crate::check::project::Keep::Whole,
        },
        env,
        &mut sources,
        &overlay,
    );
    let mut out = Vec::new();
    for d in &diags {
        let mine = d
            .file()
            .is_some_and(|f| written.contains(&sources.get(f).path));
        if !mine || d.severity != Severity::Error {
            continue;
        }
        // The argument that put the value there, when one did.
        let value = d
            .span
            .and_then(|s| sources.get(s.file).text.get(s.start..s.end));
        let arg = match value {
            Some(v) if args.provider.as_deref() == Some(v) => " (--provider)",
            Some(v) if args.model.as_deref() == Some(v) => " (--model)",
            _ => "",
        };
        let mut line = format!("{}: {}{arg}", d.rule.code(), d.message);
        if d.rule == crate::rules::Rule::MissingModel {
            line.push_str("\n  help: add `--model MODEL`");
        } else if let Some(help) = &d.help {
            line.push_str(&format!("\n  help: {help}"));
        }
        out.push(line);
    }
    if out.is_empty() {
        return Ok(());
    }
    let shown = written
        .first()
        .map(|p| source::relative_display(p, &env.cwd))
        .unwrap_or_default();
    Err(CliError::Usage(format!(
        "{}\nnothing was written to `{shown}`",
        out.join("\n")
    )))
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
            keep: crate::check::project::Keep::Whole,
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
