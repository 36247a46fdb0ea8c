//! Test support: an OpenAI-compatible chat completions server on
//! 127.0.0.1:0 (hand-written HTTP/1.1 over std `TcpListener`, keep-alive,
//! chunked server-sent events), configurable per model, recording every
//! request and the peak number in flight; and temp projects whose
//! providers point at it.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// What the server does with a request for one model.
#[derive(Clone, Debug)]
pub enum Reply {
    /// 200 with this answer after `delay`: server-sent events when the
    /// request says `stream: true`, one JSON object otherwise.
    Answer { text: String, delay: Duration },
    /// This status with an OpenAI-style error body.
    Status(u16),
    /// Never answers; waits until the client goes away.
    Hang,
    /// Sends the head and the first word of the answer, then closes.
    CloseMidStream { text: String },
}

impl Reply {
    pub fn answer(text: &str) -> Reply {
        Reply::Answer {
            text: text.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn slow(text: &str, delay: Duration) -> Reply {
        Reply::Answer {
            text: text.to_string(),
            delay,
        }
    }
}

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: Value,
    /// Which accepted connection carried it (0, 1, …).
    pub connection: usize,
}

impl Recorded {
    pub fn model(&self) -> &str {
        self.body["model"].as_str().unwrap_or("")
    }
}

#[derive(Default)]
struct State {
    replies: HashMap<String, Reply>,
    requests: Vec<Recorded>,
    in_flight: usize,
    peak: usize,
    /// Answers wait until this many requests have been in flight at once.
    hold_until_peak: usize,
    connections: usize,
    stop: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let id = {
                    let mut st = s.state.lock().unwrap();
                    if st.stop {
                        return;
                    }
                    st.connections += 1;
                    st.connections - 1
                };
                let s = s.clone();
                std::thread::spawn(move || serve(stream, id, &s));
            }
        });
        Server { addr, shared }
    }

    /// `http://127.0.0.1:PORT/v1`
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn reply(&self, model: &str, reply: Reply) {
        self.shared
            .state
            .lock()
            .unwrap()
            .replies
            .insert(model.to_string(), reply);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.state.lock().unwrap().requests.clone()
    }

    pub fn models_requested(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| r.model().to_string())
            .collect()
    }

    /// The most requests the server was handling at once.
    pub fn peak(&self) -> usize {
        self.shared.state.lock().unwrap().peak
    }

    /// Holds every answer until `n` requests have been in flight at once
    /// (or 30 seconds passed), so a test of a concurrency cap sees the cap
    /// reached however slowly the machine starts the requests.
    pub fn hold_until_peak(&self, n: usize) {
        self.shared.state.lock().unwrap().hold_until_peak = n;
    }

    pub fn connections(&self) -> usize {
        self.shared.state.lock().unwrap().connections
    }

    /// Waits (up to `limit`) until `n` requests are in flight.
    pub fn wait_in_flight(&self, n: usize, limit: Duration) -> bool {
        self.wait_until(limit, |requests, in_flight| requests > 0 && in_flight >= n)
    }

    /// Waits (up to `limit`) until `done(requests seen, in flight)`.
    pub fn wait_until(&self, limit: Duration, done: impl Fn(usize, usize) -> bool) -> bool {
        let deadline = Instant::now() + limit;
        let mut st = self.shared.state.lock().unwrap();
        while !done(st.requests.len(), st.in_flight) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            st = self.shared.changed.wait_timeout(st, left).unwrap().0;
        }
        true
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.state.lock().unwrap().stop = true;
        self.shared.changed.notify_all();
        // Wakes the accept loop so that it sees `stop`.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(stream: TcpStream, connection: usize, shared: &Shared) {
    // As real servers do: small writes go out at once.
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let Some(mut req) = read_request(&mut reader) else {
            return;
        };
        req.connection = connection;
        let reply = {
            let mut st = shared.state.lock().unwrap();
            st.requests.push(req.clone());
            st.in_flight += 1;
            st.peak = st.peak.max(st.in_flight);
            shared.changed.notify_all();
            let deadline = Instant::now() + Duration::from_secs(30);
            while st.peak < st.hold_until_peak && !st.stop {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                st = shared.changed.wait_timeout(st, left).unwrap().0;
            }
            st.replies.get(req.model()).cloned()
        };
        let done = || {
            let mut st = shared.state.lock().unwrap();
            st.in_flight -= 1;
            shared.changed.notify_all();
        };
        let keep = match reply {
            // An answer stops counting as in flight before it is written:
            // the client may start its next request as soon as it has read
            // this one.
            Some(Reply::Answer { delay, .. }) => {
                std::thread::sleep(delay);
                done();
                respond(&mut out, &mut reader, &req, reply)
            }
            reply => {
                let keep = respond(&mut out, &mut reader, &req, reply);
                done();
                keep
            }
        };
        if !keep {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Recorded> {
    let wire = super::http::read_request(reader)?;
    Some(Recorded {
        headers: wire.header_map(),
        body: wire.json(),
        method: wire.method,
        path: wire.path,
        connection: 0,
    })
}

fn usage() -> Value {
    json!({"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10})
}

/// Writes the reply; false when the connection is to be closed.
fn respond(
    out: &mut TcpStream,
    reader: &mut BufReader<TcpStream>,
    req: &Recorded,
    reply: Option<Reply>,
) -> bool {
    let stream = req.body["stream"] == json!(true);
    let model = req.model().to_string();
    match reply {
        None => write_json(
            out,
            404,
            &json!({"error": {"message": format!("model `{model}` not found"), "type": "invalid_request_error"}}),
        ),
        Some(Reply::Status(code)) => write_json(
            out,
            code,
            &json!({"error": {"message": format!("status {code} for `{model}`"), "type": "server_error"}}),
        ),
        Some(Reply::Hang) => {
            // Blocks until the client closes its side.
            let mut buf = [0u8; 1024];
            while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
            false
        }
        // `serve` has waited out the delay.
        Some(Reply::Answer { text, .. }) => {
            if stream {
                write_stream(out, &model, &text, None)
            } else {
                write_json(
                    out,
                    200,
                    &json!({
                        "id": "chatcmpl-1", "object": "chat.completion", "model": model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                        "usage": usage(),
                    }),
                )
            }
        }
        Some(Reply::CloseMidStream { text }) => {
            if stream {
                let first = text.split_inclusive(' ').next().unwrap_or("").to_string();
                write_stream(out, &model, &text, Some(first.len()));
            } else {
                // Promises a whole body and sends half of it.
                let body = json!({"choices": [{"message": {"content": text}}]}).to_string();
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = out.write_all(head.as_bytes());
                let _ = out.write_all(&body.as_bytes()[..body.len() / 2]);
            }
            let _ = out.flush();
            let _ = out.shutdown(Shutdown::Both);
            false
        }
    }
}

fn write_json(out: &mut TcpStream, status: u16, body: &Value) -> bool {
    let body = body.to_string();
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        reason(status),
        body.len()
    );
    out.write_all(head.as_bytes()).is_ok() && out.write_all(body.as_bytes()).is_ok()
}

fn chunk(out: &mut TcpStream, data: &str) -> bool {
    out.write_all(format!("{:x}\r\n{data}\r\n", data.len()).as_bytes())
        .is_ok()
        && out.flush().is_ok()
}

/// Streams `text` word by word; with `cut_after`, stops after that many
/// bytes of answer without ending the response.
fn write_stream(out: &mut TcpStream, model: &str, text: &str, cut_after: Option<usize>) -> bool {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
    if out.write_all(head.as_bytes()).is_err() {
        return false;
    }
    let mut sent = 0;
    for piece in text.split_inclusive(' ') {
        if cut_after.is_some_and(|n| sent >= n) {
            return false;
        }
        let event = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]});
        if !chunk(out, &format!("data: {event}\n\n")) {
            return false;
        }
        sent += piece.len();
    }
    if cut_after.is_some() {
        return false;
    }
    let last = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": usage()});
    chunk(out, &format!("data: {last}\n\n"))
        && chunk(out, "data: [DONE]\n\n")
        && out.write_all(b"0\r\n\r\n").is_ok()
        && out.flush().is_ok()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// The key variable the test projects name, and its value.
