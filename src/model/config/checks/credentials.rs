//! `secret-in-definition`: a credential written into `agentc.toml`
//! instead of named by its environment variable.

use super::*;

impl Cx {
    pub(in crate::model::config) fn scan_secrets(&mut self, node: &TNode, key: Option<&str>) {
        match &node.value {
            TValue::Str(s) => {
                if let Some(message) = secrets::check(key, s) {
                    let span = self.span(&node.span);
                    self.diags.push(
                        Diagnostic::at(Rule::SecretInDefinition, span, message)
                            .with_help(secrets::HELP),
                    );
                }
            }
            TValue::Array(items) => {
                for i in items {
                    self.scan_secrets(i, key);
                }
            }
            TValue::Table(entries) => {
                for (k, v) in entries {
                    self.scan_secrets(v, Some(&k.name));
                }
            }
            _ => {}
        }
    }
}
