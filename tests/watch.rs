//! Hot reload on the real file system with real notify events: editors'
//! save dances, deletes, renames, folders, bursts, broken edits, configs
//! and the user scope. No test sleeps for a fixed time: each waits for the
//! generation it expects, with a generous deadline.

// Test helpers may unwrap, as `clippy.toml` allows in tests.
#![allow(clippy::unwrap_used)]

use agentc::discover::{self, Env};
use agentc::plan;
use agentc::project::{self, LoadRequest};
use agentc::source::SourceMap;
use agentc::watch::{LivePlan, PlanWatcher, WatchOptions};
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(30);

struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
    user: PathBuf,
    env: Env,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let user = dir.path().join("user");
        fs::create_dir_all(root.join(".agents")).unwrap();
        let env = Env {
            cwd: root.clone(),
            user_dir: Some(user.clone()),
            ollama_host: None,
        };
        Project {
            _dir: dir,
            root,
            user,
            env,
        }
    }

    fn agents(&self) -> PathBuf {
        self.root.join(".agents")
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    /// An atomic save: never seen half-written.
    fn save(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        let tmp = p.with_extension("tmp");
        fs::write(&tmp, text).unwrap();
        fs::rename(&tmp, &p).unwrap();
    }

    fn watch(&self, read_user: bool) -> PlanWatcher {
        let mut options = WatchOptions::new(&self.root);
        options.read_user = read_user;
        PlanWatcher::start(options, &self.env).unwrap()
    }

    /// The plan a fresh `agentc plan` would write now.
    fn fresh(&self, read_user: bool) -> String {
        let req = LoadRequest {
            project: discover::discover_project(&self.root),
            user: if read_user {
                Some(discover::discover_user(&self.user))
            } else {
                None
            },
            parent: None,
            keep: agentc::project::Keep::Whole,
        };
        let mut sources = SourceMap::default();
        let (p, d) = project::load(req, &self.env, &mut sources);
        plan::build(&p, &sources, &d).to_json()
    }
}

fn agent(description: &str, model: &str) -> String {
    format!("---\ndescription: {description}\nmodel: {model}\n---\nDo the work.\n")
}

fn model(live: &LivePlan, name: &str) -> Option<String> {
    live.plan.agent(name).and_then(|a| a.route.model.clone())
}

fn wait(w: &PlanWatcher, what: &str, pred: impl FnMut(&LivePlan) -> bool) -> Arc<LivePlan> {
    match w.wait_for(DEADLINE, pred) {
        Some(p) => p,
        None => {
            let cur = w.current();
            panic!(
                "timed out waiting for {what}; generation {} has:\n{}",
                cur.generation,
                cur.plan.to_json()
            )
        }
    }
}

/// Waits until the live plan is what a fresh load gives, byte for byte.
fn settles(p: &Project, w: &PlanWatcher, read_user: bool) -> Arc<LivePlan> {
    let expected = p.fresh(read_user);
    wait(w, "the live plan to equal a fresh load", |live| {
        live.plan.to_json() == expected
    })
}

#[test]
fn generation_zero_is_the_initial_load() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    p.write(".agents/review.md", &agent("Reviews.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    let live = w.current();
    assert_eq!(live.generation, 0);
    assert_eq!(live.reload.parsed, 2);
    assert!(live.reload.changed.is_empty());
    assert_eq!(live.plan.to_json(), p.fresh(false));
}

#[test]
fn in_place_save_reparses_one_file() {
    let p = Project::new();
    for i in 0..50 {
        p.write(
            &format!(".agents/a{i:02}.md"),
            &agent("An agent.", "ollama/qwen3:8b"),
        );
    }
    let w = p.watch(false);
    assert_eq!(w.current().reload.parsed, 50);
    fs::write(
        p.agents().join("a07.md"),
        agent("An agent.", "ollama/llama3.1:8b"),
    )
    .unwrap();
    let live = wait(&w, "the new model", |l| {
        model(l, "a07").as_deref() == Some("llama3.1:8b")
    });
    assert_eq!(live.reload.parsed, 1);
    assert_eq!(live.reload.changed, vec![".agents/a07.md".to_string()]);
    assert_eq!(model(&live, "a08").as_deref(), Some("qwen3:8b"));
    settles(&p, &w, false);
}

#[test]
fn atomic_save_write_temp_then_rename() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    let tmp = p.agents().join("explore.md.tmp.81923");
    fs::write(&tmp, agent("Explores.", "ollama/llama3.1:8b")).unwrap();
    fs::rename(&tmp, p.agents().join("explore.md")).unwrap();
    let live = wait(&w, "the renamed-over file", |l| {
        model(l, "explore").as_deref() == Some("llama3.1:8b")
    });
    assert_eq!(live.plan.agents.len(), 1);
    settles(&p, &w, false);
}

