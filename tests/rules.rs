//! Every rule, triggered by a small project on the real filesystem, with
//! the exact code, path, line and column of each finding. A rule with no
//! case here fails `every_rule_has_a_case` (the live checks of `doctor` are
//! covered by the provider tests).

#![allow(clippy::unwrap_used)]

mod support;

use agentc::rules::Rule;
use support::TempProject;

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    /// `(code, path, line, column)`, all of them, in order.
    expect: &'static [(&'static str, &'static str, usize, usize)],
}

const CASES: &[Case] = &[
    Case {
        name: "clean",
        files: &[(
            ".agents/explore.md",
            "---\nname: explore\ndescription: Explores.\nprovider: lm-studio\nmodel: qwen-2.5-7b\ntools: [read, grep]\n---\nBody.\n",
        )],
        expect: &[],
    },
    Case {
        name: "missing-frontmatter",
        files: &[(".agents/a.md", "# notes\n")],
        expect: &[("missing-frontmatter", ".agents/a.md", 1, 1)],
    },
    Case {
        name: "missing-frontmatter-indented",
        files: &[(".agents/a.md", "\n    ---\n    description: x\n    ---\n")],
        expect: &[("missing-frontmatter", ".agents/a.md", 1, 1)],
    },
    Case {
        name: "unterminated-frontmatter",
        files: &[(".agents/a.md", "---\ndescription: x\nmodel: m\n")],
        expect: &[("unterminated-frontmatter", ".agents/a.md", 1, 1)],
    },
    Case {
        name: "unterminated-frontmatter-near-miss",
        files: &[(".agents/a.md", "---\ndescription: x\n--------\nbody\n---\n")],
        expect: &[("unterminated-frontmatter", ".agents/a.md", 1, 1)],
    },
    Case {
        name: "yaml-syntax",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\ntools: [read, grep\nmodel: m\n---\nB\n",
        )],
        expect: &[("yaml-syntax", ".agents/a.md", 4, 6)],
    },
    Case {
        name: "yaml-syntax-unquoted-colon-in-agentc-dialect",
        files: &[(
            ".agents/a.md",
            "---\ndescription: Use when: you need it\nmodel: inherit\n---\nB\n",
        )],
        expect: &[("yaml-syntax", ".agents/a.md", 2, 22)],
    },
    Case {
        name: "frontmatter-not-mapping",
        files: &[(".agents/a.md", "---\n- a\n- b\n---\nB\n")],
        expect: &[("frontmatter-not-mapping", ".agents/a.md", 2, 1)],
    },
    Case {
        name: "duplicate-key",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nmodel: inherit\nmodel: inherit\n---\nB\n",
        )],
        expect: &[("duplicate-key", ".agents/a.md", 4, 1)],
    },
    Case {
        name: "file-too-large",
        files: &[
            (".agents/agentc.toml", "[limits]\nmax_file_size = 40\n"),
            (
                ".agents/a.md",
                "---\ndescription: a long enough description\nmodel: inherit\n---\nB\n",
            ),
        ],
        expect: &[("file-too-large", ".agents/a.md", 1, 1)],
    },
    Case {
        name: "yaml-limits",
        files: &[
            (".agents/agentc.toml", "[limits]\nmax_yaml_depth = 2\n"),
            (
                ".agents/a.md",
                "---\ndescription: x\nx-a: [[[1]]]\n---\nB\n",
            ),
        ],
        expect: &[("yaml-limits", ".agents/a.md", 3, 7)],
    },
    Case {
        name: "missing-field",
        files: &[(".agents/a.md", "---\nmodel: inherit\n---\nB\n")],
        expect: &[("missing-field", ".agents/a.md", 1, 1)],
    },
    Case {
        name: "missing-field-empty-description",
        files: &[(
            ".agents/a.md",
            "---\ndescription: \"\"\nmodel: inherit\n---\nB\n",
        )],
        expect: &[("missing-field", ".agents/a.md", 2, 14)],
    },
    Case {
        name: "missing-field-claude-name",
        files: &[(".claude/agents/a.md", "---\ndescription: x\n---\nB\n")],
        expect: &[("missing-field", ".claude/agents/a.md", 1, 1)],
    },
    Case {
        name: "unknown-field",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nmodel: inherit\ntemprature: 0.2\n---\nB\n",
        )],
        expect: &[("unknown-field", ".agents/a.md", 4, 1)],
    },
    Case {
        name: "foreign-field",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nmodel: inherit\npermissionMode: plan\n---\nB\n",
        )],
        expect: &[("foreign-field", ".agents/a.md", 4, 1)],
    },
    Case {
        name: "unquoted-colon",
        files: &[(
            ".claude/agents/a.md",
            "---\nname: a\ndescription: Use this agent when: you need it\n---\nB\n",
        )],
        expect: &[("unquoted-colon", ".claude/agents/a.md", 3, 33)],
    },
    Case {
        name: "invalid-type",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nmodel: inherit\ntemperature: hot\ntools: read\n---\nB\n",
        )],
        expect: &[
            ("invalid-type", ".agents/a.md", 4, 14),
            ("invalid-type", ".agents/a.md", 5, 8),
        ],
    },
    Case {
        name: "invalid-value",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nmodel: inherit\ntop_p: 1.5\nreasoning_effort: max\ntimeout: soon\nrequires: [vison]\n---\nB\n",
        )],
        expect: &[
            ("invalid-value", ".agents/a.md", 4, 8),
            ("invalid-value", ".agents/a.md", 5, 19),
            ("invalid-value", ".agents/a.md", 6, 10),
            ("invalid-value", ".agents/a.md", 7, 12),
        ],
    },
    Case {
        name: "invalid-value-bare-fallback",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nprovider: lm-studio\nmodel: m\nfallback: [qwen]\n---\nB\n",
        )],
        expect: &[("invalid-value", ".agents/a.md", 5, 12)],
    },
    Case {
        name: "invalid-name",
        files: &[(
            ".agents/a.md",
            "---\nname: Explore_Agent\ndescription: x\nmodel: inherit\n---\nB\n",
        )],
        expect: &[("invalid-name", ".agents/a.md", 2, 7)],
    },
    Case {
        name: "name-mismatch",
        files: &[(
            ".agents/explorer.md",
            "---\nname: explore\ndescription: x\nmodel: inherit\n---\nB\n",
        )],
        expect: &[("name-mismatch", ".agents/explorer.md", 2, 7)],
    },
    Case {
        name: "empty-prompt",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nmodel: inherit\n---\n\n  \n",
        )],
        expect: &[("empty-prompt", ".agents/a.md", 4, 1)],
    },
    Case {
        name: "duplicate-name",
        files: &[
            (
                ".agents/a.md",
                "---\ndescription: x\nmodel: inherit\n---\nB\n",
            ),
            (
                ".agents/sub/b.md",
                "---\nname: a\ndescription: x\nmodel: inherit\n---\nB\n",
            ),
        ],
        expect: &[
            ("duplicate-name", ".agents/sub/b.md", 2, 7),
            ("name-mismatch", ".agents/sub/b.md", 2, 7),
        ],
    },
    Case {
        name: "unknown-provider",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nprovider: lm-studoi\nmodel: m\n---\nB\n",
        )],
        expect: &[("unknown-provider", ".agents/a.md", 3, 11)],
    },
    Case {
        name: "unknown-provider-in-qualified-model",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nmodel: lm-studoi/qwen\n---\nB\n",
        )],
        expect: &[("unknown-provider", ".agents/a.md", 3, 8)],
    },
    Case {
        name: "unknown-model",
        files: &[
            (
                ".agents/agentc.toml",
                "[providers.deepseek]\nmodels = [\"deepseek-v4-flash\"]\n",
            ),
            (
                ".agents/a.md",
                "---\ndescription: x\nmodel: deepseek/deepseek-v4-flsh\n---\nB\n",
            ),
        ],
        expect: &[("unknown-model", ".agents/a.md", 3, 8)],
    },
    Case {
        name: "missing-model",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nprovider: ollama\n---\nB\n",
        )],
        expect: &[("missing-model", ".agents/a.md", 3, 11)],
    },
    Case {
        name: "alias-cycle",
        files: &[
            (
                ".agents/agentc.toml",
                "[models]\nlead = \"fast\"\nfast = \"quick\"\nquick = \"fast\"\n",
            ),
            (".agents/a.md", "---\ndescription: x\nmodel: lead\n---\nB\n"),
        ],
        expect: &[("alias-cycle", ".agents/agentc.toml", 3, 1)],
    },
    Case {
        name: "unknown-tool",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nmodel: inherit\ntools: [read, gerp, mcp__gh__x]\n---\nB\n",
        )],
        expect: &[("unknown-tool", ".agents/a.md", 4, 15)],
    },
    Case {
        name: "unknown-tool-claude-comma-string",
        files: &[(
            ".claude/agents/a.md",
            "---\nname: a\ndescription: x\ntools: Read,  Gerp\n---\nB\n",
        )],
        expect: &[("unknown-tool", ".claude/agents/a.md", 4, 15)],
    },
    Case {
        name: "unknown-role",
        files: &[
            (
                ".agents/agentc.toml",
                "[roles.explorer]\nmodel = \"lm-studio/qwen\"\n",
            ),
            (
                ".agents/a.md",
                "---\ndescription: x\nrole: exploer\nmodel: inherit\n---\nB\n",
            ),
        ],
        expect: &[("unknown-role", ".agents/a.md", 3, 7)],
    },
    Case {
        name: "fallback-redundant",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nmodel: lm-studio/q\nfallback: [ollama/l, lm-studio/q, ollama/l]\n---\nB\n",
        )],
        expect: &[
            ("fallback-redundant", ".agents/a.md", 4, 22),
            ("fallback-redundant", ".agents/a.md", 4, 35),
        ],
    },
    Case {
        name: "implicit-inherit",
        files: &[
            (
                ".agents/agentc.toml",
                "[policy]\nrequire_explicit_route = true\n",
            ),
            (".agents/a.md", "---\ndescription: x\n---\nB\n"),
            (
                ".agents/b.md",
                "---\ndescription: x\nmodel: inherit\n---\nB\n",
            ),
        ],
        expect: &[("implicit-inherit", ".agents/a.md", 1, 1)],
    },
    Case {
        name: "secret-in-definition",
        files: &[
            (
                ".agents/agentc.toml",
                "[providers.box]\nbase_url = \"http://127.0.0.1:9/v1\"\ntoken = \"hunter2\"\n",
            ),
            (
                ".agents/a.md",
                "---\ndescription: x\nmodel: inherit\nx-key: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n---\nB\n",
            ),
        ],
        expect: &[
            ("secret-in-definition", ".agents/a.md", 4, 8),
            ("secret-in-definition", ".agents/agentc.toml", 3, 9),
        ],
    },
    Case {
        name: "credential-host-mismatch",
        files: &[(
            ".agents/agentc.toml",
            "[providers.proxy]\nbase_url = \"https://proxy.example.net/v1\"\napi_key_env = \"ANTHROPIC_API_KEY\"\n",
        )],
        expect: &[("credential-host-mismatch", ".agents/agentc.toml", 2, 12)],
    },
    Case {
        name: "untrusted-provider",
        files: &[(
            ".agents/agentc.toml",
            "[providers.corp]\nbase_url = \"https://llm.corp.example/v1\"\napi_key_env = \"CORP_KEY\"\n\n[providers.openai]\nbase_url = \"https://api.openai.com/v1\"\n",
        )],
        expect: &[("untrusted-provider", ".agents/agentc.toml", 2, 12)],
    },
    Case {
        name: "config-syntax",
        files: &[(".agents/agentc.toml", "[models]\nfast = \"x\nslow = 1\n")],
        expect: &[("config-syntax", ".agents/agentc.toml", 2, 10)],
    },
    Case {
        name: "toml-syntax",
        files: &[(
            ".codex/agents/review.toml",
            "name = \"review\"\ndescription = Reviews.\n",
        )],
        expect: &[("toml-syntax", ".codex/agents/review.toml", 2, 15)],
    },
    Case {
        name: "config-invalid",
        files: &[(
            ".agents/agentc.toml",
            "[polcy]\nx = 1\n\n[providers.new]\nkind = \"openai\"\n",
        )],
        expect: &[
            ("config-invalid", ".agents/agentc.toml", 1, 2),
            ("config-invalid", ".agents/agentc.toml", 4, 12),
            ("config-invalid", ".agents/agentc.toml", 5, 8),
        ],
    },
    Case {
        name: "suppressions",
        files: &[(
            ".agents/a.md",
            "---\ndescription: x\nmodel: inherit\ncolour: red  # agentc: ignore[unknown-field] kept for an old harness\nrole: r  # agentc: ignore[name-mismatch] nothing here\nx-a: 1  # agentc: ignore[unknown-tool]\n---\nBody.\n",
        )],
        expect: &[
            ("invalid-suppression", ".agents/a.md", 6, 9),
            ("unused-suppression", ".agents/a.md", 5, 10),
            ("unused-suppression", ".agents/a.md", 6, 9),
        ],
    },
    Case {
        name: "capability-and-lint-levels",
        files: &[
            (
                ".agents/agentc.toml",
                "[lint]\nrules = { unknown-field = \"off\", empty-prompt = \"error\" }\n",
            ),
            (
                ".agents/a.md",
                "---\ndescription: x\nmodel: inherit\ncolour: red\n---\n",
            ),
        ],
        expect: &[("empty-prompt", ".agents/a.md", 5, 1)],
    },
];

