//! `agentc run AGENT PROMPT` and `agentc run --batch FILE`: the reference
//! executor on the command line. The answer streams to stdout (or one JSON
//! object, or one JSON line per batch task); fallbacks, failures and, on a
//! terminal, batch progress go to stderr.

use super::{CliError, CliResult, Outcome, args::Cli, args::RunArgs};
use crate::discover::Env;
use crate::exec::run::{
    Attempt, Batch, Executor, Observer, Report, RunError, RunOptions, Target, Task,
};
use crate::render::escape::escape;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub fn run(cli: &Cli, args: &RunArgs, env: &Env) -> CliResult {
    let root = super::project_root(cli, env)?;
    let user_dir = if cli.no_user {
        None
    } else {
        env.user_dir.clone()
    };
    match &args.batch {
        Some(file) => batch(cli, args, file, &root, user_dir),
        None => single(cli, args, &root, user_dir),
    }
}

fn load(root: &Path, user_dir: Option<PathBuf>, jobs: u32) -> Result<(Executor, usize), CliError> {
    let (exec, findings) = Executor::from_project(root, user_dir.as_deref()).map_err(|e| {
        CliError::Io(format!(
            "cannot load the project at `{}`: {e}",
            root.display()
        ))
    })?;
    let errors = findings
        .iter()
        .filter(|d| d.severity == crate::Severity::Error)
        .count();
    Ok((exec.with_jobs(usize::try_from(jobs).unwrap_or(1)), errors))
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Io(format!("cannot start the async runtime: {e}")))
}

fn single(cli: &Cli, args: &RunArgs, root: &Path, user_dir: Option<PathBuf>) -> CliResult {
    let format = super::parse_format(cli.format.as_deref(), "text", &["text", "json"])?;
    let (Some(agent), Some(prompt)) = (&args.agent, &args.prompt) else {
        return Err(CliError::Usage(
            "give an AGENT and a PROMPT, or --batch FILE".into(),
        ));
    };
    let prompt = if prompt == "-" {
        read_stdin(crate::fsutil::limits::PROMPT)
            .map_err(|e| CliError::Io(format!("cannot read the prompt from stdin: {e}")))?
    } else {
        prompt.clone()
    };
    let (exec, load_errors) = load(root, user_dir, args.jobs)?;
    let mut task = Task::new(agent.clone(), prompt);
    task.parent = args.parent.clone();
    task.call.provider = args.call_provider.clone();
    task.call.model = args.call_model.clone();
    let stream = format == "text";
    let observer = SingleObserver {
        agent,
        stream,
        verbose: cli.verbose,
        streamed: Mutex::new(String::new()),
    };
    let mut report = runtime()?.block_on(exec.run(&task, RunOptions { stream }, &observer));
    explain_unknown_agent(&mut report, load_errors);
    if format == "json" {
        super::print(&crate::route::plan::to_sorted_json(&report.to_json()))?;
    } else if report.succeeded() {
        let streamed = observer
            .streamed
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        if !streamed.ends_with('\n') && std::io::stdout().is_terminal() {
            super::print("\n")?;
        }
    }
    if let Some(e) = &report.error {
        super::eprint(&error_text(None, agent, e));
    }
    Ok(if report.succeeded() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// An agent left out of the plan by its own errors reads as unknown to the
/// router: say where to look.
fn explain_unknown_agent(report: &mut Report, load_errors: usize) {
    if load_errors == 0 {
        return;
    }
    if let Some(e) = &mut report.error
        && e.code == "unknown-agent"
    {
        let note = format!(
            "the project has {load_errors} error{}, and agents with errors are left out of the plan: run `agentc check`",
            if load_errors == 1 { "" } else { "s" }
        );
        e.help = Some(match e.help.take() {
            Some(h) => format!("{h}; {note}"),
            None => note,
        });
    }
}

/// `agentc: error[code]: message`, the router's findings, and a help line.
fn error_text(index: Option<usize>, agent: &str, e: &RunError) -> String {
    let who = match index {
        Some(i) if agent.is_empty() => format!("task {i}: "),
        Some(i) => format!("task {i} ({agent}): "),
        None => String::new(),
    };
    let who = escape(&who);
    let mut out = format!(
        "agentc: {who}error[{}]: {}\n",
        escape(e.code),
        escape(&e.message)
    );
    for d in e.diagnostics.iter().skip(1) {
        out.push_str(&format!(
            "agentc: {who}error[{}]: {}\n",
            d.rule.code(),
            escape(&d.message)
        ));
        if let Some(h) = &d.help {
            out.push_str(&format!("  help: {}\n", escape(h)));
        }
    }
    if let Some(h) = &e.help {
        out.push_str(&format!("  help: {}\n", escape(h)));
    }
    out
}

fn fallback_text(agent: &str, failed: &Attempt, next: &Target, why: &str) -> String {
    format!(
        "agentc: {}: {}/{} failed ({}); falling back to {}\n",
        escape(agent),
        escape(&failed.provider),
        escape(&failed.model),
        escape(why),
        escape(&next.to_string())
    )
}

/// Writes to stdout now; a closed pipe ends nothing (the run's result still
/// counts).
fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

struct SingleObserver<'a> {
    agent: &'a str,
    stream: bool,
    verbose: bool,
    /// The streamed answer's tail, to end it with a newline on a terminal.
    streamed: Mutex<String>,
}

impl Observer for SingleObserver<'_> {
    fn attempt_started(&self, _index: usize, target: &Target) {
        if self.verbose {
            super::eprint(&format!(
                "agentc: {}: sending to {}\n",
                escape(self.agent),
                escape(&target.to_string())
            ));
        }
    }

    fn fallback(&self, _index: usize, failed: &Attempt, next: &Target, why: &str) {
        super::eprint(&fallback_text(self.agent, failed, next, why));
    }

    fn output(&self, _index: usize, piece: &str) {
        if self.stream {
            // The answer as text: control characters and escape sequences
            // from the server are shown, not obeyed (`--format json` keeps
            // it exact).
            write_stdout(&crate::render::escape::escape_lines(piece));
            if let Ok(mut s) = self.streamed.lock() {
                s.clear();
                s.push_str(piece);
            }
        }
    }
}

