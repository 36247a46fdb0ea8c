//! The probe's HTTP: one request under the probe's deadline, its body read
//! up to a size cap, and failures put in plain words. Keys travel only in
//! headers and never appear in what this module returns.

use serde_json::Value;
use tokio::time::Instant;

/// Model listings are small; a body past this is not a listing.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// What one request got.
#[derive(Clone, Debug, PartialEq)]
pub enum Fetched {
    /// A 2xx answer with a JSON body.
    Json(Value),
    /// The server answered, but not with a JSON listing: what it said.
    Answered(String),
    /// No answer.
    Failed(Failure),
}

impl Fetched {
    pub fn json(&self) -> Option<&Value> {
        match self {
            Fetched::Json(v) => Some(v),
            _ => None,
        }
    }
}

/// Why a request got no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    Refused,
    TimedOut,
    HostNotFound,
    Other(String),
}

impl Failure {
    pub fn message(&self) -> String {
        match self {
            Failure::Refused => "connection refused".into(),
            Failure::TimedOut => "timed out".into(),
            Failure::HostNotFound => "host not found".into(),
            Failure::Other(m) => m.clone(),
        }
    }
}

/// Sends `request` and reads its answer, giving up at `deadline`.
pub async fn fetch(request: reqwest::RequestBuilder, deadline: Instant) -> Fetched {
    let remaining = deadline.saturating_duration_since(Instant::now());
    if remaining.is_zero() {
        return Fetched::Failed(Failure::TimedOut);
    }
    // reqwest's own timeout covers connecting, the head and the body; the
    // outer one makes the deadline hold whatever happens inside.
    match tokio::time::timeout_at(deadline, exchange(request.timeout(remaining))).await {
        Ok(f) => f,
        Err(_) => Fetched::Failed(Failure::TimedOut),
    }
}

async fn exchange(request: reqwest::RequestBuilder) -> Fetched {
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) => return Fetched::Failed(classify(&e)),
    };
    let status = response.status();
    let mut body: Vec<u8> = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Fetched::Answered(format!(
                        "HTTP {} with a body over {MAX_BODY} bytes",
                        status.as_u16()
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Fetched::Failed(classify(&e)),
        }
    }
    if !status.is_success() {
        return Fetched::Answered(format!("HTTP {}", status.as_u16()));
    }
    match serde_json::from_slice(&body) {
        Ok(v) => Fetched::Json(v),
        Err(_) => Fetched::Answered(format!("HTTP {} without JSON", status.as_u16())),
    }
}

/// A reqwest error in the words a person needs: refused, timed out, no
/// such host, or the innermost cause.
fn classify(e: &reqwest::Error) -> Failure {
    if e.is_timeout() {
        return Failure::TimedOut;
    }
    let mut innermost = e.to_string();
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Failure::Refused,
                std::io::ErrorKind::TimedOut => return Failure::TimedOut,
                _ => {}
            }
        }
        innermost = s.to_string();
        chain.push_str(&innermost);
        chain.push('\n');
        source = s.source();
    }
    if chain.contains("dns error") || chain.contains("failed to lookup address") {
        return Failure::HostNotFound;
    }
    if e.is_connect() {
        Failure::Other(format!("connection failed: {innermost}"))
    } else {
        Failure::Other(format!("request failed: {innermost}"))
    }
}
