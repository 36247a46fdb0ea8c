//! The live project: every agent file's last analysis kept in memory, so
//! that a change re-reads only the files it touched, then links the whole
//! set again. Each call to [`LiveProject::apply`] yields the next
//! generation of the plan.
//!
//! File ids are stable: a file read again keeps its id (its slot in the
//! [`SourceMap`] is replaced), a deleted file's id is reused by the next
//! new file, and the configs always sit in the first slots. The map so
//! never grows with the number of generations, only with the number of
//! files.

use super::findings::{Findings, copy_source};
use super::layout::{Hit, Layout};
use crate::check::project::{self, Configs, FileResult, Job, LinkCache, Roots};
use crate::discover::{self, AgentFile, Env, ProjectFiles};
use crate::model::config::Limits;
use crate::route::plan::{self, Plan, PlanAgent, PlanCache};
use crate::source::{self, FileId, Overlay, Scope, SourceFile, SourceMap};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to load and keep live.
#[derive(Clone, Debug)]
pub struct LiveSettings {
    pub layout: Layout,
    /// `--parent provider/model`: fills inherited routes.
    pub parent: Option<String>,
}

/// A set of paths that changed, as the file system reported them.
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub paths: BTreeSet<PathBuf>,
    /// Events were lost: read everything again.
    pub rescan: bool,
    /// What went wrong in the watcher since the last generation.
    pub problems: Vec<String>,
}

/// One generation of the live plan: an immutable snapshot. An executor
/// keeps the `Arc` it started a sub-agent with; later generations do not
/// change it.
#[derive(Debug)]
pub struct LivePlan {
    /// 0 for the initial load, then one more for each reload.
    pub generation: u64,
    /// The plan: the current definitions, plus the last good definition of
    /// each agent whose file now has errors (`"stale": true`).
    pub plan: Plan,
    /// The findings of this generation, with the text they point into.
    pub findings: Findings,
    pub reload: Reload,
}

impl LivePlan {
    /// The agents kept from an earlier generation because their current
    /// text has errors.
    pub fn stale(&self) -> impl Iterator<Item = &PlanAgent> {
        self.plan.agents.iter().filter(|a| a.stale).map(|a| &**a)
    }
}

/// What one reload did.
#[derive(Clone, Debug, Default)]
pub struct Reload {
    /// Files read again, added or removed, as diagnostics name them
    /// (relative to the working directory, `/`-separated). Empty for
    /// generation 0.
    pub changed: Vec<String>,
    /// Agent files read and parsed in this generation.
    pub parsed: usize,
    /// Whether the configs were read again.
    pub configs: bool,
    /// Whether everything was read again because events were lost.
    pub rescan: bool,
    /// Time spent reading, linking and planning (not the debounce).
    pub elapsed: Duration,
    /// Problems of the watcher itself (a folder that cannot be watched, lost
    /// events), in words.
    pub problems: Vec<String>,
}

/// Slots kept for the config files at the front of the source map.
const CONFIG_SLOTS: u32 = 2;

/// One agent file being followed.
#[derive(Clone, Debug)]
struct Tracked {
    file: AgentFile,
    scope: Scope,
}

/// The live state of one project and its user scope.
pub struct LiveProject {
    settings: LiveSettings,
    env: Env,
    sources: SourceMap,
    config_slots: u32,
    configs: Configs,
    tracked: Vec<Tracked>,
    results: Vec<FileResult>,
    /// (path, scope) → index into `tracked` and `results`.
    index: BTreeMap<(PathBuf, Scope), usize>,
    free_ids: Vec<FileId>,
    /// Symlinks that leave their root, and their findings.
    escapes: Vec<(PathBuf, Scope)>,
    escape_findings: Vec<(FileId, Scope, crate::Diagnostic)>,
    generation: u64,
    previous: Option<Arc<LivePlan>>,
    /// Each definition's links and plan entry, kept while it and the
    /// configs stay the same: a reload's cost follows what changed.
    link_cache: LinkCache,
    plan_cache: PlanCache,
    /// What past generations left, waiting to be freed (see `release`).
    retired_projects: Vec<project::Project>,
    retired_plans: Vec<Arc<LivePlan>>,
    /// Unsaved editor buffers read instead of their files.
    overlay: Overlay,
    /// Whether the latest linked project is kept readable (`project`).
    keep_project: bool,
    kept: Option<project::Project>,
}

