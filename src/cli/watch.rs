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
        verbose: cli.verbose,
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
    /// `-v`: a line on stderr for every generation, even a silent one.
    verbose: bool,
    root: String,
}

impl View {
    fn show(&mut self, live: &LivePlan) -> Result<(), CliError> {
        // The plan file first: it is what executors and scripts wait for.
        if let Some((path, named)) = &self.out {
            let text = &mut self.plan_text;
            // Not flushed to the disk each time: the next generation (or
            // `agentc plan --out`) writes it again, and at 10,000 agents
            // the flush of 12 MB was most of a reload's time.
            crate::fsutil::replace_atomic(path, false, |w| text.write(&live.plan, w))
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
        // The keys of DESIGN §7 first, in its order, then the others.
        let mut out = event(
            "reload",
            vec![
                ("generation", json!(g)),
                ("changed", json!(r.changed)),
                ("parsed", json!(r.parsed)),
                ("agents", json!(s.agents)),
                ("errors", json!(s.errors)),
                ("warnings", json!(s.warnings)),
                ("elapsed_us", json!(r.elapsed.as_micros() as u64)),
                (
                    "stale",
                    json!(live.stale().map(|a| a.name.as_str()).collect::<Vec<_>>()),
                ),
                ("diagnostics_changed", json!(changed)),
                ("configs", json!(r.configs)),
                ("rescan", json!(r.rescan)),
            ],
        );
        for p in &r.problems {
            out.push_str(&event(
                "problem",
                vec![("generation", json!(g)), ("message", json!(p))],
            ));
        }
        if changed {
            for d in diagnostics {
                let mut fields = vec![("generation", json!(g))];
                if let Value::Object(m) = &d {
                    fields.extend(m.iter().map(|(k, v)| (k.as_str(), v.clone())));
                }
                out.push_str(&event("diagnostic", fields));
            }
            self.last = Some(key);
        }
        if self.emit_plan {
            let plan = serde_json::to_value(&live.plan).unwrap_or(Value::Null);
            out.push_str(&event(
                "plan",
                vec![("generation", json!(g)), ("plan", plan)],
            ));
        }
        super::print(&out)
    }

    fn show_human(&mut self, live: &LivePlan) -> Result<(), CliError> {
        let r = &live.reload;
        for p in &r.problems {
            super::eprint(&format!("agentc: warning: {p}\n"));
        }
        if self.verbose {
            super::eprint(&format!(
                "generation {}: {} changed, {} parsed in {:.1} ms{}\n",
                live.generation,
                r.changed.len(),
                r.parsed,
                r.elapsed.as_secs_f64() * 1000.0,
                if r.changed.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.changed.join(", "))
                }
            ));
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
        } else if self.last.is_some() {
            // Not a terminal: one report after another, a blank line apart.
            out.push('\n');
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

/// One NDJSON line: `{"event":KIND,...fields}` with the fields in the
/// order given (objects inside them have sorted keys).
fn event(kind: &str, fields: Vec<(&str, Value)>) -> String {
    let mut line = format!("{{\"event\":{}", json!(kind));
    for (key, value) in fields {
        line.push(',');
        line.push_str(&json!(key).to_string());
        line.push(':');
        line.push_str(&value.to_string());
    }
    line.push_str("}\n");
    line
}
