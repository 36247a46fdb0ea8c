//! Shapes of values and keys: `config-invalid` for a key that is not
//! known in its table, or a value of the wrong type, empty or out of
//! range. Every other family reads its values through these.

use super::*;

impl Cx {
    pub(super) fn span(&self, r: &std::ops::Range<usize>) -> Span {
        Span::new(self.file, r.start, r.end)
    }

    pub(super) fn invalid(&mut self, at: &std::ops::Range<usize>, message: impl Into<String>) {
        let span = self.span(at);
        self.diags
            .push(Diagnostic::at(Rule::ConfigInvalid, span, message));
    }

    pub(super) fn unknown_key(&mut self, key: &TKey, table: &str, known: &[&str]) {
        if secrets::is_secret_key(&key.name) {
            return; // reported as secret-in-definition
        }
        let span = self.span(&key.span);
        self.diags.push(
            Diagnostic::at(
                Rule::ConfigInvalid,
                span,
                format!("unknown key `{}` in {table}", key.name),
            )
            .with_help_opt(
                suggest(&key.name, known.iter().copied())
                    .or_else(|| Some(format!("expected one of: {}", known.join(", ")))),
            ),
        );
    }

    pub(super) fn table<'n>(&mut self, key: &TKey, node: &'n TNode) -> Option<&'n [(TKey, TNode)]> {
        match &node.value {
            TValue::Table(t) => Some(t),
            _ => {
                self.invalid(
                    &node.span,
                    format!("`{}` must be a table, found {}", key.name, node.type_name()),
                );
                None
            }
        }
    }

    pub(super) fn string(&mut self, key: &TKey, node: &TNode) -> Option<Sp<String>> {
        match &node.value {
            TValue::Str(s) if s.trim().is_empty() => {
                self.invalid(&node.span, format!("`{}` is empty", key.name));
                None
            }
            TValue::Str(s) => Some(Sp::new(s.clone(), self.span(&node.span))),
            _ => {
                self.invalid(
                    &node.span,
                    format!(
                        "`{}` must be a string, found {}",
                        key.name,
                        node.type_name()
                    ),
                );
                None
            }
        }
    }

    pub(super) fn bool(&mut self, key: &TKey, node: &TNode) -> Option<bool> {
        match node.value {
            TValue::Bool(b) => Some(b),
            _ => {
                self.invalid(
                    &node.span,
                    format!(
                        "`{}` must be true or false, found {}",
                        key.name,
                        node.type_name()
                    ),
                );
                None
            }
        }
    }

    pub(super) fn positive(&mut self, key: &TKey, node: &TNode) -> Option<u64> {
        match node.value {
            TValue::Int(i) if i > 0 => Some(i as u64),
            _ => {
                self.invalid(
                    &node.span,
                    format!("`{}` must be a whole number greater than 0", key.name),
                );
                None
            }
        }
    }

    pub(super) fn string_list(&mut self, key: &TKey, node: &TNode) -> Option<Vec<Sp<String>>> {
        match &node.value {
            TValue::Array(items) => {
                Some(items.iter().filter_map(|i| self.string(key, i)).collect())
            }
            _ => {
                self.invalid(
                    &node.span,
                    format!(
                        "`{}` must be an array of strings, found {}",
                        key.name,
                        node.type_name()
                    ),
                );
                None
            }
        }
    }
}
