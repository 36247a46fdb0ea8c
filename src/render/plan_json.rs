//! The plan's JSON written as it is made, for `agentc plan --format json`.
//! A large project's entries are made, serialised and written a chunk at a
//! time, so neither every entry nor the whole text is held at once; the
//! bytes are those of [`Plan::to_json`](crate::route::plan::Plan::to_json).

use crate::check::project::{Agent, Project};
use crate::diagnostic::Diagnostic;
use crate::route::plan::{self, EMPTY_AGENTS};
use crate::source::SourceMap;
use rayon::prelude::*;
use std::io::{self, Write};

/// Entries made and written together: enough to keep both cores busy,
/// few enough that their text is small next to the project.
const CHUNK: usize = 2048;

/// Entries a worker writes into one buffer: few allocations, and runs
/// short enough to share a chunk evenly between the cores.
const ENTRIES_PER_BUFFER: usize = 64;

/// How many agents the plan of `project` lists (its `summary.agents`).
pub fn agent_count(project: &Project) -> usize {
    entries_of(project).count()
}

/// The agents that get an entry: those in the plan whose route resolved.
fn entries_of(project: &Project) -> impl Iterator<Item = &Agent> {
    project.planned().filter(|a| a.resolution.is_some())
}

/// Writes the plan of a loaded project as JSON to `w`; `diagnostics` are
/// the findings of the load, counted in the summary.
pub fn write(
    project: &Project,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    w: &mut dyn Write,
) -> io::Result<()> {
    write_chunked(project, sources, diagnostics, w, CHUNK, || Ok(()))
}

/// [`write`], running `first` (the findings' report on stderr) while the
/// first entries are made, and before anything is written to `w`.
pub fn write_after(
    project: &Project,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    w: &mut dyn Write,
    first: impl FnOnce() -> io::Result<()> + Send,
) -> io::Result<()> {
    write_chunked(project, sources, diagnostics, w, CHUNK, first)
}

