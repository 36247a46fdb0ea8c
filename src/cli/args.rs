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
    /// Output format (check, doctor: human, short, json, sarif, github; plan: table, json; route, ls, providers, trust, run: text, json; watch, gateway: human, json).
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
    /// List providers (presets and configured); `--probe` asks the servers what they serve.
    Providers(ProvidersArgs),
    /// Check, then probe the routed providers: reachability, models, capabilities, keys.
    Doctor(DoctorArgs),
    /// Trust the project's provider tables that would send a key off this machine.
    Trust(TrustArgs),
    /// Create .agents/ with an agentc.toml and a starter set of agents.
    Init(InitArgs),
    /// Copy ready-made agents from the catalogue into .agents/.
    Add(AddArgs),
    /// Write a new agent into .agents/ from a template.
    New(NewArgs),
    /// Write the agents of .agents/ as another harness's agent files.
    Export(ExportArgs),
    /// Convert another harness's agent files into .agents/.
    Import(ImportArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the manual page (roff).
    Man(ManArgs),
    /// Run an agent (or a batch of tasks) on its planned route against an OpenAI-compatible endpoint.
    Run(RunArgs),
    /// Watch agent files and configs; report diagnostics and keep a live plan.
    Watch(WatchArgs),
    /// Serve the Anthropic and OpenAI APIs locally and run each harness sub-agent on its planned route.
    Gateway(GatewayArgs),
    /// Serve the plan's agents over MCP (stdio): list, route, check, delegate.
    Mcp(McpArgs),
    /// Run the language server (LSP over stdio) for editors.
    Lsp(LspArgs),
}

