//! A project loaded and checked: its config at both scopes, every agent
//! file read and analysed (in parallel), then the checks across files:
//! duplicate names, shadowing, tools, roles and routes. The result feeds
//! `check`, `plan`, `route` and the watcher alike.

use crate::agent::{self, AgentDef, ToolsDecl};
use crate::config::{self, Config, ScopeConfig};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::dialect::{Dialect, ToolName};
use crate::discover::{AgentFile, Env, Origin, ProjectFiles};
use crate::resolve::{Layer, LayerInput, Resolution, Resolver, Value};
use crate::rules::Rule;
use crate::source::{self, FileId, Overlay, ReadProblem, Scope, SourceFile, SourceMap};
use crate::trust::FileTrustStore;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The tools an agent gets, in the plan's terms.
#[derive(Clone, Debug, PartialEq)]
pub enum Tools {
    Inherit,
    All,
    /// Sorted, without repeats; shared, as the agent is linked again.
    List(Arc<[String]>),
}

/// One agent definition after every check.
#[derive(Clone, Debug)]
pub struct Agent {
    /// Shared with the file's [`FileResult`]: linking again (the watcher)
    /// does not copy definitions.
    pub def: Arc<AgentDef>,
    pub scope: Scope,
    pub origin: Origin,
    pub tools: Tools,
    /// The static route (layers up to `user-override`, and the parent when
    /// one was given). Shared with a [`LinkCache`] when linked with one.
    pub resolution: Option<Arc<Resolution>>,
    /// Definitions this one shadows.
    pub shadows: Vec<FileId>,
    /// The definition that shadows this one.
    pub shadowed_by: Option<FileId>,
    /// No error was found in or for this definition.
    pub ok: bool,
}

impl Agent {
    /// In the plan: the winner of its name, and free of errors.
    pub fn in_plan(&self) -> bool {
        self.ok && self.shadowed_by.is_none()
    }
}

#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    /// Every definition that could be read, in name order.
    pub agents: Vec<Agent>,
    /// Agent definition files examined.
    pub files: usize,
    /// The scope of every file read for this project.
    pub scopes: HashMap<FileId, Scope>,
}

impl Project {
    pub fn agent(&self, name: &str) -> Option<&Agent> {
        self.agents
            .iter()
            .find(|a| a.def.name == name && a.shadowed_by.is_none())
    }

    pub fn planned(&self) -> impl Iterator<Item = &Agent> {
        self.agents.iter().filter(|a| a.in_plan())
    }
}

/// What to load.
#[derive(Clone, Debug)]
pub struct LoadRequest {
    pub project: ProjectFiles,
    /// The user scope, when it is read.
    pub user: Option<ProjectFiles>,
    /// `--parent provider/model`.
    pub parent: Option<String>,
}

static PARSE_POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();

/// The threads that read and parse agent files, with stacks deep enough for
/// the deepest YAML `[limits]` allows.
fn parse_pool() -> &'static rayon::ThreadPool {
    PARSE_POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(crate::syntax::yaml::PARSE_STACK)
            .thread_name(|i| format!("agentc-parse-{i}"))
            .build()
            .unwrap_or_else(|_| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .stack_size(crate::syntax::yaml::PARSE_STACK)
                    .build()
                    .expect("a one-thread pool can always be built")
            })
    })
}

/// Files that one thread reads and parses faster than a pool of threads
/// can be started: a small project never starts the pool.
const SMALL_BATCH: usize = 32;

/// Runs `work` (the analysis of `files` files, one after another) on one
/// thread with the parser's stack, when there are few files and the pool
/// is not running yet (a long-lived process that has started it keeps
/// using it). `None`: use the pool.
fn small_batch<T: Send>(files: usize, work: impl FnOnce() -> T + Send) -> Option<T> {
    if files > SMALL_BATCH || PARSE_POOL.get().is_some() {
        return None;
    }
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("agentc-parse".into())
            .stack_size(crate::syntax::yaml::PARSE_STACK)
            .spawn_scoped(s, work)
            .ok()?;
        Some(
            worker
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    })
}

/// Plan paths for the user scope are written with this prefix.
pub const USER_DIR_VAR: &str = "$AGENTC_USER_DIR";

pub fn plan_path(
    path: &Path,
    scope: Scope,
    project_root: &Path,
    user_root: Option<&Path>,
) -> String {
    match scope {
        Scope::Project => source::relative_display(path, project_root),
        Scope::User => match user_root.and_then(|u| path.strip_prefix(u).ok()) {
            Some(rel) => format!("{USER_DIR_VAR}/{}", source::slash(rel)),
            None => source::slash(path),
        },
    }
}

