#!/usr/bin/env bash
# Measures, per folder of the real-world corpus, what `agentc import` makes
# of it (files imported cleanly, with fields kept as extensions, with losses,
# and which fields) and how many findings `agentc check --fix` fixes. Works
# on copies in a temporary folder; the corpus is never changed.
#
#   bench/corpus-interop.sh [CORPUS] [AGENTC]
#   (defaults: ../shared/corpus and target/release/agentc)
set -euo pipefail
CORPUS=$(cd "${1:-../shared/corpus}" && pwd)
AGENTC=$(realpath "${2:-target/release/agentc}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
printf '%-46s %8s %7s %7s %7s %6s  %s\n' folder imported skipped clean kept lossy "fixed (files)"
for spec in wshobson__agents:claude VoltAgent__awesome-claude-code-subagents:claude \
  0xfurai__claude-code-subagents:claude lst97__claude-code-sub-agents:claude \
  vijaythecoder__awesome-claude-agents:claude diet103__claude-code-infrastructure-showcase:claude \
  github__awesome-copilot:copilot darrenhinde__OpenAgentsControl:opencode; do
  folder=${spec%%:*}; dialect=${spec##*:}
  [ -d "$CORPUS/$folder" ] || continue
  "$AGENTC" --no-user --format json import --from "$dialect" "$CORPUS/$folder" \
    --out "$WORK/$folder/.agents" > "$WORK/$folder.json" 2>/dev/null || true
  cp -r "$CORPUS/$folder" "$WORK/$folder-copy"
  fixed=$("$AGENTC" --no-user check --dialect "$dialect" "$WORK/$folder-copy" --fix \
    --format short 2>&1 >/dev/null | sed -n 's/^Fixed \([0-9]*\) findings\{0,1\} in \([0-9]*\) files\{0,1\}\./\1 (\2)/p' || true)
  python3 - "$WORK/$folder.json" "$folder" "$fixed" <<'PY'
import collections, json, sys
report, folder, fixed = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
clean = kept = lossy = 0
fields = {k: collections.Counter() for k in ("lost", "approximated", "kept")}
for agent in report["agents"]:
    kinds = {n["kind"] for n in agent["notes"]}
    if "lost" in kinds:
        lossy += 1
    elif kinds:
        kept += 1
    else:
        clean += 1
    for n in agent["notes"]:
        fields[n["kind"]][n["field"]] += 1
print(f"{folder:<46} {len(report['agents']):>8} {len(report['skipped']):>7} {clean:>7} {kept:>7} {lossy:>6}  {fixed}")
for kind, counter in fields.items():
    if counter:
        print(f"{'':<4}{kind}: " + ", ".join(f"{f} {n}" for f, n in counter.most_common()))
PY
done
