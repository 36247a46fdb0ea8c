//! `agentc completions SHELL` and `agentc man`: the shell completion script
//! and the manual page, both generated from the argument definitions so
//! that they never drift from the real options.

use super::args::{Cli, CompletionsArgs};
use super::{CliError, CliResult, Outcome};
use clap::CommandFactory;

pub fn completions(args: &CompletionsArgs) -> CliResult {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "agentc", &mut out);
    super::print(&String::from_utf8_lossy(&out))?;
    Ok(Outcome::Clean)
}

/// The manual page in roff, for `man -l -` or `agentc man > agentc.1`.
pub fn man_page() -> Result<String, CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| CliError::Io(format!("cannot render the manual page: {e}")))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

pub fn man() -> CliResult {
    super::print(&man_page()?)?;
    Ok(Outcome::Clean)
}
