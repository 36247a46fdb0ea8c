//! `agentc plan`: the routing plan as a table or JSON, written atomically
//! with `--out`, or compared with a committed lock with `--check`.

use super::{CliError, CliResult, Outcome, args::Cli, args::PlanArgs};
use crate::check::project;
use crate::discover::Env;
use crate::render::{Format, Report};
use crate::route::plan::{self, Plan};
use crate::source::SourceMap;
use serde_json::Value;
use std::fmt::Write;

pub fn run(cli: &Cli, args: &PlanArgs, env: &Env) -> CliResult {
    let format = super::parse_format(cli.format.as_deref(), "table", &["table", "json"])?;
    // A lock is compared with the project scope only, so a plan committed
    // from a laptop matches CI.
    let read_user = !cli.no_user && args.check.is_none();
    let mut req = super::load_request(cli, env, read_user, args.parent.clone())?;
    // The plan points into frontmatter only, and hashes each prompt.
    req.keep = project::Keep::Lean { hash_prompts: true };
    let mut sources = SourceMap::default();
    let (project, diagnostics) = project::load(req, env, &mut sources);
    let outcome = if args.out.is_some() || args.check.is_some() {
        lock(cli, args, env, &project, &sources, diagnostics)
    } else if format == "json" {
        stream_json(cli, &project, &sources, diagnostics)
    } else {
        let plan = plan::build(&project, &sources, &diagnostics);
        report_findings(cli, &project, &sources, diagnostics, plan.summary.agents);
        let printed = super::print_text(&table(&plan));
        let errors = plan.summary.errors;
        std::mem::forget(plan);
        printed.map(|()| outcome_of(errors))
    };
    // The process ends right after: freeing every definition and entry of
    // a large tree would be wasted work.
    std::mem::forget(project);
    std::mem::forget(sources);
    outcome
}

/// The findings of the load, on stderr, for a person.
fn report_findings(
    cli: &Cli,
    project: &project::Project,
    sources: &SourceMap,
    diagnostics: Vec<crate::diagnostic::Diagnostic>,
    agents: usize,
) {
    if !diagnostics.is_empty() {
        let report = Report::new(sources, diagnostics, project.files, agents);
        super::eprint(&report.render(Format::Human, super::stderr_color(cli)));
        std::mem::forget(report);
    }
}

