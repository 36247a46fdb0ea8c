//! The plan's JSON for each generation, byte for byte what
//! [`Plan::to_json`] writes, but re-serialising only the agents that
//! changed: with thousands of agents the plan is megabytes of JSON, and a
//! save changes one entry.

use crate::plan::{Plan, PlanAgent, to_sorted_json};
use std::collections::HashMap;

/// Remembers each agent's JSON between generations.
#[derive(Debug, Default)]
pub struct PlanText {
    agents: HashMap<String, (PlanAgent, String)>,
}

/// Where the agents' entries go in the plan's JSON: `agents` sorts first.
const EMPTY_AGENTS: &str = "{\n  \"agents\": [],\n";

/// Indentation of an entry of the top-level `agents` array.
const ENTRY_INDENT: &str = "    ";

impl PlanText {
    pub fn new() -> PlanText {
        PlanText::default()
    }

    /// The plan's JSON (sorted keys, 2-space indentation, final newline).
    pub fn render(&mut self, plan: &Plan) -> String {
        let rest = Plan {
            agents: Vec::new(),
            ..plan.clone()
        };
        let head = to_sorted_json(&rest);
        let Some(tail) = head.strip_prefix(EMPTY_AGENTS) else {
            // The layout is not the one this cache splices into.
            return plan.to_json();
        };
        if plan.agents.is_empty() {
            return head;
        }
        let mut previous = std::mem::take(&mut self.agents);
        for a in &plan.agents {
            // Entries are keyed by name: names are unique in a plan.
            let kept = match previous.remove(&a.name) {
                Some((old, text)) if old == *a => (old, text),
                _ => (a.clone(), entry_json(a)),
            };
            self.agents.insert(a.name.clone(), kept);
        }
        if self.agents.len() != plan.agents.len() {
            // Two entries with one name: not a plan `build` makes.
            return plan.to_json();
        }
        let size: usize = self.agents.values().map(|(_, t)| t.len() + 2).sum();
        let mut out = String::with_capacity(size + head.len() + 16);
        out.push_str("{\n  \"agents\": [\n");
        for (i, a) in plan.agents.iter().enumerate() {
            if i > 0 {
                out.push_str(",\n");
            }
            if let Some((_, text)) = self.agents.get(&a.name) {
                out.push_str(text);
            }
        }
        out.push_str("\n  ],\n");
        out.push_str(tail);
        out
    }
}

/// One entry of `agents`, indented as inside the plan.
fn entry_json(agent: &PlanAgent) -> String {
    let pretty = to_sorted_json(agent);
    let pretty = pretty.strip_suffix('\n').unwrap_or(&pretty);
    // JSON strings hold no raw newlines (they are escaped), so every
    // newline here is between lines of the pretty layout.
    let mut out = String::with_capacity(pretty.len() + pretty.len() / 8);
    for (i, line) in pretty.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(ENTRY_INDENT);
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{self, Env};
    use crate::project::{self, LoadRequest};
    use crate::source::SourceMap;

    fn plan_of(root: &std::path::Path) -> Plan {
        let env = Env {
            cwd: root.to_path_buf(),
            ..Env::default()
        };
        let req = LoadRequest {
            project: discover::discover_project(root),
            user: None,
            parent: None,
        };
        let mut sources = SourceMap::default();
        let (p, d) = project::load(req, &env, &mut sources);
        crate::plan::build(&p, &sources, &d)
    }

    #[test]
    fn spliced_text_is_the_plans_json() {
        let dir = tempfile::tempdir().unwrap();
        let agents = dir.path().join(".agents");
        std::fs::create_dir_all(&agents).unwrap();
        std::fs::write(
            agents.join("agentc.toml"),
            "[models]\nfast = \"ollama/qwen3:8b\"\n",
        )
        .unwrap();
        std::fs::write(
            agents.join("a.md"),
            "---\ndescription: \"Ünïcode \\\"quoted\\\"\\nand a newline\"\nmodel: fast\ntools: \"*\"\nfallback: [lm-studio/phi-4]\nx-team: {owner: me, tags: [a, b]}\ntemperature: 0.2\n---\nA.\n",
        )
        .unwrap();
        std::fs::write(
            agents.join("b.md"),
            "---\ndescription: B.\ntools: [read, grep]\n---\nB.\n",
        )
        .unwrap();
        let mut text = PlanText::new();
        let plan = plan_of(dir.path());
        assert_eq!(plan.agents.len(), 2);
        assert_eq!(text.render(&plan), plan.to_json());
        // From the cache, with one entry changed and one marked stale.
        let mut next = plan.clone();
        next.agents[1].description = "B, changed.".into();
        next.agents[0].stale = true;
        assert_eq!(text.render(&next), next.to_json());
        assert_eq!(text.render(&plan), plan.to_json());
        let empty = Plan {
            agents: Vec::new(),
            ..plan.clone()
        };
        assert_eq!(text.render(&empty), empty.to_json());
    }
}
