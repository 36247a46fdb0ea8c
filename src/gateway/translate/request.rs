//! Requests: Anthropic Messages ⇄ OpenAI Chat Completions.

use super::{TranslateError, Wire, anthropic_tool_id};
use serde_json::{Map, Value, json};

/// `max_tokens` sent to an Anthropic upstream when the OpenAI request sets
/// none (Anthropic requires it). 4096 is the largest value every Claude
/// model accepts; an agent's `max_tokens` in the plan replaces it.
pub const DEFAULT_MAX_TOKENS: u64 = 4096;

/// The largest Anthropic `max_tokens` passed on to an OpenAI-compatible
/// upstream. Anthropic makes every client send a ceiling, and Claude Code
/// sends 64000, more than many models allow (DeepSeek, vLLM with a short
/// context, OpenAI's own): a larger value is left out, so the upstream
/// uses its own limit.
pub const FORWARDED_MAX_TOKENS: u64 = 8192;

/// The first system block Claude Code sends: a billing marker whose hash
/// changes on every request. It means nothing to another model and would
/// defeat a local server's prompt cache.
const BILLING_HEADER: &str = "x-anthropic-billing-header:";

/// Thinking budgets for OpenAI's `reasoning_effort` on an Anthropic
/// upstream (1024 is Anthropic's minimum budget).
const THINKING_BUDGETS: &[(&str, u64)] = &[("low", 1024), ("medium", 4096), ("high", 16384)];

