//! The protocol side: an `rmcp` server handler over [`Tools`]. Tool
//! failures the caller should read (an unknown agent, a refused override,
//! an untrusted provider, an unset key, an outage) are tool results with
//! `isError: true` and a structured body; only a call to a tool that does
//! not exist is a protocol error.

use super::resources::{self, Changes};
use super::schema::{self, ToolDef};
use super::tools::{CheckArgs, DelegateArgs, Progress, RouteArgs, ToolOutput, Tools};
use crate::watch::LivePlan;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ErrorCode, Implementation,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParam,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ResourceUpdatedNotificationParam, ServerCapabilities, ServerConfig,
    SubscribeRequestParams, SubscriptionFilter, Tool, ToolAnnotations, UnsubscribeRequestParams,
};
use rmcp::service::{NotificationContext, Peer, RequestContext, RoleServer, SubscriptionContext};
use rmcp::{ErrorData, ServerHandler};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

/// The MCP server: the tools, and the session's peer and subscriptions for
/// notifications to clients of the handshake revisions.
#[derive(Clone)]
pub struct AgentcServer {
    inner: Arc<Inner>,
}

struct Inner {
    tools: Tools,
    /// The client of a handshake session (`initialize`), once it said
    /// `initialized`: notifications go to it directly.
    peer: Mutex<Option<Peer<RoleServer>>>,
    /// `resources/subscribe`d URIs of that session.
    subscribed: Mutex<BTreeSet<String>>,
}

impl AgentcServer {
    pub fn new(tools: Tools) -> AgentcServer {
        AgentcServer {
            inner: Arc::new(Inner {
                tools,
                peer: Mutex::new(None),
                subscribed: Mutex::new(BTreeSet::new()),
            }),
        }
    }

    pub fn tools(&self) -> &Tools {
        &self.inner.tools
    }

    /// Follows the live plan and tells a handshake session's client what
    /// changed. Runs until the plan's sender is gone.
    pub async fn notify_changes(self) {
        let mut rx = self.inner.tools.subscribe();
        let mut last = rx.borrow_and_update().clone();
        while rx.changed().await.is_ok() {
            let next = rx.borrow_and_update().clone();
            let changes = resources::changes(&last, &next);
            last = next;
            if changes.is_empty() {
                continue;
            }
            let peer = lock(&self.inner.peer).clone();
            let Some(peer) = peer else { continue };
            let subscribed = lock(&self.inner.subscribed).clone();
            if changes.list_changed {
                let _ = peer.notify_tool_list_changed().await;
                let _ = peer.notify_resource_list_changed().await;
            }
            for uri in changes.updated.intersection(&subscribed) {
                let _ = peer
                    .notify_resource_updated(ResourceUpdatedNotificationParam::new(uri.clone()))
                    .await;
            }
        }
    }

