//! Hostile input: each gets its finding, nothing panics or hangs, and the
//! work stays bounded (asserted on what was read and parsed, not on time).

#![allow(clippy::unwrap_used)]

mod support;

use agentc::dialect::Dialect;
use agentc::source::FileId;
use agentc::syntax::yaml::{self, YamlErrorKind, YamlLimits};
use support::TempProject;

fn analyze(text: &str) -> Vec<(&'static str, usize)> {
    let a = agentc::agent::analyze(FileId(0), text, Dialect::Agentc, "a", YamlLimits::default());
    a.diagnostics
        .iter()
        .map(|d| (d.rule.code(), d.span.unwrap().start))
        .collect()
}

/// Runs `f` on a thread with the stack the parsing threads get.
fn on_parse_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(yaml::PARSE_STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn alias_bombs_stop_at_the_node_budget() {
    on_parse_stack(|| {
        // Quadratic: 100 aliases of a 100-item list.
        let items = vec!["x"; 100].join(", ");
        let refs = vec!["*a"; 100].join(", ");
        let t = format!("a: &a [{items}]\nb: [{refs}]\n");
        let e = yaml::parse(&t, 0, YamlLimits::default()).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::Limits);
        // Exponential, nested inside a mapping inside a list.
        let mut t = String::from("x:\n  - k: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
        for i in 1..12 {
            t += &format!(
                "  - k{i}: &l{i} [{}]\n",
                vec![format!("*l{}", i - 1); 10].join(", ")
            );
        }
        let e = yaml::parse(&t, 0, YamlLimits::default()).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::Limits);
        // Just under the budget is fine.
        let t = format!(
            "a: &a [{}]\nb: [{}]\n",
            vec!["x"; 90].join(", "),
            vec!["*a"; 90].join(", ")
        );
        assert!(yaml::parse(&t, 0, YamlLimits::default()).is_ok());
    });
}

#[test]
fn ten_thousand_deep_nesting_is_a_limit_not_a_crash() {
    on_parse_stack(|| {
        for t in [
            format!(
                "---\ndescription: x\nx-a: {}{}\n---\nB\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
            format!(
                "---\ndescription: x\nx-a: {}{}\n---\nB\n",
                "{a: ".repeat(10_000),
                "}".repeat(10_000)
            ),
            format!(
                "---\ndescription: x\nx-a:\n  {}x\n---\nB\n",
                "- ".repeat(10_000)
            ),
        ] {
            let d = analyze(&t);
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].0, "yaml-limits");
        }
    });
}

#[test]
fn too_many_nodes_is_a_limit() {
    let keys: String = (0..20_000).map(|i| format!("x-k{i}: {i}\n")).collect();
    let t = format!("---\ndescription: x\n{keys}---\nB\n");
    let d = on_parse_stack(move || analyze(&t));
    assert_eq!(
        d.iter().map(|x| x.0).collect::<Vec<_>>(),
        vec!["yaml-limits"]
    );
}

#[test]
fn a_100_mb_file_is_refused_without_being_read() {
    let p = TempProject::new();
    let path = p.root().join(".agents/huge.md");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap(); // sparse: nothing is written
    let l = p.load();
    assert_eq!(l.codes(), vec!["file-too-large"]);
    let (id, file) = l.sources.iter().find(|(_, f)| f.path == path).unwrap();
    assert!(file.text.is_empty(), "the file was read");
    assert_eq!(l.findings()[0].2, 1);
    let _ = id;
}

#[test]
fn a_line_of_one_megabyte() {
    let p = TempProject::new();
    p.write(".agents/agentc.toml", "[limits]\nmax_file_size = 4000000\n");
    let long = "y".repeat(1024 * 1024);
    p.write(
        ".agents/value.md",
        &format!("---\ndescription: {long}\nmodel: inherit\n---\nBody.\n"),
    );
    p.write(
        ".agents/body.md",
        &format!("---\ndescription: x\nmodel: inherit\n---\n{long}\n"),
    );
    p.write(".agents/open.md", &format!("---\n{long}"));
    let l = p.load();
    assert_eq!(
        l.findings(),
        vec![(
            "unterminated-frontmatter".to_string(),
            ".agents/open.md".to_string(),
            1,
            1
        )]
    );
    assert_eq!(l.plan().agents.len(), 2);
}

