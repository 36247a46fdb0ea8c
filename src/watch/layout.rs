//! Where the watcher looks: each scope's agent folders, the config files,
//! and, for folders that do not exist yet, the nearest folder above them
//! (so that creating `.agents/` or `.claude/agents/` is seen).

use crate::discover::{AGENTS_DIR, CONFIG_FILE};
use crate::model::trust::TRUST_FILE;
use crate::source::Scope;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How a folder is watched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// The folder and everything below it.
    Recursive,
    /// Only the folder's own entries.
    Shallow,
}

/// The folders and files one project (and its user scope) is made of.
#[derive(Clone, Debug)]
pub struct Layout {
    pub root: PathBuf,
    /// `$AGENTC_USER_DIR`, when there is one: the trust store lives there
    /// even when the user scope is not read.
    pub user_dir: Option<PathBuf>,
    /// Whether the user scope's agents and config are read.
    pub read_user: bool,
}

/// Project folders that hold agents, relative to the root (DESIGN §1, §9).
const PROJECT_AGENT_DIRS: &[&str] = &[
    AGENTS_DIR,
    ".claude/agents",
    ".opencode/agent",
    ".opencode/agents",
    ".github/agents",
    ".gemini/agents",
    ".codex/agents",
    ".cursor/agents",
];

/// A Claude Code plugin keeps its agents in `agents/` next to this folder.
const PLUGIN_MARKER: &str = ".claude-plugin";

impl Layout {
    /// The folders whose markdown files are agents of `scope`.
    pub fn agent_dirs(&self, scope: Scope) -> Vec<PathBuf> {
        match scope {
            Scope::Project => {
                let mut dirs: Vec<PathBuf> = PROJECT_AGENT_DIRS
                    .iter()
                    .map(|d| self.root.join(d))
                    .collect();
                if self.root.join(PLUGIN_MARKER).is_dir() {
                    dirs.push(self.root.join("agents"));
                }
                dirs
            }
            Scope::User => match (&self.user_dir, self.read_user) {
                (Some(u), true) => vec![u.join("agents")],
                _ => Vec::new(),
            },
        }
    }

    /// The scopes whose agents are read.
    pub fn scopes(&self) -> Vec<Scope> {
        if self.read_user && self.user_dir.is_some() {
            vec![Scope::Project, Scope::User]
        } else {
            vec![Scope::Project]
        }
    }

    /// Files that, when changed, make the configs load again: both
    /// `agentc.toml` and the trust store (trust decides `trusted`).
    pub fn config_files(&self) -> Vec<PathBuf> {
        let mut files = vec![self.project_config()];
        if let Some(u) = &self.user_dir {
            if self.read_user {
                files.push(u.join(CONFIG_FILE));
            }
            files.push(u.join(TRUST_FILE));
        }
        files
    }

    pub fn project_config(&self) -> PathBuf {
        self.root.join(AGENTS_DIR).join(CONFIG_FILE)
    }

    pub fn user_config(&self) -> Option<PathBuf> {
        match (&self.user_dir, self.read_user) {
            (Some(u), true) => Some(u.join(CONFIG_FILE)),
            _ => None,
        }
    }

    /// Paths whose appearance or disappearance changes which folders of
    /// the project are read, beyond the agent folders themselves.
    fn project_markers(&self) -> Vec<PathBuf> {
        vec![self.root.join(PLUGIN_MARKER)]
    }

    /// What a changed path means.
    pub fn classify(&self, path: &Path) -> Relevance {
        let mut r = Relevance {
            config: self.config_files().iter().any(|c| c.starts_with(path)),
            ..Relevance::default()
        };
        for scope in self.scopes() {
            let mut hit = None;
            for dir in self.agent_dirs(scope) {
                if path.starts_with(&dir) && path != dir {
                    hit.get_or_insert(Hit::Inside);
                } else if dir.starts_with(path) {
                    // The folder itself or a folder above it came or went.
                    hit = Some(Hit::Structure);
                }
            }
            if scope == Scope::Project
                && self
                    .project_markers()
                    .iter()
                    .any(|m| m.starts_with(path) || path.starts_with(m))
            {
                hit = Some(Hit::Structure);
            }
            match scope {
                Scope::Project => r.project = hit,
                Scope::User => r.user = hit,
            }
        }
        r
    }

