#!/usr/bin/env python3
"""Latency and memory of `agentc lsp` in a large workspace.

Generates a project of N agents (the shared generator, one broken agent in
50), starts `agentc lsp --no-user --no-probe` on it over stdio, opens one
agent file and measures, with a plain JSON-RPC client on the pipes:

- diagnostics: the time from a `didChange` (a keystroke that breaks or
  mends the provider) until the server publishes that file's diagnostics,
  minus the debounce: the analysis and publishing cost of one keystroke;
- hover on `model:` and completion after `model: `: request to response;
- a protocol round trip (a request the server answers at once with
  MethodNotFound), the baseline the others are compared with;
- the server's resident memory (VmRSS) every 1,000 edits over 10,000 edits
  (with --debounce 0, so each edit is analysed).

usage: bench/lsp_latency.py [--bin target/release/agentc] [--agents 1000]
                            [--edits 200] [--requests 500] [--memory-edits 10000]

The workspace goes to a temporary folder and is removed afterwards.
"""
import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def percentile(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


class Server:
    def __init__(self, cmd, cwd, env):
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox = queue.Queue()
        self.next = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(out.read(length))
            self.inbox.put((time.perf_counter(), msg))

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.next += 1
        rid = self.next
        t0 = time.perf_counter()
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            t1, msg = self.inbox.get(timeout=60)
            if msg.get("id") == rid and "method" not in msg:
                return t1 - t0, msg

    def wait_publish(self, uri):
        while True:
            t1, msg = self.inbox.get(timeout=60)
            if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
                return t1, msg["params"]["diagnostics"]

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def close(self):
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def start(bin_, root, debounce):
    env = dict(os.environ, AGENTC_USER_DIR=os.path.join(root, "..", "user"))
    s = Server([bin_, "lsp", "--no-user", "--no-probe", "--debounce", str(debounce)], root, env)
    uri = "file://" + root
    s.request("initialize", {"processId": None, "rootUri": uri, "capabilities": {}})
    s.notify("initialized", {})
    return s


def generate(root, agents, gen):
    if gen and os.path.exists(gen):
        subprocess.run([sys.executable, gen, "--agents", str(agents), "--bad-every", "50", root],
                       check=True, stdout=subprocess.DEVNULL)
    else:
        os.makedirs(os.path.join(root, ".agents"), exist_ok=True)
        for i in range(agents):
            with open(os.path.join(root, ".agents", f"agent-{i}.md"), "w") as f:
                f.write(f"---\ndescription: Agent {i}.\nmodel: ollama/qwen3:8b\n---\nWork {i}.\n")


EDITED = "---\ndescription: The edited agent.\nprovider: {p}\nmodel: qwen-2.5-7b\ntools: [read, grep]\n---\nWork.\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "agentc"))
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--edits", type=int, default=200)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--memory-edits", type=int, default=10000)
    ap.add_argument("--debounce", type=int, default=50)
    ap.add_argument("--gen", default=os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py"))
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    tmp = tempfile.mkdtemp(prefix="agentc-lsp-bench-")
    try:
        root = os.path.join(tmp, "project")
        os.makedirs(root)
        generate(root, a.agents, a.gen)
        os.makedirs(os.path.join(root, ".agents"), exist_ok=True)
        edited = os.path.join(root, ".agents", "edited.md")
        with open(edited, "w") as f:
            f.write(EDITED.format(p="lm-studio"))
        uri = "file://" + edited
        t0 = time.perf_counter()
        out = subprocess.run([a.bin, "check", "--no-user"], cwd=root, capture_output=True)
        check_s = time.perf_counter() - t0

        s = start(a.bin, root, a.debounce)
        s.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "markdown", "version": 1, "text": EDITED.format(p="lm-studio")}})
        s.wait_publish(uri)
        # Keystrokes: `lm-studio` ⇄ `lm-studo` (the finding appears and goes).
        diag = []
        version = 1
        for i in range(a.edits):
            version += 1
            if i % 2 == 0:
                change = {"range": {"start": {"line": 2, "character": 17}, "end": {"line": 2, "character": 18}}, "text": ""}
            else:
                change = {"range": {"start": {"line": 2, "character": 17}, "end": {"line": 2, "character": 17}}, "text": "i"}
            t0 = time.perf_counter()
            s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [change]})
            t1, d = s.wait_publish(uri)
            assert (len(d) == 1) == (i % 2 == 0), d
            diag.append((t1 - t0) * 1000 - a.debounce)
        pos = {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 9}}
        hover, compl, ping = [], [], []
        for _ in range(a.requests):
            dt, r = s.request("textDocument/hover", pos)
            assert "edited" in r["result"]["contents"]["value"]
            hover.append(dt * 1000)
            dt, r = s.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                          "position": {"line": 3, "character": 7}})
            assert r["result"], r
            compl.append(dt * 1000)
            dt, _ = s.request("agentc/ping", {})
            ping.append(dt * 1000)
        s.close()

        m = start(a.bin, root, 0)
        m.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "markdown", "version": 1, "text": EDITED.format(p="lm-studio")}})
        m.wait_publish(uri)
        rss = [(0, m.rss_kib())]
        version = 1
        for i in range(a.memory_edits):
            version += 1
            text = EDITED.format(p="lm-studio" if i % 2 else "lm-studo").replace("Work.", f"Work {i}.")
            m.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": text}]})
            m.wait_publish(uri)
            if (i + 1) % 1000 == 0:
                rss.append((i + 1, m.rss_kib()))
        m.close()

        files = sum(1 for _ in os.scandir(os.path.join(root, ".agents")))
        print(f"workspace: {files} files in .agents/; `agentc check --no-user`: {check_s * 1000:.1f} ms")
        print(f"debounce {a.debounce} ms; {a.edits} keystrokes, {a.requests} requests of each kind")
        print(f"{'what':<34} {'p50 ms':>8} {'p95 ms':>8} {'p95/rtt':>8}")
        base = percentile(ping, 95)
        for name, v in [("protocol round trip (baseline)", ping),
                        ("diagnostics after the debounce", diag),
                        ("hover on model:", hover),
                        ("completion after model:", compl)]:
            print(f"{name:<34} {percentile(v, 50):8.2f} {percentile(v, 95):8.2f} {percentile(v, 95) / base:8.1f}")
        print("resident memory over edits (KiB): " + ", ".join(f"{n}: {k}" for n, k in rss))
        first, last = rss[1][1] if len(rss) > 1 else rss[0][1], rss[-1][1]
        print(f"growth from edit 1,000 to {rss[-1][0]:,}: {last - first:+d} KiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
