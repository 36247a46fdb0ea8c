#!/usr/bin/env python3
"""Builds agentc's packages from this checkout and proves each installs and
runs on this machine. Run by .ci/run, one subcommand per step, in order:

  wheel       maturin builds the wheel from the release build; pip installs it
              into a new venv; `agentc` and `python -m agentc` give the
              binary's --version and JSON
  npm         npm/pack.sh packs the launcher and the platform package; npm
              installs the tarballs offline into a new global prefix and a new
              project; `agentc` and `npx agentc` give the binary's JSON
  pre-commit  the real `pre-commit try-repo` on this checkout with the
              -wheel hooks, pip pointed at the built wheel: fails with the
              finding on a broken agent, passes once it is fixed
  action      .ci/action.py runs action.yml's steps with the built wheel;
              the annotations and the SARIF file are the binary's
  crate       `cargo package --locked`, then `cargo install --offline` from a
              `cargo vendor` copy of the dependencies

Every step prints how long it took. Needs the clients venv (maturin,
pre-commit, PyYAML) on PATH, node and npm, and target/release/agentc.
"""

import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "agentc")
OUT = os.path.join(ROOT, "target", "packages")
WHEELS = os.path.join(OUT, "wheels")
NPM = os.path.join(OUT, "npm")
SHARED_CORPUS = os.path.join(ROOT, "..", "shared", "corpus", "vijaythecoder__awesome-claude-agents")


def run(cmd, **kw):
    kw.setdefault("check", True)
    return subprocess.run(cmd, **kw)


def output(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


class Timer:
    def __init__(self, what):
        self.what = what

    def __enter__(self):
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc):
        print(f"  [{time.monotonic() - self.start:6.1f} s] {self.what}", flush=True)


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def same(what, got, want):
    if got != want:
        diff = "".join(
            list(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "binary", what))[:40]
        )
        fail(f"{what} differs from target/release/agentc:\n{diff}")


def corpus():
    """A folder of real agent files with findings, and the arguments that check it."""
    if os.path.isdir(SHARED_CORPUS):
        return os.path.dirname(SHARED_CORPUS), os.path.basename(SHARED_CORPUS)
    return os.path.join(ROOT, "tests", "fixtures"), "fix"


def check_json(agentc):
    """`agentc check --format json` on the corpus through `agentc` (a command list)."""
    cwd, folder = corpus()
    result = output(
        [*agentc, "check", "--no-user", "--dialect", "claude", "--format", "json", folder], cwd=cwd
    )
    if result.returncode not in (0, 1):
        fail(f"{agentc} check exited {result.returncode}:\n{result.stderr}")
    return f"exit {result.returncode}\n{result.stdout}"


def same_as_binary(name, agentc, env=None):
    want_version = output([BIN, "--version"]).stdout
    same(f"{name} --version", output([*agentc, "--version"], env=env).stdout, want_version)
    same(f"{name} check --format json", check_json(agentc), check_json([BIN]))
    print(f"  {name}: --version and check JSON equal the binary's", flush=True)


def wheel_file():
    wheels = [f for f in os.listdir(WHEELS) if f.endswith(".whl")] if os.path.isdir(WHEELS) else []
    if len(wheels) != 1:
        fail(f"expected one wheel in {WHEELS}, found {wheels}")
    return os.path.join(WHEELS, wheels[0])


