//! `agentc export --to DIALECT` and `agentc import --from DIALECT PATH`.
//!
//! Both report, per agent, every field that did not carry over as it was:
//! on stderr, or as JSON on stdout with `--format json`. Export replaces only
//! files it wrote itself (they carry a marker line) unless `--force`; import
//! never replaces a file unless `--force`. Either refuses before writing
//! anything, and every write is atomic.

use super::args::{Cli, ExportArgs, ImportArgs};
use super::{CliError, CliResult, Outcome};
use crate::check::project::{self, LoadRequest};
use crate::convert::{self, Note, export as ex, import as im};
use crate::dialect::Dialect;
use crate::discover::{self, AgentFile, Env, Origin};
use crate::source::{self, Scope, SourceMap};
use serde_json::json;
use std::path::{Path, PathBuf};

fn dialect(s: &str) -> Result<Dialect, CliError> {
    Dialect::parse(s)
        .filter(|d| *d != Dialect::Agentc)
        .ok_or_else(|| {
            CliError::Usage(format!(
                "unknown dialect `{s}`; expected claude, opencode, copilot, gemini, codex or cursor"
            ))
        })
}

fn json_format(cli: &Cli) -> Result<bool, CliError> {
    Ok(super::parse_format(cli.format.as_deref(), "text", &["text", "json"])? == "json")
}

fn notes_text(notes: &[Note]) -> String {
    notes
        .iter()
        .map(|n| {
            // Every line names its field, once.
            let named = n.message.starts_with(&format!("`{}", n.field))
                || n.message.starts_with("extension `");
            if named {
                format!("    {:<12} {}\n", n.kind.as_str(), n.message)
            } else {
                format!("    {:<12} {}: {}\n", n.kind.as_str(), n.field, n.message)
            }
        })
        .collect()
}

