#!/usr/bin/env bash
# First-install time of every way to install agentc, on this machine, from
# the packages built from this checkout (nothing is fetched but what each
# route itself fetches: pip and npm are pointed at the local files).
#
# usage: bench/install.sh [--slow] [RUNS]
#   RUNS    repetitions of each fast route (default 3; the median is printed)
#   --slow  also the two source routes, once each, from cold: the
#           `language: rust` pre-commit hook and `cargo install --path .
#           --offline` from a vendored registry (minutes each)
# Needs target/packages/ from `.ci/packages.py wheel` and `.ci/packages.py
# npm`, and maturin, pre-commit, node and npm on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
slow=0
[ "${1:-}" = --slow ] && { slow=1; shift; }
runs=${1:-3}
wheels="$root/target/packages/wheels"
tarballs=("$root"/target/packages/npm/*.tgz)
[ -d "$wheels" ] && [ -f "${tarballs[0]}" ] || { echo "build the packages first (.ci/packages.py wheel; .ci/packages.py npm)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# seconds NAME COMMAND...: runs COMMAND in a fresh $work/run, prints its wall time.
seconds() {
  rm -rf "$work/run" && mkdir -p "$work/run"
  local start end
  start=$(date +%s.%N)
  (cd "$work/run" && "$@") >"$work/log" 2>&1 || { cat "$work/log" >&2; echo "failed: $*" >&2; exit 1; }
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'; }
report() { printf '%-58s %8s s   (%s)\n' "$1" "$2" "$3"; }

broken_repo() {
  git init -q . && mkdir .agents
  printf -- '---\nname: review\nmodel: lm-studio/qwen\n---\nYou review.\n' > .agents/review.md
  git add -A
}
pip_wheel() { python3 -m venv venv && venv/bin/pip install -q --no-index --find-links "$wheels" agentc && venv/bin/agentc --version; }
npm_global() { npm install -g --prefix prefix --offline --cache cache --no-audit --no-fund "${tarballs[@]}" && prefix/bin/agentc --version; }
npm_project() { npm install --offline --cache cache --no-audit --no-fund "${tarballs[@]}" && npx --offline agentc --version; }
hook() { # hook ID: first run of a hook in a fresh pre-commit home (exit 1: the broken file)
  broken_repo
  local status=0
  PRE_COMMIT_HOME="$PWD/home" PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheels" pre-commit try-repo "$root" "$1" --all-files || status=$?
  [ "$status" = 1 ]
}
cargo_vendored() {
  (cd "$root" && cargo vendor --locked --versioned-dirs "$work/run/vendor") > vendored.toml
  (cd "$root" && cargo install --path . --offline --locked --root "$work/run/root" \
    --target-dir "$work/run/target" --config "$work/run/vendored.toml")
  root/bin/agentc --version
}

echo "load before: $(uptime)"
for route in "pip: new venv + install the wheel|pip_wheel" \
             "npm: install -g into a new prefix|npm_global" \
             "npm: install into a new project, npx agentc|npm_project" \
             "pre-commit: agentc-check-wheel (language: python)|hook agentc-check-wheel"; do
  name=${route%%|*}; cmd=${route#*|}
  times=$(for _ in $(seq "$runs"); do seconds $cmd; done)
  report "$name" "$(echo "$times" | median)" "median of $runs: $(echo $times)"
done
if [ "$slow" = 1 ]; then
  report "pre-commit: agentc-check (language: rust), cold" "$(seconds hook agentc-check)" "1 run"
  report "cargo install --path . --offline (vendored), cold" "$(seconds cargo_vendored)" "1 run"
fi
echo "load after: $(uptime)"
