//! Built-in provider presets, usable with no config at all.

use super::BaseUrl;

/// What kind of server a provider is; decides how it is probed and called.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProviderKind {
    LmStudio,
    Ollama,
    LlamaCpp,
    Vllm,
    OpenaiCompatible,
    Anthropic,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 6] = [
        ProviderKind::LmStudio,
        ProviderKind::Ollama,
        ProviderKind::LlamaCpp,
        ProviderKind::Vllm,
        ProviderKind::OpenaiCompatible,
        ProviderKind::Anthropic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::LmStudio => "lm-studio",
            ProviderKind::Ollama => "ollama",
            ProviderKind::LlamaCpp => "llama-cpp",
            ProviderKind::Vllm => "vllm",
            ProviderKind::OpenaiCompatible => "openai-compatible",
            ProviderKind::Anthropic => "anthropic",
        }
    }

    pub fn parse(s: &str) -> Option<ProviderKind> {
        ProviderKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A server that usually runs on the user's machine.
    pub fn is_local_server(self) -> bool {
        matches!(
            self,
            ProviderKind::LmStudio
                | ProviderKind::Ollama
                | ProviderKind::LlamaCpp
                | ProviderKind::Vllm
        )
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub id: &'static str,
    pub kind: ProviderKind,
    pub base_url: &'static str,
    pub api_key_env: Option<&'static str>,
}

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "anthropic",
        kind: ProviderKind::Anthropic,
        base_url: "https://api.anthropic.com/v1",
        api_key_env: Some("ANTHROPIC_API_KEY"),
    },
    Preset {
        id: "deepseek",
        kind: ProviderKind::OpenaiCompatible,
        base_url: "https://api.deepseek.com/v1",
        api_key_env: Some("DEEPSEEK_API_KEY"),
    },
    Preset {
        id: "gemini",
        kind: ProviderKind::OpenaiCompatible,
        base_url: "https://generativelanguage.googleapis.com/v1beta/openai",
        api_key_env: Some("GEMINI_API_KEY"),
    },
    Preset {
        id: "llama-cpp",
        kind: ProviderKind::LlamaCpp,
        base_url: "http://localhost:8080/v1",
        api_key_env: None,
    },
    Preset {
        id: "lm-studio",
        kind: ProviderKind::LmStudio,
        base_url: "http://localhost:1234/v1",
        api_key_env: None,
    },
    Preset {
        id: "ollama",
        kind: ProviderKind::Ollama,
        base_url: "http://localhost:11434/v1",
        api_key_env: None,
    },
    Preset {
        id: "openai",
        kind: ProviderKind::OpenaiCompatible,
        base_url: "https://api.openai.com/v1",
        api_key_env: Some("OPENAI_API_KEY"),
    },
    Preset {
        id: "openrouter",
        kind: ProviderKind::OpenaiCompatible,
        base_url: "https://openrouter.ai/api/v1",
        api_key_env: Some("OPENROUTER_API_KEY"),
    },
    Preset {
        id: "vllm",
        kind: ProviderKind::Vllm,
        base_url: "http://localhost:8000/v1",
        api_key_env: None,
    },
];

pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// The preset whose key variable is `var`.
pub fn preset_for_key(var: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.api_key_env == Some(var))
}

/// The Ollama preset's base URL, honouring `OLLAMA_HOST` (`host`,
/// `host:port` or a URL) as the Ollama CLI does; `None` when the variable
/// is not a usable address.
pub fn ollama_base_url(ollama_host: Option<&str>) -> Option<BaseUrl> {
    let Some(host) = ollama_host.map(str::trim).filter(|h| !h.is_empty()) else {
        return BaseUrl::parse("http://localhost:11434/v1").ok();
    };
    let with_scheme = if host.contains("://") {
        host.to_string()
    } else {
        format!("http://{host}")
    };
    let mut url = url::Url::parse(&with_scheme).ok()?;
    if url.port().is_none() && url.scheme() == "http" {
        url.set_port(Some(11434)).ok()?;
    }
    let path = format!("{}/v1", url.path().trim_end_matches('/'));
    url.set_path(&path);
    BaseUrl::parse(url.as_str()).ok()
}

impl Preset {
    /// The preset's base URL, parsed.
    pub fn url(&self) -> Option<BaseUrl> {
        BaseUrl::parse(self.base_url).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ollama_host_forms() {
        let url = |h: Option<&str>| ollama_base_url(h).map(|u| u.as_str().to_string());
        assert_eq!(url(None).unwrap(), "http://localhost:11434/v1");
        assert_eq!(url(Some("127.0.0.1")).unwrap(), "http://127.0.0.1:11434/v1");
        assert_eq!(url(Some("0.0.0.0:9999")).unwrap(), "http://0.0.0.0:9999/v1");
        assert_eq!(
            url(Some("http://gpu-box:11434/")).unwrap(),
            "http://gpu-box:11434/v1"
        );
        assert_eq!(
            url(Some("https://ollama.example")).unwrap(),
            "https://ollama.example/v1"
        );
        assert_eq!(url(Some("http://u:p@gpu-box")), None);
    }

    #[test]
    fn every_preset_url_is_read_as_written() {
        for p in PRESETS {
            assert_eq!(p.url().unwrap().as_str(), p.base_url, "{}", p.id);
        }
    }
}
