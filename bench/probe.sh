#!/usr/bin/env bash
# How long `agentc providers --probe` takes when one endpoint accepts the
# connection and never answers, one refuses, and one answers as vLLM.
# The goal: the whole probe ends in about a second (under 2 s), whatever
# the dead endpoints do.
#
# usage: bench/probe.sh [path/to/agentc]   (default: target/release/agentc)
# Uses hyperfine when installed (apt-get install hyperfine), else times
# RUNS runs itself and prints the median. Needs python3 for the servers.
set -euo pipefail

BIN=${1:-target/release/agentc}
RUNS=${RUNS:-10}
[ -x "$BIN" ] || { echo "no binary at $BIN; run: cargo build --release" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

WORK=$(mktemp -d)
SERVERS_PID=
cleanup() {
    [ -n "$SERVERS_PID" ] && kill "$SERVERS_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Three endpoints on 127.0.0.1: a hanging socket, a vLLM listing, and a
# port that was bound and released (refused). Ports go to a file.
python3 - "$WORK/ports" <<'PY' &
import http.server, socket, sys, threading

hang = socket.socket(); hang.bind(("127.0.0.1", 0)); hang.listen(64)
held = []
def accept_forever():
    while True:
        conn, _ = hang.accept()
        held.append(conn)          # never read, never answered
threading.Thread(target=accept_forever, daemon=True).start()

class Vllm(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        body = (b'{"object":"list","data":[{"id":"Qwen/Qwen2.5-7B-Instruct","object":"model",'
                b'"owned_by":"vllm","max_model_len":32768}]}') if self.path == "/v1/models" else b'{"error":"not found"}'
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
vllm = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Vllm)

gone = socket.socket(); gone.bind(("127.0.0.1", 0)); refused = gone.getsockname()[1]; gone.close()

with open(sys.argv[1], "w") as f:
    f.write(f"{hang.getsockname()[1]} {vllm.server_address[1]} {refused}\n")
vllm.serve_forever()
PY
SERVERS_PID=$!
for _ in $(seq 50); do [ -s "$WORK/ports" ] && break; sleep 0.1; done
read -r HANG VLLM REFUSED < "$WORK/ports"

mkdir -p "$WORK/project/.agents" "$WORK/user"
cat > "$WORK/project/.agents/agentc.toml" <<TOML
[providers.vllm]
base_url = "http://127.0.0.1:$VLLM/v1"

[providers.lm-studio]
base_url = "http://127.0.0.1:$HANG/v1"

[providers.llama-cpp]
base_url = "http://127.0.0.1:$REFUSED/v1"

[providers.ollama]
base_url = "http://127.0.0.1:$REFUSED/v1"
TOML

cd "$WORK/project"
export AGENTC_USER_DIR="$WORK/user"
echo "one probe, for the record:"
"$BIN" providers --probe --format json | python3 -c '
import json, sys
for p in json.load(sys.stdin)["providers"]:
    what = p.get("error") or p.get("server")
    print("  %-10s reachable=%-5s %s" % (p["id"], p["reachable"], what))'

CMD="$BIN providers --probe --format json"
if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs "$RUNS" --export-json "$WORK/h.json" "$CMD" >/dev/null
    python3 - "$WORK/h.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"][0]["times"]
print(f"probe with one hanging endpoint: median {statistics.median(r)*1000:.0f} ms, "
      f"max {max(r)*1000:.0f} ms over {len(r)} runs (hyperfine)")
PY
else
    python3 - "$RUNS" $CMD <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
    times.append(time.perf_counter() - t)
print(f"probe with one hanging endpoint: median {statistics.median(times)*1000:.0f} ms, "
      f"max {max(times)*1000:.0f} ms over {runs} runs")
PY
fi
