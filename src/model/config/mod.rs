//! `agentc.toml` at both scopes: parsing with spans, validation
//! (`config-syntax`, `config-invalid`, secrets, trust), and the merge of the
//! user's and the project's config into one [`Config`].

pub mod base_url;
pub mod presets;

pub use base_url::{BaseUrl, UrlProblem};
pub use presets::ProviderKind;

use crate::diagnostic::{Diagnostic, Severity, Sp, Span, suggest};
use crate::rules::{Rule, secrets};
use crate::source::{FileId, Scope};
use crate::syntax::toml::{self as tomlsyn, TKey, TNode, TValue};
use std::collections::BTreeMap;

/// `provider`, `model` and `fallback` as a config table sets them
/// (`[defaults]`, `[roles.X]`, `[agents.X]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RouteTable {
    pub provider: Option<Sp<String>>,
    pub model: Option<Sp<String>>,
    pub fallback: Option<(Vec<Sp<String>>, Span)>,
}

/// One `[providers.X]` table as written.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderTable {
    pub id: String,
    /// The `X` of `[providers.X]`.
    pub key_span: Span,
    pub kind: Option<Sp<ProviderKind>>,
    /// The URL as written, and as parsed when it is usable.
    pub base_url: Option<Sp<String>>,
    /// `base_url`, read once; `None` when it is missing or invalid.
    pub parsed_url: Option<BaseUrl>,
    /// The table sets a `base_url` that is not usable (`config-invalid`):
    /// the provider has no address, rather than the preset's.
    pub bad_url: bool,
    pub api_key_env: Option<Sp<String>>,
    pub models: Option<Vec<Sp<String>>>,
    pub default_model: Option<Sp<String>>,
    pub max_concurrency: Option<Sp<u32>>,
    /// Declared capabilities per model, for servers that cannot tell.
    pub capabilities: BTreeMap<String, Vec<String>>,
    /// The table's fields, canonically serialised; what `agentc trust` hashes.
    pub canonical: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnUnavailable {
    Error,
    Fallback,
}

/// A `[lint] rules` level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LintLevel {
    Off,
    Severity(Severity),
}

/// `[limits]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_file_size: u64,
    pub max_yaml_depth: usize,
    pub max_yaml_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 262_144,
            max_yaml_depth: 64,
            max_yaml_nodes: 10_000,
        }
    }
}

impl Limits {
    pub fn yaml(&self) -> crate::syntax::yaml::YamlLimits {
        crate::syntax::yaml::YamlLimits {
            max_depth: self.max_yaml_depth,
            max_nodes: self.max_yaml_nodes,
        }
    }
}

/// One scope's `agentc.toml`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeConfig {
    pub scope: Scope,
    pub file: Option<FileId>,
    pub providers: Vec<ProviderTable>,
    /// `[models]`: alias → target, in source order.
    pub aliases: Vec<(Sp<String>, Sp<String>)>,
    pub roles: Vec<(Sp<String>, RouteTable)>,
    pub defaults: Option<RouteTable>,
    pub agents: Vec<(Sp<String>, RouteTable)>,
    pub tools_extra: Vec<Sp<String>>,
    pub require_explicit_route: Option<bool>,
    pub on_unavailable: Option<OnUnavailable>,
    pub allowed_models: Option<Vec<Sp<String>>>,
    pub deny_warnings: Option<bool>,
    pub rules: BTreeMap<Rule, LintLevel>,
    /// `[lint] per_file`: rules switched off for files matching a glob.
    pub per_file: Vec<PerFileIgnore>,
    pub limits: Limits,
    /// `[gateway] parent`: where `agentc gateway` sends the parent
    /// session's requests (a provider id or a model reference).
    pub gateway_parent: Option<Sp<String>>,
}