#[test]
fn vim_style_save_with_backup() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    let file = p.agents().join("explore.md");
    let backup = p.agents().join("explore.md~");
    // vim checks it may create files with a throwaway one first.
    fs::write(p.agents().join("4913"), "").unwrap();
    fs::remove_file(p.agents().join("4913")).unwrap();
    fs::rename(&file, &backup).unwrap();
    fs::write(&file, agent("Explores.", "ollama/llama3.1:8b")).unwrap();
    fs::remove_file(&backup).unwrap();
    wait(&w, "the new text", |l| {
        model(l, "explore").as_deref() == Some("llama3.1:8b")
    });
    let live = settles(&p, &w, false);
    assert_eq!(live.plan.agents.len(), 1);
    assert!(!live.plan.agents[0].stale);
}

#[test]
fn jetbrains_safe_write() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    let file = p.agents().join("explore.md");
    let tmp = p.agents().join("explore.md___jb_tmp___");
    let old = p.agents().join("explore.md___jb_old___");
    fs::write(&tmp, agent("Explores.", "ollama/llama3.1:8b")).unwrap();
    fs::rename(&file, &old).unwrap();
    fs::rename(&tmp, &file).unwrap();
    fs::remove_file(&old).unwrap();
    wait(&w, "the new text", |l| {
        model(l, "explore").as_deref() == Some("llama3.1:8b")
    });
    settles(&p, &w, false);
}

#[test]
fn delete_removes_the_agent() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    p.write(".agents/review.md", &agent("Reviews.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    fs::remove_file(p.agents().join("explore.md")).unwrap();
    let live = wait(&w, "the agent to go", |l| l.plan.agent("explore").is_none());
    assert_eq!(live.reload.parsed, 0);
    assert_eq!(live.reload.changed, vec![".agents/explore.md".to_string()]);
    assert!(live.plan.agent("review").is_some());
    settles(&p, &w, false);
}

#[test]
fn rename_moves_the_agent() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    fs::rename(p.agents().join("explore.md"), p.agents().join("scout.md")).unwrap();
    let live = wait(&w, "the new name", |l| {
        l.plan.agent("scout").is_some() && l.plan.agent("explore").is_none()
    });
    assert_eq!(live.plan.agents[0].path, ".agents/scout.md");
    settles(&p, &w, false);
}

#[test]
fn folder_deleted_and_created_again() {
    let p = Project::new();
    p.write(".agents/team/x.md", &agent("X.", "ollama/qwen3:8b"));
    p.write(".agents/top.md", &agent("Top.", "ollama/qwen3:8b"));
    let w = p.watch(false);

    // A subfolder.
    fs::remove_dir_all(p.agents().join("team")).unwrap();
    wait(&w, "x to go", |l| l.plan.agent("x").is_none());
    p.write(".agents/team/y.md", &agent("Y.", "ollama/qwen3:8b"));
    wait(&w, "y to come", |l| l.plan.agent("y").is_some());
    settles(&p, &w, false);

    // The agents folder itself, config and all.
    p.write(
        ".agents/agentc.toml",
        "[defaults]\nmodel = \"ollama/qwen3:8b\"\n",
    );
    settles(&p, &w, false);
    fs::remove_dir_all(p.agents()).unwrap();
    wait(&w, "every agent to go", |l| l.plan.agents.is_empty());
    p.write(".agents/back.md", &agent("Back.", "ollama/qwen3:8b"));
    wait(&w, "the folder to be followed again", |l| {
        l.plan.agent("back").is_some()
    });
    // And it is still followed after that.
    fs::write(
        p.agents().join("back.md"),
        agent("Back.", "ollama/llama3.1:8b"),
    )
    .unwrap();
    wait(&w, "an edit in the new folder", |l| {
        model(l, "back").as_deref() == Some("llama3.1:8b")
    });
    settles(&p, &w, false);
}

#[test]
fn dialect_folder_created_later() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    p.write(
        ".claude/agents/helper.md",
        "---\nname: helper\ndescription: Helps.\nmodel: sonnet\n---\nHelp.\n",
    );
    wait(&w, "the Claude agent", |l| l.plan.agent("helper").is_some());
    settles(&p, &w, false);
}