fn err(message: impl Into<String>) -> TranslateError {
    TranslateError::new(message)
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn block_type(block: &Value) -> &str {
    str_field(block, "type").unwrap_or("")
}

/// An Anthropic Messages request as an OpenAI Chat Completions request.
/// The model is copied as is.
pub fn messages_to_chat(req: &Value) -> Result<Value, TranslateError> {
    let Some(fields) = req.as_object() else {
        return Err(err("the request body must be a JSON object"));
    };
    let mut out = Map::new();
    let model = str_field(req, "model").ok_or_else(|| err("`model` is required"))?;
    out.insert("model".into(), model.into());

    let mut messages = Vec::new();
    if let Some(system) = fields.get("system") {
        let text = system_text(system)?;
        if !text.is_empty() {
            messages.push(json!({"role": "system", "content": text}));
        }
    }
    let Some(history) = fields.get("messages").and_then(Value::as_array) else {
        return Err(err("`messages` must be an array"));
    };
    for (i, message) in history.iter().enumerate() {
        message_to_chat(message, &mut messages)
            .map_err(|e| err(format!("messages[{i}]: {}", e.message)))?;
    }
    out.insert("messages".into(), messages.into());

    if let Some(max) = fields.get("max_tokens").and_then(Value::as_u64)
        && max <= FORWARDED_MAX_TOKENS
    {
        out.insert("max_tokens".into(), max.into());
    }
    for key in ["temperature", "top_p"] {
        if let Some(v) = fields.get(key).filter(|v| v.is_number()) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(stops) = fields.get("stop_sequences").and_then(Value::as_array)
        && !stops.is_empty()
    {
        out.insert("stop".into(), stops.clone().into());
    }
    if let Some(stream) = fields.get("stream").and_then(Value::as_bool) {
        out.insert("stream".into(), stream.into());
        if stream {
            out.insert("stream_options".into(), json!({"include_usage": true}));
        }
    }
    if let Some(format) = fields
        .get("output_config")
        .and_then(|c| c.get("format"))
        .filter(|f| block_type(f) == "json_schema")
    {
        let schema = format
            .get("schema")
            .cloned()
            .unwrap_or_else(|| json!({"type": "object"}));
        out.insert(
            "response_format".into(),
            json!({"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}),
        );
    }

    let tools = match fields.get("tools") {
        Some(Value::Array(tools)) => tools
            .iter()
            .filter_map(|tool| tool_to_chat(tool).transpose())
            .collect::<Result<Vec<_>, _>>()?,
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err(err("`tools` must be an array")),
    };
    if !tools.is_empty() {
        out.insert("tools".into(), tools.into());
        if let Some(choice) = fields.get("tool_choice") {
            let (choice, parallel) = tool_choice_to_chat(choice)?;
            out.insert("tool_choice".into(), choice);
            if !parallel {
                out.insert("parallel_tool_calls".into(), false.into());
            }
        }
    }
    Ok(out.into())
}

/// The text of Anthropic's `system`: a string, or text blocks joined by a
/// blank line (OpenAI-compatible servers take a string most reliably).
fn system_text(system: &Value) -> Result<String, TranslateError> {
    match system {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        Value::Array(blocks) => {
            let mut parts = Vec::new();
            for block in blocks {
                match block_type(block) {
                    "text" => {
                        let text = str_field(block, "text").unwrap_or("");
                        if !text.starts_with(BILLING_HEADER) {
                            parts.push(text);
                        }
                    }
                    other => return Err(err(format!("system blocks must be text, not `{other}`"))),
                }
            }
            Ok(parts.join("\n\n"))
        }
        _ => Err(err("`system` must be a string or an array of text blocks")),
    }
}

/// One Anthropic message as one or more OpenAI messages: a user turn with
/// tool results becomes one `tool` message per result, in order, then a
/// user message with the rest of the turn.
fn message_to_chat(message: &Value, out: &mut Vec<Value>) -> Result<(), TranslateError> {
    let role = str_field(message, "role").unwrap_or("");
    if role == "system" {
        // Mid-conversation system messages (Claude Code lists its agent
        // types in one) stay where they are: OpenAI allows them anywhere.
        let text = system_text(message.get("content").unwrap_or(&Value::Null))?;
        if !text.is_empty() {
            out.push(json!({"role": "system", "content": text}));
        }
        return Ok(());
    }
    if role != "user" && role != "assistant" {
        return Err(err(format!(
            "role must be `user`, `assistant` or `system`, not `{role}`"
        )));
    }
    let blocks = match message.get("content") {
        Some(Value::String(text)) => {
            out.push(json!({"role": role, "content": text}));
            return Ok(());
        }
        Some(Value::Array(blocks)) => blocks,
        _ => return Err(err("`content` must be a string or an array of blocks")),
    };
    if role == "assistant" {
        out.push(assistant_to_chat(blocks)?);
        return Ok(());
    }
    let mut tool_messages = Vec::new();
    let mut tool_images = Vec::new();
    let mut parts = Vec::new();
    for block in blocks {
        match block_type(block) {
            "text" => parts.push(text_part(str_field(block, "text").unwrap_or(""))),
            "image" => parts.push(image_to_chat(block)?),
            "document" => parts.push(document_to_chat(block)?),
            "tool_result" => tool_messages.push(tool_result_to_chat(block, &mut tool_images)?),
            // Thinking never belongs in a user turn; some clients echo it.
            "thinking" | "redacted_thinking" => {}
            other => {
                return Err(err(format!(
                    "content block type `{other}` has no OpenAI equivalent"
                )));
            }
        }
    }
    let had_tools = !tool_messages.is_empty();
    out.extend(tool_messages);
    tool_images.extend(parts);
    let parts = tool_images;
    if !parts.is_empty() || !had_tools {
        out.push(json!({"role": "user", "content": parts_to_content(parts)}));
    }
    Ok(())
}

fn text_part(text: &str) -> Value {
    json!({"type": "text", "text": text})
}

/// Text-only content as one string (what every OpenAI-compatible server
/// accepts), anything with images or files as an array of parts.
fn parts_to_content(parts: Vec<Value>) -> Value {
    if parts.iter().all(|p| block_type(p) == "text") {
        let texts: Vec<&str> = parts.iter().filter_map(|p| str_field(p, "text")).collect();
        texts.join("\n\n").into()
    } else {
        parts.into()
    }
}

fn assistant_to_chat(blocks: &[Value]) -> Result<Value, TranslateError> {
    let mut texts = Vec::new();
    let mut calls = Vec::new();
    for block in blocks {
        match block_type(block) {
            "text" => texts.push(str_field(block, "text").unwrap_or("")),
            "tool_use" => {
                let input = block.get("input").cloned().unwrap_or_else(|| json!({}));
                calls.push(json!({
                    "id": str_field(block, "id").unwrap_or(""),
                    "type": "function",
                    "function": {
                        "name": str_field(block, "name").unwrap_or(""),
                        "arguments": input.to_string(),
                    },
                }));
            }
            // Thinking is signed for Anthropic models only; an OpenAI
            // upstream neither needs nor accepts it. Server-side tools ran
            // at Anthropic and have no counterpart to replay.
            "thinking" | "redacted_thinking" | "server_tool_use" | "mcp_tool_use"
            | "container_upload" => {}
            kind if kind.ends_with("_tool_result") => {}
            other => {
                return Err(err(format!(
                    "content block type `{other}` has no OpenAI equivalent"
                )));
            }
        }
    }
    let mut message = json!({"role": "assistant"});
    message["content"] = if texts.is_empty() && !calls.is_empty() {
        Value::Null
    } else {
        texts.join("\n\n").into()
    };
    if !calls.is_empty() {
        message["tool_calls"] = calls.into();
    }
    Ok(message)
}

/// A `tool_result` block as a `tool` message. OpenAI tool messages carry
/// text only: images in the result move to the user message that follows
/// the tool messages, and the text says so. `is_error` has no flag on the
/// OpenAI side: the text starts with `Error: ` instead.
fn tool_result_to_chat(block: &Value, images: &mut Vec<Value>) -> Result<Value, TranslateError> {
    let id =
        str_field(block, "tool_use_id").ok_or_else(|| err("`tool_result` needs `tool_use_id`"))?;
    let mut texts = Vec::new();
    match block.get("content") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => texts.push(s.clone()),
        Some(Value::Array(parts)) => {
            for part in parts {
                match block_type(part) {
                    "text" => texts.push(str_field(part, "text").unwrap_or("").to_string()),
                    "image" => {
                        images.push(image_to_chat(part)?);
                        texts.push("[image: attached to the next user message]".to_string());
                    }
                    "document" => match document_to_chat(part)? {
                        text if block_type(&text) == "text" => {
                            texts.push(str_field(&text, "text").unwrap_or("").to_string())
                        }
                        file => {
                            images.push(file);
                            texts.push("[document: attached to the next user message]".to_string());
                        }
                    },
                    // Search results and other rich blocks: their text.
                    _ => texts.push(part.to_string()),
                }
            }
        }
        Some(_) => return Err(err("`tool_result.content` must be a string or an array")),
    }
    let mut content = texts.join("\n\n");
    if block.get("is_error").and_then(Value::as_bool) == Some(true) {
        content = if content.is_empty() {
            "Error".to_string()
        } else {
            format!("Error: {content}")
        };
    }
    Ok(json!({"role": "tool", "tool_call_id": id, "content": content}))
}

/// An Anthropic image block as an `image_url` part: base64 sources become
/// data URLs, URL sources pass as they are.
fn image_to_chat(block: &Value) -> Result<Value, TranslateError> {
    let source = block.get("source").unwrap_or(&Value::Null);
    let url = match block_type(source) {
        "base64" => format!(
            "data:{};base64,{}",
            str_field(source, "media_type").unwrap_or("image/png"),
            str_field(source, "data").unwrap_or("")
        ),
        "url" => str_field(source, "url").unwrap_or("").to_string(),
        other => {
            return Err(err(format!(
                "image source `{other}` has no OpenAI equivalent"
            )));
        }
    };
    Ok(json!({"type": "image_url", "image_url": {"url": url}}))
}

/// A document block: plain text stays text; a base64 PDF becomes a `file`
/// part with a data URL.
fn document_to_chat(block: &Value) -> Result<Value, TranslateError> {
    let source = block.get("source").unwrap_or(&Value::Null);
    match block_type(source) {
        "text" => Ok(text_part(str_field(source, "data").unwrap_or(""))),
        "base64" => Ok(json!({
            "type": "file",
            "file": {
                "filename": str_field(block, "title").unwrap_or("document.pdf"),
                "file_data": format!(
                    "data:{};base64,{}",
                    str_field(source, "media_type").unwrap_or("application/pdf"),
                    str_field(source, "data").unwrap_or("")
                ),
            },
        })),
        "content" => {
            let texts: Vec<&str> = source
                .get("content")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|b| str_field(b, "text")).collect())
                .unwrap_or_default();
            Ok(text_part(&texts.join("\n\n")))
        }
        other => Err(err(format!(
            "document source `{other}` has no OpenAI equivalent"
        ))),
    }
}

/// A client tool as an OpenAI function. Anthropic server tools (web
/// search, code execution, …) run at Anthropic and cannot run elsewhere.
fn tool_to_chat(tool: &Value) -> Result<Option<Value>, TranslateError> {
    let name = str_field(tool, "name").unwrap_or("");
    match str_field(tool, "type") {
        None | Some("custom") => {}
        // Tool search only defers loading the other tools' definitions;
        // without it they are all sent (`defer_loading` is not copied).
        Some(kind) if kind.starts_with("tool_search_tool") => return Ok(None),
        Some(kind) => {
            return Err(err(format!(
                "tool `{name}` is an Anthropic server tool (`{kind}`) that an OpenAI-compatible provider cannot run"
            )));
        }
    }
    let mut function = json!({"name": name});
    if let Some(description) = tool.get("description").filter(|d| d.is_string()) {
        function["description"] = description.clone();
    }
    let mut parameters = tool
        .get("input_schema")
        .cloned()
        .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
    // Claude Code's schemas name their JSON Schema draft; some
    // OpenAI-compatible servers (Gemini's) refuse the keyword.
    if let Some(schema) = parameters.as_object_mut() {
        schema.remove("$schema");
    }
    function["parameters"] = parameters;
    Ok(Some(json!({"type": "function", "function": function})))
}

/// Anthropic `tool_choice` as OpenAI's, and whether parallel calls stay
/// allowed.
fn tool_choice_to_chat(choice: &Value) -> Result<(Value, bool), TranslateError> {
    let parallel = choice
        .get("disable_parallel_tool_use")
        .and_then(Value::as_bool)
        != Some(true);
    let out = match block_type(choice) {
        "auto" => json!("auto"),
        "any" => json!("required"),
        "none" => json!("none"),
        "tool" => {
            json!({"type": "function", "function": {"name": str_field(choice, "name").unwrap_or("")}})
        }
        other => return Err(err(format!("unknown tool_choice type `{other}`"))),
    };
    Ok((out, parallel))
}

/// An OpenAI Chat Completions request as an Anthropic Messages request.
/// The model is copied as is.
// Long: one short section per request field, in the Anthropic request's order.
pub fn chat_to_messages(req: &Value) -> Result<Value, TranslateError> {
    let Some(fields) = req.as_object() else {
        return Err(err("the request body must be a JSON object"));
    };
    let mut out = Map::new();
    let model = str_field(req, "model").ok_or_else(|| err("`model` is required"))?;
    out.insert("model".into(), model.into());
    if let Some(n) = fields.get("n").and_then(Value::as_u64)
        && n != 1
    {
        return Err(err("`n` other than 1 has no Anthropic equivalent"));
    }

    let Some(history) = fields.get("messages").and_then(Value::as_array) else {
        return Err(err("`messages` must be an array"));
    };
    let mut system = Vec::new();
    let mut messages: Vec<(String, Vec<Value>)> = Vec::new();
    for (i, message) in history.iter().enumerate() {
        let at = |e: TranslateError| err(format!("messages[{i}]: {}", e.message));
        let role = str_field(message, "role").unwrap_or("");
        match role {
            "system" | "developer" => {
                let text = chat_text(message.get("content")).map_err(at)?;
                if !text.is_empty() {
                    system.push(text);
                }
            }
            "user" => {
                let blocks = chat_parts_to_blocks(message.get("content")).map_err(at)?;
                push_turn(&mut messages, "user", blocks);
            }
            "assistant" => {
                let blocks = chat_assistant_to_blocks(message).map_err(at)?;
                push_turn(&mut messages, "assistant", blocks);
            }
            "tool" => {
                let id = str_field(message, "tool_call_id")
                    .ok_or_else(|| at(err("a tool message needs `tool_call_id`")))?;
                let mut block = json!({
                    "type": "tool_result",
                    "tool_use_id": anthropic_tool_id(id),
                });
                // An empty result has no content at all: Anthropic refuses
                // empty text.
                match message.get("content") {
                    Some(Value::String(s)) if s.is_empty() => {}
                    Some(Value::String(s)) => block["content"] = s.as_str().into(),
                    None | Some(Value::Null) => {}
                    other => {
                        let blocks = chat_parts_to_blocks(other).map_err(at)?;
                        if !blocks.is_empty() {
                            block["content"] = blocks.into();
                        }
                    }
                }
                push_turn(&mut messages, "user", vec![block]);
            }
            "function" => {
                return Err(at(err(
                    "legacy `function` messages are not supported; use `tools` and `tool` messages",
                )));
            }
            other => return Err(at(err(format!("unknown role `{other}`")))),
        }
    }
    match system.len() {
        0 => {}
        1 => {
            out.insert("system".into(), system.remove(0).into());
        }
        _ => {
            let blocks: Vec<Value> = system
                .into_iter()
                .map(|t| json!({"type": "text", "text": t}))
                .collect();
            out.insert("system".into(), blocks.into());
        }
    }
    let messages: Vec<Value> = messages
        .into_iter()
        .map(|(role, mut blocks)| {
            let content = if blocks.len() == 1
                && block_type(&blocks[0]) == "text"
                && blocks[0].get("cache_control").is_none()
            {
                blocks.remove(0)["text"].take()
            } else {
                blocks.into()
            };
            json!({"role": role, "content": content})
        })
        .collect();
    out.insert("messages".into(), messages.into());

    let max_tokens = fields
        .get("max_completion_tokens")
        .or_else(|| fields.get("max_tokens"))
        .and_then(Value::as_u64)
        .unwrap_or(DEFAULT_MAX_TOKENS);
    out.insert("max_tokens".into(), max_tokens.into());
    if let Some(t) = fields.get("temperature").and_then(Value::as_f64) {
        // OpenAI's range is 0..=2, Anthropic's 0..=1.
        out.insert("temperature".into(), json!(t.clamp(0.0, 1.0)));
    }
    // Recent Claude models refuse `temperature` and `top_p` together, and
    // clients such as Copilot CLI send both: temperature is kept.
    if let Some(p) = fields.get("top_p").filter(|p| p.is_number())
        && !out.contains_key("temperature")
    {
        out.insert("top_p".into(), p.clone());
    }
    if let Some(k) = fields.get("top_k").filter(|k| k.is_u64()) {
        out.insert("top_k".into(), k.clone());
    }
    match fields.get("stop") {
        Some(Value::String(s)) => {
            out.insert("stop_sequences".into(), json!([s]));
        }
        Some(Value::Array(stops)) if !stops.is_empty() => {
            out.insert("stop_sequences".into(), stops.clone().into());
        }
        _ => {}
    }
    if let Some(stream) = fields.get("stream").and_then(Value::as_bool) {
        out.insert("stream".into(), stream.into());
    }
    if let Some(user) = fields.get("user").and_then(Value::as_str) {
        out.insert("metadata".into(), json!({"user_id": user}));
    }
    // Structured output: a JSON schema carries over; `json_object` (any
    // JSON at all) has no Anthropic form and is left to the prompt.
    if let Some(format) = fields.get("response_format")
        && block_type(format) == "json_schema"
    {
        let schema = format
            .get("json_schema")
            .and_then(|s| s.get("schema"))
            .cloned()
            .unwrap_or_else(|| json!({"type": "object"}));
        out.insert(
            "output_config".into(),
            json!({"format": {"type": "json_schema", "schema": schema}}),
        );
    }

    let tools = match fields.get("tools") {
        Some(Value::Array(tools)) => tools
            .iter()
            .map(chat_tool_to_messages)
            .collect::<Result<Vec<_>, _>>()?,
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err(err("`tools` must be an array")),
    };
    if !tools.is_empty() {
        out.insert("tools".into(), tools.into());
        let mut choice = match fields.get("tool_choice") {
            Some(choice) => Some(chat_tool_choice_to_messages(choice)?),
            None => None,
        };
        if fields.get("parallel_tool_calls").and_then(Value::as_bool) == Some(false) {
            let choice = choice.get_or_insert_with(|| json!({"type": "auto"}));
            if block_type(choice) != "none" {
                choice["disable_parallel_tool_use"] = true.into();
            }
        }
        if let Some(choice) = choice {
            out.insert("tool_choice".into(), choice);
        }
    }
    let mut out = Value::Object(out);
    if let Some(effort) = fields.get("reasoning_effort").and_then(Value::as_str) {
        apply_reasoning_effort(Wire::Anthropic, &mut out, effort);
    }
    Ok(out)
}

/// Sets a reasoning effort (`minimal`, `low`, `medium`, `high`; `none`) on
/// a request already in the upstream's format `wire`, after every other
/// parameter. OpenAI: `reasoning_effort`. Anthropic: a request with
/// adaptive thinking (Claude Code's) gets `output_config.effort`
/// (`minimal` → `low`, `none` turns thinking off); any other request gets
/// extended thinking with a budget of 1024 (`low`), 4096 (`medium`) or
/// 16384 (`high`) tokens, `max_tokens` raised by the budget when it would
/// not leave room for an answer, and the sampling parameters Anthropic
/// refuses with thinking (`temperature`, `top_k`, `top_p` below 0.95)
/// left out; `minimal` and `none` turn thinking off.
pub fn apply_reasoning_effort(wire: Wire, body: &mut Value, effort: &str) {
    let Some(obj) = body.as_object_mut() else {
        return;
    };
    if wire == Wire::OpenAi {
        obj.insert("reasoning_effort".into(), effort.into());
        return;
    }
    if obj.get("thinking").map(block_type) == Some("adaptive") {
        if effort == "none" {
            obj.insert("thinking".into(), json!({"type": "disabled"}));
            if let Some(config) = obj.get_mut("output_config").and_then(Value::as_object_mut) {
                config.remove("effort");
            }
            return;
        }
        let effort = if effort == "minimal" { "low" } else { effort };
        let config = obj.entry("output_config").or_insert_with(|| json!({}));
        if let Some(config) = config.as_object_mut() {
            config.insert("effort".into(), effort.into());
        }
        return;
    }
    let Some(budget) = THINKING_BUDGETS
        .iter()
        .find(|(e, _)| *e == effort)
        .map(|(_, budget)| *budget)
    else {
        obj.remove("thinking");
        return;
    };
    // Anthropic counts thinking inside max_tokens and wants room left for
    // the answer.
    let mut max_tokens = obj
        .get("max_tokens")
        .and_then(Value::as_u64)
        .unwrap_or(DEFAULT_MAX_TOKENS);
    if max_tokens <= budget {
        max_tokens += budget;
    }
    obj.insert("max_tokens".into(), max_tokens.into());
    obj.insert(
        "thinking".into(),
        json!({"type": "enabled", "budget_tokens": budget}),
    );
    obj.remove("temperature");
    obj.remove("top_k");
    if obj
        .get("top_p")
        .and_then(Value::as_f64)
        .is_some_and(|p| p < 0.95)
    {
        obj.remove("top_p");
    }
}

/// Appends blocks to the conversation, merging into the previous message
/// when it has the same role: Anthropic wants every tool result of a turn
/// in the one user message that follows it, before any other content.
fn push_turn(messages: &mut Vec<(String, Vec<Value>)>, role: &str, blocks: Vec<Value>) {
    if blocks.is_empty() {
        return;
    }
    match messages.last_mut() {
        Some((last, existing)) if last == role => {
            for block in blocks {
                if block_type(&block) == "tool_result" {
                    let at = existing
                        .iter()
                        .position(|b| block_type(b) != "tool_result")
                        .unwrap_or(existing.len());
                    existing.insert(at, block);
                } else {
                    existing.push(block);
                }
            }
        }
        _ => messages.push((role.to_string(), blocks)),
    }
}

/// The text of OpenAI content: a string or text parts, joined by a blank
/// line.
fn chat_text(content: Option<&Value>) -> Result<String, TranslateError> {
    match content {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(parts)) => {
            let mut texts = Vec::new();
            for part in parts {
                match block_type(part) {
                    "text" => texts.push(str_field(part, "text").unwrap_or("")),
                    other => return Err(err(format!("`{other}` parts are not allowed here"))),
                }
            }
            Ok(texts.join("\n\n"))
        }
        Some(_) => Err(err("`content` must be a string or an array of parts")),
    }
}

