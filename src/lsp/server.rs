//! The protocol loop: initialisation, document sync, the debounce, and
//! publishing diagnostics.
//!
//! Everything runs on one thread, in message order. An edit updates the
//! buffer at once and schedules an analysis `debounce` later; edits that
//! come sooner push it back. Hover and completion read the last analysis
//! and the buffer as it is, so they never wait for one; code actions,
//! definitions and references run the pending analysis first, since they
//! act on exact spans.

use super::features;
use super::probe::ProbeCache;
pub use super::state::{Doc, State, path_uri, to_lsp, uri_path};
use super::text::{self, Encoding};
use crate::discover::Env;
use crate::watch::{Change, Layout, LiveProject, LiveSettings};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How the server is started (`agentc lsp` flags; the client's
/// `initializationOptions` may change `debounce`, `probe` and `rules_url`).
#[derive(Clone, Debug)]
pub struct Options {
    /// `--project`: the project root; else found from the workspace folder.
    pub project_root: Option<PathBuf>,
    pub read_user: bool,
    /// Quiet time after an edit before it is analysed.
    pub debounce: Duration,
    /// Probe local servers in the background for the models they serve.
    pub probe: bool,
    /// Where `codeDescription` links point (`#code` is appended).
    pub rules_url: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            project_root: None,
            read_user: true,
            debounce: DEFAULT_DEBOUNCE,
            probe: true,
            rules_url: super::RULES_URL.to_string(),
        }
    }
}

/// Long enough to let a burst of keystrokes through as one analysis,
/// short enough to feel immediate.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(50);

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("language server protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("the client went away")]
    Disconnected,
}

struct Server {
    conn: Connection,
    state: State,
    debounce: Duration,
    dirty: BTreeSet<PathBuf>,
    deadline: Option<Instant>,
    /// A hash of what was last published for each file with findings.
    published: HashMap<PathBuf, u64>,
    next_request: i32,
}

/// Runs the server on `conn` until the client shuts it down.
pub fn serve(conn: Connection, mut options: Options, env: Env) -> Result<(), ServeError> {
    let (id, params) = conn.initialize_start()?;
    let params: lsp::InitializeParams = serde_json::from_value(params).unwrap_or_default();
    if let Some(o) = &params.initialization_options {
        if let Some(ms) = o.get("debounceMs").and_then(Value::as_u64) {
            options.debounce = Duration::from_millis(ms);
        }
        if let Some(p) = o.get("probe").and_then(Value::as_bool) {
            options.probe = p;
        }
        if let Some(u) = o.get("rulesUrl").and_then(Value::as_str) {
            options.rules_url = u.to_string();
        }
    }
    let enc = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let root = options
        .project_root
        .clone()
        .or_else(|| workspace_root(&params))
        .unwrap_or_else(|| env.cwd.clone());
    let root = crate::discover::find_project_root(&root);
    let settings = LiveSettings {
        layout: Layout {
            root: root.clone(),
            user_dir: env.user_dir.clone(),
            read_user: options.read_user,
        },
        parent: None,
    };
    let (mut live, _) = LiveProject::load(settings, env);
    live.keep_project();
    // Link once more so the project is kept from the start.
    let current = live
        .apply(&Change {
            rescan: true,
            ..Change::default()
        })
        .or_else(|| live.current().cloned())
        .ok_or(ServeError::Disconnected)?;
    let caps = &params.capabilities;
    let can_create_files = caps
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref())
        .and_then(|e| e.resource_operations.as_ref())
        .is_some_and(|ops| ops.contains(&lsp::ResourceOperationKind::Create));
    let watch_files = caps
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    conn.initialize_finish(
        id,
        json!({
            "capabilities": capabilities(enc),
            "serverInfo": {"name": "agentc", "version": env!("CARGO_PKG_VERSION")},
        }),
    )?;
    let probe = ProbeCache::new(options.probe);
    if let Some(p) = live.project() {
        probe.refresh(&p.config);
    }
    let mut server = Server {
        conn,
        state: State {
            enc,
            live,
            current,
            docs: HashMap::new(),
            probe,
            rules_url: options.rules_url,
            root,
            can_create_files,
        },
        debounce: options.debounce,
        dirty: BTreeSet::new(),
        deadline: None,
        published: HashMap::new(),
        next_request: 0,
    };
    if watch_files {
        server.register_watchers();
    }
    server.publish(&BTreeSet::new());
    server.run()
}

