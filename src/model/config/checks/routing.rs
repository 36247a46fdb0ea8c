//! Where agents run: `[models]` aliases, `[roles.X]`, `[defaults]`,
//! `[agents.X]` (user config only), `[policy]` and `[gateway] parent`.

use super::*;

const ROUTE_KEYS: &[&str] = &["provider", "model", "fallback"];
const POLICY_KEYS: &[&str] = &["require_explicit_route", "on_unavailable", "allowed_models"];
const GATEWAY_KEYS: &[&str] = &["parent"];

impl Cx {
    /// `[models]`: alias -> target.
    pub(super) fn models(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        if let Some(t) = self.table(key, node) {
            for (alias, target) in t {
                if alias.name.contains('/') || alias.name == "inherit" {
                    self.invalid(&alias.span, format!("`{}` cannot be an alias name: names contain no `/` and are not `inherit`", alias.name));
                    continue;
                }
                if let Some(target) = self.string(alias, target) {
                    config
                        .aliases
                        .push((Sp::new(alias.name.clone(), self.span(&alias.span)), target));
                }
            }
        }
    }

    /// `[roles.X]`: the route of a whole role.
    pub(super) fn roles(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        if let Some(t) = self.table(key, node) {
            for (role, table) in t {
                if let Some(r) = self.route_table(role, table, "[roles]") {
                    config
                        .roles
                        .push((Sp::new(role.name.clone(), self.span(&role.span)), r));
                }
            }
        }
    }

    /// `[agents.X]`: the user's override of one agent's route.
    pub(super) fn agents(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        if let Some(t) = self.table(key, node) {
            if self.scope == Scope::Project {
                let span = self.span(&key.span);
                self.diags.push(
                    Diagnostic::at(
                        Rule::ConfigInvalid,
                        span,
                        "`[agents.X]` overrides belong in the user config, not the project's",
                    )
                    .with_help("set the route in the agent's frontmatter, or move this table to `$AGENTC_USER_DIR/agentc.toml`"),
                );
                return;
            }
            for (name, table) in t {
                if let Some(r) = self.route_table(name, table, "[agents]") {
                    config
                        .agents
                        .push((Sp::new(name.name.clone(), self.span(&name.span)), r));
                }
            }
        }
    }

    /// `[policy]`.
    pub(super) fn policy(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        if let Some(t) = self.table(key, node) {
            for (k, v) in t {
                match k.name.as_str() {
                    "require_explicit_route" => config.require_explicit_route = self.bool(k, v),
                    "on_unavailable" => {
                        if let Some(s) = self.string(k, v) {
                            config.on_unavailable = match s.value.as_str() {
                                "error" => Some(OnUnavailable::Error),
                                "fallback" => Some(OnUnavailable::Fallback),
                                other => {
                                    self.invalid(&v.span, format!("`on_unavailable` must be \"error\" or \"fallback\", found \"{other}\""));
                                    None
                                }
                            };
                        }
                    }
                    "allowed_models" => config.allowed_models = self.string_list(k, v),
                    _ => self.unknown_key(k, "[policy]", POLICY_KEYS),
                }
            }
        }
    }

    /// `[gateway]`.
    pub(super) fn gateway(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        if let Some(t) = self.table(key, node) {
            for (k, v) in t {
                match k.name.as_str() {
                    "parent" => {
                        if let Some(s) = self.string(k, v) {
                            if s.value.trim().is_empty() {
                                self.invalid(&v.span, "`parent` must name a provider or a model");
                            } else {
                                config.gateway_parent = Some(s);
                            }
                        }
                    }
                    _ => self.unknown_key(k, "[gateway]", GATEWAY_KEYS),
                }
            }
        }
    }

    pub(super) fn route_table(
        &mut self,
        key: &TKey,
        node: &TNode,
        what: &str,
    ) -> Option<RouteTable> {
        let t = self.table(key, node)?;
        let mut r = RouteTable::default();
        for (k, v) in t {
            match k.name.as_str() {
                "provider" => r.provider = self.string(k, v),
                "model" => r.model = self.string(k, v),
                "fallback" => {
                    let span = self.span(&v.span);
                    r.fallback = match &v.value {
                        TValue::Str(_) => self.string(k, v).map(|s| (vec![s], span)),
                        _ => self.string_list(k, v).map(|l| (l, span)),
                    };
                }
                _ => self.unknown_key(k, what, ROUTE_KEYS),
            }
        }
        Some(r)
    }
}