/// OpenAI user content as Anthropic blocks. Empty text is left out:
/// Anthropic refuses empty text blocks.
fn chat_parts_to_blocks(content: Option<&Value>) -> Result<Vec<Value>, TranslateError> {
    let text_block = |t: &str| json!({"type": "text", "text": t});
    match content {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) if s.is_empty() => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![text_block(s)]),
        Some(Value::Array(parts)) => {
            let mut blocks = Vec::new();
            for part in parts {
                let mut block = match block_type(part) {
                    "text" => {
                        let text = str_field(part, "text").unwrap_or("");
                        if text.is_empty() {
                            continue;
                        }
                        text_block(text)
                    }
                    "image_url" => {
                        let url = part
                            .get("image_url")
                            .and_then(|i| i.get("url").or(Some(i)))
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        image_to_messages(url)?
                    }
                    "file" => file_to_messages(part)?,
                    other => {
                        return Err(err(format!(
                            "`{other}` content parts have no Anthropic equivalent"
                        )));
                    }
                };
                // Clients that know Anthropic's prompt caching mark parts
                // the way OpenRouter accepts; the mark carries over.
                if let Some(cache) = part.get("cache_control").filter(|c| c.is_object()) {
                    block["cache_control"] = cache.clone();
                }
                blocks.push(block);
            }
            Ok(blocks)
        }
        Some(_) => Err(err("`content` must be a string or an array of parts")),
    }
}

