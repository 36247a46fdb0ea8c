//! Config parsing: the input is a project `agentc.toml`, optionally followed
//! by a NUL byte and a user `agentc.toml`, optionally followed by another NUL
//! and an `OLLAMA_HOST` value. Both are parsed, merged and checked; every
//! finding points into the file it names.
#![no_main]

use agentc::config::{self, Config, NoTrust};
use agentc::resolve;
use agentc::source::{FileId, Scope};
use agentc_fuzz::{assert_diagnostics, text_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text_of(data);
    let mut parts = text.splitn(3, '\0');
    let project_text = parts.next().unwrap_or_default();
    let user_text = parts.next().unwrap_or_default();
    let ollama_host = parts.next();
    let files = [project_text, user_text];

    let (project, mut diags) = config::parse(FileId(0), project_text, Scope::Project);
    let (user, user_diags) = config::parse(FileId(1), user_text, Scope::User);
    diags.extend(user_diags);
    assert_diagnostics(&diags, &files);

    let mut merged = Vec::new();
    let config = Config::merge(project, user, &NoTrust, ollama_host, &mut merged);
    resolve::check_config(&config, &mut merged);
    assert_diagnostics(&merged, &files);
});
