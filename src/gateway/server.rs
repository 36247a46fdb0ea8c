//! The HTTP server: the two doors, recognition, routing, the attempts along
//! a route's fallback chain, and the answer in the client's own format.

use super::event::Event;
use super::recognise::{self, AgentFiles, Matched, Matcher};
use super::translate::{self, Wire};
use crate::exec::run::chat::{self, Failure};
use crate::exec::run::sse;
use crate::exec::run::{Attempt, Target};
use crate::model::agent::Params;
use crate::route::plan::PlanProvider;
use crate::route::router::{Override, Request, Router};
use crate::watch::LivePlan;
use axum::body::{Body, Bytes};
use axum::extract::{Request as HttpRequest, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Limits on what one request may cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body accepted.
    pub max_body: usize,
    /// The most of one answer relayed, streamed or not.
    pub max_answer: usize,
    /// Requests waiting for a provider's `max_concurrency`, per provider.
    pub max_queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 32 * 1024 * 1024,
            max_answer: 64 * 1024 * 1024,
            max_queue: 1024,
        }
    }
}

/// How the gateway runs.
#[derive(Clone, Debug)]
pub struct GatewayOptions {
    pub files: AgentFiles,
    /// The key clients must present (`--key-env`), if any.
    pub client_key: Option<String>,
    pub limits: Limits,
    /// An attempt's time limit when the agent sets no `timeout`.
    pub default_timeout: Duration,
}

type KeySource = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;
type EventSink = Arc<dyn Fn(Event) + Send + Sync>;

/// The gateway over a live plan. Cheap to clone; every clone shares the
/// plan, the connection pools and the concurrency caps.
#[derive(Clone)]
pub struct Gateway {
    shared: Arc<Shared>,
}

struct Shared {
    plans: tokio::sync::watch::Receiver<Arc<LivePlan>>,
    current: Mutex<Option<Arc<Generation>>>,
    options: GatewayOptions,
    keys: KeySource,
    events: EventSink,
    /// Loopback providers are called without a proxy.
    direct: reqwest::Client,
    proxied: reqwest::Client,
    caps: Mutex<HashMap<String, Arc<Cap>>>,
}

/// One plan generation with what requests need of it.
struct Generation {
    number: u64,
    router: Router,
    matcher: Matcher,
}

/// A provider's `max_concurrency`, shared by every client.
struct Cap {
    limit: u32,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A request answered with an error of the gateway's own, in the door's
/// format.
#[derive(Debug)]
struct Refusal {
    status: u16,
    /// The Anthropic error type (`invalid_request_error`, …).
    kind: &'static str,
    /// agentc's code (`untrusted-provider`, …).
    code: String,
    message: String,
}

impl Refusal {
    fn new(status: u16, kind: &'static str, code: &str, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            kind,
            code: code.to_string(),
            message: message.into(),
        }
    }

    fn bad_request(code: &str, message: impl Into<String>) -> Refusal {
        Refusal::new(400, "invalid_request_error", code, message)
    }
}

/// What the client asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    Messages,
    CountTokens,
    Chat,
}

impl Endpoint {
    fn door(self) -> Wire {
        match self {
            Endpoint::Messages | Endpoint::CountTokens => Wire::Anthropic,
            Endpoint::Chat => Wire::OpenAi,
        }
    }
}

fn door_name(w: Wire) -> &'static str {
    match w {
        Wire::Anthropic => "anthropic",
        Wire::OpenAi => "openai",
    }
}

fn wire_of(provider: &PlanProvider) -> Wire {
    if provider.kind == "anthropic" {
        Wire::Anthropic
    } else {
        Wire::OpenAi
    }
}

/// The header naming the agent of a parent session's request.
pub const PARENT_AGENT: &str = "(parent)";

impl Gateway {
    /// A gateway over the plans `plans` publishes; `events` receives one
    /// event per request. Keys are read from the process environment.
    pub fn new(
        plans: tokio::sync::watch::Receiver<Arc<LivePlan>>,
        options: GatewayOptions,
        events: impl Fn(Event) + Send + Sync + 'static,
    ) -> Result<Gateway, String> {
        let build = |direct: bool| {
            let mut b =
                crate::http::client_builder().connect_timeout(crate::exec::run::CONNECT_TIMEOUT);
            if direct {
                b = b.no_proxy();
            }
            b.build()
                .map_err(|e| format!("cannot set up the HTTP client: {e}"))
        };
        Ok(Gateway {
            shared: Arc::new(Shared {
                plans,
                current: Mutex::new(None),
                options,
                keys: Arc::new(|var| std::env::var(var).ok()),
                events: Arc::new(events),
                direct: build(true)?,
                proxied: build(false)?,
                caps: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The HTTP routes, for `axum::serve`.
    pub fn app(&self) -> axum::Router {
        let s = self.shared.clone();
        axum::Router::new()
            .route("/v1/messages", post(messages))
            .route("/messages", post(messages))
            .route("/v1/messages/count_tokens", post(count_tokens))
            .route("/messages/count_tokens", post(count_tokens))
            .route("/v1/chat/completions", post(chat))
            .route("/chat/completions", post(chat))
            .route("/", get(health).head(health))
            .route("/v1/models", get(models))
            .route("/models", get(models))
            .fallback(not_found)
            .with_state(s)
    }

    /// Serves on `listener` until `shutdown` resolves, then lets requests in
    /// flight finish for at most `drain`.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
        drain: Duration,
    ) -> std::io::Result<()> {
        let stop = Arc::new(tokio::sync::Notify::new());
        let stopped = stop.clone();
        use axum::serve::ListenerExt;
        // Streamed events go out as they come, not when Nagle's algorithm
        // decides.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let server = axum::serve(listener, self.app()).with_graceful_shutdown(async move {
            shutdown.await;
            stopped.notify_one();
        });
        let deadline = async move {
            stop.notified().await;
            tokio::time::sleep(drain).await;
        };
        // Each new generation's matcher is built as it comes, not by the
        // first request that needs it.
        let shared = self.shared.clone();
        let mut plans = shared.plans.clone();
        let warm = tokio::spawn(async move {
            loop {
                shared.generation().await;
                if plans.changed().await.is_err() {
                    return;
                }
            }
        });
        let result = tokio::select! {
            r = server => r,
            () = deadline => Ok(()),
        };
        warm.abort();
        result
    }
}

impl Shared {
    /// The current generation, with its matcher built on first use.
    async fn generation(&self) -> Arc<Generation> {
        let live = self.plans.borrow().clone();
        if let Some(g) = self.cached(live.generation) {
            return g;
        }
        // Reading every agent's body is file I/O: off the async workers.
        let files = self.options.files.clone();
        let number = live.generation;
        let built = tokio::task::spawn_blocking(move || Generation {
            number,
            router: Router::new(live.plan.clone()),
            matcher: Matcher::build(&live.plan, &files),
        })
        .await;
        let g = match built {
            Ok(g) => Arc::new(g),
            // The build panicked: keep serving the last generation built.
            Err(_) => match self
                .current
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
            {
                Some(g) => return g,
                None => Arc::new(Generation {
                    number,
                    router: Router::new(self.plans.borrow().plan.clone()),
                    matcher: Matcher::empty(),
                }),
            },
        };
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        // Two requests may have built the same generation; a newer one wins.
        if current.as_ref().is_none_or(|c| c.number <= g.number) {
            *current = Some(g.clone());
        }
        g
    }

    fn cached(&self, number: u64) -> Option<Arc<Generation>> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.as_ref().filter(|g| g.number == number).cloned()
    }

    fn client(&self, provider: &PlanProvider) -> &reqwest::Client {
        let loopback = provider
            .base_url
            .as_ref()
            .is_some_and(crate::model::config::BaseUrl::is_loopback);
        if loopback {
            &self.direct
        } else {
            &self.proxied
        }
    }

    fn cap(&self, provider: &PlanProvider) -> Option<Arc<Cap>> {
        let limit = provider.max_concurrency?;
        let mut caps = self.caps.lock().unwrap_or_else(PoisonError::into_inner);
        match caps.get(&provider.id) {
            Some(c) if c.limit == limit => Some(c.clone()),
            _ => {
                // A changed limit starts a new count; requests holding the
                // old one finish under it.
                let c = Arc::new(Cap {
                    limit,
                    permits: Arc::new(Semaphore::new(usize::try_from(limit).unwrap_or(1).max(1))),
                    waiting: AtomicUsize::new(0),
                });
                caps.insert(provider.id.clone(), c.clone());
                Some(c)
            }
        }
    }

    /// A slot under the provider's `max_concurrency`, waiting in a bounded
    /// queue.
    async fn acquire(
        &self,
        provider: &PlanProvider,
    ) -> Result<Option<OwnedSemaphorePermit>, Refusal> {
        let Some(cap) = self.cap(provider) else {
            return Ok(None);
        };
        if let Ok(p) = cap.permits.clone().try_acquire_owned() {
            return Ok(Some(p));
        }
        let max = self.options.limits.max_queue;
        if cap.waiting.fetch_add(1, Ordering::SeqCst) >= max {
            cap.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Refusal::new(
                529,
                "overloaded_error",
                "queue-full",
                format!(
                    "provider `{}` is at its max_concurrency ({}) with {max} requests waiting",
                    provider.id, cap.limit
                ),
            ));
        }
        let _waiting = Waiting(&cap.waiting);
        Ok(cap.permits.clone().acquire_owned().await.ok())
    }
}

