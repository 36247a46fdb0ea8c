//! Discovery: where agent files and configs are. The user scope
//! (`$AGENTC_USER_DIR`), the project found from the working directory, and
//! folders given on the command line (monorepos), honouring `.gitignore`,
//! skipping editor and hidden files, and following symlinks only while they
//! stay inside their root.

use crate::dialect::Dialect;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The process environment agentc reads, gathered once.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub cwd: PathBuf,
    /// `AGENTC_USER_DIR`, else `$XDG_CONFIG_HOME/agentc`, else the platform
    /// config directory. `None` when none can be found.
    pub user_dir: Option<PathBuf>,
    pub ollama_host: Option<String>,
}

impl Env {
    pub fn from_process() -> std::io::Result<Env> {
        let cwd = std::env::current_dir()?;
        Ok(Env {
            user_dir: user_dir_from(
                std::env::var_os("AGENTC_USER_DIR"),
                std::env::var_os("XDG_CONFIG_HOME"),
                // Windows keeps configuration in the roaming AppData folder.
                std::env::var_os(if cfg!(windows) { "APPDATA" } else { "HOME" }),
            ),
            ollama_host: std::env::var("OLLAMA_HOST").ok(),
            cwd,
        })
    }
}

fn user_dir_from(
    agentc: Option<std::ffi::OsString>,
    xdg: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    let non_empty = |v: Option<std::ffi::OsString>| v.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = non_empty(agentc) {
        return Some(dir);
    }
    if let Some(xdg) = non_empty(xdg) {
        return Some(xdg.join("agentc"));
    }
    let home = non_empty(home)?;
    Some(if cfg!(target_os = "macos") {
        home.join("Library/Application Support/agentc")
    } else if cfg!(windows) {
        home.join("agentc")
    } else {
        home.join(".config/agentc")
    })
}

/// Which folder kind a file was found in; earlier kinds shadow later ones
/// within one project (`.agents/` beats `.claude/agents/`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    Agents,
    Claude,
    Opencode,
    Copilot,
    Gemini,
    Codex,
    Cursor,
    /// A collection read with `--dialect`.
    Collection,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentFile {
    pub path: PathBuf,
    pub dialect: Dialect,
    pub origin: Origin,
    /// The id the file gets when its `name` does not say: the stem, without
    /// `.agent` for Copilot files.
    pub stem: String,
}

/// One project's files: its root, config and agent files, in path order.
#[derive(Clone, Debug, Default)]
pub struct ProjectFiles {
    pub root: PathBuf,
    pub config: Option<PathBuf>,
    pub agents: Vec<AgentFile>,
    /// Paths that were not read: symlinks that leave the root, and folders
    /// that could not be walked (a loop, no permission, a file where a
    /// folder is expected). Each becomes a finding.
    pub escapes: Vec<PathBuf>,
}

impl ProjectFiles {
    /// Records `config` (which may not exist) as this project's config when
    /// it is inside the root, or as an escape when a symlink leads it out.
    pub fn set_config(&mut self, config: PathBuf) {
        if std::fs::symlink_metadata(&config).is_err() {
            return;
        }
        match crate::fsutil::resolves_inside(&config, &self.root) {
            Some(true) => self.config = Some(config),
            // Outside, a dangling link or a loop: a finding says which.
            _ => self.escapes.push(config),
        }
    }
}

/// The files of the project at `root` with only its config found.
fn config_of(root: &Path) -> ProjectFiles {
    let mut files = ProjectFiles {
        root: root.to_path_buf(),
        ..Default::default()
    };
    files.set_config(root.join(AGENTS_DIR).join(CONFIG_FILE));
    files
}

pub const AGENTS_DIR: &str = ".agents";
pub const CONFIG_FILE: &str = "agentc.toml";

/// Hidden folders that hold agents (or lead to them) and are walked.
const AGENT_FOLDERS: &[&str] = &[
    ".agents",
    ".claude",
    ".opencode",
    ".github",
    ".gemini",
    ".codex",
    ".cursor",
];