/// One `[lint] per_file` entry: a glob over paths relative to the scope's
/// root (the project root, or `$AGENTC_USER_DIR`) and the rules it ignores.
#[derive(Clone, Debug, PartialEq)]
pub struct PerFileIgnore {
    pub pattern: Sp<String>,
    pub rules: Vec<Rule>,
}

impl ScopeConfig {
    /// The config of a scope with no `agentc.toml`.
    pub fn empty(scope: Scope) -> ScopeConfig {
        ScopeConfig {
            scope,
            file: None,
            providers: Vec::new(),
            aliases: Vec::new(),
            roles: Vec::new(),
            defaults: None,
            agents: Vec::new(),
            tools_extra: Vec::new(),
            require_explicit_route: None,
            on_unavailable: None,
            allowed_models: None,
            deny_warnings: None,
            rules: BTreeMap::new(),
            per_file: Vec::new(),
            limits: Limits::default(),
            gateway_parent: None,
        }
    }

    pub fn role(&self, name: &str) -> Option<&RouteTable> {
        self.roles
            .iter()
            .find(|(r, _)| r.value == name)
            .map(|(_, t)| t)
    }

    pub fn agent(&self, name: &str) -> Option<&RouteTable> {
        self.agents
            .iter()
            .find(|(a, _)| a.value == name)
            .map(|(_, t)| t)
    }

    /// The effective severity of a finding of `rule` in this scope's files
    /// (`None`: switched off).
    pub fn severity(&self, rule: Rule, default: Severity) -> Option<Severity> {
        if rule.is_fixed() {
            return Some(default);
        }
        match self.rules.get(&rule) {
            Some(LintLevel::Off) => None,
            Some(LintLevel::Severity(s)) => Some(*s),
            None => Some(default),
        }
    }
}

const TOP_KEYS: &[&str] = &[
    "providers",
    "models",
    "roles",
    "defaults",
    "agents",
    "tools",
    "policy",
    "lint",
    "limits",
    "gateway",
];
const PROVIDER_KEYS: &[&str] = &[
    "kind",
    "base_url",
    "api_key_env",
    "models",
    "default_model",
    "max_concurrency",
    "capabilities",
];
const ROUTE_KEYS: &[&str] = &["provider", "model", "fallback"];
const POLICY_KEYS: &[&str] = &["require_explicit_route", "on_unavailable", "allowed_models"];
const LINT_KEYS: &[&str] = &["deny_warnings", "rules", "per_file"];
const GATEWAY_KEYS: &[&str] = &["parent"];
const LIMIT_KEYS: &[&str] = &["max_file_size", "max_yaml_depth", "max_yaml_nodes"];

