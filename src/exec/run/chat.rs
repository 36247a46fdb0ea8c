//! One call to an OpenAI-compatible chat completions endpoint
//! (`POST {base_url}/chat/completions`), streamed (server-sent events) or
//! not, and the classification of what went wrong: the executor falls back
//! only on [`Failure::is_unavailable`].

use super::sse;
use crate::model::agent::Params;
use futures_util::StreamExt;
use serde_json::{Value, json};

/// The most of an answer kept in memory; a server sending more is broken.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// The most of an error response read for its message.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// The longest server message quoted in an attempt's `error`.
const MAX_MESSAGE_CHARS: usize = 300;

/// A provider key. Its `Debug` never shows the value.
#[derive(Clone)]
pub struct ApiKey(pub String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Whether a key can go in an `Authorization` header as it is.
pub fn header_safe(key: &str) -> bool {
    reqwest::header::HeaderValue::try_from(format!("Bearer {key}")).is_ok()
}

/// What one attempt sends.
pub struct ChatRequest<'a> {
    pub base_url: &'a crate::model::config::BaseUrl,
    pub model: &'a str,
    pub system: &'a str,
    pub prompt: &'a str,
    pub params: &'a Params,
    pub stream: bool,
}

impl ChatRequest<'_> {
    pub fn url(&self) -> url::Url {
        self.base_url.endpoint("chat/completions")
    }

    /// The JSON body: the system prompt and the prompt as messages, the
    /// plan's parameters passed through as set.
    pub fn body(&self) -> Value {
        let mut messages = Vec::new();
        if !self.system.is_empty() {
            messages.push(json!({"role": "system", "content": self.system}));
        }
        messages.push(json!({"role": "user", "content": self.prompt}));
        let mut body = json!({
            "model": self.model,
            "messages": messages,
            "stream": self.stream,
        });
        let p = self.params;
        if let Some(t) = p.temperature {
            body["temperature"] = json!(t);
        }
        if let Some(t) = p.top_p {
            body["top_p"] = json!(t);
        }
        if let Some(t) = p.max_tokens {
            body["max_tokens"] = json!(t);
        }
        if let Some(e) = &p.reasoning_effort {
            body["reasoning_effort"] = json!(e);
        }
        body
    }
}

/// Why an attempt failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No connection, or it broke before an answer began.
    Connect(String),
    /// The attempt's time ran out.
    Timeout(u64),
    /// The server answered with a non-success status.
    Status(u16, String),
    /// The server answered 2xx with something that is not a completion.
    Invalid(String),
    /// The answer broke off after it had begun.
    Interrupted(String),
}

impl Failure {
    /// Connection errors, timeouts, 5xx and 429: the provider is
    /// unavailable, and the next route of the chain may be tried, as long
    /// as no part of an answer has arrived (`answered`).
    pub fn is_unavailable(&self, answered: bool) -> bool {
        if answered {
            return false;
        }
        match self {
            Failure::Connect(_) | Failure::Timeout(_) => true,
            Failure::Status(s, _) => *s == 429 || (500..600).contains(s),
            Failure::Invalid(_) | Failure::Interrupted(_) => false,
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            Failure::Status(s, _) => Some(*s),
            _ => None,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Failure::Connect(m) => format!("connection failed: {m}"),
            Failure::Timeout(ms) => format!("timed out after {}", duration_text(*ms)),
            Failure::Status(s, m) if m.is_empty() => format!("HTTP {s}"),
            Failure::Status(s, m) => format!("HTTP {s}: {m}"),
            Failure::Invalid(m) => format!("invalid response: {m}"),
            Failure::Interrupted(m) => format!("answer broke off: {m}"),
        }
    }
}

