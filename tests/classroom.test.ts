// Classroom scale (docs/classroom.md): the repo2docker configuration builds a working TypeScript
// kernel in a fresh environment, repo2docker accepts it, and N students at once fit the sizing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { ROOT, runInEnv } from "./helpers/project";

const MAX_SIMULATED = 6; // students at once on this 2-core machine (tools/classroom/measure.py)
const WELCOME = "notebooks/00-welcome.ipynb";

let work = ""; // temp folder: repo/ (a copy of the working tree), env/ (a fresh Python prefix), home/
let repo = "";
let prefix = "";

/** The machine's environment without the project's (scripts/env.sh) paths and Jupyter dirs. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(JUPYTER|JUPYTERLAB|COMPUTROPOLIS|VENV|ROOT$|NB_|npm_)/.test(k)) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((p) => !p.startsWith(ROOT))
    .join(":");
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Jupyter pointed at the fresh prefix only: its own config/data/runtime dirs under `work`. */
function prefixEnv(): NodeJS.ProcessEnv {
  return cleanEnv({
    PATH: `${prefix}/bin:${cleanEnv().PATH}`,
    JUPYTER_CONFIG_DIR: path.join(work, "jupyter", "config"),
    JUPYTER_DATA_DIR: path.join(work, "jupyter", "data"),
    JUPYTER_RUNTIME_DIR: path.join(work, "jupyter", "runtime"),
  });
}

