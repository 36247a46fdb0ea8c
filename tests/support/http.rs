//! Test support: a small HTTP/1.1 server on 127.0.0.1:0 that answers with
//! the JSON the real servers document (LM Studio, Ollama, llama.cpp, vLLM),
//! a socket that accepts and never answers, a port that refuses, and a
//! project folder to run the binary in.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request as read off a connection, for every loopback
/// server of the tests: header names in lower case, in the order sent, and
/// the body whole (by `content-length`, or chunked).
#[derive(Clone, Debug)]
pub struct Wire {
    pub method: String,
    /// With the query.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Wire {
    /// The headers by (lower-case) name; a repeated name keeps its last value.
    pub fn header_map(&self) -> HashMap<String, String> {
        self.headers.iter().cloned().collect()
    }

    /// The body as JSON, or `null` when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Reads the next request of a connection (one of several on a kept-alive
/// one). `None` when the connection ends or the request is malformed.
pub fn read_request(reader: &mut impl BufRead) -> Option<Wire> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let value = |name: &str| {
        headers
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut body = Vec::new();
    if value("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            // The chunk and the line break after it.
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        let length: usize = value("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        body.resize(length, 0);
        reader.read_exact(&mut body).ok()?;
    }
    Some(Wire {
        method,
        path,
        headers,
        body,
    })
}

type Handler = dyn Fn(&Request) -> Option<(u16, String)> + Send + Sync;

/// A server running on its own threads until dropped.
pub struct Server {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    held: Arc<Mutex<Vec<TcpStream>>>,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Answers each request with `handler`'s status and JSON body, or 404.
    pub fn start(
        handler: impl Fn(&Request) -> Option<(u16, String)> + Send + Sync + 'static,
    ) -> Server {
        Server::spawn(Some(Arc::new(handler)))
    }

    /// Accepts connections and never answers them.
    pub fn hanging() -> Server {
        Server::spawn(None)
    }

    /// Serves fixed paths: `(method, path, body)`.
    pub fn routes(routes: Vec<(&'static str, &'static str, String)>) -> Server {
        Server::start(move |r| {
            routes
                .iter()
                .find(|(m, p, _)| *m == r.method && *p == r.path)
                .map(|(_, _, body)| (200, body.clone()))
        })
    }

    fn spawn(handler: Option<Arc<Handler>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let held = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (s, h, log) = (stop.clone(), held.clone(), requests.clone());
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                match &handler {
                    None => h.lock().unwrap().push(stream),
                    Some(handler) => {
                        let handler = handler.clone();
                        let log = log.clone();
                        std::thread::spawn(move || serve(stream, &*handler, &log));
                    }
                }
            }
        });
        Server {
            addr,
            stop,
            accept: Some(accept),
            held,
            requests,
        }
    }

    /// `http://127.0.0.1:PORT/v1`, as a provider's `base_url`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.addr.port())
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        for s in self.held.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

fn serve(mut stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let Ok(read) = stream.try_clone() else { return };
    let Some(wire) = read_request(&mut BufReader::new(read)) else {
        return;
    };
    let request = Request {
        body: String::from_utf8_lossy(&wire.body).into_owned(),
        method: wire.method,
        path: wire.path,
        headers: wire.headers,
    };
    log.lock().unwrap().push(request.clone());
    let (status, body) =
        handler(&request).unwrap_or((404, r#"{"error":"Unexpected endpoint or method."}"#.into()));
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Status",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

/// A port on 127.0.0.1 that nothing listens on.
pub fn refused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("address").port();
    drop(l);
    port
}

/// LM Studio 0.3: `GET /api/v0/models` and `GET /v1/models`.
pub fn lm_studio() -> Server {
    Server::routes(vec![
        (
            "GET",
            "/api/v0/models",
            r#"{"object":"list","data":[
  {"id":"qwen-2.5-7b","object":"model","type":"llm","publisher":"lmstudio-community","arch":"qwen2","compatibility_type":"gguf","quantization":"Q4_K_M","state":"loaded","max_context_length":32768,"capabilities":["tool_use"]},
  {"id":"qwen2-vl-7b-instruct","object":"model","type":"vlm","publisher":"mlx-community","arch":"qwen2_vl","compatibility_type":"mlx","quantization":"4bit","state":"not-loaded","max_context_length":32768},
  {"id":"text-embedding-nomic-embed-text-v1.5","object":"model","type":"embeddings","publisher":"nomic-ai","arch":"nomic-bert","compatibility_type":"gguf","quantization":"Q4_0","state":"not-loaded","max_context_length":2048}
]}"#
            .into(),
        ),
        (
            "GET",
            "/v1/models",
            r#"{"data":[{"id":"qwen-2.5-7b","object":"model","owned_by":"organization_owner"},{"id":"qwen2-vl-7b-instruct","object":"model","owned_by":"organization_owner"}],"object":"list"}"#.into(),
        ),
    ])
}

