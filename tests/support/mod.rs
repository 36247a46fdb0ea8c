//! Shared test support: temporary projects on the real filesystem, loaded
//! through the library.
#![allow(dead_code, clippy::unwrap_used)]

pub mod gateway;
pub mod harness;
pub mod http;
pub mod openai;
pub mod scripted;
#[allow(unused_imports)]
pub use http::*;

use agentc::diagnostic::Diagnostic;
use agentc::discover::{self, Env};
use agentc::project::{self, Keep, LoadRequest};
use agentc::render::locate;
use agentc::source::SourceMap;
use std::path::{Path, PathBuf};

/// The agentc binary, run in `p`'s project with nothing of this process's
/// environment: only `p`'s user folder and `NO_COLOR`.
pub fn agentc(p: &TempProject) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("agentc").unwrap();
    c.current_dir(p.root())
        .env_clear()
        .env("AGENTC_USER_DIR", p.user())
        .env("NO_COLOR", "1");
    c
}

/// A project in a temporary folder: `project/` and `user/`.
pub struct TempProject {
    pub dir: tempfile::TempDir,
}

impl TempProject {
    pub fn new() -> TempProject {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("project")).unwrap();
        std::fs::create_dir_all(dir.path().join("user")).unwrap();
        TempProject { dir }
    }

    pub fn with(files: &[(&str, &str)]) -> TempProject {
        let p = TempProject::new();
        for (path, text) in files {
            p.write(path, text);
        }
        p
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("project")
    }

    pub fn user(&self) -> PathBuf {
        self.dir.path().join("user")
    }

    /// Writes a file; `user/...` paths go to the user scope, others to the project.
    pub fn write(&self, path: &str, text: &str) {
        let full = match path.strip_prefix("user/") {
            Some(rest) => self.user().join(rest),
            None => self.root().join(path),
        };
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    pub fn env(&self) -> Env {
        Env {
            cwd: self.root(),
            user_dir: Some(self.user()),
            ollama_host: None,
        }
    }

    /// Loads the project and the user scope as `agentc check` and `plan`
    /// do: lean, keeping of a file without findings its frontmatter only
    /// (debug builds assert that no finding points past what is kept).
    pub fn load(&self) -> Loaded {
        self.load_kept(None, Keep::Lean { hash_prompts: true })
    }

    pub fn load_with(&self, parent: Option<&str>) -> Loaded {
        self.load_kept(parent, Keep::Lean { hash_prompts: true })
    }

    /// Loads keeping every text and route layer, as the servers do.
    pub fn load_whole(&self) -> Loaded {
        self.load_kept(None, Keep::Whole)
    }

    pub fn load_kept(&self, parent: Option<&str>, keep: Keep) -> Loaded {
        let env = self.env();
        let req = LoadRequest {
            project: discover::discover_project(&self.root()),
            user: Some(discover::discover_user(&self.user())),
            parent: parent.map(str::to_string),
            keep,
        };
        let mut sources = SourceMap::default();
        let (project, diagnostics) = project::load(req, &env, &mut sources);
        Loaded {
            project,
            diagnostics,
            sources,
        }
    }
}

pub struct Loaded {
    pub project: project::Project,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
}

impl Loaded {
    /// `(code, path, line, column)` of every finding, sorted.
    pub fn findings(&self) -> Vec<(String, String, usize, usize)> {
        let mut v: Vec<_> = self
            .diagnostics
            .iter()
            .map(|d| match d.span {
                Some(s) => {
                    let l = locate(s, &self.sources);
                    (d.rule.code().to_string(), l.path, l.line, l.column)
                }
                None => (d.rule.code().to_string(), String::new(), 0, 0),
            })
            .collect();
        v.sort();
        v
    }

    pub fn codes(&self) -> Vec<&'static str> {
        let mut v: Vec<_> = self.diagnostics.iter().map(|d| d.rule.code()).collect();
        v.sort();
        v
    }

    pub fn plan(&self) -> agentc::Plan {
        agentc::plan::build(&self.project, &self.sources, &self.diagnostics)
    }
}

pub fn shared_dir() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.is_dir().then_some(p)
}
