//! `agentc watch`: follows the agent folders and configs of both scopes,
//! reports diagnostics as they change, and with `--out` keeps a plan file
//! current. `--format json` prints one NDJSON event per line.

use super::{CliError, CliResult, Outcome, args::Cli, args::WatchArgs};
use crate::discover::Env;
use crate::render::Format;
use crate::watch::{LivePlan, PlanText, PlanWatcher, WatchOptions};
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

/// How often the loop looks whether Ctrl-C was pressed.
const INTERRUPT_CHECK: Duration = Duration::from_millis(100);

pub fn run(cli: &Cli, args: &WatchArgs, env: &Env) -> CliResult {
    let format = super::parse_format(cli.format.as_deref(), "human", &["human", "json"])?;
    if args.emit_plan && format != "json" {
        return Err(CliError::Usage(
            "--emit-plan prints plan events and needs --format json".into(),
        ));
    }
    if args.poll == Some(0) {
        return Err(CliError::Usage(
            "--poll: the interval must be at least 1 ms".into(),
        ));
    }
    let root = super::project_root(cli, env)?;
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| CliError::Io(format!("cannot handle Ctrl-C: {e}")))?;
    let options = WatchOptions {
        project_root: root.clone(),
        read_user: !cli.no_user,
        parent: args.parent.clone(),
        debounce: Duration::from_millis(args.debounce),
        poll: args.poll.map(Duration::from_millis),
    };
    let watcher = PlanWatcher::start(options, env).map_err(|e| CliError::Io(e.to_string()))?;
    let generations = watcher.every_generation();
    let mut view = View {
        json: format == "json",
        emit_plan: args.emit_plan,
        out: args.out.as_ref().map(|o| (env.cwd.join(o), o.clone())),
        plan_text: PlanText::new(),
        last: None,
        color: super::stdout_color(cli),
        clear: std::io::stdout().is_terminal(),
        quiet: cli.quiet,
        root: crate::source::relative_display(&root, &env.cwd),
    };
    while !interrupted.load(Ordering::SeqCst) {
        match generations.recv_timeout(INTERRUPT_CHECK) {
            Ok(live) => view.show(&live)?,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(CliError::Io("the file watcher stopped".into()));
            }
        }
    }
    watcher.stop();
    Ok(Outcome::Clean)
}

/// What is printed and written for each generation.
struct View {
    json: bool,
    emit_plan: bool,
    /// `--out`: where to write, and how the user named it.
    out: Option<(PathBuf, PathBuf)>,
    plan_text: PlanText,
    /// What was last shown of the diagnostics, to print nothing when a
    /// generation leaves them as they were.
    last: Option<String>,
    color: bool,
    clear: bool,
    quiet: bool,
    root: String,
}

impl View {
    fn show(&mut self, live: &LivePlan) -> Result<(), CliError> {
        // The plan file first: it is what executors and scripts wait for.
        if let Some((path, named)) = &self.out {
            let text = &mut self.plan_text;
            crate::fsutil::write_atomic_with(path, |w| text.write(&live.plan, w))
                .map_err(|e| CliError::Io(format!("cannot write `{}`: {e}", named.display())))?;
        }
        if self.json {
            self.show_json(live)
        } else {
            self.show_human(live)
        }
    }

    fn show_json(&mut self, live: &LivePlan) -> Result<(), CliError> {
        let g = live.generation;
        let diagnostics = live.findings.json();
        let key = serde_json::to_string(&diagnostics).unwrap_or_default();
        let changed = self.last.as_deref() != Some(key.as_str());
        let r = &live.reload;
        let s = &live.plan.summary;
        let mut out = event(
            "reload",
            json!({
                "generation": g,
                "changed": r.changed,
                "parsed": r.parsed,
                "configs": r.configs,
                "rescan": r.rescan,
                "agents": s.agents,
                "errors": s.errors,
                "warnings": s.warnings,
                "stale": live.stale().map(|a| a.name.as_str()).collect::<Vec<_>>(),
                "diagnostics_changed": changed,
                "elapsed_us": r.elapsed.as_micros() as u64,
            }),
        );
        for p in &r.problems {
            out.push_str(&event("problem", json!({"generation": g, "message": p})));
        }
        if changed {
            for mut d in diagnostics {
                if let Value::Object(m) = &mut d {
                    m.insert("generation".into(), json!(g));
                }
                out.push_str(&event("diagnostic", d));
            }
            self.last = Some(key);
        }
        if self.emit_plan {
            out.push_str(&event(
                "plan",
                json!({"generation": g, "plan": serde_json::to_value(&live.plan).unwrap_or(Value::Null)}),
            ));
        }
        super::print(&out)
    }

    fn show_human(&mut self, live: &LivePlan) -> Result<(), CliError> {
        for p in &live.reload.problems {
            super::eprint(&format!("agentc: warning: {p}\n"));
        }
        let report = live.findings.report();
        let mut body = report.render(Format::Human, self.color);
        for a in live.stale() {
            body.push_str(&format!(
                "stale: `{}` ({}) keeps its last good definition until its errors are fixed\n",
                a.name, a.path
            ));
        }
        if self.last.as_deref() == Some(body.as_str()) {
            return Ok(());
        }
        let mut out = String::new();
        if self.clear {
            // Clear the screen and go home: each generation redraws.
            out.push_str("\x1b[2J\x1b[H");
        }
        out.push_str(&body);
        if !self.quiet {
            out.push_str(&super::check::summary_line(&report));
            out.push_str(&format!(
                "[generation {}] watching {} for changes; Ctrl-C to stop\n",
                live.generation, self.root
            ));
        }
        self.last = Some(body);
        super::print(&out)
    }
}

/// One NDJSON line: `{"event":KIND,...fields}`, `event` first so the kind
/// is the first thing a reader sees; the other keys sorted.
fn event(kind: &str, fields: Value) -> String {
    let rest = serde_json::to_string(&fields).unwrap_or_default();
    let rest = rest
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or("");
    let sep = if rest.is_empty() { "" } else { "," };
    format!("{{\"event\":{}{sep}{rest}}}\n", json!(kind))
}
