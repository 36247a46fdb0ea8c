//! The packages that carry the binary (npm, the GitHub Action, the
//! pre-commit hooks that install the wheel) name the crate's version, so a
//! release bump cannot leave one of them installing the previous agentc.

use std::path::Path;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

#[test]
fn npm_launcher_names_this_version_and_its_platform_packages() {
    let package: serde_json::Value =
        serde_json::from_str(&read("npm/agentc/package.json")).expect("package.json is JSON");
    assert_eq!(package["version"], VERSION);
    assert_eq!(package["bin"]["agentc"], "bin/agentc.js");
    let platforms = package["optionalDependencies"]
        .as_object()
        .expect("optionalDependencies");
    assert!(platforms.contains_key("@agentc/linux-x64"));
    for (name, version) in platforms {
        assert!(name.starts_with("@agentc/"), "{name}");
        assert_eq!(version, VERSION, "{name}");
    }
}

#[test]
fn action_installs_this_version_by_default() {
    let action = read("action.yml");
    let version = action
        .split("\n  version:\n")
        .nth(1)
        .and_then(|input| {
            input
                .lines()
                .find(|l| l.trim_start().starts_with("default:"))
        })
        .expect("action.yml: inputs.version.default");
    assert_eq!(version.trim(), format!("default: \"{VERSION}\""));
}

#[test]
fn wheel_hooks_pin_this_version_and_rust_hooks_stay() {
    let hooks = read(".pre-commit-hooks.yaml");
    let ids: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.strip_prefix("- id: "))
        .collect();
    assert_eq!(
        ids,
        [
            "agentc-check",
            "agentc-fix",
            "agentc-plan-lock",
            "agentc-check-wheel",
            "agentc-fix-wheel",
            "agentc-plan-lock-wheel"
        ]
    );
    let pins: Vec<&str> = hooks
        .lines()
        .filter(|l| l.starts_with("  additional_dependencies:"))
        .collect();
    assert_eq!(pins.len(), 3);
    for pin in pins {
        assert_eq!(
            pin.trim(),
            format!("additional_dependencies: [agentc=={VERSION}]")
        );
    }
    assert_eq!(hooks.matches("\n  language: rust\n").count(), 3);
    assert_eq!(hooks.matches("\n  language: python\n").count(), 3);
}

#[test]
fn wheel_carries_the_binary_and_runs_as_a_module() {
    let pyproject = read("pyproject.toml");
    for line in [
        "bindings = \"bin\"",
        "python-source = \"python\"",
        "module-name = \"agentc\"",
    ] {
        assert!(pyproject.contains(line), "pyproject.toml lacks {line}");
    }
    assert!(read("python/agentc/__main__.py").contains("os.execv"));
}