/// Hidden folders of harnesses whose agents are only in `agents/`.
const NEW_DIALECT_FOLDERS: &[&str] = &[".gemini", ".codex", ".cursor"];

/// Whether `path` is in `.gemini`, `.codex` or `.cursor` but is not their
/// `agents/` folder: skills, prompts and settings there are not read.
fn beside_agents(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n != "agents")
        && path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|p| NEW_DIALECT_FOLDERS.iter().any(|f| p == *f))
}

/// Dialect folders relative to a project root.
const DIALECT_DIRS: &[(&str, Dialect, Origin)] = &[
    (".claude/agents", Dialect::Claude, Origin::Claude),
    (".opencode/agent", Dialect::Opencode, Origin::Opencode),
    (".opencode/agents", Dialect::Opencode, Origin::Opencode),
    (".github/agents", Dialect::Copilot, Origin::Copilot),
    (".gemini/agents", Dialect::Gemini, Origin::Gemini),
    (".codex/agents", Dialect::Codex, Origin::Codex),
    (".cursor/agents", Dialect::Cursor, Origin::Cursor),
];

fn is_project_root(dir: &Path) -> bool {
    dir.join(AGENTS_DIR).is_dir() || DIALECT_DIRS.iter().any(|(d, _, _)| dir.join(d).is_dir())
}

