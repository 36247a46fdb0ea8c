//! Resolving one agent's route with call and task overrides among 1,000
//! loaded agents, as an executor does on every spawn. `cargo bench`.

#![allow(clippy::unwrap_used)]

use agentc::router::{Override, Request, Router};
use std::hint::black_box;
use std::sync::LazyLock;

const AGENTS: usize = 1000;

static ROUTER: LazyLock<Router> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let agents = dir.path().join(".agents");
    std::fs::create_dir_all(&agents).unwrap();
    std::fs::write(
        agents.join("agentc.toml"),
        "[providers.deepseek]\nmodels = [\"deepseek-v4-flash\", \"deepseek-reasoner\"]\ndefault_model = \"deepseek-v4-flash\"\n\
         [models]\nfast = \"lm-studio/qwen-2.5-7b\"\nsmart = \"deepseek/deepseek-reasoner\"\n\
         [roles.explorer]\nmodel = \"fast\"\n[defaults]\nprovider = \"ollama\"\nmodel = \"llama3.1:8b\"\n\
         [policy]\nallowed_models = [\"fast\", \"smart\", \"ollama/*\", \"lm-studio/*\"]\n",
    )
    .unwrap();
    for i in 0..AGENTS {
        let route = match i % 4 {
            0 => "role: explorer\n",
            1 => "model: smart\nfallback: [fast]\n",
            2 => "provider: lm-studio\nmodel: phi-4-mini\n",
            _ => "model: qwen2.5-coder:7b\n",
        };
        std::fs::write(
            agents.join(format!("agent-{i:04}.md")),
            format!("---\ndescription: Agent {i}.\n{route}tools: [read, grep]\n---\nYou are agent {i}.\n"),
        )
        .unwrap();
    }
    let (router, findings) = Router::from_project(dir.path(), None).unwrap();
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(router.plan().agents.len(), AGENTS);
    router
});

fn main() {
    LazyLock::force(&ROUTER);
    divan::main();
}

#[divan::bench]
fn planned_route() {
    let r = ROUTER
        .resolve(black_box(&Request::agent("agent-0501")))
        .unwrap();
    black_box(r.model);
}

#[divan::bench]
fn call_and_task_overrides() {
    let req = Request {
        agent: "agent-0500",
        parent: Some("deepseek/deepseek-v4-flash"),
        call: Override {
            provider: None,
            model: Some("smart"),
        },
        task: Override {
            provider: Some("ollama"),
            model: Some("qwen2.5-coder:7b"),
        },
    };
    let r = ROUTER.resolve(black_box(&req)).unwrap();
    black_box(r.model);
}

#[divan::bench]
fn bare_task_model_takes_the_call_provider() {
    let req = Request {
        agent: "agent-0503",
        parent: None,
        call: Override {
            provider: Some("lm-studio"),
            model: None,
        },
        task: Override {
            provider: None,
            model: Some("phi-4-mini"),
        },
    };
    let r = ROUTER.resolve(black_box(&req)).unwrap();
    black_box(r.provider);
}

#[divan::bench]
fn rejected_override() {
    let req = Request {
        agent: "agent-0502",
        parent: None,
        call: Override::default(),
        task: Override {
            provider: None,
            model: Some("deepseek/deepseek-v4-flash"),
        },
    };
    black_box(ROUTER.resolve(black_box(&req)).unwrap_err());
}
