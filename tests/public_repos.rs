//! Regressions from checking public repositories the corpus does not hold:
//! each test is the general shape of a false positive met there, in a file
//! of its own making.

#![allow(clippy::unwrap_used)]

mod support;

use assert_cmd::Command;
use support::TempProject;

fn check_short(p: &TempProject, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("agentc")
        .unwrap()
        .current_dir(p.root())
        .env_clear()
        .env("AGENTC_USER_DIR", p.user())
        .env("NO_COLOR", "1")
        .args(["check", "--format", "short"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// Copilot handoffs name their target by its display `name` as often as by
/// its file name: both open the agent.
#[test]
fn a_copilot_handoff_may_name_an_agent_by_its_display_name() {
    let p = TempProject::with(&[
        (
            ".github/agents/docs-review.agent.md",
            "---\nname: Docs Review\ndescription: Reviews docs.\nhandoffs:\n  - label: Back\n    agent: Docs Executive\n  - label: Fix\n    agent: implement\n  - label: Gone\n    agent: Docs Archivist\n---\nB\n",
        ),
        (
            ".github/agents/docs-executive.agent.md",
            "---\nname: Docs Executive\ndescription: Runs the docs work.\n---\nB\n",
        ),
        (
            ".github/agents/implement.agent.md",
            "---\nname: Implementer\ndescription: Implements.\n---\nB\n",
        ),
    ]);
    let (code, out) = check_short(&p, &[]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            ".github/agents/docs-review.agent.md:10:12: error[unknown-agent] handoff to `Docs Archivist`, which no agent file defines\n"
        )
    );
}

/// `.agents/` is a folder other tools write to as well (`PROJECT.md`,
/// `AGENTS.md` beside `skills/`): upper-case documents there are not
/// agents, as README.md is not. Claude Code's folders keep reading them
/// (Claude loads `AGENT.md` in a subfolder).
#[test]
fn upper_case_documents_in_dot_agents_are_not_agents() {
    let p = TempProject::with(&[
        (
            ".agents/PROJECT.md",
            "# The project\n\nNotes for every tool.\n",
        ),
        (".agents/sub/AGENTS.md", "# Agents\n"),
        (".agents/CODE_OF_CONDUCT.md", "# Be kind\n"),
        (
            ".agents/review.md",
            "---\ndescription: Reviews.\nmodel: inherit\n---\nB\n",
        ),
        (".agents/Mixed.md", "no frontmatter\n"),
        ("user/agents/NOTES.md", "# mine\n"),
        (
            ".claude/agents/checker/AGENT.md",
            "---\nname: checker\ndescription: Checks.\ncolour: red\n---\nB\n",
        ),
    ]);
    let want = ".agents/Mixed.md:1:1: error[missing-frontmatter] the file does not begin with a `---` frontmatter fence\n\
                .claude/agents/checker/AGENT.md:4:1: warning[unknown-field] unknown field `colour` in a Claude Code agent file\n";
    assert_eq!(check_short(&p, &[]), (1, want.to_string()));
    assert_eq!(check_short(&p, &["."]), (1, want.to_string()));
}
