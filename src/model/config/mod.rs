//! `agentc.toml` at both scopes: the config types, parsing with spans
//! (`config-syntax`), and the merge of the user's and the project's config
//! into one [`Config`] (with the trust and credential-pairing findings).
//! The checks of each table (`config-invalid`, secrets) are in `checks/`,
//! one file per family.

pub mod base_url;
mod checks;
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

impl ProviderTable {
    /// Where a finding about the table's key and address points: its
    /// `base_url`, else its `api_key_env`, else the `[providers.X]` key.
    fn credential_span(&self) -> Span {
        self.base_url
            .as_ref()
            .map(|s| s.span)
            .or(self.api_key_env.as_ref().map(|s| s.span))
            .unwrap_or(self.key_span)
    }
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

/// One file being read: where findings point and the findings so far. The
/// methods that read and check each table live in `checks/`, one file per
/// family.
struct Cx {
    file: FileId,
    scope: Scope,
    diags: Vec<Diagnostic>,
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
    pub fn merge(
        project: ScopeConfig,
        user: ScopeConfig,
        trust: &dyn TrustStore,
        ollama_host: Option<&str>,
        diags: &mut Vec<Diagnostic>,
    ) -> Config {
        let mut providers = builtin_providers(ollama_host);
        // Per provider id the user's table wins whole: a project table never
        // adds fields to a provider the user defined.
        for (scope_config, scope) in [
            (&project, ProviderScope::Project),
            (&user, ProviderScope::User),
        ] {
            for table in &scope_config.providers {
                let trusted = if scope == ProviderScope::Project {
                    let replaced = user.providers.iter().any(|t| t.id == table.id);
                    project_table_trusted(table, trust, replaced, diags)
                } else {
                    true
                };
                let provider = table_provider(table, scope, trusted, providers.get(&table.id));
                providers.insert(table.id.clone(), provider);
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

/// The built-in presets as providers; `ollama_host` is `OLLAMA_HOST`.
fn builtin_providers(ollama_host: Option<&str>) -> BTreeMap<String, Provider> {
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
    providers
}

/// The provider one `[providers.X]` table defines. Fields it leaves out
/// come from the preset of that id, if there is one; `before` is the
/// provider of that id so far (the preset, or the project's table), whose
/// address a preset's table without `base_url` keeps.
fn table_provider(
    table: &ProviderTable,
    scope: ProviderScope,
    trusted: bool,
    before: Option<&Provider>,
) -> Provider {
    let base = presets::preset(&table.id);
    let base_url = if table.bad_url {
        None
    } else if let Some(url) = &table.parsed_url {
        Some(url.clone())
    } else {
        before
            .filter(|_| base.is_some())
            .and_then(|p| p.base_url.clone())
    };
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
            let primary = table.credential_span();
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
    let primary = table.credential_span();
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
