//! `secret-in-definition`: literal credentials in frontmatter or config.
//! The message names the kind of key, never the key itself.

/// The kind of credential `value` looks like, if any. Tokens are scanned at
/// word boundaries so a key pasted inside a header value is found too.
pub fn credential_kind(value: &str) -> Option<&'static str> {
    // Every key shape is at least 15 characters of `[A-Za-z0-9_-]`: one pass
    // over the bytes finds such runs, and only those are examined. (Every
    // description and prompt-like value goes through here.)
    const SHORTEST: usize = 15;
    let bytes = value.as_bytes();
    let mut start = 0;
    for i in 0..=bytes.len() {
        let in_token = bytes
            .get(i)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !in_token {
            if i - start >= SHORTEST
                && let Some(kind) = token_kind(&value[start..i])
            {
                return Some(kind);
            }
            start = i + 1;
        }
    }
    None
}

fn count_while(s: &str, ok: impl Fn(char) -> bool) -> usize {
    s.chars().take_while(|&c| ok(c)).count()
}

fn token_kind(t: &str) -> Option<&'static str> {
    let key_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if let Some(rest) = t.strip_prefix("sk-") {
        // Require a digit: real keys have them, prose such as
        // "sk-learn-pipeline-optimisation" does not.
        let vendor = if rest.starts_with("ant-") {
            "an Anthropic API key"
        } else if rest.starts_with("proj-") {
            "an OpenAI project key"
        } else {
            "an API key"
        };
        if count_while(rest, key_char) >= 20 && rest.chars().any(|c| c.is_ascii_digit()) {
            return Some(vendor);
        }
    }
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if let Some(rest) = t.strip_prefix(prefix)
            && count_while(rest, |c| c.is_ascii_alphanumeric()) >= 36
        {
            return Some("a GitHub token");
        }
    }
    if let Some(rest) = t.strip_prefix("github_pat_")
        && count_while(rest, |c| c.is_ascii_alphanumeric() || c == '_') >= 22
    {
        return Some("a GitHub token");
    }
    if let Some(rest) = t.strip_prefix("AKIA")
        && count_while(rest, |c| c.is_ascii_uppercase() || c.is_ascii_digit()) >= 16
    {
        return Some("an AWS access key");
    }
    if let Some(rest) = t.strip_prefix("AIza")
        && count_while(rest, key_char) >= 35
    {
        return Some("a Google API key");
    }
    for prefix in ["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"] {
        if let Some(rest) = t.strip_prefix(prefix)
            && count_while(rest, |c| c.is_ascii_alphanumeric() || c == '-') >= 10
        {
            return Some("a Slack token");
        }
    }
    None
}

/// Keys whose every literal value is a secret (`api_key`, `token`, ...).
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('-', "_");
    matches!(
        k.as_str(),
        "api_key" | "apikey" | "token" | "secret" | "password"
    )
}

/// A value that refers to a secret instead of holding one: `${VAR}`,
/// `$VAR`, `{{ secrets.X }}`, `env:VAR`.
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.starts_with('$') || v.contains("${") || v.contains("{{") || v.starts_with("env:")
}

/// The finding for a literal under `key` with `value`, if it is a secret.
pub fn check(key: Option<&str>, value: &str) -> Option<String> {
    if let Some(kind) = credential_kind(value) {
        return Some(format!(
            "{kind} is written literally here; keep secrets out of definitions"
        ));
    }
    match key {
        Some(k) if is_secret_key(k) && !value.trim().is_empty() && !is_reference(value) => Some(
            format!("`{k}` holds a literal secret; keep secrets out of definitions"),
        ),
        _ => None,
    }
}

pub const HELP: &str = "name the environment variable instead: `api_key_env = \"MY_PROVIDER_KEY\"`, and rotate the exposed key";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_shapes_are_found() {
        let fake20 = "Ab1".repeat(8);
        assert!(credential_kind(&format!("sk-ant-api03-{fake20}")).is_some());
        assert!(credential_kind(&format!("sk-proj-{fake20}")).is_some());
        assert!(credential_kind(&format!("Bearer sk-{fake20}")).is_some());
        assert!(credential_kind(&format!("ghp_{}", "a1".repeat(18))).is_some());
        assert!(credential_kind(&format!("github_pat_{}", "a1_".repeat(8))).is_some());
        assert!(credential_kind("AKIAABCDEFGHIJKLMNOP").is_some());
        assert!(credential_kind(&format!("AIza{}", "x1".repeat(18))).is_some());
        assert!(credential_kind("xoxb-1234567890-abc").is_some());
    }

    #[test]
    fn prose_and_short_strings_are_not_secrets() {
        assert!(credential_kind("sk-learn-pipeline-optimisation-guide").is_none());
        assert!(credential_kind("sk-short1").is_none());
        assert!(credential_kind("use the AKIA prefix").is_none());
        assert!(credential_kind("ghp_tooshort").is_none());
    }

    #[test]
    fn secret_keys_flag_literals_but_not_references() {
        assert!(check(Some("api_key"), "hunter2").is_some());
        assert!(check(Some("password"), "${{ secrets.PW }}").is_none());
        assert!(check(Some("token"), "$TOKEN").is_none());
        assert!(check(Some("token"), "").is_none());
        assert!(check(Some("description"), "hunter2").is_none());
        let msg = check(Some("api_key"), "hunter2").unwrap();
        assert!(!msg.contains("hunter2"));
    }
}
