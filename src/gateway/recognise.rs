//! Which agent a request belongs to: `agentc/<name>` as its model, else
//! the agent whose body a system text contains (the longest such body),
//! else the parent session. The bodies of one plan generation are matched
//! all at once with one automaton, built again for each generation.

use crate::route::plan::Plan;
use aho_corasick::AhoCorasick;
use serde_json::Value;
use std::path::PathBuf;

/// Bodies shorter than this (in characters) are not matched: short text
/// turns up in prompts by chance.
pub const MIN_BODY_CHARS: usize = 64;

/// The model prefix that names an agent.
pub const MODEL_PREFIX: &str = "agentc/";

/// How a request was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matched {
    /// Its `model` was `agentc/<name>`.
    Model,
    /// A system text contained the agent's body.
    SystemPrompt,
    /// Neither: the parent session's request.
    Parent,
}

impl Matched {
    pub fn as_str(self) -> &'static str {
        match self {
            Matched::Model => "model",
            Matched::SystemPrompt => "system-prompt",
            Matched::Parent => "parent",
        }
    }
}

/// Where agent files are: plan paths are relative to the project root or
/// start with `$AGENTC_USER_DIR/`.
#[derive(Clone, Debug)]
pub struct AgentFiles {
    pub root: PathBuf,
    pub user_dir: Option<PathBuf>,
}

impl AgentFiles {
    fn path(&self, plan_path: &str) -> Option<PathBuf> {
        match plan_path.strip_prefix(crate::source::USER_DIR_VAR) {
            Some(rest) => Some(self.user_dir.as_ref()?.join(rest.trim_start_matches('/'))),
            None => Some(self.root.join(plan_path)),
        }
    }
}

/// The largest agent file read for its body.
const MAX_AGENT_FILE: u64 = 4 * 1024 * 1024;

/// The bodies of one plan generation, ready to be found in prompts.
pub struct Matcher {
    automaton: Option<AhoCorasick>,
    /// Pattern index → agent name.
    agents: Vec<String>,
}

/// Text normalised as `prompt_sha256` reads it: CRLF as LF.
fn normalise(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

impl Matcher {
    /// Reads every agent's body from its file. An agent whose file cannot
    /// be read is recognised by its model name only.
    pub fn build(plan: &Plan, files: &AgentFiles) -> Matcher {
        let mut patterns = Vec::new();
        let mut agents = Vec::new();
        for agent in &plan.agents {
            let Some(body) = files.path(&agent.path).and_then(|p| read_body(&p)) else {
                continue;
            };
            if body.chars().count() >= MIN_BODY_CHARS {
                patterns.push(body);
                agents.push(agent.name.clone());
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::new(&patterns).ok()
        };
        Matcher { automaton, agents }
    }

    /// A matcher that recognises no body.
    pub fn empty() -> Matcher {
        Matcher {
            automaton: None,
            agents: Vec::new(),
        }
    }

    /// The agent whose body is the longest found in `texts`.
    pub fn find<'t>(&self, texts: impl Iterator<Item = &'t str>) -> Option<&str> {
        let automaton = self.automaton.as_ref()?;
        let mut best: Option<(usize, usize)> = None;
        for text in texts {
            let text = normalise(text);
            for m in automaton.find_overlapping_iter(text.as_ref()) {
                let len = m.len();
                let better = match best {
                    None => true,
                    Some((_, l)) => len > l,
                };
                if better {
                    best = Some((m.pattern().as_usize(), len));
                }
            }
        }
        best.and_then(|(i, _)| self.agents.get(i))
            .map(String::as_str)
    }

    /// The agents that can be recognised by their body.
    pub fn agents(&self) -> &[String] {
        &self.agents
    }
}

/// An agent file's body as the system prompt carries it: CRLF as LF,
/// surrounding blank space removed.
fn read_body(path: &std::path::Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > MAX_AGENT_FILE {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let body = match crate::source::split::split(&text) {
        Ok(fm) => text.get(fm.body)?.to_string(),
        // Codex's TOML agents keep the prompt in `developer_instructions`.
        Err(_) => toml_instructions(&text)?,
    };
    Some(normalise(&body).trim().to_string())
}

fn toml_instructions(text: &str) -> Option<String> {
    let v: toml::Value = toml::from_str(text).ok()?;
    v.get("developer_instructions")?
        .as_str()
        .map(str::to_string)
}

/// The system texts of a request: Anthropic `system` (a string or text
/// blocks) and messages with the role `system` or `developer` (OpenAI, and
/// what Claude Code puts among its messages).
pub fn system_texts(body: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    push_texts(body.get("system"), &mut out);
    if let Some(messages) = body.get("messages").and_then(Value::as_array) {
        for m in messages {
            let role = m.get("role").and_then(Value::as_str);
            if matches!(role, Some("system" | "developer")) {
                push_texts(m.get("content"), &mut out);
            }
        }
    }
    out
}

fn push_texts<'a>(v: Option<&'a Value>, out: &mut Vec<&'a str>) {
    match v {
        Some(Value::String(s)) => out.push(s),
        Some(Value::Array(parts)) => {
            for p in parts {
                if let Some(t) = p.get("text").and_then(Value::as_str) {
                    out.push(t);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn system_texts_come_from_both_formats() {
        let a = json!({"system": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}],
            "messages": [{"role": "system", "content": "three"}, {"role": "user", "content": "no"}]});
        assert_eq!(system_texts(&a), vec!["one", "two", "three"]);
        let o = json!({"messages": [{"role": "developer", "content": [{"type": "text", "text": "d"}]},
            {"role": "system", "content": "s"}]});
        assert_eq!(system_texts(&o), vec!["d", "s"]);
    }

    #[test]
    fn the_longest_body_wins() {
        let short = "x".repeat(70);
        let long = format!("{short} and more words after it");
        let m = Matcher {
            automaton: AhoCorasick::new([&short, &long]).ok(),
            agents: vec!["short".into(), "long".into()],
        };
        let prompt = format!("Intro.\r\n{long}\r\nNotes");
        assert_eq!(m.find([prompt.as_str()].into_iter()), Some("long"));
        assert_eq!(m.find([short.as_str()].into_iter()), Some("short"));
        assert_eq!(m.find(["nothing"].into_iter()), None);
    }
}