fn write_chunked(
    project: &Project,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    w: &mut dyn Write,
    chunk: usize,
    first: impl FnOnce() -> io::Result<()> + Send,
) -> io::Result<()> {
    let agents: Vec<&Agent> = entries_of(project).collect();
    let mut rest = plan::assemble(project, sources, diagnostics, Vec::new());
    rest.summary.agents = agents.len();
    let whole_rest = rest.to_json();
    let tail = match whole_rest.strip_prefix(EMPTY_AGENTS) {
        Some(tail) if !agents.is_empty() => tail,
        // No agents: the plan is its own JSON. Another layout: made whole.
        _ if agents.is_empty() => {
            first()?;
            return w.write_all(whole_rest.as_bytes());
        }
        _ => {
            let whole = plan::build(project, sources, diagnostics).to_json();
            first()?;
            return w.write_all(whole.as_bytes());
        }
    };
    // Each task writes a run of entries into one buffer, each entry after
    // the `,\n` that separates it from the one before (the first entry of
    // the plan is written without it).
    let make = |part: &[&Agent]| -> Vec<Vec<u8>> {
        part.par_chunks(ENTRIES_PER_BUFFER)
            .map(|run| {
                let mut buf = Vec::new();
                for a in run {
                    let at = buf.len();
                    buf.extend_from_slice(b",\n");
                    if !plan::write_entry(a, project, sources, &mut buf) {
                        buf.truncate(at);
                    }
                }
                buf
            })
            .collect()
    };
    let mut parts = agents.chunks(chunk.max(1));
    let head = parts.next().unwrap_or_default();
    let (done, head) = rayon::join(first, || make(head));
    done?;
    // As `plan::write_spliced` lays the entries out.
    w.write_all(b"{\n  \"agents\": [\n")?;
    let mut written = false;
    for buffers in std::iter::once(head).chain(parts.map(make)) {
        for buf in buffers.iter().filter(|b| !b.is_empty()) {
            let text = if written { &buf[..] } else { &buf[2..] };
            written = true;
            w.write_all(text)?;
        }
    }
    w.write_all(b"\n  ],\n")?;
    w.write_all(tail.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::project::{self, LoadRequest};
    use crate::discover::{self, Env};

    fn project_with(agents: usize, dir: &std::path::Path) {
        let folder = dir.join(".agents");
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::write(
            folder.join("agentc.toml"),
            "[defaults]\nmodel = \"lm-studio/qwen-2.5-7b\"\n[models]\nfast = \"ollama/llama3.1:8b\"\n",
        )
        .expect("config");
        for i in 0..agents {
            // Every shape an entry has: lists empty and not, `*` tools,
            // inherited routes, roles, requirements, escapes, parameters.
            let extra = match i % 9 {
                0 => "model: fast\ntools: [read, grep]\n",
                1 => "provider: lm-stduio\n",
                2 => {
                    "temperature: 0.3\nfallback: [fast]\nmax_tokens: 900\ntop_p: 1\nreasoning_effort: high\ntimeout: 90s\n"
                }
                3 => "model: inherit\ntools: \"*\"\n",
                4 => "role: reviewer\nrequires: [tools]\nfallback: [fast, ollama/qwen3:8b]\n",
                5 => "tools: []\nmodel: openai/gpt-5-mini\n",
                6 => "x-team: {owner: me, size: 2}\n",
                7 => "provider: ollama\nmodel: \"llama \\\"q\\\" \\u00e9\\t\\\\ \\u2028 x\"\n",
                _ => "",
            };
            std::fs::write(
                folder.join(format!("a{i:03}.md")),
                format!("---\nname: a{i:03}\ndescription: Agent {i}.\n{extra}---\nBody {i}.\n"),
            )
            .expect("agent");
        }
    }

    #[test]
    fn entries_name_dialects_and_scopes_as_serde_does() {
        for d in crate::dialect::Dialect::ALL {
            assert_eq!(
                serde_json::to_string(&d).expect("json"),
                format!("\"{}\"", d.as_str())
            );
        }
        for s in [crate::source::Scope::Project, crate::source::Scope::User] {
            assert_eq!(
                serde_json::to_string(&s).expect("json"),
                format!("\"{}\"", s.as_str())
            );
        }
    }

    #[test]
    fn streamed_plan_is_the_built_plan_byte_for_byte() {
        for (agents, parent) in [
            (0, None),
            (1, None),
            (5, None),
            (130, None),
            (20, Some("ollama/x")),
        ] {
            let dir = tempfile::tempdir().expect("tempdir");
            project_with(agents, dir.path());
            // User agents that project ones shadow, and one of their own.
            let user = dir.path().join("user");
            std::fs::create_dir_all(user.join("agents")).expect("mkdir");
            for name in ["a000", "a003", "u"] {
                std::fs::write(
                    user.join("agents").join(format!("{name}.md")),
                    format!("---\nname: {name}\ndescription: User {name}.\n---\nBody.\n"),
                )
                .expect("user agent");
            }
            let env = Env {
                cwd: dir.path().to_path_buf(),
                user_dir: Some(user.clone()),
                ollama_host: None,
            };
            let files = discover::discover_project(dir.path());
            let req = LoadRequest {
                project: files,
                user: Some(discover::discover_user(&user)),
                parent: parent.map(str::to_string),
                keep: crate::check::project::Keep::Lean { hash_prompts: true },
            };
            let mut sources = SourceMap::default();
            let (p, d) = project::load(req, &env, &mut sources);
            let want = plan::build(&p, &sources, &d).to_json();
            if agents >= 20 {
                // The shapes above are all there.
                for shape in [
                    "\"tools\": \"*\"",
                    "\"tools\": null",
                    "\"tools\": []",
                    "\"role\": \"reviewer\"",
                    "\"requires\": [\n        \"tools\"",
                    "\"shadows\": [\n        {",
                    "\"x-team\"",
                    "\"temperature\": 0.3",
                    "\"max_tokens\": 900,\n        \"reasoning_effort\": \"high\"",
                    "\"timeout_ms\": 90000,\n        \"top_p\": 1.0\n      }",
                    "\\\"q\\\" \u{e9}\\t\\\\ \u{2028} x",
                    "\"inherit\": true",
                    "\"provider\": \"ollama\"\n        }",
                ] {
                    assert!(want.contains(shape), "{shape}\n{want}");
                }
                assert_eq!(want.contains("\"layer\": \"parent\""), parent.is_some());
            }
            assert_eq!(
                agent_count(&p),
                plan::build(&p, &sources, &d).summary.agents
            );
            for chunk in [1, 2, 7, 64, CHUNK] {
                let mut out = Vec::new();
                write_chunked(&p, &sources, &d, &mut out, chunk, || Ok(())).expect("write");
                assert_eq!(
                    String::from_utf8(out).expect("utf-8"),
                    want,
                    "{agents} agents, chunks of {chunk}"
                );
            }
        }
    }
}
