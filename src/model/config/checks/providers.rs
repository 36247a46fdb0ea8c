//! `[providers.X]`: ids, `kind`, `base_url`, `api_key_env`,
//! `capabilities`, and a provider that is not a preset without a
//! `base_url`.

use super::*;

const PROVIDER_KEYS: &[&str] = &[
    "kind",
    "base_url",
    "api_key_env",
    "models",
    "default_model",
    "max_concurrency",
    "capabilities",
];

impl Cx {
    /// `[providers]`: one table per provider id.
    pub(super) fn providers(&mut self, key: &TKey, node: &TNode, config: &mut ScopeConfig) {
        if let Some(t) = self.table(key, node) {
            for (id, table) in t {
                if let Some(p) = self.provider(id, table) {
                    config.providers.push(p);
                }
            }
        }
    }

    /// One `[providers.X]` table, one arm per key.
    fn provider(&mut self, id: &TKey, node: &TNode) -> Option<ProviderTable> {
        let t = self.table(id, node)?;
        if id.name.contains('/') || id.name == "inherit" || id.name.is_empty() {
            self.invalid(
                &id.span,
                format!(
                    "`{}` cannot be a provider id: ids contain no `/` and are not `inherit`",
                    id.name
                ),
            );
            return None;
        }
        let mut p = ProviderTable {
            id: id.name.clone(),
            key_span: self.span(&id.span),
            kind: None,
            base_url: None,
            parsed_url: None,
            bad_url: false,
            api_key_env: None,
            models: None,
            default_model: None,
            max_concurrency: None,
            capabilities: BTreeMap::new(),
            canonical: serde_json::to_string(&node.to_json()).unwrap_or_default(),
        };
        for (k, v) in t {
            match k.name.as_str() {
                "kind" => self.provider_kind(k, v, &mut p),
                "base_url" => self.base_url(k, v, &mut p),
                "api_key_env" => self.api_key_env(k, v, &mut p),
                "models" => p.models = self.string_list(k, v),
                "default_model" => p.default_model = self.string(k, v),
                "max_concurrency" => {
                    p.max_concurrency = self
                        .positive(k, v)
                        .map(|n| Sp::new(n.min(u32::MAX as u64) as u32, self.span(&v.span)))
                }
                "capabilities" => self.capabilities(k, v, &mut p),
                _ => self.unknown_key(k, &format!("[providers.{}]", id.name), PROVIDER_KEYS),
            }
        }
        if presets::preset(&p.id).is_none() && p.base_url.is_none() {
            let span = p.key_span;
            self.diags.push(
                Diagnostic::at(
                    Rule::ConfigInvalid,
                    span,
                    format!("provider `{}` has no `base_url`", p.id),
                )
                .with_help(
                    "a provider that is not a preset needs `base_url = \"http://host:port/v1\"`",
                ),
            );
        }
        Some(p)
    }

    /// `kind`: one of the provider kinds agentc knows.
    fn provider_kind(&mut self, k: &TKey, v: &TNode, p: &mut ProviderTable) {
        if let Some(s) = self.string(k, v) {
            match ProviderKind::parse(&s.value) {
                Some(kind) => p.kind = Some(Sp::new(kind, s.span)),
                None => {
                    let span = s.span;
                    self.diags.push(
                        Diagnostic::at(
                            Rule::ConfigInvalid,
                            span,
                            format!("unknown provider kind `{}`", s.value),
                        )
                        .with_help_opt(
                            suggest(&s.value, ProviderKind::ALL.iter().map(|k| k.as_str()))
                                .or_else(|| {
                                    Some(format!(
                                        "expected one of: {}",
                                        ProviderKind::ALL
                                            .iter()
                                            .map(|k| k.as_str())
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    ))
                                }),
                        ),
                    );
                }
            }
        }
    }

    /// `base_url`: kept as written; parsed once, and marked bad when the
    /// provider must not fall back to the preset's address.
    fn base_url(&mut self, k: &TKey, v: &TNode, p: &mut ProviderTable) {
        p.bad_url = true;
        if let Some(s) = self.string(k, v) {
            match BaseUrl::parse(&s.value) {
                Ok(url) => {
                    p.bad_url = false;
                    p.parsed_url = Some(url);
                }
                Err(problem) => self.bad_url(&s, &problem),
            }
            p.base_url = Some(s);
        }
    }

    /// `config-invalid` for a `base_url` the HTTP client would read
    /// differently from a reviewer; a password in it is also a secret.
    fn bad_url(&mut self, s: &Sp<String>, problem: &UrlProblem) {
        if *problem == (UrlProblem::Userinfo { password: true })
            && secrets::check(Some("base_url"), &s.value).is_none()
        {
            self.diags.push(
                Diagnostic::at(
                    Rule::SecretInDefinition,
                    s.span,
                    "a password is written literally in `base_url`; keep secrets out of definitions",
                )
                .with_help(secrets::HELP),
            );
        }
        self.diags.push(
            Diagnostic::at(Rule::ConfigInvalid, s.span, format!("`base_url` {problem}"))
                .with_help(problem.help()),
        );
    }

    /// `api_key_env`: the name of a variable, never a key.
    fn api_key_env(&mut self, k: &TKey, v: &TNode, p: &mut ProviderTable) {
        if let Some(s) = self.string(k, v) {
            if secrets::credential_kind(&s.value).is_some() {
                return; // reported as secret-in-definition
            }
            let valid = s
                .value
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && s.value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if valid {
                p.api_key_env = Some(s);
            } else {
                let span = s.span;
                self.diags.push(
                        Diagnostic::at(Rule::ConfigInvalid, span, format!("`{}` is not an environment variable name", s.value))
                            .with_help("`api_key_env` names the variable that holds the key, such as `DEEPSEEK_API_KEY`"),
                    );
            }
        }
    }

    /// `capabilities`: declared per model, from the shared vocabulary.
    fn capabilities(&mut self, k: &TKey, v: &TNode, p: &mut ProviderTable) {
        if let Some(models) = self.table(k, v) {
            for (model, caps) in models {
                if let Some(list) = self.string_list(model, caps) {
                    let mut out = Vec::new();
                    for c in list {
                        if crate::dialect::CAPABILITIES.contains(&c.value.as_str()) {
                            out.push(c.value);
                        } else {
                            let span = c.span;
                            self.diags.push(
                                Diagnostic::at(
                                    Rule::ConfigInvalid,
                                    span,
                                    format!("unknown capability `{}`", c.value),
                                )
                                .with_help_opt(suggest(
                                    &c.value,
                                    crate::dialect::CAPABILITIES.iter().copied(),
                                )),
                            );
                        }
                    }
                    p.capabilities.insert(model.name.clone(), out);
                }
            }
        }
    }
}
