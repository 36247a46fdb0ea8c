//! Providers as running servers: which ones to probe, and the probe itself.
//! Each probed provider is asked, concurrently and under one deadline, the
//! questions that tell the servers apart (LM Studio's `/api/v0/models`,
//! llama.cpp's `/props`, Ollama's `/api/tags`, the OpenAI-style
//! `/v1/models`); the answers say which server it is and which models it
//! serves, with their loaded state, context length and capabilities where
//! the server tells. One hanging endpoint never holds up the rest.

pub mod answers;
mod http;

use crate::model::config::{BaseUrl, Config, Provider, ProviderKind};
use http::{Failure, Fetched};
use serde::Serialize;
use std::time::Duration;
use tokio::time::Instant;

/// A key read from the environment, sent to a trusted provider that wants
/// one. It has no `Display`, and its `Debug` hides it.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(value: String) -> ApiKey {
        ApiKey(value)
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// One provider to probe.
#[derive(Clone, Debug)]
pub struct ProbeTarget {
    pub id: String,
    pub kind: ProviderKind,
    /// Where every request of the probe goes, as parsed once from the
    /// config.
    pub base_url: BaseUrl,
    pub api_key: Option<ApiKey>,
}

impl ProbeTarget {
    /// The target for `provider`. `env` reads a variable; a key is sent only
    /// to a trusted provider, never to one a project defined and the user
    /// has not trusted.
    /// `None` when the provider has no usable URL.
    pub fn new(provider: &Provider, env: &dyn Fn(&str) -> Option<String>) -> Option<ProbeTarget> {
        let base_url = provider.base_url.clone()?;
        let api_key = provider
            .api_key_env
            .as_deref()
            .filter(|_| provider.trusted)
            .and_then(env)
            .filter(|v| !v.is_empty())
            .map(ApiKey::new);
        Some(ProbeTarget {
            id: provider.id.clone(),
            kind: provider.kind,
            base_url,
            api_key,
        })
    }

    fn is_loopback(&self) -> bool {
        self.base_url.is_loopback()
    }

    /// Asked the identifying questions of local servers, not only the
    /// OpenAI-style listing.
    fn is_local(&self) -> bool {
        self.kind.is_local_server() || self.is_loopback()
    }
}

/// Probed without `--all`: a local server kind, or any provider on this
/// machine. Cloud providers are probed only when asked.
pub fn is_local(provider: &Provider) -> bool {
    provider.kind.is_local_server() || provider.base_url.as_ref().is_some_and(BaseUrl::is_loopback)
}

/// The providers of `config` to probe, in id order: the local ones, or all
/// with `all`; `only` restricts them to the given ids.
pub fn targets(
    config: &Config,
    all: bool,
    only: Option<&[String]>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<ProbeTarget> {
    config
        .providers
        .values()
        .filter(|p| only.is_none_or(|ids| ids.contains(&p.id)))
        .filter(|p| all || is_local(p))
        .filter_map(|p| ProbeTarget::new(p, env))
        .collect()
}

/// How long the probe may take.
#[derive(Clone, Copy, Debug)]
pub struct ProbeOptions {
    /// Per connection attempt: a closed port on this machine answers at
    /// once; a silent host is given up on after this.
    pub connect_timeout: Duration,
    /// The whole probe, every provider and every follow-up request, ends
    /// within this.
    pub deadline: Duration,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            connect_timeout: Duration::from_millis(300),
            deadline: Duration::from_millis(900),
        }
    }
}

/// What the server says of one model; `None` where it does not say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelInfo {
    pub id: String,
    pub loaded: Option<bool>,
    pub context_length: Option<u64>,
    pub vision: Option<bool>,
    pub tools: Option<bool>,
}

impl ModelInfo {
    /// Whether the server says the model lacks `capability` (`vision` or
    /// `tools`; servers say nothing of the others).
    pub fn lacks(&self, capability: &str) -> bool {
        match capability {
            "vision" => self.vision == Some(false),
            "tools" => self.tools == Some(false),
            _ => false,
        }
    }
}

/// The probe of one provider.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProviderProbe {
    pub id: String,
    pub base_url: String,
    /// Something answered at the address.
    pub reachable: bool,
    /// The server, as its answers identify it.
    pub server: Option<String>,
    /// The models it serves, by id; `None` when it gave no listing.
    pub models: Option<Vec<ModelInfo>>,
    /// Why it is unreachable or gave no listing.
    pub error: Option<String>,
}

