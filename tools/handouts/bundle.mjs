// Bundles the handout's browser code with esbuild and prints what the Python builder needs:
//   { "runtime": "<minified IIFE: chart drawing + playground sliders + kernel-lib's playgrounds>",
//     "catalog": { name: { title, description, params } } }
// The runtime imports kernel-lib/src/playgrounds from SOURCE with platform "browser": a playground
// that pulls in a Node-only module (node:fs, display/show.ts's tslab hook) fails the build here,
// by name, instead of failing in the reader's browser.
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

async function bundle(entry, platform, format) {
  const r = await build({
    entryPoints: [entry], bundle: true, write: false, platform, format, target: "es2020",
    minify: platform === "browser", legalComments: "none", logLevel: "silent", absWorkingDir: root,
    // Anything Node-only is an error in the browser bundle, never a silent shim.
    external: [],
  });
  return r.outputFiles[0].text;
}

try {
  const runtime = await bundle(path.join(here, "runtime.ts"), "browser", "iife");
  // The catalog, from the same source (not kernel-lib/dist, which may be stale).
  const cjs = await bundle(path.join(root, "kernel-lib/src/playgrounds/index.ts"), "node", "cjs");
  const mod = { exports: {} };
  new Function("module", "exports", "require", cjs)(mod, mod.exports, createRequire(import.meta.url));
  const catalog = mod.exports.playgroundCatalog();
  process.stdout.write(JSON.stringify({ runtime, catalog }));
} catch (e) {
  const errors = e.errors ?? [];
  const lines = errors.length
    ? errors.map((m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ""}${m.text}`)
    : [String(e?.stack ?? e)];
  process.stderr.write(`handouts: bundling the playground runtime failed (playgrounds must be browser-safe):\n${lines.join("\n")}\n`);
  process.exit(1);
}
