//! Command-line arguments.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "agentc",
    version,
    about = "Check sub-agent definitions and compile their routing plan",
    long_about = "agentc discovers sub-agent definitions (markdown with YAML frontmatter in .agents/, \
and the agent files of Claude Code, OpenCode and Copilot), checks them with span-accurate diagnostics \
and compiles a routing plan: per agent, the provider and model it runs on and which layer chose them."
)]
pub struct Cli {
    /// The project root (default: found from the working directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Do not read the user scope ($AGENTC_USER_DIR).
    #[arg(long, global = true)]
    pub no_user: bool,
    /// Output format (check: human, short, json, sarif, github; plan: table, json; route, ls: text, json; watch: human, json).
    #[arg(long, global = true, value_name = "FORMAT")]
    pub format: Option<String>,
    /// When to use colour: auto, always, never (NO_COLOR is honoured).
    #[arg(long, global = true, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
    /// Print less: only findings.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more: what was read.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check agent definitions and configs; exit 1 on errors.
    Check(CheckArgs),
    /// Compile the routing plan.
    Plan(PlanArgs),
    /// Resolve one agent's route, with run-time overrides.
    Route(RouteArgs),
    /// List agents with their scope, path and shadowing.
    Ls(LsArgs),
    /// Explain a rule.
    Rule(RuleArgs),
    /// Print a JSON Schema: frontmatter, config, plan or diagnostics.
    Schema(SchemaArgs),
    /// Watch agent files and configs; report diagnostics and keep a live plan.
    Watch(WatchArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders to check (default: the project and the user scope).
    /// A folder is searched for every .agents/ and dialect folder below it.
    pub paths: Vec<PathBuf>,
    /// Read every markdown file below the paths as this dialect: agentc, claude, opencode, copilot.
    #[arg(long, value_name = "DIALECT")]
    pub dialect: Option<String>,
    /// Also read the user scope when paths are given.
    #[arg(long)]
    pub user: bool,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Write the JSON plan to FILE atomically.
    #[arg(long, value_name = "FILE", conflicts_with = "check")]
    pub out: Option<PathBuf>,
    /// Exit 1 when FILE differs from the plan that would be written (project scope only).
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
    /// The parent session's route, `provider/model`, to fill inherited routes.
    #[arg(long, value_name = "PROVIDER/MODEL")]
    pub parent: Option<String>,
}

#[derive(Debug, Args)]
pub struct RouteArgs {
    /// The agent to resolve.
    pub agent: String,
    /// The parent session's route, `provider/model`.
    #[arg(long, value_name = "PROVIDER/MODEL")]
    pub parent: Option<String>,
    /// Provider override of the call (`invoke_subagent(provider=…)`).
    #[arg(long, value_name = "PROVIDER")]
    pub call_provider: Option<String>,
    /// Model override of the call (`invoke_subagent(model=…)`).
    #[arg(long, value_name = "MODEL")]
    pub call_model: Option<String>,
    /// Provider override of one task of a batch (`tasks[i].provider`).
    #[arg(long, value_name = "PROVIDER")]
    pub task_provider: Option<String>,
    /// Model override of one task of a batch (`tasks[i].model`).
    #[arg(long, value_name = "MODEL")]
    pub task_model: Option<String>,
}

#[derive(Debug, Args)]
pub struct LsArgs {}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// The rule's code, such as `unknown-tool`; none lists every rule.
    pub code: Option<String>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// frontmatter, config, plan or diagnostics.
    #[arg(value_parser = ["frontmatter", "config", "plan", "diagnostics"])]
    pub kind: String,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Quiet time in milliseconds that stitches the events of one save together.
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub debounce: u64,
    /// Poll for changes every MS milliseconds (default 250) instead of waiting
    /// for file-system events (for file systems that send none).
    #[arg(long, value_name = "MS", num_args = 0..=1, default_missing_value = "250")]
    pub poll: Option<u64>,
    /// Rewrite the JSON plan to FILE atomically on each generation.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// With --format json: print the plan as an event on each generation.
    #[arg(long)]
    pub emit_plan: bool,
    /// The parent session's route, `provider/model`, to fill inherited routes.
    #[arg(long, value_name = "PROVIDER/MODEL")]
    pub parent: Option<String>,
}