fn notes_json(notes: &[Note]) -> serde_json::Value {
    serde_json::to_value(notes).unwrap_or_default()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Refuses, naming them, when files that must not be replaced are there.
fn refuse(conflicts: &[String], what: &str, hint: &str) -> Result<(), CliError> {
    match conflicts {
        [] => Ok(()),
        [one] => Err(CliError::Usage(format!(
            "`{one}` exists and {what}; nothing was written ({hint})"
        ))),
        [first, rest @ ..] => Err(CliError::Usage(format!(
            "`{first}` and {} exist and {what}; nothing was written ({hint})",
            plural(rest.len(), "other file", "other files")
        ))),
    }
}

// Long: read, convert, refuse overwrites, write and report: one command top to bottom.
pub fn export(cli: &Cli, args: &ExportArgs, env: &Env) -> CliResult {
    let to = dialect(&args.to)?;
    let json = json_format(cli)?;
    let root = super::project_root(cli, env)?;
    let mut sources = SourceMap::default();
    let (p, _) = project::load(
        LoadRequest {
            project: discover::discover_project(&root),
            user: None,
            parent: None,
            keep: crate::check::project::Keep::Whole,
        },
        env,
        &mut sources,
    );
    let out_dir = match &args.out {
        Some(o) => env.cwd.join(o),
        None => root.join(ex::default_dir(to)),
    };
    let shown = |path: &Path| source::relative_display(path, &env.cwd);

    let mut exported: Vec<(PathBuf, String, ex::Exported)> = Vec::new();
    let mut broken: Vec<(String, String, String)> = Vec::new();
    for a in p.agents.iter().filter(|a| {
        a.origin == Origin::Agents && a.scope == Scope::Project && a.shadowed_by.is_none()
    }) {
        let src = sources.get(a.def.file);
        if !a.ok {
            broken.push((
                a.def.name.clone(),
                src.display.clone(),
                "the definition has errors (see `agentc check`)".to_string(),
            ));
            continue;
        }
        let e = if to == Dialect::Codex {
            convert::codex::export(&a.def, &src.text, &src.plan_path, &p.config)
        } else {
            ex::export(&a.def, &src.text, &src.plan_path, &p.config, to)
        };
        if let Some(why) = &e.refused {
            broken.push((a.def.name.clone(), src.display.clone(), why.clone()));
            continue;
        }
        exported.push((out_dir.join(&e.file_name), src.display.clone(), e));
    }
    if exported.is_empty() && broken.is_empty() {
        return Err(CliError::Usage(format!(
            "no agent definitions in `{}` to export",
            shown(&root.join(discover::AGENTS_DIR))
        )));
    }

    // Replace only what export wrote, unless --force.
    let mut conflicts = Vec::new();
    let mut existing: Vec<Option<String>> = Vec::new();
    for (path, _, _) in &exported {
        let now = std::fs::read_to_string(path).ok();
        if path.exists() && !args.force && !now.as_deref().is_some_and(convert::is_exported) {
            conflicts.push(shown(path));
        }
        existing.push(now);
    }
    refuse(
        &conflicts,
        "was not written by `agentc export`",
        "use --force to replace it",
    )?;

    let mut statuses = Vec::new();
    for ((path, _, e), now) in exported.iter().zip(&existing) {
        let status = if now.as_deref() == Some(e.text.as_str()) {
            "unchanged"
        } else if args.dry_run {
            "would write"
        } else {
            write_project_file(args.out.is_none().then_some(&root), path, &e.text, true)
                .map_err(|err| CliError::Io(format!("cannot write `{}`: {err}", shown(path))))?;
            "written"
        };
        statuses.push(status);
    }

    // An earlier export's file for an agent not exported now is not gone
    // with it: the harness still loads it, and it may say more than the
    // definition does now.
    let left: Vec<PathBuf> = broken
        .iter()
        .map(|(name, _, _)| out_dir.join(ex::file_name(name, to)))
        .filter(|p| {
            std::fs::read_to_string(p)
                .ok()
                .is_some_and(|t| convert::is_exported(&t))
        })
        .collect();
    // Files an earlier export wrote for agents that are gone.
    let written: Vec<&PathBuf> = exported
        .iter()
        .map(|(p, _, _)| p)
        .chain(left.iter())
        .collect();
    let mut stale: Vec<String> = std::fs::read_dir(&out_dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && !written.contains(&p))
                .filter(|p| {
                    std::fs::read_to_string(p)
                        .ok()
                        .is_some_and(|t| convert::is_exported(&t))
                })
                .map(|p| shown(&p))
                .collect()
        })
        .unwrap_or_default();
    stale.sort();

    if json {
        let agents: Vec<serde_json::Value> = exported
            .iter()
            .zip(&statuses)
            .map(|((path, src, e), status)| {
                json!({"name": e.name, "source": src, "path": shown(path),
                       "status": status, "notes": notes_json(&e.notes)})
            })
            .collect();
        let broken: Vec<serde_json::Value> = broken
            .iter()
            .map(|(n, s, why)| json!({"name": n, "source": s, "reason": why}))
            .collect();
        let value = json!({"to": to.as_str(), "dir": shown(&out_dir), "agents": agents,
                           "not_exported": broken, "stale": stale,
                           "left": left.iter().map(|p| shown(p)).collect::<Vec<_>>()});
        super::print(&crate::route::plan::to_sorted_json(&value))?;
    } else {
        let mut out = String::new();
        for ((path, src, e), status) in exported.iter().zip(&statuses) {
            out.push_str(&format!("{src} → {} ({status})\n", shown(path)));
            out.push_str(&notes_text(&e.notes));
        }
        for (name, src, why) in &broken {
            out.push_str(&format!("{src}: not exported: `{name}`: {why}\n"));
        }
        for l in &left {
            out.push_str(&format!(
                "{}: left as an earlier export wrote it; the harness still loads it, though it may not match the definition now (fix the definition, or remove the file)\n",
                shown(l)
            ));
        }
        for s in &stale {
            out.push_str(&format!(
                "{s}: written by an earlier export for an agent that is gone; remove it if it is not needed\n"
            ));
        }
        let lost: usize = exported.iter().map(|(_, _, e)| e.notes.len()).sum();
        if !cli.quiet {
            out.push_str(&format!(
                "{} {} for {} in {}; {} reported.\n",
                if args.dry_run {
                    "Would export"
                } else {
                    "Exported"
                },
                plural(exported.len(), "agent", "agents"),
                to.harness(),
                shown(&out_dir),
                plural(lost, "field not carried over", "fields not carried over"),
            ));
        }
        super::eprint_text(&out);
    }
    Ok(if broken.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// The files `import` reads below PATH (or PATH itself).
/// The files to import, and the paths below `path` left out (symlinks that
/// leave it, FIFOs, loops), each reported as skipped.
fn import_sources(
    path: &Path,
    from: Dialect,
    env: &Env,
) -> Result<(Vec<AgentFile>, Vec<PathBuf>), CliError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        CliError::Usage(format!(
            "cannot read `{}`: {}",
            source::relative_display(path, &env.cwd),
            match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
                _ => e.to_string(),
            }
        ))
    })?;
    if meta.is_file() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = match from {
            Dialect::Codex => name.strip_suffix(".toml").unwrap_or(&name),
            _ => name.strip_suffix(".md").unwrap_or(&name),
        };
        let stem = match from {
            Dialect::Copilot => stem.strip_suffix(".agent").unwrap_or(stem),
            _ => stem,
        };
        return Ok((
            vec![AgentFile {
                path: path.to_path_buf(),
                dialect: from,
                origin: Origin::Collection,
                stem: stem.to_string(),
            }],
            Vec::new(),
        ));
    }
    let projects = discover::discover_tree(path, Some(from));
    let left_out: Vec<PathBuf> = projects.iter().flat_map(|p| p.escapes.clone()).collect();
    let mut files: Vec<AgentFile> = projects
        .into_iter()
        .flat_map(|p| p.agents)
        .filter(|f| from != Dialect::Copilot || f.path.to_string_lossy().ends_with(".agent.md"))
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((files, left_out))
}