fn batch(
    cli: &Cli,
    args: &RunArgs,
    file: &Path,
    root: &Path,
    user_dir: Option<PathBuf>,
) -> CliResult {
    if let Some(f) = cli.format.as_deref()
        && f != "json"
    {
        return Err(CliError::Usage(format!(
            "invalid --format `{f}` for --batch: a batch prints one JSON line per task"
        )));
    }
    let text = if file == Path::new("-") {
        read_stdin(crate::fsutil::limits::BATCH)
            .map_err(|e| CliError::Io(format!("cannot read the batch from stdin: {e}")))?
    } else {
        crate::fsutil::read_bounded_text(file, crate::fsutil::limits::BATCH).map_err(|e| {
            CliError::Io(format!(
                "cannot read `{}`: {e}",
                crate::render::escape::escape(&file.display().to_string())
            ))
        })?
    };
    let batch = Batch::parse(&text, args.parent.as_deref())
        .map_err(|e| CliError::Usage(format!("`{}`: {e}", file.display())))?;
    let (exec, load_errors) = load(root, user_dir, args.jobs)?;
    let show_progress = !cli.quiet && std::io::stderr().is_terminal();
    let observer = BatchObserver {
        load_errors,
        progress: Mutex::new(ProgressLine {
            shown: show_progress,
            total: batch.tasks.len(),
            done: 0,
            running: BTreeMap::new(),
            drawn_at: None,
            visible: false,
        }),
    };
    let cancel = async {
        // Without a handler (no signals here) the batch simply runs on.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let summary =
        runtime()?.block_on(exec.run_batch(&batch, RunOptions::default(), cancel, &observer));
    observer.lock().clear();
    if !cli.quiet {
        super::eprint(&format!(
            "agentc: {} task{}: {} ok, {} failed, {} cancelled\n",
            summary.total(),
            if summary.total() == 1 { "" } else { "s" },
            summary.ok,
            summary.failed,
            summary.cancelled
        ));
    }
    Ok(if summary.all_ok() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

struct BatchObserver {
    load_errors: usize,
    progress: Mutex<ProgressLine>,
}

impl BatchObserver {
    /// The progress line; a panic elsewhere never costs a task its line.
    fn lock(&self) -> std::sync::MutexGuard<'_, ProgressLine> {
        self.progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Prints to stderr without tearing the progress line.
    fn note(&self, text: &str) {
        let mut p = self.lock();
        p.clear();
        super::eprint(text);
        p.draw(true);
    }

    fn update(&self, f: impl FnOnce(&mut ProgressLine)) {
        let mut p = self.lock();
        f(&mut p);
        p.draw(false);
    }
}

impl Observer for BatchObserver {
    fn attempt_started(&self, _index: usize, target: &Target) {
        self.update(|p| *p.running.entry(target.provider.clone()).or_default() += 1);
    }

    fn attempt_finished(&self, _index: usize, attempt: &Attempt) {
        self.update(|p| {
            if let Some(n) = p.running.get_mut(&attempt.provider) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    p.running.remove(&attempt.provider);
                }
            }
        });
    }

    fn fallback(&self, index: usize, failed: &Attempt, next: &Target, why: &str) {
        self.note(&fallback_text(&format!("task {index}"), failed, next, why));
    }

    fn finished(&self, report: &Report) {
        let mut report = report.clone();
        explain_unknown_agent(&mut report, self.load_errors);
        let mut line = report.to_json();
        line["index"] = report.index.into();
        let mut text = serde_json::to_string(&line).unwrap_or_default();
        text.push('\n');
        // The line goes out under the progress lock, so a line and the
        // progress never interleave mid-write.
        let mut p = self.lock();
        p.done += 1;
        p.clear();
        write_stdout(&text);
        if let Some(e) = &report.error {
            super::eprint(&error_text(
                Some(report.index),
                report.agent.as_deref().unwrap_or(""),
                e,
            ));
        }
        p.draw(true);
    }
}

/// The batch's status line on a terminal: tasks done, requests running per
/// provider.
struct ProgressLine {
    shown: bool,
    total: usize,
    done: usize,
    running: BTreeMap<String, usize>,
    drawn_at: Option<Instant>,
    visible: bool,
}

impl ProgressLine {
    fn draw(&mut self, force: bool) {
        if !self.shown {
            return;
        }
        // Redrawing on every event would flood a slow terminal.
        if !force
            && self
                .drawn_at
                .is_some_and(|t| t.elapsed() < Duration::from_millis(50))
        {
            return;
        }
        let running: Vec<String> = self
            .running
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect();
        let line = format!(
            "\r\x1b[2K[{}/{} done] running: {}",
            self.done,
            self.total,
            if running.is_empty() {
                "none".to_string()
            } else {
                escape(&running.join(", ")).into_owned()
            }
        );
        super::eprint(&line);
        self.drawn_at = Some(Instant::now());
        self.visible = true;
    }

    fn clear(&mut self) {
        if self.visible {
            super::eprint("\r\x1b[2K");
            self.visible = false;
        }
    }
}

/// Standard input as UTF-8, at most `limit` bytes.
fn read_stdin(limit: u64) -> Result<String, crate::fsutil::ReadError> {
    let bytes = crate::fsutil::read_bounded_from(std::io::stdin().lock(), limit)?;
    String::from_utf8(bytes).map_err(|_| {
        crate::fsutil::ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is not UTF-8",
        ))
    })
}
