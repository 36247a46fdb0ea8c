//! What `agentc init`, `add` and `new` write: the catalogue of ready-made
//! agents (the repository's `agents/` folder), the templates of `new`
//! (`templates/`) and the starter `agentc.toml`, all embedded in the binary.

use crate::syntax::emit;
use std::path::{Path, PathBuf};

/// One embedded file: its name and text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Embedded {
    pub name: &'static str,
    pub text: &'static str,
}

/// Ready-made agents, copied as they are by `init` and `add`.
pub const CATALOGUE: &[Embedded] = &[
    Embedded {
        name: "explore",
        text: include_str!("../../agents/explore.md"),
    },
    Embedded {
        name: "format",
        text: include_str!("../../agents/format.md"),
    },
    Embedded {
        name: "general",
        text: include_str!("../../agents/general.md"),
    },
    Embedded {
        name: "planner",
        text: include_str!("../../agents/planner.md"),
    },
    Embedded {
        name: "review",
        text: include_str!("../../agents/review.md"),
    },
];

/// Templates of `agentc new NAME --template T`: `{{name}}` becomes the
/// agent's name and the `{{route}}` line its route.
pub const TEMPLATES: &[Embedded] = &[
    Embedded {
        name: "explore",
        text: include_str!("../../templates/explore.md"),
    },
    Embedded {
        name: "format",
        text: include_str!("../../templates/format.md"),
    },
    Embedded {
        name: "general",
        text: include_str!("../../templates/general.md"),
    },
    Embedded {
        name: "planner",
        text: include_str!("../../templates/planner.md"),
    },
    Embedded {
        name: "review",
        text: include_str!("../../templates/review.md"),
    },
];

/// The `agentc.toml` that `init` writes: every example commented out.
pub const INIT_CONFIG: &str = include_str!("../../templates/agentc.toml");

pub fn catalogue(name: &str) -> Option<&'static Embedded> {
    CATALOGUE.iter().find(|e| e.name == name)
}

/// The role names the templates were once called by (and which `role:`
/// still says): accepted by `new --template`, suggested by `add`.
pub const ROLE_NAMES: &[(&str, &str)] = &[
    ("explorer", "explore"),
    ("formatter", "format"),
    ("reviewer", "review"),
];

/// The catalogue or template name a role name stands for.
pub fn by_role(name: &str) -> Option<&'static str> {
    ROLE_NAMES.iter().find(|(r, _)| *r == name).map(|(_, n)| *n)
}

/// A template by its name (the catalogue agent's name) or its role name.
pub fn template(name: &str) -> Option<&'static Embedded> {
    let name = by_role(name).unwrap_or(name);
    TEMPLATES.iter().find(|e| e.name == name)
}

/// The route `new` writes: `--provider` and `--model`, or `model: inherit`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Route {
    pub provider: Option<String>,
    pub model: Option<String>,
}

impl Route {
    fn lines(&self) -> String {
        let mut out = Vec::new();
        if let Some(p) = &self.provider {
            out.push(format!("provider: {}", emit::scalar(p)));
        }
        if let Some(m) = &self.model {
            out.push(format!("model: {}", emit::scalar(m)));
        }
        if out.is_empty() {
            out.push("model: inherit".into());
        }
        out.join("\n")
    }
}

/// A template with its placeholders filled.
pub fn render_template(template: &str, name: &str, route: &Route) -> String {
    template
        .replace("{{route}}", &route.lines())
        .replace("{{name}}", &emit::scalar(name))
}

/// The files `init` writes below the project root.
pub fn init_files() -> Vec<(PathBuf, &'static str)> {
    let agents = Path::new(crate::discover::AGENTS_DIR);
    let mut out = vec![(agents.join(crate::discover::CONFIG_FILE), INIT_CONFIG)];
    out.extend(
        CATALOGUE
            .iter()
            .map(|e| (agents.join(format!("{}.md", e.name)), e.text)),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;
    use crate::model::agent;
    use crate::source::FileId;

    #[test]
    fn templates_fill_every_placeholder() {
        for t in TEMPLATES {
            let text = render_template(
                t.text,
                "my-agent",
                &Route {
                    provider: Some("lm-studio".into()),
                    model: Some("qwen/qwen3-8b".into()),
                },
            );
            assert!(!text.contains("{{"), "{}", t.name);
            assert!(
                text.contains("\nname: my-agent\nprovider: lm-studio\nmodel: qwen/qwen3-8b\n")
                    || text.contains("\nprovider: lm-studio\nmodel: qwen/qwen3-8b\n"),
                "{text}"
            );
            let a = agent::analyze(
                FileId(0),
                &text,
                Dialect::Agentc,
                "my-agent",
                Default::default(),
            );
            assert!(a.diagnostics.is_empty(), "{}: {:?}", t.name, a.diagnostics);
        }
    }

    #[test]
    fn templates_and_catalogue_share_names() {
        let names = |l: &[Embedded]| l.iter().map(|e| e.name).collect::<Vec<_>>();
        assert_eq!(names(TEMPLATES), names(CATALOGUE));
        for (role, name) in ROLE_NAMES {
            assert_eq!(template(role).map(|t| t.name), Some(*name));
        }
    }

    #[test]
    fn catalogue_names_match_their_files() {
        for e in CATALOGUE {
            let a = agent::analyze(
                FileId(0),
                e.text,
                Dialect::Agentc,
                e.name,
                Default::default(),
            );
            assert!(a.diagnostics.is_empty(), "{}: {:?}", e.name, a.diagnostics);
            assert_eq!(a.def.unwrap().name, e.name);
        }
    }
}
