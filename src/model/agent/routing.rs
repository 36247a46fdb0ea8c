//! What routes the agent: `model`, `fallback` and the capabilities it
//! `requires` (`invalid-value`; whether the route resolves is checked
//! with the config, in `check::project`).

use super::*;

impl Cx<'_> {
    pub(super) fn model(&mut self, def: &mut AgentDef, value: &YNode) {
        match (&value.value, self.dialect) {
            (YValue::Seq(items), Dialect::Copilot) => {
                let mut models = self.string_list("model", items);
                if !models.is_empty() {
                    def.model = Some(models.remove(0));
                    if !models.is_empty() {
                        def.fallback = Some((models, self.span(&value.span)));
                    }
                }
            }
            _ => def.model = self.string("model", value),
        }
    }

    pub(super) fn fallback(&mut self, value: &YNode) -> Option<(Vec<Sp<String>>, Span)> {
        let span = self.span(&value.span);
        match &value.value {
            YValue::Str(_) => self.string("fallback", value).map(|s| (vec![s], span)),
            YValue::Seq(items) => Some((self.string_list("fallback", items), span)),
            _ => {
                self.invalid_type("fallback", value, "a model reference or a list of them");
                None
            }
        }
    }

    pub(super) fn requires(&mut self, value: &YNode) -> Vec<Sp<String>> {
        let items: Vec<Sp<String>> = match &value.value {
            YValue::Seq(items) => self.string_list("requires", items),
            YValue::Str(_) => self.string("requires", value).into_iter().collect(),
            _ => {
                self.invalid_type("requires", value, "a list of capabilities");
                return Vec::new();
            }
        };
        let mut out: Vec<Sp<String>> = Vec::new();
        for item in items {
            if !CAPABILITIES.contains(&item.value.as_str()) {
                self.push(
                    Diagnostic::at(
                        Rule::InvalidValue,
                        item.span,
                        format!(
                            "unknown capability `{}`; expected one of {}",
                            item.value,
                            CAPABILITIES.join(", ")
                        ),
                    )
                    .with_help_opt(suggest(&item.value, CAPABILITIES.iter().copied())),
                );
            } else if !out.iter().any(|o| o.value == item.value) {
                out.push(item);
            }
        }
        out
    }
}