fn read_config(
    path: Option<&Path>,
    scope: Scope,
    env: &Env,
    plan_path: String,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
    overlay: &Overlay,
) -> ScopeConfig {
    let Some(path) = path else {
        return ScopeConfig::empty(scope);
    };
    if overlay.get(path).is_none()
        && let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        // A folder, FIFO or device named `agentc.toml`: nothing to read.
        let display = source::relative_display(path, &env.cwd);
        let id = sources.add(SourceFile::new(
            path.to_path_buf(),
            display,
            plan_path,
            String::new(),
        ));
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file"
        };
        diags.push(
            Diagnostic::at(
                Rule::SkippedPath,
                Span::file_start(id),
                format!("`agentc.toml` is {what}; no config is read from it"),
            )
            .with_help("remove it, or make it a regular file"),
        );
        return ScopeConfig::empty(scope);
    }
    let (text, problem) = overlay.read_limited(path, crate::fsutil::limits::CONFIG);
    let display = source::relative_display(path, &env.cwd);
    let id = sources.add(SourceFile::new(
        path.to_path_buf(),
        display,
        plan_path,
        text,
    ));
    if let Some(p) = problem {
        diags.push(read_problem(id, p));
        let mut c = ScopeConfig::empty(scope);
        c.file = Some(id);
        return c;
    }
    let (config, d) = config::parse(id, &sources.get(id).text, scope);
    diags.extend(d);
    config
}

/// A trust store that exists but cannot be read or parsed: every project
/// provider then counts as untrusted, and the user is told why rather than
/// left to wonder at `untrusted-provider` findings.
fn trust_file_problem(
    trust: &FileTrustStore,
    env: &Env,
    user_root: Option<&Path>,
    sources: &mut SourceMap,
) -> Option<(FileId, Diagnostic)> {
    let problem = trust.problem.as_ref()?;
    let path = trust.path.as_deref()?;
    let plan = plan_path(path, Scope::User, user_root.unwrap_or(path), user_root);
    let display = source::relative_display(path, &env.cwd);
    let text = problem.text.clone();
    let id = sources.add(SourceFile::new(path.to_path_buf(), display, plan, text));
    let start = problem
        .at
        .map_or(0, |(line, column)| sources.get(id).offset(line, column));
    Some((
        id,
        Diagnostic::at(
            Rule::UnreadableFile,
            Span::new(id, start, start),
            format!(
                "the trust store cannot be read: {}; no project provider is trusted",
                problem.reason
            ),
        )
        .with_help("fix the file, or remove it and trust the providers again with `agentc trust`"),
    ))
}