impl ProviderProbe {
    /// The served model `id` names. Ollama reads a name without a tag as
    /// `name:latest`, and so does this.
    pub fn model(&self, id: &str) -> Option<&ModelInfo> {
        let models = self.models.as_ref()?;
        models.iter().find(|m| m.id == id).or_else(|| {
            (self.server.as_deref() == Some("ollama") && !id.contains(':'))
                .then(|| format!("{id}:latest"))
                .and_then(|tagged| models.iter().find(|m| m.id == tagged))
        })
    }

    fn unreachable(t: &ProbeTarget, error: String) -> ProviderProbe {
        ProviderProbe {
            id: t.id.clone(),
            base_url: t.base_url.to_string(),
            reachable: false,
            server: None,
            models: None,
            error: Some(error),
        }
    }

    fn serving(t: &ProbeTarget, server: ProviderKind, mut models: Vec<ModelInfo>) -> ProviderProbe {
        models.sort_by(|a, b| a.id.cmp(&b.id));
        models.dedup_by(|a, b| a.id == b.id);
        ProviderProbe {
            id: t.id.clone(),
            base_url: t.base_url.to_string(),
            reachable: true,
            server: Some(server.as_str().to_string()),
            models: Some(models),
            error: None,
        }
    }
}

/// Every probed provider, by id.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ProbeReport {
    pub providers: Vec<ProviderProbe>,
}