    /// The folders to watch now: each existing agent folder recursively,
    /// the folders holding the config files, and for each missing folder
    /// the nearest existing one above it, shallowly.
    pub fn watch_set(&self) -> BTreeMap<PathBuf, Depth> {
        let mut set: BTreeMap<PathBuf, Depth> = BTreeMap::new();
        let mut add = |path: PathBuf, depth: Depth| {
            let e = set.entry(path).or_insert(depth);
            if depth == Depth::Recursive {
                *e = Depth::Recursive;
            }
        };
        let mut wanted: Vec<(PathBuf, Depth)> = Vec::new();
        for scope in self.scopes() {
            wanted.extend(
                self.agent_dirs(scope)
                    .into_iter()
                    .map(|d| (d, Depth::Recursive)),
            );
        }
        for file in self.config_files() {
            if let Some(parent) = file.parent() {
                wanted.push((parent.to_path_buf(), Depth::Shallow));
            }
        }
        wanted.extend(
            self.project_markers()
                .into_iter()
                .filter_map(|m| m.parent().map(|p| (p.to_path_buf(), Depth::Shallow))),
        );
        for (dir, depth) in wanted {
            if dir.is_dir() {
                add(dir, depth);
            } else if let Some(existing) = dir.ancestors().skip(1).find(|a| a.is_dir()) {
                add(existing.to_path_buf(), Depth::Shallow);
            }
        }
        // A shallow watch inside a recursive one adds nothing.
        let recursive: Vec<PathBuf> = set
            .iter()
            .filter(|(_, d)| **d == Depth::Recursive)
            .map(|(p, _)| p.clone())
            .collect();
        set.retain(|p, d| {
            *d == Depth::Recursive || !recursive.iter().any(|r| p.starts_with(r) && p != r)
        });
        set
    }
}

/// How a changed path touches a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    /// Something inside one of the scope's agent folders.
    Inside,
    /// An agent folder itself, a folder above one, or a marker such as
    /// `.claude-plugin`: which folders are read may have changed.
    Structure,
}

/// What one changed path touches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relevance {
    /// A config file (or a folder above one) changed.
    pub config: bool,
    pub project: Option<Hit>,
    pub user: Option<Hit>,
}

impl Relevance {
    pub fn any(&self) -> bool {
        self.config || self.project.is_some() || self.user.is_some()
    }

    pub fn scope(&self, scope: Scope) -> Option<Hit> {
        match scope {
            Scope::Project => self.project,
            Scope::User => self.user,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(dir: &Path) -> Layout {
        Layout {
            root: dir.join("p"),
            user_dir: Some(dir.join("u")),
            read_user: true,
        }
    }

    #[test]
    fn paths_are_classified_by_scope_and_kind() {
        let dir = tempfile::tempdir().unwrap();
        let l = layout(dir.path());
        let p = |s: &str| dir.path().join(s);
        let r = l.classify(&p("p/.agents/x.md"));
        assert_eq!(r.project, Some(Hit::Inside));
        assert!(!r.config && r.user.is_none());
        let r = l.classify(&p("p/.agents/agentc.toml"));
        assert!(r.config);
        assert_eq!(r.project, Some(Hit::Inside));
        assert_eq!(l.classify(&p("p/.agents")).project, Some(Hit::Structure));
        assert!(l.classify(&p("p/.agents")).config);
        assert_eq!(l.classify(&p("p/.claude")).project, Some(Hit::Structure));
        assert_eq!(
            l.classify(&p("p/.claude/agents/a/b.md")).project,
            Some(Hit::Inside)
        );
        assert_eq!(l.classify(&p("u/agents/x.md")).user, Some(Hit::Inside));
        assert!(l.classify(&p("u/agentc.toml")).config);
        assert!(l.classify(&p("u/trusted-providers.json")).config);
        assert!(!l.classify(&p("p/README.md")).any());
        assert!(!l.classify(&p("p/.github/workflows/ci.yml")).any());
        assert!(!l.classify(&p("u/other.txt")).any());
    }

    #[test]
    fn missing_folders_are_watched_through_the_nearest_existing_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("p/.agents/sub")).unwrap();
        std::fs::create_dir_all(dir.path().join("p/.claude")).unwrap();
        let l = layout(dir.path());
        let set = l.watch_set();
        let p = |s: &str| dir.path().join(s);
        assert_eq!(set.get(&p("p/.agents")), Some(&Depth::Recursive));
        assert_eq!(set.get(&p("p/.claude")), Some(&Depth::Shallow));
        assert_eq!(set.get(&p("p")), Some(&Depth::Shallow));
        // No user dir yet: the folder above it.
        assert_eq!(set.get(dir.path()), Some(&Depth::Shallow));
        assert!(!set.contains_key(&p("p/.agents/sub")));
        assert_eq!(set.len(), 4);
    }
}