impl LiveProject {
    /// Loads everything: generation 0.
    pub fn load(settings: LiveSettings, env: Env) -> (LiveProject, Arc<LivePlan>) {
        let started = Instant::now();
        let mut live = LiveProject {
            settings,
            env,
            sources: SourceMap::default(),
            config_slots: CONFIG_SLOTS,
            // Replaced by the first read of the real configs below.
            configs: project::load_configs(
                &ProjectFiles::default(),
                None,
                &Env::default(),
                &mut SourceMap::default(),
            ),
            tracked: Vec::new(),
            results: Vec::new(),
            index: BTreeMap::new(),
            free_ids: Vec::new(),
            escapes: Vec::new(),
            escape_findings: Vec::new(),
            generation: 0,
            previous: None,
            link_cache: LinkCache::new(),
            plan_cache: PlanCache::new(),
            retired_projects: Vec::new(),
            retired_plans: Vec::new(),
            overlay: Overlay::default(),
            keep_project: false,
            kept: None,
        };
        live.reset();
        let parsed = live.results.len();
        let mut plan = live.publish(Reload {
            parsed,
            configs: true,
            ..Reload::default()
        });
        // The first generation's time covers discovery too.
        if let Some(p) = Arc::get_mut(&mut plan) {
            p.reload.elapsed = started.elapsed();
        }
        live.previous = Some(plan.clone());
        live.release();
        (live, plan)
    }

    /// The layout being followed.
    pub fn layout(&self) -> &Layout {
        &self.settings.layout
    }

    /// The latest generation.
    pub fn current(&self) -> Option<&Arc<LivePlan>> {
        self.previous.as_ref()
    }

    /// Reads `text` instead of the file at `path` (an editor's unsaved
    /// buffer), or the file again with `None`. It is read at the next
    /// [`apply`](Self::apply) whose change names `path`.
    pub fn set_overlay(&mut self, path: PathBuf, text: Option<String>) {
        match text {
            Some(t) => self.overlay.set(path, t),
            None => {
                self.overlay.remove(&path);
            }
        }
    }

    /// Keeps the project each generation is linked from readable through
    /// [`project`](Self::project), for a server that answers questions
    /// about it (routes, layers, spans) between reloads.
    pub fn keep_project(&mut self) {
        self.keep_project = true;
    }

    /// The project the latest generation was linked from, when
    /// [`keep_project`](Self::keep_project) was asked for after it.
    pub fn project(&self) -> Option<&project::Project> {
        self.kept.as_ref()
    }

    /// The files the project's spans point into.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The agent file at `path` and its scope, when it is followed.
    pub fn agent_file(&self, path: &Path) -> Option<(&AgentFile, Scope)> {
        [Scope::Project, Scope::User].into_iter().find_map(|scope| {
            let &i = self.index.get(&(path.to_path_buf(), scope))?;
            Some((&self.tracked[i].file, scope))
        })
    }

    /// Forgets everything and reads it all again, with fresh ids.
    fn reset(&mut self) {
        self.sources = SourceMap::default();
        self.pad_config_slots();
        self.tracked.clear();
        self.results.clear();
        self.index.clear();
        self.free_ids.clear();
        self.escapes.clear();
        self.escape_findings.clear();
        if !self.reload_configs() {
            // More config files than slots: make room and start again.
            self.sources = SourceMap::default();
            self.pad_config_slots();
            self.reload_configs();
        }
        let mut jobs = Vec::new();
        for scope in self.settings.layout.scopes() {
            let files = self.discover(scope);
            self.escapes
                .extend(files.escapes.iter().map(|p| (p.clone(), scope)));
            jobs.extend(files.agents.into_iter().map(|file| (file, scope)));
        }
        self.refresh_escape_findings();
        self.analyse(jobs.into_iter().map(|(f, s)| (f, s, None)).collect());
    }

    fn pad_config_slots(&mut self) {
        for i in 0..self.config_slots {
            self.sources.set(FileId(i), empty_source());
        }
    }

    fn project_files(&self) -> ProjectFiles {
        let layout = &self.settings.layout;
        // Read only when inside the root, as discovery decides.
        let mut files = ProjectFiles {
            root: layout.root.clone(),
            ..ProjectFiles::default()
        };
        files.set_config(layout.project_config());
        files
    }

    fn user_files(&self) -> Option<ProjectFiles> {
        let layout = &self.settings.layout;
        let dir = layout.user_dir.as_ref().filter(|_| layout.read_user)?;
        let mut files = ProjectFiles {
            root: dir.clone(),
            ..ProjectFiles::default()
        };
        if let Some(config) = layout.user_config() {
            files.set_config(config);
        }
        Some(files)
    }

