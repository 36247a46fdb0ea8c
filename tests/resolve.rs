//! Route resolution, layer by layer (DESIGN §4): which layer wins, and the
//! provenance (layer, file, line) of provider and model separately; plus
//! properties: resolution never panics, provenance always names a layer
//! that set the field, and the plan-based `Router` answers as `route` does.

#![allow(clippy::unwrap_used)]

mod support;

use agentc::cli::route::{Overrides, resolve_agent};
use agentc::plan::{PlanSource, plan_route};
use agentc::router::{Override, Request, Router};
use proptest::prelude::*;
use support::TempProject;

const PROJECT_TOML: &str = r#"[providers.deepseek]
models = ["deepseek-v4-flash", "deepseek-reasoner"]
default_model = "deepseek-v4-flash"

[models]
fast = "lm-studio/qwen-2.5-7b"
smart = "deepseek/deepseek-reasoner"
chain = "fast"
"#;

type Src = Option<(&'static str, Option<&'static str>, Option<usize>)>;
type Opt = Option<&'static str>;
/// `--parent`, `--call-provider`, `--call-model`, `--task-provider`, `--task-model`.
type Runtime = (Opt, Opt, Opt, Opt, Opt);

struct Case {
    name: &'static str,
    project: &'static str,
    user: &'static str,
    agent: &'static str,
    o: Runtime,
    provider: Option<&'static str>,
    model: Option<&'static str>,
    inherit: bool,
    provider_source: Src,
    model_source: Src,
}

const P: &str = ".agents/agentc.toml";
const U: &str = "$AGENTC_USER_DIR/agentc.toml";
const A: &str = ".agents/a.md";
const NONE: Runtime = (None, None, None, None, None);

