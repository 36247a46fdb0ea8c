//! What linking keeps between calls, for the watcher and the servers that
//! link one project again and again with a few files read anew.

use super::{FileResult, Tools};
use crate::diagnostic::Diagnostic;
use crate::discover::Origin;
use crate::model::agent::AgentDef;
use crate::model::config::Config;
use crate::model::resolve::Resolution;
use crate::source::{FileId, Scope};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What [`link`] works out for one definition on its own, under one config
/// and parent: its tools, its static route and the findings about them
/// (before `[lint]`).
#[derive(Debug)]
pub(super) struct Checked {
    pub(super) tools: Tools,
    pub(super) resolution: Option<Arc<Resolution>>,
    pub(super) diagnostics: Vec<Diagnostic>,
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
    pub(super) stamp: Option<(Config, Option<String>)>,
    /// By file id.
    pub(super) files: Vec<Option<FileLink>>,
    /// Every name claimed, in order, with the files that claim it.
    /// A name is held once, shared with the links of the files claiming it.
    pub(super) claimants: BTreeMap<Arc<str>, Claim>,
    /// The names claimed by more than one file: the only ones that can be
    /// duplicates or shadow one another.
    pub(super) contested: BTreeSet<Arc<str>>,
    /// What a route keeps of how it was resolved.
    pub(super) keep: super::Keep,
}

/// The files claiming one name, in the order they claimed it. The first
/// is held inline: almost every name has one file.
#[derive(Debug, Default)]
pub(super) struct Claim {
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

    pub(super) fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.more.len()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &FileId> {
        self.first.iter().chain(&self.more)
    }
}

/// One file's part in the last link.
#[derive(Debug)]
pub(super) struct FileLink {
    /// Held, so that its address is not reused: an equal pointer is the
    /// same definition.
    pub(super) def: Option<Arc<AgentDef>>,
    /// The name claimed: the definition's, or a broken file's stem.
    pub(super) name: Arc<str>,
    pub(super) scope: Scope,
    pub(super) origin: Origin,
    /// `None` until checked under the current stamp.
    pub(super) checked: Option<Checked>,
}

impl LinkCache {
    pub fn new() -> LinkCache {
        LinkCache::default()
    }

    /// A cache for one link whose routes keep what `keep` says.
    pub fn keeping(keep: super::Keep) -> LinkCache {
        LinkCache {
            keep,
            ..LinkCache::default()
        }
    }

    /// Forgets every check unless `config` and `parent` are those they were
    /// made under (claims do not depend on them).
    pub(super) fn stamp(&mut self, config: &Config, parent: Option<&str>) {
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
    pub(super) fn claim(&mut self, r: &FileResult) {
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
        self.files[at] = Some(FileLink {
            def: r.def.clone(),
            name,
            scope: r.scope,
            origin: r.origin,
            checked: None,
        });
    }

    /// Takes back a file's claim.
    pub(super) fn unclaim(&mut self, id: FileId) {
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

    pub(super) fn file(&self, id: FileId) -> Option<&FileLink> {
        self.files.get(id.0 as usize)?.as_ref()
    }
}
