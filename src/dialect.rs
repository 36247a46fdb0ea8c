//! The dialects agentc reads: its own, and the agent files of Claude Code,
//! OpenCode, GitHub Copilot, Gemini CLI, Codex and Cursor. Each has its
//! field vocabulary, its tool names and its naming rules; this module holds
//! those tables (the newer harnesses' in their own submodules).

pub mod codex;
pub mod cursor;
pub mod gemini;

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
    Gemini,
    Codex,
    Cursor,
}

/// What `requires` may ask of a model (agents and `[models]` capabilities).
pub const CAPABILITIES: &[&str] = &["vision", "tools", "reasoning", "json"];

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
/// tool with no agentc counterpart, kept under its own name). As Claude
/// Code 2.1.197 loads them: its `system/init` event and the tools a
/// sub-agent's request carries.
const CLAUDE_TOOLS: &[(&str, Option<&str>)] = &[
    ("Read", Some("read")),
    ("Write", Some("write")),
    ("Edit", Some("edit")),
    ("Grep", Some("grep")),
    ("Glob", Some("glob")),
    ("Bash", Some("bash")),
    ("WebFetch", Some("web_fetch")),
    ("WebSearch", Some("web_search")),
    ("Agent", Some("agent")),
    ("Task", Some("agent")),
    ("NotebookEdit", Some("notebook_edit")),
    ("AskUserQuestion", None),
    ("CronCreate", None),
    ("CronDelete", None),
    ("CronList", None),
    ("EnterPlanMode", None),
    ("EnterWorktree", None),
    ("ExitPlanMode", None),
    ("ExitWorktree", None),
    ("ListMcpResourcesTool", None),
    ("LSP", None),
    ("Monitor", None),
    ("PowerShell", None),
    ("ReadMcpResourceTool", None),
    ("ReportFindings", None),
    ("ScheduleWakeup", None),
    ("SendMessage", None),
    ("Skill", None),
    ("TaskCreate", None),
    ("TaskGet", None),
    ("TaskList", None),
    ("TaskOutput", None),
    ("TaskStop", None),
    ("TaskUpdate", None),
    ("TeamCreate", None),
    ("TeamDelete", None),
    ("ToolSearch", None),
    ("Workflow", None),
];

/// Tool names older Claude Code releases had and 2.1.197 drops from an
/// agent's `tools` without a word, with the tool that does the job now.
const CLAUDE_RETIRED_TOOLS: &[(&str, &str)] = &[
    ("LS", "Glob"),
    ("MultiEdit", "Edit"),
    ("TodoWrite", "TaskCreate"),
    ("TodoRead", "TaskList"),
    ("NotebookRead", "Read"),
    ("BashOutput", "TaskOutput"),
    ("KillBash", "TaskStop"),
    ("KillShell", "TaskStop"),
    ("SlashCommand", "Skill"),
];

/// The tools OpenCode 1.18.33 gives an agent by default (`opencode debug
/// agent NAME`): what a `tools` map or `permission` rules take away from.
pub const OPENCODE_DEFAULT_TOOLS: &[&str] = &[
    "read",
    "write",
    "edit",
    "grep",
    "glob",
    "bash",
    "webfetch",
    "websearch",
    "task",
    "todowrite",
    "skill",
];

/// OpenCode tool names and their agentc equivalents. `list`, `patch`,
/// `multiedit`, `todoread`, `lsp` and `codesearch` are permission names of
/// OpenCode (older releases had such tools); they are read, never written.
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

/// Provider ids of OpenCode 1.18.33's catalogue where agentc's presets have
/// other ids (`lmstudio` is OpenCode's built-in LM Studio provider).
const OPENCODE_PROVIDERS: &[(&str, &str)] = &[("lm-studio", "lmstudio"), ("gemini", "google")];