async fn messages(State(s): State<Arc<Shared>>, req: HttpRequest) -> Response {
    serve_request(s, Endpoint::Messages, req).await
}

async fn count_tokens(State(s): State<Arc<Shared>>, req: HttpRequest) -> Response {
    serve_request(s, Endpoint::CountTokens, req).await
}

async fn chat(State(s): State<Arc<Shared>>, req: HttpRequest) -> Response {
    serve_request(s, Endpoint::Chat, req).await
}

/// `GET /` and `HEAD /`: clients (Claude Code among them) check that the
/// base URL answers before they start. Not a request of any agent, so not
/// an event.
async fn health() -> Response {
    respond(
        StatusCode::OK,
        "text/plain; charset=utf-8",
        Body::from("agentc gateway\n"),
        None,
        None,
    )
}

async fn not_found(State(s): State<Arc<Shared>>, req: HttpRequest) -> Response {
    let started = Instant::now();
    let wire = if req.uri().path().contains("chat") {
        Wire::OpenAi
    } else {
        Wire::Anthropic
    };
    let r = Refusal::new(
        404,
        "not_found_error",
        "not-found",
        format!(
            "agentc gateway serves POST /v1/messages, /v1/messages/count_tokens, /v1/chat/completions and GET /v1/models, not {} {}",
            req.method(),
            req.uri().path()
        ),
    );
    let response = refusal_response(wire, &r, None, None);
    let mut ev = Event::new(door_name(wire), req.method().as_str(), req.uri().path());
    ev.status = r.status;
    ev.error = Some((r.code, r.message));
    ev.latency_ms = ms(started);
    (s.events)(ev);
    response
}

/// `GET /v1/models`: every agent as `agentc/<name>`, in a shape both
/// OpenAI's and Anthropic's clients read.
async fn models(State(s): State<Arc<Shared>>, req: HttpRequest) -> Response {
    let started = Instant::now();
    let door = if req.headers().contains_key("anthropic-version") {
        Wire::Anthropic
    } else {
        Wire::OpenAi
    };
    if let Some(key) = &s.options.client_key
        && !presented_key(req.headers()).is_some_and(|k| same_secret(k, key))
    {
        let r = Refusal::new(
            401,
            "authentication_error",
            "gateway-key",
            "the gateway needs its key (`--key-env`) as `x-api-key` or a bearer token",
        );
        let mut ev = Event::new(door_name(door), "GET", req.uri().path());
        ev.status = r.status;
        ev.latency_ms = ms(started);
        let response = refusal_response(door, &r, None, None);
        ev.error = Some((r.code, r.message));
        (s.events)(ev);
        return response;
    }
    let g = s.generation().await;
    let data: Vec<Value> = g
        .router
        .plan()
        .agents
        .iter()
        .map(|a| {
            let id = format!("{}{}", recognise::MODEL_PREFIX, a.name);
            json!({
                "id": id,
                "object": "model",
                "type": "model",
                "created": 0,
                "created_at": "1970-01-01T00:00:00Z",
                "display_name": id,
                "owned_by": "agentc",
                "description": a.description,
            })
        })
        .collect();
    let body = json!({
        "object": "list",
        "first_id": data.first().map(|m| m["id"].clone()),
        "last_id": data.last().map(|m| m["id"].clone()),
        "has_more": false,
        "data": data,
    });
    let mut ev = Event::new(door_name(door), "GET", req.uri().path());
    ev.generation = g.number;
    ev.latency_ms = ms(started);
    (s.events)(ev);
    json_response(StatusCode::OK, &body, None, None)
}

fn json_response(
    status: StatusCode,
    body: &Value,
    agent: Option<&str>,
    route: Option<&Target>,
) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    respond(status, "application/json", Body::from(bytes), agent, route)
}