pub const KEY_VAR: &str = "AGENTC_TEST_KEY";
pub const KEY: &str = "test-key-1234";

/// A temp project: `.agents/agentc.toml` with providers on the test server
/// and agent files.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// Providers: `local` (needs `AGENTC_TEST_KEY`), `spare` (no key), both
    /// on `server`; `extra_toml` is appended to the config.
    pub fn new(server: &Server, extra_toml: &str) -> Project {
        Project::with_spare(server, "", extra_toml)
    }

    /// As [`Project::new`], with `spare_fields` added to `[providers.spare]`.
    pub fn with_spare(server: &Server, spare_fields: &str, extra_toml: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".agents")).unwrap();
        let toml = format!(
            "[providers.local]\nkind = \"openai-compatible\"\nbase_url = \"{url}\"\napi_key_env = \"{KEY_VAR}\"\n\n\
             [providers.spare]\nkind = \"openai-compatible\"\nbase_url = \"{url}\"\n{spare_fields}\n{extra_toml}",
            url = server.base_url()
        );
        std::fs::write(dir.path().join(".agents/agentc.toml"), toml).unwrap();
        Project { dir }
    }

    pub fn agent(&self, name: &str, frontmatter: &str, body: &str) -> &Project {
        std::fs::write(
            self.dir.path().join(format!(".agents/{name}.md")),
            format!("---\ndescription: The {name} agent.\n{frontmatter}---\n{body}"),
        )
        .unwrap();
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}