#[test]
fn burst_of_writes_ends_equal_to_a_fresh_load() {
    let p = Project::new();
    let models = ["ollama/qwen3:8b", "ollama/llama3.1:8b", "lm-studio/phi-4"];
    for i in 0..100 {
        p.write(&format!(".agents/b{i:03}.md"), &agent("Burst.", models[0]));
    }
    let w = p.watch(false);
    for j in 0..1000 {
        let i = (j * 37) % 100;
        let text = agent(&format!("Burst number {j}."), models[j % models.len()]);
        fs::write(p.agents().join(format!("b{i:03}.md")), text).unwrap();
    }
    let live = settles(&p, &w, false);
    assert_eq!(live.plan.agents.len(), 100);
    assert!(live.generation >= 1);
}

#[test]
fn broken_edit_keeps_the_last_good_definition_until_fixed() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    p.write(".agents/review.md", &agent("Reviews.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    let before = w.current();
    let review_before = before.plan.agent("review").unwrap().clone();
    let explore_before = before.plan.agent("explore").unwrap().clone();

    // Write the broken text with an atomic save so no half-written state
    // is ever seen.
    let save = |name: &str, text: &str| {
        let tmp = p.agents().join(format!("{name}.tmp"));
        fs::write(&tmp, text).unwrap();
        fs::rename(&tmp, p.agents().join(name)).unwrap();
    };
    save(
        "explore.md",
        "---\ndescription: Explores.\nmodel: [ollama/llama3.1:8b\n---\nExplore.\n",
    );
    let live = wait(&w, "the broken text", |l| l.plan.summary.errors == 1);
    let explore = live.plan.agent("explore").expect("kept");
    assert!(explore.stale);
    assert_eq!(explore.route, explore_before.route);
    assert_eq!(live.plan.agent("review"), Some(&review_before));
    let d = &live.findings.json()[0];
    assert_eq!(d["code"], "yaml-syntax");
    assert_eq!(d["path"], ".agents/explore.md");
    assert_eq!(d["line"], 3);
    assert_eq!(live.stale().count(), 1);
    assert_eq!(live.plan.summary.agents, 2);

    // A new file with errors is not added.
    save("new.md", "---\ndescription: [\n---\nNew.\n");
    let live = wait(&w, "the new broken file", |l| l.plan.summary.errors == 2);
    assert!(live.plan.agent("new").is_none());

    // Fixing clears `stale`; the plan is a fresh load's again.
    save("explore.md", &agent("Explores.", "ollama/llama3.1:8b"));
    fs::remove_file(p.agents().join("new.md")).unwrap();
    let live = settles(&p, &w, false);
    assert!(!live.plan.agent("explore").unwrap().stale);
    assert_eq!(model(&live, "explore").as_deref(), Some("llama3.1:8b"));

    // Broken again, then deleted: the agent goes.
    save("explore.md", "---\n: :\n");
    wait(&w, "stale again", |l| {
        l.plan.agent("explore").is_some_and(|a| a.stale)
    });
    fs::remove_file(p.agents().join("explore.md")).unwrap();
    wait(&w, "the deleted stale agent to go", |l| {
        l.plan.agent("explore").is_none()
    });
    settles(&p, &w, false);
}

#[test]
fn config_change_relinks_without_reparsing() {
    let p = Project::new();
    p.write(
        ".agents/agentc.toml",
        "[models]\nfast = \"ollama/qwen3:8b\"\n",
    );
    for i in 0..20 {
        p.write(&format!(".agents/a{i:02}.md"), &agent("An agent.", "fast"));
    }
    let w = p.watch(false);
    assert_eq!(model(&w.current(), "a00").as_deref(), Some("qwen3:8b"));
    p.save(
        ".agents/agentc.toml",
        "[models]\nfast = \"ollama/llama3.1:8b\"\n",
    );
    let live = wait(&w, "the alias to move", |l| {
        model(l, "a00").as_deref() == Some("llama3.1:8b")
    });
    assert!(live.reload.configs);
    assert_eq!(live.reload.parsed, 0);
    assert_eq!(live.reload.changed, vec![".agents/agentc.toml".to_string()]);
    settles(&p, &w, false);

    // A change of `[limits]` reads every file again.
    p.save(
        ".agents/agentc.toml",
        "[models]\nfast = \"ollama/llama3.1:8b\"\n\n[limits]\nmax_file_size = 40\n",
    );
    let live = wait(&w, "the new limit", |l| l.plan.summary.errors == 20);
    assert_eq!(live.reload.parsed, 20);
    assert!(
        live.findings
            .json()
            .iter()
            .all(|d| d["code"] == "file-too-large")
    );
    // Every agent keeps its last good definition meanwhile.
    assert_eq!(live.stale().count(), 20);
    p.save(
        ".agents/agentc.toml",
        "[models]\nfast = \"ollama/llama3.1:8b\"\n\n[limits]\nmax_file_size = 4000\n",
    );
    let live = settles(&p, &w, false);
    assert_eq!(live.reload.parsed, 20);
    assert_eq!(live.stale().count(), 0);
}

#[test]
fn user_scope_changes() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let w = p.watch(true);
    assert_eq!(w.current().plan.agents.len(), 1);

    // The user folder does not exist yet: it is made, then filled.
    fs::create_dir_all(p.user.join("agents")).unwrap();
    fs::write(
        p.user.join("agents/mine.md"),
        agent("Mine.", "ollama/qwen3:8b"),
    )
    .unwrap();
    let live = wait(&w, "the user agent", |l| l.plan.agent("mine").is_some());
    assert_eq!(
        live.plan.agent("mine").unwrap().path,
        "$AGENTC_USER_DIR/agents/mine.md"
    );
    settles(&p, &w, true);

    // A user agent the project shadows.
    fs::write(
        p.user.join("agents/explore.md"),
        agent("Mine too.", "ollama/qwen3:8b"),
    )
    .unwrap();
    let live = wait(&w, "the shadowed user agent", |l| {
        l.plan
            .agent("explore")
            .is_some_and(|a| a.shadows.len() == 1)
    });
    assert_eq!(
        live.plan.agent("explore").unwrap().shadows[0].path,
        "$AGENTC_USER_DIR/agents/explore.md"
    );

    // The user's config overrides a route.
    fs::write(
        p.user.join("agentc.toml"),
        "[agents.explore]\nmodel = \"ollama/llama3.1:8b\"\n",
    )
    .unwrap();
    let live = wait(&w, "the user override", |l| {
        model(l, "explore").as_deref() == Some("llama3.1:8b")
    });
    assert_eq!(
        live.plan
            .agent("explore")
            .unwrap()
            .route
            .model_source
            .as_ref()
            .unwrap()
            .layer,
        "user-override"
    );
    settles(&p, &w, true);

    fs::remove_file(p.user.join("agents/mine.md")).unwrap();
    wait(&w, "the user agent to go", |l| {
        l.plan.agent("mine").is_none()
    });
    settles(&p, &w, true);
}

