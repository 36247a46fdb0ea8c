//! Gemini CLI subagents (`.gemini/agents/*.md`), as Gemini CLI 0.61.0 loads
//! them: a strict schema (an unknown key fails the file with "Agent loading
//! error"), snake_case keys, and Gemini's own tool names.

/// The keys Gemini CLI 0.61.0 accepts: a local agent's, then a remote
/// agent's (`kind: remote`). Its schema is strict: any other key fails the
/// file.
pub const FIELDS: &[&str] = &[
    "name",
    "description",
    "kind",
    "display_name",
    "tools",
    "mcp_servers",
    "model",
    "temperature",
    "max_turns",
    "timeout_mins",
    "agent_card_url",
    "agent_card_json",
    "auth",
];

/// Gemini CLI's built-in tool names and their agentc equivalents (`None`:
/// a Gemini tool with no agentc counterpart, kept under its own name).
/// `search_file_content` is the old name of `grep_search`, still accepted.
pub const TOOLS: &[(&str, Option<&str>)] = &[
    ("read_file", Some("read")),
    ("read_many_files", Some("read")),
    ("write_file", Some("write")),
    ("replace", Some("edit")),
    ("grep_search", Some("grep")),
    ("search_file_content", Some("grep")),
    ("glob", Some("glob")),
    ("list_directory", Some("ls")),
    ("run_shell_command", Some("bash")),
    ("web_fetch", Some("web_fetch")),
    ("google_web_search", Some("web_search")),
    ("write_todos", Some("todo")),
    ("invoke_agent", Some("agent")),
    ("activate_skill", None),
    ("ask_user", None),
    ("tracker_create_task", None),
    ("tracker_update_task", None),
    ("tracker_get_task", None),
    ("tracker_list_tasks", None),
    ("tracker_add_dependency", None),
    ("tracker_visualize", None),
    ("get_internal_docs", None),
    ("enter_plan_mode", None),
    ("exit_plan_mode", None),
    ("update_topic", None),
    ("complete_task", None),
    ("read_mcp_resource", None),
    ("list_mcp_resources", None),
];

/// Gemini's tool names for an agentc tool, for export, and whether they
/// are an approximation. `None`: Gemini CLI gives a subagent no such tool
/// (a subagent cannot call other agents there).
pub fn tool_names(tool: &str) -> Option<(&'static [&'static str], bool)> {
    Some(match tool {
        "read" => (&["read_file", "read_many_files"], false),
        "write" => (&["write_file"], false),
        "edit" => (&["replace"], false),
        "multi_edit" => (&["replace"], true),
        "grep" => (&["grep_search"], false),
        "glob" => (&["glob"], false),
        "ls" => (&["list_directory"], false),
        "bash" => (&["run_shell_command"], false),
        "web_fetch" => (&["web_fetch"], false),
        "web_search" => (&["google_web_search"], false),
        "todo" => (&["write_todos"], false),
        _ => return None,
    })
}

/// Whether a name is an MCP tool as Gemini writes them: `mcp_*`,
/// `mcp_<server>_*` or `mcp_<server>_<tool>` (the server name has no `_`).
/// Returns agentc's spelling (`mcp__server__tool`).
pub fn mcp_tool(name: &str) -> Option<String> {
    let rest = name.strip_prefix("mcp_")?;
    if rest == "*" {
        return Some("mcp__*".into());
    }
    let (server, tool) = rest.split_once('_')?;
    let slug = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
    };
    if !slug(server) || tool.is_empty() || tool.bytes().all(|b| b == b'_') {
        return None;
    }
    if tool != "*" && !slug(tool) {
        return None;
    }
    Some(format!("mcp__{server}__{tool}"))
}

/// agentc's `mcp__server__tool` as Gemini writes it, when Gemini can name
/// it (its server names cannot hold `_`).
pub fn mcp_name(agentc: &str) -> Option<String> {
    let rest = agentc.strip_prefix("mcp__")?;
    if rest == "*" {
        return Some("mcp_*".into());
    }
    let (server, tool) = rest.split_once("__")?;
    if server.is_empty() || server.contains('_') || tool.is_empty() {
        return None;
    }
    Some(format!("mcp_{server}_{tool}"))
}

/// Gemini CLI's rule for a subagent name: `^[a-z0-9-_]+$`.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcp_names_both_ways() {
        assert_eq!(
            mcp_tool("mcp_github_list_issues").as_deref(),
            Some("mcp__github__list_issues")
        );
        assert_eq!(mcp_tool("mcp_*").as_deref(), Some("mcp__*"));
        assert_eq!(mcp_tool("mcp_jira_*").as_deref(), Some("mcp__jira__*"));
        assert_eq!(mcp_tool("mcp__x"), None);
        assert_eq!(
            mcp_name("mcp__github__list_issues").as_deref(),
            Some("mcp_github_list_issues")
        );
        assert_eq!(mcp_name("mcp__my_server__x"), None);
        assert!(is_name("code-review_2"));
        assert!(!is_name("Code"));
        assert!(!is_name("a.b"));
    }
}
