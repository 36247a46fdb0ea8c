//! A temporary project and the `agentc` binary run inside it.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct TempProject {
    pub dir: tempfile::TempDir,
    user: tempfile::TempDir,
}

impl TempProject {
    pub fn new() -> TempProject {
        let dir = tempfile::tempdir().unwrap();
        // A `.git` boundary so that discovery never walks above the project.
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        TempProject {
            dir,
            user: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// `agentc` in the project, with an empty user scope, no colour and
    /// not under GitHub Actions.
    pub fn agentc(&self) -> Command {
        let mut c = Command::cargo_bin("agentc").unwrap();
        c.current_dir(self.dir.path())
            .env("AGENTC_USER_DIR", self.user.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS");
        c
    }
}

/// Stdout and stderr of a finished command, as text.
pub fn output(a: &assert_cmd::assert::Assert) -> (String, String) {
    let o = a.get_output();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The shared corpus beside the repository, when it is there.
pub fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}
