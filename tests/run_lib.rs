//! The executor as a library, against an OpenAI-compatible server on
//! loopback started by the test.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use agentc::router::Router;
use agentc::run::{
    Attempt, Batch, Executor, Observer, Quiet, Report, RunOptions, Status, Target, Task,
};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::openai::{KEY, KEY_VAR, Project, Reply, Server};

fn executor(p: &Project) -> Executor {
    let (exec, findings) = Executor::from_project(p.path(), None).unwrap();
    assert!(
        findings
            .iter()
            .all(|d| d.severity != agentc::Severity::Error),
        "{findings:?}"
    );
    exec.with_keys(|var| (var == KEY_VAR).then(|| KEY.to_string()))
}

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<String>>,
    reports: Mutex<Vec<Report>>,
}

impl Observer for Recorder {
    fn attempt_started(&self, index: usize, target: &Target) {
        self.events
            .lock()
            .unwrap()
            .push(format!("{index} start {target}"));
    }
    fn attempt_finished(&self, index: usize, attempt: &Attempt) {
        let how = attempt.error.as_deref().unwrap_or("ok");
        self.events
            .lock()
            .unwrap()
            .push(format!("{index} end {} {how}", attempt.target()));
    }
    fn fallback(&self, index: usize, failed: &Attempt, next: &Target, _why: &str) {
        self.events
            .lock()
            .unwrap()
            .push(format!("{index} fallback {} -> {next}", failed.target()));
    }
    fn output(&self, index: usize, piece: &str) {
        self.events
            .lock()
            .unwrap()
            .push(format!("{index} piece {piece:?}"));
    }
    fn finished(&self, report: &Report) {
        self.reports.lock().unwrap().push(report.clone());
    }
}