/// Walks up from `start` to the first folder holding `.agents/` or a
/// dialect folder, stopping at a `.git` boundary; `start` if none.
pub fn find_project_root(start: &Path) -> PathBuf {
    for dir in start.ancestors() {
        if is_project_root(dir) {
            return dir.to_path_buf();
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    start.to_path_buf()
}

/// Whether a file name is an agent file at all: `*.md`, not hidden, not an
/// editor's backup or lock file, not a README, not an Agent Skill
/// (`SKILL.md`).
pub fn is_agent_file_name(name: &str) -> bool {
    name.ends_with(".md")
        && !name.starts_with('.')
        && !name.eq_ignore_ascii_case("readme.md")
        && !name.eq_ignore_ascii_case("skill.md")
}

/// Whether a file in agentc's own folders is a document by convention, not
/// an agent: an upper-case stem (`PROJECT.md`, `AGENTS.md`, `CHANGELOG.md`)
/// as README.md is. Agent names are lower-case, and other tools keep such
/// notes in the shared `.agents/` folder.
fn is_upper_case_doc(path: &Path) -> bool {
    let Some(stem) = path.file_stem().map(|s| s.to_string_lossy()) else {
        return false;
    };
    stem.bytes().any(|b| b.is_ascii_uppercase()) && !stem.chars().any(char::is_lowercase)
}

/// An agent file of agentc's own dialect.
fn agentc_file(path: &Path) -> bool {
    md_file(path) && !is_upper_case_doc(path)
}

/// The folder of `.agents/` that holds Agent Skills (Codex and other
/// harnesses read `.agents/skills/*/SKILL.md`): not agent definitions.
pub const SKILLS_DIR: &str = "skills";

/// Tools an OpenCode project defines itself: `.opencode/tool/NAME.ts`
/// (or `.js`, and the `tools/` spelling) is the tool `NAME`.
pub fn opencode_custom_tools(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for dir in [".opencode/tool", ".opencode/tools"] {
        let Ok(rd) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(stem) = [".ts", ".js", ".mjs"]
                .iter()
                .find_map(|x| name.strip_suffix(x))
                .filter(|s| !s.is_empty() && !s.starts_with('.'))
            {
                out.push(stem.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn stem_of(path: &Path, dialect: Dialect) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = match dialect {
        Dialect::Codex => name.strip_suffix(".toml").unwrap_or(&name),
        _ => name.strip_suffix(".md").unwrap_or(&name),
    };
    match dialect {
        Dialect::Copilot => stem.strip_suffix(".agent").unwrap_or(stem).to_string(),
        _ => stem.to_string(),
    }
}

/// Files below `dir` (in sorted order) for which `keep` holds, with the
/// symlinks that leave `root` reported instead of followed.
fn walk(dir: &Path, root: &Path, keep: impl Fn(&Path) -> bool) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // The folder itself (`.agents`, `.claude` or one on the way to it) may be
    // a link that leaves the root: nothing below it is read then.
    match dir.canonicalize() {
        Ok(real) if real.starts_with(&canonical_root) => {}
        _ => return (Vec::new(), vec![dir.to_path_buf()]),
    }
    let escapes: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let followed: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let (esc, fol, croot) = (escapes.clone(), followed.clone(), canonical_root.clone());
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .ignore(false)
        .parents(true)
        .follow_links(true)
        .filter_entry(move |e| {
            let name = e.file_name().to_string_lossy();
            // Hidden files and folders are skipped, except the agent folders.
            if e.depth() > 0 && name.starts_with('.') && !AGENT_FOLDERS.contains(&name.as_ref()) {
                return false;
            }
            // Of `.gemini`, `.codex` and `.cursor` only `agents/` holds
            // agents; their other folders (skills, prompts) are not read.
            if e.depth() > 0 && beside_agents(e.path()) {
                return false;
            }
            if e.path_is_symlink() {
                match e.path().canonicalize() {
                    Ok(target) if target.starts_with(&croot) => {
                        if target.is_dir()
                            && let Ok(mut f) = fol.lock()
                        {
                            f.push(e.path().to_path_buf());
                        }
                    }
                    Ok(_) => {
                        if let Ok(mut v) = esc.lock() {
                            v.push(e.path().to_path_buf());
                        }
                        return false;
                    }
                    Err(_) => {
                        // A dangling link or a link loop: reported, not read.
                        if let Ok(mut v) = esc.lock() {
                            v.push(e.path().to_path_buf());
                        }
                        return false;
                    }
                }
            }
            true
        })
        .build();
    let mut regular = Vec::new();
    let mut linked = Vec::new();
    let mut unwalked = Vec::new();
    for entry in walker {
        // Errors here are loops and unreadable folders: reported, never fatal.
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                unwalked.extend(error_path(&e).filter(|p| !beside_agents(p)));
                continue;
            }
        };
        if entry.depth() == 0 || entry.file_type().is_some_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        if !keep(path) {
            continue;
        }
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            // A FIFO, socket or device named like an agent file: reported.
            unwalked.push(path.to_path_buf());
            continue;
        }
        if entry.path_is_symlink() {
            linked.push(path.to_path_buf());
        } else {
            regular.push(path.to_path_buf());
        }
    }
    // A file reached twice (through a link inside the root) is read once,
    // under its own path. Without links nothing can be reached twice.
    let any_links = !linked.is_empty() || followed.lock().is_ok_and(|f| !f.is_empty());
    // The walk goes in the folder's order; what it found is sorted here,
    // once (a path's components in order: each folder before what follows
    // it by name, as a walk sorted by name would list them).
    let mut out = regular;
    if any_links {
        // Sorted first, so that of two paths to one file the same one is
        // kept whatever order the folder lists them in.
        out.sort_unstable_by(|a, b| path_order(a, b));
        linked.sort_unstable_by(|a, b| path_order(a, b));
        // One file linked into two harnesses' folders (`.claude/agents` and
        // `.gemini/agents` sharing one folder) is read once for each.
        let mut seen: HashSet<(PathBuf, Option<String>)> = HashSet::new();
        out = out
            .into_iter()
            .chain(linked)
            .filter(|p| {
                let harness = p
                    .components()
                    .rev()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .find(|c| AGENT_FOLDERS.contains(&c.as_ref()))
                    .map(|c| c.into_owned());
                seen.insert((p.canonicalize().unwrap_or_else(|_| p.clone()), harness))
            })
            .collect();
    }
    out.sort_unstable_by(|a, b| path_order(a, b));
    let mut escapes = escapes.lock().map(|e| e.clone()).unwrap_or_default();
    escapes.extend(unwalked);
    escapes.sort();
    escapes.dedup();
    (out, escapes)
}

/// The order of `Path::cmp` (component by component) for the paths a walk
/// makes, which have no `.`, empty or trailing components: their bytes
/// compared with the separator below every other byte. Many times faster
/// than parsing components on every comparison of a large folder's sort.
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (a, b) = (a.as_os_str().as_bytes(), b.as_os_str().as_bytes());
        let same = common_prefix(a, b);
        let key = |s: &[u8]| {
            s.get(same)
                .map(|&c| if c == b'/' { 0 } else { u16::from(c) + 1 })
        };
        key(a).cmp(&key(b))
    }
    #[cfg(not(unix))]
    {
        a.cmp(b)
    }
}