pub fn duration_text(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// What came back: the answer accumulates in `text` as it arrives (so a
/// caller whose timeout fires still sees what came), `usage` is the
/// server's token count when it sends one.
#[derive(Debug, Default)]
pub struct Answer {
    /// The HTTP status the server answered with.
    pub status: Option<u16>,
    pub text: String,
    pub usage: Option<Value>,
}

/// Sends one request and reads the answer into `answer`, calling `on_delta`
/// with each piece of a streamed answer as it arrives.
pub async fn complete(
    client: &reqwest::Client,
    key: Option<&ApiKey>,
    req: &ChatRequest<'_>,
    answer: &mut Answer,
    on_delta: &mut (dyn FnMut(&str) + Send),
) -> Result<(), Failure> {
    let mut builder = client.post(req.url()).json(&req.body());
    if let Some(key) = key {
        // The executor checked the key with `header_safe`.
        if let Ok(mut value) = reqwest::header::HeaderValue::try_from(format!("Bearer {}", key.0)) {
            value.set_sensitive(true);
            builder = builder.header(reqwest::header::AUTHORIZATION, value);
        }
    }
    if req.stream {
        builder = builder.header(reqwest::header::ACCEPT, "text/event-stream");
    }
    let response = builder
        .send()
        .await
        .map_err(|e| Failure::Connect(cause(&e)))?;
    let status = response.status();
    answer.status = Some(status.as_u16());
    if !status.is_success() {
        let body = read_limited(response, MAX_ERROR_BODY)
            .await
            .unwrap_or_default();
        return Err(Failure::Status(status.as_u16(), server_message(&body)));
    }
    let is_event_stream = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if req.stream && is_event_stream {
        read_stream(response, answer, on_delta).await
    } else {
        // A server that ignores `stream: true` still answers in one piece.
        let body = read_limited(response, MAX_BODY).await?;
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| Failure::Invalid(format!("not JSON ({e})")))?;
        let choice = v
            .get("choices")
            .and_then(|c| c.get(0))
            .ok_or_else(|| Failure::Invalid("no `choices` in the answer".into()))?;
        let text = match choice.pointer("/message/content") {
            Some(Value::String(s)) => s.as_str(),
            Some(Value::Null) | None => "",
            Some(_) => {
                return Err(Failure::Invalid(
                    "`choices[0].message.content` is not a string".into(),
                ));
            }
        };
        answer.text.push_str(text);
        if req.stream && !text.is_empty() {
            on_delta(text);
        }
        answer.usage = v.get("usage").filter(|u| !u.is_null()).cloned();
        Ok(())
    }
}

async fn read_stream(
    response: reqwest::Response,
    answer: &mut Answer,
    on_delta: &mut (dyn FnMut(&str) + Send),
) -> Result<(), Failure> {
    let mut decoder = sse::Decoder::new();
    let mut body = response.bytes_stream();
    let mut finished = false;
    let too_long = |_| Failure::Invalid("an event line longer than 8 MiB".into());
    loop {
        let events = match body.next().await {
            Some(Ok(bytes)) => decoder.feed(&bytes).map_err(too_long)?,
            Some(Err(e)) => {
                let m = cause(&e);
                return Err(if answer.text.is_empty() {
                    Failure::Connect(m)
                } else {
                    Failure::Interrupted(m)
                });
            }
            None => {
                let events: Vec<String> = decoder.finish().into_iter().collect();
                for data in events {
                    if event(&data, answer, on_delta, &mut finished)? {
                        return Ok(());
                    }
                }
                if finished {
                    // The server said why the answer ended but not `[DONE]`.
                    return Ok(());
                }
                let m = "the stream ended before `data: [DONE]`".to_string();
                return Err(if answer.text.is_empty() {
                    Failure::Connect(m)
                } else {
                    Failure::Interrupted(m)
                });
            }
        };
        for data in events {
            if event(&data, answer, on_delta, &mut finished)? {
                drain(&mut body).await;
                return Ok(());
            }
        }
        if answer.text.len() > MAX_BODY {
            return Err(Failure::Invalid("an answer larger than 64 MiB".into()));
        }
    }
}

/// Reads what follows `[DONE]` (the end of the chunked body), so that the
/// connection goes back to the pool instead of being closed. A server that
/// keeps sending after `[DONE]` is cut off.
async fn drain<B: AsRef<[u8]>, E>(
    body: &mut (impl futures_util::Stream<Item = Result<B, E>> + Unpin),
) {
    let mut left = MAX_ERROR_BODY;
    while let Some(Ok(chunk)) = body.next().await {
        left = left.saturating_sub(chunk.as_ref().len());
        if left == 0 {
            return;
        }
    }
}