#[test]
fn nul_bytes() {
    let d = analyze("---\ndescription: a\0b\nmodel: inherit\n---\nB\n");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, "yaml-syntax");
    assert!(analyze("---\ndescription: x\nmodel: inherit\n---\nbody \0 with a NUL\n").is_empty());
    let d = analyze("\0---\n");
    assert_eq!(d, vec![("missing-frontmatter", 0)]);
}

#[test]
fn invalid_utf8_at_every_position_class() {
    let good = b"---\ndescription: ok\nmodel: inherit\n---\nBody.\n".to_vec();
    let cases: Vec<(&str, Vec<u8>, usize, usize)> = vec![
        ("first byte", [&[0xff][..], &good].concat(), 1, 1),
        (
            "inside the fence",
            [&b"--"[..], &[0xfe], &good[2..]].concat(),
            1,
            3,
        ),
        (
            "in a key",
            [
                &b"---\ndesc"[..],
                &[0xc0, 0x80],
                &b"ription: ok\n---\nB\n"[..],
            ]
            .concat(),
            2,
            5,
        ),
        (
            "in a value",
            [&b"---\ndescription: caf"[..], &[0xe9], &b" x\n---\nB\n"[..]].concat(),
            2,
            17,
        ),
        (
            "a surrogate",
            [
                &b"---\ndescription: "[..],
                &[0xed, 0xa0, 0x80],
                &b"\n---\nB\n"[..],
            ]
            .concat(),
            2,
            14,
        ),
        ("in the body", [&good[..], &[0x80]].concat(), 6, 1),
        (
            "a truncated character at the end",
            [&good[..], &[0xe2, 0x82]].concat(),
            6,
            1,
        ),
    ];
    for (what, bytes, line, column) in cases {
        let p = TempProject::new();
        let path = p.root().join(".agents/a.md");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let f = p.load().findings();
        assert_eq!(
            f,
            vec![(
                "invalid-encoding".to_string(),
                ".agents/a.md".to_string(),
                line,
                column
            )],
            "{what}"
        );
    }
}

#[test]
fn unusual_line_separators() {
    // U+2028 is not a line break in YAML 1.2: part of the value.
    let d = analyze("---\ndescription: a\u{2028}b\nmodel: inherit\n---\nB\n");
    assert!(d.is_empty(), "{d:?}");
    // A file with lone CR line endings: one clear finding with help.
    let a = agentc::agent::analyze(
        FileId(0),
        "---\rdescription: x\r---\rB\r",
        Dialect::Agentc,
        "a",
        YamlLimits::default(),
    );
    assert_eq!(a.diagnostics.len(), 1);
    assert_eq!(a.diagnostics[0].rule.code(), "missing-frontmatter");
    assert!(
        a.diagnostics[0]
            .help
            .as_deref()
            .unwrap()
            .contains("carriage return")
    );
    // Mixed LF and CRLF keep exact spans.
    let t = "---\r\ndescription: x\nprovider: lm-studoi\r\nmodel: m\n---\r\nB\n";
    let a = agentc::agent::analyze(FileId(0), t, Dialect::Agentc, "a", YamlLimits::default());
    assert!(a.diagnostics.is_empty());
    let def = a.def.unwrap();
    let p = def.provider.unwrap();
    assert_eq!(&t[p.span.start..p.span.end], "lm-studoi");
}

#[test]
fn symlink_loops_end() {
    let p = TempProject::with(&[(
        ".agents/a.md",
        "---\ndescription: x\nmodel: inherit\n---\nB\n",
    )]);
    let agents = p.root().join(".agents");
    std::os::unix::fs::symlink(".", agents.join("self")).unwrap();
    std::os::unix::fs::symlink("..", agents.join("up")).unwrap();
    std::fs::create_dir_all(agents.join("deep/er")).unwrap();
    std::os::unix::fs::symlink("../..", agents.join("deep/er/back")).unwrap();
    let l = p.load();
    assert_eq!(l.project.files, 1, "the same file read through a loop");
    assert!(l.findings().is_empty(), "{:?}", l.findings());
}

