//! The four dialects agentc reads: its own, and the agent files of Claude
//! Code, OpenCode and GitHub Copilot. Each has its field vocabulary, its tool
//! names and its naming rules; this module holds those tables.

use serde::Serialize;

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Agentc,
    Claude,
    Opencode,
    Copilot,
}

/// The built-in tool vocabulary of agentc's own dialect.
pub const TOOLS: &[&str] = &[
    "read",
    "write",
    "edit",
    "multi_edit",
    "grep",
    "glob",
    "ls",
    "bash",
    "web_fetch",
    "web_search",
    "agent",
    "todo",
    "notebook_edit",
];

const AGENTC_FIELDS: &[&str] = &[
    "name",
    "description",
    "role",
    "provider",
    "model",
    "fallback",
    "tools",
    "requires",
    "temperature",
    "top_p",
    "max_tokens",
    "reasoning_effort",
    "timeout",
];

const CLAUDE_FIELDS: &[&str] = &[
    "name",
    "description",
    "tools",
    "disallowedTools",
    "model",
    "permissionMode",
    "maxTurns",
    "skills",
    "mcpServers",
    "hooks",
    "memory",
    "effort",
    "color",
    "background",
    "isolation",
    "initialPrompt",
];

const OPENCODE_FIELDS: &[&str] = &[
    "name",
    "description",
    "mode",
    "model",
    "temperature",
    "top_p",
    "tools",
    "permission",
    "steps",
    "maxSteps",
    "hidden",
    "color",
    "disable",
    "prompt",
];

const COPILOT_FIELDS: &[&str] = &[
    "name",
    "description",
    "tools",
    "model",
    "target",
    "argument-hint",
    "user-invocable",
    "disable-model-invocation",
    "mcp-servers",
    "handoffs",
    "agents",
    "infer",
    "metadata",
];

/// Claude Code tool names and their agentc equivalents (`None`: a Claude
/// tool with no agentc counterpart, kept under its own name).
const CLAUDE_TOOLS: &[(&str, Option<&str>)] = &[
    ("Read", Some("read")),
    ("Write", Some("write")),
    ("Edit", Some("edit")),
    ("MultiEdit", Some("multi_edit")),
    ("Grep", Some("grep")),
    ("Glob", Some("glob")),
    ("LS", Some("ls")),
    ("Bash", Some("bash")),
    ("WebFetch", Some("web_fetch")),
    ("WebSearch", Some("web_search")),
    ("Task", Some("agent")),
    ("Agent", Some("agent")),
    ("TodoWrite", Some("todo")),
    ("TodoRead", Some("todo")),
    ("NotebookEdit", Some("notebook_edit")),
    ("NotebookRead", Some("read")),
    ("AskUserQuestion", None),
    ("BashOutput", None),
    ("EnterPlanMode", None),
    ("ExitPlanMode", None),
    ("KillBash", None),
    ("KillShell", None),
    ("ListMcpResourcesTool", None),
    ("LSP", None),
    ("Monitor", None),
    ("ReadMcpResourceTool", None),
    ("SendMessage", None),
    ("Skill", None),
    ("SlashCommand", None),
    ("TaskCreate", None),
    ("TaskGet", None),
    ("TaskList", None),
    ("TaskOutput", None),
    ("TaskStop", None),
    ("TaskUpdate", None),
    ("TeamCreate", None),
    ("TeamDelete", None),
    ("ToolSearch", None),
];

/// OpenCode tool names and their agentc equivalents.
const OPENCODE_TOOLS: &[(&str, Option<&str>)] = &[
    ("read", Some("read")),
    ("write", Some("write")),
    ("edit", Some("edit")),
    ("patch", Some("edit")),
    ("multiedit", Some("multi_edit")),
    ("grep", Some("grep")),
    ("glob", Some("glob")),
    ("list", Some("ls")),
    ("bash", Some("bash")),
    ("webfetch", Some("web_fetch")),
    ("websearch", Some("web_search")),
    ("task", Some("agent")),
    ("todowrite", Some("todo")),
    ("todoread", Some("todo")),
    ("codesearch", None),
    ("lsp", None),
    ("skill", None),
    ("question", None),
];

/// What a tool name in a dialect's file means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToolName {
    /// A known tool, under its name in the plan.
    Known(String),
    /// An MCP tool or pattern, kept as written.
    Mcp(String),
    /// Not in the vocabulary: the name as written, and a suggestion.
    Unknown {
        name: String,
        suggestion: Option<String>,
    },
}

