//! A scripted HTTP/1.1 server on 127.0.0.1:0: every request is recorded
//! and answered by a closure (keep-alive, `Content-Length` bodies), for
//! playing an Anthropic- or OpenAI-shaped provider turn by turn.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// With the query.
    pub path: String,
    /// Names in lower case.
    pub headers: HashMap<String, String>,
    pub body: Value,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// Every text of the request (system, messages, tool results), joined.
    pub fn text(&self) -> String {
        self.body.to_string()
    }
}

/// What the server answers.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// Send the head only, promising the body, then close the connection.
    pub cut: bool,
    /// More header lines.
    pub headers: Vec<(String, String)>,
}

impl Answer {
    pub fn json(status: u16, v: &Value) -> Answer {
        Answer {
            status,
            content_type: "application/json".into(),
            body: v.to_string().into_bytes(),
            cut: false,
            headers: Vec::new(),
        }
    }

    /// Server-sent events: `(event name, data)`.
    pub fn sse(events: &[(Option<&str>, String)]) -> Answer {
        let mut body = String::new();
        for (name, data) in events {
            if let Some(n) = name {
                body.push_str(&format!("event: {n}\n"));
            }
            body.push_str(&format!("data: {data}\n\n"));
        }
        Answer {
            status: 200,
            content_type: "text/event-stream".into(),
            body: body.into_bytes(),
            cut: false,
            headers: Vec::new(),
        }
    }
}

type Script = dyn Fn(&Seen, usize) -> Answer + Send + Sync;

pub struct Scripted {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    /// `script(request, n)` answers the `n`-th request (0-based).
    pub fn start(script: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let script: Arc<Script> = Arc::new(script);
        let s = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (s, script) = (s.clone(), script.clone());
                std::thread::spawn(move || serve(stream, &s, &*script));
            }
        });
        Scripted { addr, seen }
    }

    /// `http://127.0.0.1:PORT/v1`
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, seen: &Mutex<Vec<Seen>>, script: &Script) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let Some(wire) = super::http::read_request(&mut reader) else {
            return;
        };
        let request = Seen {
            headers: wire.header_map(),
            body: wire.json(),
            method: wire.method,
            path: wire.path,
        };
        let n = {
            let mut s = seen.lock().unwrap();
            s.push(request.clone());
            s.len() - 1
        };
        let a = script(&request, n);
        let extra: String = a
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\r\n"))
            .collect();
        let head = format!(
            "HTTP/1.1 {} X\r\ncontent-type: {}\r\ncontent-length: {}\r\n{extra}\r\n",
            a.status,
            a.content_type,
            a.body.len()
        );
        if a.cut {
            let _ = out.write_all(head.as_bytes());
            return;
        }
        if out.write_all(head.as_bytes()).is_err() || out.write_all(&a.body).is_err() {
            return;
        }
    }
}

/// An Anthropic Messages answer with these content blocks, streamed when
/// the request asks for it.
pub fn anthropic_answer(req: &Seen, content: Vec<Value>, stop: &str) -> Answer {
    let model = req.body["model"].as_str().unwrap_or("m").to_string();
    let msg = json!({"id": "msg_1", "type": "message", "role": "assistant", "model": model,
        "content": content, "stop_reason": stop, "stop_sequence": null,
        "usage": {"input_tokens": 11, "output_tokens": 7}});
    if req.body["stream"] != json!(true) {
        return Answer::json(200, &msg);
    }
    let mut start = msg.clone();
    start["content"] = json!([]);
    start["stop_reason"] = Value::Null;
    let mut ev: Vec<(Option<&str>, String)> = vec![(
        Some("message_start"),
        json!({"type": "message_start", "message": start}).to_string(),
    )];
    for (i, c) in content.iter().enumerate() {
        if c["type"] == "text" {
            ev.push((Some("content_block_start"), json!({"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}}).to_string()));
            ev.push((Some("content_block_delta"), json!({"type": "content_block_delta", "index": i, "delta": {"type": "text_delta", "text": c["text"]}}).to_string()));
        } else {
            ev.push((Some("content_block_start"), json!({"type": "content_block_start", "index": i, "content_block": {"type": "tool_use", "id": c["id"], "name": c["name"], "input": {}}}).to_string()));
            ev.push((Some("content_block_delta"), json!({"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": c["input"].to_string()}}).to_string()));
        }
        ev.push((
            Some("content_block_stop"),
            json!({"type": "content_block_stop", "index": i}).to_string(),
        ));
    }
    ev.push((Some("message_delta"), json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": 7}}).to_string()));
    ev.push((
        Some("message_stop"),
        json!({"type": "message_stop"}).to_string(),
    ));
    Answer::sse(&ev)
}

/// An OpenAI chat completion: text, or tool calls `(id, name, arguments)`;
/// streamed when the request asks for it.
pub fn openai_answer(req: &Seen, text: Option<&str>, calls: &[(&str, &str, Value)]) -> Answer {
    let model = req.body["model"].as_str().unwrap_or("m").to_string();
    let finish = if calls.is_empty() {
        "stop"
    } else {
        "tool_calls"
    };
    let tool_calls: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(i, (id, name, args))| {
            json!({"index": i, "id": id, "type": "function",
            "function": {"name": name, "arguments": args.to_string()}})
        })
        .collect();
    let usage = json!({"prompt_tokens": 13, "completion_tokens": 5, "total_tokens": 18});
    if req.body["stream"] != json!(true) {
        let mut message = json!({"role": "assistant", "content": text});
        if !tool_calls.is_empty() {
            let plain: Vec<Value> = tool_calls
                .iter()
                .map(|c| {
                    let mut c = c.clone();
                    c.as_object_mut().unwrap().remove("index");
                    c
                })
                .collect();
            message["tool_calls"] = json!(plain);
        }
        return Answer::json(
            200,
            &json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1,
            "model": model, "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": usage}),
        );
    }
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        .to_string()
    };
    let mut ev: Vec<(Option<&str>, String)> = vec![(
        None,
        chunk(json!({"role": "assistant", "content": ""}), Value::Null),
    )];
    if let Some(t) = text {
        ev.push((None, chunk(json!({"content": t}), Value::Null)));
    }
    for c in &tool_calls {
        ev.push((None, chunk(json!({"tool_calls": [c]}), Value::Null)));
    }
    ev.push((None, chunk(json!({}), json!(finish))));
    ev.push((
        None,
        json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
        "model": model, "choices": [], "usage": usage})
        .to_string(),
    ));
    ev.push((None, "[DONE]".to_string()));
    Answer::sse(&ev)
}