/// How many bytes `a` and `b` start with alike, eight at a time: the
/// paths of one folder share a long prefix.
#[cfg(unix)]
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n && a[i..i + 8] == b[i..i + 8] {
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// Whether `path` is `dir` or below it, for a `path` a walk of `dir`'s
/// parent made (so both spell their shared start alike): `Path::starts_with`
/// without parsing every component of both.
fn is_within(path: &Path, dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (p, d) = (path.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
        p.starts_with(d) && p.get(d.len()).is_none_or(|&c| c == b'/')
    }
    #[cfg(not(unix))]
    {
        path.starts_with(dir)
    }
}

/// The path a walk error is about.
fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        // A link back to a folder already walked: nothing is missed.
        ignore::Error::Loop { .. } => None,
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

/// A `*.toml` file directly in a `.codex/agents` folder.
fn in_codex_agents(path: &Path) -> bool {
    toml_file(path) && path.parent().is_some_and(|d| d.ends_with(".codex/agents"))
}

fn md_file(path: &Path) -> bool {
    path.file_name()
        .map(|n| is_agent_file_name(&n.to_string_lossy()))
        .unwrap_or(false)
}

/// A Codex role file: `*.toml`, not hidden.
fn toml_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        let n = n.to_string_lossy();
        n.ends_with(".toml") && !n.starts_with('.')
    })
}

/// Whether `path` is a file of `dialect` by its name.
fn dialect_file(dialect: Dialect) -> fn(&Path) -> bool {
    match dialect {
        Dialect::Copilot => copilot_file,
        Dialect::Codex => toml_file,
        Dialect::Gemini => gemini_file,
        _ => md_file,
    }
}

/// Gemini CLI skips `_*.md` in its agents folder.
fn gemini_file(path: &Path) -> bool {
    md_file(path)
        && !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('_'))
}

fn copilot_file(path: &Path) -> bool {
    md_file(path) && path.to_string_lossy().ends_with(".agent.md")
}

/// The project at `root`: `.agents/` with subfolders and the dialect
/// folders at the root.
pub fn discover_project(root: &Path) -> ProjectFiles {
    let mut files = config_of(root);
    let agents_dir = root.join(AGENTS_DIR);
    if std::fs::metadata(&agents_dir).is_ok_and(|m| !m.is_dir()) {
        files.escapes.push(agents_dir.clone()); // a file where the folder goes
    }
    if agents_dir.is_dir() {
        let skills = agents_dir.join(SKILLS_DIR);
        let (paths, escapes) = walk(&agents_dir, root, |p| {
            agentc_file(p) && !is_within(p, &skills)
        });
        files.escapes.extend(escapes);
        files.agents.extend(paths.into_iter().map(|path| AgentFile {
            stem: stem_of(&path, Dialect::Agentc),
            path,
            dialect: Dialect::Agentc,
            origin: Origin::Agents,
        }));
    }
    for (dir, dialect, origin) in DIALECT_DIRS {
        let d = root.join(dir);
        if !d.is_dir() {
            continue;
        }
        let (paths, escapes) = walk(&d, root, dialect_file(*dialect));
        files.escapes.extend(escapes);
        files.agents.extend(paths.into_iter().map(|path| AgentFile {
            stem: stem_of(&path, *dialect),
            path,
            dialect: *dialect,
            origin: *origin,
        }));
    }
    // A Claude Code plugin keeps its agents in `agents/`.
    if root.join(".claude-plugin").is_dir() && root.join("agents").is_dir() {
        let (paths, escapes) = walk(&root.join("agents"), root, md_file);
        files.escapes.extend(escapes);
        files.agents.extend(paths.into_iter().map(|path| AgentFile {
            stem: stem_of(&path, Dialect::Claude),
            path,
            dialect: Dialect::Claude,
            origin: Origin::Claude,
        }));
    }
    // The config link is also met by the walk of `.agents`.
    files.escapes.sort();
    files.escapes.dedup();
    files
}

