//! `agentc ls`: every agent with its scope, path, and shadowing.

use super::{CliResult, Outcome, args::Cli, args::LsArgs};
use crate::check::project;
use crate::discover::Env;
use crate::source::SourceMap;
use serde_json::json;
use std::fmt::Write;

pub fn run(cli: &Cli, _args: &LsArgs, env: &Env) -> CliResult {
    let format = super::parse_format(cli.format.as_deref(), "text", &["text", "json"])?;
    let req = super::load_request(cli, env, !cli.no_user, None)?;
    let mut sources = SourceMap::default();
    let (project, _) = project::load(req, env, &mut sources);
    let path = |f| sources.get(f).plan_path.clone();
    if format == "json" {
        let agents: Vec<serde_json::Value> = project
            .agents
            .iter()
            .map(|a| {
                json!({
                    "name": a.def.name,
                    "scope": a.scope,
                    "dialect": a.def.dialect,
                    "path": path(a.def.file),
                    "ok": a.ok,
                    "shadows": a.shadows.iter().map(|f| path(*f)).collect::<Vec<_>>(),
                    "shadowed_by": a.shadowed_by.map(path),
                })
            })
            .collect();
        super::print(&crate::route::plan::to_sorted_json(
            &json!({ "agents": agents }),
        ))?;
        return Ok(Outcome::Clean);
    }
    let mut rows: Vec<[String; 5]> = vec![[
        "NAME".into(),
        "SCOPE".into(),
        "DIALECT".into(),
        "PATH".into(),
        "NOTE".into(),
    ]];
    for a in &project.agents {
        let mut note = Vec::new();
        if let Some(w) = a.shadowed_by {
            note.push(format!("shadowed by {}", path(w)));
        }
        for s in &a.shadows {
            note.push(format!("shadows {}", path(*s)));
        }
        if !a.ok {
            note.push("has errors (agentc check)".into());
        }
        rows.push(
            [
                a.def.name.clone(),
                a.scope.as_str().into(),
                a.def.dialect.as_str().into(),
                path(a.def.file),
                note.join("; "),
            ]
            .map(|c| crate::render::escape::escape(&c).into_owned()),
        );
    }
    let mut widths = [0usize; 5];
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (c, w) in r.iter().zip(widths) {
            let _ = write!(line, "{c:<w$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    super::print_text(&out)?;
    Ok(Outcome::Clean)
}
