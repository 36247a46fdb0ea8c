//! `agentc check`: the project and user scope, or the files and folders
//! given, checked and reported.

use super::{CliError, CliResult, Outcome, args::CheckArgs, args::Cli};
use crate::check::fix;
use crate::check::project::{self, LoadRequest};
use crate::dialect::Dialect;
use crate::discover::{self, AgentFile, Env, ProjectFiles};
use crate::render::{Format, Report};
use crate::source::SourceMap;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub fn run(cli: &Cli, args: &CheckArgs, env: &Env) -> CliResult {
    let format = super::findings_format(cli.format.as_deref())?;
    let dialect = match &args.dialect {
        Some(d) => Some(Dialect::parse(d).ok_or_else(|| {
            CliError::Usage(format!(
                "unknown dialect `{d}`; expected agentc, claude, opencode, copilot, gemini, codex or cursor"
            ))
        })?),
        None => None,
    };
    if args.fix || args.diff {
        let fixed = apply_fixes(cli, args, env, dialect)?;
        if args.diff {
            return Ok(if fixed == 0 {
                Outcome::Clean
            } else {
                Outcome::Findings
            });
        }
    }
    let requests = requests(cli, args, env, dialect)?;
    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    let (mut files, mut agents) = (0, 0);
    let mut deny_warnings = args.deny_warnings;
    for mut req in requests {
        // Only the frontmatter of a file without findings of its own can
        // be pointed at from here on.
        req.keep = project::Keep::Lean {
            hash_prompts: false,
        };
        let (p, d) = project::load(req, env, &mut sources);
        files += p.files;
        agents += p.planned().count();
        deny_warnings |= p.config.project.deny_warnings.unwrap_or(false)
            || p.config.user.deny_warnings.unwrap_or(false);
        diagnostics.extend(d);
        // The process ends right after the report: freeing the project
        // (every definition of a large tree) would be wasted work.
        std::mem::forget(p);
    }
    let report = Report::new(&sources, diagnostics, files, agents);
    let out = if args.statistics {
        statistics(&report, cli.format.as_deref() == Some("json"))
    } else {
        let mut out = report.render(format, super::stdout_color(cli));
        if format == Format::Human && !cli.quiet {
            out.push_str(&summary_line(&report));
        }
        out
    };
    super::print(&out)?;
    let s = report.summary;
    if args.paths.is_empty() && s.files == 0 && !cli.quiet {
        // A first run in a project with no agents yet: not a failure, but
        // worth a word on where agentc looked.
        super::eprint(
            "note: no agent files found here; agentc reads `.agents/` (and `.claude/agents/`, `.opencode/agent/`, `.github/agents/`) from the project root and your user scope; `agentc init` starts one\n",
        );
    }
    std::mem::forget(report);
    std::mem::forget(sources);
    Ok(if s.errors > 0 || (deny_warnings && s.warnings > 0) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// `--fix` and `--diff`: the fixes of every file checked, written in place
/// or printed as a diff. Returns how many fixes there were.
fn apply_fixes(
    cli: &Cli,
    args: &CheckArgs,
    env: &Env,
    dialect: Option<Dialect>,
) -> Result<usize, CliError> {
    let mut sources = SourceMap::default();
    let mut changes = Vec::new();
    for req in requests(cli, args, env, dialect)? {
        let mut agent_files = req.project.agents.clone();
        if let Some(u) = &req.user {
            agent_files.extend(u.agents.iter().cloned());
        }
        let (p, d) = project::load(req, env, &mut sources);
        let cx = fix::FixContext {
            config: &p.config,
            scopes: &p.scopes,
            agent_files: &agent_files,
        };
        changes.extend(fix::fix_files(&cx, &d, &sources));
    }
    let total: usize = changes.iter().map(|c| c.applied).sum();
    if args.diff {
        let mut out = String::new();
        for c in &changes {
            out.push_str(&fix::unified_diff(&c.display, &c.original, &c.fixed));
        }
        super::print(&out)?;
        if !cli.quiet {
            super::eprint(&format!(
                "{} in {}; run `agentc check --fix` to apply {}.\n",
                plural(total, "fix", "fixes"),
                plural(changes.len(), "file", "files"),
                if total == 1 { "it" } else { "them" }
            ));
        }
        return Ok(total);
    }
    for c in &changes {
        // The file changed since it was read (an editor saved it): leave it.
        let now = std::fs::read(&c.path).ok();
        if now.as_deref() != Some(c.original.as_bytes()) {
            super::eprint(&format!(
                "agentc: warning: `{}` changed while it was being fixed; left as it is\n",
                c.display
            ));
            continue;
        }
        // A symlinked agent file inside the root: its target is edited and
        // the link stays a link.
        let target = crate::fsutil::real_path(&c.path).unwrap_or_else(|| c.path.clone());
        crate::fsutil::write_atomic(&target, c.fixed.as_bytes())
            .map_err(|e| CliError::Io(format!("cannot write `{}`: {e}", c.display)))?;
    }
    if !cli.quiet {
        super::eprint(&format!(
            "Fixed {} in {}.\n",
            plural(total, "finding", "findings"),
            plural(changes.len(), "file", "files")
        ));
    }
    Ok(total)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `--statistics`: findings counted per rule, most frequent first.
pub fn statistics(report: &Report, json: bool) -> String {
    #[derive(Default)]
    struct Row {
        count: usize,
        fixable: usize,
        severity: Option<crate::diagnostic::Severity>,
    }
    let mut rows: BTreeMap<&'static str, Row> = BTreeMap::new();
    for (d, _) in &report.diagnostics {
        let row = rows.entry(d.rule.code()).or_default();
        row.count += 1;
        row.fixable += usize::from(d.fix.is_some());
        row.severity = row.severity.max(Some(d.severity));
    }
    let mut rows: Vec<(&str, Row)> = rows.into_iter().collect();
    rows.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    if json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|(code, r)| {
                serde_json::json!({
                    "code": code,
                    "count": r.count,
                    "fixable": r.fixable,
                    "severity": r.severity.map(|s| s.as_str()),
                })
            })
            .collect();
        let value = serde_json::json!({
            "statistics": list,
            "summary": serde_json::to_value(report.summary).unwrap_or_default(),
        });
        return crate::route::plan::to_sorted_json(&value);
    }
    let width = rows.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (code, r) in &rows {
        let sev = r.severity.map_or("", |s| s.as_str());
        let fixable = if r.fixable > 0 {
            format!("  ({} fixable)", r.fixable)
        } else {
            String::new()
        };
        out.push_str(&format!("{:>5}  {code:<width$}  {sev}{fixable}\n", r.count));
    }
    out.push_str(&summary_line(report));
    out
}

pub fn summary_line(report: &Report) -> String {
    let s = report.summary;
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let read = format!(
        "{} checked, {} compiled",
        plural(s.files, "file"),
        plural(s.agents, "agent")
    );
    if s.errors == 0 && s.warnings == 0 {
        format!("All checks passed: {read}.\n")
    } else {
        format!(
            "Found {} and {}: {read}.\n",
            plural(s.errors, "error"),
            plural(s.warnings, "warning")
        )
    }
}

fn requests(
    cli: &Cli,
    args: &CheckArgs,
    env: &Env,
    dialect: Option<Dialect>,
) -> Result<Vec<LoadRequest>, CliError> {
    if args.paths.is_empty() {
        let root = super::project_root(cli, env)?;
        let mut project = discover::discover_project(&root);
        if let Some(d) = dialect {
            project = discover::discover_tree(&root, Some(d))
                .into_iter()
                .next()
                .unwrap_or(project);
        }
        return Ok(vec![LoadRequest {
            project,
            user: super::user_files(env, !cli.no_user),
            parent: None,
            keep: crate::check::project::Keep::Whole,
        }]);
    }
    let mut by_root: BTreeMap<PathBuf, ProjectFiles> = BTreeMap::new();
    let mut out = Vec::new();
    for path in &args.paths {
        let full = env.cwd.join(path);
        let meta = std::fs::metadata(&full).map_err(|e| {
            CliError::Usage(format!("cannot read `{}`: {}", path.display(), io_kind(&e)))
        })?;
        if meta.is_dir() {
            if dialect.is_none()
                && let Some(user) = user_folder(env, &full)
            {
                out.push(user);
                continue;
            }
            let found = discover::discover_tree(&full, dialect);
            if found
                .iter()
                .all(|p| p.agents.is_empty() && p.config.is_none() && p.escapes.is_empty())
            {
                return Err(nothing_found(path, &full, dialect));
            }
            for p in found {
                out.push(LoadRequest {
                    project: p,
                    user: None,
                    parent: None,
                    keep: crate::check::project::Keep::Whole,
                });
            }
        } else {
            let parent = full.parent().unwrap_or(&env.cwd).to_path_buf();
            let root = discover::find_project_root(&parent);
            let (d, origin) = match dialect {
                Some(d) => (d, discover::Origin::Collection),
                None => discover::dialect_of_file(&full),
            };
            let stem_path = full.clone();
            let name = stem_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stem = name
                .strip_suffix(".md")
                .or_else(|| name.strip_suffix(".toml"))
                .unwrap_or(&name);
            let stem = if d == Dialect::Copilot {
                stem.strip_suffix(".agent").unwrap_or(stem)
            } else {
                stem
            };
            let entry = by_root.entry(root.clone()).or_insert_with(|| {
                let config = root.join(discover::AGENTS_DIR).join(discover::CONFIG_FILE);
                ProjectFiles {
                    config: config.is_file().then_some(config),
                    root: root.clone(),
                    ..Default::default()
                }
            });
            if !entry.agents.iter().any(|a| a.path == full) {
                entry.agents.push(AgentFile {
                    stem: stem.to_string(),
                    path: full,
                    dialect: d,
                    origin,
                });
            }
        }
    }
    out.extend(by_root.into_values().map(|project| LoadRequest {
        project,
        user: None,
        parent: None,
        keep: crate::check::project::Keep::Whole,
    }));
    if args.user
        && !cli.no_user
        && let Some(user) = super::user_files(env, true)
    {
        out.push(LoadRequest {
            project: ProjectFiles {
                root: user.root.clone(),
                ..Default::default()
            },
            user: Some(user),
            parent: None,
            keep: crate::check::project::Keep::Whole,
        });
    }
    Ok(out)
}

/// The user scope's folder (or its `agents/`) given as a path: read as
/// the user scope it is, with its own config.
fn user_folder(env: &Env, full: &std::path::Path) -> Option<LoadRequest> {
    let user_dir = env.user_dir.as_deref()?;
    let real = |p: &std::path::Path| p.canonicalize().ok();
    let given = real(full)?;
    let agents = real(&user_dir.join("agents"));
    if Some(&given) != real(user_dir).as_ref() && Some(&given) != agents.as_ref() {
        return None;
    }
    let user = discover::discover_user(user_dir);
    Some(LoadRequest {
        project: ProjectFiles {
            root: user.root.clone(),
            ..Default::default()
        },
        user: Some(user),
        parent: None,
        keep: crate::check::project::Keep::Whole,
    })
}

/// A folder given on the command line in which nothing was found: an error
/// that names it, with the way to read loose files when there are some.
fn nothing_found(
    given: &std::path::Path,
    full: &std::path::Path,
    dialect: Option<Dialect>,
) -> CliError {
    let shown = given.display();
    if let Some(d) = dialect {
        return CliError::Usage(format!(
            "no agent files found in `{shown}`: no `*.{}` file below it to read as {} files",
            if d.is_toml() { "toml" } else { "md" },
            d.as_str()
        ));
    }
    let loose = discover::markdown_files_below(full);
    let help = if loose > 0 {
        // Markdown dialects only: Codex roles are TOML files.
        let dialects: Vec<&str> = Dialect::ALL
            .iter()
            .filter(|d| !d.is_toml())
            .map(|d| d.as_str())
            .collect();
        format!(
            "{loose} markdown {} below it {} in no agent folder; to read {} as agent files, add `--dialect {}`",
            if loose == 1 { "file" } else { "files" },
            if loose == 1 { "is" } else { "are" },
            if loose == 1 { "it" } else { "them" },
            dialects.join("|")
        )
    } else {
        "agentc reads `.agents/` and the agent folders of other harnesses (`.claude/agents/`, `.opencode/agent/`, `.github/agents/`, ...) below a folder".to_string()
    };
    // OpenCode can also define agents inside its config file, which agentc
    // does not read: say so rather than let the folder look empty.
    let config = ["opencode.json", "opencode.jsonc"]
        .iter()
        .find(|f| full.join(f).is_file())
        .map(|f| {
            format!(
                "\n  note: agents defined in `{f}` are not read; agentc reads OpenCode agents from `.opencode/agent/*.md`"
            )
        })
        .unwrap_or_default();
    CliError::Usage(format!(
        "no agent files found in `{shown}`\n  help: {help}{config}"
    ))
}

fn io_kind(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// `check --format json` of `paths` (relative to `env.cwd`), each folder
/// its own project as on the command line: what the MCP server's `check`
/// tool answers when it is given paths.
pub fn json_for_paths(env: &Env, paths: &[String]) -> Result<String, CliError> {
    use clap::Parser;
    let mut argv = vec!["agentc".to_string(), "check".to_string(), "--".to_string()];
    argv.extend(paths.iter().cloned());
    let cli = Cli::try_parse_from(&argv).map_err(|e| CliError::Usage(e.to_string()))?;
    let super::Command::Check(args) = &cli.command else {
        return Err(CliError::Usage("not a check command".into()));
    };
    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    let (mut files, mut agents) = (0, 0);
    for req in requests(&cli, args, env, None)? {
        let (p, d) = project::load(req, env, &mut sources);
        files += p.files;
        agents += p.planned().count();
        diagnostics.extend(d);
    }
    let report = Report::new(&sources, diagnostics, files, agents);
    Ok(crate::render::json::render(&report))
}
