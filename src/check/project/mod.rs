//! A project loaded and checked: its config at both scopes, every agent
//! file read and analysed (in parallel), then the checks across files:
//! duplicate names, shadowing, tools, roles and routes. The result feeds
//! `check`, `plan`, `route` and the watcher alike.

mod cache;
mod link;

pub use cache::LinkCache;
pub use link::{agent_layer, link, link_with};

use crate::check::suppress::FileDirectives;
use crate::diagnostic::{Diagnostic, Span};
use crate::discover::{AgentFile, Env, Origin, ProjectFiles};
use crate::fsutil::io_reason;
use crate::model::agent::{self, AgentDef};
use crate::model::config::{self, Config, ScopeConfig};
use crate::model::resolve::Resolution;
use crate::model::trust::FileTrustStore;
use crate::rules::Rule;
use crate::source::{self, FileId, Overlay, ReadProblem, Scope, SourceFile, SourceMap};
use rayon::prelude::*;
use std::collections::HashMap;
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
    /// What stays of each agent file's text after it is analysed.
    pub keep: Keep,
}

/// What a load keeps of each file once it is analysed and linked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Keep {
    /// Everything: for what may later show or edit any part of a file, or
    /// explain a route layer by layer (the servers, `check --fix`, `run`,
    /// `route`, `doctor`).
    #[default]
    Whole,
    /// What the one-shot `check` and `plan` read, whose memory and time
    /// on a large tree would otherwise go mostly to text and provenance
    /// they never show: a markdown file with no finding of its own keeps
    /// only its frontmatter, through the closing fence (all that a
    /// cross-file finding, a suppression comment or a plan's provenance
    /// line can point into), and a resolved route keeps its winners'
    /// sources but not the list of every layer that set something. With
    /// `hash_prompts`, each prompt's SHA-256 is taken before its text goes.
    Lean { hash_prompts: bool },
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

pub use crate::source::USER_DIR_VAR;

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
    crate::model::resolve::check_config(&config, &mut diags);
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
    /// The file's suppression comments, when it has any (read with the
    /// file, in parallel, rather than while linking). Boxed: few files
    /// have any.
    pub directives: Option<Box<FileDirectives>>,
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
    analyze_files_over(
        jobs,
        config,
        roots,
        env,
        sources,
        &Overlay::default(),
        Keep::Whole,
    )
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
    keep: Keep,
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
    let analyse = |(job, &id): (&Job, &FileId)| {
        let limits = config.scope(job.scope).limits;
        let f = &job.file;
        let (text, problem) = overlay.read_limited(&f.path, limits.max_file_size);
        let mut frontmatter_only = None;
        let (def, diags) = match problem {
            Some(problem) => (None, vec![read_problem(id, problem)]),
            None => {
                let a = agent::analyze(id, &text, f.dialect, &f.stem, limits.yaml());
                if let (Keep::Lean { hash_prompts }, Some(def)) = (keep, &a.def)
                    && a.diagnostics.is_empty()
                    && !f.dialect.is_toml()
                    && def.body.end == text.len()
                {
                    if hash_prompts {
                        def.prompt_sha256(&text);
                    }
                    frontmatter_only = Some(def.body.start);
                }
                (a.def.map(Arc::new), a.diagnostics)
            }
        };
        let directives = Some(FileDirectives::parse(id, &text))
            .filter(|d| !d.is_empty())
            .map(Box::new);
        let display = source::relative_display(&f.path, &env.cwd);
        let plan = plan_path(&f.path, job.scope, &roots.project, roots.user.as_deref());
        let mut file = SourceFile::new(f.path.clone(), display, plan, text);
        if let Some(end) = frontmatter_only {
            file.keep_only_to(end);
        }
        (file, def, diags, directives)
    };
    let analysed: Vec<Analysed> =
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
    for (((file, def, diagnostics, directives), job), id) in analysed.into_iter().zip(jobs).zip(ids)
    {
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
            directives,
        });
    }
    results
}

/// What reading and analysing one file yields.
type Analysed = (
    SourceFile,
    Option<Arc<AgentDef>>,
    Vec<Diagnostic>,
    Option<Box<FileDirectives>>,
);

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
pub fn load(req: LoadRequest, env: &Env, sources: &mut SourceMap) -> (Project, Vec<Diagnostic>) {
    load_over(req, env, sources, &Overlay::default())
}

/// [`load`], reading a file from `overlay` when it holds its text: a file
/// checked before it is written (`agentc new`), or an unsaved buffer.
pub fn load_over(
    mut req: LoadRequest,
    env: &Env,
    sources: &mut SourceMap,
    overlay: &Overlay,
) -> (Project, Vec<Diagnostic>) {
    let roots = Roots {
        project: req.project.root.clone(),
        user: req.user.as_ref().map(|u| u.root.clone()),
    };
    let configs = load_configs_over(&req.project, req.user.as_ref(), env, sources, overlay);
    let jobs = jobs_of(&req.project, req.user.as_ref());
    // The file lists are not needed past here: with many files, holding
    // them (and the jobs) through the link adds to the peak.
    req.project.agents = Vec::new();
    if let Some(u) = &mut req.user {
        u.agents = Vec::new();
    }
    let files = analyze_files_over(
        &jobs,
        &configs.config,
        &roots,
        env,
        sources,
        overlay,
        req.keep,
    );
    drop(jobs);
    let extra = escape_findings(&escapes_of(&req.project, req.user.as_ref()), env, sources);
    link(
        roots.project,
        configs,
        &files,
        extra,
        req.parent.as_deref(),
        sources,
        req.keep,
    )
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
