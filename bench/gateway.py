#!/usr/bin/env python3
"""Overhead of `agentc gateway`, side by side with calling the same loopback
upstream directly.

Starts an OpenAI-shaped upstream on loopback (a small threaded server that
answers at once) and `agentc gateway --no-user --port 0` in a temporary
project whose agent routes to it, then:

1. non-streaming: N requests, alternating direct and through the gateway
   on kept-alive connections; the p50 of each and of the per-pair
   difference (the added latency);
2. streaming: the same, timed to the first byte of the streamed body;
   both again through the Anthropic door, which translates the request,
   the answer and the stream;
3. 500 concurrent streams through the gateway with `max_concurrency = 8`
   on the provider: every stream must arrive whole (all chunks and
   `[DONE]`), the upstream must never see more than 8 at once; the
   gateway's resident memory idle and at its peak with 500 in flight
   (VmRSS from /proc, sampled every 10 ms).

usage: bench/gateway.py [--bin target/release/agentc] [--requests 2000]
                        [--streams 500] [--cap 8]
"""
import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CHUNKS = 8


class Upstream:
    def __init__(self, chunk_delay):
        self.in_flight = 0
        self.peak = 0
        self.lock = threading.Lock()
        outer = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def setup(self):
                # Small writes go out at once, as real servers send them.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                super().setup()

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with outer.lock:
                    outer.in_flight += 1
                    outer.peak = max(outer.peak, outer.in_flight)

                def done():
                    # Counted out before the last write: the gateway cannot
                    # see the answer end (and start the next request) first.
                    with outer.lock:
                        outer.in_flight -= 1

                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.send_header("transfer-encoding", "chunked")
                    self.end_headers()
                    delay = outer.delay if body.get("slow") else 0
                    for i in range(CHUNKS):
                        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": body["model"],
                                 "choices": [{"index": 0, "delta": {"content": f"w{i} "}, "finish_reason": None}]}
                        self.write_chunk(f"data: {json.dumps(chunk)}\n\n".encode())
                        if delay:
                            time.sleep(delay)
                    self.write_chunk(b"data: [DONE]\n\n")
                    done()
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    b = json.dumps({"id": "c", "object": "chat.completion", "created": 1, "model": body["model"],
                                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
                                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(b)))
                    done()
                    self.end_headers()
                    self.wfile.write(b)

            def write_chunk(self, data):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()

        ThreadingHTTPServer.request_queue_size = 1024
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.delay = chunk_delay
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]