fn read_problem(id: FileId, p: ReadProblem) -> Diagnostic {
    match p {
        ReadProblem::TooLarge { size, limit } => Diagnostic::at(
            Rule::FileTooLarge,
            Span::file_start(id),
            format!("the file is {size} bytes, over the limit of {limit}; it was not read"),
        )
        .with_help("agent definitions are small; raise `[limits] max_file_size` in agentc.toml if this one must be this large"),
        ReadProblem::Encoding { offset, byte } => Diagnostic::at(
            Rule::InvalidEncoding,
            Span::new(id, offset, offset + 3),
            format!("the file is not UTF-8: byte 0x{byte:02X} is invalid here"),
        )
        .with_help("re-save the file as UTF-8"),
        ReadProblem::Io(e) => Diagnostic::at(
            Rule::UnreadableFile,
            Span::file_start(id),
            format!("the file cannot be read: {}", io_reason(&e)),
        ),
    }
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "it was removed while agentc was reading".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// The configs of a project, read and merged, with their findings.
#[derive(Debug)]
pub struct Configs {
    pub config: Config,
    pub diagnostics: Vec<Diagnostic>,
    /// The config files read, with their scopes.
    pub files: Vec<(FileId, Scope)>,
}

/// Reads both scopes' `agentc.toml` and merges them.
pub fn load_configs(
    project: &ProjectFiles,
    user: Option<&ProjectFiles>,
    env: &Env,
    sources: &mut SourceMap,
) -> Configs {
    load_configs_over(project, user, env, sources, &Overlay::default())
}

/// [`load_configs`], reading a config from `overlay` when it holds its
/// text (an editor's unsaved buffer).
pub fn load_configs_over(
    project: &ProjectFiles,
    user: Option<&ProjectFiles>,
    env: &Env,
    sources: &mut SourceMap,
    overlay: &Overlay,
) -> Configs {
    let mut diags = Vec::new();
    let mut files = Vec::new();
    let root = &project.root;
    let user_root = user.map(|u| u.root.as_path());
    let project_config = read_config(
        project.config.as_deref(),
        Scope::Project,
        env,
        project
            .config
            .as_deref()
            .map(|p| plan_path(p, Scope::Project, root, None))
            .unwrap_or_default(),
        sources,
        &mut diags,
        overlay,
    );
    files.extend(project_config.file.map(|id| (id, Scope::Project)));
    let user_config = match user {
        Some(u) => read_config(
            u.config.as_deref(),
            Scope::User,
            env,
            u.config
                .as_deref()
                .map(|p| plan_path(p, Scope::User, root, user_root))
                .unwrap_or_default(),
            sources,
            &mut diags,
            overlay,
        ),
        None => ScopeConfig::empty(Scope::User),
    };
    files.extend(user_config.file.map(|id| (id, Scope::User)));
    let trust = FileTrustStore::load(env.user_dir.as_deref());
    if let Some(d) = trust_file_problem(&trust, env, user_root, sources) {
        files.push((d.0, Scope::User));
        diags.push(d.1);
    }
    let mut config = Config::merge(
        project_config,
        user_config,
        &trust,
        env.ollama_host.as_deref(),
        &mut diags,
    );
    // Custom tools the project defines for OpenCode are tools of its own.
    let custom = crate::discover::opencode_custom_tools(&project.root);
    if !custom.is_empty() {
        config.tools_extra.extend(custom);
        config.tools_extra.sort();
        config.tools_extra.dedup();
    }
    crate::resolve::check_config(&config, &mut diags);
    Configs {
        config,
        diagnostics: diags,
        files,
    }
}

/// What one agent file yielded.
#[derive(Clone, Debug)]
pub struct FileResult {
    pub id: FileId,
    pub scope: Scope,
    pub origin: Origin,
    /// The name a broken file still claims: its stem. Empty when the file
    /// yielded a definition, which claims its own name.
    pub stem: String,
    pub def: Option<Arc<AgentDef>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One file to read: where it is, its scope, and the id it already has
/// (a file read again keeps its id, so other files' results stay valid).
#[derive(Clone, Debug)]
pub struct Job {
    pub file: AgentFile,
    pub scope: Scope,
    pub id: Option<FileId>,
}

/// Where a project's files are, for naming them.
#[derive(Clone, Debug)]
pub struct Roots {
    pub project: PathBuf,
    pub user: Option<PathBuf>,
}

/// Reads and analyses agent files in parallel. Results come in job order.
pub fn analyze_files(
    jobs: &[Job],
    config: &Config,
    roots: &Roots,
    env: &Env,
    sources: &mut SourceMap,
) -> Vec<FileResult> {
    analyze_files_over(jobs, config, roots, env, sources, &Overlay::default())
}

/// [`analyze_files`], reading a file from `overlay` when it holds its text
/// (an editor's unsaved buffer): the same analysis, whatever the source.
pub fn analyze_files_over(
    jobs: &[Job],
    config: &Config,
    roots: &Roots,
    env: &Env,
    sources: &mut SourceMap,
    overlay: &Overlay,
) -> Vec<FileResult> {
    let mut next = sources.next_id().0;
    let ids: Vec<FileId> = jobs
        .iter()
        .map(|j| {
            j.id.unwrap_or_else(|| {
                next += 1;
                FileId(next - 1)
            })
        })
        .collect();
    // The definition is boxed on its worker: a vector of them inline would
    // hold hundreds of bytes per file until every file is read.
    let analyse = |(job, &id): (&Job, &FileId)| {
        let limits = config.scope(job.scope).limits;
        let f = &job.file;
        let (text, problem) = overlay.read_limited(&f.path, limits.max_file_size);
        let (def, diags) = match problem {
            Some(problem) => (None, vec![read_problem(id, problem)]),
            None => {
                let a = agent::analyze(id, &text, f.dialect, &f.stem, limits.yaml());
                (a.def.map(Arc::new), a.diagnostics)
            }
        };
        let display = source::relative_display(&f.path, &env.cwd);
        let plan = plan_path(&f.path, job.scope, &roots.project, roots.user.as_deref());
        (
            SourceFile::new(f.path.clone(), display, plan, text),
            def,
            diags,
        )
    };
    let analysed: Vec<(SourceFile, Option<Arc<AgentDef>>, Vec<Diagnostic>)> =
        match small_batch(jobs.len(), || jobs.iter().zip(&ids).map(analyse).collect()) {
            Some(done) => done,
            None => parse_pool().install(|| jobs.par_iter().zip(&ids).map(analyse).collect()),
        };
    // Pushed into a new vector: collecting from `analysed` would reuse its
    // larger allocation for the whole life of the results.
    let mut results = Vec::with_capacity(jobs.len());
    sources.reserve(
        ids.iter()
            .filter(|id| id.0 as usize >= sources.len())
            .count(),
    );
    for (((file, def, diagnostics), job), id) in analysed.into_iter().zip(jobs).zip(ids) {
        sources.set(id, file);
        results.push(FileResult {
            id,
            scope: job.scope,
            origin: job.file.origin,
            stem: if def.is_some() {
                String::new()
            } else {
                job.file.stem.clone()
            },
            def,
            diagnostics,
        });
    }
    results
}

/// The findings for paths that were not read: `symlink-escape` for links
/// that leave their root, `skipped-path` for what could not be walked or is
/// the wrong kind of file (a loop, no permission, a `.agents` file).
pub fn escape_findings(
    escapes: &[(PathBuf, Scope)],
    env: &Env,
    sources: &mut SourceMap,
) -> Vec<(FileId, Scope, Diagnostic)> {
    escapes
        .iter()
        .map(|(path, scope)| {
            let display = source::relative_display(path, &env.cwd);
            let id = sources.add(SourceFile::new(
                path.clone(),
                display.clone(),
                display,
                String::new(),
            ));
            let d = match skipped_reason(path) {
                Some(why) => Diagnostic::at(
                    Rule::SkippedPath,
                    Span::file_start(id),
                    format!("{why}; nothing in it is read"),
                )
                .with_help("remove it, or make it the folder or regular file agentc expects"),
                None => {
                    let target = std::fs::read_link(path)
                        .or_else(|_| path.canonicalize())
                        .map(|t| source::slash(&t))
                        .unwrap_or_else(|_| "?".into());
                    Diagnostic::at(
                        Rule::SymlinkEscape,
                        Span::file_start(id),
                        format!(
                            "symlink to `{target}` leaves the {} root; it is not read",
                            scope.as_str()
                        ),
                    )
                    .with_help("copy the definition into the project, or link to a file inside it")
                }
            };
            (id, *scope, d)
        })
        .collect()
}

/// Why `path`, listed among a walk's paths not read, was not read.
pub fn not_read_reason(path: &Path) -> String {
    skipped_reason(path).unwrap_or_else(|| {
        let target = path
            .canonicalize()
            .map(|t| source::slash(&t))
            .unwrap_or_else(|_| "?".into());
        format!("it leads to `{target}`, outside the folder, through a symlink")
    })
}

/// Why a path that is not a symlink out of the root was not read.
fn skipped_reason(path: &Path) -> Option<String> {
    let link = std::fs::symlink_metadata(path).ok()?;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if link.file_type().is_symlink() && e.raw_os_error() == Some(libc::ELOOP) => {
            return Some("it is a symlink loop".into());
        }
        Err(e) if link.file_type().is_symlink() && e.kind() == std::io::ErrorKind::NotFound => {
            return Some("it is a symlink to nothing".into());
        }
        Err(e) => return Some(format!("it cannot be read: {}", io_reason(&e))),
    };
    let is_agents_dir = path
        .file_name()
        .is_some_and(|n| n == crate::discover::AGENTS_DIR);
    if is_agents_dir && !meta.is_dir() && !link.file_type().is_symlink() {
        return Some("`.agents` is a file, not a folder".into());
    }
    if !meta.is_dir() && !meta.is_file() {
        return Some("it is not a regular file (a FIFO, socket or device)".into());
    }
    if meta.is_dir()
        && let Err(e) = std::fs::read_dir(path)
    {
        return Some(format!("the folder cannot be read: {}", io_reason(&e)));
    }
    None
}

/// The jobs for every agent file of a project and its user scope.
pub fn jobs_of(project: &ProjectFiles, user: Option<&ProjectFiles>) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (files, scope) in [(Some(project), Scope::Project), (user, Scope::User)] {
        let Some(files) = files else { continue };
        jobs.extend(files.agents.iter().map(|f| Job {
            file: f.clone(),
            scope,
            id: None,
        }));
    }
    jobs
}