#[test]
fn no_user_ignores_the_user_scope() {
    let p = Project::new();
    fs::create_dir_all(p.user.join("agents")).unwrap();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    fs::write(
        p.user.join("agents/mine.md"),
        agent("Mine.", "ollama/qwen3:8b"),
    )
    .unwrap();
    // A project edit after it: once seen, the user file would have been too.
    fs::write(
        p.agents().join("explore.md"),
        agent("Explores.", "ollama/llama3.1:8b"),
    )
    .unwrap();
    let live = wait(&w, "the project edit", |l| {
        model(l, "explore").as_deref() == Some("llama3.1:8b")
    });
    assert!(live.plan.agent("mine").is_none());
    settles(&p, &w, false);
}

#[test]
fn snapshots_do_not_change_under_their_holder() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    let held = w.current();
    let rx = w.subscribe();
    fs::write(
        p.agents().join("explore.md"),
        agent("Explores.", "ollama/llama3.1:8b"),
    )
    .unwrap();
    let next = wait(&w, "the edit", |l| {
        model(l, "explore").as_deref() == Some("llama3.1:8b")
    });
    assert_eq!(model(&held, "explore").as_deref(), Some("qwen3:8b"));
    assert!(rx.has_changed().unwrap());
    assert!(rx.borrow().generation >= next.generation);
}

