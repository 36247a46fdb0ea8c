#!/usr/bin/env node
// Runs the agentc binary that the platform package for this machine carries
// (`@agentc/<platform>-<arch>`, an optional dependency: npm installs only the
// one whose `os`, `cpu` and `libc` match). Nothing is downloaded at install.
"use strict";

const { spawnSync } = require("child_process");
const path = require("path");

function platformPackage() {
  let name = `${process.platform}-${process.arch}`;
  if (process.platform === "linux") {
    const report = process.report && process.report.getReport();
    const glibc = report && report.header && report.header.glibcVersionRuntime;
    if (!glibc) name += "-musl";
  }
  return `@agentc/${name}`;
}

function binaryPath() {
  const pkg = platformPackage();
  const exe = process.platform === "win32" ? "agentc.exe" : "agentc";
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "bin", exe);
  } catch (_) {
    process.stderr.write(
      `agentc: no prebuilt binary for this platform: ${pkg} is not installed.\n` +
        "  Reinstall without --omit=optional / --no-optional, or install from\n" +
        "  source with `cargo install agentc` (see docs/install.md).\n",
    );
    process.exit(2);
  }
}

const result = spawnSync(binaryPath(), process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  process.stderr.write(`agentc: ${result.error.message}\n`);
  process.exit(2);
}
if (result.signal) {
  // End the same way the binary did, so that a shell sees the signal.
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 2 : result.status);
