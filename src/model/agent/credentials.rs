//! Literal credentials anywhere in the frontmatter
//! (`secret-in-definition`).

use super::*;

impl Cx<'_> {
    pub(super) fn scan_secrets(&mut self, key: Option<&str>, value: &YNode) {
        match &value.value {
            YValue::Str(s) => {
                if let Some(message) = secrets::check(key, s) {
                    self.push(
                        Diagnostic::at(Rule::SecretInDefinition, self.span(&value.span), message)
                            .with_help(secrets::HELP),
                    );
                }
            }
            YValue::Seq(items) => {
                for i in items {
                    self.scan_secrets(key, i);
                }
            }
            YValue::Map(entries) => {
                for (k, v) in entries {
                    self.scan_secrets(k.key_text().as_deref(), v);
                }
            }
            _ => {}
        }
    }
}