/// Splits a `data:` URL into media type and base64 data.
fn split_data_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    let media_type = meta.strip_suffix(";base64")?;
    Some((media_type, data))
}

fn image_to_messages(url: &str) -> Result<Value, TranslateError> {
    if url.starts_with("data:") {
        let (media_type, data) = split_data_url(url)
            .ok_or_else(|| err("an image data URL must be base64 (`data:TYPE;base64,...`)"))?;
        Ok(
            json!({"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}),
        )
    } else {
        Ok(json!({"type": "image", "source": {"type": "url", "url": url}}))
    }
}

fn file_to_messages(part: &Value) -> Result<Value, TranslateError> {
    let file = part.get("file").unwrap_or(&Value::Null);
    let data = str_field(file, "file_data")
        .ok_or_else(|| err("`file` parts need `file_data` (file ids cannot be read)"))?;
    let (media_type, data) =
        split_data_url(data).ok_or_else(|| err("`file_data` must be a base64 data URL"))?;
    let mut block = json!({"type": "document", "source": {"type": "base64", "media_type": media_type, "data": data}});
    if let Some(name) = str_field(file, "filename") {
        block["title"] = name.into();
    }
    Ok(block)
}

fn chat_assistant_to_blocks(message: &Value) -> Result<Vec<Value>, TranslateError> {
    let mut blocks = Vec::new();
    match message.get("content") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            if !s.is_empty() {
                blocks.push(json!({"type": "text", "text": s}));
            }
        }
        Some(Value::Array(parts)) => {
            for part in parts {
                let text = match block_type(part) {
                    "text" => str_field(part, "text"),
                    "refusal" => str_field(part, "refusal"),
                    other => {
                        return Err(err(format!(
                            "`{other}` parts are not allowed in assistant messages"
                        )));
                    }
                };
                if let Some(text) = text.filter(|t| !t.is_empty()) {
                    blocks.push(json!({"type": "text", "text": text}));
                }
            }
        }
        Some(_) => return Err(err("`content` must be a string or an array of parts")),
    }
    if message.get("function_call").is_some_and(|f| !f.is_null()) {
        return Err(err(
            "legacy `function_call` is not supported; use `tool_calls`",
        ));
    }
    if let Some(calls) = message.get("tool_calls").and_then(Value::as_array) {
        for call in calls {
            let function = call.get("function").unwrap_or(&Value::Null);
            blocks.push(json!({
                "type": "tool_use",
                "id": anthropic_tool_id(str_field(call, "id").unwrap_or("")),
                "name": str_field(function, "name").unwrap_or(""),
                "input": parse_arguments(str_field(function, "arguments").unwrap_or("")),
            }));
        }
    }
    Ok(blocks)
}

