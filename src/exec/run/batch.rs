//! Batches in the `delegate_task` shape: `{"provider"?, "model"?, "tasks":
//! [{"agent", "prompt", "provider"?, "model"?}]}`, the top level being the
//! `call` layer and each task the `task` layer. Every task ends with
//! exactly one report, whatever happens to the others: a malformed task
//! gets an `invalid-task` report, a cancelled batch reports its unfinished
//! tasks as `cancelled`.

use super::{
    Attempt, Executor, Observer, Progress, Report, RouteOverride, RunError, RunOptions, Status,
    Task, lock,
};
use crate::diagnostic::suggest;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::{Map, Value};
use std::future::Future;
use std::sync::Mutex;

/// A parsed batch: each task, or why it cannot run.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub tasks: Vec<Result<Task, RunError>>,
}

/// A batch file that is not a batch at all (exit 2): not JSON, or not the
/// `{"tasks": [...]}` shape at the top.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BatchError {
    #[error("the batch is not JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Shape(String),
}

const TOP_KEYS: [&str; 3] = ["provider", "model", "tasks"];
const TASK_KEYS: [&str; 4] = ["agent", "prompt", "provider", "model"];

impl Batch {
    /// Parses a batch; `parent` is the parent session's route for every task.
    pub fn parse(text: &str, parent: Option<&str>) -> Result<Batch, BatchError> {
        let v: Value = serde_json::from_str(text).map_err(|e| BatchError::Json(e.to_string()))?;
        let Value::Object(top) = v else {
            return Err(BatchError::Shape(
                "the batch must be an object: {\"tasks\": [{\"agent\": …, \"prompt\": …}]}".into(),
            ));
        };
        if let Some(k) = top.keys().find(|k| !TOP_KEYS.contains(&k.as_str())) {
            let mut m = format!(
                "unknown key `{k}` at the top of the batch; expected provider, model, tasks"
            );
            if let Some(s) = suggest(k, TOP_KEYS) {
                m = format!("{m} ({s})");
            }
            return Err(BatchError::Shape(m));
        }
        let call = RouteOverride {
            provider: optional_string(&top, "provider").map_err(BatchError::Shape)?,
            model: optional_string(&top, "model").map_err(BatchError::Shape)?,
        };
        let tasks = match top.get("tasks") {
            Some(Value::Array(a)) => a,
            Some(_) => return Err(BatchError::Shape("`tasks` must be a list".into())),
            None => return Err(BatchError::Shape("the batch has no `tasks` list".into())),
        };
        let tasks = tasks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                parse_task(t)
                    .map(|(agent, prompt, task)| Task {
                        agent,
                        prompt,
                        parent: parent.map(str::to_string),
                        call: call.clone(),
                        task,
                    })
                    .map_err(|m| RunError::new("invalid-task", format!("task {i}: {m}")))
            })
            .collect();
        Ok(Batch { tasks })
    }
}

fn optional_string(o: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

fn parse_task(v: &Value) -> Result<(String, String, RouteOverride), String> {
    let Value::Object(o) = v else {
        return Err("a task must be an object with `agent` and `prompt`".into());
    };
    if let Some(k) = o.keys().find(|k| !TASK_KEYS.contains(&k.as_str())) {
        let mut m = format!("unknown key `{k}`; a task has agent, prompt, provider, model");
        if let Some(s) = suggest(k, TASK_KEYS) {
            m = format!("{m} ({s})");
        }
        return Err(m);
    }
    let required = |key: &str| match optional_string(o, key)? {
        Some(s) => Ok(s),
        None => Err(format!("`{key}` is missing")),
    };
    Ok((
        required("agent")?,
        required("prompt")?,
        RouteOverride {
            provider: optional_string(o, "provider")?,
            model: optional_string(o, "model")?,
        },
    ))
}

/// How a batch ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchSummary {
    pub ok: usize,
    pub failed: usize,
    pub cancelled: usize,
}

impl BatchSummary {
    pub fn total(&self) -> usize {
        self.ok + self.failed + self.cancelled
    }

    pub fn all_ok(&self) -> bool {
        self.failed == 0 && self.cancelled == 0
    }

    fn count(&mut self, r: &Report) {
        match r.status {
            Status::Ok => self.ok += 1,
            Status::Error => self.failed += 1,
            Status::Cancelled => self.cancelled += 1,
        }
    }
}