def step_wheel():
    shutil.rmtree(WHEELS, ignore_errors=True)
    with Timer("maturin build --release (reusing target/release)"):
        run(["maturin", "build", "--release", "--locked", "--quiet", "--out", WHEELS], cwd=ROOT)
    wheel = wheel_file()
    print(f"  {os.path.basename(wheel)}: {os.path.getsize(wheel) / 1e6:.1f} MB", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        venv = os.path.join(tmp, "venv")
        with Timer("python3 -m venv"):
            run([sys.executable, "-m", "venv", venv])
        with Timer("pip install the wheel (no index)"):
            run([f"{venv}/bin/python", "-m", "pip", "install", "--quiet", "--no-index",
                 "--disable-pip-version-check", wheel])
        with Timer("compare"):
            same_as_binary("pip agentc", [f"{venv}/bin/agentc"])
            same_as_binary("python -m agentc", [f"{venv}/bin/python", "-m", "agentc"])


def step_npm():
    shutil.rmtree(NPM, ignore_errors=True)
    with Timer("npm/pack.sh"):
        tarballs = output([os.path.join(ROOT, "npm", "pack.sh"), BIN, NPM], check=True).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        npm = ["npm", "--offline", "--cache", os.path.join(tmp, "cache"), "--no-audit", "--no-fund",
               "--loglevel=error"]
        prefix = os.path.join(tmp, "prefix")
        with Timer("npm install -g --prefix NEW (offline, from the tarballs)"):
            run([*npm, "install", "--global", "--prefix", prefix, *tarballs])
        project = os.path.join(tmp, "project")
        os.makedirs(project)
        with Timer("npm install in a new project (offline)"):
            run([*npm, "install", *tarballs], cwd=project)
        with Timer("compare"):
            same_as_binary("npm -g agentc", [f"{prefix}/bin/agentc"])
            same_as_binary("npx agentc", ["npx", "--offline", "--prefix", project, "agentc"])


def git_repo(path):
    run(["git", "init", "-q", path])
    for key, value in (("user.name", "agentc"), ("user.email", "agentc@localhost")):
        run(["git", "-C", path, "config", key, value])


BROKEN = "---\nname: review\nmodel: lm-studio/qwen\n---\nYou review changes.\n"
FIXED = "---\nname: review\ndescription: Reviews changes.\nmodel: lm-studio/qwen\n---\nYou review changes.\n"
WARNED = "---\nname: ok\ndescription: Reads.\nmodel: lm-studio/qwen\ntools: [read, grpe]\n---\nYou read.\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def step_pre_commit():
    wheel_file()
    with tempfile.TemporaryDirectory() as tmp:
        repo = os.path.join(tmp, "repo")
        git_repo(repo)
        env = dict(os.environ, PRE_COMMIT_HOME=os.path.join(tmp, "pre-commit-home"),
                   PIP_NO_INDEX="1", PIP_FIND_LINKS=WHEELS, PIP_DISABLE_PIP_VERSION_CHECK="1")
        agent = os.path.join(repo, ".agents", "review.md")

        def try_repo(hook, *extra):
            cmd = ["pre-commit", "try-repo", ROOT, hook, "--all-files", *extra]
            result = output(cmd, cwd=repo, env=env)
            return result.returncode, result.stdout + result.stderr

        write(agent, BROKEN)
        run(["git", "-C", repo, "add", "-A"])
        with Timer("try-repo agentc-check-wheel, first install (broken agent)"):
            status, text = try_repo("agentc-check-wheel")
        if status != 1 or "missing-field" not in text or ".agents/review.md:1:1" not in text:
            fail(f"agentc-check-wheel on a broken agent: exit {status}, wanted 1 with the finding:\n{text}")
        print("  agentc-check-wheel fails with missing-field at .agents/review.md:1:1", flush=True)
        write(agent, FIXED)
        run(["git", "-C", repo, "add", "-A"])
        with Timer("try-repo agentc-check-wheel (fixed agent)"):
            status, text = try_repo("agentc-check-wheel")
        if status != 0 or "Passed" not in text:
            fail(f"agentc-check-wheel on the fixed agent: exit {status}:\n{text}")
        print("  agentc-check-wheel passes once the agent is fixed", flush=True)
        run([BIN, "plan", "--no-user", "--out", "routing.lock.json"], cwd=repo, capture_output=True)
        run(["git", "-C", repo, "add", "-A"])
        with Timer("try-repo agentc-plan-lock-wheel"):
            status, text = try_repo("agentc-plan-lock-wheel")
        if status != 0 or "Passed" not in text:
            fail(f"agentc-plan-lock-wheel with a current lock: exit {status}:\n{text}")
        print("  agentc-plan-lock-wheel passes with a current lock", flush=True)


def step_action():
    wheel_file()
    action = [sys.executable, os.path.join(ROOT, ".ci", "action.py"),
              "--input", "sarif=agentc.sarif", "--input", "upload-sarif=true",
              "--input", "lock=routing.lock.json"]
    with tempfile.TemporaryDirectory() as tmp:
        repo = os.path.join(tmp, "workspace")
        git_repo(repo)
        env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=WHEELS,
                   PIP_DISABLE_PIP_VERSION_CHECK="1")
        env.pop("GITHUB_ACTIONS", None)
        write(os.path.join(repo, ".agents", "ok.md"), WARNED)
        write(os.path.join(repo, ".agents", "review.md"), FIXED)
        run([BIN, "plan", "--no-user", "--out", "routing.lock.json"], cwd=repo, capture_output=True)
        report = os.path.join(tmp, "report.json")

        def annotations(text):
            return "".join(line + "\n" for line in text.splitlines()
                           if line.startswith(("::error file=", "::warning file=", "::notice file=")))

        for state, text, want_status in (("broken", BROKEN, 1), ("fixed", FIXED, 0)):
            write(os.path.join(repo, ".agents", "review.md"), text)
            want_annotations = output([BIN, "check", "--no-user", "--format", "github"], cwd=repo).stdout
            want_sarif = output([BIN, "check", "--no-user", "--format", "sarif"], cwd=repo).stdout
            with Timer(f"action steps, {state} agent (install, SARIF, check, lock)"):
                result = output([*action, "--report", report], cwd=repo, env=env)
            if result.returncode != want_status:
                fail(f"action on the {state} agent: exit {result.returncode}, wanted {want_status}:\n"
                     f"{result.stdout}{result.stderr}")
            same(f"action annotations ({state})", annotations(result.stdout), want_annotations)
            if not annotations(result.stdout):
                fail("the action printed no annotations")
            with open(os.path.join(repo, "agentc.sarif"), encoding="utf-8") as f:
                same(f"action SARIF ({state})", f.read(), want_sarif)
            steps = {s["name"]: s for s in json.load(open(report))["steps"]}
            upload = steps["Upload SARIF"]
            if upload.get("uses", "").split("@")[0] != "github/codeql-action/upload-sarif" or \
                    upload["with"]["sarif_file"] != "./agentc.sarif":
                fail(f"upload step: {upload}")
            outcomes = [steps[n]["outcome"] for n in
                        ("Install agentc", "Write SARIF", "Check", "Check the routing lock")]
            want = ["success", "success"] + (["failure", "failure"] if state == "broken" else ["success", "success"])
            if outcomes != want:
                fail(f"action steps on the {state} agent: {outcomes}, wanted {want}")
            print(f"  {state}: exit {want_status}, annotations and SARIF equal the binary's, "
                  f"upload gets ./agentc.sarif, steps {outcomes}", flush=True)


