//! The plan's JSON for each generation, byte for byte what
//! [`Plan::to_json`] writes, but re-serialising only the agents that
//! changed: with thousands of agents the plan is megabytes of JSON, and a
//! save changes one entry.

use crate::route::plan::{Plan, PlanAgent, entry_json, write_spliced};
use std::io::Write;
use std::sync::Arc;

/// Remembers each agent's JSON between generations.
#[derive(Debug, Default)]
pub struct PlanText {
    /// The last plan's entries with their text, sorted by name.
    agents: Vec<(Arc<PlanAgent>, String)>,
}

/// The same entry: most often the very same `Arc`, shared by the
/// generations of a watcher.
fn same(a: &Arc<PlanAgent>, b: &Arc<PlanAgent>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

impl PlanText {
    pub fn new() -> PlanText {
        PlanText::default()
    }

    /// The plan's JSON (sorted keys, 2-space indentation, final newline).
    pub fn render(&mut self, plan: &Plan) -> String {
        let mut out = Vec::new();
        // Writing to memory cannot fail, and only JSON text is written.
        let _ = self.write(plan, &mut out);
        String::from_utf8(out).unwrap_or_else(|_| plan.to_json())
    }

    /// Writes the plan's JSON to `w`, entry by entry, without building the
    /// whole text in memory first.
    pub fn write(&mut self, plan: &Plan, w: &mut dyn Write) -> std::io::Result<()> {
        let sorted = plan.agents.windows(2).all(|w| w[0].name < w[1].name);
        let Some(tail) = plan.json_tail().filter(|_| sorted) else {
            // No agents, a layout this cache does not splice into, or not a
            // plan `build` makes (names unique and in order).
            self.agents.clear();
            return w.write_all(plan.to_json().as_bytes());
        };
        let same_names = self.agents.len() == plan.agents.len()
            && self
                .agents
                .iter()
                .zip(&plan.agents)
                .all(|((old, _), a)| Arc::ptr_eq(old, a) || old.name == a.name);
        if same_names {
            // The usual reload: the same agents, a few of them changed.
            for ((old, text), a) in self.agents.iter_mut().zip(&plan.agents) {
                if !Arc::ptr_eq(old, a) {
                    if old != a {
                        *text = entry_json(a);
                    }
                    // Hold the new one, so that the old can be freed.
                    *old = Arc::clone(a);
                }
            }
        } else {
            // Both lists are sorted by name: walk them together, keeping
            // the text of every entry that did not change.
            let mut previous = std::mem::take(&mut self.agents).into_iter().peekable();
            let mut entries = Vec::with_capacity(plan.agents.len());
            for a in &plan.agents {
                while previous.next_if(|(old, _)| old.name < a.name).is_some() {}
                let kept = previous
                    .next_if(|(old, _)| same(old, a))
                    .map(|(_, text)| (Arc::clone(a), text));
                entries.push(kept.unwrap_or_else(|| (Arc::clone(a), entry_json(a))));
            }
            self.agents = entries;
        }
        write_spliced(w, self.agents.iter().map(|(_, text)| text.as_str()), &tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::project::{self, LoadRequest};
    use crate::discover::{self, Env};
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
            keep: crate::check::project::Keep::Whole,
        };
        let mut sources = SourceMap::default();
        let (p, d) = project::load(req, &env, &mut sources);
        crate::route::plan::build(&p, &sources, &d)
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
        // `to_json` splices entries serialised in parallel: the same bytes
        // as serialising the whole plan at once.
        let whole = serde_json::to_string_pretty(&plan).unwrap() + "\n";
        assert_eq!(plan.to_json(), whole);
        let empty = Plan {
            agents: Vec::new(),
            ..plan.clone()
        };
        assert_eq!(
            empty.to_json(),
            serde_json::to_string_pretty(&empty).unwrap() + "\n"
        );
        assert_eq!(text.render(&plan), plan.to_json());
        // From the cache, with one entry changed and one marked stale.
        let mut next = plan.clone();
        Arc::make_mut(&mut next.agents[1]).description = "B, changed.".into();
        Arc::make_mut(&mut next.agents[0]).stale = true;
        assert_eq!(text.render(&next), next.to_json());
        assert_eq!(text.render(&plan), plan.to_json());
        // An agent removed, then added back.
        let mut fewer = plan.clone();
        fewer.agents.remove(0);
        assert_eq!(text.render(&fewer), fewer.to_json());
        assert_eq!(text.render(&plan), plan.to_json());
        // Not in name order: serialised whole, still the same bytes.
        let mut reversed = plan.clone();
        reversed.agents.reverse();
        assert_eq!(text.render(&reversed), reversed.to_json());
        let empty = Plan {
            agents: Vec::new(),
            ..plan.clone()
        };
        assert_eq!(text.render(&empty), empty.to_json());
    }
}
