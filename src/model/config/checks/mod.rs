//! The checks of `agentc.toml`, one file per family; each is an `impl Cx`
//! block that reads its tables into the [`ScopeConfig`] and reports what
//! is wrong with them.

use super::*;

mod credentials;
mod fields;
mod lint;
mod providers;
mod routing;
mod tools;

const TOP_KEYS: &[&str] = &[
    "providers",
    "models",
    "roles",
    "defaults",
    "agents",
    "tools",
    "policy",
    "lint",
    "limits",
    "gateway",
];

impl Cx {
    /// One arm per top-level table of agentc.toml.
    pub(in crate::model::config) fn root(&mut self, root: &TNode, config: &mut ScopeConfig) {
        let Some(entries) = root.as_table() else {
            return;
        };
        for (key, node) in entries {
            match key.name.as_str() {
                "providers" => self.providers(key, node, config),
                "models" => self.models(key, node, config),
                "roles" => self.roles(key, node, config),
                "defaults" => config.defaults = self.route_table(key, node, "[defaults]"),
                "agents" => self.agents(key, node, config),
                "tools" => self.tools(key, node, config),
                "policy" => self.policy(key, node, config),
                "lint" => self.lint(key, node, config),
                "limits" => self.limits(key, node, config),
                "gateway" => self.gateway(key, node, config),
                _ => self.unknown_key(key, "agentc.toml", TOP_KEYS),
            }
        }
    }
}
