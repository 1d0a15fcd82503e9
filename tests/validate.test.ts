// nbgrader's Validate on our TypeScript notebooks, through the real `nbgrader validate` command
// (the same Validator JupyterLab's Validate button runs): it reports pass/fail per test cell with
// the cell's own feedback, not a Python traceback ending in KeyError: 'ename' (tslab's error
// replies carry no ename). The configuration comes from the environment's etc/jupyter, written
// by scripts/setup.sh, as it would on Binder or a hub, so nothing is passed on the command line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT, runInEnv } from "./helpers/project";
import { LEAF_FIRST, ROOT_FIRST } from "./helpers/student-answers";

const DIR = path.join(ROOT, "build", "validate-test"); // under the project, so `kernel-lib` resolves
const LESSON = "03-mmu-virtualization.ipynb";

interface Cell { cell_type: string; source: string | string[]; metadata: { nbgrader?: { grade_id?: string } } }
const src = (c: Cell) => ([] as string[]).concat(c.source).join("");

const NESTED = `function nestedWalkRefs(guestLevels: number, hostLevels: number, guestPageBytes: number, hostPageBytes: number): number {
  const skipped = (bytes: number) => (bytes === 2 ** 30 ? 2 : bytes === 2 ** 21 ? 1 : 0);
  return (guestLevels - skipped(guestPageBytes) + 1) * (hostLevels - skipped(hostPageBytes) + 1) - 1;
}`;

/** The student edition of 03 with these answers typed into its solution cells, validated. */
function validate(file: string, answers: Record<string, string>): string {
  const nb = JSON.parse(readFileSync(path.join(DIR, LESSON), "utf8")) as { cells: Cell[] };
  for (const c of nb.cells) {
    const id = c.metadata.nbgrader?.grade_id;
    if (id && answers[id] !== undefined) c.source = answers[id]!;
  }
  writeFileSync(path.join(DIR, file), JSON.stringify(nb, null, 1));
  const r = runInEnv(["bash", "-c", `cd '${DIR}' && nbgrader validate '${file}'`]);
  return r.stdout + r.stderr;
}

describe("nbgrader validate on a TypeScript notebook (student edition of 03)", () => {
  beforeAll(() => {
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    const built = runInEnv(["python", "tools/student_edition.py", "--out", DIR, "--force", path.join("notebooks", LESSON)]);
    expect(built.status, built.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(DIR, { recursive: true, force: true }));

  it("reports the wrong answer's test cell as failed, with the feedback block, and the right one not at all", () => {
    const out = validate("wrong.ipynb", { ex03_split_address: LEAF_FIRST, ex03_nested_walk_refs: NESTED });
    expect(out).not.toMatch(/Traceback|KeyError/);
    expect(out).toMatch(/VALIDATION FAILED ON 1 CELL\(S\)/);
    expect(out).toMatch(/The following cell failed:\s+kl\.showMarkdown\(lesson\.checkSplitAddress\(splitAddress\)\.message\);/);
    expect(out).toMatch(/✗ splitAddress is not right yet\n\s+Input: address 0x[0-9a-f]+/);
    expect(out).toMatch(/Hint: your indices are in leaf-first order/);
    expect(out).not.toMatch(/checkNestedWalkRefs/);
    expect(out).not.toMatch(/^\s+at /m);
    expect(out).not.toMatch(/dist\//);
  }, 180_000);

  it("says the notebook passes once every answer is right", () => {
    const out = validate("right.ipynb", { ex03_split_address: ROOT_FIRST, ex03_nested_walk_refs: NESTED });
    expect(out).not.toMatch(/Traceback|KeyError|failed/);
    expect(out).toMatch(/Success! Your notebook passes all the tests\./);
  }, 180_000);
});