impl Dialect {
    pub const ALL: [Dialect; 4] = [
        Dialect::Agentc,
        Dialect::Claude,
        Dialect::Opencode,
        Dialect::Copilot,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Agentc => "agentc",
            Dialect::Claude => "claude",
            Dialect::Opencode => "opencode",
            Dialect::Copilot => "copilot",
        }
    }

    pub fn parse(s: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The harness's name, for messages.
    pub fn harness(self) -> &'static str {
        match self {
            Dialect::Agentc => "agentc",
            Dialect::Claude => "Claude Code",
            Dialect::Opencode => "OpenCode",
            Dialect::Copilot => "GitHub Copilot",
        }
    }

    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Dialect::Agentc => AGENTC_FIELDS,
            Dialect::Claude => CLAUDE_FIELDS,
            Dialect::Opencode => OPENCODE_FIELDS,
            Dialect::Copilot => COPILOT_FIELDS,
        }
    }

    pub fn knows(self, key: &str) -> bool {
        self.fields().contains(&key)
    }

    /// The other dialects that know `key`.
    pub fn owners_of(self, key: &str) -> Vec<Dialect> {
        Dialect::ALL
            .into_iter()
            .filter(|&d| d != self && d.knows(key))
            .collect()
    }

    /// Whether `name` is required in the frontmatter.
    pub fn requires_name(self) -> bool {
        self == Dialect::Claude
    }

    /// Whether the agent's id is its `name` (else the file stem, and `name`
    /// is a display name).
    pub fn name_is_id(self) -> bool {
        matches!(self, Dialect::Agentc | Dialect::Claude)
    }

    /// Reads one tool name as written in this dialect. `extra` holds the
    /// configured `[tools] extra` names.
    pub fn tool(self, raw: &str, extra: &[String]) -> ToolName {
        let raw = raw.trim();
        if raw.starts_with("mcp__") {
            return ToolName::Mcp(raw.to_string());
        }
        if extra.iter().any(|e| e == raw) {
            return ToolName::Known(raw.to_string());
        }
        match self {
            Dialect::Agentc => {
                if TOOLS.contains(&raw) {
                    ToolName::Known(raw.to_string())
                } else {
                    let vocab = TOOLS
                        .iter()
                        .copied()
                        .chain(extra.iter().map(String::as_str));
                    ToolName::Unknown {
                        name: raw.to_string(),
                        suggestion: crate::diagnostic::did_you_mean(raw, vocab).map(str::to_string),
                    }
                }
            }
            Dialect::Claude => {
                // `Bash(git diff:*)` restricts a tool; the tool is `Bash`.
                let base = raw.split_once('(').map_or(raw, |(b, _)| b.trim());
                match CLAUDE_TOOLS.iter().find(|(n, _)| *n == base) {
                    Some((n, mapped)) => ToolName::Known(mapped.unwrap_or(n).to_string()),
                    None => ToolName::Unknown {
                        name: raw.to_string(),
                        suggestion: crate::diagnostic::did_you_mean(
                            base,
                            CLAUDE_TOOLS.iter().map(|(n, _)| *n),
                        )
                        .map(str::to_string),
                    },
                }
            }
            Dialect::Opencode => {
                if raw.contains('*') {
                    return ToolName::Mcp(raw.to_string());
                }
                match OPENCODE_TOOLS.iter().find(|(n, _)| *n == raw) {
                    Some((n, mapped)) => ToolName::Known(mapped.unwrap_or(n).to_string()),
                    None => ToolName::Unknown {
                        name: raw.to_string(),
                        suggestion: crate::diagnostic::did_you_mean(
                            raw,
                            OPENCODE_TOOLS.iter().map(|(n, _)| *n),
                        )
                        .map(str::to_string),
                    },
                }
            }
            // Copilot's tools are VS Code tool sets, extension and MCP tools:
            // an open vocabulary, kept as written.
            Dialect::Copilot => ToolName::Known(raw.to_string()),
        }
    }

    /// Claude's tool name for an agentc tool, for export.
    pub fn claude_tool_name(tool: &str) -> Option<&'static str> {
        CLAUDE_TOOLS
            .iter()
            .find(|(_, m)| *m == Some(tool))
            .map(|(n, _)| *n)
    }

    /// OpenCode's tool name for an agentc tool, for export.
    pub fn opencode_tool_name(tool: &str) -> Option<&'static str> {
        OPENCODE_TOOLS
            .iter()
            .find(|(_, m)| *m == Some(tool))
            .map(|(n, _)| *n)
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_tools_map_to_the_vocabulary() {
        assert_eq!(
            Dialect::Claude.tool("Read", &[]),
            ToolName::Known("read".into())
        );
        assert_eq!(
            Dialect::Claude.tool("MultiEdit", &[]),
            ToolName::Known("multi_edit".into())
        );
        assert_eq!(
            Dialect::Claude.tool("Bash(git:*)", &[]),
            ToolName::Known("bash".into())
        );
        assert_eq!(
            Dialect::Claude.tool("TaskCreate", &[]),
            ToolName::Known("TaskCreate".into())
        );
        assert_eq!(
            Dialect::Claude.tool("Gerp", &[]),
            ToolName::Unknown {
                name: "Gerp".into(),
                suggestion: Some("Grep".into())
            }
        );
    }

    #[test]
    fn agentc_tools_accept_mcp_and_extras() {
        let extra = vec!["deploy".to_string()];
        assert_eq!(
            Dialect::Agentc.tool("deploy", &extra),
            ToolName::Known("deploy".into())
        );
        assert_eq!(
            Dialect::Agentc.tool("mcp__jira__*", &extra),
            ToolName::Mcp("mcp__jira__*".into())
        );
        assert!(matches!(
            Dialect::Agentc.tool("bsh", &extra),
            ToolName::Unknown { suggestion: Some(s), .. } if s == "bash"
        ));
    }

    #[test]
    fn foreign_fields_name_their_dialects() {
        assert_eq!(
            Dialect::Agentc.owners_of("color"),
            vec![Dialect::Claude, Dialect::Opencode]
        );
        assert_eq!(
            Dialect::Copilot.owners_of("hidden"),
            vec![Dialect::Opencode]
        );
        assert!(Dialect::Agentc.owners_of("colour").is_empty());
    }
}
