//! Driving a real harness over an exported project: a copy of a fixture
//! project in a temporary folder, `agentc plan`/`export`/`import` run
//! through the binary, and the harness started with a fresh HOME (and XDG
//! folders) so that nothing of the machine's own configuration leaks in.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A fixture project copied into a temporary folder, with its own empty
/// HOME and agentc user directory beside it.
pub struct HarnessProject {
    dir: tempfile::TempDir,
}

impl HarnessProject {
    /// Copies `tests/fixtures/<fixture>` (hidden folders included).
    pub fn from_fixture(fixture: &str) -> HarnessProject {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        assert!(src.is_dir(), "no fixture {}", src.display());
        let p = HarnessProject::empty();
        copy_tree(&src, &p.root());
        p
    }

    pub fn empty() -> HarnessProject {
        let dir = tempfile::tempdir().expect("temp dir");
        for d in ["project", "home", "user"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        HarnessProject { dir }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("project")
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// `agentc ARGS` in the project, without the user scope; its output.
    pub fn agentc(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_agentc"))
            .args(args)
            .current_dir(self.root())
            .env("AGENTC_USER_DIR", self.dir.path().join("user"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// `agentc ARGS --format json` that must exit 0; its JSON.
    pub fn agentc_json(&self, args: &[&str]) -> Value {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--no-user", "--format", "json"]);
        let out = self.agentc(&all);
        assert!(
            out.status.success(),
            "agentc {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "agentc {args:?}: not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// The plan's agents by name.
    pub fn plan(&self) -> Vec<PlannedAgent> {
        let plan = self.agentc_json(&["plan"]);
        plan["agents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| PlannedAgent {
                name: a["name"].as_str().unwrap().to_string(),
                inherit: a["route"]["inherit"] == true,
                provider: a["route"]["provider"].as_str().map(str::to_string),
                model: a["route"]["model"].as_str().map(str::to_string),
                tools: a["tools"]
                    .as_array()
                    .map(|t| t.iter().map(|t| t.as_str().unwrap().to_string()).collect()),
            })
            .collect()
    }

    /// `agentc export --to TO`: the report, by agent name.
    pub fn export(&self, to: &str) -> ExportReport {
        ExportReport(self.agentc_json(&["export", "--to", to]))
    }

    /// A harness command in the project with a fresh HOME and XDG folders,
    /// and only PATH kept from this process's environment. Panics when the
    /// harness is not installed: in CI a missing client is a failure.
    pub fn client(&self, program: &str) -> Command {
        let found = Command::new(program)
            .arg("--version")
            .env("HOME", self.home())
            .stdin(Stdio::null())
            .output();
        match found {
            Ok(o) if o.status.success() => {}
            _ => panic!("`{program}` is not on PATH: install the clients with .ci/clients"),
        }
        let home = self.home();
        let mut c = Command::new(program);
        c.current_dir(self.root())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }
}

/// One agent of `agentc plan --format json`.
#[derive(Clone, Debug)]
pub struct PlannedAgent {
    pub name: String,
    pub inherit: bool,
    pub provider: Option<String>,
    pub model: Option<String>,
    /// `None`: every tool (no `tools` list).
    pub tools: Option<Vec<String>>,
}

/// `agentc export --format json`.
pub struct ExportReport(pub Value);

impl ExportReport {
    fn agent(&self, name: &str) -> &Value {
        self.0["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("no `{name}` in the export report: {:#}", self.0))
    }

    pub fn status(&self, name: &str) -> String {
        self.agent(name)["status"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The messages of the notes on `field`.
    pub fn notes(&self, name: &str, field: &str) -> Vec<String> {
        self.agent(name)["notes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["field"] == field)
            .map(|n| n["message"].as_str().unwrap().to_string())
            .collect()
    }

    /// Whether a note on `field` names `word` (as `` `word` `` or in a
    /// comma-separated list inside backquotes).
    pub fn names(&self, name: &str, field: &str, word: &str) -> bool {
        self.notes(name, field).iter().any(|m| {
            m.split('`')
                .skip(1)
                .step_by(2)
                .any(|quoted| quoted.split(", ").any(|w| w == word))
        })
    }
}

/// Runs `cmd` to its end, or kills it after `secs` and panics.
/// Where `program` is on PATH. Panics when it is not: in CI a missing
/// client is a failure, not a skip.
pub fn installed(program: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{program}` is not on PATH: install the clients with .ci/clients")
        })
}

pub fn run(mut cmd: Command, secs: u64) -> Output {
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{cmd:?} did not finish within {secs} s\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// `run`, and the command must succeed.
pub fn run_ok(cmd: Command, secs: u64) -> Output {
    let shown = format!("{cmd:?}");
    let out = run(cmd, secs);
    assert!(
        out.status.success(),
        "{shown} failed ({})\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn set(items: impl IntoIterator<Item = impl Into<String>>) -> BTreeSet<String> {
    items.into_iter().map(Into::into).collect()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// `agentc ARGS` in `dir` with nothing of this process's environment (a
/// user folder that does not exist, no colour): its exit code and its
/// stdout read as JSON (`Null` when it is not).
pub fn agentc_in(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = assert_cmd::Command::cargo_bin("agentc")
        .unwrap()
        .current_dir(dir)
        .env_clear()
        .env("AGENTC_USER_DIR", dir.join("no-user"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json)
}

/// Writes each `(path, text)` under `root`, making folders as needed.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}
