//! Reading the servers' answers: which server answered, and what it says of
//! each model. Pure functions over the JSON each server documents, so the
//! probe's I/O and its interpretation can be tested apart. A field a server
//! does not send stays `None`; nothing is guessed.

use super::ModelInfo;
use serde_json::Value;

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn u64_field(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

fn string_list<'a>(v: &'a Value, key: &str) -> Option<Vec<&'a str>> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
}

fn model(id: &str) -> ModelInfo {
    ModelInfo {
        id: id.to_string(),
        loaded: None,
        context_length: None,
        vision: None,
        tools: None,
    }
}

/// The `data` list of an OpenAI-style model listing, if `v` is one.
fn data(v: &Value) -> Option<&Vec<Value>> {
    v.get("data").and_then(Value::as_array)
}

/// LM Studio's `GET /api/v0/models`: `{"data": [{"id", "type": "llm" |
/// "vlm" | "embeddings", "state": "loaded" | "not-loaded",
/// "max_context_length", "capabilities"?: ["tool_use"]}]}`. Only LM Studio
/// serves this path, so any such listing identifies it.
pub fn lm_studio(v: &Value) -> Option<Vec<ModelInfo>> {
    let items = data(v)?;
    Some(
        items
            .iter()
            .filter_map(|item| {
                let mut m = model(str_field(item, "id")?);
                m.loaded = match str_field(item, "state") {
                    Some("loaded") => Some(true),
                    Some("not-loaded") => Some(false),
                    _ => None,
                };
                m.context_length = u64_field(item, "max_context_length");
                m.vision = match str_field(item, "type") {
                    Some("vlm") => Some(true),
                    Some("llm") | Some("embeddings") => Some(false),
                    _ => None,
                };
                // Older versions send no `capabilities`: then nothing is known.
                m.tools = string_list(item, "capabilities").map(|c| c.contains(&"tool_use"));
                Some(m)
            })
            .collect(),
    )
}

/// What llama.cpp's `GET /props` says of the model it serves.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LlamaProps {
    pub context_length: Option<u64>,
    pub vision: Option<bool>,
    pub tools: Option<bool>,
    /// The model's name when `/v1/models` does not answer: its alias, else
    /// the file name of `model_path`.
    pub model: Option<String>,
}

/// llama.cpp's `GET /props`: `{"default_generation_settings": {"n_ctx"},
/// "modalities": {"vision"}, "chat_template_caps": {"supports_tool_calls"},
/// "model_path", "model_alias"?}`. `default_generation_settings` is what
/// identifies llama.cpp.
pub fn llama_props(v: &Value) -> Option<LlamaProps> {
    let settings = v.get("default_generation_settings")?.as_object()?;
    let model = str_field(v, "model_alias")
        .map(str::to_string)
        .or_else(|| {
            str_field(v, "model_path").map(|p| {
                p.rsplit(['/', '\\'])
                    .next()
                    .unwrap_or(p)
                    .trim_end_matches(".gguf")
                    .to_string()
            })
        })
        .filter(|m| !m.is_empty());
    Some(LlamaProps {
        context_length: settings.get("n_ctx").and_then(Value::as_u64),
        vision: v
            .get("modalities")
            .and_then(|m| m.get("vision"))
            .and_then(Value::as_bool),
        tools: v
            .get("chat_template_caps")
            .and_then(|c| c.get("supports_tool_calls"))
            .and_then(Value::as_bool),
        model,
    })
}

/// The models of a llama.cpp server: its `/v1/models` ids (or the model
/// `/props` names), each with what `/props` says. A listed model is loaded,
/// unless the entry says otherwise (`status.value` in router mode).
pub fn llama_models(props: &LlamaProps, listing: Option<&Value>) -> Vec<ModelInfo> {
    let with_props = |id: &str, loaded: Option<bool>| ModelInfo {
        id: id.to_string(),
        loaded,
        context_length: props.context_length,
        vision: props.vision,
        tools: props.tools,
    };
    match listing.and_then(data) {
        Some(items) => items
            .iter()
            .filter_map(|item| {
                let id = str_field(item, "id")?;
                let loaded = match item
                    .get("status")
                    .and_then(|s| s.get("value"))
                    .and_then(Value::as_str)
                {
                    Some(state) => Some(state == "loaded"),
                    None => Some(true),
                };
                Some(with_props(id, loaded))
            })
            .collect(),
        None => props
            .model
            .iter()
            .map(|m| with_props(m, Some(true)))
            .collect(),
    }
}

/// Ollama's `GET /api/tags`: `{"models": [{"name", "model", ...}]}`. The
/// names, in the server's order.
pub fn ollama_tags(v: &Value) -> Option<Vec<String>> {
    let items = v.get("models")?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|m| str_field(m, "name").or_else(|| str_field(m, "model")))
            .map(str::to_string)
            .collect(),
    )
}

/// Ollama's `GET /api/ps`: the names of the models in memory.
pub fn ollama_running(v: &Value) -> Option<Vec<String>> {
    ollama_tags(v)
}

