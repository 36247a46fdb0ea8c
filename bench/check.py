#!/usr/bin/env python3
"""Whole-command timing of `agentc check` and `agentc plan` against `cat` of
the same files, on synthetic projects of several sizes.

usage: bench/check.py [--bin target/release/agentc] [--sizes 10,1000,10000]
                      [--runs 5] [--bad-every 50] [--corpus claude]
                      [--agnix]

Generates each project with ../shared/bench/gen_corpus.py (or, with
--corpus claude, ../shared/bench/scale_corpus.py: real-world Claude files)
into a temporary folder, then runs every command --runs times after one
warm-up and prints the median wall time, the ratio to `cat` measured in the
same run, and peak resident memory. Needs only python3. With --agnix, the
`agnix` linter (pip install agnix) is timed once per size on the same files.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(os.path.dirname(HERE), "..", "shared", "bench")


def measure(cmd, cwd, env, runs, strict=True, warmup=True):
    """Median wall seconds and max peak RSS (KiB) over `runs` runs after one warm-up."""
    walls, peaks = [], []
    first = 1 if warmup else 0
    for i in range(1 - first, runs + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if strict and code not in (0, 1):
            sys.exit(f"{cmd[0]} exited {code}")
        if i:
            walls.append(wall)
            peaks.append(usage.ru_maxrss)
    return statistics.median(walls), max(peaks)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/agentc")
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bad-every", type=int, default=50)
    ap.add_argument("--corpus", choices=["synthetic", "claude"], default="synthetic")
    ap.add_argument("--agnix", action="store_true", help="also time `agnix` (one run per size)")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    sizes = [int(s) for s in a.sizes.split(",")]
    rows = []
    agnix = []
    with tempfile.TemporaryDirectory(prefix="agentc-bench-") as tmp:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AGENTC_USER_DIR": os.path.join(tmp, "no-user"), "NO_COLOR": "1"}
        for n in sizes:
            project = os.path.join(tmp, f"p{n}")
            if a.corpus == "claude":
                subprocess.run([sys.executable, os.path.join(SHARED, "scale_corpus.py"), project, "--files", str(n)], check=True)
                folder = os.path.join(project, ".claude", "agents")
            else:
                subprocess.run([sys.executable, os.path.join(SHARED, "gen_corpus.py"), project, "--agents", str(n),
                                "--bad-every", str(a.bad_every)], check=True)
                folder = os.path.join(project, ".agents")
            files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".md"))
            cat_wall, cat_rss = measure(["cat", *files], project, env, a.runs)
            check_wall, check_rss = measure([binary, "check", "--no-user", "--format", "json"], project, env, a.runs)
            plan_wall, plan_rss = measure([binary, "plan", "--no-user", "--format", "json"], project, env, a.runs)
            rows.append((n, len(files), cat_wall, check_wall, check_rss, plan_wall, plan_rss))
            if a.agnix:
                agnix_env = dict(env, HOME=os.path.join(tmp, "home"))
                # One run, no warm-up: it takes minutes at 10,000 files, and
                # the files are already cached by the runs above.
                wall, rss = measure(["agnix", folder], project, agnix_env, 1, strict=False, warmup=False)
                agnix.append((n, wall, rss))
    print(f"{'agents':>7} {'files':>6} {'cat s':>8} {'check s':>8} {'check/cat':>9} {'check MiB':>9} "
          f"{'plan s':>8} {'plan/check':>10} {'plan MiB':>8} {'us/file':>8}")
    for n, files, cat, check, check_rss, plan, plan_rss in rows:
        print(f"{n:>7} {files:>6} {cat:>8.3f} {check:>8.3f} {check / cat:>9.2f} {check_rss / 1024:>9.1f} "
              f"{plan:>8.3f} {plan / check:>10.2f} {plan_rss / 1024:>8.1f} {check / files * 1e6:>8.1f}")
    for n, wall, rss in agnix:
        check = next(r[3] for r in rows if r[0] == n)
        print(f"agnix on {n} files: {wall:.3f} s, {rss / 1024:.1f} MiB peak; agentc check is {wall / check:.0f}x faster")
    # Linearity between the two largest sizes: the smallest is start-up.
    big = [r for r in rows if r[1] >= 1000] or rows
    if len(big) >= 2:
        (n0, f0, *_, ), (n1, f1, *_, ) = big[-2], big[-1]
        per0 = big[-2][3] / f0
        per1 = big[-1][3] / f1
        print(f"check time per file at {n1} vs {n0} agents: {per1 / per0:.2f}x (1.0 = linear, above 1 grows faster)")


if __name__ == "__main__":
    main()
