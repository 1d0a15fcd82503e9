// The JupyterLab extension (lab-extension/) and the project's one tag vocabulary (tools/cells.py)
// agree: every tag has a look and a label in Lab, each look's classes have a rule in the CSS the
// extension ships (the handouts' shared callouts.css and Lab's own lab.css), the callout labels are
// cells.py's, the extension's TypeScript (with the tools/handouts code it bundles) type-checks, and
// the setup installed the built extension where JupyterLab finds it.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { cellLook, leadInSays, looksFor, type Vocabulary } from "../lab-extension/src/tags";
import { ROOT, runInEnv } from "./helpers/project";

function vocabulary(): Vocabulary {
  const r = runInEnv(["python", "-c",
    "import json, sys; sys.path.insert(0, 'tools'); import cells; print(json.dumps({'callouts': cells.CALLOUTS, 'tags': sorted(cells.TAGS)}))"]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Vocabulary;
}

const css = ["tools/handouts/callouts.css", "lab-extension/style/lab.css"].map((f) => readFileSync(path.join(ROOT, f), "utf8")).join("\n");
const styledClasses = new Set([...css.matchAll(/\.([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));

describe("lab-extension and tools/cells.py", () => {
  const vocab = vocabulary();
  const looks = looksFor(vocab);

  it("gives every tag of the vocabulary, and no other, a look with a label and CSS rules", () => {
    expect(Object.keys(looks).sort()).toEqual([...vocab.tags].sort());
    for (const [tag, look] of Object.entries(looks)) {
      expect(look.label, tag).not.toBe("");
      const own = look.classes.filter((c) => c !== "callout");
      const styled = own.some((c) => styledClasses.has(c)) || styledClasses.has(`kl-tag-${tag}`);
      expect(styled, `a CSS rule for the look of tag "${tag}" (${look.classes.join(", ")})`).toBe(true);
    }
    for (const [tag, label] of Object.entries(vocab.callouts)) {
      expect(looks[tag]).toEqual({ classes: ["callout", `callout-${tag}`], label });
      expect(css, `callout colour of "${tag}"`).toMatch(new RegExp(`\\.callout-${tag} \\{ --c: var\\(--${tag}\\)`));
    }
    expect(cellLook(["story", "not-a-tag"], "Alex walked in.", looks)).toEqual({ classes: ["kl-tag-story", "callout", "callout-story"], label: "Story" });
  });

  it("labels a callout once, as the handouts do (no label over its own bold lead-in)", () => {
    expect(leadInSays("**Pause and think (2 minutes).** Why?", "pause")).toBe(true);
    expect(leadInSays("**Quick debate.** Shadow or nested?", "debate")).toBe(true);
    expect(leadInSays("**What if** the CTO…", "what-if")).toBe(true);
    expect(leadInSays("Alex opened the **pause** menu", "pause")).toBe(false);
    expect(cellLook(["pause"], "**Pause and think.** Why?", looks).label).toBe("");
    expect(cellLook(["teacher"], "**Teacher notes.** …", looks).label).toBe("Teacher notes");
  });

  it("type-checks under the project's strict TypeScript (esbuild, which builds it, does not check)", () => {
    const r = runInEnv(["node", "node_modules/typescript/bin/tsc", "-p", "lab-extension/tsconfig.json", "--noEmit"]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 120_000);

  it("is installed, built, where the environment's JupyterLab loads extensions from", () => {
    const r = runInEnv(["bash", "-c", 'echo "$VENV"']);
    const installed = path.join(r.stdout.trim(), "share/jupyter/labextensions/computropolis-lab/package.json");
    expect(existsSync(installed), `${installed} (run npm run setup)`).toBe(true);
    const meta = JSON.parse(readFileSync(installed, "utf8")) as { jupyterlab: { _build?: Record<string, string> } };
    expect(meta.jupyterlab._build).toMatchObject({ extension: "./extension", mimeExtension: "./mimeExtension", style: "./style" });
  });
});
