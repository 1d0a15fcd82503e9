// Builds the prebuilt ("federated") JupyterLab extension into lab-extension/labextension/:
//   1. reads the tag vocabulary from tools/cells.py (one vocabulary for tidy, handouts, grading, Lab);
//   2. esbuild bundles src/ (TypeScript, with kernel-lib's playgrounds and tools/handouts/'s plot and
//      slider code from source, as the handouts' bundle.mjs does) into lib/, leaving JupyterLab's and
//      Lumino's packages and plotly.js to step 3;
//   3. @jupyterlab/builder (webpack module federation) makes the labextension against the core
//      package list of the JupyterLab that will load it (--core-path: the venv's jupyterlab/staging),
//      sharing Lab's own @jupyterlab/* and @lumino/* and loading plotly.js as a lazy chunk.
// Usage: node lab-extension/build.mjs <python of the Jupyter environment>
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const python = process.argv[2] ?? "python3";

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) throw new Error(`lab-extension: ${cmd} ${args.join(" ")} failed (exit ${r.status})`);
  return r.stdout;
}

const vocabulary = run(python, ["-c",
  "import json, sys; sys.path.insert(0, 'tools'); import cells; print(json.dumps({'callouts': cells.CALLOUTS, 'tags': sorted(cells.TAGS)}))"]);
const corePath = run(python, ["-c",
  "import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), 'staging'))"]).trim();

await build({
  entryPoints: { index: path.join(here, "src/index.ts"), mime: path.join(here, "src/mime.ts") },
  outdir: path.join(here, "lib"), bundle: true, format: "esm", platform: "browser", target: "es2020",
  minify: true, legalComments: "none", logLevel: "warning", absWorkingDir: root,
  external: ["@jupyterlab/*", "@lumino/*", "plotly.js-basic-dist-min"],
  define: { CELL_TAGS: vocabulary.trim() },
});

const builder = path.join(root, "node_modules/@jupyterlab/builder/lib/build-labextension.js");
const r = spawnSync(process.execPath, [builder, "--core-path", corePath, here], { cwd: root, stdio: "inherit" });
if (r.status !== 0) {
  console.error("lab-extension: @jupyterlab/builder failed");
  process.exit(1);
}
