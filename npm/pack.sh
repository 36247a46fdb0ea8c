#!/usr/bin/env bash
# Builds the npm packages of agentc from a built binary and packs them:
#   agentc-<version>.tgz              the launcher (`bin: agentc`)
#   agentc-<platform>-<version>.tgz   @agentc/<platform>, carrying the binary
# The platform is this machine's (`linux-x64` here); the launcher lists every
# platform package as an optional dependency and npm installs the one that
# matches. Nothing is generated in the repository: the packages are assembled
# in a temporary folder.
#
# usage: npm/pack.sh [BINARY] [OUT_DIR]
#   BINARY   default target/release/agentc (build it first)
#   OUT_DIR  default target/npm
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/target/release/agentc}")
out=$(mkdir -p "${2:-$root/target/npm}" && cd "${2:-$root/target/npm}" && pwd)
[ -x "$bin" ] || { echo "pack.sh: no binary at $bin (cargo build --release)" >&2; exit 2; }

version=$(sed -n '/^\[package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$root/Cargo.toml")
read -r platform os cpu libc < <(node -e '
const r = process.report.getReport();
const musl = process.platform === "linux" && !r.header.glibcVersionRuntime;
const libc = process.platform !== "linux" ? "-" : musl ? "musl" : "glibc";
console.log(`${process.platform}-${process.arch}${musl ? "-musl" : ""}`, process.platform, process.arch, libc);')
exe=agentc
[ "$os" = win32 ] && exe=agentc.exe

# The committed launcher must name this version and this platform package.
node -e '
const p = require(process.argv[1]);
const [version, dep] = process.argv.slice(2);
if (p.version !== version) throw new Error(`npm/agentc/package.json says ${p.version}, Cargo.toml ${version}`);
if (p.optionalDependencies[dep] !== version) throw new Error(`npm/agentc/package.json: optionalDependencies lacks ${dep}@${version}`);
' "$root/npm/agentc/package.json" "$version" "@agentc/$platform"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The launcher package, as committed, with the README and licences.
cp -r "$root/npm/agentc" "$work/agentc"
cp "$root/README.md" "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$work/agentc/"

# The platform package: the binary (stripped) and a package.json.
mkdir -p "$work/platform/bin"
if command -v strip >/dev/null && [ "$os" != win32 ]; then
  strip -o "$work/platform/bin/$exe" "$bin"
else
  cp "$bin" "$work/platform/bin/$exe"
fi
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$work/platform/"
node -e '
const [name, version, os, cpu, libc, exe] = process.argv.slice(1);
const pkg = {
  name, version,
  description: `The agentc binary for ${os}-${cpu}${libc === "-" ? "" : ` (${libc})`}; installed by the agentc package.`,
  license: "MIT OR Apache-2.0",
  os: [os], cpu: [cpu],
  ...(libc === "-" ? {} : { libc: [libc] }),
  files: [`bin/${exe}`],
  preferUnplugged: true,
};
process.stdout.write(JSON.stringify(pkg, null, 2) + "\n");
' "@agentc/$platform" "$version" "$os" "$cpu" "$libc" "$exe" > "$work/platform/package.json"
printf '# @agentc/%s\n\nThe agentc binary for %s. Install `agentc` instead; it depends on this package.\n' \
  "$platform" "$platform" > "$work/platform/README.md"

for pkg in agentc platform; do
  (cd "$work/$pkg" && npm pack --silent --pack-destination "$out" >/dev/null)
done
ls "$out"/agentc-"$version".tgz "$out"/agentc-"$platform"-"$version".tgz