/// An LM Studio too old for `/api/v0`: only `GET /v1/models`.
pub fn lm_studio_v1_only() -> Server {
    Server::routes(vec![(
        "GET",
        "/v1/models",
        r#"{"data":[{"id":"qwen-2.5-7b","object":"model","owned_by":"organization_owner"}],"object":"list"}"#.into(),
    )])
}

const OLLAMA_TAGS: &str = r#"{"models":[
  {"name":"qwen2.5-coder:7b","model":"qwen2.5-coder:7b","modified_at":"2025-01-10T10:00:00.000000+01:00","size":4683087332,"digest":"2b0496514337a3d5901f1d253d01726c890b721e891335a56d6e08cedf3e2cb0","details":{"parent_model":"","format":"gguf","family":"qwen2","families":["qwen2"],"parameter_size":"7.6B","quantization_level":"Q4_K_M"}},
  {"name":"llava:latest","model":"llava:latest","modified_at":"2025-01-09T10:00:00.000000+01:00","size":4733363377,"digest":"8dd30f6b0cb19f555f2c7a7ebda861449ea2cc76bf1f44e262931f45fc81d081","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama","clip"],"parameter_size":"7B","quantization_level":"Q4_0"}}
]}"#;

/// Ollama: `GET /api/tags`, `POST /api/show` per model, `GET /api/ps`,
/// and the OpenAI-compatible `GET /v1/models`.
pub fn ollama() -> Server {
    Server::start(|r| {
        let body = match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/api/tags") => OLLAMA_TAGS.to_string(),
            ("GET", "/api/ps") => r#"{"models":[{"name":"qwen2.5-coder:7b","model":"qwen2.5-coder:7b","size":5137025024,"digest":"2b0496514337a3d5901f1d253d01726c890b721e891335a56d6e08cedf3e2cb0","details":{"parent_model":"","format":"gguf","family":"qwen2","families":["qwen2"],"parameter_size":"7.6B","quantization_level":"Q4_K_M"},"expires_at":"2025-01-10T10:05:00.000000+01:00","size_vram":5137025024}]}"#.to_string(),
            ("POST", "/api/show") => {
                let asked: serde_json::Value = serde_json::from_str(&r.body).ok()?;
                match asked.get("model")?.as_str()? {
                    "qwen2.5-coder:7b" => r#"{"modelfile":"FROM qwen2.5-coder:7b","parameters":"stop \"<|im_end|>\"","template":"{{ .Prompt }}","details":{"parent_model":"","format":"gguf","family":"qwen2","families":["qwen2"],"parameter_size":"7.6B","quantization_level":"Q4_K_M"},"model_info":{"general.architecture":"qwen2","general.parameter_count":7615616512,"qwen2.attention.head_count":28,"qwen2.context_length":32768,"qwen2.embedding_length":3584},"capabilities":["completion","tools","insert"],"modified_at":"2025-01-10T10:00:00.000000+01:00"}"#.to_string(),
                    "llava:latest" => r#"{"modelfile":"FROM llava","parameters":"","template":"{{ .Prompt }}","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama","clip"],"parameter_size":"7B","quantization_level":"Q4_0"},"model_info":{"general.architecture":"llama","llama.context_length":4096,"llama.embedding_length":4096},"projector_info":{"clip.has_vision_encoder":true},"capabilities":["completion","vision"],"modified_at":"2025-01-09T10:00:00.000000+01:00"}"#.to_string(),
                    _ => return Some((404, r#"{"error":"model not found"}"#.into())),
                }
            }
            ("GET", "/v1/models") => r#"{"object":"list","data":[{"id":"qwen2.5-coder:7b","object":"model","created":1736503200,"owned_by":"library"},{"id":"llava:latest","object":"model","created":1736416800,"owned_by":"library"}]}"#.to_string(),
            _ => return None,
        };
        Some((200, body))
    })
}

/// llama.cpp's `llama-server`: `GET /props`, `GET /v1/models`, and the
/// Ollama-style `GET /api/tags` it also answers.
pub fn llama_cpp() -> Server {
    let listing = r#"{"models":[{"name":"gemma-3-4b-it","model":"gemma-3-4b-it","modified_at":"","size":"","digest":"","type":"model","description":"","tags":[""],"capabilities":["completion"],"parameters":"","details":{"parent_model":"","format":"gguf","family":"","families":[""],"parameter_size":"","quantization_level":""}}],"object":"list","data":[{"id":"gemma-3-4b-it","object":"model","created":1736503200,"owned_by":"llamacpp","meta":{"vocab_type":2,"n_vocab":262144,"n_ctx_train":131072,"n_embd":2560,"n_params":3880263168,"size":2489757856}}]}"#;
    Server::routes(vec![
        (
            "GET",
            "/props",
            r#"{"default_generation_settings":{"id":0,"id_task":-1,"n_ctx":8192,"speculative":false,"is_processing":false,"params":{"n_predict":-1,"seed":4294967295,"temperature":0.800000011920929}},"total_slots":1,"model_path":"/models/gemma-3-4b-it-Q4_K_M.gguf","chat_template":"{{ bos_token }}","chat_template_caps":{"supports_system_role":true,"supports_tool_calls":false,"supports_tools":false},"modalities":{"vision":true,"audio":false},"build_info":"b5400-1a2b3c4d"}"#.into(),
        ),
        ("GET", "/v1/models", listing.into()),
        ("GET", "/api/tags", listing.into()),
    ])
}

/// vLLM's OpenAI-compatible server: `GET /v1/models`.
pub fn vllm() -> Server {
    Server::routes(vec![(
        "GET",
        "/v1/models",
        r#"{"object":"list","data":[{"id":"Qwen/Qwen2.5-7B-Instruct","object":"model","created":1736503200,"owned_by":"vllm","root":"Qwen/Qwen2.5-7B-Instruct","parent":null,"max_model_len":32768,"permission":[{"id":"modelperm-5e4b2b1f9a3c4d7e","object":"model_permission","created":1736503200,"allow_create_engine":false,"allow_sampling":true,"allow_logprobs":true,"allow_search_indices":false,"allow_view":true,"allow_fine_tuning":false,"organization":"*","group":null,"is_blocking":false}]}]}"#.into(),
    )])
}

/// A project folder with a user directory beside it.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("p/.agents")).unwrap();
        std::fs::create_dir_all(dir.path().join("u")).unwrap();
        Project { dir }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("p")
    }

    pub fn user_dir(&self) -> PathBuf {
        self.dir.path().join("u")
    }

    /// Writes `rel` below the project root.
    pub fn write(&self, rel: &str, text: &str) -> &Project {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// The binary, run in the project with a clean environment: only the
    /// user directory and `vars` are set.
    pub fn cmd(&self, args: &[&str], vars: &[(&str, &str)]) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::cargo_bin("agentc").expect("binary");
        c.current_dir(self.root())
            .env_clear()
            .env("AGENTC_USER_DIR", self.user_dir())
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .args(args);
        for (k, v) in vars {
            c.env(k, v);
        }
        c
    }
}

/// Runs the command and parses its stdout as JSON.
pub fn json_of(cmd: &mut assert_cmd::Command) -> (Option<i32>, serde_json::Value) {
    let out = cmd.output().expect("run agentc");
    let text = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{text}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}
