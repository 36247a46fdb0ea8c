//! Cursor subagents (`.cursor/agents/*.md`). Cursor has no per-agent tool
//! list: a subagent gets the parent's tools, or only the ones that change
//! nothing when `readonly: true`. No Cursor binary installs here; these
//! tables follow Cursor's documentation (cursor.com/docs/agent/subagents).

pub const FIELDS: &[&str] = &["name", "description", "model", "readonly", "is_background"];

/// The agentc tools a `readonly: true` Cursor subagent keeps: reading and
/// searching, nothing that writes or runs commands.
pub const READ_ONLY_TOOLS: &[&str] = &["read", "grep", "glob", "ls"];

/// Tools that change files or run commands: an agent that lists one is not
/// read-only.
pub const WRITING_TOOLS: &[&str] = &["write", "edit", "multi_edit", "notebook_edit", "bash"];

/// A Cursor model id as an agentc model reference, when its vendor is
/// clear from the id (`claude-…` Anthropic, `gpt-…`/`o3…` OpenAI,
/// `gemini-…` Google); the id stays as written. `inherit` stays `inherit`;
/// `fast` and Cursor's own models (`composer-1`, `auto`) name no vendor.
pub fn model(id: &str) -> Option<String> {
    let id = id.trim();
    if id == "inherit" {
        return Some(id.into());
    }
    let lower = id.to_ascii_lowercase();
    let o_series =
        lower.len() >= 2 && lower.starts_with('o') && lower.as_bytes()[1].is_ascii_digit();
    let vendor = if lower.starts_with("claude") {
        "anthropic"
    } else if lower.starts_with("gpt") || o_series {
        "openai"
    } else if lower.starts_with("gemini") {
        "gemini"
    } else {
        return None;
    };
    (!id.contains(char::is_whitespace)).then(|| format!("{vendor}/{id}"))
}
