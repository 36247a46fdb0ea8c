//! The MCP server (`agentc mcp`, DESIGN §14): the plan's agents for any
//! harness that speaks the Model Context Protocol, over stdio.
//!
//! Tools: `list_agents`, `route`, `check`, `delegate` (`{agent, prompt,
//! model?, provider?}`, the call layer) and `delegate_batch` (`{model?,
//! provider?, tasks: [{agent, prompt, model?, provider?}]}`, the
//! `delegate_task` shape), each with an input and an output JSON Schema and
//! structured results. Resources: the plan (`agentc://plan`) and each
//! agent's file (`agentc://agents/<name>`).
//!
//! The server holds a [`PlanWatcher`]: every call reads the latest
//! generation, so an edit applies to the next call, and a change is
//! announced (`notifications/tools/list_changed`,
//! `notifications/resources/list_changed`, `notifications/resources/updated`
//! for subscribed resources). Delegation runs on the [`crate::exec::run`]
//! executor exactly as `agentc run` does.
//!
//! [`tools`] holds what each tool does, apart from the protocol;
//! [`schema`] the definitions; [`resources`] the resources and the
//! change detection; `server` the `rmcp` handler.

pub mod resources;
pub mod schema;
mod server;
pub mod tools;

pub use server::AgentcServer;
pub use tools::{DEFAULT_MAX_OUTPUT, ToolOutput, ToolSettings, Tools};

use crate::discover::Env;
use crate::watch::{PlanWatcher, WatchOptions};
use rmcp::ServiceExt;
use std::path::PathBuf;
use std::time::Duration;

/// How `agentc mcp` runs.
#[derive(Clone, Debug)]
pub struct McpOptions {
    pub project_root: PathBuf,
    pub read_user: bool,
    /// The parent session's route, for agents that inherit.
    pub parent: Option<String>,
    pub jobs: usize,
    pub max_output: usize,
    pub debounce: Duration,
    pub poll: Option<Duration>,
}

#[derive(Debug, thiserror::Error)]
pub enum McpError {
    #[error(transparent)]
    Watch(#[from] crate::watch::WatchError),
    #[error("the MCP session could not start: {0}")]
    Start(String),
    #[error("the MCP session ended with an error: {0}")]
    Session(String),
}

/// Serves MCP on stdin/stdout until the client closes the connection.
pub async fn serve_stdio(options: McpOptions, env: &Env) -> Result<(), McpError> {
    let watch = WatchOptions {
        project_root: options.project_root.clone(),
        read_user: options.read_user,
        parent: options.parent.clone(),
        debounce: options.debounce,
        poll: options.poll,
    };
    // Loading the project and arming the watcher read the disk: not on the
    // async threads.
    let env_for_watch = env.clone();
    let watcher = tokio::task::spawn_blocking(move || PlanWatcher::start(watch, &env_for_watch))
        .await
        .map_err(|e| McpError::Start(e.to_string()))??;
    let settings = ToolSettings {
        project_root: options.project_root,
        user_dir: if options.read_user {
            env.user_dir.clone()
        } else {
            None
        },
        parent: options.parent,
        jobs: options.jobs,
        max_output: options.max_output,
        env: env.clone(),
    };
    let server = AgentcServer::new(Tools::new(watcher.subscribe(), settings));
    let notifier = tokio::spawn(server.clone().notify_changes());
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| McpError::Start(e.to_string()))?;
    let ended = running.waiting().await;
    notifier.abort();
    watcher.stop();
    ended
        .map(|_| ())
        .map_err(|e| McpError::Session(e.to_string()))
}
