#!/usr/bin/env python3
"""Runs the composite steps of action.yml in order on this machine, the way
the GitHub runner does: inputs with their defaults, `${{ }}` expressions,
`if:` conditions with the status functions, `env`, `working-directory`,
`$GITHUB_PATH`, `$GITHUB_OUTPUT` and `$GITHUB_ENV`. A `uses:` step cannot run
here; it is reported with its evaluated `with:` instead.

usage: action.py [--input NAME=VALUE ...] [--report FILE]
Run from the folder the workflow would run in (the workspace). Prints the
steps' output as they run; exits 1 when a step failed, as the job would.
--report writes a JSON summary: each step's name, outcome and, for `uses:`
steps, the action and its `with:`.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))"
    r"|(?P<call>(?:always|success|failure|cancelled)\(\))|(?P<ctx>[A-Za-z_][\w.-]*))"
)


class Context:
    def __init__(self, inputs, action_path, temp):
        self.inputs = inputs
        self.steps = {}
        self.failed = False
        self.github = {"action_path": action_path, "workspace": os.getcwd()}
        self.runner = {"temp": temp, "os": "Linux"}

    def lookup(self, name):
        head, _, rest = name.partition(".")
        if head == "inputs":
            return self.inputs.get(rest, "")
        if head == "steps":
            step_id, _, field = rest.partition(".")
            step = self.steps.get(step_id, {"outcome": "", "outputs": {}})
            if field == "outcome":
                return step["outcome"]
            if field.startswith("outputs."):
                return step["outputs"].get(field[len("outputs.") :], "")
        if head == "github":
            return self.github.get(rest, "")
        if head == "runner":
            return self.runner.get(rest, "")
        if name in ("true", "false"):
            return name == "true"
        raise SystemExit(f"action.py: unsupported expression context `{name}`")

    def evaluate(self, expr):
        """Evaluates the subset of GitHub expressions action.yml uses."""
        python, pos = [], 0
        expr = expr.strip()
        while pos < len(expr):
            m = TOKEN.match(expr, pos)
            if m is None or m.end() == pos:
                raise SystemExit(f"action.py: cannot read expression `{expr}` at {pos}")
            pos = m.end()
            if m["str"]:
                python.append(repr(m["str"][1:-1].replace("''", "'")))
            elif m["op"]:
                python.append({"&&": " and ", "||": " or ", "!": " not "}.get(m["op"], m["op"]))
            elif m["call"]:
                fn = m["call"][:-2]
                value = {"always": True, "cancelled": False, "failure": self.failed}.get(
                    fn, not self.failed
                )
                python.append(repr(value))
            else:
                python.append(repr(self.lookup(m["ctx"])))
        return eval("".join(python), {"__builtins__": {}})  # noqa: S307 (our own tokens)

    def condition(self, expr):
        if expr is None:
            return not self.failed  # the implicit success()
        expr = str(expr).strip()
        if expr.startswith("${{") and expr.endswith("}}"):
            expr = expr[3:-2]
        if not re.search(r"\b(always|success|failure|cancelled)\(\)", expr):
            expr = f"success() && ({expr})"
        return bool(self.evaluate(expr))

    def substitute(self, text):
        def one(m):
            value = self.evaluate(m.group(1))
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value)

        return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))


def read_pairs(path):
    """Reads NAME=VALUE lines (and NAME<<EOF blocks) from a GITHUB_* file."""
    pairs, lines = {}, open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, marker = line.split("<<", 1)
            body = []
            i += 1
            while i < len(lines) and lines[i] != marker:
                body.append(lines[i])
                i += 1
            pairs[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            pairs[name] = value
        i += 1
    return pairs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--report")
    parser.add_argument("--action", default=os.path.join(ROOT, "action.yml"))
    args = parser.parse_args()

    action = yaml.safe_load(open(args.action, encoding="utf-8"))
    assert action["runs"]["using"] == "composite", "only composite actions run here"
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    for pair in args.input:
        name, _, value = pair.partition("=")
        if name not in inputs:
            raise SystemExit(f"action.py: action.yml has no input `{name}`")
        inputs[name] = value

    temp = tempfile.mkdtemp(prefix="agentc-action-")
    ctx = Context(inputs, os.path.dirname(os.path.abspath(args.action)), temp)
    env = dict(os.environ)
    env.update(
        GITHUB_ACTIONS="true",
        RUNNER_TEMP=temp,
        GITHUB_ACTION_PATH=ctx.github["action_path"],
        GITHUB_WORKSPACE=os.getcwd(),
    )
    report = []
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", f"step {index + 1}")
        step_id = step.get("id", f"__{index}")
        entry = {"name": name}
        if not ctx.condition(step.get("if")):
            ctx.steps[step_id] = {"outcome": "skipped", "outputs": {}}
            entry["outcome"] = "skipped"
            report.append(entry)
            print(f"::group::{name} (skipped)\n::endgroup::", flush=True)
            continue
        if "uses" in step:
            entry.update(
                outcome="not run here",
                uses=step["uses"],
                **{"with": {k: ctx.substitute(v) for k, v in step.get("with", {}).items()}},
            )
            ctx.steps[step_id] = {"outcome": "success", "outputs": {}}
            report.append(entry)
            print(f"::group::{name} (uses {step['uses']}: not run here)\n::endgroup::", flush=True)
            continue
        files = {}
        for var in ("GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_ENV"):
            files[var] = os.path.join(temp, f"{var.lower()}-{index}")
            open(files[var], "w").close()
        step_env = dict(env, **files)
        step_env.update({k: ctx.substitute(v) for k, v in step.get("env", {}).items()})
        cwd = ctx.substitute(step.get("working-directory", "."))
        script = os.path.join(temp, f"step-{index}.sh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(ctx.substitute(step["run"]))
        print(f"::group::{name}", flush=True)
        status = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=cwd, env=step_env
        ).returncode
        print("::endgroup::", flush=True)
        outcome = "success" if status == 0 else "failure"
        ctx.steps[step_id] = {"outcome": outcome, "outputs": read_pairs(files["GITHUB_OUTPUT"])}
        if status != 0:
            ctx.failed = True
            print(f"::error::step `{name}` exited with {status}", flush=True)
        for line in open(files["GITHUB_PATH"], encoding="utf-8").read().splitlines():
            env["PATH"] = line + os.pathsep + env["PATH"]
        env.update(read_pairs(files["GITHUB_ENV"]))
        entry["outcome"] = outcome
        entry["outputs"] = ctx.steps[step_id]["outputs"]
        report.append(entry)

    shutil.rmtree(temp, ignore_errors=True)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump({"steps": report, "failed": ctx.failed}, f, indent=2)
    sys.exit(1 if ctx.failed else 0)


if __name__ == "__main__":
    main()
