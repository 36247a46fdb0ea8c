#!/usr/bin/env python3
"""Whole-command benchmark of `agentc run --batch`.

Starts an OpenAI-compatible chat completions server on 127.0.0.1 (any free
port) that answers every request after --delay-ms, writes a temp project
whose provider points at it with `max_concurrency = --cap`, and times
`agentc run --batch` over --tasks tasks (with `--jobs` well above the cap, so
the provider's cap is what limits). The ideal wall time is
ceil(tasks / cap) * delay; the script prints the median of --runs runs, its
ratio to the ideal, the overhead per task, and the most requests the server
saw in flight (which must equal the cap).

    cargo build --release
    python3 bench/run_batch.py                      # 200 tasks, cap 8, 20 ms
    python3 bench/run_batch.py --tasks 1000 --cap 16

Exits 1 when the median is above --max-ratio times the ideal (default 1.5)
or the peak in flight differs from the cap. Standard library only.
"""

import argparse
import http.server
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.requests = 0
        self.connections = set()


def make_handler(state, delay):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers

        def setup(self):
            super().setup()
            # As real servers do: without it, Nagle's algorithm and the
            # client's delayed ACK add up to 40 ms to a small response.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            with state.lock:
                state.in_flight += 1
                state.requests += 1
                state.peak = max(state.peak, state.in_flight)
                state.connections.add(self.client_address)
            try:
                time.sleep(delay)
                answer = json.dumps({
                    "id": "chatcmpl-bench",
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [{
                        "index": 0,
                        "message": {"role": "assistant", "content": "ok"},
                        "finish_reason": "stop",
                    }],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }).encode()
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(answer)}\r\n\r\n"
                ).encode()
                self.wfile.write(head + answer)  # one segment
            finally:
                with state.lock:
                    state.in_flight -= 1

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/agentc")
    ap.add_argument("--tasks", type=int, default=200)
    ap.add_argument("--cap", type=int, default=8)
    ap.add_argument("--delay-ms", type=float, default=20.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--max-ratio", type=float, default=1.5)
    args = ap.parse_args()

    binary = os.path.abspath(args.bin)
    if not os.path.exists(binary):
        sys.exit(f"{binary} not found: run `cargo build --release` first")

    state = State()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state, args.delay_ms / 1000))
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    with tempfile.TemporaryDirectory() as project:
        os.makedirs(os.path.join(project, ".agents"))
        with open(os.path.join(project, ".agents", "agentc.toml"), "w") as f:
            f.write(
                "[providers.bench]\n"
                'kind = "openai-compatible"\n'
                f'base_url = "http://127.0.0.1:{port}/v1"\n'
                f"max_concurrency = {args.cap}\n"
            )
        with open(os.path.join(project, ".agents", "worker.md"), "w") as f:
            f.write("---\ndescription: Benchmark worker.\nprovider: bench\nmodel: m\n---\nAnswer briefly.\n")
        batch = os.path.join(project, "batch.json")
        with open(batch, "w") as f:
            json.dump({"tasks": [{"agent": "worker", "prompt": f"task {i}"} for i in range(args.tasks)]}, f)

        jobs = str(max(64, args.cap * 4))
        walls = []
        for _ in range(args.runs):
            with state.lock:
                state.peak = 0
                state.connections = set()
            start = time.perf_counter()
            done = subprocess.run(
                [binary, "--no-user", "run", "--batch", batch, "--jobs", jobs],
                cwd=project, capture_output=True, text=True,
            )
            walls.append(time.perf_counter() - start)
            lines = done.stdout.splitlines()
            if done.returncode != 0 or len(lines) != args.tasks:
                sys.exit(f"agentc exited {done.returncode} with {len(lines)} lines:\n{done.stderr}")
            if not all(json.loads(l)["status"] == "ok" for l in lines):
                sys.exit("a task failed:\n" + done.stdout)
        peak = state.peak
        connections = len(state.connections)
    server.shutdown()

    ideal = math.ceil(args.tasks / args.cap) * args.delay_ms / 1000
    median = statistics.median(walls)
    ratio = median / ideal
    overhead_ms = (median - ideal) / args.tasks * 1000
    print(f"tasks {args.tasks}, cap {args.cap}, delay {args.delay_ms:g} ms, {args.runs} runs")
    print(f"wall time: median {median * 1000:.0f} ms (min {min(walls) * 1000:.0f}, max {max(walls) * 1000:.0f})")
    print(f"ideal {ideal * 1000:.0f} ms, ratio {ratio:.2f}x (limit {args.max_ratio}x)")
    print(f"overhead per task: {overhead_ms:.2f} ms")
    print(f"peak in flight at the server: {peak}; connections in the last run: {connections}")
    if ratio > args.max_ratio or peak != args.cap:
        sys.exit(1)


if __name__ == "__main__":
    main()