#[derive(Debug, Args)]
pub struct ProvidersArgs {
    /// Only these providers (default: every one).
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Ask the servers which models they serve (local providers; cloud ones with --all).
    #[arg(long)]
    pub probe: bool,
    /// With --probe: probe cloud providers too.
    #[arg(long, requires = "probe")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Probe the routed cloud providers too, not only the local ones.
    #[arg(long)]
    pub all: bool,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// Trust without asking (for scripts).
    #[arg(short, long, conflicts_with_all = ["list", "revoke", "revoke_all"])]
    pub yes: bool,
    /// List the tables you have trusted.
    #[arg(long, conflicts_with_all = ["revoke", "revoke_all"])]
    pub list: bool,
    /// Revoke trust: every table of a provider id, or one table by its hash (or a prefix of it).
    #[arg(long, value_name = "ID|HASH", conflicts_with = "revoke_all")]
    pub revoke: Option<String>,
    /// Revoke every trusted table.
    #[arg(long)]
    pub revoke_all: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Catalogue agents to add: explore, format, general, planner, review.
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The new agent's name (`^[a-z0-9][a-z0-9._-]{0,63}$`).
    pub name: String,
    /// explore, format, general, planner or review (the catalogue's names; the role names explorer, formatter and reviewer work too).
    #[arg(long, short, value_name = "TEMPLATE", default_value = "general")]
    pub template: String,
    /// The provider to route the agent to.
    #[arg(long, value_name = "PROVIDER")]
    pub provider: Option<String>,
    /// The model (`provider/model`, an alias, or a model of `--provider`).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The harness to write for: claude, opencode, copilot, gemini, codex or cursor.
    #[arg(long, value_name = "DIALECT", value_parser = ["claude", "opencode", "copilot", "gemini", "codex", "cursor"])]
    pub to: String,
    /// Where to write (default: the harness's folder in the project).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace files that agentc export did not write.
    #[arg(long)]
    pub force: bool,
    /// Show what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The harness the files are written for: claude, opencode, copilot, gemini, codex or cursor.
    #[arg(long, value_name = "DIALECT", value_parser = ["claude", "opencode", "copilot", "gemini", "codex", "cursor"])]
    pub from: String,
    /// A file, or a folder whose agent files are all imported.
    pub path: PathBuf,
    /// Where to write (default: the project's .agents/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace files that exist already.
    #[arg(long)]
    pub force: bool,
    /// Show what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders to check (default: the project and the user scope).
    /// A folder is searched for every .agents/ and dialect folder below it.
    pub paths: Vec<PathBuf>,
    /// Read every agent file below the paths as this dialect: agentc, claude, opencode, copilot, gemini, codex (TOML files) or cursor.
    #[arg(long, value_name = "DIALECT", value_parser = ["agentc", "claude", "opencode", "copilot", "gemini", "codex", "cursor"])]
    pub dialect: Option<String>,
    /// Also read the user scope when paths are given.
    #[arg(long)]
    pub user: bool,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Apply safe fixes in place, then report what remains.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Print the safe fixes as a unified diff and change nothing (exit 1 when there are any).
    #[arg(long)]
    pub diff: bool,
    /// Print how many findings each rule has instead of every finding.
    #[arg(long)]
    pub statistics: bool,
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
#[command(
    after_help = "Fallbacks are tried on connection errors, timeouts, 5xx and 429 only, and each one \
is reported on stderr and in `attempts`. Exit status: 0 when every task succeeded, 1 when one failed, 2 for usage errors."
)]
pub struct RunArgs {
    /// The agent to run.
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    pub agent: Option<String>,
    /// The prompt (`-` reads it from stdin).
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    pub prompt: Option<String>,
    /// Run the tasks of a batch file (`-` for stdin): {"provider"?, "model"?, "tasks": [{"agent", "prompt", "provider"?, "model"?}]}; prints one JSON line per task as it finishes.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// The parent session's route, `provider/model`, for agents that inherit.
    #[arg(long, value_name = "PROVIDER/MODEL")]
    pub parent: Option<String>,
    /// Provider override of the call (`invoke_subagent(provider=…)`).
    #[arg(long, value_name = "PROVIDER", conflicts_with = "batch")]
    pub call_provider: Option<String>,
    /// Model override of the call (`invoke_subagent(model=…)`).
    #[arg(long, value_name = "MODEL", conflicts_with = "batch")]
    pub call_model: Option<String>,
    /// At most N requests in flight at once; each provider's `max_concurrency` holds too.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub jobs: u32,
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

#[derive(Debug, Args)]
pub struct GatewayArgs {
    /// Port on 127.0.0.1 (0: a free port; the first line or event says which).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 4141,
        conflicts_with = "listen"
    )]
    pub port: u16,
    /// Address to listen on, `HOST:PORT`; a non-loopback address needs --key-env.
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,
    /// The variable holding the key clients must present (`x-api-key` or a bearer token).
    #[arg(long, value_name = "VAR")]
    pub key_env: Option<String>,
    /// The largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_body: usize,
    /// The most of one answer relayed, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_answer: usize,
    /// Requests that may wait for a provider's max_concurrency, per provider.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_queue: usize,
    /// Seconds that requests in flight get to finish after Ctrl-C.
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub drain: u64,
    /// Quiet time in milliseconds that stitches the events of one save together.
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub debounce: u64,
    /// Poll for changes every MS milliseconds instead of waiting for file-system events.
    #[arg(long, value_name = "MS", num_args = 0..=1, default_missing_value = "250")]
    pub poll: Option<u64>,
}

#[derive(Debug, Args)]
pub struct McpArgs {
    /// At most N delegated requests in flight at once; each provider's `max_concurrency` holds too.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub jobs: u32,
    /// The parent session's route, `provider/model`, for agents that inherit.
    #[arg(long, value_name = "PROVIDER/MODEL")]
    pub parent: Option<String>,
    /// Cut a delegated answer longer than BYTES in tool results, with a marker saying so.
    #[arg(long, value_name = "BYTES", default_value_t = 65536, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_output: u64,
    /// Quiet time in milliseconds that stitches the events of one save together.
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub debounce: u64,
    /// Poll for changes every MS milliseconds (default 250) instead of waiting
    /// for file-system events.
    #[arg(long, value_name = "MS", num_args = 0..=1, default_missing_value = "250")]
    pub poll: Option<u64>,
}

#[derive(Debug, Args)]
pub struct LspArgs {
    /// Quiet time in milliseconds after an edit before it is analysed.
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub debounce: u64,
    /// Do not probe local model servers for the models they serve.
    #[arg(long)]
    pub no_probe: bool,
    /// Base URL of the rules reference that diagnostics link to.
    #[arg(long, value_name = "URL")]
    pub rules_url: Option<String>,
    /// Accepted for clients that pass it; stdio is the only transport.
    #[arg(long, hide = true)]
    pub stdio: bool,
}
