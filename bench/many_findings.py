#!/usr/bin/env python3
"""Whole-command timing of `agentc check` on one file with many findings, in
the human format (source snippets) and in JSON, at several sizes.

usage: bench/many_findings.py [--bin target/release/agentc]
                              [--keys 1000,4900,45000] [--runs 3]

Each size is an agent file with that many unknown keys (one warning each,
each value 60 bytes long), in a project whose `[limits]` allow it. Human
output used to cost the length of the file per finding; the human/JSON
ratio should stay flat as the file grows. Prints the median wall time of
each format and the ratio. Needs only python3.
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time


def measure(cmd, cwd, runs):
    walls = []
    for i in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i:  # the first run warms the page cache
            walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default="target/release/agentc")
    p.add_argument("--keys", default="1000,4900,45000")
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    binary = os.path.abspath(a.bin)
    print(f"{'keys':>6} {'bytes':>9} {'human s':>8} {'json s':>8} {'ratio':>6}")
    for n in [int(k) for k in a.keys.split(",")]:
        with tempfile.TemporaryDirectory() as root:
            agents = os.path.join(root, ".agents")
            os.mkdir(agents)
            with open(os.path.join(agents, "agentc.toml"), "w") as f:
                f.write(f"[limits]\nmax_file_size = 16777216\nmax_yaml_nodes = {2 * n + 100}\n")
            body = "".join(f"k{i}: {'v' * 60}\n" for i in range(n))
            path = os.path.join(agents, "big.md")
            with open(path, "w") as f:
                f.write(f"---\ndescription: x\n{body}---\nbody\n")
            size = os.path.getsize(path)
            cmd = [binary, "check", "--no-user", "--color", "never", "--format"]
            human = measure(cmd + ["human"], root, a.runs)
            js = measure(cmd + ["json"], root, a.runs)
            print(f"{n:>6} {size:>9} {human:>8.2f} {js:>8.2f} {human / js:>6.2f}")


if __name__ == "__main__":
    main()