fn respond(
    status: StatusCode,
    content_type: &str,
    body: Body,
    agent: Option<&str>,
    route: Option<&Target>,
) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert("content-type", v);
    }
    let agent = agent.unwrap_or("-");
    h.insert(
        "x-agentc-agent",
        HeaderValue::from_str(agent).unwrap_or(HeaderValue::from_static("-")),
    );
    let route = route.map_or_else(|| "-".to_string(), Target::to_string);
    h.insert(
        "x-agentc-route",
        HeaderValue::from_str(&route).unwrap_or(HeaderValue::from_static("-")),
    );
    r
}

fn refusal_response(
    door: Wire,
    r: &Refusal,
    agent: Option<&str>,
    route: Option<&Target>,
) -> Response {
    let message = format!("agentc gateway: {} [{}]", r.message, r.code);
    // 529 is Anthropic's "overloaded"; OpenAI's clients know 503.
    let status = if r.status == 529 && door == Wire::OpenAi {
        503
    } else {
        r.status
    };
    let body = translate::error_body(door, status, r.kind, &message);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    json_response(status, &body, agent, route)
}

/// What `handle` produced.
enum Reply {
    /// A complete answer; the caller emits the event.
    Done(Response),
    /// A streamed answer; its pump emits the event when it ends.
    Streaming(Response),
}

async fn serve_request(s: Arc<Shared>, endpoint: Endpoint, req: HttpRequest) -> Response {
    let started = Instant::now();
    let door = endpoint.door();
    let mut pending = PendingEvent {
        ev: Event::new(door_name(door), req.method().as_str(), req.uri().path()),
        sink: s.events.clone(),
        started,
        done: false,
    };
    let result = handle(&s, endpoint, req, started, &mut pending.ev).await;
    pending.done = true;
    let ev = &mut pending.ev;
    match result {
        Ok(Reply::Streaming(r)) => r,
        Ok(Reply::Done(r)) => {
            ev.status = r.status().as_u16();
            ev.latency_ms = ms(started);
            (s.events)(ev.clone());
            r
        }
        Err(refusal) => {
            let r = refusal_response(door, &refusal, header_agent(ev), ev.route.as_ref());
            ev.status = refusal.status;
            ev.error = Some((refusal.code, refusal.message));
            ev.latency_ms = ms(started);
            (s.events)(ev.clone());
            r
        }
    }
}

/// A request's event until it is written. When the client goes away
/// before its answer, the server drops the request's future: the event is
/// written then, so that no request goes unrecorded.
struct PendingEvent {
    ev: Event,
    sink: EventSink,
    started: Instant,
    done: bool,
}

impl Drop for PendingEvent {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut ev = self.ev.clone();
        // nginx's "client closed request": no status was sent.
        ev.status = 499;
        ev.error = Some((
            "client-closed".into(),
            "the client went away before the answer".into(),
        ));
        ev.latency_ms = ms(self.started);
        (self.sink)(ev);
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// What `x-agentc-agent` says: the agent, `(parent)` for the parent
/// session, nothing (`-`) before either was decided.
fn header_agent(ev: &Event) -> Option<&str> {
    match (&ev.agent, ev.matched) {
        (Some(a), _) => Some(a),
        (None, Some(Matched::Parent)) => Some(PARENT_AGENT),
        _ => None,
    }
}

/// The credential a client presented: `x-api-key`, else a bearer token.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
        })
        .map(str::trim)
}

fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Where one request goes: the agent, the chain of routes, its parameters
/// and whether the client's own credentials may go along.
struct Routing {
    chain: Vec<Result<Target, String>>,
    params: Params,
    /// The provider the client's credentials were meant for (the parent's),
    /// when the request goes there.
    credential_provider: Option<String>,
}

