//! `agentc mcp`: the MCP server on stdin/stdout. Nothing else is written to
//! stdout; a failure to start goes to stderr.

use super::{CliError, CliResult, Outcome, args::Cli, args::McpArgs};
use crate::discover::Env;
use crate::mcp::McpOptions;
use std::time::Duration;

pub fn run(cli: &Cli, args: &McpArgs, env: &Env) -> CliResult {
    if args.poll == Some(0) {
        return Err(CliError::Usage(
            "--poll: the interval must be at least 1 ms".into(),
        ));
    }
    let options = McpOptions {
        project_root: super::project_root(cli, env)?,
        read_user: !cli.no_user,
        parent: args.parent.clone(),
        jobs: usize::try_from(args.jobs).unwrap_or(1),
        max_output: usize::try_from(args.max_output).unwrap_or(usize::MAX),
        debounce: Duration::from_millis(args.debounce),
        poll: args.poll.map(Duration::from_millis),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Io(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(crate::mcp::serve_stdio(options, env))
        .map_err(|e| CliError::Io(e.to_string()))?;
    // A blocked read of stdin must not hold the process after the session.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(Outcome::Clean)
}