/// The symlinks of both scopes that leave their root.
pub fn escapes_of(project: &ProjectFiles, user: Option<&ProjectFiles>) -> Vec<(PathBuf, Scope)> {
    let mut out: Vec<(PathBuf, Scope)> = project
        .escapes
        .iter()
        .map(|p| (p.clone(), Scope::Project))
        .collect();
    if let Some(u) = user {
        out.extend(u.escapes.iter().map(|p| (p.clone(), Scope::User)));
    }
    out
}

/// Loads and checks one project. Files are added to `sources`; every finding
/// (after `[lint]` severities) is returned.
pub fn load(
    mut req: LoadRequest,
    env: &Env,
    sources: &mut SourceMap,
) -> (Project, Vec<Diagnostic>) {
    let roots = Roots {
        project: req.project.root.clone(),
        user: req.user.as_ref().map(|u| u.root.clone()),
    };
    let configs = load_configs(&req.project, req.user.as_ref(), env, sources);
    let jobs = jobs_of(&req.project, req.user.as_ref());
    // The file lists are not needed past here: with many files, holding
    // them (and the jobs) through the link adds to the peak.
    req.project.agents = Vec::new();
    if let Some(u) = &mut req.user {
        u.agents = Vec::new();
    }
    let files = analyze_files(&jobs, &configs.config, &roots, env, sources);
    drop(jobs);
    let extra = escape_findings(&escapes_of(&req.project, req.user.as_ref()), env, sources);
    link(
        roots.project,
        configs,
        &files,
        extra,
        req.parent.as_deref(),
        sources,
    )
}

/// The checks across files: names, shadowing, tools, roles and routes,
/// then each scope's `[lint]` severities.
pub fn link(
    root: PathBuf,
    configs: Configs,
    results: &[FileResult],
    extra: Vec<(FileId, Scope, Diagnostic)>,
    parent: Option<&str>,
    sources: &SourceMap,
) -> (Project, Vec<Diagnostic>) {
    link_with(
        root,
        configs,
        results,
        extra,
        parent,
        sources,
        &mut LinkCache::new(),
    )
}

/// What [`link`] works out for one definition on its own, under one config
/// and parent: its tools, its static route and the findings about them
/// (before `[lint]`).
#[derive(Debug)]
struct Checked {
    tools: Tools,
    resolution: Option<Arc<Resolution>>,
    diagnostics: Vec<Diagnostic>,
}

