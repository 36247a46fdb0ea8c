//! The agent's name: `invalid-name`, `name-mismatch`, per dialect.

use super::*;

impl Cx<'_> {
    pub(super) fn name(&mut self, def: &mut AgentDef, stem: &str, value: &YNode) {
        let Some(name) = self.string("name", value) else {
            return;
        };
        if !self.dialect.name_is_id() {
            // A display name; the id is the file stem.
            def.display_name = Some(name.value);
            return;
        }
        let valid = match self.dialect {
            Dialect::Claude | Dialect::Cursor => is_claude_name(&name.value),
            Dialect::Gemini => crate::dialect::gemini::is_name(&name.value),
            _ => is_agent_name(&name.value),
        };
        if !valid {
            let (rule_text, severity) = match self.dialect {
                Dialect::Claude => (
                    "Claude Code names are lower-case letters, digits and hyphens",
                    Severity::Warning,
                ),
                Dialect::Cursor => (
                    "Cursor names are lower-case letters, digits and hyphens",
                    Severity::Warning,
                ),
                Dialect::Gemini => (
                    "Gemini CLI names are lower-case letters, digits, `-` and `_`, and it fails the file",
                    Severity::Error,
                ),
                _ => ("names match `^[a-z0-9][a-z0-9._-]{0,63}$`", Severity::Error),
            };
            let slug = slugify(&name.value);
            self.push(
                Diagnostic::at(
                    Rule::InvalidName,
                    name.span,
                    format!("`{}` is not a valid agent name: {rule_text}", name.value),
                )
                .with_severity(severity)
                .with_help_opt((!slug.is_empty()).then(|| format!("use `name: {slug}`"))),
            );
        } else if name.value != stem && self.dialect == Dialect::Agentc {
            // Claude Code opens an agent by its `name`; the file name does not
            // matter there (plugins prefix names, files keep short ones).
            self.push(
                Diagnostic::at(
                    Rule::NameMismatch,
                    name.span,
                    format!(
                        "name `{}` differs from the file name `{stem}`; the agent is opened as `{}`",
                        name.value, name.value
                    ),
                )
                .with_help(format!(
                    "rename the file to `{}.md`, or set `name: {stem}`",
                    name.value
                )),
            );
        }
        def.name = name.value;
        def.name_span = name.span;
    }
}