#[test]
fn a_hundred_thousand_empty_files() {
    let p = TempProject::new();
    let dir = p.root().join(".agents");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..100_000 {
        std::fs::File::create(dir.join(format!("a{i:06}.md"))).unwrap();
    }
    let l = p.load();
    assert_eq!(l.project.files, 100_000);
    assert_eq!(l.diagnostics.len(), 100_000);
    assert!(
        l.diagnostics
            .iter()
            .all(|d| d.rule.code() == "missing-frontmatter")
    );
    // Every file is read once and holds nothing.
    assert!(l.sources.iter().all(|(_, f)| f.text.is_empty()));
}

#[test]
fn files_that_cannot_be_read() {
    let p = TempProject::with(&[(
        ".agents/ok.md",
        "---\ndescription: x\nmodel: inherit\n---\nB\n",
    )]);
    let locked = p.root().join(".agents/locked.md");
    std::fs::write(&locked, "---\ndescription: x\nmodel: inherit\n---\nB\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_err() {
        let l = p.load();
        assert_eq!(l.codes(), vec!["unreadable-file"]);
        assert!(l.diagnostics[0].message.contains("permission denied"));
    } else {
        eprintln!("running as a user who reads anything: permission case skipped");
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();

    // A FIFO named like an agent file is never opened (it would block): it
    // is reported as skipped, not passed over in silence.
    let fifo = p.root().join(".agents/pipe.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let l = p.load();
        assert_eq!(l.codes(), vec!["skipped-path"]);
        let (_, problem) = agentc::source::read_limited(&fifo, 1000);
        assert!(matches!(problem, Some(agentc::source::ReadProblem::Io(_))));
    }
}

#[test]
fn a_file_deleted_between_discovery_and_reading() {
    let p = TempProject::with(&[
        (
            ".agents/ok.md",
            "---\ndescription: x\nmodel: inherit\n---\nB\n",
        ),
        (
            ".agents/gone.md",
            "---\ndescription: x\nmodel: inherit\n---\nB\n",
        ),
    ]);
    let files = agentc::discover::discover_project(&p.root());
    assert_eq!(files.agents.len(), 2);
    std::fs::remove_file(p.root().join(".agents/gone.md")).unwrap();
    let req = agentc::project::LoadRequest {
        project: files,
        user: None,
        parent: None,
        keep: agentc::project::Keep::Whole,
    };
    let mut sources = agentc::source::SourceMap::default();
    let (project, diagnostics) = agentc::project::load(req, &p.env(), &mut sources);
    let found: Vec<(&str, String, String)> = diagnostics
        .iter()
        .map(|d| {
            let file = sources.get(d.span.unwrap().file);
            (d.rule.code(), file.display.clone(), d.message.clone())
        })
        .collect();
    assert_eq!(
        found,
        vec![(
            "unreadable-file",
            ".agents/gone.md".to_string(),
            "the file cannot be read: it was removed while agentc was reading".to_string()
        )]
    );
    // The other agent is planned; the vanished one is not.
    let names: Vec<&str> = project.planned().map(|a| a.def.name.as_str()).collect();
    assert_eq!(names, vec!["ok"]);
}

#[test]
fn hostile_configs() {
    for config in [
        format!("x = {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
        format!("x = {}{}\n", "{a = ".repeat(10_000), "}".repeat(10_000)),
        format!("[{}]\n", vec!["a"; 10_000].join(".")),
        "\0\0\0".to_string(),
        "[providers.x]\nbase_url = \"http://[::1\"\n".to_string(),
    ] {
        let p = TempProject::with(&[
            (".agents/agentc.toml", &config),
            (
                ".agents/a.md",
                "---\ndescription: x\nmodel: inherit\n---\nB\n",
            ),
        ]);
        let codes = on_parse_stack(move || p.load().codes());
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c.starts_with("config-")),
            "{codes:?}"
        );
    }
}
