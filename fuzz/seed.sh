#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs: the agent files of the
# real-world corpus and the conformance cases, this repository's templates and
# catalogue, and (for the yaml target) the frontmatter cut out of each of
# them. Seeds are named by content hash, so re-running adds nothing twice.
#
#   fuzz/seed.sh [SHARED_DIR]     (default: ../shared beside the repository)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
shared="${1:-$repo/../shared}"
corpus="$here/corpus"
mkdir -p "$corpus"/{split,yaml,config,analyze}

# put TARGET FILE...: copies each file under its SHA-1.
put() {
    local target="$1"
    shift
    for f in "$@"; do
        [ -f "$f" ] || continue
        cp "$f" "$corpus/$target/$(sha1sum <"$f" | cut -c1-40)"
    done
}

markdown=()
while IFS= read -r -d '' f; do markdown+=("$f"); done < <(
    find "$repo/templates" "$repo/agents" "$repo/.agents" -name '*.md' -print0 2>/dev/null
    if [ -d "$shared" ]; then
        find "$shared/corpus" "$shared/conformance" -name '*.md' -print0
    fi
)
toml=()
while IFS= read -r -d '' f; do toml+=("$f"); done < <(
    find "$repo/templates" "$repo/.agents" -name '*.toml' -print0 2>/dev/null
    if [ -d "$shared" ]; then
        find "$shared/conformance" -name '*.toml' -print0
    fi
)
[ -d "$shared" ] || echo "note: $shared not found; seeding from this repository only" >&2

put split "${markdown[@]}"
put analyze "${markdown[@]}"
put config "${toml[@]}"

# The yaml target takes the text between the fences.
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
for f in "${markdown[@]}"; do
    awk 'NR == 1 { sub(/^\xef\xbb\xbf/, ""); sub(/\r$/, ""); if ($0 != "---") exit; next }
         { line = $0; sub(/\r$/, "", line); if (line == "---") exit; print }' "$f" >"$tmp"
    [ -s "$tmp" ] && put yaml "$tmp"
done

for t in split yaml config analyze; do
    echo "$t: $(find "$corpus/$t" -type f | wc -l) seeds"
done
