//! `[tools] extra`: tool names beyond the built-in vocabulary.

use super::*;

impl Cx {
    /// `[tools]`.
    pub(super) fn tools(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        if let Some(t) = self.table(key, node) {
            for (k, v) in t {
                match k.name.as_str() {
                    "extra" => {
                        if let Some(list) = self.string_list(k, v) {
                            config.tools_extra.extend(list);
                        }
                    }
                    _ => self.unknown_key(k, "[tools]", &["extra"]),
                }
            }
        }
    }
}