// Long: one request from door to answer: refusal, credential rule, the fallback chain and the event share one set of locals.
async fn handle(
    s: &Arc<Shared>,
    endpoint: Endpoint,
    req: HttpRequest,
    started: Instant,
    ev: &mut Event,
) -> Result<Reply, Refusal> {
    let door = endpoint.door();
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    let query = parts.uri.query().map(str::to_string);
    if let Some(key) = &s.options.client_key
        && !presented_key(&headers).is_some_and(|k| same_secret(k, key))
    {
        return Err(Refusal::new(
            401,
            "authentication_error",
            "gateway-key",
            "the gateway needs its key (`--key-env`) as `x-api-key` or a bearer token",
        ));
    }
    let max_body = s.options.limits.max_body;
    let bytes = axum::body::to_bytes(body, max_body).await.map_err(|_| {
        Refusal::new(
            413,
            "request_too_large",
            "body-too-large",
            format!("the request body is larger than the gateway's limit of {max_body} bytes"),
        )
    })?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Refusal::bad_request("invalid-json", format!("the body is not JSON: {e}")))?;
    if !value.is_object() {
        return Err(Refusal::bad_request(
            "invalid-json",
            "the body is not a JSON object",
        ));
    }
    ev.stream =
        endpoint != Endpoint::CountTokens && value.get("stream") == Some(&Value::Bool(true));
    let g = s.generation().await;
    ev.generation = g.number;
    let routing = route(&g, door, &value, ev)?;
    // The client's credentials go nowhere but the parent's provider, and
    // never when they are the gateway's own key.
    let client_credentials = s.options.client_key.is_none();
    let mut last: Option<(Attempt, UpstreamError)> = None;
    let total = routing.chain.len();
    for (i, target) in routing.chain.iter().enumerate() {
        let target = match target {
            Ok(t) => t.clone(),
            Err(model) => {
                return Err(Refusal::new(
                    500,
                    "api_error",
                    "no-route",
                    format!("fallback `{model}` names no provider agentc can call"),
                ));
            }
        };
        ev.route = Some(target.clone());
        let Some(provider) = g.router.provider(&target.provider) else {
            return Err(Refusal::new(
                500,
                "api_error",
                "unknown-provider",
                format!("unknown provider `{}`", target.provider),
            ));
        };
        if !provider.trusted {
            return Err(Refusal::new(
                403,
                "permission_error",
                "untrusted-provider",
                format!(
                    "provider `{}` ({}) is not trusted: the project's config would send `{}` there; review the `[providers.{}]` table, then run `agentc trust`",
                    provider.id,
                    provider.base_url.as_ref().map_or("no URL", |u| u.as_str()),
                    provider.api_key_env.as_deref().unwrap_or("a key"),
                    provider.id
                ),
            ));
        }
        let wire = wire_of(provider);
        if endpoint == Endpoint::CountTokens && wire != Wire::Anthropic {
            // No OpenAI-compatible server counts tokens: an estimate.
            let text = serde_json::to_string(&[
                value.get("system"),
                value.get("messages"),
                value.get("tools"),
            ])
            .unwrap_or_default();
            let estimate = text.len().div_ceil(4);
            ev.attempts.push(ok_attempt(&target, None));
            return Ok(Reply::Done(json_response(
                StatusCode::OK,
                &json!({"input_tokens": estimate}),
                header_agent(ev),
                Some(&target),
            )));
        }
        let forward_client = client_credentials
            && wire == door
            && routing.credential_provider.as_deref() == Some(provider.id.as_str())
            && (headers.contains_key("x-api-key") || headers.contains_key("authorization"));
        let key = if forward_client {
            None
        } else {
            provider_key(s, provider)?
        };
        let upstream_body =
            upstream_body(door, wire, endpoint, &value, &target.model, &routing.params)
                .map_err(|e| Refusal::bad_request("untranslatable", e.message))?;
        let Some(base_url) = provider.base_url.as_ref() else {
            return Err(Refusal::new(
                500,
                "api_error",
                "no-route",
                format!("provider `{}` has no usable `base_url`", provider.id),
            ));
        };
        let url = upstream_url(
            base_url,
            wire,
            endpoint,
            if wire == door { query.as_deref() } else { None },
        );
        let mut rb = s
            .client(provider)
            .post(url)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&upstream_body).unwrap_or_default());
        if wire == Wire::Anthropic {
            let version = if door == Wire::Anthropic {
                headers.get("anthropic-version").cloned()
            } else {
                None
            };
            rb = rb.header(
                "anthropic-version",
                version.unwrap_or(HeaderValue::from_static("2023-06-01")),
            );
            if door == Wire::Anthropic
                && let Some(beta) = headers.get("anthropic-beta")
            {
                rb = rb.header("anthropic-beta", beta.clone());
            }
        }
        if forward_client {
            for name in ["x-api-key", "authorization"] {
                if let Some(v) = headers.get(name) {
                    let mut v = v.clone();
                    v.set_sensitive(true);
                    rb = rb.header(name, v);
                }
            }
        } else if let Some(key) = key {
            let (name, value) = match wire {
                Wire::Anthropic => ("x-api-key", key),
                Wire::OpenAi => ("authorization", format!("Bearer {key}")),
            };
            if let Ok(mut v) = HeaderValue::from_str(&value) {
                v.set_sensitive(true);
                rb = rb.header(name, v);
            }
        }
        if ev.stream {
            rb = rb.header("accept", "text/event-stream");
        }
        let permit = s.acquire(provider).await?;
        let timeout = routing
            .params
            .timeout_ms
            .map_or(s.options.default_timeout, Duration::from_millis);
        let deadline = tokio::time::Instant::now() + timeout;
        let sent = tokio::time::timeout_at(deadline, rb.send()).await;
        let failure = match sent {
            Err(_) => UpstreamError::Failure(Failure::Timeout(
                u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            )),
            Ok(Err(e)) => UpstreamError::Failure(Failure::Connect(chat::cause(&e))),
            Ok(Ok(resp)) if resp.status().is_success() => {
                ev.attempts
                    .push(ok_attempt(&target, Some(resp.status().as_u16())));
                let include_usage =
                    value.pointer("/stream_options/include_usage") == Some(&Value::Bool(true));
                match answer(
                    s,
                    door,
                    wire,
                    resp,
                    permit,
                    deadline,
                    started,
                    ev,
                    &target,
                    include_usage,
                )
                .await
                {
                    Ok(reply) => return Ok(reply),
                    Err(AnswerEnd::Refused(r)) => return Err(r),
                    // Nothing reached the client: the next route may answer.
                    Err(AnswerEnd::Unavailable(f)) => {
                        ev.attempts.pop();
                        ev.first_byte_ms = None;
                        ev.usage = None;
                        UpstreamError::Failure(f)
                    }
                }
            }
            Ok(Ok(resp)) => {
                let status = resp.status().as_u16();
                let content_type = resp
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("application/json")
                    .to_string();
                let retry_after = resp.headers().get("retry-after").cloned();
                let body = chat::read_limited(resp, 64 * 1024)
                    .await
                    .unwrap_or_default();
                UpstreamError::Status {
                    status,
                    message: chat::server_message(&body),
                    body,
                    content_type,
                    retry_after,
                }
            }
        };
        let attempt = Attempt {
            provider: target.provider.clone(),
            model: target.model.clone(),
            ok: false,
            http_status: failure.status(),
            error: Some(failure.message()),
        };
        ev.attempts.push(attempt.clone());
        let unavailable = failure.is_unavailable();
        last = Some((attempt, failure));
        if !unavailable || i + 1 == total {
            break;
        }
    }
    let Some((_, failure)) = last else {
        return Err(Refusal::new(
            500,
            "api_error",
            "no-route",
            "the request has no route",
        ));
    };
    match failure {
        // The last route's own answer, as it gave it.
        UpstreamError::Status {
            status,
            message,
            body,
            content_type,
            retry_after,
        } => {
            let wire = ev
                .route
                .as_ref()
                .and_then(|t| g.router.provider(&t.provider))
                .map_or(door, wire_of);
            ev.error = Some(("upstream-error".into(), format!("HTTP {status}: {message}")));
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut response = if wire == door {
                respond(
                    code,
                    &content_type,
                    Body::from(body),
                    header_agent(ev),
                    ev.route.as_ref(),
                )
            } else {
                let upstream: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                json_response(
                    code,
                    &translate::translate_error_body(door, status, &upstream),
                    header_agent(ev),
                    ev.route.as_ref(),
                )
            };
            // The client's own back-off reads it.
            if let Some(v) = retry_after {
                response.headers_mut().insert("retry-after", v);
            }
            Ok(Reply::Done(response))
        }
        UpstreamError::Failure(_) => {
            let who = ev.agent.as_deref().unwrap_or("the parent session");
            Err(Refusal::new(
                503,
                "api_error",
                "unavailable",
                crate::exec::run::unavailable_message(who, &ev.attempts),
            ))
        }
    }
}

enum UpstreamError {
    Failure(Failure),
    Status {
        status: u16,
        message: String,
        body: Vec<u8>,
        content_type: String,
        retry_after: Option<HeaderValue>,
    },
}

impl UpstreamError {
    fn is_unavailable(&self) -> bool {
        match self {
            UpstreamError::Failure(f) => f.is_unavailable(false),
            UpstreamError::Status { status, .. } => *status == 429 || (500..600).contains(status),
        }
    }

    fn status(&self) -> Option<u16> {
        match self {
            UpstreamError::Failure(f) => f.http_status(),
            UpstreamError::Status { status, .. } => Some(*status),
        }
    }

