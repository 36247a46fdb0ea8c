//! The `agentc` binary: parses arguments, runs the command, and maps the
//! outcome to the exit status: 0 clean, 1 findings, 2 usage or failure.

use agentc::cli::{self, CliError, Outcome};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            });
        }
    };
    match cli::run(args) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(CliError::Usage(m)) | Err(CliError::Io(m)) => {
            cli::eprint(&format!("agentc: error: {m}\n"));
            ExitCode::from(2)
        }
    }
}