/// The user scope: `$AGENTC_USER_DIR/agents/**/*.md` and its config.
pub fn discover_user(user_dir: &Path) -> ProjectFiles {
    let mut files = ProjectFiles {
        root: user_dir.to_path_buf(),
        ..Default::default()
    };
    files.set_config(user_dir.join(CONFIG_FILE));
    let dir = user_dir.join("agents");
    if dir.is_dir() {
        let (paths, escapes) = walk(&dir, user_dir, agentc_file);
        files.escapes = escapes;
        files.agents = paths
            .into_iter()
            .map(|path| AgentFile {
                stem: stem_of(&path, Dialect::Agentc),
                path,
                dialect: Dialect::Agentc,
                origin: Origin::Agents,
            })
            .collect();
    }
    files
}

/// How a file below a walked tree is classified: its project root, dialect
/// and origin.
fn classify(path: &Path, top: &Path) -> Option<(PathBuf, Dialect, Origin)> {
    let rel = path.strip_prefix(top).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    let root_at = |i: usize| -> PathBuf {
        let mut r = top.to_path_buf();
        for p in &parts[..i] {
            r.push(p);
        }
        r
    };
    // The innermost agent folder decides.
    for i in (0..dirs.len()).rev() {
        let d = dirs[i].as_str();
        let next = dirs.get(i + 1).map(String::as_str);
        match (d, next) {
            (".agents", Some(SKILLS_DIR)) => return None,
            (".agents", _) if is_upper_case_doc(path) => return None,
            (".agents", _) => return Some((root_at(i), Dialect::Agentc, Origin::Agents)),
            (".claude", Some("agents")) => {
                return Some((root_at(i), Dialect::Claude, Origin::Claude));
            }
            (".opencode", Some("agent" | "agents")) => {
                return Some((root_at(i), Dialect::Opencode, Origin::Opencode));
            }
            (".github", Some("agents")) if copilot_file(path) => {
                return Some((root_at(i), Dialect::Copilot, Origin::Copilot));
            }
            (".gemini", Some("agents")) if gemini_file(path) => {
                return Some((root_at(i), Dialect::Gemini, Origin::Gemini));
            }
            (".codex", Some("agents")) if toml_file(path) => {
                return Some((root_at(i), Dialect::Codex, Origin::Codex));
            }
            (".cursor", Some("agents")) if md_file(path) => {
                return Some((root_at(i), Dialect::Cursor, Origin::Cursor));
            }
            ("agents", _) if root_at(i).join(".claude-plugin").is_dir() => {
                return Some((root_at(i), Dialect::Claude, Origin::Claude));
            }
            _ => {}
        }
    }
    if copilot_file(path) {
        // A loose `*.agent.md` belongs to the nearest project above it.
        let mut dir = path.parent()?.to_path_buf();
        while dir.starts_with(top) {
            if is_project_root(&dir) || dir == top {
                return Some((dir, Dialect::Copilot, Origin::Copilot));
            }
            dir = dir.parent()?.to_path_buf();
        }
    }
    None
}

