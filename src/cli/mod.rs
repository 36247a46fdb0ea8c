//! The command line: argument types (clap) and one module per subcommand.
//! Every command returns an [`Outcome`]; `main` turns it into the exit code.

pub mod args;
pub mod check;
pub mod completions;
pub mod convert;
pub mod doctor;
pub mod gateway;
pub mod ls;
pub mod lsp;
pub mod mcp;
pub mod plan;
pub mod providers;
pub mod route;
pub mod rule;
pub mod run;
pub mod scaffold;
pub mod schema;
pub mod trust;
pub mod watch;

pub use args::{Cli, Command};

use crate::discover::{self, Env, ProjectFiles};
use crate::render::Format;
use std::io::IsTerminal;
use std::path::PathBuf;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report (exit 0).
    Clean,
    /// Findings that fail the run (exit 1).
    Findings,
}

/// Usage and I/O failures (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(String),
}

pub type CliResult = Result<Outcome, CliError>;

pub fn run(cli: Cli) -> CliResult {
    let env = Env::from_process()
        .map_err(|e| CliError::Io(format!("cannot read the working directory: {e}")))?;
    match &cli.command {
        Command::Check(a) => check::run(&cli, a, &env),
        Command::Plan(a) => plan::run(&cli, a, &env),
        Command::Route(a) => route::run(&cli, a, &env),
        Command::Ls(a) => ls::run(&cli, a, &env),
        Command::Rule(a) => rule::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Providers(a) => providers::run(&cli, a, &env),
        Command::Doctor(a) => doctor::run(&cli, a, &env),
        Command::Trust(a) => trust::run(&cli, a, &env),
        Command::Init(_) => scaffold::init(&cli, &env),
        Command::Add(a) => scaffold::add(&cli, a, &env),
        Command::New(a) => scaffold::new(&cli, a, &env),
        Command::Export(a) => convert::export(&cli, a, &env),
        Command::Import(a) => convert::import(&cli, a, &env),
        Command::Completions(a) => completions::completions(a),
        Command::Man(_) => completions::man(),
        Command::Run(a) => run::run(&cli, a, &env),
        Command::Watch(a) => watch::run(&cli, a, &env),
        Command::Gateway(a) => gateway::run(&cli, a, &env),
        Command::Mcp(a) => mcp::run(&cli, a, &env),
        Command::Lsp(a) => lsp::run(&cli, a, &env),
    }
}

/// Whether to colour output on stdout.
pub fn use_color(cli: &Cli, stream_is_tty: bool) -> bool {
    match cli.color.as_str() {
        "always" => true,
        "never" => false,
        _ => stream_is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

pub fn stdout_color(cli: &Cli) -> bool {
    use_color(cli, std::io::stdout().is_terminal())
}

pub fn stderr_color(cli: &Cli) -> bool {
    use_color(cli, std::io::stderr().is_terminal())
}

/// The project root: `--project DIR`, else found from the working directory.
pub fn project_root(cli: &Cli, env: &Env) -> Result<PathBuf, CliError> {
    match &cli.project {
        Some(dir) => {
            let dir = env.cwd.join(dir);
            if !dir.is_dir() {
                return Err(CliError::Usage(format!(
                    "--project: `{}` is not a folder",
                    dir.display()
                )));
            }
            Ok(dir)
        }
        None => Ok(discover::find_project_root(&env.cwd)),
    }
}

/// The user scope's files, unless `--no-user` (or no user directory).
/// What a command that loads the project reads: the project of `--project`
/// (or the one around the working folder) and, with `read_user`, the user
/// scope.
pub fn load_request(
    cli: &Cli,
    env: &Env,
    read_user: bool,
    parent: Option<String>,
) -> Result<crate::check::project::LoadRequest, CliError> {
    let root = project_root(cli, env)?;
    Ok(crate::check::project::LoadRequest {
        project: discover::discover_project(&root),
        user: user_files(env, read_user),
        parent,
        keep: crate::check::project::Keep::Whole,
    })
}

pub fn user_files(env: &Env, read_user: bool) -> Option<ProjectFiles> {
    if !read_user {
        return None;
    }
    env.user_dir.as_deref().map(discover::discover_user)
}

/// Parses `--format` for a command that accepts `allowed`.
pub fn parse_format<'a>(
    given: Option<&'a str>,
    default: &'a str,
    allowed: &[&str],
) -> Result<&'a str, CliError> {
    let f = given.unwrap_or(default);
    if allowed.contains(&f) {
        Ok(f)
    } else {
        Err(CliError::Usage(format!(
            "invalid --format `{f}` for this command; expected one of: {}",
            allowed.join(", ")
        )))
    }
}

/// The findings format: `--format`, else `github` under GitHub Actions,
/// else `human`.
pub fn findings_format(given: Option<&str>) -> Result<Format, CliError> {
    let default = if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        "github"
    } else {
        "human"
    };
    let f = parse_format(
        given,
        default,
        &["human", "short", "json", "sarif", "github"],
    )?;
    Ok(Format::parse(f).unwrap_or(Format::Human))
}

/// Writes to stdout; a closed pipe is not an error (`agentc plan | head`).
pub fn print(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Io(format!("cannot write to stdout: {e}"))),
    }
}

/// Prints text composed for people (tables, route explanations): every
/// control character, escape sequence, line separator and bidi override in
/// it came from a file, a server or the environment, and is escaped; the
/// line breaks and tabs agentc composed stay. Values that may hold a line
/// break are escaped where they are placed (`render::escape::escape`).
pub fn print_text(text: &str) -> Result<(), CliError> {
    print(&crate::render::escape::escape_lines(text))
}

/// [`print_text`] on stderr.
pub fn eprint_text(text: &str) {
    eprint(&crate::render::escape::escape_lines(text));
}

pub fn eprint(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