/// Ollama's `POST /api/show` for one model: `capabilities` (`["completion",
/// "vision", "tools", ...]`) and `model_info` with `<arch>.context_length`.
pub fn ollama_show(name: &str, show: Option<&Value>, running: Option<&[String]>) -> ModelInfo {
    let mut m = model(name);
    m.loaded = running.map(|r| r.iter().any(|n| n == name));
    let Some(show) = show else { return m };
    if let Some(caps) = string_list(show, "capabilities") {
        m.vision = Some(caps.contains(&"vision"));
        m.tools = Some(caps.contains(&"tools"));
    }
    m.context_length = show
        .get("model_info")
        .and_then(Value::as_object)
        .and_then(|info| {
            info.iter()
                .filter(|(k, _)| k.ends_with(".context_length"))
                .find_map(|(_, v)| v.as_u64())
        });
    m
}

/// Which server an OpenAI-style `GET /v1/models` listing comes from, by the
/// marks servers leave in it: vLLM's `owned_by: "vllm"` and
/// `max_model_len`, llama.cpp's `owned_by: "llamacpp"`.
pub fn listing_server(v: &Value) -> Option<crate::model::config::ProviderKind> {
    use crate::model::config::ProviderKind;
    let items = data(v)?;
    let owned = |who: &str| items.iter().any(|i| str_field(i, "owned_by") == Some(who));
    Some(
        if owned("vllm") || items.iter().any(|i| i.get("max_model_len").is_some()) {
            ProviderKind::Vllm
        } else if owned("llamacpp") {
            ProviderKind::LlamaCpp
        } else {
            ProviderKind::OpenaiCompatible
        },
    )
}

/// The models of an OpenAI-style listing. vLLM serves only what it has
/// loaded and says each model's `max_model_len`; other servers say neither.
pub fn listing_models(v: &Value, server: crate::model::config::ProviderKind) -> Vec<ModelInfo> {
    let vllm = server == crate::model::config::ProviderKind::Vllm;
    data(v)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    let mut m = model(str_field(item, "id")?);
                    if vllm {
                        m.loaded = Some(true);
                        m.context_length = u64_field(item, "max_model_len");
                    }
                    Some(m)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::ProviderKind;
    use serde_json::json;

    #[test]
    fn lm_studio_listing() {
        let v = json!({"object": "list", "data": [
            {"id": "qwen2-vl-7b-instruct", "object": "model", "type": "vlm", "state": "not-loaded", "max_context_length": 32768},
            {"id": "qwen-2.5-7b", "type": "llm", "state": "loaded", "max_context_length": 32768, "capabilities": ["tool_use"]},
            {"object": "model"}
        ]});
        let m = lm_studio(&v).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].loaded, m[0].vision, m[0].tools, m[0].context_length),
            (Some(false), Some(true), None, Some(32768))
        );
        assert_eq!((m[1].loaded, m[1].tools), (Some(true), Some(true)));
        assert!(lm_studio(&json!({"error": "not found"})).is_none());
    }

    #[test]
    fn llama_cpp_props_and_listing() {
        let props = llama_props(&json!({
            "default_generation_settings": {"n_ctx": 8192},
            "modalities": {"vision": true},
            "model_path": "/models/gemma-3-4b-it-Q8_0.gguf"
        }))
        .unwrap();
        assert_eq!(props.model.as_deref(), Some("gemma-3-4b-it-Q8_0"));
        assert_eq!(props.tools, None);
        let listed = llama_models(
            &props,
            Some(&json!({"data": [{"id": "gemma", "owned_by": "llamacpp"}]})),
        );
        assert_eq!(listed[0].id, "gemma");
        assert_eq!(
            (listed[0].loaded, listed[0].context_length, listed[0].vision),
            (Some(true), Some(8192), Some(true))
        );
        assert_eq!(llama_models(&props, None)[0].id, "gemma-3-4b-it-Q8_0");
        assert!(llama_props(&json!({"models": []})).is_none());
    }

    #[test]
    fn ollama_show_reads_capabilities_and_context() {
        let show = json!({"capabilities": ["completion", "tools"], "model_info": {"general.architecture": "qwen2", "qwen2.context_length": 32768}});
        let running = vec!["other:1b".to_string()];
        let m = ollama_show("qwen2.5-coder:7b", Some(&show), Some(&running));
        assert_eq!(
            (m.loaded, m.vision, m.tools, m.context_length),
            (Some(false), Some(false), Some(true), Some(32768))
        );
        let unknown = ollama_show("x", None, None);
        assert_eq!((unknown.loaded, unknown.vision), (None, None));
    }

    #[test]
    fn listings_name_their_server() {
        let vllm = json!({"data": [{"id": "Qwen/Qwen2.5-7B-Instruct", "owned_by": "vllm", "max_model_len": 32768}]});
        assert_eq!(listing_server(&vllm), Some(ProviderKind::Vllm));
        let m = listing_models(&vllm, ProviderKind::Vllm);
        assert_eq!(
            (m[0].loaded, m[0].context_length),
            (Some(true), Some(32768))
        );
        let plain = json!({"data": [{"id": "gpt-x", "owned_by": "system"}]});
        assert_eq!(listing_server(&plain), Some(ProviderKind::OpenaiCompatible));
        assert_eq!(
            listing_models(&plain, ProviderKind::OpenaiCompatible)[0].loaded,
            None
        );
        assert_eq!(listing_server(&json!([1, 2])), None);
    }
}