/// The `agentc watch` command: NDJSON events, `--out` equal to `agentc plan
/// --out`, and Ctrl-C ending it with status 0.
#[test]
fn cli_watch_json_and_out() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let bin = env!("CARGO_BIN_EXE_agentc");
    let mut child = Command::new(bin)
        .args(["watch", "--format", "json", "--out", "live.json"])
        .current_dir(&p.root)
        .env("AGENTC_USER_DIR", &p.user)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<serde_json::Value>();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let v: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    let next = |pred: &dyn Fn(&serde_json::Value) -> bool| loop {
        let v = rx.recv_timeout(DEADLINE).expect("an event in time");
        if pred(&v) {
            return v;
        }
    };
    let first = next(&|v| v["event"] == "reload");
    assert_eq!(first["generation"], 0);
    assert_eq!(first["parsed"], 1);
    assert_eq!(first["errors"], 0);
    assert!(first["elapsed_us"].is_u64());

    let save = |text: &str| {
        let tmp = p.agents().join("explore.md.tmp");
        fs::write(&tmp, text).unwrap();
        fs::rename(&tmp, p.agents().join("explore.md")).unwrap();
    };
    save("---\ndescription: Explores.\nprovider: lm-studoi\nmodel: qwen-2.5-7b\n---\nExplore.\n");
    let reload = next(&|v| v["event"] == "reload" && v["errors"] == 1);
    assert_eq!(reload["changed"], serde_json::json!([".agents/explore.md"]));
    assert_eq!(reload["stale"], serde_json::json!(["explore"]));
    let d = next(&|v| v["event"] == "diagnostic");
    assert_eq!(d["code"], "unknown-provider");
    assert_eq!(d["line"], 3);
    assert_eq!(d["column"], 11);
    assert_eq!(d["generation"], reload["generation"]);

    save(&agent("Explores.", "ollama/llama3.1:8b"));
    next(&|v| v["event"] == "reload" && v["errors"] == 0 && v["stale"] == serde_json::json!([]));
    // Whatever generation wrote it last, `live.json` now matches what
    // `agentc plan --out` writes.
    let expected = {
        let out = Command::new(bin)
            .args(["plan", "--out", "fresh.json"])
            .current_dir(&p.root)
            .env("AGENTC_USER_DIR", &p.user)
            .output()
            .unwrap();
        assert!(out.status.success());
        fs::read_to_string(p.root.join("fresh.json")).unwrap()
    };
    let live = fs::read_to_string(p.root.join("live.json")).unwrap();
    assert_eq!(live, expected);

    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    drop(rx);
    reader.join().unwrap();
}

/// Human output redraws only when the diagnostics change.
#[test]
fn cli_watch_human_prints_only_changes() {
    use std::process::{Command, Stdio};
    let p = Project::new();
    p.write(
        ".agents/explore.md",
        "---\ndescription: Explores.\nmodel: ollama/qwen3:8b\ntools: [gerp]\n---\nExplore.\n",
    );
    p.write(".agents/review.md", &agent("Reviews.", "ollama/qwen3:8b"));
    let bin = env!("CARGO_BIN_EXE_agentc");
    let out = p.root.join("live.json");
    let child = Command::new(bin)
        .args([
            "watch",
            "--no-user",
            "--color",
            "never",
            "--out",
            "live.json",
        ])
        .current_dir(&p.root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let wait_out = |needle: &str| {
        let deadline = std::time::Instant::now() + DEADLINE;
        loop {
            if fs::read_to_string(&out).is_ok_and(|t| t.contains(needle)) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no `{needle}` in time"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    let save = |name: &str, text: &str| {
        let tmp = p.agents().join(format!("{name}.tmp"));
        fs::write(&tmp, text).unwrap();
        fs::rename(&tmp, p.agents().join(name)).unwrap();
    };
    wait_out("Reviews.");
    // A change that leaves the diagnostics as they were prints nothing.
    save("review.md", &agent("Reviews code.", "ollama/qwen3:8b"));
    wait_out("Reviews code.");
    // Fixing the warning redraws.
    save("explore.md", &agent("Explores, fixed.", "ollama/qwen3:8b"));
    wait_out("Explores, fixed.");
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.matches("[generation ").count(), 2, "{text}");
    assert_eq!(text.matches("unknown-tool").count(), 1, "{text}");
    assert!(text.contains("All checks passed: 2 files checked, 2 agents compiled."));
}

#[test]
fn poll_mode_sees_changes() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let mut options = WatchOptions::new(&p.root);
    options.read_user = false;
    options.poll = Some(Duration::from_millis(50));
    let w = PlanWatcher::start(options, &p.env).unwrap();
    p.write(".agents/review.md", &agent("Reviews.", "ollama/qwen3:8b"));
    wait(&w, "the new file", |l| l.plan.agent("review").is_some());
    fs::remove_file(p.agents().join("explore.md")).unwrap();
    wait(&w, "the deleted file", |l| {
        l.plan.agent("explore").is_none()
    });
    settles(&p, &w, false);
}