/// What [`link`] keeps between calls, for a caller that links one project
/// again and again with a few files read anew (the watcher): each file's
/// claim on a name, and the checks of each definition that is the same
/// `Arc` as last time under an equal config and parent. Names, shadowing,
/// `[lint]` and suppressions are still worked out across all files, so the
/// result is [`link`]'s; only the work is less.
#[derive(Debug, Default)]
pub struct LinkCache {
    /// The config and `--parent` the checks were made under.
    stamp: Option<(Config, Option<String>)>,
    /// By file id.
    files: Vec<Option<FileLink>>,
    /// Every name claimed, in order, with the files that claim it.
    /// A name is held once, shared with the links of the files claiming it.
    claimants: BTreeMap<Arc<str>, Claim>,
    /// The names claimed by more than one file: the only ones that can be
    /// duplicates or shadow one another.
    contested: BTreeSet<Arc<str>>,
}

/// The files claiming one name, in the order they claimed it. The first
/// is held inline: almost every name has one file.
#[derive(Debug, Default)]
struct Claim {
    first: Option<FileId>,
    more: Vec<FileId>,
}

impl Claim {
    fn push(&mut self, id: FileId) {
        if self.first.is_none() {
            self.first = Some(id);
        } else {
            self.more.push(id);
        }
    }

    fn remove(&mut self, id: FileId) {
        let rest: Vec<FileId> = self.iter().copied().filter(|i| *i != id).collect();
        *self = Claim::default();
        for i in rest {
            self.push(i);
        }
    }

    fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.more.len()
    }

    fn iter(&self) -> impl Iterator<Item = &FileId> {
        self.first.iter().chain(&self.more)
    }
}

/// One file's part in the last link.
#[derive(Debug)]
struct FileLink {
    /// Held, so that its address is not reused: an equal pointer is the
    /// same definition.
    def: Option<Arc<AgentDef>>,
    /// The name claimed: the definition's, or a broken file's stem.
    name: Arc<str>,
    scope: Scope,
    origin: Origin,
    /// `None` until checked under the current stamp.
    checked: Option<Checked>,
    /// The file's suppression comments, when it has any (definitions only:
    /// a broken file's are read every time).
    /// Boxed: few files have any, and every file has a link.
    directives: Option<Box<crate::suppress::FileDirectives>>,
}

impl LinkCache {
    pub fn new() -> LinkCache {
        LinkCache::default()
    }

    /// Forgets every check unless `config` and `parent` are those they were
    /// made under (claims do not depend on them).
    fn stamp(&mut self, config: &Config, parent: Option<&str>) {
        let same = self
            .stamp
            .as_ref()
            .is_some_and(|(c, p)| c == config && p.as_deref() == parent);
        if !same {
            for f in self.files.iter_mut().flatten() {
                f.checked = None;
            }
            self.stamp = Some((config.clone(), parent.map(str::to_string)));
        }
    }

    /// Records what `r` claims, unless it is what it claimed last time.
    fn claim(&mut self, r: &FileResult, sources: &SourceMap) {
        let at = r.id.0 as usize;
        if self.files.len() <= at {
            self.files.resize_with(at + 1, || None);
        }
        let same = self.files[at].as_ref().is_some_and(|f| {
            f.scope == r.scope
                && f.origin == r.origin
                && match (&f.def, &r.def) {
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    (None, None) => *f.name == *r.stem,
                    _ => false,
                }
        });
        if same {
            return;
        }
        self.unclaim(r.id);
        let name = match &r.def {
            Some(def) => def.name.as_str(),
            None => r.stem.as_str(),
        };
        let name: Arc<str> = match self.claimants.get_key_value(name) {
            Some((held, _)) => Arc::clone(held),
            None => Arc::from(name),
        };
        let ids = self.claimants.entry(Arc::clone(&name)).or_default();
        ids.push(r.id);
        if ids.len() == 2 {
            self.contested.insert(Arc::clone(&name));
        }
        let directives = r.def.as_ref().and_then(|def| {
            let d = crate::suppress::FileDirectives::parse(def.file, &sources.get(def.file).text);
            (!d.is_empty()).then(|| Box::new(d))
        });
        self.files[at] = Some(FileLink {
            def: r.def.clone(),
            name,
            scope: r.scope,
            origin: r.origin,
            checked: None,
            directives,
        });
    }

    /// Takes back a file's claim.
    fn unclaim(&mut self, id: FileId) {
        let Some(old) = self.files.get_mut(id.0 as usize).and_then(Option::take) else {
            return;
        };
        if let Some(ids) = self.claimants.get_mut(&old.name) {
            ids.remove(id);
            match ids.len() {
                0 => {
                    self.claimants.remove(&old.name);
                }
                1 => {
                    self.contested.remove(&old.name);
                }
                _ => {}
            }
        }
    }

    fn file(&self, id: FileId) -> Option<&FileLink> {
        self.files.get(id.0 as usize)?.as_ref()
    }
}

