//! Built-in provider presets, usable with no config at all.

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
/// `host:port` or a URL) as the Ollama CLI does.
pub fn ollama_base_url(ollama_host: Option<&str>) -> String {
    let Some(host) = ollama_host.map(str::trim).filter(|h| !h.is_empty()) else {
        return "http://localhost:11434/v1".to_string();
    };
    let (scheme, rest) = match host.split_once("://") {
        Some((s, r)) => (s, r),
        None => ("http", host),
    };
    let rest = rest.trim_end_matches('/');
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let has_port = if authority.starts_with('[') {
        authority.contains("]:")
    } else {
        authority.contains(':')
    };
    let authority = if has_port {
        authority.to_string()
    } else {
        let default_port = if scheme == "https" { 443 } else { 11434 };
        format!("{authority}:{default_port}")
    };
    format!("{scheme}://{authority}{path}/v1")
}

/// The parts of a base URL agentc needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlParts {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
}

/// Parses `http(s)://host[:port][/path]`; `None` if it is not such a URL.
pub fn parse_url(url: &str) -> Option<UrlParts> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        (h.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.parse().ok()?)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    Some(UrlParts {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
    })
}

/// Whether a host is this machine: `localhost`, 127.0.0.0/8, `::1`.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h == "localhost" || h.ends_with(".localhost") {
        return true;
    }
    match h.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ollama_host_forms() {
        assert_eq!(ollama_base_url(None), "http://localhost:11434/v1");
        assert_eq!(
            ollama_base_url(Some("127.0.0.1")),
            "http://127.0.0.1:11434/v1"
        );
        assert_eq!(
            ollama_base_url(Some("0.0.0.0:9999")),
            "http://0.0.0.0:9999/v1"
        );
        assert_eq!(
            ollama_base_url(Some("http://gpu-box:11434/")),
            "http://gpu-box:11434/v1"
        );
        assert_eq!(
            ollama_base_url(Some("https://ollama.example")),
            "https://ollama.example:443/v1"
        );
    }

    #[test]
    fn urls_and_loopback() {
        let u = parse_url("https://API.example.com:8443/v1").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("api.example.com", Some(8443)));
        assert_eq!(parse_url("http://[::1]:8080/v1").unwrap().host, "::1");
        assert!(parse_url("ftp://x").is_none());
        assert!(parse_url("localhost:1234").is_none());
        assert!(parse_url("http://").is_none());
        assert!(is_loopback_host("127.0.0.5"));
        assert!(is_loopback_host("localhost"));
        assert!(is_loopback_host("::1"));
        assert!(!is_loopback_host("10.0.0.1"));
        assert!(!is_loopback_host("llm.corp.example"));
    }
}