    fn tool(def: ToolDef) -> Tool {
        let mut annotations = ToolAnnotations::default();
        annotations.title = Some(def.title.to_string());
        annotations.read_only_hint = Some(def.read_only);
        annotations.destructive_hint = Some(false);
        // Delegating calls a model: another call gives another answer.
        annotations.idempotent_hint = Some(def.read_only);
        annotations.open_world_hint = Some(!def.read_only);
        Tool::new(def.name, def.description, Arc::new(def.input_schema))
            .with_title(def.title)
            .with_raw_output_schema(Arc::new(def.output_schema))
            .with_annotations(annotations)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn result(out: ToolOutput) -> CallToolResponse {
    if out.is_error {
        CallToolResult::structured_error(out.value).into()
    } else {
        CallToolResult::structured(out.value).into()
    }
}

/// Arguments of the shape `T`, or the tool error that says what is wrong.
fn parse<T: serde::de::DeserializeOwned>(args: &Map<String, Value>) -> Result<T, ToolOutput> {
    serde_json::from_value(Value::Object(args.clone()))
        .map_err(|e| ToolOutput::invalid("invalid-arguments", format!("invalid arguments: {e}")))
}

/// Sends each progress line as a `notifications/progress` of the call.
struct Notifier {
    tx: tokio::sync::mpsc::UnboundedSender<String>,
}

impl Progress for Notifier {
    fn message(&self, text: String) {
        let _ = self.tx.send(text);
    }
}

/// A progress channel for the call: with the client's progress token, a
/// task forwards each line; without one, the lines go nowhere. Await the
/// handle after dropping the notifier, so that every line is sent before
/// the result.
fn progress_for(
    context: &RequestContext<RoleServer>,
) -> (Notifier, Option<tokio::task::JoinHandle<()>>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let forward = context.meta.get_progress_token().map(|token| {
        let peer = context.peer.clone();
        tokio::spawn(async move {
            let mut n = 0u32;
            while let Some(message) = rx.recv().await {
                n += 1;
                let param = ProgressNotificationParam::new(token.clone(), f64::from(n))
                    .with_message(message);
                if peer.notify_progress(param).await.is_err() {
                    break;
                }
            }
        })
    });
    (Notifier { tx }, forward)
}

/// Waits until the progress lines of a finished call are sent.
async fn flush(progress: Notifier, forward: Option<tokio::task::JoinHandle<()>>) {
    drop(progress);
    if let Some(f) = forward {
        let _ = f.await;
    }
}

impl ServerHandler for AgentcServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_resources()
                .enable_resources_list_changed()
                .enable_resources_subscribe()
                .build(),
        )
        .with_server_info(
            Implementation::new("agentc", env!("CARGO_PKG_VERSION"))
                .with_title("agentc")
                .with_description("The project's sub-agents: list, route, check and delegate on the routing plan"),
        )
        .with_instructions(
            "agentc serves this project's sub-agents (compiled from .agents/ and the user's agent folder). \
Call list_agents to see them and where each runs, route to see where an agent would run with an override, \
delegate to run one agent on its route, and delegate_batch to run several at once (for example the same prompt on two models). \
Results show every attempt: a fallback after an outage is never silent.",
        )
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        *lock(&self.inner.peer) = Some(context.peer.clone());
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let live = self.inner.tools.current();
        let tools = schema::tool_defs(&live)
            .into_iter()
            .map(AgentcServer::tool)
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        let live = self.inner.tools.current();
        schema::tool_def(name, &live).map(AgentcServer::tool)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let tools = &self.inner.tools;
        let args = request.arguments.clone().unwrap_or_default();
        let out = match request.name.as_ref() {
            "list_agents" => {
                if let Some(k) = args.keys().next() {
                    return Ok(result(ToolOutput::invalid(
                        "invalid-arguments",
                        format!("invalid arguments: list_agents takes none, got `{k}`"),
                    )));
                }
                tools.list_agents()
            }
            "route" => match parse::<RouteArgs>(&args) {
                Ok(a) => tools.route(&a),
                Err(e) => e,
            },
            "check" => match parse::<CheckArgs>(&args) {
                Ok(a) => {
                    let tools_ref = self.inner.clone();
                    // Checking a tree reads files: off the async threads.
                    tokio::task::spawn_blocking(move || tools_ref.tools.check(&a))
                        .await
                        .unwrap_or_else(|e| ToolOutput::invalid("internal", e.to_string()))
                }
                Err(e) => e,
            },
            "delegate" => match parse::<DelegateArgs>(&args) {
                Ok(a) => {
                    let (progress, forward) = progress_for(&context);
                    let out = tools.delegate(a, &progress, context.ct.cancelled()).await;
                    flush(progress, forward).await;
                    out
                }
                Err(e) => e,
            },
            "delegate_batch" => {
                let (progress, forward) = progress_for(&context);
                let out = tools
                    .delegate_batch(&args, &progress, context.ct.cancelled())
                    .await;
                flush(progress, forward).await;
                out
            }
            other => {
                return Err(ErrorData::new(
                    ErrorCode::INVALID_PARAMS,
                    format!(
                        "unknown tool `{other}`; the tools are {}",
                        schema::TOOL_NAMES.join(", ")
                    ),
                    None,
                ));
            }
        };
        Ok(result(out))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let live = self.inner.tools.current();
        let items = resources::list(&live)
            .into_iter()
            .map(|r| {
                Resource::new(r.uri, r.name)
                    .with_title(r.title)
                    .with_description(r.description)
                    .with_mime_type(r.mime_type)
            })
            .collect();
        Ok(ListResourcesResult::with_all_items(items))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let live = self.inner.tools.current();
        let settings = self.inner.tools.settings();
        match resources::read(
            &request.uri,
            &live,
            &settings.project_root,
            settings.user_dir.as_deref(),
        ) {
            Ok((text, mime)) => Ok(ReadResourceResult::new(vec![
                ResourceContents::text(text, request.uri.clone()).with_mime_type(mime),
            ])
            .into()),
            Err(message) => Err(ErrorData::resource_not_found(message, None)),
        }
    }

    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        lock(&self.inner.subscribed).insert(request.uri);
        Ok(())
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        lock(&self.inner.subscribed).remove(&request.uri);
        Ok(())
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(requested.supported_by(&self.get_info().capabilities))
    }

    /// A `subscriptions/listen` stream (the stateless revision): what each
    /// new generation changed, as the client asked for it.
    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let mut rx = self.inner.tools.subscribe();
        let mut last: Arc<LivePlan> = rx.borrow_and_update().clone();
        loop {
            tokio::select! {
                () = context.cancelled() => return Ok(()),
                changed = rx.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                    let next = rx.borrow_and_update().clone();
                    let changes: Changes = resources::changes(&last, &next);
                    last = next;
                    let sink = context.sink();
                    let accepted = context.accepted();
                    if changes.list_changed {
                        if accepted.tools_list_changed == Some(true) {
                            let _ = sink.notify_tool_list_changed().await;
                        }
                        if accepted.resources_list_changed == Some(true) {
                            let _ = sink.notify_resource_list_changed().await;
                        }
                    }
                    let wanted = accepted.resource_subscriptions.clone().unwrap_or_default();
                    for uri in changes.updated.iter().filter(|u| wanted.contains(u)) {
                        let _ = sink.notify_resource_updated(uri.clone()).await;
                    }
                }
            }
        }
    }
}
