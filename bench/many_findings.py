#!/usr/bin/env python3
"""Whole-command timing of `agentc check` on one file with many findings, in
the human format (source snippets) and in JSON, at several sizes.

usage: bench/many_findings.py [--bin target/release/agentc]
                              [--keys 1000,4900,45000] [--runs 3]

Two shapes per size, in a project whose `[limits]` allow them: `lines`, an
agent file with that many unknown keys (one warning each, each value 60
bytes long), and `line`, a Claude file whose one `tools:` line names that
many unknown tools. Human output used to cost the length of the file per
finding, and every format the length of the line; time should grow in
proportion to the size. Prints the median wall time of each format and
the human/JSON ratio. Needs only python3.
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
    print(f"{'shape':>5} {'keys':>6} {'bytes':>9} {'human s':>8} {'json s':>8} {'ratio':>6}")
    for shape in ["lines", "line"]:
        for n in [int(k) for k in a.keys.split(",")]:
            with tempfile.TemporaryDirectory() as root:
                if shape == "lines":
                    folder = os.path.join(root, ".agents")
                    config = os.path.join(folder, "agentc.toml")
                    body = "".join(f"k{i}: {'v' * 60}\n" for i in range(n))
                    text = f"---\ndescription: x\n{body}---\nbody\n"
                else:
                    folder = os.path.join(root, ".claude", "agents")
                    config = os.path.join(root, ".agents", "agentc.toml")
                    tools = ", ".join(f"Tool{i}" for i in range(n))
                    text = f"---\nname: big\ndescription: x\ntools: {tools}\n---\nbody\n"
                os.makedirs(folder)
                os.makedirs(os.path.dirname(config), exist_ok=True)
                with open(config, "w") as f:
                    f.write(f"[limits]\nmax_file_size = 16777216\nmax_yaml_nodes = {2 * n + 100}\n")
                path = os.path.join(folder, "big.md")
                with open(path, "w") as f:
                    f.write(text)
                size = os.path.getsize(path)
                cmd = [binary, "check", "--no-user", "--color", "never", "--format"]
                human = measure(cmd + ["human"], root, a.runs)
                js = measure(cmd + ["json"], root, a.runs)
                print(f"{shape:>5} {n:>6} {size:>9} {human:>8.2f} {js:>8.2f} {human / js:>6.2f}")


if __name__ == "__main__":
    main()
