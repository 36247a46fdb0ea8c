//! The models local servers serve, probed in the background. A completion
//! or hover reads whatever the last probe found and never waits for one; a
//! probe older than [`FRESH`] (or of other providers) is started again on
//! its own thread.

use crate::exec::providers::{self, ProbeOptions, ProbeReport};
use crate::model::config::Config;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a probe's answer is shown before it is asked again.
pub const FRESH: Duration = Duration::from_secs(30);

#[derive(Default)]
struct State {
    report: Option<Arc<ProbeReport>>,
    /// When the shown report was started, and for which providers.
    started: Option<Instant>,
    targets: String,
    running: bool,
}

/// The last probe's report, shared with the thread that makes the next.
#[derive(Clone, Default)]
pub struct ProbeCache {
    state: Arc<Mutex<State>>,
    enabled: bool,
}

impl ProbeCache {
    pub fn new(enabled: bool) -> ProbeCache {
        ProbeCache {
            state: Arc::default(),
            enabled,
        }
    }

    /// The last report, if a probe has finished.
    pub fn report(&self) -> Option<Arc<ProbeReport>> {
        self.lock().report.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a probe of `config`'s local providers when the last one is
    /// stale or was of other providers, unless one is running. Returns at
    /// once.
    pub fn refresh(&self, config: &Config) {
        if !self.enabled {
            return;
        }
        let env = |name: &str| std::env::var(name).ok();
        let targets = providers::targets(config, false, None, &env);
        let key: String = targets
            .iter()
            .map(|t| format!("{}={}\n", t.id, t.base_url))
            .collect();
        {
            let mut s = self.lock();
            let fresh = s.started.is_some_and(|t| t.elapsed() < FRESH) && s.targets == key;
            if s.running || fresh {
                return;
            }
            s.running = true;
        }
        let state = self.state.clone();
        let spawned = std::thread::Builder::new()
            .name("agentc-lsp-probe".into())
            .spawn(move || {
                let started = Instant::now();
                let report = providers::probe(targets, &ProbeOptions::default()).ok();
                let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                s.running = false;
                s.started = Some(started);
                s.targets = key;
                if let Some(r) = report {
                    s.report = Some(Arc::new(r));
                }
            });
        if spawned.is_err() {
            self.lock().running = false;
        }
    }
}