/// [`link`], keeping in `cache` what it can use again next time.
pub fn link_with(
    root: PathBuf,
    configs: Configs,
    results: &[FileResult],
    extra: Vec<(FileId, Scope, Diagnostic)>,
    parent: Option<&str>,
    sources: &SourceMap,
    cache: &mut LinkCache,
) -> (Project, Vec<Diagnostic>) {
    let Configs {
        config,
        diagnostics: mut diags,
        files: config_files,
    } = configs;
    cache.stamp(&config, parent);
    let mut scopes: HashMap<FileId, Scope> = config_files.into_iter().collect();
    for (id, scope, d) in extra {
        scopes.insert(id, scope);
        diags.push(d);
    }
    let files = results.len();
    scopes.reserve(results.len());
    // Room for every file's link at once, not grown one file at a time.
    let ids_end = results
        .iter()
        .map(|r| r.id.0 as usize + 1)
        .max()
        .unwrap_or(0);
    cache
        .files
        .reserve_exact(ids_end.saturating_sub(cache.files.len()));
    let mut current = vec![false; cache.files.len()];
    for r in results {
        scopes.insert(r.id, r.scope);
        diags.extend(r.diagnostics.iter().cloned());
        // A broken file still claims its name: a user agent of the same
        // name must not silently take its place.
        cache.claim(r, sources);
        let at = r.id.0 as usize;
        if current.len() <= at {
            current.resize(at + 1, false);
        }
        current[at] = true;
    }
    let gone: Vec<FileId> = cache
        .files
        .iter()
        .enumerate()
        .filter(|(i, f)| f.is_some() && !current.get(*i).copied().unwrap_or(false))
        .map(|(i, _)| FileId(i as u32))
        .collect();
    for id in gone {
        cache.unclaim(id);
    }

    // Names: duplicates within one folder kind of one scope, shadowing
    // across. A name claimed once has neither.
    let mut duplicate_files: Vec<FileId> = Vec::new();
    let mut winners: HashMap<FileId, Vec<FileId>> = HashMap::new();
    let mut shadowed: HashMap<FileId, FileId> = HashMap::new();
    let name_span = |id: FileId| -> Span {
        cache
            .file(id)
            .and_then(|f| f.def.as_ref())
            .map_or(Span::file_start(id), |d| d.name_span)
    };
    let in_order = |group: &mut Vec<(Scope, Origin, FileId)>| {
        group.sort_by(|a, b| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| sources.get(a.2).path.cmp(&sources.get(b.2).path))
        });
    };
    for name in &cache.contested {
        let Some(ids) = cache.claimants.get(name) else {
            continue;
        };
        let mut group: Vec<(Scope, Origin, FileId)> = ids
            .iter()
            .filter_map(|&id| cache.file(id).map(|f| (f.scope, f.origin, id)))
            .collect();
        in_order(&mut group);
        // One namespace: a scope's folder kind; in a collection read with
        // `--dialect`, each folder is its own package.
        let same_namespace = |a: &(Scope, Origin, FileId), b: &(Scope, Origin, FileId)| {
            (a.0, a.1) == (b.0, b.1)
                && (a.1 != Origin::Collection
                    || sources.get(a.2).path.parent() == sources.get(b.2).path.parent())
        };
        for (i, cur) in group.iter().enumerate() {
            if let Some(first) = group[..i].iter().find(|g| same_namespace(g, cur)) {
                diags.push(
                    Diagnostic::at(
                        Rule::DuplicateName,
                        name_span(cur.2),
                        format!(
                            "agent `{name}` is defined twice in the {} scope",
                            cur.0.as_str()
                        ),
                    )
                    .with_label(name_span(first.2), "first defined here")
                    .with_help(
                        "rename one of them; two definitions with one name cannot both be opened",
                    ),
                );
                duplicate_files.push(cur.2);
                duplicate_files.push(first.2);
            }
        }
        let winner = group[0];
        for other in &group[1..] {
            if !same_namespace(&winner, other) {
                shadowed.insert(other.2, winner.2);
                winners.entry(winner.2).or_default().push(other.2);
            }
        }
    }

    // Copilot handoffs name agents: one that no file defines (and that is
    // not one of Copilot's own agents) is a button that opens nothing.
    for f in cache.files.iter().flatten() {
        let Some(def) = &f.def else { continue };
        for h in &def.handoffs {
            if COPILOT_BUILTIN_AGENTS.contains(&h.value.as_str())
                || cache.claimants.contains_key(h.value.as_str())
            {
                continue;
            }
            let names = cache.claimants.keys().map(|k| &**k);
            diags.push(
                Diagnostic::at(
                    Rule::UnknownAgent,
                    h.span,
                    format!("handoff to `{}`, which no agent file defines", h.value),
                )
                .with_help_opt(
                    crate::diagnostic::suggest(&h.value, names).or_else(|| {
                        Some(format!(
                            "name an agent of this project or one of Copilot's own ({})",
                            COPILOT_BUILTIN_AGENTS.join(", ")
                        ))
                    }),
                ),
            );
        }
    }

    // Per definition: tools, role, route; kept while the definition and
    // the config stay the same.
    let resolver = Resolver::new(&config);
    let parent_layer = parent.map(|p| crate::resolve::parent_layer(&config, p));
    // Each definition's checks stand alone: many are made in parallel, in
    // place (their findings are per definition, so the order is unchanged).
    // Every link in the cache is a current file's by now.
    let check = |f: &mut Option<FileLink>| {
        if let Some(f) = f
            && f.checked.is_none()
            && let Some(def) = &f.def
        {
            f.checked = Some(check_definition(
                def,
                &config,
                &resolver,
                parent_layer.as_ref(),
            ));
        }
    };
    if results.len() >= PARALLEL_CHECKS {
        parse_pool().install(|| cache.files.par_iter_mut().for_each(check));
    } else {
        cache.files.iter_mut().for_each(check);
    }
    let mut directives = Vec::new();
    for r in results {
        let Some(f) = cache
            .files
            .get_mut(r.id.0 as usize)
            .and_then(Option::as_mut)
        else {
            continue;
        };
        let Some(def) = &f.def else {
            // Broken files' comments are read every time: there are few.
            let d = crate::suppress::FileDirectives::parse(r.id, &sources.get(r.id).text);
            directives.extend((!d.is_empty()).then_some(d));
            continue;
        };
        if f.checked.is_none() {
            f.checked = Some(check_definition(
                def,
                &config,
                &resolver,
                parent_layer.as_ref(),
            ));
        }
        directives.extend(f.directives.as_deref().cloned());
    }

    // Severities from each scope's `[lint]`, suppressions, then which
    // agents compiled.
    let mut suppressor =
        crate::suppress::Suppressor::with_directives(sources, &config, &scopes, directives);
    let diags: Vec<Diagnostic> = diags
        .into_iter()
        .filter_map(|d| match d.file().and_then(|f| scopes.get(&f).copied()) {
            Some(scope) => apply_lint_for(d, &config, scope),
            None => Some(d),
        })
        .filter(|d| !suppressor.suppresses(d))
        .collect();
    let mut errors_in_file: HashMap<FileId, bool> = HashMap::new();
    for d in &diags {
        if d.severity == Severity::Error
            && let Some(f) = d.file()
        {
            errors_in_file.insert(f, true);
        }
    }
    let mut all = diags;
    let mut ok = vec![false; cache.files.len()];
    for r in results {
        let Some(checked) = cache.file(r.id).and_then(|f| f.checked.as_ref()) else {
            continue;
        };
        let local: Vec<Diagnostic> = checked
            .diagnostics
            .iter()
            .cloned()
            .filter_map(|d| {
                let scope = d
                    .file()
                    .and_then(|f| scopes.get(&f).copied())
                    .unwrap_or(r.scope);
                apply_lint_for(d, &config, scope)
            })
            .filter(|d| !suppressor.suppresses(d))
            .collect();
        let failed = local.iter().any(|d| d.severity == Severity::Error)
            || errors_in_file.contains_key(&r.id)
            || duplicate_files.contains(&r.id)
            || checked.resolution.is_none();
        ok[r.id.0 as usize] = !failed;
        all.extend(local);
    }

    // In order of name, scope, folder kind and path. A winner with errors
    // takes its name out of the plan; what it shadows stays out too (no
    // silent fallback to another definition).
    let mut agents: Vec<Agent> = Vec::with_capacity(results.len());
    let mut group: Vec<(Scope, Origin, FileId)> = Vec::new();
    for ids in cache.claimants.values() {
        group.clear();
        group.extend(
            ids.iter()
                .filter_map(|&id| cache.file(id).map(|f| (f.scope, f.origin, id))),
        );
        if group.len() > 1 {
            in_order(&mut group);
        }
        for &(scope, origin, id) in &group {
            let Some(f) = cache.file(id) else { continue };
            let (Some(def), Some(checked)) = (&f.def, &f.checked) else {
                continue;
            };
            let mut shadows = winners.remove(&id).unwrap_or_default();
            shadows.sort_by(|x, y| {
                (scopes.get(x), &sources.get(*x).path).cmp(&(scopes.get(y), &sources.get(*y).path))
            });
            agents.push(Agent {
                def: Arc::clone(def),
                scope,
                origin,
                tools: checked.tools.clone(),
                resolution: checked.resolution.clone(),
                shadows,
                shadowed_by: shadowed.get(&id).copied(),
                ok: ok.get(id.0 as usize).copied().unwrap_or(false),
            });
        }
    }
    all.extend(suppressor.finish().into_iter().filter_map(|d| {
        match d.file().and_then(|f| scopes.get(&f).copied()) {
            Some(scope) => apply_lint_for(d, &config, scope),
            None => Some(d),
        }
    }));
    dedup(&mut all);
    let project = Project {
        root,
        config,
        agents,
        files,
        scopes,
    };
    (project, all)
}