const CASES: &[Case] = &[
    Case {
        name: "nothing set: inherit, said out loud",
        project: "",
        user: "",
        agent: "",
        o: NONE,
        provider: None,
        model: None,
        inherit: true,
        provider_source: None,
        model_source: None,
    },
    Case {
        name: "nothing set, parent given",
        project: "",
        user: "",
        agent: "",
        o: (Some("ollama/llama3.1:8b"), None, None, None, None),
        provider: Some("ollama"),
        model: Some("llama3.1:8b"),
        inherit: true,
        provider_source: Some(("parent", None, None)),
        model_source: Some(("parent", None, None)),
    },
    Case {
        name: "project default",
        project: "[defaults]\nmodel = \"fast\"\n",
        user: "",
        agent: "",
        o: NONE,
        provider: Some("lm-studio"),
        model: Some("qwen-2.5-7b"),
        inherit: false,
        provider_source: Some(("project-default", Some(P), Some(10))),
        model_source: Some(("project-default", Some(P), Some(10))),
    },
    Case {
        name: "user default beats project default",
        project: "[defaults]\nmodel = \"fast\"\n",
        user: "[defaults]\nmodel = \"ollama/llama3.1:8b\"\n",
        agent: "",
        o: NONE,
        provider: Some("ollama"),
        model: Some("llama3.1:8b"),
        inherit: false,
        provider_source: Some(("user-default", Some(U), Some(2))),
        model_source: Some(("user-default", Some(U), Some(2))),
    },
    Case {
        name: "project role beats user default",
        project: "[roles.explorer]\nmodel = \"smart\"\n",
        user: "[defaults]\nmodel = \"ollama/llama3.1:8b\"\n",
        agent: "role: explorer\n",
        o: NONE,
        provider: Some("deepseek"),
        model: Some("deepseek-reasoner"),
        inherit: false,
        provider_source: Some(("project-role", Some(P), Some(10))),
        model_source: Some(("project-role", Some(P), Some(10))),
    },
    Case {
        name: "user role beats project role",
        project: "[roles.explorer]\nmodel = \"smart\"\n",
        user: "[roles.explorer]\nprovider = \"ollama\"\nmodel = \"qwen2.5-coder:7b\"\n",
        agent: "role: explorer\n",
        o: NONE,
        provider: Some("ollama"),
        model: Some("qwen2.5-coder:7b"),
        inherit: false,
        provider_source: Some(("user-role", Some(U), Some(2))),
        model_source: Some(("user-role", Some(U), Some(3))),
    },
    Case {
        name: "agent beats roles and defaults",
        project: "[roles.explorer]\nmodel = \"smart\"\n[defaults]\nmodel = \"fast\"\n",
        user: "",
        agent: "role: explorer\nprovider: ollama\nmodel: llama3.1:8b\n",
        o: NONE,
        provider: Some("ollama"),
        model: Some("llama3.1:8b"),
        inherit: false,
        provider_source: Some(("agent", Some(A), Some(4))),
        model_source: Some(("agent", Some(A), Some(5))),
    },
    Case {
        name: "user override beats the agent",
        project: "",
        user: "[agents.a]\nmodel = \"fast\"\n",
        agent: "provider: ollama\nmodel: llama3.1:8b\n",
        o: NONE,
        provider: Some("lm-studio"),
        model: Some("qwen-2.5-7b"),
        inherit: false,
        provider_source: Some(("user-override", Some(U), Some(2))),
        model_source: Some(("user-override", Some(U), Some(2))),
    },
    Case {
        name: "call beats the user override",
        project: "",
        user: "[agents.a]\nmodel = \"fast\"\n",
        agent: "",
        o: (None, None, Some("smart"), None, None),
        provider: Some("deepseek"),
        model: Some("deepseek-reasoner"),
        inherit: false,
        provider_source: Some(("call", None, None)),
        model_source: Some(("call", None, None)),
    },
    Case {
        name: "task beats call",
        project: "",
        user: "",
        agent: "model: fast\n",
        o: (
            None,
            Some("ollama"),
            Some("llama3.1:8b"),
            None,
            Some("smart"),
        ),
        provider: Some("deepseek"),
        model: Some("deepseek-reasoner"),
        inherit: false,
        provider_source: Some(("task", None, None)),
        model_source: Some(("task", None, None)),
    },
    Case {
        name: "bare agent model takes the project default's provider",
        project: "[defaults]\nprovider = \"ollama\"\nmodel = \"llama3.1:8b\"\n",
        user: "",
        agent: "model: qwen2.5-coder:7b\n",
        o: NONE,
        provider: Some("ollama"),
        model: Some("qwen2.5-coder:7b"),
        inherit: false,
        provider_source: Some(("project-default", Some(P), Some(10))),
        model_source: Some(("agent", Some(A), Some(3))),
    },
    Case {
        name: "bare agent model takes the provider of a lower alias",
        project: "[roles.explorer]\nmodel = \"smart\"\n",
        user: "",
        agent: "role: explorer\nmodel: deepseek-v4-flash\n",
        o: NONE,
        provider: Some("deepseek"),
        model: Some("deepseek-v4-flash"),
        inherit: false,
        provider_source: Some(("project-role", Some(P), Some(10))),
        model_source: Some(("agent", Some(A), Some(4))),
    },
    Case {
        name: "provider alone takes its default_model",
        project: "",
        user: "",
        agent: "provider: deepseek\n",
        o: NONE,
        provider: Some("deepseek"),
        model: Some("deepseek-v4-flash"),
        inherit: false,
        provider_source: Some(("agent", Some(A), Some(3))),
        model_source: Some(("provider-default", Some(P), Some(3))),
    },
    Case {
        name: "alias chain",
        project: "",
        user: "",
        agent: "model: chain\n",
        o: NONE,
        provider: Some("lm-studio"),
        model: Some("qwen-2.5-7b"),
        inherit: false,
        provider_source: Some(("agent", Some(A), Some(3))),
        model_source: Some(("agent", Some(A), Some(3))),
    },
    Case {
        name: "with provider set, a model with a slash is taken verbatim",
        project: "",
        user: "",
        agent: "provider: lm-studio\nmodel: qwen/qwen3-8b\n",
        o: NONE,
        provider: Some("lm-studio"),
        model: Some("qwen/qwen3-8b"),
        inherit: false,
        provider_source: Some(("agent", Some(A), Some(3))),
        model_source: Some(("agent", Some(A), Some(4))),
    },
    Case {
        name: "model ids may contain slashes after the provider",
        project: "",
        user: "",
        agent: "model: openrouter/anthropic/claude-opus-4\n",
        o: NONE,
        provider: Some("openrouter"),
        model: Some("anthropic/claude-opus-4"),
        inherit: false,
        provider_source: Some(("agent", Some(A), Some(3))),
        model_source: Some(("agent", Some(A), Some(3))),
    },
    Case {
        name: "explicit inherit beats the defaults",
        project: "[defaults]\nmodel = \"fast\"\n",
        user: "",
        agent: "model: inherit\n",
        o: (Some("deepseek/deepseek-reasoner"), None, None, None, None),
        provider: Some("deepseek"),
        model: Some("deepseek-reasoner"),
        inherit: true,
        provider_source: Some(("parent", None, None)),
        model_source: Some(("parent", None, None)),
    },
    Case {
        name: "task model, call provider",
        project: "",
        user: "",
        agent: "model: fast\n",
        o: (
            None,
            Some("deepseek"),
            None,
            None,
            Some("deepseek-reasoner"),
        ),
        provider: Some("deepseek"),
        model: Some("deepseek-reasoner"),
        inherit: false,
        provider_source: Some(("call", None, None)),
        model_source: Some(("task", None, None)),
    },
    Case {
        name: "call provider alone takes its default model",
        project: "",
        user: "",
        agent: "model: fast\n",
        o: (None, Some("deepseek"), None, None, None),
        provider: Some("deepseek"),
        model: Some("deepseek-v4-flash"),
        inherit: false,
        provider_source: Some(("call", None, None)),
        model_source: Some(("provider-default", Some(P), Some(3))),
    },
    Case {
        name: "a bare call model keeps the agent's provider",
        project: "",
        user: "",
        agent: "provider: ollama\nmodel: llama3.1:8b\n",
        o: (None, None, Some("qwen2.5-coder:7b"), None, None),
        provider: Some("ollama"),
        model: Some("qwen2.5-coder:7b"),
        inherit: false,
        provider_source: Some(("agent", Some(A), Some(3))),
        model_source: Some(("call", None, None)),
    },
];