fn run(case: &Case) -> Vec<(String, String, usize, usize)> {
    let p = TempProject::with(case.files);
    p.load().findings()
}

#[test]
fn each_rule_reports_its_exact_location() {
    let mut failures = Vec::new();
    for case in CASES {
        let got = run(case);
        let want: Vec<(String, String, usize, usize)> = case
            .expect
            .iter()
            .map(|(c, p, l, col)| (c.to_string(), p.to_string(), *l, *col))
            .collect();
        if got != want {
            failures.push(format!("{}:\n  want {want:?}\n  got  {got:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A lean load (`check`, `plan`) drops what neither shows: the prompt of
/// a file without findings of its own, and the route layers. Over every
/// case, the findings, their rendering and the plan are byte for byte
/// those of a load that keeps everything.
#[test]
fn a_lean_load_reports_and_plans_what_a_whole_one_does() {
    use agentc::render::{Format, Report};
    let render = |l: &support::Loaded| {
        let report = Report::new(&l.sources, l.diagnostics.clone(), l.project.files, 0);
        (
            report.render(Format::Json, false),
            report.render(Format::Human, false),
            l.plan().to_json(),
        )
    };
    let mut partial = 0;
    for case in CASES {
        let p = TempProject::with(case.files);
        let (lean, whole) = (p.load(), p.load_whole());
        assert_eq!(render(&lean), render(&whole), "{}", case.name);
        for a in &lean.project.agents {
            let file = lean.sources.get(a.def.file);
            if file.is_partial() {
                partial += 1;
                assert_eq!(file.text.len(), a.def.body.start, "{}", case.name);
                assert!(file.text.len() < whole.sources.get(a.def.file).text.len());
            }
            if let Some(r) = &a.resolution {
                assert!(r.layers.is_empty(), "{}", case.name);
            }
        }
    }
    // The cases have prompts to drop.
    assert!(partial > 10, "{partial}");
}

#[test]
fn invalid_encoding_points_at_the_first_bad_byte() {
    let p = TempProject::new();
    let path = p.root().join(".agents/a.md");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        b"---\ndescription: Caf\xe9 x\nmodel: inherit\n---\nB\n",
    )
    .unwrap();
    let l = p.load();
    assert_eq!(
        l.findings(),
        vec![(
            "invalid-encoding".to_string(),
            ".agents/a.md".to_string(),
            2,
            17
        )]
    );
}

#[test]
fn symlink_escape_is_reported_and_not_followed() {
    let p = TempProject::new();
    std::fs::create_dir_all(p.root().join(".agents")).unwrap();
    let outside = p.dir.path().join("outside.md");
    std::fs::write(&outside, "---\ndescription: x\nmodel: inherit\n---\nB\n").unwrap();
    std::os::unix::fs::symlink(&outside, p.root().join(".agents/away.md")).unwrap();
    let l = p.load();
    assert_eq!(
        l.findings(),
        vec![(
            "symlink-escape".to_string(),
            ".agents/away.md".to_string(),
            1,
            1
        )]
    );
    assert_eq!(l.project.files, 0);
}

#[test]
fn unreadable_file_is_a_finding() {
    let p = TempProject::new();
    std::fs::create_dir_all(p.root().join(".agents/dir.md")).unwrap();
    let l = p.load();
    // A folder named like an agent file is not read as one.
    assert!(l.findings().is_empty());
    // A file removed between discovery and reading.
    let files = agentc::discover::discover_project(&p.root());
    let mut files = files;
    files.agents.push(agentc::discover::AgentFile {
        path: p.root().join(".agents/gone.md"),
        dialect: agentc::dialect::Dialect::Agentc,
        origin: agentc::discover::Origin::Agents,
        stem: "gone".into(),
    });
    let req = agentc::project::LoadRequest {
        project: files,
        user: None,
        parent: None,
        keep: agentc::project::Keep::Whole,
    };
    let mut sources = agentc::source::SourceMap::default();
    let (_, diags) = agentc::project::load(req, &p.env(), &mut sources);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].rule.code(), "unreadable-file");
    assert!(diags[0].message.contains("removed"), "{}", diags[0].message);
}

/// Rules reported only by `agentc route`, `agentc doctor` or their tests.
const ELSEWHERE: &[&str] = &[
    "invalid-encoding",
    "symlink-escape",
    "skipped-path",
    "unreadable-file",
    "unknown-agent",
    "override-not-allowed",
    "capability-mismatch",
    "provider-unreachable",
    "model-not-found",
    "model-not-loaded",
    "missing-credential",
];

#[test]
fn every_rule_has_a_case() {
    for rule in Rule::ALL {
        let code = rule.code();
        let covered =
            CASES.iter().any(|c| c.expect.iter().any(|e| e.0 == code)) || ELSEWHERE.contains(&code);
        assert!(covered, "rule `{code}` has no test case");
    }
}