// Long: read, convert, refuse overwrites, write and report: one command top to bottom.
pub fn import(cli: &Cli, args: &ImportArgs, env: &Env) -> CliResult {
    let from = dialect(&args.from)?;
    let json = json_format(cli)?;
    let (files, left_out) = import_sources(&env.cwd.join(&args.path), from, env)?;
    let shown = |path: &Path| source::relative_display(path, &env.cwd);
    if files.is_empty() {
        return Err(CliError::Usage(format!(
            "no {} agent files in `{}`",
            from.harness(),
            shown(&env.cwd.join(&args.path))
        )));
    }
    let root = super::project_root(cli, env)?;
    let out_dir = match &args.out {
        Some(o) => env.cwd.join(o),
        None => root.join(discover::AGENTS_DIR),
    };

    let mut imported: Vec<(String, PathBuf, im::Imported)> = Vec::new();
    let mut skipped: Vec<(String, String)> = left_out
        .iter()
        .map(|p| (shown(p), crate::check::project::not_read_reason(p)))
        .collect();
    for f in &files {
        let src = shown(&f.path);
        let (text, problem) = source::read_limited(&f.path, 262_144);
        if let Some(problem) = problem {
            skipped.push((src, format!("cannot be read: {problem}")));
            continue;
        }
        let result = if from == Dialect::Codex {
            convert::codex::import(&text, &f.stem)
        } else {
            im::import(&text, from, &f.stem)
        };
        match result {
            Ok(i) => {
                if let Some((first, _, _)) = imported.iter().find(|(_, _, o)| o.name == i.name) {
                    skipped.push((
                        src,
                        format!("`{}` is imported from `{first}` already", i.name),
                    ));
                    continue;
                }
                let target = out_dir.join(format!("{}.md", i.name));
                imported.push((src, target, i));
            }
            Err(diags) => {
                let why = diags
                    .iter()
                    .find(|d| d.severity == crate::Severity::Error)
                    .or(diags.first())
                    .map(|d| {
                        let line = d.span.map_or(1, |s| {
                            text[..s.start.min(text.len())].matches('\n').count() + 1
                        });
                        format!(
                            "line {line}: {}[{}] {}",
                            d.severity.as_str(),
                            d.rule,
                            d.message
                        )
                    })
                    .unwrap_or_else(|| "cannot be read".into());
                skipped.push((src, why));
            }
        }
    }

    let conflicts: Vec<String> = imported
        .iter()
        .filter(|(_, t, _)| t.exists() && !args.force)
        .map(|(_, t, _)| shown(t))
        .collect();
    refuse(&conflicts, "would be replaced", "use --force to replace it")?;
    if !args.dry_run {
        for (_, target, i) in &imported {
            write_project_file(
                args.out.is_none().then_some(&root),
                target,
                &i.text,
                args.force,
            )
            .map_err(|e| CliError::Io(format!("cannot write `{}`: {e}", shown(target))))?;
        }
    }

    let mut extra: Vec<String> = imported
        .iter()
        .flat_map(|(_, _, i)| i.extra_tools.iter().cloned())
        .collect();
    extra.sort();
    extra.dedup();
    if json {
        let agents: Vec<serde_json::Value> = imported
            .iter()
            .map(|(src, target, i)| {
                json!({"name": i.name, "source": src, "path": shown(target),
                       "notes": notes_json(&i.notes)})
            })
            .collect();
        let skipped: Vec<serde_json::Value> = skipped
            .iter()
            .map(|(s, why)| json!({"source": s, "reason": why}))
            .collect();
        let value = json!({"from": from.as_str(), "dir": shown(&out_dir), "agents": agents,
                           "skipped": skipped, "extra_tools": extra, "dry_run": args.dry_run});
        super::print(&crate::route::plan::to_sorted_json(&value))?;
    } else {
        let mut out = String::new();
        for (src, target, i) in &imported {
            out.push_str(&format!("{src} → {}\n", shown(target)));
            out.push_str(&notes_text(&i.notes));
        }
        for (src, why) in &skipped {
            out.push_str(&format!("{src}: not imported: {why}\n"));
        }
        if !extra.is_empty() {
            let list: Vec<String> = extra.iter().map(|t| format!("{t:?}")).collect();
            out.push_str(&format!(
                "Tools agentc does not know were kept as written; to accept them, add to agentc.toml:\n  [tools]\n  extra = [{}]\n",
                list.join(", ")
            ));
        }
        if !cli.quiet {
            let noted = imported
                .iter()
                .filter(|(_, _, i)| !i.notes.is_empty())
                .count();
            out.push_str(&format!(
                "{} {} into {} ({} with notes), {} skipped.\n",
                if args.dry_run {
                    "Would import"
                } else {
                    "Imported"
                },
                plural(imported.len(), "agent", "agents"),
                shown(&out_dir),
                noted,
                skipped.len()
            ));
        }
        super::eprint_text(&out);
    }
    Ok(if skipped.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// Writes a converted file: inside the project `root` when the folder is
/// the project's own (a symlinked `.claude` or `.agents` must not carry the
/// files elsewhere), wherever `--out` says otherwise. Without `replace`, an
/// existing file is never written over.
fn write_project_file(
    root: Option<&PathBuf>,
    path: &Path,
    text: &str,
    replace: bool,
) -> Result<(), crate::fsutil::WriteError> {
    use crate::fsutil;
    match (root, replace) {
        (Some(root), true) => fsutil::write_in_root(root, path, text.as_bytes()),
        (Some(root), false) => fsutil::write_new_in_root(root, path, text.as_bytes()),
        (None, true) => Ok(fsutil::write_atomic(path, text.as_bytes())?),
        (None, false) => Ok(fsutil::write_new_atomic(path, text.as_bytes())?),
    }
}