/// Definitions checked in parallel from this many on; fewer are checked
/// faster on the calling thread.
const PARALLEL_CHECKS: usize = 256;

/// Agents Copilot has built in, which a handoff may name.
const COPILOT_BUILTIN_AGENTS: &[&str] = &["agent", "ask", "edit", "plan"];

/// The checks of one definition on its own: tools, role, route,
/// capabilities and the explicit-route policy.
fn check_definition(
    def: &AgentDef,
    config: &Config,
    resolver: &Resolver,
    parent: Option<&LayerInput>,
) -> Checked {
    let mut local = Vec::new();
    let tools = check_tools(def, config, &mut local);
    check_role(def, config, &mut local);
    let mut layers = resolver.config_layers(def.role.as_ref().map(|r| r.value.as_str()), &def.name);
    layers.push(agent_layer(def));
    if let Some(p) = parent {
        layers.push(p.clone());
    }
    let resolution = resolver.resolve(layers, &mut local);
    if let Some(r) = &resolution {
        crate::capability::check_declared(def, r, config, &mut local);
    }
    if config.require_explicit_route
        && let Some(r) = &resolution
        && r.route.inherit
        && !r.route.explicit_inherit
    {
        local.push(
            Diagnostic::at(
                Rule::ImplicitInherit,
                def.fence,
                format!("`{}` sets no route and would inherit the parent's; `[policy] require_explicit_route` is on", def.name),
            )
            .with_help("set `model:` (or `model: inherit` to inherit on purpose)"),
        );
    }
    Checked {
        tools,
        resolution: resolution.map(Arc::new),
        diagnostics: local,
    }
}

