//! Hot reload (DESIGN §7): a watcher over both scopes' agent folders and
//! config files that keeps a live plan.
//!
//! File-system events (`notify`, debounced and stitched by
//! `notify-debouncer-full`) are reduced to the set of paths they touched;
//! each path is then judged by what is on disk now, not by the event's
//! kind, so editors' save dances (write in place, write a temporary file
//! and rename it over, vim's backup rename, JetBrains' safe write) all come
//! down to "this agent file has new text". [`LiveProject`] re-reads only
//! those files, links the whole set again and yields the next
//! [`LivePlan`]. An agent whose new text has errors keeps its last good
//! entry, marked `"stale": true`.
//!
//! [`PlanWatcher`] runs this on its own thread and hands every generation
//! out as an immutable `Arc<LivePlan>`: a sub-agent that is running keeps
//! the definition it started with, new spawns see the new one.
//!
//! ```
//! use agentc::watch::{PlanWatcher, WatchOptions};
//! use std::time::Duration;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let agents = dir.path().join(".agents");
//! std::fs::create_dir(&agents)?;
//! let explore = |model: &str| {
//!     format!("---\ndescription: Explores the code.\nmodel: ollama/{model}\n---\nExplore.\n")
//! };
//! std::fs::write(agents.join("explore.md"), explore("qwen3:8b"))?;
//! let env = agentc::discover::Env { cwd: dir.path().to_path_buf(), ..Default::default() };
//!
//! let watcher = PlanWatcher::start(WatchOptions::new(dir.path()), &env)?;
//! // A sub-agent starts on the current generation and keeps that snapshot.
//! let running = watcher.current();
//!
//! std::fs::write(agents.join("explore.md"), explore("llama3.1:8b"))?;
//! let model = |plan: &agentc::watch::LivePlan| {
//!     plan.plan.agent("explore").and_then(|a| a.route.model.clone())
//! };
//! let next = watcher
//!     .wait_for(Duration::from_secs(30), |live| model(live).as_deref() == Some("llama3.1:8b"))
//!     .expect("the edit is seen");
//! assert!(next.generation > running.generation);
//! // The running sub-agent's definition did not move under it.
//! assert_eq!(model(&running).as_deref(), Some("qwen3:8b"));
//!
//! // An async executor follows generations with a tokio watch receiver:
//! // `rx.changed().await`, then `rx.borrow().clone()` for the new snapshot.
//! let rx = watcher.subscribe();
//! assert_eq!(rx.borrow().generation, next.generation);
//! watcher.stop();
//! # Ok(())
//! # }
//! ```

mod findings;
mod layout;
mod live;
mod plan_text;

pub use findings::Findings;
pub use layout::{Depth, Hit, Layout, Relevance};
pub use live::{Change, LivePlan, LiveProject, LiveSettings, Reload};
pub use plan_text::PlanText;

use crate::discover::Env;
use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, NoCache, RecommendedCache};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

/// How long the watcher waits, idle, before freeing the last generation.
const IDLE: Duration = Duration::from_millis(100);

/// Default debounce: long enough to stitch an editor's save, short enough
/// not to be noticed.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(50);

/// What to watch and how.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// The project root (the folder holding `.agents/`).
    pub project_root: PathBuf,
    /// Whether the user scope (`$AGENTC_USER_DIR`) is read.
    pub read_user: bool,
    /// `--parent provider/model`: fills inherited routes.
    pub parent: Option<String>,
    /// Quiet time stitching the events of one save together.
    pub debounce: Duration,
    /// Poll the file system at this interval instead of waiting for its
    /// events (network and container file systems that send none).
    pub poll: Option<Duration>,
}