#[tokio::test]
async fn a_streamed_answer_arrives_piece_by_piece_on_one_reused_connection() {
    let server = Server::start();
    server.reply("m1", Reply::answer("one two three"));
    let p = Project::new(&server, "");
    p.agent("explore", "provider: local\nmodel: m1\n", "Explore.\n");
    let exec = executor(&p);
    let rec = Recorder::default();
    let report = exec
        .run(
            &Task::new("explore", "go"),
            RunOptions { stream: true },
            &rec,
        )
        .await;
    assert_eq!(report.status, Status::Ok);
    assert_eq!(report.output.as_deref(), Some("one two three"));
    assert_eq!(
        report.usage,
        Some(json!({"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}))
    );
    assert_eq!(
        *rec.events.lock().unwrap(),
        [
            "0 start local/m1",
            "0 piece \"one \"",
            "0 piece \"two \"",
            "0 piece \"three\"",
            "0 end local/m1 ok"
        ]
    );
    assert_eq!(rec.reports.lock().unwrap().len(), 1);
    for _ in 0..4 {
        let r = exec
            .run(
                &Task::new("explore", "again"),
                RunOptions::default(),
                &Quiet,
            )
            .await;
        assert_eq!(r.status, Status::Ok);
    }
    assert_eq!(server.requests().len(), 5);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_body_cut_before_any_answer_is_a_connection_error_and_falls_back() {
    let server = Server::start();
    server.reply(
        "m1",
        Reply::CloseMidStream {
            text: "never whole".into(),
        },
    );
    server.reply("m2", Reply::answer("whole"));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: local\nmodel: m1\nfallback: [spare/m2]\n",
        "Explore.\n",
    );
    let rec = Recorder::default();
    let report = executor(&p)
        .run(&Task::new("explore", "go"), RunOptions::default(), &rec)
        .await;
    assert_eq!(report.status, Status::Ok);
    assert_eq!(report.output.as_deref(), Some("whole"));
    assert_eq!(
        report.route,
        Some(Target {
            provider: "spare".into(),
            model: "m2".into()
        })
    );
    assert!(
        report.attempts[0]
            .error
            .as_deref()
            .unwrap()
            .starts_with("connection failed: ")
    );
    assert_eq!(report.attempts[0].http_status, Some(200));
    assert_eq!(
        rec.events.lock().unwrap()[..3],
        [
            "0 start local/m1".to_string(),
            format!(
                "0 end local/m1 {}",
                report.attempts[0].error.as_deref().unwrap()
            ),
            "0 fallback local/m1 -> spare/m2".to_string(),
        ]
    );
}

#[tokio::test]
async fn on_unavailable_fallback_tries_the_parent_route_once_the_chain_is_exhausted() {
    let server = Server::start();
    server.reply("m1", Reply::Status(503));
    server.reply("m2", Reply::Status(500));
    server.reply("p1", Reply::answer("from the parent's model"));
    let mut task = Task::new("explore", "go");
    task.parent = Some("spare/p1".into());

    let strict = Project::new(&server, "");
    strict.agent(
        "explore",
        "provider: local\nmodel: m1\nfallback: [spare/m2]\n",
        "Explore.\n",
    );
    let report = executor(&strict)
        .run(&task, RunOptions::default(), &Quiet)
        .await;
    assert_eq!(report.status, Status::Error);
    let err = report.error.unwrap();
    assert_eq!(err.code, "unavailable");
    assert_eq!(
        err.help.as_deref(),
        Some(
            "with `[policy] on_unavailable = \"fallback\"` the parent session's route is tried when the chain is exhausted"
        )
    );
    assert_eq!(server.models_requested(), ["m1", "m2"]);

    let lenient = Project::new(&server, "[policy]\non_unavailable = \"fallback\"\n");
    lenient.agent(
        "explore",
        "provider: local\nmodel: m1\nfallback: [spare/m2]\n",
        "Explore.\n",
    );
    let report = executor(&lenient)
        .run(&task, RunOptions::default(), &Quiet)
        .await;
    assert_eq!(report.status, Status::Ok);
    let tried: Vec<String> = report
        .attempts
        .iter()
        .map(|a| a.target().to_string())
        .collect();
    assert_eq!(tried, ["local/m1", "spare/m2", "spare/p1"]);
    assert_eq!(report.output.as_deref(), Some("from the parent's model"));

    // Without a parent there is nothing more to try.
    let report = executor(&lenient)
        .run(&Task::new("explore", "go"), RunOptions::default(), &Quiet)
        .await;
    assert_eq!(report.error.unwrap().code, "unavailable");
    assert_eq!(report.attempts.len(), 2);
}

#[tokio::test]
async fn a_batch_runs_each_task_on_its_own_route_within_jobs() {
    let server = Server::start();
    server.reply("m1", Reply::slow("a1", Duration::from_millis(100)));
    server.reply("m2", Reply::slow("a2", Duration::from_millis(100)));
    server.hold_until_peak(2);
    let p = Project::new(&server, "");
    p.agent("explore", "provider: local\nmodel: m1\n", "Explore.\n");
    let mut tasks = Vec::new();
    for i in 0..6 {
        let model = if i % 2 == 0 {
            "\"local/m1\""
        } else {
            "\"spare/m2\""
        };
        tasks.push(format!(
            r#"{{"agent": "explore", "prompt": "{i}", "model": {model}}}"#
        ));
    }
    let batch = Batch::parse(&format!(r#"{{"tasks": [{}]}}"#, tasks.join(",")), None).unwrap();
    let rec = Recorder::default();
    let exec = executor(&p).with_jobs(2);
    let summary = exec
        .run_batch(&batch, RunOptions::default(), std::future::pending(), &rec)
        .await;
    assert_eq!((summary.ok, summary.failed, summary.cancelled), (6, 0, 0));
    let mut reports = rec.reports.lock().unwrap().clone();
    reports.sort_by_key(|r| r.index);
    let outputs: Vec<&str> = reports
        .iter()
        .map(|r| r.output.as_deref().unwrap())
        .collect();
    assert_eq!(outputs, ["a1", "a2", "a1", "a2", "a1", "a2"]);
    assert_eq!(server.peak(), 2);
    let prompts: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r.body["messages"][1]["content"].as_str().unwrap(),
                r.model()
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(prompts, ["0:m1", "1:m2", "2:m1", "3:m2", "4:m1", "5:m2"]);
}

// Multi-threaded, so that the dropped connections' tasks run while the
// test waits for the server to see them close.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_batch_reports_every_unfinished_task() {
    let server = Arc::new(Server::start());
    server.reply("hang", Reply::Hang);
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: hang\n", "Explore.\n");
    let batch = Batch::parse(
        r#"{"tasks": [{"agent": "explore", "prompt": "0"}, {"agent": "explore", "prompt": "1"}, {"agent": "explore", "prompt": "2"}]}"#,
        None,
    )
    .unwrap();
    let rec = Recorder::default();
    let s = server.clone();
    let cancel = async move {
        let seen =
            tokio::task::spawn_blocking(move || s.wait_in_flight(2, Duration::from_secs(20)))
                .await
                .unwrap();
        assert!(seen);
    };
    let summary = executor(&p)
        .with_jobs(2)
        .run_batch(&batch, RunOptions::default(), cancel, &rec)
        .await;
    assert_eq!(summary.cancelled, 3);
    let mut reports = rec.reports.lock().unwrap().clone();
    assert_eq!(
        reports.iter().map(|r| r.index).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    reports.sort_by_key(|r| r.index);
    let messages: Vec<String> = reports
        .iter()
        .map(|r| r.error.as_ref().unwrap().message.clone())
        .collect();
    assert_eq!(
        messages,
        [
            "cancelled while running",
            "cancelled while running",
            "cancelled before it started"
        ]
    );
    assert!(reports.iter().all(|r| r.status == Status::Cancelled));
    assert_eq!(reports[0].attempts[0].error.as_deref(), Some("cancelled"));
    assert!(reports[2].attempts.is_empty());
    // The dropped requests closed their connections.
    assert!(server.wait_until(Duration::from_secs(20), |_, in_flight| in_flight == 0));
}

#[tokio::test]
async fn the_key_is_injected_as_a_bearer_token_and_never_shown() {
    let server = Server::start();
    server.reply("m1", Reply::Status(401));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: local\nmodel: m1\nfallback: [spare/m1]\n",
        "Explore.\n",
    );
    let exec = executor(&p);
    let report = exec
        .run(&Task::new("explore", "go"), RunOptions::default(), &Quiet)
        .await;
    assert_eq!(
        server.requests()[0].headers["authorization"],
        format!("Bearer {KEY}")
    );
    // A 401 is the request's fault: no fallback.
    assert_eq!(report.error.as_ref().unwrap().code, "request-rejected");
    assert_eq!(server.requests().len(), 1);
    let shown = format!("{exec:?} {report:?} {}", report.to_json());
    assert!(!shown.contains(KEY), "{shown}");
}

#[tokio::test]
async fn a_changed_agent_file_is_not_run_with_a_stale_plan() {
    let server = Server::start();
    server.reply("m1", Reply::answer("x"));
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: m1\n", "Explore.\n");
    let exec = executor(&p);
    p.agent(
        "explore",
        "provider: spare\nmodel: m1\n",
        "Do something else.\n",
    );
    let report = exec
        .run(&Task::new("explore", "go"), RunOptions::default(), &Quiet)
        .await;
    let err = report.error.unwrap();
    assert_eq!(err.code, "prompt-changed");
    assert_eq!(
        err.message,
        "`.agents/explore.md` changed since the plan was compiled"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_executor_runs_from_plan_json() {
    let server = Server::start();
    server.reply("m1", Reply::answer("from the lock"));
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: m1\n", "Explore.\n");
    let (router, _) = Router::from_project(p.path(), None).unwrap();
    let json = router.plan().to_json();
    let exec = Executor::new(Router::from_json(&json).unwrap(), p.path(), None);
    let report = exec
        .run(&Task::new("explore", "go"), RunOptions::default(), &Quiet)
        .await;
    assert_eq!(report.output.as_deref(), Some("from the lock"));
    assert_eq!(
        exec.system_prompt(exec.router().plan().agent("explore").unwrap())
            .unwrap()
            .as_ref(),
        "Explore."
    );
}

#[tokio::test]
async fn anthropic_providers_are_reported_unsupported() {
    let server = Server::start();
    let p = Project::new(
        &server,
        &format!(
            "[providers.claude]\nkind = \"anthropic\"\nbase_url = \"{}\"\n",
            server.base_url()
        ),
    );
    p.agent("explore", "provider: claude\nmodel: opus\n", "Explore.\n");
    let report = executor(&p)
        .run(&Task::new("explore", "go"), RunOptions::default(), &Quiet)
        .await;
    let err = report.error.unwrap();
    assert_eq!(err.code, "unsupported-provider");
    assert_eq!(
        err.message,
        "provider `claude` speaks the Anthropic Messages API, which `agentc run` does not implement"
    );
    assert!(server.requests().is_empty());
}