/** What repo2docker's build does: NB_PYTHON_PREFIX set, its bin first on PATH, then binder/postBuild. */
function postBuild() {
  return run("bash", ["binder/postBuild"], {
    cwd: repo,
    // the machine's warm download caches (postBuild keeps caches out of an image unless told where)
    env: cleanEnv({
      NB_PYTHON_PREFIX: prefix,
      PATH: `${prefix}/bin:${cleanEnv().PATH}`,
      npm_config_cache: path.join(homedir(), ".npm"),
      PIP_CACHE_DIR: path.join(homedir(), ".cache", "pip"),
    }),
    timeoutMs: 600_000,
  });
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "computropolis-classroom-"));
  repo = path.join(work, "repo");
  prefix = path.join(work, "env");
  // A copy of the working tree as git sees it (tracked and new files; nothing ignored: no
  // node_modules, .venv, build or kernel-lib/dist), like the checkout repo2docker builds from.
  const files = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]).stdout.split("\0");
  for (const f of files) {
    if (!f || !existsSync(path.join(ROOT, f))) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(repo, f));
  }
  const venv = run("python3", ["-m", "venv", prefix], { env: cleanEnv() });
  expect(venv.status, venv.out).toBe(0);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("binder/postBuild (repo2docker's build step) in a fresh Python prefix", () => {
  it("installs the pinned requirements, builds kernel-lib and registers the tslab kernel in the prefix", () => {
    expect(existsSync(path.join(repo, "node_modules")), "the copy starts without node_modules").toBe(false);
    const r = postBuild();
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("installing the pinned Jupyter packages into " + prefix);
    // The same pins as requirements.txt, now in the prefix.
    const jl = run(path.join(prefix, "bin", "python"), ["-c", "import jupyterlab, nbclient; print(jupyterlab.__version__, nbclient.__version__)"]);
    const pin = (name: string) => readFileSync(path.join(ROOT, "requirements.txt"), "utf8").match(new RegExp(`^${name}==(.+)$`, "m"))![1];
    expect(jl.stdout.trim()).toBe(`${pin("jupyterlab")} ${pin("nbclient")}`);
    // The kernelspec sits in the prefix (every user of that environment sees it), pointing into the copy.
    const spec = JSON.parse(readFileSync(path.join(prefix, "share/jupyter/kernels/tslab/kernel.json"), "utf8"));
    expect(spec.argv.slice(0, 3)).toEqual([expect.stringMatching(/node$/), path.join(repo, "node_modules/tslab/bin/tslab"), "kernel"]);
    expect(existsSync(path.join(repo, "kernel-lib/dist/index.js")), "kernel-lib built").toBe(true);
    const list = run(path.join(prefix, "bin", "jupyter"), ["kernelspec", "list"], { env: prefixEnv() });
    expect(list.stdout).toMatch(new RegExp(`tslab\\s+${prefix}/share/jupyter/kernels/tslab`));
    // JupyterLab in the prefix has the Plotly renderer the lessons' charts need.
    const ext = run(path.join(prefix, "bin", "jupyter"), ["labextension", "list"], { env: prefixEnv() });
    expect(ext.out).toMatch(/jupyterlab-plotly.*enabled/);
    // ... and the kit's own extension (playground sliders, callouts), built by setup.sh into the prefix.
    expect(ext.out).toMatch(/computropolis-lab v[\d.]+ .*enabled.*OK/);
    expect(existsSync(path.join(prefix, "share/jupyter/labextensions/computropolis-lab/package.json"))).toBe(true);
    // ... and nbgrader's Validate for TypeScript notebooks, configured in the prefix's etc/jupyter,
    // which nbgrader reads for every user: the config loads and swaps in the tslab execution.
    const nbcfg = readFileSync(path.join(prefix, "etc/jupyter/nbgrader_config.py"), "utf8");
    expect(nbcfg).toContain(path.join(repo, "tools/grading"));
    const validator = run(path.join(prefix, "bin", "python"), ["-c",
      "from nbgrader.apps import NbGrader; from nbgrader.validator import Validator; from jupyter_core.paths import jupyter_config_path; " +
      "a = NbGrader(); a.config_file_paths.append(jupyter_config_path()); a.load_config_file(); " +
      "print([p.__name__ for p in Validator(config=a.config).preprocessors])"], { env: prefixEnv() });
    expect(validator.stdout.trim(), validator.out).toBe("['CheckCellMetadata', 'ClearOutput', 'TslabValidateExecute']");
    // The image serves students: nbgrader's teacher tools are off in the prefix (scripts/student-image.sh),
    // the students' own (assignment list, Validate) stay.
    expect(ext.out).toMatch(/Disabled extensions:\s+@jupyter\/nbgrader:course-list\s+@jupyter\/nbgrader:create-assignment\s+@jupyter\/nbgrader:formgrader\s/);
    const servers = run(path.join(prefix, "bin", "jupyter"), ["server", "extension", "list"], { env: prefixEnv() });
    expect(servers.out).toMatch(/nbgrader\.server_extensions\.formgrader \S*disabled/);
    expect(servers.out).toMatch(/nbgrader\.server_extensions\.course_list \S*disabled/);
    expect(servers.out).toMatch(/nbgrader\.server_extensions\.assignment_list \S*enabled/);
    expect(servers.out).toMatch(/nbgrader\.server_extensions\.validate_assignment \S*enabled/);
    // Nothing was written to the project's own venv or kernelspec.
    expect(readFileSync(path.join(ROOT, ".venv/share/jupyter/kernels/tslab/kernel.json"), "utf8")).toContain(ROOT);
  });

  it("a second run changes nothing and prints nothing", () => {
    const t0 = Date.now();
    const r = postBuild();
    expect(r.status, r.out).toBe(0);
    expect(r.out).toBe("");
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it("a lesson notebook runs through the registered kernel (Jupyter from the prefix, the copy's runner)", () => {
    const r = run(path.join(prefix, "bin", "python"), ["tools/nbexec.py", WELCOME], { cwd: repo, env: prefixEnv() });
    expect(r.out, r.out).toMatch(/^ok /m);
    expect(r.status).toBe(0);
  });

  it("a student's copy in a home folder imports kernel-lib through the /home/node_modules link of the hub guide", () => {
    const home = path.join(work, "home");
    const lessons = path.join(home, "alice", "computropolis", "notebooks");
    mkdirSync(lessons, { recursive: true });
    cpSync(path.join(repo, WELCOME), path.join(lessons, "00-welcome.ipynb"));
    const student = path.join(lessons, "00-welcome.ipynb");
    // Without the link the copy cannot see the kit's node_modules...
    const before = run(path.join(prefix, "bin", "python"), [path.join(repo, "tools/nbexec.py"), student], { env: prefixEnv() });
    expect(before.status).toBe(1);
    expect(before.stdout).toContain("Cannot find module 'kernel-lib'");
    // ...with it (docs/classroom.md; tools/classroom/hub-image.appendix does the same in an image) it runs.
    symlinkSync(path.join(repo, "node_modules"), path.join(home, "node_modules"));
    const after = run(path.join(prefix, "bin", "python"), [path.join(repo, "tools/nbexec.py"), student], { env: prefixEnv() });
    expect(after.out, after.out).toMatch(/^ok /m);
    expect(after.status).toBe(0);
  });

});

describe("repo2docker (pinned, from PyPI, in its own venv under build/) accepts the configuration", () => {
  function dockerfile(extra: string[] = []) {
    // --no-build prints the Dockerfile without a container engine; uid 1000 as on mybinder.org.
    const r = run("bash", ["tools/classroom/repo2docker.sh", "--no-build", "--debug", "--user-id", "1000",
      "--user-name", "jovyan", ...extra, repo], { env: cleanEnv(), timeoutMs: 300_000 });
    expect(r.status, r.out).toBe(0);
    return r;
  }

  it("uses binder/: Python 3.11 and Node.js 20 from conda-forge, then postBuild (root files ignored)", () => {
    const r = dockerfile();
    expect(r.stderr).toContain("Building conda environment for python=3.11");
    const d = r.stdout;
    const envUpdate = d.indexOf('env update -p ${NB_PYTHON_PREFIX} --file "binder/environment.yml"');
    const copyRepo = d.indexOf("COPY --chown=1000:1000 src/ ${REPO_DIR}/");
    const post = d.indexOf("RUN ./binder/postBuild");
    expect(envUpdate, d).toBeGreaterThan(0);
    expect(copyRepo).toBeGreaterThan(envUpdate);
    expect(post).toBeGreaterThan(copyRepo); // postBuild sees the whole repository
    expect(d).not.toMatch(/pip install[^\n]*requirements\.txt/); // only postBuild (setup.sh) installs them
    const envYml = readFileSync(path.join(ROOT, "binder/environment.yml"), "utf8");
    expect(envYml).toMatch(/^\s+- nodejs=20$/m);
    expect(envYml).toMatch(/^\s+- python=3\.11$/m);
    expect(readFileSync(path.join(ROOT, "binder/postBuild"), "utf8")).toContain("bash scripts/setup.sh");
  });

  it("the Zero-to-JupyterHub variant links the kit's node_modules at /home after postBuild", () => {
    const appendix = readFileSync(path.join(ROOT, "tools/classroom/hub-image.appendix"), "utf8");
    const d = dockerfile(["--target-repo-dir", "/srv/computropolis", "--appendix", appendix]).stdout;
    const link = d.indexOf('RUN ln -s "${REPO_DIR}/node_modules" /home/node_modules');
    expect(link).toBeGreaterThan(d.indexOf("RUN ./binder/postBuild"));
    expect(d.slice(link)).toMatch(/USER \$\{NB_USER\}/); // back to the notebook user
  });

  it("the pinned requirements resolve together with repo2docker's base environment (JupyterHub 5 …) and nbgitpuller", () => {
    // The packages repo2docker puts in every image's notebook environment before postBuild runs
    // pip over them (its conda/environment.yml; conda-forge names mapped to PyPI).
    const [baseYml] = run("bash", ["-c", "ls build/repo2docker-*/lib/python3*/site-packages/repo2docker/buildpacks/conda/environment.yml"]).stdout.trim().split("\n");
    const base = [...readFileSync(path.join(ROOT, baseYml), "utf8").matchAll(/^\s+- ([\w-]+==[\d.*]+)/gm)]
      .map((m) => m[1].replace(/^jupyterhub-singleuser==/, "jupyterhub=="));
    expect(base).toContain("jupyterhub==5.*");
    const nbgitpuller = readFileSync(path.join(ROOT, "binder/environment.yml"), "utf8").match(/- (nbgitpuller==[\d.]+)/)![1];
    const r = run(path.join(prefix, "bin", "pip"), ["install", "--dry-run", "--quiet", "--disable-pip-version-check",
      "-r", path.join(ROOT, "requirements.txt"), ...base, nbgitpuller], { env: prefixEnv() });
    expect(r.status, r.out).toBe(0);
  });
});

describe("many students on one machine", () => {
  const measured = JSON.parse(readFileSync(path.join(ROOT, "tools/classroom/measured.json"), "utf8"));

  it("docs/classroom.md shows the measured tables of tools/classroom/measured.json", () => {
    const r = runInEnv(["python", "tools/classroom/measure.py", "--markdown", "tools/classroom/measured.json"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = readFileSync(path.join(ROOT, "docs/classroom.md"), "utf8");
    expect(doc, "re-run: python tools/classroom/measure.py --json tools/classroom/measured.json --write-doc docs/classroom.md").toContain(r.stdout.trim());
  });

  it("N students at once (N = the guide's 2-core / 8 GB claim, at most 6) all finish clean within the claimed memory", () => {
    const claim = Number(runInEnv(["python", "-c",
      "import json,sys; sys.path.insert(0,'tools/classroom'); import measure; print(measure.claim(json.load(open('tools/classroom/measured.json'))))"]).stdout);
    expect(claim).toBeGreaterThan(0);
    const n = Math.min(claim, MAX_SIMULATED);
    const out = path.join(ROOT, "build", "classroom-concurrent.json");
    mkdirSync(path.dirname(out), { recursive: true });
    const r = runInEnv(["python", "tools/classroom/measure.py", "--concurrent", String(n), "--json", out]);
    const result = JSON.parse(readFileSync(out, "utf8"));
    console.log(`[classroom] ${n} students at once: ${result.wall_s} s, peak kernel RSS ${result.peak_kernels_rss_mb} MB ` +
      `(${result.peak_rss_per_kernel_mb} MB per kernel), PSS ${result.peak_kernels_pss_mb} MB`);
    expect(result.results.every((line: string) => line.startsWith("ok ")), result.results.join("\n")).toBe(true);
    expect(r.status).toBe(0);
    expect(result.students).toBe(n);
    // The guide sizes every kernel at the heaviest lesson's measured peak; N kernels must fit in that.
    const kernelMb = Math.ceil(Math.max(...measured.lessons.map((l: { peak_rss_mb: number }) => l.peak_rss_mb)));
    expect(result.peak_kernels_rss_mb, "kernels heavier than the sizing in docs/classroom.md: re-run tools/classroom/measure.py")
      .toBeLessThanOrEqual(n * kernelMb);
  });
});
