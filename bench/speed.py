#!/usr/bin/env python3
"""The speed and memory figures of docs/performance.md in one command, each
measured side by side with its baseline in the same run.

usage: bench/speed.py [--bin target/release/agentc] [--runs 9]
                      [--small-runs 200] [--tiny 1000,10000,100000]
                      [--shared ../shared/bench] [--quick]

Generates into a temporary folder (removed afterwards):
  - 10,000 synthetic agents (gen_corpus.py --agents 10000 --bad-every 50);
  - 10,000 real-world Claude files (scale_corpus.py --files 10000);
  - a 10-agent project (gen_corpus.py --agents 10);
  - projects of tiny agent files (one short frontmatter and one line of
    prompt each) at each --tiny size, for peak memory and linearity.
Then times, in interleaved rounds after one warm-up round (so that a load
change on the machine hits every command alike):
  - `cat` of the project's agent files (the same file set; to /dev/null),
  - `agentc check --no-user --format json`,
  - `agentc plan --no-user --format json`,
and prints one markdown table: medians, check/cat (median of the per-round
ratios and the worst round), plan/check, peak resident memory (ru_maxrss),
and per-file cost across the tiny sizes. Needs only python3 and the two
generator scripts; times are process start to exit (posix_spawn + wait4).
--quick: 3 runs and tiny sizes up to 10,000, for a smoke test.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# `../shared/bench` next to the repository (or next to the folder holding
# it, for a git worktree one level deeper).
SHARED_CANDIDATES = [os.path.join(os.path.dirname(HERE), *[".."] * up, "shared", "bench") for up in (1, 2)]


def run_once(argv, cwd, env, stdout_path="/dev/null"):
    """Wall seconds, user+sys seconds and peak RSS (KiB) of one run."""
    out = os.open(stdout_path, os.O_WRONLY)
    err = os.open("/dev/null", os.O_WRONLY)
    try:
        old = os.getcwd()
        os.chdir(cwd)
        try:
            start = time.perf_counter()
            pid = os.posix_spawn(argv[0], argv, env, file_actions=[
                (os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, err, 2)])
            _, status, usage = os.wait4(pid, 0)
            wall = time.perf_counter() - start
        finally:
            os.chdir(old)
    finally:
        os.close(out)
        os.close(err)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"`{' '.join(argv[:3])} ...` exited {code} in {cwd}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def rounds(commands, cwd, env, runs):
    """Runs every command once per round, `runs` rounds after a warm-up
    round. Returns {name: [(wall, cpu, rss), ...]}."""
    results = {name: [] for name, _ in commands}
    for r in range(runs + 1):
        for name, argv in commands:
            m = run_once(argv, cwd, env)
            if r:
                results[name].append(m)
    return results


def med(samples, i=0):
    return statistics.median(s[i] for s in samples)


def which(prog):
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(":"):
        p = os.path.join(d, prog)
        if os.access(p, os.X_OK):
            return p
    sys.exit(f"{prog} not found on PATH")


def gen_synthetic(shared, out, n, bad_every):
    args = [sys.executable, os.path.join(shared, "gen_corpus.py"), out, "--agents", str(n)]
    if bad_every:
        args += ["--bad-every", str(bad_every)]
    subprocess.run(args, check=True)
    return os.path.join(out, ".agents")


def gen_claude(shared, out, n):
    subprocess.run([sys.executable, os.path.join(shared, "scale_corpus.py"), out, "--files", str(n)], check=True)
    return os.path.join(out, ".claude", "agents")


def gen_tiny(out, n):
    folder = os.path.join(out, ".agents")
    os.makedirs(folder)
    for i in range(n):
        with open(os.path.join(folder, f"agent-{i:06d}.md"), "w") as f:
            f.write(f"---\nname: agent-{i:06d}\ndescription: Tiny agent number {i}.\n"
                    f"provider: lm-studio\nmodel: qwen-2.5-7b\n---\nYou are agent {i}.\n")
    return folder


def agent_files(project, folder):
    """The agent files, relative to the project, as `cat .agents/*.md` sees them."""
    rel = os.path.relpath(folder, project)
    return [os.path.join(rel, f) for f in sorted(os.listdir(folder)) if f.endswith(".md")]


def cat_command(cat, project, files):
    """`cat` of `files`; through `xargs` when the list is too long for one
    command line (as `cat .agents/*.md` would be)."""
    if sum(len(f) + 1 for f in files) < 1 << 20:
        return [cat, *files]
    listing = os.path.join(project, "files.list")
    with open(listing, "w") as f:
        f.write("\0".join(files))
    return [which("xargs"), "-0", "-a", listing, cat]


def ms(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.3f} s"


def mib(kib):
    return f"{kib / 1024:.1f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/agentc")
    ap.add_argument("--runs", type=int, default=9, help="rounds per project (at least 7 for the goals)")
    ap.add_argument("--small-runs", type=int, default=200, help="runs for the 10-agent project")
    ap.add_argument("--tiny", default="1000,10000,100000", help="sizes of the tiny-file projects")
    ap.add_argument("--tiny-runs", type=int, default=3)
    ap.add_argument("--shared", help="folder of gen_corpus.py and scale_corpus.py (default: ../shared/bench)")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.small_runs, a.tiny, a.tiny_runs = 3, 30, "1000,10000", 1
    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"no agentc binary at {binary}; run `cargo build --release` first")
    candidates = [a.shared] if a.shared else SHARED_CANDIDATES
    shared = next((os.path.abspath(c) for c in candidates
                   if os.path.exists(os.path.join(c, "gen_corpus.py"))), None)
    if shared is None:
        sys.exit("gen_corpus.py not found; pass --shared DIR (the folder holding it and scale_corpus.py)")
    cat = which("cat")
    began = time.time()
    load_before = os.getloadavg()
    rows = []

    with tempfile.TemporaryDirectory(prefix="agentc-speed-") as tmp:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1",
               "AGENTC_USER_DIR": os.path.join(tmp, "no-user"), "HOME": os.path.join(tmp, "home")}
        check = [binary, "check", "--no-user", "--format", "json"]
        plan = [binary, "plan", "--no-user", "--format", "json"]

        def side_by_side(label, project, folder):
            files = agent_files(project, folder)
            res = rounds([("cat", cat_command(cat, project, files)), ("check", check), ("plan", plan)],
                         project, env, a.runs)
            ratios = [c[0] / k[0] for c, k in zip(res["check"], res["cat"])]
            plan_ratios = [p[0] / c[0] for p, c in zip(res["plan"], res["check"])]
            rows.append((label, len(files), med(res["cat"]), med(res["check"]),
                         statistics.median(ratios), max(ratios), med(res["plan"]),
                         statistics.median(plan_ratios), med(res["check"], 1), med(res["cat"], 1),
                         max(s[2] for s in res["check"]), max(s[2] for s in res["plan"])))

        p = os.path.join(tmp, "synthetic")
        side_by_side("synthetic (`gen_corpus.py --agents 10000 --bad-every 50`)", p,
                     gen_synthetic(shared, p, 10000, 50))
        p = os.path.join(tmp, "claude")
        side_by_side("real Claude files (`scale_corpus.py --files 10000`)", p, gen_claude(shared, p, 10000))

        # The 10-agent project: start-up dominates; `cat` of its files and
        # `agentc --version` give the floor of starting a process here.
        p = os.path.join(tmp, "small")
        folder = gen_synthetic(shared, p, 10, 0)
        small = rounds([("cat", [cat, *agent_files(p, folder)]), ("version", [binary, "--version"]),
                        ("check", [binary, "check", "--no-user"])], p, env, a.small_runs)

        # Tiny files: peak memory and cost per file, 1,000 to 100,000.
        tiny = []
        for n in [int(s) for s in a.tiny.split(",") if s]:
            p = os.path.join(tmp, f"tiny{n}")
            folder = gen_tiny(p, n)
            res = rounds([("cat", cat_command(cat, p, agent_files(p, folder))), ("check", check), ("plan", plan)],
                         p, env, a.tiny_runs)
            tiny.append((n, med(res["cat"]), med(res["check"]), max(s[2] for s in res["check"]),
                         med(res["plan"]), max(s[2] for s in res["plan"])))
            subprocess.run(["rm", "-rf", p], check=True)

    load_after = os.getloadavg()
    print(f"agentc: {binary}")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}, "
          f"on {os.cpu_count()} cores; {a.runs} interleaved rounds after a warm-up; "
          f"took {time.time() - began:.0f} s\n")
    print("| project | files | `cat` | `check` | check/cat (worst) | check cpu (cat cpu) | "
          "`plan --format json` | plan/check | check peak MiB | plan peak MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (label, n, cat_w, check_w, ratio, worst, plan_w, plan_ratio, check_cpu, cat_cpu, check_rss,
         plan_rss) in rows:
        print(f"| {label} | {n:,} | {ms(cat_w)} | {ms(check_w)} | {ratio:.2f}x ({worst:.2f}x) | "
              f"{ms(check_cpu)} ({ms(cat_cpu)}) | {ms(plan_w)} | {plan_ratio:.2f}x | "
              f"{mib(check_rss)} | {mib(plan_rss)} |")
    print()
    print(f"| 10 agents (`gen_corpus.py --agents 10`), {a.small_runs} runs | median | p90 |")
    print("|---|---|---|")
    for name, label in [("cat", "`cat` of the 10 files"), ("version", "`agentc --version`"),
                        ("check", "`agentc check --no-user`")]:
        walls = sorted(s[0] for s in small[name])
        print(f"| {label} | {walls[len(walls) // 2] * 1000:.2f} ms | "
              f"{walls[int(len(walls) * 0.9)] * 1000:.2f} ms |")
    print()
    print("| tiny files | `cat` | `check` | µs/file | check peak MiB | `plan --format json` | "
          "plan peak MiB | KiB/file (check, plan) |")
    print("|---|---|---|---|---|---|---|---|")
    for n, cat_w, check_w, check_rss, plan_w, plan_rss in tiny:
        print(f"| {n:,} | {ms(cat_w)} | {ms(check_w)} | {check_w / n * 1e6:.1f} | {mib(check_rss)} | "
              f"{ms(plan_w)} | {mib(plan_rss)} | {check_rss / n:.2f}, {plan_rss / n:.2f} |")
    if len(tiny) >= 2:
        (n0, _, c0, r0, _, p0), (n1, _, c1, r1, _, p1) = tiny[0], tiny[-1]
        print(f"\nfrom {n0:,} to {n1:,} files: time per file x{(c1 / n1) / (c0 / n0):.2f}, "
              f"check memory growth per added file {(r1 - r0) / (n1 - n0):.2f} KiB, "
              f"plan {(p1 - p0) / (n1 - n0):.2f} KiB (1.00x time per file = linear)")


if __name__ == "__main__":
    main()
