//! Tool lists: agentc's own, Claude's comma strings, OpenCode's `tools`
//! map with its `permission` rules (`invalid-type`; unknown tools are
//! checked against the config in `check::project`).

use super::*;

impl Cx<'_> {
    pub(super) fn tools(&mut self, value: &YNode) -> ToolsDecl {
        let span = self.span(&value.span);
        match (&value.value, self.dialect) {
            // Gemini CLI wants a list even for `*`.
            (YValue::Str(s), _) if s.trim() == "*" && self.dialect != Dialect::Gemini => {
                ToolsDecl::All(span)
            }
            (YValue::Seq(items), Dialect::Gemini)
                if items.iter().any(|i| i.as_str().map(str::trim) == Some("*")) =>
            {
                ToolsDecl::All(span)
            }
            (YValue::Seq(items), _) => ToolsDecl::List(self.string_list("tools", items)),
            (YValue::Str(s), Dialect::Claude | Dialect::Copilot) => {
                ToolsDecl::List(self.comma_list(s, value))
            }
            (YValue::Null, _) => ToolsDecl::List(Vec::new()),
            (YValue::Str(s), Dialect::Agentc) => {
                // Claude's comma string in an agentc file: `Read, Grep` →
                // `[read, grep]` when every name has an agentc equivalent.
                let mut d = Diagnostic::at(
                    Rule::InvalidType,
                    span,
                    "`tools` must be a list of tool names or \"*\", found a string",
                );
                match agentc_tool_list(s) {
                    Some(list) => {
                        let written = crate::syntax::emit::flow_list(&list);
                        d = d
                            .with_help(format!("write a list: `tools: {written}`"))
                            .with_fix(Fix {
                                message: "write the tools as a list".into(),
                                edits: vec![Edit {
                                    span,
                                    replacement: written,
                                }],
                            });
                    }
                    None => d = d.with_help("write a list, such as `tools: [read, grep]`"),
                }
                self.push(d);
                ToolsDecl::Inherit
            }
            _ => {
                let expected = match self.dialect {
                    Dialect::Agentc => "a list of tool names or \"*\"",
                    Dialect::Claude => "a comma-separated string or a list of tool names",
                    Dialect::Opencode => "a mapping of tool names to true or false",
                    Dialect::Copilot => "a string or a list of tool names",
                    Dialect::Gemini => "a list of tool names",
                    Dialect::Codex | Dialect::Cursor => "absent (the harness has no tool list)",
                };
                self.invalid_type("tools", value, expected);
                ToolsDecl::Inherit
            }
        }
    }

    /// OpenCode's meaning of a `tools` map and `permission` rules, as
    /// OpenCode 1.18.33 applies them: each `tools` entry becomes a rule
    /// (`true` allow, `false` deny; `write`, `patch` and `multiedit` fall
    /// under `edit`), then the `permission` rules follow, and the last rule
    /// that matches a tool decides. A map of only `true` entries restricts
    /// nothing; `{bash: false}` takes away bash alone. The result lists the
    /// tools the agent keeps (OpenCode's default tools and the ones the
    /// map switches on), or inherits when nothing is taken away.
    pub(super) fn opencode_tools(
        &mut self,
        tools: Option<&YNode>,
        permission: Option<&YNode>,
    ) -> ToolsDecl {
        // (pattern, allowed, entry span): the rules in OpenCode's order.
        let mut rules: Vec<(String, bool)> = Vec::new();
        let mut named: Vec<Sp<String>> = Vec::new();
        let mut at = None;
        if let Some(value) = tools {
            at = Some(self.span(&value.span));
            match &value.value {
                YValue::Map(entries) => {
                    for (k, v) in entries {
                        match (k.key_text(), &v.value) {
                            (Some(name), YValue::Bool(on)) => {
                                if *on && !name.contains('*') {
                                    named.push(Sp::new(name.clone(), self.span(&k.span)));
                                }
                                rules.push((
                                    crate::dialect::opencode_permission_of(&name).to_string(),
                                    *on,
                                ));
                            }
                            _ => self.invalid_type("tools", v, "`true` or `false`"),
                        }
                    }
                }
                YValue::Null => {}
                _ => self.invalid_type("tools", value, "a mapping of tool names to true or false"),
            }
        }
        if let Some(value) = permission {
            at = at.or(Some(self.span(&value.span)));
            match &value.value {
                YValue::Map(entries) => {
                    for (k, v) in entries {
                        let Some(name) = k.key_text() else { continue };
                        let allowed = match &v.value {
                            YValue::Str(a) => a.trim() != "deny",
                            // Pattern rules (`bash: {"git *": allow}`): the
                            // tool stays, with only some uses allowed,
                            // unless every pattern is denied.
                            YValue::Map(patterns) => patterns
                                .iter()
                                .any(|(_, a)| a.as_str().is_some_and(|a| a.trim() != "deny")),
                            _ => true,
                        };
                        rules.push((name, allowed));
                    }
                }
                // `permission: deny` (a single action) applies to everything.
                YValue::Str(a) => rules.push(("*".into(), a.trim() != "deny")),
                _ => {}
            }
        }
        let allowed = |tool: &str| -> Option<bool> {
            let perm = crate::dialect::opencode_permission_of(tool);
            rules
                .iter()
                .rev()
                .find(|(p, _)| glob_match(p, perm))
                .map(|(_, a)| *a)
        };
        let defaults = crate::dialect::OPENCODE_DEFAULT_TOOLS;
        let denies_any = defaults.iter().any(|t| allowed(t) == Some(false));
        if !denies_any {
            return ToolsDecl::Inherit;
        }
        let span = at.unwrap_or_else(|| Span::new(self.file, 0, 0));
        let mut out: Vec<Sp<String>> = Vec::new();
        for t in defaults {
            if allowed(t) != Some(false) {
                match named.iter().find(|n| n.value == *t) {
                    Some(n) => out.push(n.clone()),
                    None => out.push(Sp::new((*t).to_string(), span)),
                }
            }
        }
        // Tools beyond the defaults that the map switches on (custom
        // tools, MCP tools), when no later rule takes them away.
        for n in &named {
            if !defaults.contains(&n.value.as_str())
                && allowed(&n.value) != Some(false)
                && !out.iter().any(|o| o.value == n.value)
            {
                out.push(n.clone());
            }
        }
        ToolsDecl::List(out)
    }
}
