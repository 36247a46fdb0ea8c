//! Base URLs: `config::BaseUrl::parse` on the input. A URL it accepts is the
//! one the HTTP client reads (re-parsing it with the `url` crate gives the
//! same URL, and it has no user name, password, query or backslash), its
//! loopback answer agrees with the parsed host, and every endpoint built
//! from it keeps its scheme, host and port.
#![no_main]

use agentc::config::BaseUrl;
use agentc_fuzz::text_of;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text_of(data);
    let Ok(base) = BaseUrl::parse(&text) else {
        return;
    };
    let client = url::Url::parse(&text).expect("accepted URLs parse");
    assert_eq!(client.as_str(), base.as_str());
    assert!(base.as_str() == text || base.as_str() == format!("{text}/"));
    assert!(matches!(client.scheme(), "http" | "https"));
    assert!(client.username().is_empty() && client.password().is_none());
    assert!(client.query().is_none() && client.fragment().is_none());
    assert!(!text.contains('\\'));
    let loopback = match client.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        None => panic!("accepted URL without a host: {text:?}"),
    };
    assert_eq!(base.is_loopback(), loopback);
    for path in ["models", "chat/completions", "api/tags"] {
        for u in [base.endpoint(path), base.server_root().endpoint(path)] {
            assert_eq!(u.scheme(), client.scheme());
            assert_eq!(u.host(), client.host());
            assert_eq!(u.port(), client.port());
            assert!(u.username().is_empty() && u.password().is_none());
        }
    }
    let again = BaseUrl::parse(base.as_str()).expect("an accepted URL is accepted again");
    assert_eq!(again, base);
});