/// Findings when the plan has an error, else clean.
fn outcome_of(errors: usize) -> Outcome {
    if errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

fn errors_in(diagnostics: &[crate::diagnostic::Diagnostic]) -> usize {
    use crate::diagnostic::Severity;
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

/// `plan --out FILE` and `plan --check FILE`: the plan's JSON made as
/// `--format json` writes it, then written atomically, or compared with
/// the committed file as it is made (the whole plan is built only to say
/// what changed).
fn lock(
    cli: &Cli,
    args: &PlanArgs,
    env: &Env,
    project: &project::Project,
    sources: &SourceMap,
    diagnostics: Vec<crate::diagnostic::Diagnostic>,
) -> CliResult {
    use crate::render::plan_json;
    let errors = errors_in(&diagnostics);
    let agents = plan_json::agent_count(project);
    if let Some(out) = &args.out {
        let mut json = Vec::new();
        plan_json::write(project, sources, &diagnostics, &mut json)
            .map_err(|e| CliError::Io(format!("cannot make the plan: {e}")))?;
        report_findings(cli, project, sources, diagnostics, agents);
        let path = env.cwd.join(out);
        crate::fsutil::write_atomic(&path, &json)
            .map_err(|e| CliError::Io(format!("cannot write `{}`: {e}", out.display())))?;
        if !cli.quiet {
            super::eprint(&format!(
                "wrote the plan of {agents} agents to {}\n",
                out.display()
            ));
        }
    } else if let Some(lock) = &args.check {
        let path = env.cwd.join(lock);
        let old =
            crate::fsutil::read_bounded_text(&path, crate::fsutil::limits::PLAN).map_err(|e| {
                CliError::Io(format!(
                    "cannot read `{}`: {e}",
                    crate::render::escape::escape(&lock.display().to_string())
                ))
            })?;
        let mut same = SameAs::new(old.as_bytes());
        plan_json::write(project, sources, &diagnostics, &mut same)
            .map_err(|e| CliError::Io(format!("cannot make the plan: {e}")))?;
        // Only a lock out of date needs the whole plan: to say what changed.
        let changed = (!same.is_same()).then(|| plan::build(project, sources, &diagnostics));
        report_findings(cli, project, sources, diagnostics, agents);
        if let Some(plan) = changed {
            super::print(&format!(
                "{} is out of date; run `agentc plan --no-user --out {}` and commit it:\n{}",
                lock.display(),
                lock.display(),
                describe_changes(&old, &plan)
            ))?;
            return Ok(Outcome::Findings);
        }
        if !cli.quiet {
            super::eprint(&format!("{} is up to date\n", lock.display()));
        }
    }
    Ok(outcome_of(errors))
}

/// A writer that compares what it is given with `old`, so that a lock is
/// checked without holding a second copy of the plan.
struct SameAs<'a> {
    old: &'a [u8],
    /// How much of `old` was matched; `None` after a difference.
    matched: Option<usize>,
}

impl<'a> SameAs<'a> {
    fn new(old: &'a [u8]) -> SameAs<'a> {
        SameAs {
            old,
            matched: Some(0),
        }
    }

    /// Everything written was `old`, and all of it.
    fn is_same(&self) -> bool {
        self.matched == Some(self.old.len())
    }
}

impl std::io::Write for SameAs<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.matched = self.matched.and_then(|at| {
            let end = at.checked_add(buf.len())?;
            (self.old.get(at..end) == Some(buf)).then_some(end)
        });
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `plan --format json` to stdout: the findings on stderr, then the plan
/// written as it is made (a large project's plan is never held whole).
fn stream_json(
    cli: &Cli,
    project: &project::Project,
    sources: &SourceMap,
    diagnostics: Vec<crate::diagnostic::Diagnostic>,
) -> CliResult {
    use std::io::Write;
    let errors = errors_in(&diagnostics);
    // The findings go to stderr first; they are rendered while the first
    // entries are made.
    let findings = || {
        if !diagnostics.is_empty() {
            let agents = crate::render::plan_json::agent_count(project);
            report_findings(cli, project, sources, diagnostics.clone(), agents);
        }
        Ok(())
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written =
        crate::render::plan_json::write_after(project, sources, &diagnostics, &mut out, findings)
            .and_then(|()| out.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(CliError::Io(format!("cannot write to stdout: {e}"))),
    }
    Ok(outcome_of(errors))
}

/// What changed between a committed plan and the current one, per agent
/// and provider, field by field.
pub fn describe_changes(old_text: &str, new: &Plan) -> String {
    let new_v = serde_json::to_value(new).unwrap_or(Value::Null);
    let old_v: Value = match serde_json::from_str(old_text) {
        Ok(v) => v,
        Err(e) => return format!("  the committed file is not a plan: {e}\n"),
    };
    let mut out = String::new();
    for (section, key) in [("agents", "name"), ("providers", "id")] {
        let index = |v: &Value| -> std::collections::BTreeMap<String, Value> {
            v.get(section)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|e| Some((e.get(key)?.as_str()?.to_string(), e.clone())))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (o, n) = (index(&old_v), index(&new_v));
        let what = &section[..section.len() - 1];
        for (name, ov) in &o {
            match n.get(name) {
                None => {
                    let _ = writeln!(out, "  - {what} `{name}` removed");
                }
                Some(nv) if nv != ov => {
                    let _ = writeln!(out, "  ~ {what} `{name}` changed:");
                    diff_values("", ov, nv, &mut out);
                }
                _ => {}
            }
        }
        for (name, nv) in &n {
            if !o.contains_key(name) {
                let route = nv
                    .get("route")
                    .map(|r| format!(" → {}", route_text(r)))
                    .unwrap_or_default();
                let _ = writeln!(out, "  + {what} `{name}` added{route}");
            }
        }
    }
    if out.is_empty() {
        out.push_str("  (the routes are the same; the file's formatting or summary differs)\n");
    }
    out
}

fn route_text(r: &Value) -> String {
    match (
        r.get("provider").and_then(Value::as_str),
        r.get("model").and_then(Value::as_str),
    ) {
        (Some(p), Some(m)) => format!("{p}/{m}"),
        (None, Some(m)) => m.to_string(),
        _ => "inherit".into(),
    }
}

fn diff_values(path: &str, old: &Value, new: &Value, out: &mut String) {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            let keys: std::collections::BTreeSet<&String> = o.keys().chain(n.keys()).collect();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (o.get(k), n.get(k)) {
                    (Some(a), Some(b)) if a != b => diff_values(&p, a, b, out),
                    (Some(a), None) => {
                        let _ = writeln!(out, "      {p}: {a} → (absent)");
                    }
                    (None, Some(b)) => {
                        let _ = writeln!(out, "      {p}: (absent) → {b}");
                    }
                    _ => {}
                }
            }
        }
        _ => {
            let _ = writeln!(out, "      {path}: {old} → {new}");
        }
    }
}