    fn message(&self) -> String {
        match self {
            UpstreamError::Failure(f) => f.message(),
            UpstreamError::Status {
                status, message, ..
            } => Failure::Status(*status, message.clone()).message(),
        }
    }
}

fn ok_attempt(target: &Target, status: Option<u16>) -> Attempt {
    Attempt {
        provider: target.provider.clone(),
        model: target.model.clone(),
        ok: true,
        http_status: status,
        error: None,
    }
}

/// The provider's key from its `api_key_env`, if it names one.
fn provider_key(s: &Shared, provider: &PlanProvider) -> Result<Option<String>, Refusal> {
    let Some(var) = &provider.api_key_env else {
        return Ok(None);
    };
    match (s.keys)(var)
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
    {
        Some(k) if chat::header_safe(&k) => Ok(Some(k)),
        Some(_) => Err(Refusal::new(
            401,
            "authentication_error",
            "missing-credential",
            format!(
                "`{var}` is set but holds characters an HTTP header cannot carry: provider `{}` needs a usable API key",
                provider.id
            ),
        )),
        None => Err(Refusal::new(
            401,
            "authentication_error",
            "missing-credential",
            format!(
                "`{var}` is not set: provider `{}` needs its API key (export {var}=… where the gateway runs)",
                provider.id
            ),
        )),
    }
}

/// Decides the agent and its chain of routes, filling the event's
/// `agent`, `matched`, `ignored_model` and `planned`.
// Long: agent, route and fallback chain decided together, as `agentc run` does.
fn route(g: &Generation, door: Wire, value: &Value, ev: &mut Event) -> Result<Routing, Refusal> {
    let router = &g.router;
    let plan = router.plan();
    let client_model = value
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim();
    let known = || {
        let names: Vec<String> = plan
            .agents
            .iter()
            .map(|a| format!("{}{}", recognise::MODEL_PREFIX, a.name))
            .collect();
        if names.is_empty() {
            "the plan has no agents".to_string()
        } else {
            format!("known agents: {}", names.join(", "))
        }
    };
    let agent = if let Some(name) = client_model.strip_prefix(recognise::MODEL_PREFIX) {
        if plan.agent(name).is_none() {
            return Err(Refusal::new(
                404,
                "not_found_error",
                "unknown-agent",
                format!("unknown agent `{name}`; {}", known()),
            ));
        }
        ev.matched = Some(Matched::Model);
        Some(name.to_string())
    } else if let Some(name) = g.matcher.find(recognise::system_texts(value).into_iter()) {
        ev.matched = Some(Matched::SystemPrompt);
        Some(name.to_string())
    } else {
        ev.matched = Some(Matched::Parent);
        None
    };
    ev.agent.clone_from(&agent);
    let parent = || parent_target(router, door, client_model, &known);
    let Some(agent) = agent else {
        let target = parent()?;
        ev.planned = Some(target.clone());
        return Ok(Routing {
            credential_provider: Some(target.provider.clone()),
            chain: vec![Ok(target)],
            params: Params::default(),
        });
    };
    // A `call` layer only from an agentc model reference.
    let call = if ev.matched != Some(Matched::Model) && router.target(client_model).is_some() {
        Some(client_model)
    } else {
        if ev.matched != Some(Matched::Model) && !client_model.is_empty() {
            ev.ignored_model = Some(client_model.to_string());
        }
        None
    };
    let parent_target = parent().ok();
    let parent_text = parent_target.as_ref().map(Target::to_string);
    let request = Request {
        agent: &agent,
        parent: parent_text.as_deref(),
        call: Override {
            provider: None,
            model: call,
        },
        task: Override::default(),
    };
    let resolved = router.resolve(&request).map_err(|d| {
        let first = d.first();
        let code = first.map_or("no-route", |d| d.rule.code());
        let mut message = first.map_or_else(
            || "the route cannot be resolved".into(),
            |d| d.message.clone(),
        );
        if let Some(help) = first.and_then(|d| d.help.as_deref()) {
            message.push_str(&format!(" ({help})"));
        }
        if code == "override-not-allowed" {
            Refusal::new(403, "permission_error", code, message)
        } else {
            Refusal::bad_request(code, message)
        }
    })?;
    let params = resolved.agent.params.clone();
    let planned = match (resolved.provider, resolved.model) {
        (Some(p), Some(m)) => {
            let mut t = Target::new(p, m);
            // Claude Code's `model: sonnet` is its own shorthand, which it
            // resolves before sending: the id it sent is the one to use.
            let kind = router.provider(p).map(|p| p.kind.as_str());
            if kind == Some("anthropic")
                && CLAUDE_SHORTHANDS.contains(&m)
                && door == Wire::Anthropic
                && !client_model.is_empty()
            {
                t.model = client_model.to_string();
            }
            t
        }
        _ if resolved.inherit => parent()?,
        (p, m) => {
            return Err(Refusal::bad_request(
                "no-route",
                format!(
                    "`{agent}` names no provider and model that agentc can call ({})",
                    crate::model::resolve::route_text(p, m)
                ),
            ));
        }
    };
    ev.planned = Some(planned.clone());
    let mut chain = vec![Ok(planned)];
    chain.extend(resolved.fallbacks.iter().map(|f| match &f.provider {
        Some(p) => Ok(Target::new(p, &f.model)),
        None => Err(f.model.clone()),
    }));
    // `on_unavailable = "fallback"`: the parent session's route, once, when
    // the chain is exhausted (as `agentc run` does).
    if plan.policy.on_unavailable == "fallback"
        && let Some(p) = &parent_target
        && !chain.iter().any(|t| t.as_ref() == Ok(p))
    {
        chain.push(Ok(p.clone()));
    }
    Ok(Routing {
        chain,
        params,
        // The client's credentials were meant for the parent's provider:
        // they may go there, whoever's request it is, and nowhere else.
        credential_provider: parent_target.map(|t| t.provider),
    })
}

/// The model names Claude Code's agent files use for its own tiers.
const CLAUDE_SHORTHANDS: &[&str] = &["sonnet", "opus", "haiku", "fable"];

