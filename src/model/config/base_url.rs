//! A provider's `base_url`, read once with the `url` crate (WHATWG rules,
//! the parser the HTTP client uses) and kept parsed. Every decision about a
//! provider's address (loopback or not, which host a key goes to, what is
//! shown) and every request is made on this one value, so a URL that two
//! parsers would read differently cannot steer a key elsewhere.

use std::fmt;

/// A parsed `http://` or `https://` base URL with a host, and with nothing
/// the parser would have rewritten: what the user wrote is what is called.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl(url::Url);

/// Why a string is not a usable base URL. The messages never repeat the
/// value: it may carry a password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlProblem {
    /// Not a URL at all.
    NotAUrl(String),
    /// A scheme other than http or https.
    Scheme(String),
    /// `user@` or `user:password@` before the host.
    Userinfo { password: bool },
    /// A `\`, which WHATWG reads as `/` and other parsers do not.
    Backslash,
    /// No host.
    EmptyHost,
    /// A `?query` or `#fragment`, which a base URL cannot carry.
    QueryOrFragment,
    /// Control characters or spaces.
    Control,
    /// The parser would send the request to a rewritten form of the value.
    Normalised { as_parsed: String },
}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlProblem::NotAUrl(why) => write!(f, "is not a URL ({why})"),
            UrlProblem::Scheme(s) => write!(
                f,
                "has the scheme `{}`; only http:// and https:// are called",
                crate::render::escape::escape(s)
            ),
            UrlProblem::Userinfo { password: true } => {
                f.write_str("carries a user name and password before the host")
            }
            UrlProblem::Userinfo { password: false } => {
                f.write_str("carries a user name before the host (`user@`)")
            }
            UrlProblem::Backslash => f.write_str(
                "contains a backslash, which HTTP clients read as `/` and other parsers do not",
            ),
            UrlProblem::EmptyHost => f.write_str("has no host"),
            UrlProblem::QueryOrFragment => f.write_str("has a query or fragment"),
            UrlProblem::Control => f.write_str("contains spaces or control characters"),
            UrlProblem::Normalised { .. } => {
                f.write_str("is not written the way the HTTP client reads it")
            }
        }
    }
}

impl UrlProblem {
    /// A hint for the config diagnostic.
    pub fn help(&self) -> String {
        match self {
            UrlProblem::Normalised { as_parsed } => format!(
                "the HTTP client would call `{}`; write that, so that what is reviewed is what is called",
                crate::render::escape::escape(as_parsed)
            ),
            UrlProblem::Userinfo { .. } => {
                "write `http://host:port/v1` and name the key's variable in `api_key_env`".into()
            }
            _ => "write it as `http://host:port/v1` or `https://host/v1`".into(),
        }
    }
}

impl BaseUrl {
    /// Reads `s` as the HTTP client will, and refuses anything that reader
    /// and a reviewer could take for two different addresses.
    pub fn parse(s: &str) -> Result<BaseUrl, UrlProblem> {
        if s.contains('\\') {
            return Err(UrlProblem::Backslash);
        }
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(UrlProblem::Control);
        }
        let url = url::Url::parse(s).map_err(|e| UrlProblem::NotAUrl(e.to_string()))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(UrlProblem::Scheme(url.scheme().to_string()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlProblem::Userinfo {
                password: url.password().is_some_and(|p| !p.is_empty()),
            });
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(UrlProblem::EmptyHost);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(UrlProblem::QueryOrFragment);
        }
        // `http://host` and `http://host/` are one URL; anything else the
        // parser changed (case, `127.1`, `%6c`, `@`, dots, default ports) is
        // a second reading.
        let same = url.as_str() == s || (url.path() == "/" && url.as_str() == format!("{s}/"));
        if !same {
            return Err(UrlProblem::Normalised {
                as_parsed: url.as_str().to_string(),
            });
        }
        Ok(BaseUrl(url))
    }

    /// The URL exactly as requests use it.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn url(&self) -> &url::Url {
        &self.0
    }

    /// The host as the client connects to it (IPv6 without brackets).
    pub fn host(&self) -> String {
        match self.0.host() {
            Some(url::Host::Ipv6(a)) => a.to_string(),
            Some(h) => h.to_string(),
            None => String::new(),
        }
    }

    /// This machine, literally: `localhost`, 127.0.0.0/8 or `::1`. Names
    /// under `.localhost` are not: a resolver may send them anywhere.
    pub fn is_loopback(&self) -> bool {
        match self.0.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(a)) => a.is_loopback(),
            Some(url::Host::Ipv6(a)) => a.is_loopback(),
            None => false,
        }
    }

    /// `path` (segments joined by `/`) below the base URL's path.
    pub fn endpoint(&self, path: &str) -> url::Url {
        let mut u = self.0.clone();
        if let Ok(mut segments) = u.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(path.split('/').filter(|s| !s.is_empty()));
        }
        u
    }

    /// The server's root: the base URL without a final `/v1`, where native
    /// endpoints (`/api/tags`, `/props`) live.
    pub fn server_root(&self) -> BaseUrl {
        let mut u = self.0.clone();
        let trimmed = u.path().trim_end_matches('/');
        if let Some(root) = trimmed.strip_suffix("/v1") {
            let root = root.to_string();
            u.set_path(&root);
        }
        BaseUrl(u)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({:?})", self.as_str())
    }
}