def connect(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.connect()
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def once(conn, path, body, first_byte):
    payload = json.dumps(body)
    t0 = time.perf_counter()
    conn.request("POST", path, payload, {"content-type": "application/json"})
    r = conn.getresponse()
    if first_byte:
        r.read(1)
        t = time.perf_counter() - t0
        r.read()
    else:
        r.read()
        t = time.perf_counter() - t0
    if r.status != 200:
        raise SystemExit(f"HTTP {r.status} from {path}")
    return t * 1000.0


def percentile(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def side_by_side(up_port, gw_port, n, stream, door="openai"):
    direct, via, diffs = [], [], []
    dc, gc = connect(up_port), connect(gw_port)
    body_d = {"model": "qwen-test", "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    if door == "openai":
        path_g, body_g = "/v1/chat/completions", dict(body_d, model="agentc/bench")
    else:
        # The Anthropic door: the gateway translates both ways.
        path_g = "/v1/messages"
        body_g = {"model": "agentc/bench", "max_tokens": 100, "stream": stream,
                  "messages": [{"role": "user", "content": "hi"}]}
    for i in range(n + 50):
        # Alternate which goes first, so neither always meets a warm cache.
        if i % 2:
            a = once(dc, "/v1/chat/completions", body_d, stream)
            b = once(gc, path_g, body_g, stream)
        else:
            b = once(gc, path_g, body_g, stream)
            a = once(dc, "/v1/chat/completions", body_d, stream)
        if i >= 50:  # warm-up
            direct.append(a)
            via.append(b)
            diffs.append(b - a)
    return direct, via, diffs


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def many_streams(gw_port, upstream, pid, streams):
    results = [None] * streams
    peak_rss = [rss_kib(pid)]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak_rss[0] = max(peak_rss[0], rss_kib(pid))
            time.sleep(0.01)

    def one(i):
        try:
            c = connect(gw_port)
            c.request("POST", "/v1/chat/completions",
                      json.dumps({"model": "agentc/bench", "stream": True, "slow": True,
                                  "messages": [{"role": "user", "content": f"stream {i}"}]}),
                      {"content-type": "application/json"})
            r = c.getresponse()
            text = r.read().decode()
            words = text.count('"content": "w') + text.count('"content":"w')
            results[i] = (r.status, words, text.rstrip().endswith("data: [DONE]"))
        except Exception as e:  # noqa: BLE001 - reported below
            results[i] = ("error", str(e), False)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(streams)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    done.set()
    sampler.join()
    whole = sum(1 for r in results if r[0] == 200 and r[1] == CHUNKS and r[2])
    return whole, elapsed, peak_rss[0], results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "agentc"))
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--streams", type=int, default=500)
    ap.add_argument("--cap", type=int, default=8)
    ap.add_argument("--chunk-delay-ms", type=float, default=5.0)
    args = ap.parse_args()

    up = Upstream(args.chunk_delay_ms / 1000.0)
    tmp = tempfile.TemporaryDirectory()
    root = tmp.name
    os.makedirs(os.path.join(root, ".agents"))
    with open(os.path.join(root, ".agents", "agentc.toml"), "w") as f:
        f.write(f'[providers.lm-studio]\nbase_url = "http://127.0.0.1:{up.port}/v1"\nmax_concurrency = {args.cap}\n')
    with open(os.path.join(root, ".agents", "bench.md"), "w") as f:
        f.write("---\ndescription: Benchmark agent.\nprovider: lm-studio\nmodel: qwen-test\n---\nYou answer.\n")
    gw = subprocess.Popen([args.bin, "gateway", "--no-user", "--port", "0", "--format", "json", "-q"],
                          cwd=root, stdout=subprocess.PIPE, text=True)
    first = json.loads(gw.stdout.readline())
    gw_port = int(first["url"].rsplit(":", 1)[1])
    # Events go to stdout: drain them so the gateway never blocks on a pipe.
    threading.Thread(target=lambda: [None for _ in gw.stdout], daemon=True).start()
    try:
        print(f"load: {open('/proc/loadavg').read().strip()}")
        for door, stream in (("openai", False), ("openai", True), ("anthropic", False), ("anthropic", True)):
            d, v, diff = side_by_side(up.port, gw_port, args.requests, stream, door)
            what = ("first streamed byte" if stream else "non-streaming") + (
                ", translated" if door == "anthropic" else "")
            print(f"{what:32s} direct p50 {statistics.median(d):.3f} ms  gateway p50 {statistics.median(v):.3f} ms  "
                  f"added p50 {statistics.median(diff):.3f} ms (p95 {percentile(diff, 95):.3f} ms) over {len(diff)} pairs")
        idle = rss_kib(gw.pid)
        up.peak = 0
        whole, elapsed, peak, results = many_streams(gw_port, up, gw.pid, args.streams)
        print(f"{args.streams} concurrent streams at cap {args.cap}: {whole}/{args.streams} whole, "
              f"upstream peak in flight {up.peak}, {elapsed:.2f} s; gateway RSS idle {idle / 1024:.1f} MiB, "
              f"peak {peak / 1024:.1f} MiB")
        bad = [r for r in results if not (r[0] == 200 and r[1] == CHUNKS and r[2])]
        if bad:
            print(f"incomplete: {bad[:5]}")
        if whole != args.streams or up.peak > args.cap:
            raise SystemExit(1)
    finally:
        gw.terminate()
        gw.wait(timeout=10)
        tmp.cleanup()


if __name__ == "__main__":
    main()
