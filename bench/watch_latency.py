#!/usr/bin/env python3
"""Save-to-plan latency of `agentc watch --out`.

For each corpus size, generates a project with the shared generator, starts
`agentc watch --no-user --format json --out plan.json`, then saves one agent
file at a time (a new description with a unique marker) and measures the
time from the write until `plan.json` shows the change: the plan file is
replaced atomically, so the script watches its inode and reads each new
version. Prints p50 and p95 per size, and the watcher's own processing time
(`elapsed_us` of the reload events: read, link, plan; without the debounce).

usage: bench/watch_latency.py [--bin target/release/agentc] [--agents 1000 10000]
                              [--saves 60] [--debounce MS] [--save inplace|atomic]

The corpus goes to a temporary folder and is removed afterwards; generated
corpora are never committed. Needs `../shared/bench/gen_corpus.py` (or --gen).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def read_events(stream, sink):
    for line in stream:
        try:
            sink.append(json.loads(line))
        except json.JSONDecodeError:
            pass


def wait_until(cond, timeout, what):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if cond():
            return
        time.sleep(0.002)
    raise SystemExit(f"timed out waiting for {what}")


def save(path, text, mode):
    if mode == "atomic":
        tmp = path + ".tmp"
        with open(tmp, "w", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    else:
        with open(path, "w", newline="\n") as f:
            f.write(text)


def run_size(args, n):
    work = tempfile.mkdtemp(prefix=f"agentc-watch-bench-{n}-")
    try:
        subprocess.run(
            [sys.executable, args.gen, work, "--agents", str(n)],
            check=True,
        )
        agents_dir = os.path.join(work, ".agents")
        files = sorted(f for f in os.listdir(agents_dir) if f.endswith(".md"))
        out = os.path.join(work, "plan.json")
        cmd = [args.bin, "watch", "--no-user", "--format", "json", "--out", out]
        if args.debounce is not None:
            cmd += ["--debounce", str(args.debounce)]
        env = dict(os.environ, AGENTC_USER_DIR=os.path.join(work, "no-user-dir"))
        proc = subprocess.Popen(
            cmd, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env,
        )
        events = []
        reader = threading.Thread(target=read_events, args=(proc.stdout, events), daemon=True)
        reader.start()
        wait_until(lambda: any(e.get("event") == "reload" for e in events), 120, "generation 0")
        wait_until(lambda: os.path.exists(out), 60, "the first plan file")
        initial_us = next(e for e in events if e.get("event") == "reload")["elapsed_us"]

        rng = random.Random(1)
        latencies = []
        for i in range(args.saves):
            name = rng.choice(files)
            path = os.path.join(agents_dir, name)
            with open(path) as f:
                text = f.read()
            marker = f"bench-marker-{n}-{i}"
            # The description is a folded block: its first line follows `>-`.
            head, sep, rest = text.partition("description: >-\n  ")
            if not sep:
                raise SystemExit(f"{name}: no folded description to edit")
            new_text = f"{head}{sep}{marker} {rest}"
            before = os.stat(out).st_ino
            t0 = time.perf_counter()
            save(path, new_text, args.save)
            seen_ino = before
            deadline = t0 + 30
            while True:
                st = os.stat(out)
                if st.st_ino != seen_ino:
                    t_seen = time.perf_counter()
                    seen_ino = st.st_ino
                    with open(out) as f:
                        if marker in f.read():
                            latencies.append((t_seen - t0) * 1000.0)
                            break
                if time.perf_counter() > deadline:
                    raise SystemExit(f"save {i}: the plan never showed {marker}")
                time.sleep(0.0005)
            # Let the watcher go idle before the next save.
            time.sleep(0.15)

        proc.send_signal(2)  # SIGINT: exits cleanly
        code = proc.wait(timeout=30)
        reader.join(timeout=5)
        processing = [
            e["elapsed_us"] / 1000.0
            for e in events
            if e.get("event") == "reload" and e.get("generation", 0) > 0 and e.get("parsed") == 1
        ]
        return {
            "agents": n,
            "saves": len(latencies),
            "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95),
            "max_ms": max(latencies),
            "processing_p50_ms": percentile(processing, 50),
            "processing_p95_ms": percentile(processing, 95),
            "initial_load_ms": initial_us / 1000.0,
            "exit": code,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "agentc"))
    ap.add_argument("--gen", default=os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py"))
    ap.add_argument("--agents", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--saves", type=int, default=60)
    ap.add_argument("--debounce", type=int, default=None, help="ms; default: agentc's (50)")
    ap.add_argument("--save", choices=["inplace", "atomic"], default="inplace")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        raise SystemExit(f"{a.bin} not found: run `cargo build --release` first")
    if not os.path.exists(a.gen):
        raise SystemExit(f"{a.gen} not found: pass --gen PATH/TO/gen_corpus.py")
    debounce = a.debounce if a.debounce is not None else 50
    print(f"debounce {debounce} ms, {a.save} saves, {a.saves} saves per size")
    print(f"{'agents':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'proc p50':>9} {'proc p95':>9} {'load ms':>8}")
    for n in a.agents:
        r = run_size(a, n)
        print(
            f"{r['agents']:>7} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['max_ms']:>8.1f} "
            f"{r['processing_p50_ms']:>9.1f} {r['processing_p95_ms']:>9.1f} {r['initial_load_ms']:>8.0f}"
        )
        if r["exit"] != 0:
            print(f"  agentc watch exited with {r['exit']} on Ctrl-C", file=sys.stderr)


if __name__ == "__main__":
    main()