/// Every project below `top` (`agentc check PATH`): each `.agents/` and
/// dialect folder is its own project, rooted at its parent. With
/// `dialect`, every markdown file below `top` is read as that dialect, as
/// one collection rooted at `top`.
pub fn discover_tree(top: &Path, dialect: Option<Dialect>) -> Vec<ProjectFiles> {
    if let Some(dialect) = dialect {
        let keep = if dialect == Dialect::Codex {
            toml_file
        } else {
            md_file
        };
        let (paths, escapes) = walk(top, top, keep);
        let mut files = config_of(top);
        files.escapes.extend(escapes);
        return vec![ProjectFiles {
            agents: paths
                .into_iter()
                .map(|path| AgentFile {
                    stem: stem_of(&path, dialect),
                    path,
                    dialect,
                    origin: Origin::Collection,
                })
                .collect(),
            ..files
        }];
    }
    if let Some(GivenFolder::Harness(root, dialect, origin)) = given_folder(top) {
        let (paths, escapes) = walk(top, top, dialect_file(dialect));
        let mut files = config_of(&root);
        files.escapes.extend(escapes);
        files.agents = paths
            .into_iter()
            .map(|path| AgentFile {
                stem: stem_of(&path, dialect),
                path,
                dialect,
                origin,
            })
            .collect();
        return vec![files];
    }
    // A folder inside an agent folder (`.claude/agents`, `.agents/review`)
    // is classified from the folder that holds the agent folder.
    let base = match given_folder(top) {
        Some(GivenFolder::Inside(base)) => base,
        _ => top.to_path_buf(),
    };
    let (paths, escapes) = walk(top, top, |p| md_file(p) || in_codex_agents(p));
    let mut projects: BTreeMap<PathBuf, ProjectFiles> = BTreeMap::new();
    for path in paths {
        let Some((root, dialect, origin)) = classify(&path, &base) else {
            continue;
        };
        let p = projects
            .entry(root.clone())
            .or_insert_with(|| config_of(&root));
        p.agents.push(AgentFile {
            stem: stem_of(&path, dialect),
            path,
            dialect,
            origin,
        });
    }
    // Configs of projects whose `.agents/` holds only a config.
    if projects.is_empty() && top.join(AGENTS_DIR).join(CONFIG_FILE).is_file() {
        projects.insert(top.to_path_buf(), discover_project(top));
    }
    let mut out: Vec<ProjectFiles> = projects.into_values().collect();
    if let Some(first) = out.first_mut() {
        first.escapes.extend(escapes);
    } else if !escapes.is_empty() {
        out.push(ProjectFiles {
            root: top.to_path_buf(),
            escapes,
            ..Default::default()
        });
    }
    out
}

/// Where a folder given on the command line lies.
enum GivenFolder {
    /// At or inside a project's agent folder (`.claude`, `.claude/agents`,
    /// `.agents/review`): the folder holding that agent folder.
    Inside(PathBuf),
    /// At or inside a harness's user-scope agent folder
    /// (`~/.config/opencode/agent`, `~/.copilot/agents`): every agent file
    /// below it is of that dialect, rooted at the folder above it.
    Harness(PathBuf, Dialect, Origin),
}

