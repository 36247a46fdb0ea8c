//! One event per request: what the gateway decided and what happened, as a
//! human line or an NDJSON object.

use super::recognise::Matched;
use crate::exec::run::{Attempt, Target};
use serde_json::{Value, json};

/// What one request did.
#[derive(Clone, Debug)]
pub struct Event {
    /// `anthropic` or `openai`: the door the request came in by.
    pub door: &'static str,
    pub method: String,
    pub path: String,
    /// The plan generation the request was routed with.
    pub generation: u64,
    pub agent: Option<String>,
    /// How the agent was recognised; `None` for requests that name none
    /// (`GET /v1/models`, unknown paths, requests refused before routing).
    pub matched: Option<Matched>,
    /// A harness-native model name that did not override the plan.
    pub ignored_model: Option<String>,
    pub planned: Option<Target>,
    /// The route that answered, or the last one tried.
    pub route: Option<Target>,
    pub attempts: Vec<Attempt>,
    /// The status the client got.
    pub status: u16,
    pub stream: bool,
    /// Until the first byte of the answer reached the client.
    pub first_byte_ms: Option<f64>,
    /// Until the answer ended.
    pub latency_ms: f64,
    pub usage: Option<Value>,
    /// A stable code and a message, when the request failed.
    pub error: Option<(String, String)>,
}

impl Event {
    pub fn new(door: &'static str, method: &str, path: &str) -> Event {
        Event {
            door,
            method: method.to_string(),
            path: path.to_string(),
            generation: 0,
            agent: None,
            matched: None,
            ignored_model: None,
            planned: None,
            route: None,
            attempts: Vec::new(),
            status: 200,
            stream: false,
            first_byte_ms: None,
            latency_ms: 0.0,
            usage: None,
            error: None,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "event": "request",
            "door": self.door,
            "method": self.method,
            "path": self.path,
            "generation": self.generation,
            "agent": self.agent,
            "matched": self.matched.map(Matched::as_str),
            "ignored_model": self.ignored_model,
            "planned": self.planned.as_ref().map(Target::to_json),
            "route": self.route.as_ref().map(Target::to_json),
            "attempts": self.attempts.iter().map(Attempt::to_json).collect::<Vec<_>>(),
            "status": self.status,
            "stream": self.stream,
            "first_byte_ms": self.first_byte_ms.map(round3),
            "latency_ms": round3(self.latency_ms),
            "usage": self.usage,
            "error": self.error.as_ref().map(|(code, message)| json!({"code": code, "message": message})),
        })
    }

    /// `POST /v1/messages explore (system-prompt) -> lm-studio/qwen 200 12ms`
    pub fn human(&self) -> String {
        let who = match (&self.agent, self.matched) {
            (Some(a), Some(m)) => format!("{a} ({})", m.as_str()),
            (_, Some(_)) => "parent".to_string(),
            _ => "-".to_string(),
        };
        let route = self
            .route
            .as_ref()
            .map_or_else(|| "-".to_string(), Target::to_string);
        let mut line = format!(
            "{} {} {who} -> {route} {}{} {:.0}ms",
            self.method,
            self.path,
            self.status,
            if self.stream { " stream" } else { "" },
            self.latency_ms
        );
        if self.attempts.len() > 1 {
            let failed: Vec<String> = self
                .attempts
                .iter()
                .filter(|a| !a.ok)
                .map(|a| {
                    format!(
                        "{}/{}: {}",
                        a.provider,
                        a.model,
                        a.error.as_deref().unwrap_or("failed")
                    )
                })
                .collect();
            if !failed.is_empty() {
                line.push_str(&format!(" (fallback after {})", failed.join("; ")));
            }
        }
        if let Some(m) = &self.ignored_model {
            line.push_str(&format!(" [model `{m}` ignored]"));
        }
        if let Some((code, message)) = &self.error {
            line.push_str(&format!(" error[{code}]: {message}"));
        }
        terminal_safe(&line)
    }
}

fn round3(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// Text from clients, files and servers, made safe for a terminal: control
/// characters, bidi overrides and line separators are escaped.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let unsafe_char = c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}');
        if unsafe_char {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_lines_escape_control_characters() {
        let mut e = Event::new("openai", "POST", "/v1/chat/completions");
        e.agent = Some("explore".into());
        e.matched = Some(Matched::SystemPrompt);
        e.route = Some(Target {
            provider: "lm-studio".into(),
            model: "q\u{1b}[2J".into(),
        });
        e.latency_ms = 3.4;
        assert_eq!(
            e.human(),
            "POST /v1/chat/completions explore (system-prompt) -> lm-studio/q\\u{1b}[2J 200 3ms"
        );
    }
}
