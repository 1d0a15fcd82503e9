#!/usr/bin/env node
/**
 * Compiles the WebAssembly core (mmu-core.ts, AssemblyScript) to kernel-lib/dist/wasm/mmu-core.wasm,
 * which mmu/wasm-loop.ts loads. Part of `npm run build` and `npm run setup`; skipped when the
 * output is newer than its sources (a couple of seconds saved on every build).
 *
 * Flags: -O3 (speed); --runtime stub and no allocation (the core allocates nothing); the memory
 * is imported (it is the host's PhysicalMemory, see physical-memory.ts); --noAssert and
 * --use abort= (no assertions to trap on, so no abort import and no message strings).
 */
"use strict";
const { execFileSync } = require("node:child_process");
const { mkdirSync, statSync } = require("node:fs");
const path = require("node:path");

const here = __dirname;
const root = path.resolve(here, "..", "..");
const out = path.resolve(here, "..", "dist", "wasm", "mmu-core.wasm");
const sources = [path.join(here, "mmu-core.ts"), path.resolve(here, "..", "src", "mmu", "wasm-layout.ts"), __filename];
const mtime = (f) => {
  try {
    return statSync(f).mtimeMs;
  } catch {
    return -1;
  }
};
if (!process.argv.includes("--force") && mtime(out) > Math.max(...sources.map(mtime))) process.exit(0);
mkdirSync(path.dirname(out), { recursive: true });
const asc = path.join(root, "node_modules", "assemblyscript", "bin", "asc.js");
execFileSync(process.execPath, [asc, path.join(here, "mmu-core.ts"), "--outFile", out, "-O3", "--runtime", "stub", "--importMemory", "--noAssert", "--use", "abort="], { stdio: "inherit", cwd: root });
