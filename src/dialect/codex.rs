//! Codex custom agents (`.codex/agents/*.toml`), as Codex 0.171.0 loads
//! them: a TOML file with `name`, `description` and `developer_instructions`
//! (the prompt), plus any key of Codex's `config.toml` (`model`,
//! `model_provider`, `model_reasoning_effort`, `sandbox_mode`, ...). Codex
//! ignores keys it does not know, and skips the whole role ("Ignoring
//! malformed agent role definition") when a required key is missing or
//! blank or a known key has the wrong type or value.
//!
//! Codex has no tool list: what a role may do is its `sandbox_mode`. agentc
//! reads `sandbox_mode = "read-only"` as the read-only tools.

use crate::syntax::toml::{TKey, TNode};

/// The role file's own keys, then the `config.toml` keys a role may set
/// (Codex 0.171.0's `ConfigToml`).
pub const FIELDS: &[&str] = &[
    "name",
    "description",
    "developer_instructions",
    "nickname_candidates",
    "model",
    "model_provider",
    "model_reasoning_effort",
    "model_reasoning_summary",
    "model_verbosity",
    "model_context_window",
    "model_auto_compact_token_limit",
    "model_instructions_file",
    "plan_mode_reasoning_effort",
    "review_model",
    "service_tier",
    "personality",
    "sandbox_mode",
    "sandbox_workspace_write",
    "approval_policy",
    "approvals_reviewer",
    "default_permissions",
    "permissions",
    "shell_environment_policy",
    "allow_login_shell",
    "web_search",
    "tools",
    "features",
    "mcp_servers",
    "skills",
    "hooks",
    "plugins",
    "instructions",
    "include_apps_instructions",
    "include_collaboration_mode_instructions",
    "include_environment_context",
    "compact_prompt",
    "notify",
    "profile",
    "profiles",
    "model_providers",
    "oss_provider",
    "project_doc_max_bytes",
    "project_doc_fallback_filenames",
    "tool_output_token_limit",
    "hide_agent_reasoning",
    "show_raw_agent_reasoning",
    "agents",
    "memories",
];

/// The keys that make a file a Codex role (the rest are `config.toml`
/// keys): what marks a key as Codex's in another dialect's file.
pub const OWN_FIELDS: &[&str] = &[
    "developer_instructions",
    "nickname_candidates",
    "model_provider",
    "model_reasoning_effort",
    "sandbox_mode",
];

/// Codex's sandbox modes.
pub const SANDBOX_MODES: &[&str] = &["read-only", "workspace-write", "danger-full-access"];

/// The agentc tools a `sandbox_mode = "read-only"` role keeps.
pub const READ_ONLY_TOOLS: &[&str] = crate::dialect::cursor::READ_ONLY_TOOLS;

/// The agentc tools of a read-only role: reading and searching, and web
/// search unless the role sets `web_search = "disabled"`.
pub fn read_only_tools(entries: &[(TKey, TNode)]) -> Vec<&'static str> {
    let mut tools = READ_ONLY_TOOLS.to_vec();
    let web = entries
        .iter()
        .find(|(k, _)| k.name == "web_search")
        .and_then(|(_, v)| v.as_str());
    if web != Some("disabled") {
        tools.push("web_search");
    }
    tools
}

/// Codex's built-in model providers and agentc's ids for them.
const PROVIDERS: &[(&str, &str)] = &[
    ("openai", "openai"),
    ("ollama", "ollama"),
    ("lmstudio", "lm-studio"),
];

/// agentc's provider id for a Codex `model_provider`, when agentc has it.
pub fn agentc_provider(codex: &str) -> Option<&'static str> {
    PROVIDERS.iter().find(|(c, _)| *c == codex).map(|(_, a)| *a)
}

/// Codex's `model_provider` for an agentc provider, when Codex has it built in.
pub fn codex_provider(agentc: &str) -> Option<&'static str> {
    PROVIDERS
        .iter()
        .find(|(_, a)| *a == agentc)
        .map(|(c, _)| *c)
}