/// Handles one event's data; true at `[DONE]`.
fn event(
    data: &str,
    answer: &mut Answer,
    on_delta: &mut (dyn FnMut(&str) + Send),
    finished: &mut bool,
) -> Result<bool, Failure> {
    let data = data.trim();
    if data == "[DONE]" {
        return Ok(true);
    }
    if data.is_empty() {
        return Ok(false);
    }
    let v: Value = serde_json::from_str(data)
        .map_err(|e| Failure::Invalid(format!("an event that is not JSON ({e})")))?;
    if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
        // Some gateways report an upstream failure inside a 200 stream.
        let message = server_message(err.to_string().as_bytes());
        let code = err
            .get("code")
            .and_then(Value::as_u64)
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| (400..600).contains(c));
        return Err(match code {
            Some(c) => Failure::Status(c, message),
            None => Failure::Invalid(message),
        });
    }
    if let Some(choice) = v.get("choices").and_then(|c| c.get(0)) {
        if let Some(Value::String(piece)) = choice.pointer("/delta/content")
            && !piece.is_empty()
        {
            answer.text.push_str(piece);
            on_delta(piece);
        }
        if choice.get("finish_reason").is_some_and(|r| r.is_string()) {
            *finished = true;
        }
    }
    if let Some(u) = v.get("usage").filter(|u| !u.is_null()) {
        answer.usage = Some(u.clone());
    }
    Ok(false)
}

pub(crate) async fn read_limited(
    response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| Failure::Connect(cause(&e)))?;
        if out.len() + chunk.len() > limit {
            if limit == MAX_ERROR_BODY {
                // Enough to quote from.
                out.extend_from_slice(&chunk[..limit - out.len()]);
                break;
            }
            return Err(Failure::Invalid(format!(
                "an answer larger than {} MiB",
                limit / (1024 * 1024)
            )));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The message of an error body: `error.message`, `message`, `error` or
/// the text itself, on one line and shortened.
pub(crate) fn server_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let from_json = serde_json::from_str::<Value>(&text).ok().and_then(|v| {
        [
            v.pointer("/error/message"),
            v.get("message"),
            v.get("error"),
            v.get("detail"),
        ]
        .into_iter()
        .flatten()
        .find_map(|m| m.as_str().map(str::to_string))
    });
    let message = from_json.unwrap_or_else(|| text.into_owned());
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > MAX_MESSAGE_CHARS {
        let mut s: String = one_line.chars().take(MAX_MESSAGE_CHARS).collect();
        s.push('…');
        s
    } else {
        one_line
    }
}

/// The innermost cause of a transport error ("Connection refused (os error
/// 111)"), which says more than reqwest's "error sending request".
pub(crate) fn cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(inner) = source.source() {
        source = inner;
    }
    let text = source.to_string();
    if text.is_empty() { e.to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_means_connection_timeout_5xx_429_before_any_answer() {
        assert!(Failure::Connect("refused".into()).is_unavailable(false));
        assert!(Failure::Timeout(10).is_unavailable(false));
        assert!(Failure::Status(500, String::new()).is_unavailable(false));
        assert!(Failure::Status(503, String::new()).is_unavailable(false));
        assert!(Failure::Status(429, String::new()).is_unavailable(false));
        assert!(!Failure::Status(400, String::new()).is_unavailable(false));
        assert!(!Failure::Status(401, String::new()).is_unavailable(false));
        assert!(!Failure::Status(404, String::new()).is_unavailable(false));
        assert!(!Failure::Invalid("x".into()).is_unavailable(false));
        assert!(!Failure::Timeout(10).is_unavailable(true));
        assert!(!Failure::Connect("reset".into()).is_unavailable(true));
    }

    #[test]
    fn server_messages_are_read_from_the_usual_shapes() {
        assert_eq!(
            server_message(br#"{"error": {"message": "model  not\nfound", "type": "x"}}"#),
            "model not found"
        );
        assert_eq!(server_message(br#"{"error": "overloaded"}"#), "overloaded");
        assert_eq!(server_message(b"Bad Gateway"), "Bad Gateway");
        assert_eq!(server_message(&[b'a'; 400]).chars().count(), 301);
    }

    #[test]
    fn the_body_carries_only_the_parameters_that_are_set() {
        let params = Params {
            temperature: Some(0.2),
            max_tokens: Some(64),
            ..Params::default()
        };
        let base = crate::model::config::BaseUrl::parse("http://127.0.0.1:9/v1/").unwrap();
        let req = ChatRequest {
            base_url: &base,
            model: "m",
            system: "",
            prompt: "hi",
            params: &params,
            stream: false,
        };
        assert_eq!(req.url().as_str(), "http://127.0.0.1:9/v1/chat/completions");
        assert_eq!(
            req.body(),
            json!({"model": "m", "stream": false, "temperature": 0.2, "max_tokens": 64,
                   "messages": [{"role": "user", "content": "hi"}]})
        );
    }

    #[test]
    fn a_key_never_shows_in_debug_output() {
        assert_eq!(
            format!("{:?}", ApiKey("sk-secret".into())),
            "ApiKey(<redacted>)"
        );
    }
}
