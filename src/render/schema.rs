//! JSON Schemas of what agentc reads and writes, generated from types with
//! schemars: the plan and the diagnostics JSON from the very types that are
//! serialised, the frontmatter and `agentc.toml` from types that describe
//! them. The committed copies live in `docs/schema/`.

use crate::route::plan::{AllTools, Plan};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const KINDS: &[&str] = &["frontmatter", "config", "plan", "diagnostics"];

/// One finding in `agentc check --format json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DiagnosticJson {
    /// The rule's stable kebab-case code.
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    pub message: String,
    /// Relative to the working directory with `/`; `null` for findings about
    /// the command line.
    pub path: Option<String>,
    /// 1-based.
    pub line: Option<usize>,
    /// 1-based, in Unicode scalar values.
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    /// Exclusive.
    pub end_column: Option<usize>,
    pub help: Option<String>,
    pub labels: Vec<LabelJson>,
    /// A safe, mechanical fix.
    pub fix: Option<FixJson>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LabelJson {
    pub message: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FixJson {
    pub message: String,
    pub edits: Vec<EditJson>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EditJson {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub replacement: String,
}

/// `agentc check --format json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "agentc diagnostics")]
pub struct DiagnosticsJson {
    pub version: u32,
    pub diagnostics: Vec<DiagnosticJson>,
    pub summary: crate::diagnostic::Summary,
}

/// A model reference or a list of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ModelRefs {
    One(String),
    Many(Vec<String>),
}

/// The tools of an agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ToolsField {
    /// Every tool: `"*"`.
    All(AllTools),
    List(Vec<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    Vision,
    Tools,
    Reasoning,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Effort {
    Minimal,
    Low,
    Medium,
    High,
}

/// The frontmatter of an agentc agent file (`.agents/*.md`). Keys starting
/// with `x-` are extensions, passed through to the plan untouched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "agentc agent frontmatter", extend("patternProperties" = {"^x-": {}}))]
#[serde(deny_unknown_fields)]
pub struct Frontmatter {
    /// The id used to open the agent; defaults to the file stem.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9._-]{0,63}$"))]
    pub name: Option<String>,
    /// When to use this agent.
    #[schemars(length(min = 1))]
    pub description: String,
    /// Functional role; `[roles.<role>]` in agentc.toml can route whole roles.
    pub role: Option<String>,
    /// A provider id, or `inherit`.
    pub provider: Option<String>,
    /// `provider/model`, an alias from `[models]`, a model id of the
    /// provider, or `inherit`.
    pub model: Option<String>,
    /// Ordered failover chain: `provider/model` entries or aliases.
    pub fallback: Option<ModelRefs>,
    /// Allowed tools; absent: the parent's tools.
    pub tools: Option<ToolsField>,
    /// Capabilities the model must have.
    pub requires: Option<Vec<Capability>>,
    #[schemars(range(min = 0.0, max = 2.0))]
    pub temperature: Option<f64>,
    #[schemars(range(min = 0.0, max = 1.0))]
    pub top_p: Option<f64>,
    #[schemars(range(min = 1))]
    pub max_tokens: Option<u64>,
    pub reasoning_effort: Option<Effort>,
    /// A duration: `30s`, `5m`, `1h`, `500ms`, `1m30s`.
    #[schemars(regex(pattern = r"^([0-9]+(ms|s|m|h))+$"))]
    pub timeout: Option<String>,
}

/// A route set by config: `[defaults]`, `[roles.X]`, `[agents.X]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteTableSchema {
    pub provider: Option<String>,
    pub model: Option<String>,
    pub fallback: Option<ModelRefs>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KindSchema {
    LmStudio,
    Ollama,
    LlamaCpp,
    Vllm,
    OpenaiCompatible,
    Anthropic,
}

/// `[providers.X]`: a preset's fields to override, or a new provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderSchema {
    pub kind: Option<KindSchema>,
    #[schemars(regex(pattern = r"^https?://"))]
    pub base_url: Option<String>,
    /// The NAME of the environment variable holding the key, never a key.
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub api_key_env: Option<String>,
    /// The models it serves; enables `unknown-model`.
    pub models: Option<Vec<String>>,
    pub default_model: Option<String>,
    #[schemars(range(min = 1))]
    pub max_concurrency: Option<u32>,
    /// Capabilities per model, for servers that cannot tell.
    pub capabilities: Option<BTreeMap<String, Vec<Capability>>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolsSchema {
    /// Tool names beyond the built-in vocabulary.
    pub extra: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnUnavailableSchema {
    Error,
    Fallback,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySchema {
    /// An agent that would inherit its route is an error.
    pub require_explicit_route: Option<bool>,
    pub on_unavailable: Option<OnUnavailableSchema>,
    /// Aliases, `provider/model` and `provider/*` allowed for call and task overrides.
    pub allowed_models: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LintLevelSchema {
    Off,
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintSchema {
    pub deny_warnings: Option<bool>,
    /// Rule code → level.
    pub rules: Option<BTreeMap<String, LintLevelSchema>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsSchema {
    #[schemars(range(min = 1))]
    pub max_file_size: Option<u64>,
    #[schemars(range(min = 1, max = 1000))]
    pub max_yaml_depth: Option<u64>,
    #[schemars(range(min = 1))]
    pub max_yaml_nodes: Option<u64>,
}

/// `agentc.toml`, at `.agents/agentc.toml` or `$AGENTC_USER_DIR/agentc.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "agentc.toml")]
#[serde(deny_unknown_fields)]
pub struct ConfigSchema {
    pub providers: Option<BTreeMap<String, ProviderSchema>>,
    /// Aliases: name → `provider/model` or another alias.
    pub models: Option<BTreeMap<String, String>>,
    pub roles: Option<BTreeMap<String, RouteTableSchema>>,
    pub defaults: Option<RouteTableSchema>,
    /// User config only: override one agent's route.
    pub agents: Option<BTreeMap<String, RouteTableSchema>>,
    pub tools: Option<ToolsSchema>,
    pub policy: Option<PolicySchema>,
    pub lint: Option<LintSchema>,
    pub limits: Option<LimitsSchema>,
    pub gateway: Option<GatewaySchema>,
}

/// `[gateway]`: how `agentc gateway` treats requests of no agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatewaySchema {
    /// Where the parent session's requests go: a provider id (the client's
    /// model is kept) or a model reference (`provider/model` or an alias).
    pub parent: Option<String>,
}

/// The schema of `kind` as sorted, pretty JSON.
pub fn schema_json(kind: &str) -> Option<String> {
    let schema = match kind {
        "plan" => schemars::schema_for!(Plan),
        "diagnostics" => schemars::schema_for!(DiagnosticsJson),
        "frontmatter" => schemars::schema_for!(Frontmatter),
        "config" => schemars::schema_for!(ConfigSchema),
        _ => return None,
    };
    Some(crate::route::plan::to_sorted_json(&schema))
}