impl ProbeReport {
    pub fn get(&self, id: &str) -> Option<&ProviderProbe> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// Sorted keys, 2-space indentation, a final newline.
    pub fn to_json(&self) -> String {
        crate::route::plan::to_sorted_json(self)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot start the probe's runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Probes `targets` concurrently; returns within about
/// `options.deadline`, whatever the servers do.
pub fn probe(targets: Vec<ProbeTarget>, options: &ProbeOptions) -> Result<ProbeReport, ProbeError> {
    if targets.is_empty() {
        return Ok(ProbeReport::default());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ProbeError::Runtime)?;
    let result = runtime.block_on(probe_all(targets, *options));
    // A name lookup stuck in the resolver's thread must not hold up the
    // exit: the answers are in.
    runtime.shutdown_background();
    result
}

struct Clients {
    /// For this machine: no proxy, whatever the environment says.
    local: reqwest::Client,
    /// For other hosts: the environment's proxy settings apply.
    remote: reqwest::Client,
}

fn clients(options: &ProbeOptions) -> Result<Clients, ProbeError> {
    let builder = || {
        crate::http::client_builder()
            .connect_timeout(options.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
    };
    let err = |e: reqwest::Error| ProbeError::Client(e.to_string());
    Ok(Clients {
        local: builder().no_proxy().build().map_err(err)?,
        remote: builder().build().map_err(err)?,
    })
}

async fn probe_all(
    targets: Vec<ProbeTarget>,
    options: ProbeOptions,
) -> Result<ProbeReport, ProbeError> {
    let deadline = Instant::now() + options.deadline;
    let clients = clients(&options)?;
    let mut set = tokio::task::JoinSet::new();
    for (i, t) in targets.iter().enumerate() {
        let client = if t.is_loopback() {
            clients.local.clone()
        } else {
            clients.remote.clone()
        };
        let t = t.clone();
        set.spawn(async move { (i, probe_one(client, t, deadline).await) });
    }
    let mut done: Vec<Option<ProviderProbe>> = vec![None; targets.len()];
    // Every request carries the deadline; this margin only guards against a
    // task that somehow does not end with it.
    let guard = deadline + Duration::from_millis(250);
    while let Ok(Some(joined)) = tokio::time::timeout_at(guard, set.join_next()).await {
        if let Ok((i, p)) = joined {
            done[i] = Some(p);
        }
    }
    set.abort_all();
    let mut providers: Vec<ProviderProbe> = done
        .into_iter()
        .zip(&targets)
        .map(|(p, t)| p.unwrap_or_else(|| ProviderProbe::unreachable(t, "timed out".into())))
        .collect();
    providers.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(ProbeReport { providers })
}

/// Adds the key the way the provider's kind expects it.
fn authorize(request: reqwest::RequestBuilder, t: &ProbeTarget) -> reqwest::RequestBuilder {
    let Some(key) = &t.api_key else {
        return request;
    };
    if t.kind == ProviderKind::Anthropic {
        request
            .header("x-api-key", &key.0)
            .header("anthropic-version", "2023-06-01")
    } else {
        request.bearer_auth(&key.0)
    }
}

async fn probe_one(client: reqwest::Client, t: ProbeTarget, deadline: Instant) -> ProviderProbe {
    // Native endpoints live at the server's root, beside `/v1`.
    let root = t.base_url.server_root();
    let get = |url: url::Url| http::fetch(authorize(client.get(url), &t), deadline);
    let listing_url = t.base_url.endpoint("models");
    if !t.is_local() {
        let listing = get(listing_url).await;
        return match listing.json() {
            Some(v) if answers::listing_server(v).is_some() => {
                let models = answers::listing_models(v, ProviderKind::OpenaiCompatible);
                ProviderProbe::serving(&t, t.kind, models)
            }
            _ => no_listing(&t, &[listing]),
        };
    }
    let (v0, props, tags, listing) = tokio::join!(
        get(root.endpoint("api/v0/models")),
        get(root.endpoint("props")),
        get(root.endpoint("api/tags")),
        get(listing_url),
    );
    // llama.cpp answers Ollama's `/api/tags` too, so `/props` is read first.
    if let Some(models) = v0.json().and_then(answers::lm_studio) {
        return ProviderProbe::serving(&t, ProviderKind::LmStudio, models);
    }
    if let Some(p) = props.json().and_then(answers::llama_props) {
        let models = answers::llama_models(&p, listing.json());
        return ProviderProbe::serving(&t, ProviderKind::LlamaCpp, models);
    }
    if let Some(names) = tags.json().and_then(answers::ollama_tags) {
        let models = ollama_details(&client, &t, &root, names, deadline).await;
        return ProviderProbe::serving(&t, ProviderKind::Ollama, models);
    }
    if let Some(v) = listing.json()
        && let Some(server) = answers::listing_server(v)
    {
        return ProviderProbe::serving(&t, server, answers::listing_models(v, server));
    }
    no_listing(&t, &[listing, v0, props, tags])
}

/// The result when no answer was a model listing: reachable if anything
/// answered at all (with what it said), else why nothing did.
fn no_listing(t: &ProbeTarget, fetched: &[Fetched]) -> ProviderProbe {
    if let Some(said) = fetched.iter().find_map(|f| match f {
        Fetched::Answered(s) => Some(s),
        _ => None,
    }) {
        return ProviderProbe {
            id: t.id.clone(),
            base_url: t.base_url.to_string(),
            reachable: true,
            server: None,
            models: None,
            error: Some(format!(
                "no model listing: {said} from {}",
                t.base_url.endpoint("models")
            )),
        };
    }
    let why = fetched
        .iter()
        .find_map(|f| match f {
            Fetched::Failed(why) => Some(why.message()),
            _ => None,
        })
        .unwrap_or_else(|| Failure::Other("no answer".into()).message());
    ProviderProbe::unreachable(t, why)
}

/// Each Ollama model's `/api/show` (capabilities, context length), and
/// `/api/ps` for which are loaded, all at once.
async fn ollama_details(
    client: &reqwest::Client,
    t: &ProbeTarget,
    root: &BaseUrl,
    names: Vec<String>,
    deadline: Instant,
) -> Vec<ModelInfo> {
    let mut set = tokio::task::JoinSet::new();
    for (i, name) in names.iter().enumerate() {
        let request = authorize(
            client
                .post(root.endpoint("api/show"))
                .json(&serde_json::json!({ "model": name })),
            t,
        );
        set.spawn(async move { (i, http::fetch(request, deadline).await) });
    }
    let ps = http::fetch(authorize(client.get(root.endpoint("api/ps")), t), deadline).await;
    let running = ps.json().and_then(answers::ollama_running);
    let mut shows: Vec<Option<serde_json::Value>> = vec![None; names.len()];
    while let Some(joined) = set.join_next().await {
        if let Ok((i, Fetched::Json(v))) = joined {
            shows[i] = Some(v);
        }
    }
    names
        .iter()
        .zip(&shows)
        .map(|(name, show)| answers::ollama_show(name, show.as_ref(), running.as_deref()))
        .collect()
}