impl serde::Serialize for BaseUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for BaseUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BaseUrl::parse(&s).map_err(|p| serde::de::Error::custom(format!("base_url {p}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_urls_are_kept_as_written() {
        for s in [
            "http://localhost:1234/v1",
            "https://api.deepseek.com/v1",
            "http://[::1]:8080/v1",
            "http://127.0.0.1:9/v1/",
            "https://generativelanguage.googleapis.com/v1beta/openai",
        ] {
            assert_eq!(BaseUrl::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(
            BaseUrl::parse("http://localhost:1234").unwrap().as_str(),
            "http://localhost:1234/"
        );
    }

    #[test]
    fn second_readings_are_refused() {
        let bad = |s: &str| BaseUrl::parse(s).unwrap_err();
        assert_eq!(
            bad("http://203.0.113.7:18002\\@localhost/v1"),
            UrlProblem::Backslash
        );
        assert_eq!(
            bad("http://u:p@localhost/v1"),
            UrlProblem::Userinfo { password: true }
        );
        assert_eq!(
            bad("http://u@localhost/v1"),
            UrlProblem::Userinfo { password: false }
        );
        assert!(matches!(bad("ftp://localhost/v1"), UrlProblem::Scheme(_)));
        assert!(matches!(bad("file:///etc/passwd"), UrlProblem::Scheme(_)));
        assert!(matches!(bad("localhost:1234"), UrlProblem::Scheme(_)));
        assert!(matches!(bad("http://"), UrlProblem::NotAUrl(_)));
        assert_eq!(bad("http://h/v1?x=1"), UrlProblem::QueryOrFragment);
        assert_eq!(bad("http://h/v1 "), UrlProblem::Control);
        for s in [
            "http://127.1:8000/v1",
            "http://2130706433/v1",
            "http://LOCALHOST/v1",
            "HTTP://localhost/v1",
            "http://%6cocalhost/v1",
            "http://localhost:80/v1",
            "http://localhost/a/../v1",
            "http://@localhost/v1",
            "http:///localhost/v1",
        ] {
            assert!(
                matches!(bad(s), UrlProblem::Normalised { .. }),
                "{s}: {:?}",
                BaseUrl::parse(s)
            );
        }
    }

    #[test]
    fn loopback_is_literal() {
        let lo = |s: &str| BaseUrl::parse(s).unwrap().is_loopback();
        assert!(lo("http://localhost:1/v1"));
        assert!(lo("http://127.0.0.5:1/v1"));
        assert!(lo("http://[::1]:1/v1"));
        assert!(!lo("http://evil.localhost:1/v1"));
        assert!(!lo("http://localhost.:1/v1"));
        assert!(!lo("http://10.0.0.1/v1"));
        assert!(!lo("http://0.0.0.0:1/v1"));
    }

    #[test]
    fn endpoints_and_roots() {
        let b = BaseUrl::parse("http://127.0.0.1:9/v1/").unwrap();
        assert_eq!(
            b.endpoint("chat/completions").as_str(),
            "http://127.0.0.1:9/v1/chat/completions"
        );
        assert_eq!(
            b.server_root().endpoint("api/tags").as_str(),
            "http://127.0.0.1:9/api/tags"
        );
        let b = BaseUrl::parse("http://h:1").unwrap();
        assert_eq!(b.endpoint("models").as_str(), "http://h:1/models");
        assert_eq!(b.server_root().as_str(), "http://h:1/");
        assert_eq!(b.host(), "h");
        assert_eq!(BaseUrl::parse("http://[::1]:1/v1").unwrap().host(), "::1");
    }
}
