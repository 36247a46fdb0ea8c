//! The HTTP client setup shared by provider probing and the executor.

/// A reqwest client builder with agentc's user agent and the `ring` TLS
/// crypto provider installed (reqwest leaves that choice to the program;
/// an already installed provider is kept).
pub fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().user_agent(concat!("agentc/", env!("CARGO_PKG_VERSION")))
}