impl WatchOptions {
    /// Both scopes, the default debounce, native events.
    pub fn new(project_root: impl Into<PathBuf>) -> WatchOptions {
        WatchOptions {
            project_root: project_root.into(),
            read_user: true,
            parent: None,
            debounce: DEFAULT_DEBOUNCE,
            poll: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch `{path}`: {reason}")]
    Watch { path: String, reason: String },
    #[error("cannot start the file watcher: {0}")]
    Start(String),
}

/// A running watcher. Dropping it (or [`PlanWatcher::stop`]) stops it.
pub struct PlanWatcher {
    shared: Arc<Shared>,
    tx: mpsc::Sender<Msg>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Shared {
    latest: tokio::sync::watch::Sender<Arc<LivePlan>>,
    subscribers: Mutex<Vec<mpsc::Sender<Arc<LivePlan>>>>,
    published: Condvar,
}

impl Shared {
    fn publish(&self, plan: Arc<LivePlan>) {
        let mut subs = self
            .subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // The replaced generation is freed after the lock is released and
        // every subscriber has the new one.
        let replaced = self.latest.send_replace(plan.clone());
        subs.retain(|tx| tx.send(plan.clone()).is_ok());
        self.published.notify_all();
        drop(subs);
        drop(replaced);
    }
}

enum Msg {
    Events { paths: Vec<PathBuf>, rescan: bool },
    Problems(Vec<String>),
    Stop,
}

impl PlanWatcher {
    /// Loads the project (generation 0) and starts following it.
    pub fn start(options: WatchOptions, env: &Env) -> Result<PlanWatcher, WatchError> {
        let layout = Layout {
            root: options.project_root.clone(),
            user_dir: env.user_dir.clone(),
            read_user: options.read_user,
        };
        let (tx, rx) = mpsc::channel();
        let mut backend = Backend::new(&options, tx.clone())?;
        let mut armed = Armed::default();
        // Watch first, then load: nothing saved in between is missed.
        if let Some((path, e)) = armed.sync(&mut backend, &layout, &[]).into_iter().next() {
            return Err(WatchError::Watch {
                path: crate::source::relative_display(&path, &env.cwd),
                reason: describe(&e),
            });
        }
        let settings = LiveSettings {
            layout,
            parent: options.parent.clone(),
        };
        let (live, first) = LiveProject::load(settings, env.clone());
        let (latest, _) = tokio::sync::watch::channel(first);
        let shared = Arc::new(Shared {
            latest,
            subscribers: Mutex::new(Vec::new()),
            published: Condvar::new(),
        });
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name("agentc-watch".into())
            // Linking follows alias chains; give it the main thread's room.
            .stack_size(8 * 1024 * 1024)
            .spawn(move || follow(live, backend, armed, rx, &worker))
            .map_err(|e| WatchError::Start(e.to_string()))?;
        Ok(PlanWatcher {
            shared,
            tx,
            thread: Some(thread),
        })
    }

    /// The latest generation.
    pub fn current(&self) -> Arc<LivePlan> {
        self.shared.latest.borrow().clone()
    }

    /// A receiver of the latest generation, for async executors:
    /// `rx.changed().await` wakes on each new one (generations may be
    /// skipped when they come faster than they are read).
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<Arc<LivePlan>> {
        self.shared.latest.subscribe()
    }

    /// Every generation from the current one on, in order, none skipped
    /// (for a log of reloads). Read it: generations queue up until then.
    pub fn every_generation(&self) -> mpsc::Receiver<Arc<LivePlan>> {
        let (tx, rx) = mpsc::channel();
        let mut subs = self
            .shared
            .subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Under the lock no generation can slip between these two lines.
        let _ = tx.send(self.current());
        subs.push(tx);
        rx
    }

    /// Blocks until a generation satisfies `pred` (the current one
    /// included), or `timeout` passes.
    pub fn wait_for(
        &self,
        timeout: Duration,
        mut pred: impl FnMut(&LivePlan) -> bool,
    ) -> Option<Arc<LivePlan>> {
        let deadline = Instant::now() + timeout;
        loop {
            // `pred` runs without the lock, so it never holds up the watcher.
            let current = self.current();
            if pred(&current) {
                return Some(current);
            }
            let mut guard = self
                .shared
                .subscribers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            // Generations are published under this lock: one that came
            // while `pred` ran is seen here, and none can slip past the wait.
            while self.current().generation == current.generation {
                let now = Instant::now();
                if now >= deadline {
                    return None;
                }
                guard = self
                    .shared
                    .published
                    .wait_timeout(guard, deadline - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
    }

    /// Stops watching and waits for the watcher's thread to end.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for PlanWatcher {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The watcher's loop: gather what changed, re-arm watches, reload.
fn follow(
    mut live: LiveProject,
    mut backend: Backend,
    mut armed: Armed,
    rx: mpsc::Receiver<Msg>,
    shared: &Shared,
) {
    loop {
        // The previous generation is freed once nothing happens for a
        // moment: freeing thousands of agents costs as much as linking
        // them, and the reader of the new generation (writing `--out`, an
        // executor) should have the processor first. A change that comes
        // sooner frees it on the way (`apply`).
        let first = match rx.recv_timeout(IDLE) {
            Ok(msg) => msg,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                live.release();
                match rx.recv() {
                    Ok(msg) => msg,
                    Err(_) => break,
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut change = Change::default();
        let mut stop = false;
        // Everything that queued up while the last generation was built
        // goes into this one.
        for msg in std::iter::once(first).chain(rx.try_iter()) {
            match msg {
                Msg::Events { paths, rescan } => {
                    change.paths.extend(paths);
                    change.rescan |= rescan;
                }
                Msg::Problems(p) => {
                    // The watcher may have lost events: read everything.
                    change.problems.extend(p);
                    change.rescan = true;
                }
                Msg::Stop => stop = true,
            }
        }
        if stop {
            break;
        }
        let touched: Vec<PathBuf> = change.paths.iter().cloned().collect();
        for (path, e) in armed.sync(&mut backend, live.layout(), &touched) {
            change.problems.push(format!(
                "cannot watch `{}`: {}",
                path.display(),
                describe(&e)
            ));
        }
        if let Some(plan) = live.apply(&change) {
            shared.publish(plan);
        }
    }
}

/// The two kinds of debounced watcher: native events, or polling.
enum Backend {
    Native(Debouncer<notify::RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<notify::PollWatcher, NoCache>),
}

impl Backend {
    fn new(options: &WatchOptions, tx: mpsc::Sender<Msg>) -> Result<Backend, WatchError> {
        // Events are due `debounce` after they happen and checked every
        // tick: a fine tick keeps the latency close to the debounce.
        let tick =
            (options.debounce / 10).clamp(Duration::from_millis(2), Duration::from_millis(10));
        let timeout = options.debounce.max(tick);
        let handler = move |result: DebounceEventResult| {
            if let Some(msg) = message(result) {
                let _ = tx.send(msg);
            }
        };
        let start = |e: notify::Error| WatchError::Start(describe(&e));
        Ok(match options.poll {
            None => Backend::Native(
                notify_debouncer_full::new_debouncer_opt(
                    timeout,
                    Some(tick),
                    handler,
                    RecommendedCache::new(),
                    notify::Config::default(),
                )
                .map_err(start)?,
            ),
            Some(interval) => Backend::Poll(
                notify_debouncer_full::new_debouncer_opt(
                    timeout,
                    Some(tick),
                    handler,
                    NoCache,
                    notify::Config::default().with_poll_interval(interval),
                )
                .map_err(start)?,
            ),
        })
    }

    fn watch(&mut self, path: &Path, depth: Depth) -> notify::Result<()> {
        let mode = match depth {
            Depth::Recursive => RecursiveMode::Recursive,
            Depth::Shallow => RecursiveMode::NonRecursive,
        };
        match self {
            Backend::Native(d) => d.watch(path, mode),
            Backend::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) {
        // A folder that was deleted is no longer watched; that is fine.
        let _ = match self {
            Backend::Native(d) => d.unwatch(path),
            Backend::Poll(d) => d.unwatch(path),
        };
    }
}

/// The debounced events as a message for the loop: the paths they name,
/// without the events agentc's own reading causes.
fn message(result: DebounceEventResult) -> Option<Msg> {
    match result {
        Ok(events) => {
            let mut rescan = false;
            let mut paths = Vec::new();
            for e in events {
                if e.need_rescan() {
                    rescan = true;
                } else if changes_content(&e.kind) {
                    paths.extend(e.paths.iter().cloned());
                }
            }
            (rescan || !paths.is_empty()).then_some(Msg::Events { paths, rescan })
        }
        Err(errors) => Some(Msg::Problems(errors.iter().map(describe).collect())),
    }
}

/// Opening and reading a file (which the watcher itself does) changes
/// nothing; everything else may.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    }
}

fn is_not_found(e: &notify::Error) -> bool {
    match &e.kind {
        notify::ErrorKind::PathNotFound => true,
        notify::ErrorKind::Io(io) => io.kind() == std::io::ErrorKind::NotFound,
        _ => false,
    }
}

fn describe(e: &notify::Error) -> String {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => {
            "the system's limit of watched folders is reached (raise fs.inotify.max_user_watches, or use --poll)".into()
        }
        notify::ErrorKind::PathNotFound => "no such folder".into(),
        notify::ErrorKind::Io(io) => io.to_string(),
        notify::ErrorKind::Generic(s) => s.clone(),
        _ => e.to_string(),
    }
}

/// The folders being watched, kept in step with [`Layout::watch_set`].
#[derive(Default)]
struct Armed {
    set: BTreeMap<PathBuf, Depth>,
}

impl Armed {
    /// Watches what the layout asks for now. A watched folder that was
    /// itself touched (deleted and made again, renamed) is watched anew:
    /// the old watch followed the old folder. Returns the folders that
    /// could not be watched.
    fn sync(
        &mut self,
        backend: &mut Backend,
        layout: &Layout,
        touched: &[PathBuf],
    ) -> Vec<(PathBuf, notify::Error)> {
        let mut failed = Vec::new();
        // A folder can vanish between looking and watching: look again.
        for _ in 0..3 {
            failed.clear();
            let wanted = layout.watch_set();
            let stale: Vec<PathBuf> = self
                .set
                .iter()
                .filter(|(p, d)| {
                    wanted.get(*p) != Some(*d) || touched.iter().any(|t| p.starts_with(t))
                })
                .map(|(p, _)| p.clone())
                .collect();
            for p in stale {
                backend.unwatch(&p);
                self.set.remove(&p);
            }
            let mut vanished = false;
            for (p, d) in wanted {
                if self.set.contains_key(&p) {
                    continue;
                }
                match backend.watch(&p, d) {
                    Ok(()) => {
                        self.set.insert(p, d);
                    }
                    Err(e) if is_not_found(&e) => vanished = true,
                    Err(e) => failed.push((p, e)),
                }
            }
            if !vanished {
                break;
            }
        }
        failed
    }
}