/// The parent session's route: `[gateway] parent`, else `anthropic` with
/// the client's model for the Anthropic door.
fn parent_target(
    router: &Router,
    door: Wire,
    client_model: &str,
    known: &dyn Fn() -> String,
) -> Result<Target, Refusal> {
    let with_client_model = |provider: &str| {
        if client_model.is_empty() {
            let p = router.provider(provider);
            match p.and_then(|p| p.default_model.clone()) {
                Some(m) => Ok(Target::new(provider, &m)),
                None => Err(Refusal::bad_request(
                    "missing-model",
                    "the request names no model and the parent provider has no `default_model`",
                )),
            }
        } else {
            Ok(Target::new(provider, client_model))
        }
    };
    match router.plan().gateway.parent.as_deref() {
        Some(p) if router.provider(p).is_some() => with_client_model(p),
        Some(p) => match router.target(p) {
            Some((provider, model)) => Ok(Target::new(provider, model)),
            None => Err(Refusal::new(
                500,
                "api_error",
                "gateway-parent",
                format!(
                    "`[gateway] parent = \"{p}\"` names no provider and no `provider/model` or alias"
                ),
            )),
        },
        None if door == Wire::Anthropic => with_client_model("anthropic"),
        None => Err(Refusal::bad_request(
            "no-parent",
            format!(
                "this request matches no agent, and `[gateway] parent` is not set: set it in agentc.toml, or ask for an agent by model ({})",
                known()
            ),
        )),
    }
}

fn upstream_url(
    base: &crate::model::config::BaseUrl,
    wire: Wire,
    endpoint: Endpoint,
    query: Option<&str>,
) -> url::Url {
    let path = match (wire, endpoint) {
        (Wire::Anthropic, Endpoint::CountTokens) => "messages/count_tokens",
        (Wire::Anthropic, _) => "messages",
        (Wire::OpenAi, _) => "chat/completions",
    };
    let mut url = base.endpoint(path);
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        url.set_query(Some(q));
    }
    url
}