    fn discover(&self, scope: Scope) -> ProjectFiles {
        let layout = &self.settings.layout;
        match (scope, &layout.user_dir) {
            (Scope::Project, _) => discover::discover_project(&layout.root),
            (Scope::User, Some(u)) => discover::discover_user(u),
            (Scope::User, None) => ProjectFiles::default(),
        }
    }

    /// Reads both configs into their slots. False when they need more
    /// slots than there are (the slots are then widened for a reset).
    fn reload_configs(&mut self) -> bool {
        let mut scratch = SourceMap::default();
        let project = self.project_files();
        let user = self.user_files();
        let configs = project::load_configs_over(
            &project,
            user.as_ref(),
            &self.env,
            &mut scratch,
            &self.overlay,
        );
        if scratch.len() as u32 > self.config_slots {
            self.config_slots = scratch.len() as u32;
            return false;
        }
        for i in 0..self.config_slots {
            let id = FileId(i);
            let file = if (i as usize) < scratch.len() {
                copy_source(scratch.get(id))
            } else {
                empty_source()
            };
            self.sources.set(id, file);
        }
        self.configs = configs;
        true
    }

    fn refresh_escape_findings(&mut self) {
        for (id, _, _) in self.escape_findings.drain(..) {
            self.sources.set(id, empty_source());
            self.free_ids.push(id);
        }
        if self.escapes.is_empty() {
            return;
        }
        // Built apart, then put in free slots, so the map stays bounded.
        let mut scratch = SourceMap::default();
        let found = project::escape_findings(&self.escapes, &self.env, &mut scratch);
        let mut placed = Vec::with_capacity(found.len());
        for (id, scope, mut d) in found {
            let slot = self
                .free_ids
                .pop()
                .unwrap_or_else(|| self.sources.next_id());
            self.sources.set(slot, copy_source(scratch.get(id)));
            retarget(&mut d, slot);
            placed.push((slot, scope, d));
        }
        self.escape_findings = placed;
    }

    /// Reads and analyses files: `(file, scope, index)` where `index` is the
    /// tracked entry the file replaces, `None` for a new file.
    fn analyse(&mut self, work: Vec<(AgentFile, Scope, Option<usize>)>) -> usize {
        if work.is_empty() {
            return 0;
        }
        let mut fresh = self.sources.len() as u32;
        let jobs: Vec<Job> = work
            .iter()
            .map(|(file, scope, at)| {
                let id = match at {
                    Some(i) => self.results[*i].id,
                    None => self.free_ids.pop().unwrap_or_else(|| {
                        fresh += 1;
                        FileId(fresh - 1)
                    }),
                };
                Job {
                    file: file.clone(),
                    scope: *scope,
                    id: Some(id),
                }
            })
            .collect();
        let roots = Roots {
            project: self.settings.layout.root.clone(),
            user: self
                .settings
                .layout
                .user_dir
                .clone()
                .filter(|_| self.settings.layout.read_user),
        };
        let results = project::analyze_files_over(
            &jobs,
            &self.configs.config,
            &roots,
            &self.env,
            &mut self.sources,
            &self.overlay,
            project::Keep::Whole,
        );
        let parsed = results.len();
        for (result, (file, scope, at)) in results.into_iter().zip(work) {
            match at {
                Some(i) => {
                    self.results[i] = result;
                    self.tracked[i] = Tracked { file, scope };
                }
                None => {
                    self.index
                        .insert((file.path.clone(), scope), self.tracked.len());
                    self.tracked.push(Tracked { file, scope });
                    self.results.push(result);
                }
            }
        }
        parsed
    }

    fn remove(&mut self, key: &(PathBuf, Scope)) {
        let Some(i) = self.index.remove(key) else {
            return;
        };
        let id = self.results[i].id;
        self.sources.set(id, empty_source());
        self.free_ids.push(id);
        self.tracked.swap_remove(i);
        self.results.swap_remove(i);
        if let Some(moved) = self.tracked.get(i) {
            self.index.insert((moved.file.path.clone(), moved.scope), i);
        }
    }