/// Providers OpenCode has built in (its catalogue, offline), by OpenCode id.
pub const OPENCODE_BUILTIN_PROVIDERS: &[&str] = &[
    "anthropic",
    "deepseek",
    "google",
    "lmstudio",
    "openai",
    "opencode",
    "openrouter",
];

/// agentc's provider id for an OpenCode provider id.
pub fn agentc_provider_of_opencode(opencode: &str) -> &str {
    OPENCODE_PROVIDERS
        .iter()
        .find(|(_, o)| *o == opencode)
        .map_or(opencode, |(a, _)| a)
}

/// OpenCode's provider id for an agentc provider id.
pub fn opencode_provider_of_agentc(agentc: &str) -> &str {
    OPENCODE_PROVIDERS
        .iter()
        .find(|(a, _)| *a == agentc)
        .map_or(agentc, |(_, o)| o)
}

/// The OpenCode permission a tool falls under: `write`, `patch` and
/// `multiedit` are all governed by `edit`.
pub fn opencode_permission_of(tool: &str) -> &str {
    match tool {
        "write" | "patch" | "multiedit" => "edit",
        other => other,
    }
}

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
    pub const ALL: [Dialect; 7] = [
        Dialect::Agentc,
        Dialect::Claude,
        Dialect::Opencode,
        Dialect::Copilot,
        Dialect::Gemini,
        Dialect::Codex,
        Dialect::Cursor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Agentc => "agentc",
            Dialect::Claude => "claude",
            Dialect::Opencode => "opencode",
            Dialect::Copilot => "copilot",
            Dialect::Gemini => "gemini",
            Dialect::Codex => "codex",
            Dialect::Cursor => "cursor",
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
            Dialect::Gemini => "Gemini CLI",
            Dialect::Codex => "Codex",
            Dialect::Cursor => "Cursor",
        }
    }

    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Dialect::Agentc => AGENTC_FIELDS,
            Dialect::Claude => CLAUDE_FIELDS,
            Dialect::Opencode => OPENCODE_FIELDS,
            Dialect::Copilot => COPILOT_FIELDS,
            Dialect::Gemini => gemini::FIELDS,
            Dialect::Codex => codex::FIELDS,
            Dialect::Cursor => cursor::FIELDS,
        }
    }

    pub fn knows(self, key: &str) -> bool {
        self.fields().contains(&key)
    }

    /// The other dialects that know `key` as a field of their agent files
    /// (Codex's general `config.toml` keys, which a role may also set, do
    /// not make a key Codex's).
    pub fn owners_of(self, key: &str) -> Vec<Dialect> {
        Dialect::ALL
            .into_iter()
            .filter(|&d| d != self)
            .filter(|&d| match d {
                Dialect::Codex => codex::OWN_FIELDS.contains(&key),
                _ => d.knows(key),
            })
            .collect()
    }

    /// Whether `name` is required in the frontmatter.
    pub fn requires_name(self) -> bool {
        matches!(self, Dialect::Claude | Dialect::Gemini | Dialect::Codex)
    }

    /// Whether the harness fails a file with a key it does not know (Gemini
    /// CLI's schema is strict), so that such a key is an error, not a
    /// warning, and `x-` extension keys cannot be used.
    pub fn rejects_unknown_keys(self) -> bool {
        self == Dialect::Gemini
    }

    /// The name of the agent files' extension: `toml` for Codex roles.
    pub fn is_toml(self) -> bool {
        self == Dialect::Codex
    }

    /// Whether the agent's id is its `name` (else the file stem, and `name`
    /// is a display name).
    pub fn name_is_id(self) -> bool {
        matches!(
            self,
            Dialect::Agentc | Dialect::Claude | Dialect::Gemini | Dialect::Codex | Dialect::Cursor
        )
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
                    None if let Some((_, now)) =
                        CLAUDE_RETIRED_TOOLS.iter().find(|(n, _)| *n == base) =>
                    {
                        ToolName::Unknown {
                            name: raw.to_string(),
                            suggestion: Some((*now).to_string()),
                        }
                    }
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
            Dialect::Gemini => {
                if raw == "*" {
                    return ToolName::Known(raw.to_string());
                }
                if let Some(m) = gemini::mcp_tool(raw) {
                    return ToolName::Mcp(m);
                }
                if raw.starts_with("discovered_tool_") {
                    return ToolName::Known(raw.to_string());
                }
                match gemini::TOOLS.iter().find(|(n, _)| *n == raw) {
                    Some((n, mapped)) => ToolName::Known(mapped.unwrap_or(n).to_string()),
                    None => ToolName::Unknown {
                        name: raw.to_string(),
                        suggestion: gemini_suggestion(raw),
                    },
                }
            }
            // Codex and Cursor have no tool lists; agentc derives one from
            // `sandbox_mode` / `readonly`, in agentc's own names.
            Dialect::Codex | Dialect::Cursor => ToolName::Known(raw.to_string()),
        }
    }

    /// The tool that replaced a Claude tool name Claude Code no longer
    /// loads (`LS` → `Glob`).
    pub fn claude_retired_tool(name: &str) -> Option<&'static str> {
        let base = name.split_once('(').map_or(name, |(b, _)| b).trim();
        CLAUDE_RETIRED_TOOLS
            .iter()
            .find(|(n, _)| *n == base)
            .map(|(_, now)| *now)
    }

    /// Claude Code's tool names for an agentc tool, for export, and whether
    /// they are an approximation. `None`: Claude Code has no such tool.
    pub fn claude_tool_names(tool: &str) -> Option<(&'static [&'static str], bool)> {
        Some(match tool {
            "read" => (&["Read"], false),
            "write" => (&["Write"], false),
            "edit" => (&["Edit"], false),
            "multi_edit" => (&["Edit"], true),
            "grep" => (&["Grep"], false),
            "glob" => (&["Glob"], false),
            "ls" => (&["Glob"], true),
            "bash" => (&["Bash"], false),
            "web_fetch" => (&["WebFetch"], false),
            "web_search" => (&["WebSearch"], false),
            "agent" => (&["Agent"], false),
            "todo" => (&["TaskCreate", "TaskGet", "TaskList", "TaskUpdate"], true),
            "notebook_edit" => (&["NotebookEdit"], false),
            _ => return None,
        })
    }

    /// OpenCode's tool name for an agentc tool, for export, and whether it
    /// is an approximation. `None`: OpenCode has no such tool.
    pub fn opencode_tool_name(tool: &str) -> Option<(&'static str, bool)> {
        Some(match tool {
            "read" => ("read", false),
            "write" => ("write", false),
            "edit" => ("edit", false),
            "multi_edit" => ("edit", true),
            "grep" => ("grep", false),
            "glob" => ("glob", false),
            "ls" => ("glob", true),
            "bash" => ("bash", false),
            "web_fetch" => ("webfetch", false),
            "web_search" => ("websearch", false),
            "agent" => ("task", false),
            "todo" => ("todowrite", false),
            _ => return None,
        })
    }
}

/// The Gemini tool a misspelt or foreign name most likely means: by
/// spelling, else by meaning (Claude's `Read` is Gemini's `read_file`).
fn gemini_suggestion(raw: &str) -> Option<String> {
    if let Some(s) = crate::diagnostic::did_you_mean(raw, gemini::TOOLS.iter().map(|(n, _)| *n)) {
        return Some(s.to_string());
    }
    let agentc = match Dialect::Claude.tool(raw, &[]) {
        ToolName::Known(n) => n,
        _ => raw.to_ascii_lowercase(),
    };
    gemini::tool_names(&agentc).map(|(names, _)| names[0].to_string())
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
        // Claude Code 2.1.197 drops `MultiEdit`; `Edit` does its job.
        assert_eq!(
            Dialect::Claude.tool("MultiEdit", &[]),
            ToolName::Unknown {
                name: "MultiEdit".into(),
                suggestion: Some("Edit".into())
            }
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