/// Parses and validates one scope's `agentc.toml`.
pub fn parse(file: FileId, text: &str, scope: Scope) -> (ScopeConfig, Vec<Diagnostic>) {
    let mut cx = Cx {
        file,
        scope,
        diags: Vec::new(),
    };
    let mut config = ScopeConfig::empty(scope);
    config.file = Some(file);
    match tomlsyn::parse(text) {
        Ok(root) => {
            cx.scan_secrets(&root, None);
            cx.root(&root, &mut config);
        }
        Err(e) => {
            let end = if e.span.end > e.span.start {
                e.span.end
            } else {
                e.span.start
            };
            cx.diags.push(Diagnostic::at(
                Rule::ConfigSyntax,
                Span::new(file, e.span.start.min(text.len()), end.min(text.len())),
                first_line(&e.message),
            ));
        }
    }
    (config, cx.diags)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

struct Cx {
    file: FileId,
    scope: Scope,
    diags: Vec<Diagnostic>,
}

impl Cx {
    fn span(&self, r: &std::ops::Range<usize>) -> Span {
        Span::new(self.file, r.start, r.end)
    }

    fn invalid(&mut self, at: &std::ops::Range<usize>, message: impl Into<String>) {
        let span = self.span(at);
        self.diags
            .push(Diagnostic::at(Rule::ConfigInvalid, span, message));
    }

    fn unknown_key(&mut self, key: &TKey, table: &str, known: &[&str]) {
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

    fn table<'n>(&mut self, key: &TKey, node: &'n TNode) -> Option<&'n [(TKey, TNode)]> {
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

    fn string(&mut self, key: &TKey, node: &TNode) -> Option<Sp<String>> {
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

    fn bool(&mut self, key: &TKey, node: &TNode) -> Option<bool> {
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

    fn positive(&mut self, key: &TKey, node: &TNode) -> Option<u64> {
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

    fn string_list(&mut self, key: &TKey, node: &TNode) -> Option<Vec<Sp<String>>> {
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

    fn scan_secrets(&mut self, node: &TNode, key: Option<&str>) {
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

    // Long: one arm per top-level table of agentc.toml.
    fn root(&mut self, root: &TNode, config: &mut ScopeConfig) {
        let Some(entries) = root.as_table() else {
            return;
        };
        for (key, node) in entries {
            match key.name.as_str() {
                "providers" => {
                    if let Some(t) = self.table(key, node) {
                        for (id, table) in t {
                            if let Some(p) = self.provider(id, table) {
                                config.providers.push(p);
                            }
                        }
                    }
                }
                "models" => {
                    if let Some(t) = self.table(key, node) {
                        for (alias, target) in t {
                            if alias.name.contains('/') || alias.name == "inherit" {
                                self.invalid(&alias.span, format!("`{}` cannot be an alias name: names contain no `/` and are not `inherit`", alias.name));
                                continue;
                            }
                            if let Some(target) = self.string(alias, target) {
                                config.aliases.push((
                                    Sp::new(alias.name.clone(), self.span(&alias.span)),
                                    target,
                                ));
                            }
                        }
                    }
                }
                "roles" => {
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
                "defaults" => config.defaults = self.route_table(key, node, "[defaults]"),
                "agents" => {
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
                            continue;
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
                "tools" => {
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
                "policy" => {
                    if let Some(t) = self.table(key, node) {
                        for (k, v) in t {
                            match k.name.as_str() {
                                "require_explicit_route" => {
                                    config.require_explicit_route = self.bool(k, v)
                                }
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
                "lint" => {
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
                "limits" => {
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
                                        Some(n) if n as usize > max => self.invalid(
                                            &v.span,
                                            format!("`max_yaml_depth` can be at most {max}"),
                                        ),
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
                "gateway" => {
                    if let Some(t) = self.table(key, node) {
                        for (k, v) in t {
                            match k.name.as_str() {
                                "parent" => {
                                    if let Some(s) = self.string(k, v) {
                                        if s.value.trim().is_empty() {
                                            self.invalid(
                                                &v.span,
                                                "`parent` must name a provider or a model",
                                            );
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
                _ => self.unknown_key(key, "agentc.toml", TOP_KEYS),
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

    fn route_table(&mut self, key: &TKey, node: &TNode, what: &str) -> Option<RouteTable> {
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

    // Long: one arm per key of a [providers.X] table.
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
                "kind" => {
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
                                        suggest(
                                            &s.value,
                                            ProviderKind::ALL.iter().map(|k| k.as_str()),
                                        )
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
                "base_url" => {
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
                "api_key_env" => {
                    if let Some(s) = self.string(k, v) {
                        if secrets::credential_kind(&s.value).is_some() {
                            continue; // reported as secret-in-definition
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
                "models" => p.models = self.string_list(k, v),
                "default_model" => p.default_model = self.string(k, v),
                "max_concurrency" => {
                    p.max_concurrency = self
                        .positive(k, v)
                        .map(|n| Sp::new(n.min(u32::MAX as u64) as u32, self.span(&v.span)))
                }
                "capabilities" => {
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
}

/// Where a provider's effective definition comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProviderScope {
    Builtin,
    Project,
    User,
}

impl ProviderScope {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderScope::Builtin => "builtin",
            ProviderScope::Project => "project",
            ProviderScope::User => "user",
        }
    }
}

/// A provider as the plan and the executor see it.
#[derive(Clone, Debug, PartialEq)]
pub struct Provider {
    pub id: String,
    pub kind: ProviderKind,
    /// Where requests go; `None` when the config gives no usable URL (the
    /// provider is then never called).
    pub base_url: Option<BaseUrl>,
    pub api_key_env: Option<String>,
    pub models: Option<Vec<String>>,
    /// The default model and the span of its `default_model` line (none for
    /// a preset).
    pub default_model: Option<(String, Option<Span>)>,
    pub max_concurrency: Option<u32>,
    pub capabilities: BTreeMap<String, Vec<String>>,
    pub scope: ProviderScope,
    pub trusted: bool,
}

impl Provider {
    pub fn declares_model(&self, model: &str) -> bool {
        self.models
            .as_ref()
            .is_none_or(|m| m.iter().any(|x| x == model))
    }
}

/// Hashes of provider tables the user has trusted (`agentc trust`).
pub trait TrustStore {
    fn is_trusted(&self, table: &ProviderTable) -> bool;
}

/// Trusts nothing.
pub struct NoTrust;

impl TrustStore for NoTrust {
    fn is_trusted(&self, _: &ProviderTable) -> bool {
        false
    }
}

/// Both scopes' config, merged.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub project: ScopeConfig,
    pub user: ScopeConfig,
    pub providers: BTreeMap<String, Provider>,
    /// alias → target; the user's wins per alias.
    pub aliases: BTreeMap<String, Sp<String>>,
    pub tools_extra: Vec<String>,
    pub require_explicit_route: bool,
    pub allowed_models: Option<Vec<Sp<String>>>,
    pub on_unavailable: OnUnavailable,
    /// `[gateway] parent`; the user's wins.
    pub gateway_parent: Option<String>,
}

impl Config {
    /// Merges the two scopes. `ollama_host` is the `OLLAMA_HOST` variable.
    /// Diagnostics for trust and credential pairing are pushed to `diags`.
    // Long: the merge rules of DESIGN §3, one section per table.
    pub fn merge(
        project: ScopeConfig,
        user: ScopeConfig,
        trust: &dyn TrustStore,
        ollama_host: Option<&str>,
        diags: &mut Vec<Diagnostic>,
    ) -> Config {
        let mut providers: BTreeMap<String, Provider> = BTreeMap::new();
        for preset in presets::PRESETS {
            let base_url = if preset.id == "ollama" {
                presets::ollama_base_url(ollama_host)
            } else {
                preset.url()
            };
            providers.insert(
                preset.id.to_string(),
                Provider {
                    id: preset.id.to_string(),
                    kind: preset.kind,
                    base_url,
                    api_key_env: preset.api_key_env.map(str::to_string),
                    models: None,
                    default_model: None,
                    max_concurrency: None,
                    capabilities: BTreeMap::new(),
                    scope: ProviderScope::Builtin,
                    trusted: true,
                },
            );
        }
        // Per provider id the user's table wins whole: a project table never
        // adds fields to a provider the user defined.
        for (scope_config, scope) in [
            (&project, ProviderScope::Project),
            (&user, ProviderScope::User),
        ] {
            for table in &scope_config.providers {
                let base = presets::preset(&table.id);
                let trusted = if scope == ProviderScope::Project {
                    let replaced = user.providers.iter().any(|t| t.id == table.id);
                    project_table_trusted(table, trust, replaced, diags)
                } else {
                    true
                };
                let base_url = if table.bad_url {
                    None
                } else if let Some(url) = &table.parsed_url {
                    Some(url.clone())
                } else {
                    providers
                        .get(&table.id)
                        .filter(|_| base.is_some())
                        .and_then(|p| p.base_url.clone())
                };
                providers.insert(
                    table.id.clone(),
                    Provider {
                        id: table.id.clone(),
                        kind: table
                            .kind
                            .as_ref()
                            .map(|k| k.value)
                            .or(base.map(|b| b.kind))
                            .unwrap_or(ProviderKind::OpenaiCompatible),
                        base_url,
                        api_key_env: table
                            .api_key_env
                            .as_ref()
                            .map(|s| s.value.clone())
                            .or_else(|| base.and_then(|b| b.api_key_env.map(str::to_string))),
                        models: table
                            .models
                            .as_ref()
                            .map(|m| m.iter().map(|s| s.value.clone()).collect()),
                        default_model: table
                            .default_model
                            .as_ref()
                            .map(|s| (s.value.clone(), Some(s.span))),
                        max_concurrency: table.max_concurrency.as_ref().map(|s| s.value),
                        capabilities: table.capabilities.clone(),
                        scope,
                        trusted,
                    },
                );
            }
        }
        let mut aliases = BTreeMap::new();
        for (name, target) in project.aliases.iter().chain(user.aliases.iter()) {
            aliases.insert(name.value.clone(), target.clone());
        }
        let mut tools_extra: Vec<String> = project
            .tools_extra
            .iter()
            .chain(user.tools_extra.iter())
            .map(|s| s.value.clone())
            .collect();
        tools_extra.sort();
        tools_extra.dedup();
        let require_explicit_route = project.require_explicit_route.unwrap_or(false)
            || user.require_explicit_route.unwrap_or(false);
        let allowed_models = user
            .allowed_models
            .clone()
            .or_else(|| project.allowed_models.clone());
        let on_unavailable = user
            .on_unavailable
            .or(project.on_unavailable)
            .unwrap_or(OnUnavailable::Error);
        let gateway_parent = user
            .gateway_parent
            .as_ref()
            .or(project.gateway_parent.as_ref())
            .map(|s| s.value.trim().to_string());
        Config {
            project,
            user,
            providers,
            aliases,
            tools_extra,
            require_explicit_route,
            allowed_models,
            on_unavailable,
            gateway_parent,
        }
    }

    pub fn scope(&self, scope: Scope) -> &ScopeConfig {
        match scope {
            Scope::Project => &self.project,
            Scope::User => &self.user,
        }
    }

    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.get(id)
    }
}

/// Whether a project provider table may be called with the user's key, and
/// the `credential-host-mismatch` / `untrusted-provider` findings. A table
/// the user's own table `replaced` sends nothing anywhere, so it is not
/// reported as untrusted; a well-known key aimed at another host is still
/// wrong in the repository.
fn project_table_trusted(
    table: &ProviderTable,
    trust: &dyn TrustStore,
    replaced: bool,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let preset = presets::preset(&table.id);
    let key_env = table
        .api_key_env
        .as_ref()
        .map(|s| s.value.as_str())
        .or(preset.and_then(|p| p.api_key_env));
    let Some(key_env) = key_env else { return true };
    if table.bad_url {
        return false; // no usable URL (config-invalid): never called
    }
    let Some(url) = table
        .parsed_url
        .clone()
        .or_else(|| preset.and_then(|p| p.url()))
    else {
        return false;
    };
    let host = url.host();
    // A preset's key variable paired with any other host.
    if let Some(owner) = presets::preset_for_key(key_env) {
        let owner_host = owner.url().map(|u| u.host()).unwrap_or_default();
        if host != owner_host {
            let primary = table
                .base_url
                .as_ref()
                .map(|s| s.span)
                .or(table.api_key_env.as_ref().map(|s| s.span))
                .unwrap_or(table.key_span);
            let mut d = Diagnostic::at(
                Rule::CredentialHostMismatch,
                primary,
                format!(
                    "provider `{}` would send `{key_env}`, the {} key, to `{host}`",
                    table.id, owner.id
                ),
            )
            .with_help(format!(
                "`{key_env}` belongs to `{owner_host}`; give this provider its own variable, such as `{}`",
                suggested_env(&table.id)
            ));
            if let Some(k) = &table.api_key_env {
                d = d.with_label(k.span, "the key variable is set here");
            }
            diags.push(d);
            return false;
        }
    }
    if url.is_loopback() {
        return true;
    }
    let differs = match preset {
        None => true,
        Some(p) => {
            table
                .parsed_url
                .as_ref()
                .is_some_and(|u| u.as_str().trim_end_matches('/') != p.base_url)
                || table
                    .api_key_env
                    .as_ref()
                    .is_some_and(|k| Some(k.value.as_str()) != p.api_key_env)
        }
    };
    if !differs || trust.is_trusted(table) {
        return true;
    }
    if replaced {
        return false;
    }
    let primary = table
        .base_url
        .as_ref()
        .map(|s| s.span)
        .or(table.api_key_env.as_ref().map(|s| s.span))
        .unwrap_or(table.key_span);
    diags.push(
        Diagnostic::at(
            Rule::UntrustedProvider,
            primary,
            format!(
                "project provider `{}` would send `{key_env}` to `{host}`; it is untrusted until you trust it",
                table.id
            ),
        )
        .with_help("review the table, then run `agentc trust`; executors refuse untrusted providers"),
    );
    false
}

fn suggested_env(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    s.push_str("_API_KEY");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_project(text: &str) -> (ScopeConfig, Vec<Diagnostic>) {
        parse(FileId(0), text, Scope::Project)
    }

    fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
        d.iter().map(|d| d.rule.code()).collect()
    }

    #[test]
    fn a_full_config_parses_clean() {
        let (c, d) = parse_project(
            r#"
[providers.lm-studio]
base_url = "http://localhost:1234/v1"
max_concurrency = 2

[providers.deepseek]
kind = "openai-compatible"
base_url = "https://api.deepseek.com/v1"
api_key_env = "DEEPSEEK_API_KEY"
models = ["deepseek-v4-flash", "deepseek-reasoner"]
default_model = "deepseek-v4-flash"

[models]
fast = "lm-studio/qwen-2.5-7b"

[roles.explorer]
model = "fast"

[defaults]
model = "fast"
fallback = ["fast"]

[tools]
extra = ["deploy"]

[policy]
require_explicit_route = false
on_unavailable = "error"
allowed_models = ["fast", "lm-studio/*"]

[lint]
deny_warnings = false
rules = { name-mismatch = "off", unknown-field = "error" }

[limits]
max_file_size = 1000
"#,
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.providers.len(), 2);
        assert_eq!(c.aliases[0].0.value, "fast");
        assert_eq!(c.rules[&Rule::NameMismatch], LintLevel::Off);
        assert_eq!(c.limits.max_file_size, 1000);
        assert_eq!(c.severity(Rule::NameMismatch, Severity::Warning), None);
        assert_eq!(
            c.severity(Rule::UnknownField, Severity::Warning),
            Some(Severity::Error)
        );
    }

    #[test]
    fn invalid_config_is_reported_with_suggestions() {
        let (_, d) = parse_project(
            "[providers.corp]\nkind = \"openai\"\n\n[polcy]\nx = 1\n\n[agents.review]\nmodel = \"m\"\n\n[lint]\nrules = { yaml-syntax = \"off\", nme-mismatch = \"off\" }\n",
        );
        assert_eq!(
            codes(&d),
            vec![
                "config-invalid",
                "config-invalid",
                "config-invalid",
                "config-invalid",
                "config-invalid",
                "config-invalid"
            ]
        );
        assert!(
            d.iter()
                .any(|d| d.help.as_deref() == Some("did you mean `policy`?"))
        );
        assert!(
            d.iter()
                .any(|d| d.help.as_deref() == Some("did you mean `name-mismatch`?"))
        );
    }

    #[test]
    fn syntax_errors_point_into_the_file() {
        let (_, d) = parse_project("[models]\nfast = \"lm-studio/qwen-2.5-7b\nsmart = 1\n");
        assert_eq!(codes(&d), vec!["config-syntax"]);
    }

    #[test]
    fn trust_and_credentials() {
        let text = "[providers.corp]\nkind = \"openai-compatible\"\nbase_url = \"https://llm.corp.example/v1\"\napi_key_env = \"CORP_LLM_KEY\"\n\n[providers.box]\nbase_url = \"http://127.0.0.1:9000/v1\"\napi_key_env = \"BOX_KEY\"\n\n[providers.proxy]\nbase_url = \"https://proxy.example.net/v1\"\napi_key_env = \"OPENAI_API_KEY\"\n\n[providers.deepseek]\nbase_url = \"https://api.deepseek.com/v1\"\napi_key_env = \"DEEPSEEK_API_KEY\"\n";
        let (project, d) = parse_project(text);
        assert!(d.is_empty(), "{d:?}");
        let mut diags = Vec::new();
        let c = Config::merge(
            project,
            ScopeConfig::empty(Scope::User),
            &NoTrust,
            None,
            &mut diags,
        );
        assert_eq!(
            codes(&diags),
            vec!["untrusted-provider", "credential-host-mismatch"]
        );
        assert!(!c.providers["corp"].trusted);
        assert!(c.providers["box"].trusted);
        assert!(!c.providers["proxy"].trusted);
        assert!(c.providers["deepseek"].trusted);
        assert_eq!(c.providers["corp"].scope, ProviderScope::Project);
        assert_eq!(c.providers["lm-studio"].scope, ProviderScope::Builtin);
    }

    #[test]
    fn user_tables_win_whole_and_aliases_per_key() {
        let (project, _) = parse_project(
            "[providers.x]\nbase_url = \"http://localhost:1/v1\"\nmodels = [\"a\"]\n[models]\nfast = \"x/a\"\nslow = \"x/a\"\n",
        );
        let (user, _) = parse(
            FileId(1),
            "[providers.x]\nbase_url = \"http://localhost:2/v1\"\n[models]\nfast = \"lm-studio/q\"\n",
            Scope::User,
        );
        let c = Config::merge(project, user, &NoTrust, None, &mut Vec::new());
        assert_eq!(
            c.providers["x"].base_url.as_ref().map(BaseUrl::as_str),
            Some("http://localhost:2/v1")
        );
        assert_eq!(c.providers["x"].models, None);
        assert_eq!(c.aliases["fast"].value, "lm-studio/q");
        assert_eq!(c.aliases["slow"].value, "x/a");
    }

    #[test]
    fn gateway_parent_is_read_and_the_users_wins() {
        let (project, d) = parse_project("[gateway]\nparent = \"openai/gpt-4.1\"\nparnt = 1\n");
        assert_eq!(codes(&d), ["config-invalid"]);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `parent`?"));
        assert_eq!(
            project.gateway_parent.as_ref().map(|s| s.value.as_str()),
            Some("openai/gpt-4.1")
        );
        let (user, _) = parse(
            FileId(1),
            "[gateway]\nparent = \"anthropic\"\n",
            Scope::User,
        );
        let c = Config::merge(project.clone(), user, &NoTrust, None, &mut Vec::new());
        assert_eq!(c.gateway_parent.as_deref(), Some("anthropic"));
        let c = Config::merge(
            project,
            ScopeConfig::empty(Scope::User),
            &NoTrust,
            None,
            &mut Vec::new(),
        );
        assert_eq!(c.gateway_parent.as_deref(), Some("openai/gpt-4.1"));
        let (_, d) = parse_project("[gateway]\nparent = \" \"\n");
        assert_eq!(codes(&d), ["config-invalid"]);
    }
}