/// The body sent upstream: the client's, translated when the formats
/// differ, with the route's model and the plan's parameters.
fn upstream_body(
    door: Wire,
    wire: Wire,
    endpoint: Endpoint,
    value: &Value,
    model: &str,
    params: &Params,
) -> Result<Value, translate::TranslateError> {
    let mut body = match (door, wire) {
        (Wire::Anthropic, Wire::OpenAi) => translate::messages_to_chat(value)?,
        (Wire::OpenAi, Wire::Anthropic) => translate::chat_to_messages(value)?,
        _ => value.clone(),
    };
    let Some(obj) = body.as_object_mut() else {
        return Ok(body);
    };
    obj.insert("model".into(), Value::String(model.to_string()));
    if endpoint == Endpoint::CountTokens {
        return Ok(body);
    }
    if let Some(t) = params.temperature {
        obj.insert("temperature".into(), json!(t));
    }
    if let Some(t) = params.top_p {
        obj.insert("top_p".into(), json!(t));
    }
    if let Some(n) = params.max_tokens {
        let key = if wire == Wire::OpenAi && obj.contains_key("max_completion_tokens") {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        obj.insert(key.into(), json!(n));
    }
    // Last: on Anthropic it may turn thinking on and drop what thinking
    // does not allow.
    if let Some(e) = &params.reasoning_effort {
        translate::apply_reasoning_effort(wire, &mut body, e);
    }
    Ok(body)
}

fn merge_usage(usage: &mut Option<Value>, found: &Value) {
    let Some(found) = found.as_object() else {
        return;
    };
    let into = usage.get_or_insert_with(|| json!({}));
    if let Some(into) = into.as_object_mut() {
        for (k, v) in found {
            if !v.is_null() {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Usage in a response or a stream event, either format.
fn see_usage(usage: &mut Option<Value>, v: &Value) {
    if let Some(u) = v.get("usage") {
        merge_usage(usage, u);
    }
    if let Some(u) = v.pointer("/message/usage") {
        merge_usage(usage, u);
    }
}

/// A 2xx from upstream: relayed (and translated) to the client. From here
/// on no fallback is tried.
#[allow(clippy::too_many_arguments)]
// Long: the first upstream piece decides fallback, then one relay loop per wire format.
async fn answer(
    s: &Arc<Shared>,
    door: Wire,
    wire: Wire,
    resp: reqwest::Response,
    permit: Option<OwnedSemaphorePermit>,
    deadline: tokio::time::Instant,
    started: Instant,
    ev: &mut Event,
    target: &Target,
    include_usage: bool,
) -> Result<Reply, AnswerEnd> {
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let streamed = content_type.starts_with("text/event-stream");
    let max_answer = s.options.limits.max_answer;
    if !streamed {
        let read = tokio::time::timeout_at(deadline, chat::read_limited(resp, max_answer)).await;
        drop(permit);
        let body = match read {
            Ok(Ok(b)) => b,
            Ok(Err(f @ Failure::Connect(_))) => return Err(AnswerEnd::Unavailable(f)),
            Ok(Err(f)) => {
                return Err(AnswerEnd::Refused(Refusal::new(
                    502,
                    "api_error",
                    "invalid-response",
                    f.message(),
                )));
            }
            Err(_) => {
                return Err(AnswerEnd::Unavailable(Failure::Timeout(timeout_ms(
                    deadline, started,
                ))));
            }
        };
        let parsed: Option<Value> = serde_json::from_slice(&body).ok();
        if let Some(v) = &parsed {
            see_usage(&mut ev.usage, v);
        }
        ev.first_byte_ms = Some(ms(started));
        if wire == door && !ev.stream {
            return Ok(Reply::Done(respond(
                StatusCode::OK,
                &content_type,
                Body::from(body),
                header_agent(ev),
                Some(target),
            )));
        }
        let v = parsed.ok_or_else(|| {
            AnswerEnd::Refused(Refusal::new(
                502,
                "api_error",
                "invalid-response",
                "the provider's answer is not JSON",
            ))
        })?;
        let out = match (door, wire) {
            (Wire::Anthropic, Wire::OpenAi) => {
                translate::chat_response_to_messages(&v, &target.model)
            }
            (Wire::OpenAi, Wire::Anthropic) => {
                translate::messages_response_to_chat(&v, &target.model)
            }
            _ => Ok(v),
        }
        .map_err(|e| {
            AnswerEnd::Refused(Refusal::new(502, "api_error", "untranslatable", e.message))
        })?;
        if ev.stream {
            // The provider answered in one piece although a stream was
            // asked for: the client still gets the stream it reads.
            return Ok(Reply::Done(respond(
                StatusCode::OK,
                "text/event-stream",
                Body::from(as_event_stream(door, &out)),
                header_agent(ev),
                Some(target),
            )));
        }
        return Ok(Reply::Done(json_response(
            StatusCode::OK,
            &out,
            header_agent(ev),
            Some(target),
        )));
    }
    // The first piece decides: until it has come, the next route may still
    // answer instead.
    let mut upstream = resp.bytes_stream();
    let first = match tokio::time::timeout_at(deadline, upstream.next()).await {
        Ok(Some(Ok(bytes))) => bytes,
        Ok(Some(Err(e))) => return Err(AnswerEnd::Unavailable(Failure::Connect(chat::cause(&e)))),
        Ok(None) => {
            return Err(AnswerEnd::Unavailable(Failure::Connect(
                "the stream ended before its first event".into(),
            )));
        }
        Err(_) => {
            return Err(AnswerEnd::Unavailable(Failure::Timeout(timeout_ms(
                deadline, started,
            ))));
        }
    };
    let mut upstream = Box::pin(futures_util::stream::iter([Ok(first)]).chain(upstream));
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let mut conv = Converter::new(door, wire, &target.model, include_usage);
    let agent = header_agent(ev).map(str::to_string);
    let mut ev = ev.clone();
    let events = s.events.clone();
    tokio::spawn(async move {
        let _permit = permit;
        let mut decoder = sse::Decoder::new();
        let mut relayed = 0usize;
        let fail = |ev: &mut Event, conv: &mut Converter, code: &str, m: String| {
            if ev.error.is_none() {
                ev.error = Some((code.to_string(), m.clone()));
            }
            (conv.abort(door, &m), true)
        };
        loop {
            // A client that went away stops the upstream request at once,
            // not when the next piece comes.
            let next = tokio::select! {
                next = tokio::time::timeout_at(deadline, upstream.next()) => next,
                () = tx.closed() => {
                    ev.error = Some((
                        "client-closed".into(),
                        "the client went away before the answer ended".into(),
                    ));
                    break;
                }
            };
            let (out, end) = match next {
                Ok(Some(Ok(bytes))) => match decoder.feed(&bytes) {
                    Ok(datas) => (conv.feed(bytes, &datas, &mut ev.usage), false),
                    Err(_) => fail(
                        &mut ev,
                        &mut conv,
                        "invalid-response",
                        "an event line longer than 8 MiB".into(),
                    ),
                },
                Ok(Some(Err(e))) => fail(
                    &mut ev,
                    &mut conv,
                    "interrupted",
                    format!("the answer broke off: {}", chat::cause(&e)),
                ),
                Ok(None) => {
                    let rest: Vec<String> = decoder.finish().into_iter().collect();
                    let mut out = conv.feed(Bytes::new(), &rest, &mut ev.usage);
                    out.extend(conv.finish());
                    (out, true)
                }
                Err(_) => fail(
                    &mut ev,
                    &mut conv,
                    "timeout",
                    "the answer did not end in time".into(),
                ),
            };
            let (out, end) = if relayed + out.len() > max_answer {
                fail(
                    &mut ev,
                    &mut conv,
                    "answer-too-large",
                    format!("the answer is larger than the gateway's limit of {max_answer} bytes"),
                )
            } else {
                (out, end)
            };
            if !out.is_empty() {
                relayed += out.len();
                if ev.first_byte_ms.is_none() {
                    ev.first_byte_ms = Some(ms(started));
                }
                if tx.send(Ok(Bytes::from(out))).await.is_err() {
                    if ev.error.is_none() {
                        ev.error = Some((
                            "client-closed".into(),
                            "the client went away before the answer ended".into(),
                        ));
                    }
                    break;
                }
            }
            if end {
                break;
            }
        }
        drop(tx);
        ev.latency_ms = ms(started);
        events(ev);
    });
    let body = Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }));
    Ok(Reply::Streaming(respond(
        StatusCode::OK,
        "text/event-stream",
        body,
        agent.as_deref(),
        Some(target),
    )))
}

/// A whole answer in the door's format, as the events of a stream.
fn as_event_stream(door: Wire, v: &Value) -> Vec<u8> {
    let mut out = String::new();
    let mut push = |event: Option<&str>, data: &Value| {
        if let Some(e) = event {
            out.push_str(&format!("event: {e}\n"));
        }
        out.push_str(&format!("data: {data}\n\n"));
    };
    match door {
        Wire::OpenAi => {
            let choice = v.pointer("/choices/0").cloned().unwrap_or(Value::Null);
            let message = choice.get("message").cloned().unwrap_or(json!({}));
            let mut delta = json!({"role": "assistant"});
            if let Some(c) = message.get("content").filter(|c| !c.is_null()) {
                delta["content"] = c.clone();
            }
            if let Some(calls) = message.get("tool_calls").and_then(Value::as_array) {
                let calls: Vec<Value> = calls
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let mut c = c.clone();
                        c["index"] = json!(i);
                        c
                    })
                    .collect();
                delta["tool_calls"] = json!(calls);
            }
            let chunk = |choices: Value| {
                json!({"id": v.get("id"), "object": "chat.completion.chunk",
                    "created": v.get("created"), "model": v.get("model"), "choices": choices})
            };
            push(
                None,
                &chunk(json!([{"index": 0, "delta": delta, "finish_reason": null}])),
            );
            push(
                None,
                &chunk(
                    json!([{"index": 0, "delta": {}, "finish_reason": choice.get("finish_reason")}]),
                ),
            );
            if let Some(u) = v.get("usage").filter(|u| !u.is_null()) {
                let mut last = chunk(json!([]));
                last["usage"] = u.clone();
                push(None, &last);
            }
            out.push_str("data: [DONE]\n\n");
        }
        Wire::Anthropic => {
            let mut start = v.clone();
            start["content"] = json!([]);
            start["stop_reason"] = Value::Null;
            start["stop_sequence"] = Value::Null;
            push(
                Some("message_start"),
                &json!({"type": "message_start", "message": start}),
            );
            let blocks = v
                .get("content")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (i, b) in blocks.iter().enumerate() {
                let kind = b.get("type").and_then(Value::as_str).unwrap_or("");
                let (first, delta) = match kind {
                    "text" => (
                        json!({"type": "text", "text": ""}),
                        Some(json!({"type": "text_delta", "text": b.get("text")})),
                    ),
                    "tool_use" => (
                        json!({"type": "tool_use", "id": b.get("id"), "name": b.get("name"), "input": {}}),
                        Some(json!({"type": "input_json_delta",
                            "partial_json": b.get("input").map_or_else(|| "{}".to_string(), Value::to_string)})),
                    ),
                    "thinking" => (
                        json!({"type": "thinking", "thinking": ""}),
                        Some(json!({"type": "thinking_delta", "thinking": b.get("thinking")})),
                    ),
                    _ => (b.clone(), None),
                };
                push(
                    Some("content_block_start"),
                    &json!({"type": "content_block_start", "index": i, "content_block": first}),
                );
                if let Some(d) = delta {
                    push(
                        Some("content_block_delta"),
                        &json!({"type": "content_block_delta", "index": i, "delta": d}),
                    );
                }
                if kind == "thinking"
                    && let Some(sig) = b.get("signature")
                {
                    push(
                        Some("content_block_delta"),
                        &json!({"type": "content_block_delta", "index": i,
                            "delta": {"type": "signature_delta", "signature": sig}}),
                    );
                }
                push(
                    Some("content_block_stop"),
                    &json!({"type": "content_block_stop", "index": i}),
                );
            }
            push(
                Some("message_delta"),
                &json!({"type": "message_delta",
                    "delta": {"stop_reason": v.get("stop_reason"), "stop_sequence": v.get("stop_sequence")},
                    "usage": {"output_tokens": v.pointer("/usage/output_tokens")}}),
            );
            push(Some("message_stop"), &json!({"type": "message_stop"}));
        }
    }
    out.into_bytes()
}