fn workspace_root(params: &lsp::InitializeParams) -> Option<PathBuf> {
    if let Some(f) = params.workspace_folders.as_ref().and_then(|f| f.first()) {
        return uri_path(&f.uri);
    }
    #[allow(deprecated)]
    params.root_uri.as_ref().and_then(uri_path)
}

fn capabilities(enc: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(enc.kind()),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![
                ":".into(),
                " ".into(),
                "/".into(),
                ",".into(),
                "[".into(),
            ]),
            ..Default::default()
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::REFACTOR_REWRITE,
                    lsp::CodeActionKind::new("source.fixAll.agentc"),
                ]),
                ..Default::default()
            },
        )),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        inlay_hint_provider: Some(lsp::OneOf::Left(true)),
        ..Default::default()
    }
}

impl Server {
    fn run(mut self) -> Result<(), ServeError> {
        loop {
            let msg = match self.deadline {
                Some(d) => {
                    match self
                        .conn
                        .receiver
                        .recv_timeout(d.saturating_duration_since(Instant::now()))
                    {
                        Ok(m) => m,
                        Err(e) if e.is_timeout() => {
                            self.flush();
                            continue;
                        }
                        Err(_) => return Err(ServeError::Disconnected),
                    }
                }
                None => self
                    .conn
                    .receiver
                    .recv()
                    .map_err(|_| ServeError::Disconnected)?,
            };
            match msg {
                Message::Request(req) => {
                    if self.conn.handle_shutdown(&req)? {
                        return Ok(());
                    }
                    self.request(req);
                }
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {}
            }
            // A stream of messages must not hold an analysis back forever.
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                self.flush();
            }
        }
    }

    fn send(&self, msg: impl Into<Message>) {
        let _ = self.conn.sender.send(msg.into());
    }

    fn register_watchers(&mut self) {
        let watchers: Vec<lsp::FileSystemWatcher> = ["**/*.md", "**/agentc.toml", "**/.gitignore"]
            .iter()
            .map(|g| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String((*g).into()),
                kind: None,
            })
            .collect();
        let params = lsp::RegistrationParams {
            registrations: vec![lsp::Registration {
                id: "agentc-files".into(),
                method: lsp::notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(
                    lsp::DidChangeWatchedFilesRegistrationOptions { watchers },
                )
                .ok(),
            }],
        };
        self.next_request += 1;
        self.send(Request::new(
            RequestId::from(self.next_request),
            lsp::request::RegisterCapability::METHOD.into(),
            params,
        ));
    }

    fn schedule(&mut self, path: PathBuf) {
        self.dirty.insert(path);
        self.deadline = Some(Instant::now() + self.debounce);
    }

    /// Analyses what changed since the last analysis and publishes.
    fn flush(&mut self) {
        self.deadline = None;
        if self.dirty.is_empty() {
            return;
        }
        let paths = std::mem::take(&mut self.dirty);
        let st = &mut self.state;
        for p in &paths {
            st.live
                .set_overlay(p.clone(), st.docs.get(p).map(|d| d.text.clone()));
        }
        if let Some(plan) = st.live.apply(&Change {
            paths: paths.clone(),
            ..Change::default()
        }) {
            st.current = plan;
            if st.current.reload.configs
                && let Some(p) = st.live.project()
            {
                st.probe.refresh(&p.config);
            }
        }
        for p in &paths {
            if let Some(d) = st.docs.get_mut(p) {
                d.analysed = Some(d.version);
            }
        }
        self.publish(&paths);
    }

    /// Publishes the findings of every file whose findings changed, and
    /// of the files in `touched` in any case (the client waits for them).
    fn publish(&mut self, touched: &BTreeSet<PathBuf>) {
        let st = &self.state;
        let findings = &st.current.findings;
        let sources = findings.sources();
        let mut by_file: BTreeMap<PathBuf, Vec<lsp::Diagnostic>> = BTreeMap::new();
        for d in findings.diagnostics() {
            let Some(span) = d.span else { continue };
            let path = sources.get(span.file).path.clone();
            if let Some(ld) = to_lsp(st, sources, d) {
                // A cross-file fact (a `duplicate-name`) is shown in each
                // file it names, not only where `check` reports it.
                for label in d.labels.iter().filter(|l| l.span.file != span.file) {
                    let other = sources.get(label.span.file);
                    let mut mirror = ld.clone();
                    mirror.range =
                        text::range(&other.text, label.span.start, label.span.end, st.enc);
                    mirror.related_information = st.location(sources, span).map(|location| {
                        vec![lsp::DiagnosticRelatedInformation {
                            location,
                            message: d.message.clone(),
                        }]
                    });
                    by_file.entry(other.path.clone()).or_default().push(mirror);
                }
                by_file.entry(path).or_default().push(ld);
            }
        }
        let mut out = Vec::new();
        for (path, diags) in &by_file {
            let hash = hash_of(diags);
            if touched.contains(path) || self.published.get(path) != Some(&hash) {
                out.push((path.clone(), diags.clone()));
            }
        }
        for path in self.published.keys() {
            if !by_file.contains_key(path) {
                out.push((path.clone(), Vec::new()));
            }
        }
        for path in touched {
            if !by_file.contains_key(path) && !self.published.contains_key(path) {
                out.push((path.clone(), Vec::new()));
            }
        }
        self.published = by_file
            .iter()
            .map(|(p, d)| (p.clone(), hash_of(d)))
            .collect();
        for (path, diagnostics) in out {
            let Some(uri) = self.state.uri_of(&path) else {
                continue;
            };
            let version = self.state.docs.get(&path).and_then(|d| d.analysed);
            self.send(Notification::new(
                lsp::notification::PublishDiagnostics::METHOD.into(),
                lsp::PublishDiagnosticsParams {
                    uri,
                    diagnostics,
                    version,
                },
            ));
        }
    }

    fn notification(&mut self, n: Notification) {
        use lsp::notification as ln;
        match n.method.as_str() {
            ln::DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params)
                else {
                    return;
                };
                let Some(path) = uri_path(&p.text_document.uri) else {
                    return;
                };
                self.state.docs.insert(
                    path.clone(),
                    Doc {
                        uri: p.text_document.uri,
                        text: p.text_document.text,
                        version: p.text_document.version,
                        analysed: None,
                    },
                );
                // The first look at a file is not a keystroke: no wait.
                self.dirty.insert(path);
                self.flush();
            }
            ln::DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params)
                else {
                    return;
                };
                let Some(path) = uri_path(&p.text_document.uri) else {
                    return;
                };
                let enc = self.state.enc;
                let Some(doc) = self.state.docs.get_mut(&path) else {
                    return;
                };
                for change in p.content_changes {
                    text::apply_change(&mut doc.text, change, enc);
                }
                doc.version = p.text_document.version;
                self.schedule(path);
            }
            ln::DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params)
                else {
                    return;
                };
                if let Some(path) = uri_path(&p.text_document.uri) {
                    self.state.docs.remove(&path);
                    self.schedule(path);
                }
            }
            ln::DidChangeWatchedFiles::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeWatchedFilesParams>(n.params)
                else {
                    return;
                };
                for e in p.changes {
                    if let Some(path) = uri_path(&e.uri) {
                        self.dirty.insert(path);
                    }
                }
                // Not typing: a checkout or a save elsewhere.
                self.flush();
            }
            _ => {}
        }
    }

    fn request(&mut self, req: Request) {
        use lsp::request as lr;
        let id = req.id.clone();
        let result: Result<Value, String> = match req.method.as_str() {
            lr::HoverRequest::METHOD => {
                parse(req).map(|p| json_of(features::hover(&self.state, &p)))
            }
            lr::Completion::METHOD => {
                parse(req).map(|p| json_of(features::completion(&self.state, &p)))
            }
            lr::GotoDefinition::METHOD => parse(req).map(|p| {
                self.flush();
                json_of(features::definition(&self.state, &p))
            }),
            lr::References::METHOD => parse(req).map(|p| {
                self.flush();
                json_of(features::references(&self.state, &p))
            }),
            lr::CodeActionRequest::METHOD => parse(req).map(|p| {
                self.flush();
                json_of(features::code_actions(&self.state, &p))
            }),
            lr::DocumentSymbolRequest::METHOD => {
                parse(req).map(|p| json_of(features::symbols(&self.state, &p)))
            }
            lr::InlayHintRequest::METHOD => {
                parse(req).map(|p| json_of(features::inlay_hints(&self.state, &p)))
            }
            _ => {
                self.send(Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("unknown method {}", req.method),
                ));
                return;
            }
        };
        match result {
            Ok(v) => self.send(Response::new_ok(id, v)),
            Err(e) => self.send(Response::new_err(
                id,
                lsp_server::ErrorCode::InvalidParams as i32,
                e,
            )),
        }
    }
}

fn parse<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, String> {
    serde_json::from_value(req.params).map_err(|e| e.to_string())
}

fn json_of<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn hash_of(diags: &[lsp::Diagnostic]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(diags)
        .unwrap_or_default()
        .hash(&mut h);
    h.finish()
}
