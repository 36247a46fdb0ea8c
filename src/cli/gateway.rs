//! `agentc gateway`: serves the Anthropic Messages and OpenAI Chat
//! Completions APIs on loopback over the live plan, one event per request
//! (a line on stderr, or NDJSON on stdout with `--format json`).

use super::{CliError, CliResult, Outcome, args::Cli, args::GatewayArgs};
use crate::discover::Env;
use crate::gateway::{AgentFiles, Event, Gateway, GatewayOptions, Limits};
use crate::watch::{PlanWatcher, WatchOptions};
use serde_json::json;
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

// Long: flags to options, then the server's lifetime and its announcements.
pub fn run(cli: &Cli, args: &GatewayArgs, env: &Env) -> CliResult {
    let format = super::parse_format(cli.format.as_deref(), "human", &["human", "json"])?;
    let json = format == "json";
    let addr: SocketAddr = match &args.listen {
        Some(l) => l.parse().map_err(|_| {
            CliError::Usage(format!(
                "--listen: `{l}` is not an address such as 127.0.0.1:4141"
            ))
        })?,
        None => SocketAddr::from(([127, 0, 0, 1], args.port)),
    };
    let client_key = match &args.key_env {
        Some(var) => match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Some(v.trim().to_string()),
            _ => {
                return Err(CliError::Usage(format!(
                    "--key-env: `{var}` is not set; export the key clients must present"
                )));
            }
        },
        None => None,
    };
    if !addr.ip().is_loopback() && client_key.is_none() {
        return Err(CliError::Usage(format!(
            "--listen {addr} is reachable from other machines: add --key-env VAR with the key clients must present"
        )));
    }
    let root = super::project_root(cli, env)?;
    let options = WatchOptions {
        project_root: root.clone(),
        read_user: !cli.no_user,
        parent: None,
        debounce: Duration::from_millis(args.debounce),
        poll: args.poll.map(|ms| Duration::from_millis(ms.max(1))),
    };
    let watcher = PlanWatcher::start(options, env).map_err(|e| CliError::Io(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Io(format!("cannot start the async runtime: {e}")))?;
    let gateway_options = GatewayOptions {
        files: AgentFiles {
            root,
            user_dir: if cli.no_user {
                None
            } else {
                env.user_dir.clone()
            },
        },
        client_key,
        limits: Limits {
            max_body: args.max_body,
            max_answer: args.max_answer,
            max_queue: args.max_queue,
        },
        default_timeout: crate::exec::run::DEFAULT_TIMEOUT,
    };
    let quiet = cli.quiet;
    let sink = move |e: Event| {
        if json {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", e.to_json());
            let _ = out.flush();
        } else if !quiet {
            eprintln!("{}", e.human());
        }
    };
    let gateway = Gateway::new(watcher.subscribe(), gateway_options, sink).map_err(CliError::Io)?;
    // Each new generation is announced, so a person (or a test) sees when
    // an edit has reached the routes.
    let generations = watcher.every_generation();
    let _ = generations.recv();
    std::thread::spawn(move || {
        for live in generations {
            let s = live.plan.summary;
            let stale: Vec<&str> = live.stale().map(|a| a.name.as_str()).collect();
            if json {
                let line = json!({"event": "reload", "generation": live.generation,
                    "changed": live.reload.changed, "agents": s.agents, "errors": s.errors,
                    "warnings": s.warnings, "stale": stale});
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            } else if !quiet {
                eprintln!(
                    "{}",
                    crate::gateway::event::terminal_safe(&format!(
                        "plan generation {}: {} agents, {} errors{}",
                        live.generation,
                        s.agents,
                        s.errors,
                        if stale.is_empty() {
                            String::new()
                        } else {
                            format!(" (kept the last good route of {})", stale.join(", "))
                        }
                    ))
                );
            }
        }
    });
    let drain = Duration::from_secs(args.drain);
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| CliError::Io(format!("cannot listen on {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| CliError::Io(e.to_string()))?;
        let url = format!("http://{local}");
        let plan = watcher.current();
        if json {
            let line = json!({"event": "listening", "url": url, "generation": plan.generation, "agents": plan.plan.agents.len()});
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        } else {
            eprintln!(
                "agentc gateway listening on {url} ({} agents); ANTHROPIC_BASE_URL={url}, OpenAI base URL {url}/v1",
                plan.plan.agents.len()
            );
        }
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        gateway
            .serve(listener, shutdown, drain)
            .await
            .map_err(|e| CliError::Io(format!("the gateway stopped: {e}")))?;
        drop(watcher);
        Ok::<(), CliError>(())
    });
    result?;
    Ok(Outcome::Clean)
}