fn setup(case: &Case) -> TempProject {
    let p = TempProject::new();
    p.write(
        ".agents/agentc.toml",
        &format!("{PROJECT_TOML}{}", case.project),
    );
    if !case.user.is_empty() {
        p.write("user/agentc.toml", case.user);
    }
    p.write(
        ".agents/a.md",
        &format!("---\ndescription: An agent.\n{}---\nBody.\n", case.agent),
    );
    p
}

fn src(s: &Option<PlanSource>) -> Option<(String, Option<String>, Option<usize>)> {
    s.as_ref()
        .map(|s| (s.layer.clone(), s.path.clone(), s.line))
}

fn want(s: Src) -> Option<(String, Option<String>, Option<usize>)> {
    s.map(|(l, p, n)| (l.to_string(), p.map(str::to_string), n))
}

#[test]
fn each_layer_and_combination() {
    let mut failures = Vec::new();
    for case in CASES {
        let p = setup(case);
        let l = p.load();
        let errors: Vec<_> = l
            .diagnostics
            .iter()
            .filter(|d| d.severity == agentc::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", case.name);
        let (parent, cp, cm, tp, tm) = case.o;
        let o = Overrides {
            parent: parent.map(str::to_string),
            call_provider: cp.map(str::to_string),
            call_model: cm.map(str::to_string),
            task_provider: tp.map(str::to_string),
            task_model: tm.map(str::to_string),
        };
        let (res, _) = resolve_agent(&l.project, &l.diagnostics, "a", &o)
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
        let r = plan_route(&res.route, &l.project.config, &l.sources);
        let got = (
            r.provider.as_deref(),
            r.model.as_deref(),
            r.inherit,
            src(&r.provider_source),
            src(&r.model_source),
        );
        let expected = (
            case.provider,
            case.model,
            case.inherit,
            want(case.provider_source),
            want(case.model_source),
        );
        if got != expected {
            failures.push(format!(
                "{}:\n  want {expected:?}\n  got  {got:?}",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fallbacks_come_from_the_highest_layer_that_sets_them() {
    let p = TempProject::with(&[
        (
            ".agents/agentc.toml",
            &format!(
                "{PROJECT_TOML}[defaults]\nfallback = [\"smart\"]\n[roles.r]\nfallback = \"fast\"\n"
            ),
        ),
        (
            ".agents/a.md",
            "---\ndescription: x\nmodel: ollama/l\n---\nB\n",
        ),
        (
            ".agents/b.md",
            "---\ndescription: x\nrole: r\nmodel: ollama/l\n---\nB\n",
        ),
        (
            ".agents/c.md",
            "---\ndescription: x\nrole: r\nmodel: ollama/l\nfallback: [deepseek/deepseek-v4-flash]\n---\nB\n",
        ),
    ]);
    let plan = p.load().plan();
    let fb = |n: &str| -> Vec<String> {
        plan.agent(n)
            .unwrap()
            .fallbacks
            .iter()
            .map(|f| format!("{}/{}", f.provider.as_deref().unwrap_or("?"), f.model))
            .collect()
    };
    assert_eq!(fb("a"), vec!["deepseek/deepseek-reasoner"]);
    assert_eq!(fb("b"), vec!["lm-studio/qwen-2.5-7b"]);
    assert_eq!(fb("c"), vec!["deepseek/deepseek-v4-flash"]);
}

#[test]
fn run_time_errors_are_findings_naming_what_is_known() {
    let p = TempProject::with(&[
        (".agents/agentc.toml", PROJECT_TOML),
        (".agents/a.md", "---\ndescription: x\nmodel: fast\n---\nB\n"),
    ]);
    let l = p.load();
    let err = |o: Overrides| resolve_agent(&l.project, &l.diagnostics, "a", &o).unwrap_err();
    let e = err(Overrides {
        call_provider: Some("lmstudio".into()),
        ..Default::default()
    });
    assert_eq!(e[0].rule.code(), "unknown-provider");
    assert_eq!(e[0].help.as_deref(), Some("did you mean `lm-studio`?"));
    let e = err(Overrides {
        task_model: Some("deepseek/deepseek-reasonr".into()),
        ..Default::default()
    });
    assert_eq!(e[0].rule.code(), "unknown-model");
    assert_eq!(
        e[0].help.as_deref(),
        Some("did you mean `deepseek-reasoner`?")
    );
    let e = err(Overrides {
        call_provider: Some("ollama".into()),
        ..Default::default()
    });
    assert_eq!(e[0].rule.code(), "missing-model");
    let e = resolve_agent(&l.project, &l.diagnostics, "b", &Overrides::default()).unwrap_err();
    assert_eq!(e[0].rule.code(), "unknown-agent");
}

// --- properties -------------------------------------------------------------

fn value() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(vec![
        "fast",
        "smart",
        "chain",
        "inherit",
        "lm-studio/qwen-2.5-7b",
        "deepseek/deepseek-reasoner",
        "deepseek/unknown",
        "qwen2.5-coder:7b",
        "openrouter/openai/gpt-5-mini",
        "nope/x",
        "lm-studoi/x",
    ]))
}

fn provider() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(vec![
        "lm-studio",
        "ollama",
        "deepseek",
        "inherit",
        "nope",
    ]))
}

fn table(section: &str, p: Option<&str>, m: Option<&str>) -> String {
    if p.is_none() && m.is_none() {
        return String::new();
    }
    let mut s = format!("[{section}]\n");
    if let Some(p) = p {
        s += &format!("provider = \"{p}\"\n");
    }
    if let Some(m) = m {
        s += &format!("model = \"{m}\"\n");
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the layers say, resolution does not panic, and each value's
    /// provenance names a layer that set it (or the parent / provider default).
    #[test]
    fn provenance_names_a_layer_that_set_the_field(
        dp in provider(), dm in value(),
        rp in provider(), rm in value(),
        ap in provider(), am in value(),
        up in provider(), um in value(),
        cp in provider(), cm in value(),
        tp in provider(), tm in value(),
        parent in value(),
    ) {
        let p = TempProject::new();
        p.write(".agents/agentc.toml", &format!("{PROJECT_TOML}{}{}", table("defaults", dp, dm), table("roles.r", rp, rm)));
        p.write("user/agentc.toml", &table("agents.a", up, um));
        let mut front = String::from("description: x\nrole: r\n");
        if let Some(v) = ap { front += &format!("provider: {v}\n"); }
        if let Some(v) = am { front += &format!("model: {v}\n"); }
        p.write(".agents/a.md", &format!("---\n{front}---\nB\n"));
        let l = p.load();
        let o = Overrides {
            parent: parent.map(str::to_string),
            call_provider: cp.map(str::to_string),
            call_model: cm.map(str::to_string),
            task_provider: tp.map(str::to_string),
            task_model: tm.map(str::to_string),
        };
        if let Ok((res, _)) = resolve_agent(&l.project, &l.diagnostics, "a", &o) {
            let names = |l: &agentc::resolve::LayerInput, model: bool| -> bool {
                if model { l.model.is_some() } else { l.provider.is_some() || l.model.is_some() }
            };
            for (src, model) in [(&res.route.provider_source, false), (&res.route.model_source, true)] {
                if let Some(s) = src {
                    let layer = s.layer;
                    let ok = matches!(layer, agentc::resolve::Layer::Parent | agentc::resolve::Layer::ProviderDefault)
                        || res.layers.iter().any(|l| l.layer == layer && names(l, model));
                    prop_assert!(ok, "{layer} did not set the {} of {:?}", if model { "model" } else { "provider" }, res.route);
                }
            }
            if res.route.inherit {
                prop_assert!(res.route.provider_source.is_none_or(|s| s.layer == agentc::resolve::Layer::Parent));
            }
        }
    }

    /// The plan-based router and `agentc route` agree on every request.
    #[test]
    fn router_answers_as_route_does(
        agent in prop::sample::select(vec!["a", "b", "c", "d"]),
        cp in provider(), cm in value(),
        tp in provider(), tm in value(),
        parent in value(),
    ) {
        let p = fixture();
        let l = p.load();
        let plan = l.plan();
        let router = Router::new(plan);
        let o = Overrides {
            parent: parent.map(str::to_string),
            call_provider: cp.map(str::to_string),
            call_model: cm.map(str::to_string),
            task_provider: tp.map(str::to_string),
            task_model: tm.map(str::to_string),
        };
        let by_route = resolve_agent(&l.project, &l.diagnostics, agent, &o);
        let req = Request { agent, parent, call: Override { provider: cp, model: cm }, task: Override { provider: tp, model: tm } };
        let by_router = router.resolve(&req);
        match (by_route, by_router) {
            (Ok((res, _)), Ok(r)) => {
                let a = plan_route(&res.route, &l.project.config, &l.sources);
                let b = r.to_plan_route();
                prop_assert_eq!((&a.provider, &a.model, a.inherit), (&b.provider, &b.model, b.inherit));
                prop_assert_eq!(src(&a.provider_source), src(&b.provider_source));
                prop_assert_eq!(src(&a.model_source), src(&b.model_source));
                prop_assert_eq!(a.trusted, b.trusted);
            }
            (Err(a), Err(b)) => {
                let codes = |d: &[agentc::Diagnostic]| { let mut c: Vec<_> = d.iter().map(|d| d.rule.code()).collect(); c.sort(); c };
                prop_assert_eq!(codes(&a), codes(&b));
            }
            (a, b) => prop_assert!(false, "route: {:?}\nrouter: {:?}", a.map(|r| r.0.route), b.map(|r| r.to_plan_route())),
        }
    }
}

fn fixture() -> TempProject {
    TempProject::with(&[
        (
            ".agents/agentc.toml",
            &format!(
                "{PROJECT_TOML}[defaults]\nprovider = \"ollama\"\nmodel = \"llama3.1:8b\"\n[policy]\nallowed_models = [\"fast\", \"smart\", \"lm-studio/*\", \"ollama/*\", \"deepseek/deepseek-v4-flash\"]\n"
            ),
        ),
        (".agents/a.md", "---\ndescription: x\nmodel: fast\n---\nB\n"),
        (
            ".agents/b.md",
            "---\ndescription: x\nmodel: qwen2.5-coder:7b\n---\nB\n",
        ),
        (
            ".agents/c.md",
            "---\ndescription: x\nmodel: inherit\n---\nB\n",
        ),
        (
            ".agents/d.md",
            "---\ndescription: x\nprovider: deepseek\n---\nB\n",
        ),
    ])
}

#[test]
fn plan_json_has_sorted_keys_without_a_detour() {
    let p = TempProject::with(&[
        (
            ".agents/agentc.toml",
            &format!("{PROJECT_TOML}[policy]\nallowed_models = [\"fast\"]\n"),
        ),
        (
            ".agents/a.md",
            "---\ndescription: x\nrole: r\nmodel: smart\nfallback: [fast]\ntools: [read]\nrequires: [tools]\ntemperature: 0.2\ntop_p: 0.9\nmax_tokens: 9\nreasoning_effort: low\ntimeout: 5s\nx-z: {b: 1, a: [2, {d: 3, c: 4}]}\n---\nB\n",
        ),
        (
            "user/agents/a.md",
            "---\ndescription: x\nmodel: inherit\n---\nB\n",
        ),
    ]);
    let plan = p.load().plan();
    assert_eq!(plan.to_json(), agentc::plan::to_sorted_json(&plan));
}
