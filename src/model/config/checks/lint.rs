//! How the scope's files are checked: `[lint]` (`deny_warnings`, rule
//! levels, `per_file` ignores) and `[limits]` (the reading budgets).

use super::*;

const LINT_KEYS: &[&str] = &["deny_warnings", "rules", "per_file"];
const LIMIT_KEYS: &[&str] = &["max_file_size", "max_yaml_depth", "max_yaml_nodes"];

impl Cx {
    /// `[lint]`.
    pub(super) fn lint(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        if let Some(t) = self.table(key, node) {
            for (k, v) in t {
                match k.name.as_str() {
                    "deny_warnings" => config.deny_warnings = self.bool(k, v),
                    "rules" => self.lint_rules(k, v, config),
                    "per_file" => self.per_file(k, v, config),
                    _ => self.unknown_key(k, "[lint]", LINT_KEYS),
                }
            }
        }
    }

    fn lint_rules(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        let Some(t) = self.table(key, node) else {
            return;
        };
        for (k, v) in t {
            let Some(rule) = Rule::from_code(&k.name) else {
                let span = self.span(&k.span);
                self.diags.push(
                    Diagnostic::at(
                        Rule::ConfigInvalid,
                        span,
                        format!("unknown rule `{}`", k.name),
                    )
                    .with_help_opt(suggest(&k.name, Rule::ALL.iter().map(|r| r.code()))),
                );
                continue;
            };
            let Some(level) = self.string(k, v) else {
                continue;
            };
            let level = match level.value.as_str() {
                "off" => LintLevel::Off,
                other => match Severity::parse(other) {
                    Some(s) => LintLevel::Severity(s),
                    None => {
                        self.invalid(&v.span, format!("a rule level is \"off\", \"info\", \"warning\" or \"error\", found \"{other}\""));
                        continue;
                    }
                },
            };
            if rule.is_fixed() && level != LintLevel::Severity(rule.default_severity()) {
                let span = self.span(&v.span);
                self.diags.push(
                    Diagnostic::at(
                        Rule::ConfigInvalid,
                        span,
                        format!("`{rule}` has a fixed severity ({}) and cannot be changed", rule.default_severity().as_str()),
                    )
                    .with_help("fix the finding instead; agentc would otherwise read the file wrongly or leak a secret"),
                );
                continue;
            }
            config.rules.insert(rule, level);
        }
    }

    /// `[lint] per_file = { "glob" = ["code", ...] }`.
    fn per_file(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        let Some(t) = self.table(key, node) else {
            return;
        };
        for (k, v) in t {
            if let Err(e) = crate::source::glob::compile_glob(&k.name) {
                self.invalid(&k.span, format!("`{}` is not a valid glob: {e}", k.name));
                continue;
            }
            let Some(codes) = self.string_list(k, v) else {
                continue;
            };
            let mut rules = Vec::new();
            for code in codes {
                match Rule::from_code(&code.value) {
                    Some(rule) if rule.is_fixed() => self.diags.push(
                        Diagnostic::at(
                            Rule::ConfigInvalid,
                            code.span,
                            format!("`{rule}` has a fixed severity and cannot be ignored"),
                        )
                        .with_help("fix the finding instead; agentc would otherwise read the file wrongly or leak a secret"),
                    ),
                    Some(rule) => rules.push(rule),
                    None => self.diags.push(
                        Diagnostic::at(
                            Rule::ConfigInvalid,
                            code.span,
                            format!("unknown rule `{}`", code.value),
                        )
                        .with_help_opt(suggest(&code.value, Rule::ALL.iter().map(|r| r.code()))),
                    ),
                }
            }
            config.per_file.push(PerFileIgnore {
                pattern: Sp::new(k.name.clone(), self.span(&k.span)),
                rules,
            });
        }
    }

    /// `[limits]`.
    pub(super) fn limits(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        if let Some(t) = self.table(key, node) {
            for (k, v) in t {
                match k.name.as_str() {
                    "max_file_size" => {
                        if let Some(n) = self.positive(k, v) {
                            config.limits.max_file_size = n;
                        }
                    }
                    "max_yaml_depth" => {
                        let max = crate::syntax::yaml::MAX_DEPTH_LIMIT;
                        match self.positive(k, v) {
                            Some(n) if n as usize > max => self
                                .invalid(&v.span, format!("`max_yaml_depth` can be at most {max}")),
                            Some(n) => config.limits.max_yaml_depth = n as usize,
                            None => {}
                        }
                    }
                    "max_yaml_nodes" => {
                        if let Some(n) = self.positive(k, v) {
                            config.limits.max_yaml_nodes = n as usize;
                        }
                    }
                    _ => self.unknown_key(k, "[limits]", LIMIT_KEYS),
                }
            }
        }
    }
}
