//! `agentc lsp`: the language server over stdio.

use super::{CliError, CliResult, Outcome, args::Cli, args::LspArgs};
use crate::discover::Env;
use crate::lsp::{Options, serve};
use std::time::Duration;

pub fn run(cli: &Cli, args: &LspArgs, env: &Env) -> CliResult {
    let project_root = match &cli.project {
        Some(_) => Some(super::project_root(cli, env)?),
        None => None,
    };
    let options = Options {
        project_root,
        read_user: !cli.no_user,
        debounce: Duration::from_millis(args.debounce),
        probe: !args.no_probe,
        rules_url: args
            .rules_url
            .clone()
            .unwrap_or_else(|| crate::lsp::RULES_URL.to_string()),
    };
    let (connection, io) = lsp_server::Connection::stdio();
    let served = serve(connection, options, env.clone());
    // The client closed the pipe: the reader thread ends with it.
    let _ = io.join();
    served.map_err(|e| CliError::Io(e.to_string()))?;
    Ok(Outcome::Clean)
}