impl Executor {
    /// Runs every task of `batch` concurrently, within `--jobs` and each
    /// provider's `max_concurrency`, handing each report to
    /// [`Observer::finished`] as its task ends. When `cancel` completes, no
    /// new request starts, requests in flight are dropped, and every task
    /// not yet finished is reported `cancelled`, in index order.
    pub async fn run_batch(
        &self,
        batch: &Batch,
        options: RunOptions,
        cancel: impl Future<Output = ()>,
        observer: &dyn Observer,
    ) -> BatchSummary {
        let mut summary = BatchSummary::default();
        let mut done = vec![false; batch.tasks.len()];
        let progress: Vec<Mutex<Progress>> = batch
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Mutex::new(Progress::new(
                    i,
                    t.as_ref().map_or("", |t| t.agent.as_str()),
                ))
            })
            .collect();
        let mut running = FuturesUnordered::new();
        for (i, task) in batch.tasks.iter().enumerate() {
            match task {
                Ok(task) => running.push(self.execute(i, task, options, observer, &progress[i])),
                Err(e) => {
                    let mut r = Report::new(i, None);
                    r.error = Some(e.clone());
                    observer.finished(&r);
                    summary.count(&r);
                    done[i] = true;
                }
            }
        }
        let mut cancel = std::pin::pin!(cancel);
        loop {
            tokio::select! {
                biased;
                () = &mut cancel => break,
                next = running.next() => match next {
                    Some(report) => {
                        done[report.index] = true;
                        summary.count(&report);
                    }
                    None => break,
                },
            }
        }
        // Dropping the futures closes their connections.
        drop(running);
        for (i, p) in progress.iter().enumerate() {
            if done[i] {
                continue;
            }
            let mut p = lock(p);
            let in_flight = p.in_flight.take();
            let started = in_flight.is_some() || !p.report.attempts.is_empty();
            let mut r = p.report.clone();
            if let Some(t) = in_flight {
                r.attempts.push(Attempt {
                    provider: t.provider,
                    model: t.model,
                    ok: false,
                    http_status: None,
                    error: Some("cancelled".into()),
                });
            }
            r.status = Status::Cancelled;
            r.error = Some(RunError::new(
                "cancelled",
                if started {
                    "cancelled while running"
                } else {
                    "cancelled before it started"
                },
            ));
            observer.finished(&r);
            summary.count(&r);
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_level_is_the_call_layer_and_each_task_the_task_layer() {
        let b = Batch::parse(
            r#"{"model": "smart", "tasks": [
                {"agent": "a", "prompt": "p"},
                {"agent": "b", "prompt": "q", "provider": "ollama", "model": "qwen"}]}"#,
            Some("openai/gpt"),
        )
        .unwrap();
        let a = b.tasks[0].as_ref().unwrap();
        assert_eq!(a.call.model.as_deref(), Some("smart"));
        assert_eq!(a.task, RouteOverride::default());
        assert_eq!(a.parent.as_deref(), Some("openai/gpt"));
        let t = b.tasks[1].as_ref().unwrap();
        assert_eq!(
            (t.task.provider.as_deref(), t.task.model.as_deref()),
            (Some("ollama"), Some("qwen"))
        );
    }

    #[test]
    fn a_malformed_task_is_that_tasks_error_only() {
        let b = Batch::parse(
            r#"{"tasks": [{"agent": "a", "prompt": "p", "modle": "x"}, {"agent": "a"}, 7, {"agent": "a", "prompt": "ok"}]}"#,
            None,
        )
        .unwrap();
        let errs: Vec<String> = b
            .tasks
            .iter()
            .filter_map(|t| t.as_ref().err())
            .map(|e| e.message.clone())
            .collect();
        assert_eq!(
            errs,
            [
                "task 0: unknown key `modle`; a task has agent, prompt, provider, model (did you mean `model`?)",
                "task 1: `prompt` is missing",
                "task 2: a task must be an object with `agent` and `prompt`",
            ]
        );
        assert!(b.tasks[3].is_ok());
        assert!(
            b.tasks
                .iter()
                .filter_map(|t| t.as_ref().err())
                .all(|e| e.code == "invalid-task")
        );
    }

    #[test]
    fn a_file_that_is_no_batch_is_refused_whole() {
        assert!(matches!(Batch::parse("{", None), Err(BatchError::Json(_))));
        assert_eq!(
            Batch::parse("[]", None).unwrap_err(),
            BatchError::Shape(
                "the batch must be an object: {\"tasks\": [{\"agent\": …, \"prompt\": …}]}".into()
            )
        );
        assert_eq!(
            Batch::parse(r#"{"task": []}"#, None).unwrap_err(),
            BatchError::Shape("unknown key `task` at the top of the batch; expected provider, model, tasks (did you mean `tasks`?)".into())
        );
        assert_eq!(
            Batch::parse(r#"{"model": 3, "tasks": []}"#, None).unwrap_err(),
            BatchError::Shape("`model` must be a string".into())
        );
    }
}