    /// Known files of `scope` at or below `path`.
    fn known_below(&self, path: &Path, scope: Scope) -> Vec<(PathBuf, Scope)> {
        self.index
            .range((path.to_path_buf(), Scope::Project)..)
            .take_while(|((p, _), _)| p.starts_with(path))
            .filter(|((_, s), _)| *s == scope)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Applies a change: re-reads what it touched and links again. `None`
    /// when nothing the plan depends on changed (an editor's temporary
    /// file, a file outside the agent folders) and there is no problem to
    /// report.
    // Long: re-read, re-discover, drop and add files in an order the cache depends on.
    pub fn apply(&mut self, change: &Change) -> Option<Arc<LivePlan>> {
        self.release();
        let started = Instant::now();
        let layout = self.settings.layout.clone();
        let scopes = layout.scopes();
        let mut config_changed = change.rescan;
        let mut rediscover: HashSet<Scope> = HashSet::new();
        let mut reread: BTreeSet<(PathBuf, Scope)> = BTreeSet::new();
        let mut removed: BTreeSet<(PathBuf, Scope)> = BTreeSet::new();
        if change.rescan {
            rediscover.extend(scopes.iter().copied());
            reread.extend(self.index.keys().cloned());
        }
        for path in &change.paths {
            let r = layout.classify(path);
            config_changed |= r.config;
            for &scope in &scopes {
                match r.scope(scope) {
                    None => {}
                    Some(Hit::Structure) => {
                        rediscover.insert(scope);
                    }
                    Some(Hit::Inside) => match self.inside(path, scope) {
                        Step::Reread(k) => {
                            reread.insert(k);
                        }
                        Step::Remove(keys) => removed.extend(keys),
                        Step::Rediscover => {
                            rediscover.insert(scope);
                        }
                        Step::Nothing => {}
                    },
                }
            }
        }

        let mut limits_changed = false;
        if config_changed {
            let before = self.limits();
            if !self.reload_configs() {
                self.reset();
                let parsed = self.results.len();
                return Some(self.finish(started, change, self.all_changed(), parsed, true));
            }
            limits_changed = before != self.limits();
        }

        let mut added: Vec<(AgentFile, Scope)> = Vec::new();
        // Files a fresh discovery sees with new details (dialect, origin).
        let mut updated: HashMap<(PathBuf, Scope), AgentFile> = HashMap::new();
        let mut escapes_changed = false;
        for &scope in &scopes {
            if !rediscover.contains(&scope) {
                continue;
            }
            let files = self.discover(scope);
            let now: HashMap<&Path, &AgentFile> =
                files.agents.iter().map(|f| (f.path.as_path(), f)).collect();
            for (key, &i) in self.index.iter().filter(|(k, _)| k.1 == scope) {
                match now.get(key.0.as_path()) {
                    None => {
                        removed.insert(key.clone());
                    }
                    Some(f) if **f != self.tracked[i].file => {
                        reread.insert(key.clone());
                        updated.insert(key.clone(), (*f).clone());
                    }
                    Some(_) => {}
                }
            }
            for f in &files.agents {
                if !self.index.contains_key(&(f.path.clone(), scope)) {
                    added.push((f.clone(), scope));
                }
            }
            let mut escapes: Vec<(PathBuf, Scope)> = self
                .escapes
                .iter()
                .filter(|(_, s)| *s != scope)
                .cloned()
                .chain(files.escapes.iter().map(|p| (p.clone(), scope)))
                .collect();
            // Project escapes first, as a full load lists them.
            escapes.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
            if escapes != self.escapes {
                self.escapes = escapes;
                escapes_changed = true;
            }
        }
        if escapes_changed {
            self.refresh_escape_findings();
        }

        if limits_changed {
            reread.extend(self.index.keys().cloned());
        }
        for key in &removed {
            reread.remove(key);
        }
        if reread.is_empty()
            && removed.is_empty()
            && added.is_empty()
            && !config_changed
            && !escapes_changed
            // Problems are reported even when nothing else changed.
            && change.problems.is_empty()
        {
            return None;
        }

        let mut changed: BTreeSet<String> = BTreeSet::new();
        for key in removed.iter().chain(reread.iter()) {
            changed.insert(source::relative_display(&key.0, &self.env.cwd));
        }
        for (f, _) in &added {
            changed.insert(source::relative_display(&f.path, &self.env.cwd));
        }
        if config_changed {
            for c in layout.config_files() {
                if change.rescan || change.paths.iter().any(|p| c.starts_with(p)) {
                    changed.insert(source::relative_display(&c, &self.env.cwd));
                }
            }
        }

        for key in &removed {
            self.remove(key);
        }
        let mut work: Vec<(AgentFile, Scope, Option<usize>)> = Vec::new();
        for key in &reread {
            if let Some(&i) = self.index.get(key) {
                let file = updated
                    .remove(key)
                    .unwrap_or_else(|| self.tracked[i].file.clone());
                work.push((file, key.1, Some(i)));
            }
        }
        work.extend(added.into_iter().map(|(f, s)| (f, s, None)));
        let parsed = self.analyse(work);
        Some(self.finish(
            started,
            change,
            changed.into_iter().collect(),
            parsed,
            config_changed,
        ))
    }

    fn all_changed(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .tracked
            .iter()
            .map(|t| source::relative_display(&t.file.path, &self.env.cwd))
            .collect();
        all.sort();
        all
    }

    fn limits(&self) -> (Limits, Limits) {
        (
            self.configs.config.project.limits,
            self.configs.config.user.limits,
        )
    }

    /// What a changed path inside an agent folder asks for.
    fn inside(&self, path: &Path, scope: Scope) -> Step {
        let key = (path.to_path_buf(), scope);
        if self.index.contains_key(&key) {
            return match std::fs::symlink_metadata(path) {
                // A folder now, or a link (which discovery follows only
                // while it stays inside the root): discovery decides.
                Ok(m) if m.is_dir() || m.file_type().is_symlink() => Step::Rediscover,
                Ok(_) => Step::Reread(key),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Step::Remove(vec![key]),
                // Unreadable: read it again so the finding says why.
                Err(_) => Step::Reread(key),
            };
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // A change to ignore rules can add or remove files anywhere below.
        if name == ".gitignore" {
            return Step::Rediscover;
        }
        match std::fs::symlink_metadata(path) {
            // A link that left the root is gone: its finding goes too.
            Err(_) if self.escapes.iter().any(|(p, s)| p == path && *s == scope) => {
                Step::Rediscover
            }
            Err(_) => {
                // Gone: a folder, perhaps, with known files below it.
                let below = self.known_below(path, scope);
                if below.is_empty() {
                    Step::Nothing
                } else {
                    Step::Remove(below)
                }
            }
            Ok(m) if m.is_dir() || m.file_type().is_symlink() => Step::Rediscover,
            // An editor's temporary or backup file, or any other file that
            // can never be an agent.
            Ok(_)
                if !(discover::is_agent_file_name(&name)
                    || name.ends_with(".toml")
                        && path.parent().is_some_and(|d| d.ends_with(".codex/agents"))) =>
            {
                Step::Nothing
            }
            Ok(_) => Step::Rediscover,
        }
    }

    /// Links the in-memory set, builds the plan, keeps last good
    /// definitions and publishes the next generation.
    fn finish(
        &mut self,
        started: Instant,
        change: &Change,
        changed: Vec<String>,
        parsed: usize,
        configs: bool,
    ) -> Arc<LivePlan> {
        self.generation += 1;
        let mut plan = self.publish(Reload {
            changed,
            parsed,
            configs,
            rescan: change.rescan,
            elapsed: Duration::ZERO,
            problems: change.problems.clone(),
        });
        if let Some(p) = Arc::get_mut(&mut plan) {
            p.reload.elapsed = started.elapsed();
        }
        if let Some(old) = self.previous.replace(plan.clone()) {
            self.retired_plans.push(old);
        }
        plan
    }

    /// Frees what earlier generations left behind. The watcher calls it
    /// when idle, so the freeing is not part of a reload's latency; `apply`
    /// calls it too.
    pub fn release(&mut self) {
        self.retired_projects.clear();
        self.retired_plans.clear();
    }

    fn publish(&mut self, reload: Reload) -> Arc<LivePlan> {
        let configs = Configs {
            config: self.configs.config.clone(),
            diagnostics: self.configs.diagnostics.clone(),
            files: self.configs.files.clone(),
        };
        let (project, diagnostics) = project::link_with(
            self.settings.layout.root.clone(),
            configs,
            &self.results,
            self.escape_findings.clone(),
            self.settings.parent.as_deref(),
            &self.sources,
            &mut self.link_cache,
        );
        let mut plan =
            plan::build_with(&project, &self.sources, &diagnostics, &mut self.plan_cache);
        self.keep_last_good(&project, &mut plan);
        let findings = Findings::new(
            &self.sources,
            diagnostics,
            project.files,
            plan.summary.agents,
        );
        // Freeing thousands of agents takes as long as linking them: it
        // waits until the new generation is out (`release`).
        let retired = if self.keep_project {
            self.kept.replace(project)
        } else {
            Some(project)
        };
        self.retired_projects.extend(retired);
        Arc::new(LivePlan {
            generation: self.generation,
            plan,
            findings,
            reload,
        })
    }

    /// Adds, marked stale, the previous entry of every file that is still
    /// there but no longer yields an entry, when no current entry holds
    /// its name. A file that was never good is not added.
    fn keep_last_good(&self, project: &project::Project, plan: &mut Plan) {
        let Some(previous) = &self.previous else {
            return;
        };
        // Each entry is one file's: as many entries as files, none missing.
        if plan.agents.len() == self.results.len() {
            return;
        }
        let planned: HashSet<FileId> = project.planned().map(|a| a.def.file).collect();
        let missing: HashSet<&str> = self
            .results
            .iter()
            .filter(|r| !planned.contains(&r.id))
            .map(|r| self.sources.get(r.id).plan_path.as_str())
            .collect();
        if missing.is_empty() {
            return;
        }
        // `build` sorts the entries by name, one per name.
        let taken = |name: &str| {
            plan.agents
                .binary_search_by(|a| a.name.as_str().cmp(name))
                .is_ok()
        };
        let mut names: HashSet<&str> = HashSet::new();
        let mut kept = Vec::new();
        for old in &previous.plan.agents {
            if missing.contains(old.path.as_str())
                && !taken(&old.name)
                && names.insert(old.name.as_str())
            {
                kept.push(if old.stale {
                    Arc::clone(old)
                } else {
                    let mut stale = PlanAgent::clone(old);
                    stale.stale = true;
                    Arc::new(stale)
                });
            }
        }
        if kept.is_empty() {
            return;
        }
        plan.agents.extend(kept);
        plan.agents.sort_by(|a, b| a.name.cmp(&b.name));
        plan.summary.agents = plan.agents.len();
    }
}

enum Step {
    Reread((PathBuf, Scope)),
    Remove(Vec<(PathBuf, Scope)>),
    Rediscover,
    Nothing,
}

fn empty_source() -> SourceFile {
    SourceFile::new(PathBuf::new(), String::new(), String::new(), String::new())
}

/// Points every span of a finding at `file`.
fn retarget(d: &mut crate::Diagnostic, file: FileId) {
    if let Some(s) = d.span.as_mut() {
        s.file = file;
    }
    for l in d.labels.iter_mut() {
        l.span.file = file;
    }
    if let Some(fix) = d.fix.as_mut() {
        for e in fix.edits.iter_mut() {
            e.span.file = file;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture {
        _dir: tempfile::TempDir,
        root: PathBuf,
        live: LiveProject,
    }

    fn agent(model: &str) -> String {
        format!("---\ndescription: An agent.\nmodel: {model}\n---\nWork.\n")
    }

    fn fixture(files: &[(&str, &str)]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join(".agents")).unwrap();
        for (rel, text) in files {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let env = Env {
            cwd: root.clone(),
            ..Env::default()
        };
        let settings = LiveSettings {
            layout: Layout {
                root: root.clone(),
                user_dir: None,
                read_user: false,
            },
            parent: None,
        };
        let (live, _) = LiveProject::load(settings, env);
        Fixture {
            _dir: dir,
            root,
            live,
        }
    }

    impl Fixture {
        fn write(&self, rel: &str, text: &str) -> PathBuf {
            let p = self.root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
            p
        }

        fn apply(&mut self, paths: &[PathBuf]) -> Option<Arc<LivePlan>> {
            self.live.apply(&Change {
                paths: paths.iter().cloned().collect(),
                ..Change::default()
            })
        }

        fn fresh(&self) -> String {
            self.fresh_all().0
        }

        /// A fresh load's plan JSON and its diagnostics as JSON, in the
        /// order of the live findings.
        fn fresh_all(&self) -> (String, Vec<serde_json::Value>) {
            let env = Env {
                cwd: self.root.clone(),
                ..Env::default()
            };
            let req = project::LoadRequest {
                project: discover::discover_project(&self.root),
                user: None,
                parent: None,
                keep: crate::check::project::Keep::Whole,
            };
            let mut sources = SourceMap::default();
            let (p, d) = project::load(req, &env, &mut sources);
            let plan = plan::build(&p, &sources, &d).to_json();
            (plan, Findings::new(&sources, d, 0, 0).json())
        }
    }

    #[test]
    fn temporary_and_unrelated_files_make_no_generation() {
        let mut f = fixture(&[(".agents/a.md", &agent("ollama/x"))]);
        let tmp = f.write(".agents/a.md.tmp.123", "partial");
        let swap = f.write(".agents/.a.md.swp", "swap");
        let outside = f.write("README.md", "# readme");
        assert!(f.apply(&[tmp.clone(), swap, outside]).is_none());
        std::fs::remove_file(&tmp).unwrap();
        assert!(f.apply(&[tmp]).is_none());
        assert_eq!(f.live.generation, 0);
    }

    #[test]
    fn an_edit_reads_one_file_and_matches_a_fresh_load() {
        let files: Vec<(String, String)> = (0..30)
            .map(|i| (format!(".agents/a{i}.md"), agent("ollama/x")))
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let mut f = fixture(&refs);
        let p = f.write(".agents/a3.md", &agent("ollama/y"));
        let live = f.apply(&[p]).unwrap();
        assert_eq!(live.generation, 1);
        assert_eq!(live.reload.parsed, 1);
        assert_eq!(live.reload.changed, vec![".agents/a3.md".to_string()]);
        assert_eq!(live.plan.to_json(), f.fresh());
    }

    #[test]
    fn ids_are_reused_so_the_source_map_stays_bounded() {
        let mut f = fixture(&[(".agents/a.md", &agent("ollama/x"))]);
        let before = f.live.sources.len();
        for i in 0..50 {
            let p = f.write(".agents/b.md", &agent(&format!("ollama/m{i}")));
            f.apply(std::slice::from_ref(&p)).unwrap();
            std::fs::remove_file(&p).unwrap();
            f.apply(&[p]).unwrap();
        }
        assert!(f.live.sources.len() <= before + 1);
        assert_eq!(f.live.current().unwrap().plan.to_json(), f.fresh());
    }

    #[test]
    fn stale_entry_yields_to_a_good_definition_of_its_name() {
        let mut f = fixture(&[(
            ".agents/a.md",
            "---\nname: alpha\ndescription: A.\n---\nWork.\n",
        )]);
        // a.md breaks: `alpha` stays, stale (the broken file claims `a`).
        let a = f.write(".agents/a.md", "---\ndescription: [\n---\n");
        let live = f.apply(std::slice::from_ref(&a)).unwrap();
        assert!(live.plan.agent("alpha").unwrap().stale);
        // A good definition of `alpha` appears: it takes the name.
        let alpha = f.write(
            ".agents/alpha.md",
            "---\ndescription: The new alpha.\n---\nWork.\n",
        );
        let live = f.apply(&[alpha]).unwrap();
        let names: Vec<&str> = live.plan.agents.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, vec!["alpha"]);
        assert!(!live.plan.agents[0].stale);
        assert_eq!(live.plan.agents[0].path, ".agents/alpha.md");
        // A broken file that now claims the name of another good agent
        // makes both fail (`duplicate-name`): each keeps its last good entry.
        let b = f.write(".agents/b.md", "---\ndescription: B.\n---\nWork.\n");
        assert!(
            f.apply(std::slice::from_ref(&b))
                .unwrap()
                .plan
                .agent("b")
                .is_some()
        );
        let b2 = f.write(
            ".agents/b.md",
            "---\nname: alpha\ndescription: B.\n---\nWork.\n",
        );
        let live = f.apply(&[b2]).unwrap();
        let shown: Vec<(&str, bool)> = live
            .plan
            .agents
            .iter()
            .map(|x| (x.name.as_str(), x.stale))
            .collect();
        assert_eq!(shown, vec![("alpha", true), ("b", true)]);
    }

    #[test]
    fn gitignore_changes_rediscover() {
        let mut f = fixture(&[
            (".agents/a.md", &agent("ollama/x")),
            (".agents/drafts/d.md", &agent("ollama/x")),
        ]);
        assert!(f.live.current().unwrap().plan.agent("d").is_some());
        let ignore = f.write(".agents/.gitignore", "drafts/\n");
        let live = f.apply(&[ignore]).unwrap();
        assert!(live.plan.agent("d").is_none());
        assert_eq!(live.plan.to_json(), f.fresh());
    }

    #[test]
    fn problems_make_a_generation_that_reports_them() {
        let mut f = fixture(&[(".agents/a.md", &agent("ollama/x"))]);
        let live = f
            .live
            .apply(&Change {
                problems: vec!["cannot watch `x`: permission denied".into()],
                ..Change::default()
            })
            .unwrap();
        assert_eq!(live.reload.problems.len(), 1);
        assert_eq!(live.reload.parsed, 0);
        assert_eq!(live.plan.to_json(), f.fresh());
    }

    #[test]
    fn rescan_reads_everything() {
        let mut f = fixture(&[(".agents/a.md", &agent("ollama/x"))]);
        f.write(".agents/a.md", &agent("ollama/y"));
        f.write(".agents/b.md", &agent("ollama/y"));
        let live = f
            .live
            .apply(&Change {
                rescan: true,
                ..Change::default()
            })
            .unwrap();
        assert!(live.reload.rescan);
        assert_eq!(live.reload.parsed, 2);
        assert_eq!(live.plan.to_json(), f.fresh());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_that_leave_the_root_are_followed_as_discovery_says() {
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("far.md");
        std::fs::write(&target, agent("ollama/x")).unwrap();
        let mut f = fixture(&[(".agents/a.md", &agent("ollama/x"))]);
        let link = f.root.join(".agents/far.md");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let live = f.apply(std::slice::from_ref(&link)).unwrap();
        let codes: Vec<String> = live
            .findings
            .json()
            .iter()
            .map(|d| d["code"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(codes, vec!["symlink-escape".to_string()]);
        assert!(live.plan.agent("far").is_none());
        assert_eq!(live.plan.to_json(), f.fresh());
        // A known file replaced by such a link is not read through it.
        let a = f.root.join(".agents/a.md");
        std::fs::remove_file(&a).unwrap();
        std::os::unix::fs::symlink(&target, &a).unwrap();
        let live = f.apply(std::slice::from_ref(&a)).unwrap();
        assert_eq!(live.findings.diagnostics().len(), 2);
        assert_eq!(live.plan.to_json(), f.fresh());
        std::fs::remove_file(&link).unwrap();
        std::fs::remove_file(&a).unwrap();
        let live = f.apply(&[link, a]).unwrap();
        assert!(live.findings.diagnostics().is_empty());
        assert_eq!(live.plan.to_json(), f.fresh());
        assert!(f.live.sources.len() <= CONFIG_SLOTS as usize + 3);
    }

    /// Many reloads, each of a few files, of a project whose agents fight
    /// over names, break and mend, suppress findings and follow a changing
    /// config: after each, the findings are a fresh load's, and so is the
    /// plan whenever no entry is stale. This holds the reload's caches of
    /// links and plan entries to what a fresh load computes.
    #[test]
    fn random_reloads_match_a_fresh_load() {
        // A fixed-seed generator: the same sequence on every run.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let slots = [
            ".agents/a.md",
            ".agents/b.md",
            ".agents/c.md",
            ".agents/alpha.md",
            ".agents/sub/d.md",
            ".claude/agents/a.md",
            ".claude/agents/beta.md",
        ];
        let configs = [
            "",
            "[models]\nfast = \"ollama/x\"\n",
            "[models]\nfast = \"ollama/y\"\n[lint]\nunknown-field = \"error\"\n",
            "[defaults]\nmodel = \"ollama/z\"\n[roles.review]\nmodel = \"ollama/r\"\n",
            "[lint]\nunknown-field = \"off\"\n[policy]\nrequire_explicit_route = true\n",
            "[models\n",
        ];
        let names = ["", "name: alpha\n", "name: beta\n", "name: a\n"];
        let models = [
            "",
            "model: ollama/x\n",
            "model: fast\n",
            "model: nope/x\n",
            "model: inherit\n",
            "provider: ollama\nmodel: qwen3:8b\n",
        ];
        let extras = [
            "",
            "role: review\n",
            "colour: blue\n",
            "colour: blue  # agentc: ignore[unknown-field] ours\n",
            "tools: [read, grep]\n",
            "tools: [read, nosuch]\n",
            "# agentc: ignore-file[unknown-field] ours\ncolour: red\n",
        ];
        let mut f = fixture(&[]);
        let mut checked_plans = 0;
        for step in 0..1000 {
            let mut paths = Vec::new();
            for _ in 0..=next(2) {
                let op = next(10);
                if op == 0 {
                    let text = configs[next(configs.len() as u64) as usize];
                    paths.push(f.write(".agents/agentc.toml", text));
                    continue;
                }
                let rel = slots[next(slots.len() as u64) as usize];
                let path = f.root.join(rel);
                match op {
                    1 | 2 => {
                        if path.exists() {
                            std::fs::remove_file(&path).unwrap();
                        }
                        paths.push(path);
                    }
                    3 => paths.push(f.write(rel, "---\ndescription: [\n---\nBroken.\n")),
                    _ => {
                        let text = format!(
                            "---\n{}description: Step {}.\n{}{}---\nWork.\n",
                            names[next(names.len() as u64) as usize],
                            next(3),
                            models[next(models.len() as u64) as usize],
                            extras[next(extras.len() as u64) as usize],
                        );
                        paths.push(f.write(rel, &text));
                    }
                }
            }
            let Some(live) = f.apply(&paths) else {
                continue;
            };
            let (plan, diagnostics) = f.fresh_all();
            assert_eq!(live.findings.json(), diagnostics, "findings at step {step}");
            if live.stale().next().is_none() {
                assert_eq!(live.plan.to_json(), plan, "plan at step {step}");
                checked_plans += 1;
            }
        }
        // The sequence exercises both sides.
        assert!(checked_plans > 150, "{checked_plans} plans compared");
    }
}