fn rss_kib() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Resident memory over 10,000 reload generations after a warm-up, with
/// 1,000 agents (`AGENTC_MEMORY_AGENTS` and `AGENTC_MEMORY_EDITS` for other
/// counts). Run with
/// `cargo test --release --test watch -- --ignored --nocapture memory`.
#[test]
#[ignore = "long: 10,000 generations"]
fn memory_stays_flat_over_10000_generations() {
    let p = Project::new();
    let agents = std::env::var("AGENTC_MEMORY_AGENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000usize);
    for i in 0..agents {
        p.write(
            &format!(".agents/m{i:05}.md"),
            &agent("Memory.", "ollama/qwen3:8b"),
        );
    }
    let mut options = WatchOptions::new(&p.root);
    options.read_user = false;
    options.debounce = Duration::from_millis(1);
    let w = PlanWatcher::start(options, &p.env).unwrap();
    let edit = |n: usize| {
        let i = (n * 7919) % agents;
        let path = p.agents().join(format!("m{i:05}.md"));
        let tmp = p.agents().join(format!("m{i:05}.md.tmp"));
        fs::write(&tmp, agent(&format!("Edit {n}."), "ollama/qwen3:8b")).unwrap();
        fs::rename(&tmp, &path).unwrap();
        let name = format!("m{i:05}");
        let want = format!("Edit {n}.");
        wait(&w, "the edit", |l| {
            l.plan.agent(&name).is_some_and(|a| a.description == want)
        });
    };
    let start = rss_kib();
    // Warm-up: every file is read again once (the edits step through all
    // of them), so its text and definition move out of the initial load's
    // heap, which the allocator keeps fragmented; and the per-thread heaps
    // reach their working size. Growth is measured after that.
    let warm_up = agents.max(1000);
    for n in 0..warm_up {
        edit(n);
    }
    let warm = rss_kib();
    let first_generation = w.current().generation;
    let mut samples = Vec::new();
    let edits = std::env::var("AGENTC_MEMORY_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000usize);
    for n in warm_up..warm_up + edits {
        edit(n);
        if (n + 1 - warm_up).is_multiple_of(1000) {
            samples.push(rss_kib());
        }
    }
    let end = rss_kib();
    let generations = w.current().generation - first_generation;
    let growth = (end as f64 - warm as f64) / warm as f64 * 100.0;
    println!(
        "agents {agents}: VmRSS after the initial load {start} KiB, after {warm_up} warm-up edits {warm} KiB, after {edits} more {end} KiB ({generations} generations): {growth:+.1}%"
    );
    println!("VmRSS every 1,000 edits (KiB): {samples:?}");
    assert!(generations >= edits as u64);
    assert!(growth < 10.0, "resident memory grew {growth:.1}%");
}

#[test]
fn watcher_without_agents_folder_sees_it_created() {
    let p = Project::new();
    fs::remove_dir_all(p.agents()).unwrap();
    let w = p.watch(false);
    assert!(w.current().plan.agents.is_empty());
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    wait(&w, "the new folder's agent", |l| {
        l.plan.agent("explore").is_some()
    });
    settles(&p, &w, false);
}

/// A config that a symlink leads out of the root is not applied on reload
/// either: the live plan stays what a fresh load (which does not read it)
/// gives, and the outside provider never appears.
#[test]
fn a_config_linked_from_outside_the_root_is_never_applied() {
    let p = Project::new();
    p.write(".agents/explore.md", &agent("Explores.", "ollama/qwen3:8b"));
    let w = p.watch(false);
    let outside = p.root.parent().unwrap().join("outside.toml");
    fs::write(
        &outside,
        "[providers.corp]\nbase_url = \"https://llm.corp.example/v1\"\napi_key_env = \"CORP_KEY\"\n[models]\nfast = \"corp/big\"\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, p.agents().join("agentc.toml")).unwrap();
    p.save(".agents/explore.md", &agent("Explores more.", "fast"));
    let live = settles(&p, &w, false);
    assert!(live.plan.provider("corp").is_none());
    let provider = live
        .plan
        .agent("explore")
        .and_then(|a| a.route.provider.clone());
    assert_ne!(provider.as_deref(), Some("corp"));
}
