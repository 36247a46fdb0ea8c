//! The resources: the compiled plan (`agentc://plan`) and each agent's
//! file (`agentc://agents/<name>`), and what changed between two
//! generations of the live plan (for `list_changed` and `updated`
//! notifications).

use crate::watch::LivePlan;
use std::collections::BTreeSet;
use std::path::Path;

pub const PLAN_URI: &str = "agentc://plan";
const AGENT_PREFIX: &str = "agentc://agents/";

/// One resource as `resources/list` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceEntry {
    pub uri: String,
    pub name: String,
    pub title: String,
    pub description: String,
    pub mime_type: &'static str,
}

pub fn agent_uri(name: &str) -> String {
    format!("{AGENT_PREFIX}{name}")
}

/// The plan, then every agent by name.
pub fn list(live: &LivePlan) -> Vec<ResourceEntry> {
    let mut out = vec![ResourceEntry {
        uri: PLAN_URI.into(),
        name: "plan".into(),
        title: "Routing plan".into(),
        description: "The compiled routing plan, as `agentc plan --format json` writes it: every agent's route with its provenance, fallbacks, tools and parameters, and the providers.".into(),
        mime_type: "application/json",
    }];
    out.extend(live.plan.agents.iter().map(|a| ResourceEntry {
        uri: agent_uri(&a.name),
        name: a.name.clone(),
        title: a.path.clone(),
        description: a.description.clone(),
        mime_type: "text/markdown",
    }));
    out
}

/// A resource's text and MIME type; `Err` says why there is none.
pub fn read(
    uri: &str,
    live: &LivePlan,
    root: &Path,
    user_dir: Option<&Path>,
) -> Result<(String, &'static str), String> {
    if uri == PLAN_URI {
        return Ok((live.plan.to_json(), "application/json"));
    }
    let Some(name) = uri.strip_prefix(AGENT_PREFIX) else {
        return Err(format!(
            "unknown resource `{uri}`: the resources are {PLAN_URI} and {AGENT_PREFIX}<agent>"
        ));
    };
    let Some(agent) = live.plan.agent(name) else {
        return Err(format!("unknown agent `{name}`"));
    };
    let path = match agent.path.strip_prefix(crate::source::USER_DIR_VAR) {
        Some(rest) => match user_dir {
            Some(u) => u.join(rest.trim_start_matches('/')),
            None => {
                return Err(format!(
                    "`{}` is in the user scope, which is not read",
                    agent.path
                ));
            }
        },
        None => root.join(&agent.path),
    };
    std::fs::read_to_string(&path)
        .map(|t| (t, "text/markdown"))
        .map_err(|e| format!("cannot read `{}`: {e}", agent.path))
}

/// What one reload changed, as notifications see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Agents came or went, or their names, paths or descriptions changed:
    /// the resource list and `delegate`'s description are different.
    pub list_changed: bool,
    /// Resources whose content changed (the plan, and agents whose entry
    /// changed), by URI.
    pub updated: BTreeSet<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        !self.list_changed && self.updated.is_empty()
    }
}

pub fn changes(old: &LivePlan, new: &LivePlan) -> Changes {
    let mut c = Changes::default();
    // What the resource list and `delegate`'s description show of each agent.
    let listing = |l: &LivePlan| -> Vec<String> {
        l.plan
            .agents
            .iter()
            .map(|a| {
                serde_json::json!([
                    a.name,
                    a.path,
                    a.description,
                    a.route.provider,
                    a.route.model
                ])
                .to_string()
            })
            .collect()
    };
    c.list_changed = listing(old) != listing(new);
    if old.plan != new.plan {
        c.updated.insert(PLAN_URI.into());
    }
    for a in &new.plan.agents {
        match old.plan.agent(&a.name) {
            Some(before) if before == &**a => {}
            _ => {
                c.updated.insert(agent_uri(&a.name));
            }
        }
    }
    c
}