/// Whether `top` lies in an agent folder: its innermost enclosing agent
/// folder, looked for up to the repository boundary (`.git`).
fn given_folder(top: &Path) -> Option<GivenFolder> {
    let top: PathBuf = top.components().collect();
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    for dir in top.ancestors() {
        let (Some(this), Some(parent)) = (name(dir), dir.parent()) else {
            break;
        };
        let above = name(parent).unwrap_or_default();
        let grand = parent.parent().and_then(name).unwrap_or_default();
        match (this.as_str(), above.as_str(), grand.as_str()) {
            ("agent" | "agents", "opencode", ".config") => {
                return Some(GivenFolder::Harness(
                    parent.to_path_buf(),
                    Dialect::Opencode,
                    Origin::Opencode,
                ));
            }
            ("agents", ".copilot", _) => {
                return Some(GivenFolder::Harness(
                    parent.to_path_buf(),
                    Dialect::Copilot,
                    Origin::Copilot,
                ));
            }
            (folder, _, _) if AGENT_FOLDERS.contains(&folder) => {
                return Some(GivenFolder::Inside(parent.to_path_buf()));
            }
            ("agents", _, _) if parent.join(".claude-plugin").is_dir() => {
                return Some(GivenFolder::Inside(parent.to_path_buf()));
            }
            _ => {}
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// How many agent-looking markdown files lie below `top`, agent folder or
/// not: tells "nothing here" from "here, but not where agentc looks".
pub fn markdown_files_below(top: &Path) -> usize {
    walk(top, top, md_file).0.len()
}

/// The dialect of a single file given on the command line, by location.
pub fn dialect_of_file(path: &Path) -> (Dialect, Origin) {
    let parent = path.parent().unwrap_or(Path::new("."));
    let top = parent.ancestors().last().unwrap_or(parent);
    if let Some((_, d, o)) = classify(path, top) {
        return (d, o);
    }
    (Dialect::Agentc, Origin::Agents)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names that sort differently by bytes and by components: a folder
    /// and a file sharing a start, separators against `-`, `.`, space and
    /// bytes past ASCII.
    const TRICKY: &[&str] = &[
        "/p/.agents/a.md",
        "/p/.agents/a/b.md",
        "/p/.agents/a-b.md",
        "/p/.agents/a b.md",
        "/p/.agents/a.b/c.md",
        "/p/.agents/a/b/c.md",
        "/p/.agents/a0.md",
        "/p/.agents/ab.md",
        "/p/.agents/A.md",
        "/p/.agents/\u{e9}.md",
        "/p/.agents/a",
        "/p/.agents/skills",
        "/p/.agents/skills/x.md",
        "/p/.agents/skillsx.md",
        "/p/.agents/skills.md",
    ];

    #[test]
    fn walk_order_is_path_order() {
        for a in TRICKY {
            for b in TRICKY {
                let (a, b) = (Path::new(a), Path::new(b));
                assert_eq!(path_order(a, b), a.cmp(b), "{a:?} against {b:?}");
            }
        }
    }

    #[test]
    fn is_within_is_starts_with() {
        for a in TRICKY {
            for b in TRICKY {
                let (a, b) = (Path::new(a), Path::new(b));
                assert_eq!(is_within(a, b), a.starts_with(b), "{a:?} in {b:?}");
            }
        }
    }

    #[test]
    fn user_dir_defaults() {
        let some = |s: &str| Some(std::ffi::OsString::from(s));
        assert_eq!(
            user_dir_from(some("/u"), some("/x"), some("/h")),
            Some(PathBuf::from("/u"))
        );
        assert_eq!(
            user_dir_from(None, some("/x"), some("/h")),
            Some(PathBuf::from("/x/agentc"))
        );
        assert_eq!(user_dir_from(some(""), None, None), None);
        if !cfg!(target_os = "macos") {
            assert_eq!(
                user_dir_from(None, None, some("/h")),
                Some(PathBuf::from("/h/.config/agentc"))
            );
        }
    }

    #[test]
    fn agent_file_names() {
        assert!(is_agent_file_name("explore.md"));
        assert!(!is_agent_file_name("README.md"));
        assert!(!is_agent_file_name(".hidden.md"));
        assert!(!is_agent_file_name(".#explore.md"));
        assert!(!is_agent_file_name("explore.md~"));
        assert!(!is_agent_file_name(".explore.md.swp"));
        assert!(!is_agent_file_name("notes.txt"));
    }

    #[test]
    fn stems_per_dialect() {
        assert_eq!(stem_of(Path::new("a/x.agent.md"), Dialect::Copilot), "x");
        assert_eq!(
            stem_of(Path::new("a/x.agent.md"), Dialect::Agentc),
            "x.agent"
        );
    }
}