/// Applies the `[lint]` severity of the scope a finding is in.
fn apply_lint_for(mut d: Diagnostic, config: &Config, scope: Scope) -> Option<Diagnostic> {
    let sev = config.scope(scope).severity(d.rule, d.severity)?;
    d.severity = sev;
    Some(d)
}

fn dedup(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert((d.rule, d.span, d.message.clone())));
}

/// The agent layer of an agent's route.
pub fn agent_layer(def: &AgentDef) -> LayerInput {
    let mut l = LayerInput::new(Layer::Agent);
    l.dialect = def.dialect;
    l.provider = def
        .provider
        .as_ref()
        .map(|s| Value::new(&s.value, Some(s.span)));
    l.model = def
        .model
        .as_ref()
        .map(|s| Value::new(&s.value, Some(s.span)));
    l.fallback = def.fallback.as_ref().map(|(list, _)| {
        list.iter()
            .map(|s| Value::new(&s.value, Some(s.span)))
            .collect()
    });
    l
}

fn check_tools(def: &AgentDef, config: &Config, diags: &mut Vec<Diagnostic>) -> Tools {
    match &def.tools {
        ToolsDecl::Inherit => Tools::Inherit,
        ToolsDecl::All(_) => Tools::All,
        ToolsDecl::List(list) => {
            let mut out = Vec::new();
            for entry in list {
                match def.dialect.tool(&entry.value, &config.tools_extra) {
                    ToolName::Known(n) | ToolName::Mcp(n) => out.push(n),
                    ToolName::Unknown { name, suggestion } => {
                        if def.dialect == Dialect::Claude
                            && let Some(now) = Dialect::claude_retired_tool(&name)
                        {
                            diags.push(
                                Diagnostic::at(
                                    Rule::UnknownTool,
                                    entry.span,
                                    format!(
                                        "Claude Code no longer has a `{name}` tool; it drops it from the agent's tools"
                                    ),
                                )
                                .with_help(format!("use `{now}`")),
                            );
                            continue;
                        }
                        let help = match suggestion {
                            Some(s) => format!("did you mean `{s}`?"),
                            None if def.dialect == Dialect::Agentc => {
                                format!(
                                    "declare it in `[tools] extra` of agentc.toml if `{name}` is a tool of your harness"
                                )
                            }
                            None => format!("{} has no tool `{name}`", def.dialect.harness()),
                        };
                        diags.push(
                            Diagnostic::at(
                                Rule::UnknownTool,
                                entry.span,
                                format!("unknown tool `{name}`"),
                            )
                            .with_help(help),
                        );
                        out.push(name);
                    }
                }
            }
            out.sort();
            out.dedup();
            Tools::List(out.into())
        }
    }
}

fn check_role(def: &AgentDef, config: &Config, diags: &mut Vec<Diagnostic>) {
    let Some(role) = &def.role else { return };
    let roles: Vec<&str> = config
        .project
        .roles
        .iter()
        .chain(config.user.roles.iter())
        .map(|(r, _)| r.value.as_str())
        .collect();
    if roles.contains(&role.value.as_str()) {
        return;
    }
    let close = roles
        .iter()
        .copied()
        .filter(|r| strsim::damerau_levenshtein(r, &role.value) <= 2)
        .min_by_key(|r| (strsim::damerau_levenshtein(r, &role.value), *r));
    if let Some(r) = close {
        diags.push(
            Diagnostic::at(
                Rule::UnknownRole,
                role.span,
                format!(
                    "role `{}` matches no `[roles]` table; `[roles.{r}]` will not route this agent",
                    role.value
                ),
            )
            .with_help(format!("did you mean `{r}`?")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests that run as root cannot make a file unreadable with `chmod`;
    /// the reasons the kernel gives are mapped here.
    #[test]
    fn read_errors_name_their_reason() {
        let id = FileId(0);
        for (kind, message) in [
            (
                std::io::ErrorKind::PermissionDenied,
                "the file cannot be read: permission denied",
            ),
            (
                std::io::ErrorKind::NotFound,
                "the file cannot be read: it was removed while agentc was reading",
            ),
        ] {
            let d = read_problem(id, ReadProblem::Io(std::io::Error::from(kind)));
            assert_eq!(d.rule, Rule::UnreadableFile);
            assert_eq!(d.message, message);
            assert_eq!(d.span, Some(Span::file_start(id)));
        }
    }
}