/// Why a 2xx did not become an answer.
enum AnswerEnd {
    /// Refused with an error of the gateway's own.
    Refused(Refusal),
    /// Broke before anything reached the client: the chain goes on.
    Unavailable(Failure),
}

impl From<Refusal> for AnswerEnd {
    fn from(r: Refusal) -> AnswerEnd {
        AnswerEnd::Refused(r)
    }
}

/// An attempt's time limit in milliseconds, from its deadline.
fn timeout_ms(deadline: tokio::time::Instant, started: Instant) -> u64 {
    let total = deadline.into_std().saturating_duration_since(started);
    u64::try_from(total.as_millis()).unwrap_or(u64::MAX)
}

/// A stream relayed as it is, or translated event by event.
enum Converter {
    Pass,
    ToMessages(translate::ChatStreamToMessages),
    ToChat(translate::MessagesStreamToChat),
}

impl Converter {
    fn new(door: Wire, wire: Wire, model: &str, include_usage: bool) -> Converter {
        match (door, wire) {
            (Wire::Anthropic, Wire::OpenAi) => {
                Converter::ToMessages(translate::ChatStreamToMessages::new(model))
            }
            (Wire::OpenAi, Wire::Anthropic) => Converter::ToChat(
                translate::MessagesStreamToChat::new(model).include_usage(include_usage),
            ),
            _ => Converter::Pass,
        }
    }

    /// The bytes to relay for `bytes`, whose complete events are `datas`.
    fn feed(&mut self, bytes: Bytes, datas: &[String], usage: &mut Option<Value>) -> Vec<u8> {
        let parse = |d: &str| serde_json::from_str::<Value>(d).ok();
        match self {
            Converter::Pass => {
                for d in datas.iter().filter(|d| d.contains("\"usage\"")) {
                    if let Some(v) = parse(d) {
                        see_usage(usage, &v);
                    }
                }
                bytes.to_vec()
            }
            Converter::ToMessages(c) => {
                let mut out = Vec::new();
                for d in datas {
                    if d.trim() == "[DONE]" {
                        continue;
                    }
                    if let Some(v) = parse(d) {
                        see_usage(usage, &v);
                        for e in c.push(&v) {
                            out.extend(e.to_bytes());
                        }
                    }
                }
                out
            }
            Converter::ToChat(c) => {
                let mut out = Vec::new();
                for d in datas {
                    if let Some(v) = parse(d) {
                        see_usage(usage, &v);
                        let event = v
                            .get("type")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string();
                        for e in c.push(&event, &v) {
                            out.extend(e.to_bytes());
                        }
                    }
                }
                out
            }
        }
    }

    /// The answer broke off: an error event in the client's format, so
    /// that it does not take a cut answer for a whole one.
    fn abort(&mut self, door: Wire, message: &str) -> Vec<u8> {
        let events = match self {
            Converter::Pass => {
                let body = translate::error_body(door, 502, "api_error", message);
                return match door {
                    Wire::Anthropic => format!("event: error\ndata: {body}\n\n").into_bytes(),
                    Wire::OpenAi => format!("data: {body}\n\n").into_bytes(),
                };
            }
            Converter::ToMessages(c) => c.abort(message),
            Converter::ToChat(c) => c.abort(message),
        };
        events.iter().flat_map(|e| e.to_bytes()).collect()
    }

    fn finish(&mut self) -> Vec<u8> {
        let events = match self {
            Converter::Pass => return Vec::new(),
            Converter::ToMessages(c) => c.finish(),
            Converter::ToChat(c) => c.finish(),
        };
        events.iter().flat_map(|e| e.to_bytes()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_parameters_win_over_the_client() {
        let params = Params {
            temperature: Some(0.2),
            max_tokens: Some(100),
            reasoning_effort: Some("low".into()),
            ..Params::default()
        };
        let client =
            json!({"model": "x", "temperature": 1.0, "max_completion_tokens": 9, "messages": []});
        let b = upstream_body(
            Wire::OpenAi,
            Wire::OpenAi,
            Endpoint::Chat,
            &client,
            "qwen",
            &params,
        )
        .unwrap();
        assert_eq!(
            b,
            json!({"model": "qwen", "temperature": 0.2, "max_completion_tokens": 100, "reasoning_effort": "low", "messages": []})
        );
        let a = json!({"model": "claude", "max_tokens": 64000, "messages": []});
        let b = upstream_body(
            Wire::Anthropic,
            Wire::Anthropic,
            Endpoint::Messages,
            &a,
            "m",
            &params,
        )
        .unwrap();
        // On Anthropic the effort turns thinking on, which takes its budget
        // on top of `max_tokens` and leaves `temperature` out.
        assert_eq!(
            b,
            json!({"model": "m", "max_tokens": 1124, "thinking": {"type": "enabled", "budget_tokens": 1024}, "messages": []})
        );
        let no_effort = Params {
            reasoning_effort: None,
            ..params
        };
        let b = upstream_body(
            Wire::Anthropic,
            Wire::Anthropic,
            Endpoint::Messages,
            &a,
            "m",
            &no_effort,
        )
        .unwrap();
        assert_eq!(
            b,
            json!({"model": "m", "max_tokens": 100, "temperature": 0.2, "messages": []})
        );
    }

    #[test]
    fn usage_merges_across_stream_events() {
        let mut u = None;
        see_usage(
            &mut u,
            &json!({"type": "message_start", "message": {"usage": {"input_tokens": 5, "output_tokens": 1}}}),
        );
        see_usage(
            &mut u,
            &json!({"type": "message_delta", "usage": {"output_tokens": 7}}),
        );
        assert_eq!(u, Some(json!({"input_tokens": 5, "output_tokens": 7})));
    }

    #[test]
    fn only_the_gateway_key_is_accepted() {
        let mut h = HeaderMap::new();
        h.insert("authorization", HeaderValue::from_static("Bearer abc"));
        assert_eq!(presented_key(&h), Some("abc"));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