/// Tool-call arguments as the object Anthropic's `input` must be. Empty
/// arguments (a tool with no parameters) and arguments a model got wrong
/// become `{}`: the call already happened and the session goes on.
pub(super) fn parse_arguments(arguments: &str) -> Value {
    match serde_json::from_str::<Value>(arguments) {
        Ok(v @ Value::Object(_)) => v,
        _ => json!({}),
    }
}

fn chat_tool_to_messages(tool: &Value) -> Result<Value, TranslateError> {
    match str_field(tool, "type") {
        Some("function") | None => {}
        Some(other) => return Err(err(format!("`{other}` tools have no Anthropic equivalent"))),
    }
    let function = tool
        .get("function")
        .ok_or_else(|| err("a function tool needs `function`"))?;
    let name = str_field(function, "name").ok_or_else(|| err("a function tool needs a name"))?;
    let mut out = json!({"name": name});
    if let Some(description) = function.get("description").filter(|d| d.is_string()) {
        out["description"] = description.clone();
    }
    out["input_schema"] = match function.get("parameters") {
        Some(p) if p.is_object() => p.clone(),
        _ => json!({"type": "object", "properties": {}}),
    };
    Ok(out)
}

fn chat_tool_choice_to_messages(choice: &Value) -> Result<Value, TranslateError> {
    match choice {
        Value::String(s) => match s.as_str() {
            "auto" => Ok(json!({"type": "auto"})),
            "required" => Ok(json!({"type": "any"})),
            "none" => Ok(json!({"type": "none"})),
            other => Err(err(format!("unknown tool_choice `{other}`"))),
        },
        Value::Object(_) => {
            let name = choice
                .get("function")
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str)
                .ok_or_else(|| err("tool_choice needs `function.name`"))?;
            Ok(json!({"type": "tool", "name": name}))
        }
        _ => Err(err("`tool_choice` must be a string or an object")),
    }
}