/// The plan for people: one row per agent.
pub fn table(plan: &Plan) -> String {
    let mut rows: Vec<[String; 7]> = vec![[
        "AGENT".into(),
        "ROLE".into(),
        "PROVIDER".into(),
        "MODEL".into(),
        "CHOSEN BY".into(),
        "FALLBACKS".into(),
        "TOOLS".into(),
    ]];
    for a in &plan.agents {
        let r = &a.route;
        let dash = || "-".to_string();
        // Left to the parent: the whole route, or only the provider of a
        // bare model that no lower layer gives one.
        let from_parent =
            |s: &Option<plan::PlanSource>| s.as_ref().is_some_and(|s| s.layer == "parent");
        let provider = match (&r.provider, r.inherit || from_parent(&r.provider_source)) {
            (Some(p), _) if r.trusted == Some(false) => format!("{p} (untrusted)"),
            (Some(p), _) => p.clone(),
            (None, true) => "(parent)".into(),
            (None, false) => dash(),
        };
        let model = match (&r.model, r.inherit || from_parent(&r.model_source)) {
            (Some(m), _) => m.clone(),
            (None, true) => "(parent)".into(),
            (None, false) => dash(),
        };
        let chosen = match (&r.provider_source, &r.model_source) {
            _ if r.inherit => "inherit".to_string(),
            (Some(p), Some(m)) if p.layer != m.layer => format!("{} + {}", p.layer, m.layer),
            (_, Some(m)) => m.layer.clone(),
            (Some(p), None) => p.layer.clone(),
            (None, None) => dash(),
        };
        let fallbacks = if a.fallbacks.is_empty() {
            dash()
        } else {
            a.fallbacks
                .iter()
                .map(|f| match &f.provider {
                    Some(p) => format!("{p}/{}", f.model),
                    None => f.model.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let tools = match &a.tools {
            None => "(parent)".into(),
            Some(plan::PlanTools::All(_)) => "*".into(),
            Some(plan::PlanTools::List(l)) if l.is_empty() => "(none)".into(),
            Some(plan::PlanTools::List(l)) => l.join(", "),
        };
        let name = if a.shadows.is_empty() {
            a.name.clone()
        } else {
            format!("{}*", a.name)
        };
        rows.push(
            [
                name,
                a.role.clone().unwrap_or_else(dash),
                provider,
                model,
                chosen,
                fallbacks,
                tools,
            ]
            .map(|c| crate::render::escape::escape(&c).into_owned()),
        );
    }
    let mut widths = [0usize; 7];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i == 6 {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let shadowing: Vec<&plan::PlanAgent> = plan
        .agents
        .iter()
        .filter(|a| !a.shadows.is_empty())
        .map(|a| &**a)
        .collect();
    if !shadowing.is_empty() {
        out.push('\n');
        for a in shadowing {
            for s in &a.shadows {
                let _ = writeln!(
                    out,
                    "* {} ({}) shadows {} ({})",
                    crate::render::escape::escape(&a.name),
                    crate::render::escape::escape(&a.path),
                    crate::render::escape::escape(&s.path),
                    s.scope.as_str()
                );
            }
        }
    }
    let s = plan.summary;
    let _ = writeln!(
        out,
        "\n{} agents planned from {} files; {} errors, {} warnings.",
        s.agents, s.files, s.errors, s.warnings
    );
    out
}

#[cfg(test)]
mod tests {
    use super::SameAs;
    use std::io::Write;

    fn same(old: &str, written: &[&str]) -> bool {
        let mut w = SameAs::new(old.as_bytes());
        for part in written {
            w.write_all(part.as_bytes()).expect("writing to memory");
        }
        w.is_same()
    }

    #[test]
    fn a_lock_is_the_same_only_when_every_byte_is() {
        assert!(same("{\n}\n", &["{\n", "}\n"]));
        assert!(same("", &[]));
        assert!(same("", &[""]));
        // Shorter, longer, different, and a difference mended later.
        assert!(!same("{\n}\n", &["{\n"]));
        assert!(!same("{\n}\n", &["{\n}\n", " "]));
        assert!(!same("{\n}\n", &["{\n", "]\n"]));
        assert!(!same("ab", &["x", "b"]));
        assert!(!same("ab", &["b", "a"]));
    }
}