def step_crate():
    with Timer("cargo package --locked"):
        run(["cargo", "package", "--locked", "--quiet", "--allow-dirty"], cwd=ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        # A fixed place, so that a kept target/ stays valid between runs.
        vendor = os.path.join(OUT, "vendor")
        with Timer("cargo vendor"):
            config = output(["cargo", "vendor", "--locked", "--versioned-dirs", vendor],
                            cwd=ROOT, check=True).stdout
        config_file = os.path.join(tmp, "vendored.toml")
        write(config_file, config)
        root = os.path.join(tmp, "root")
        # Its own target folder: with the sources replaced by the vendored copy
        # cargo rebuilds every dependency (measured: the release build's
        # artifacts are not reused), so this is a cold release build, the
        # slowest step here; a CI that keeps target/ between runs makes it
        # incremental.
        with Timer("cargo install --path . --offline (vendored registry)"):
            run(["cargo", "install", "--path", ".", "--offline", "--locked", "--quiet",
                 "--root", root, "--config", config_file,
                 "--target-dir", os.path.join(ROOT, "target", "vendored")], cwd=ROOT)
        same_as_binary("cargo install agentc", [os.path.join(root, "bin", "agentc")])


STEPS = {"wheel": step_wheel, "npm": step_npm, "pre-commit": step_pre_commit,
         "action": step_action, "crate": step_crate}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in STEPS:
        sys.exit(f"usage: packages.py {{{'|'.join(STEPS)}}}")
    if not os.access(BIN, os.X_OK):
        fail(f"no {BIN}: cargo build --release first")
    STEPS[sys.argv[1]]()
