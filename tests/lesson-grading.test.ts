// The real lessons through real nbgrader: every lesson with graded exercises is released with
// `npm run assign` (no solution line survives), and `npm run autograde` gives the teacher's own
// notebook full marks (so every test cell, hidden tests included, passes with the solution and
// every verdict's results match), the untouched release zero (so no test cell passes without an
// answer), and a cheater zero: wrong answers behind a `lesson` whose every checker "passes" get
// nothing, because the points come from the verdicts, decided outside the student's kernel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LESSON_FILTER, ROOT, runInEnv, selectedLessonNotebooks } from "./helpers/project";

type Cell = { cell_type: string; source: string | string[]; metadata: { nbgrader?: { grade?: boolean; solution?: boolean } } };
const text = (c: Cell) => ([] as string[]).concat(c.source).join("");

const work = mkdtempSync(path.join(tmpdir(), "computropolis-lesson-grading-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The lines between `// BEGIN SOLUTION` and `// END SOLUTION` that are long enough to be telling. */
function solutionLines(cells: Cell[]): string[] {
  const lines: string[] = [];
  for (const cell of cells) {
    const m = text(cell).match(/\/\/ BEGIN SOLUTION\n([\s\S]*?)\/\/ END SOLUTION/g) ?? [];
    for (const block of m) {
      for (const line of block.split("\n").slice(1, -1)) if (line.trim().length >= 15) lines.push(line.trim());
    }
  }
  return lines;
}

const STUB = /\/\/ YOUR CODE HERE\n( *)throw new Error\("not implemented"\);/g;

/** Wrong answers, and `lesson` redeclared right after the imports as a Proxy whose checkers all pass. */
function cheater(released: string): string {
  const nb = JSON.parse(released) as { cells: (Cell & { id?: string; outputs?: unknown[]; execution_count?: null })[] };
  for (const cell of nb.cells) if (STUB.test(text(cell))) cell.source = text(cell).replace(STUB, "return null as any;");
  const at = nb.cells.findIndex((c) => c.cell_type === "code" && text(c).includes('from "kernel-lib/course"'));
  const name = /import \{ (lesson\d\d) as lesson \}/.exec(text(nb.cells[at]!))![1];
  nb.cells.splice(at + 1, 0, {
    cell_type: "code", id: "cheater-proxy", metadata: {}, outputs: [], execution_count: null,
    source: [
      'import * as realCourse from "kernel-lib/course";',
      `const lesson: any = new Proxy((realCourse as any).${name}, {`,
      '  get: (target: any, key: string | symbol) => typeof key === "string" && key.startsWith("check")',
      '    ? () => ({ exercise: key, passed: true, cases: 100, message: "✓ all 100 checks passed" })',
      "    : target[key],",
      "});",
    ].join("\n"),
  });
  return JSON.stringify(nb, null, 1);
}

const graded = selectedLessonNotebooks().filter((nb) => {
  const cells: Cell[] = JSON.parse(readFileSync(path.join(ROOT, nb), "utf8")).cells;
  return cells.some((c) => c.metadata.nbgrader?.grade);
});

// One course, every graded lesson released into it, one autograde run over three students per
// lesson: "teacher" hands in the lesson notebook itself, "blank" the release as it came,
// "cheater" the release with wrong answers and a fake `lesson` (see cheater()).
const course = path.join(work, "course");
const submissions = path.join(work, "submissions");
const env = { COMPUTROPOLIS_COURSE: course, INIT_CWD: ROOT };
let graded_ = { status: null as number | null, stdout: "", stderr: "" };

function scores(lesson: string): Record<string, { total: number; max: number }> {
  const [header, ...rows] = readFileSync(path.join(course, "grades", lesson, "scores.csv"), "utf8").trim().split("\n");
  const cols = header!.split(",");
  return Object.fromEntries(rows.map((line) => {
    const row = line.split(",");
    return [row[0]!, { total: Number(row[cols.indexOf("total")]), max: Number(row[cols.indexOf("max")]) }];
  }));
}

describe("every lesson's exercises through nbgrader", () => {
  beforeAll(() => {
    for (const nb of graded) {
      const lesson = path.basename(nb, ".ipynb");
      const r = runInEnv(["python", "tools/grading/assign.py", nb], env);
      expect(r.stderr, r.stderr).toBe("");
      expect(r.status).toBe(0);
      const released = readFileSync(path.join(course, "release", lesson, `${lesson}.ipynb`), "utf8");
      const handedIn = [["teacher", readFileSync(path.join(ROOT, nb), "utf8")], ["blank", released], ["cheater", cheater(released)]] as const;
      for (const [student, content] of handedIn) {
        mkdirSync(path.join(submissions, student), { recursive: true });
        writeFileSync(path.join(submissions, student, `${lesson}.ipynb`), content);
      }
    }
    graded_ = runInEnv(["python", "tools/grading/autograde.py", submissions], env, 1_500_000);
    console.log(graded_.stdout);
  }, 1_500_000); // 6 lessons × (the teacher's reference run + 3 students), each in its own sandbox

  it("finds the graded lessons and grades them all", () => {
    expect(graded.length).toBeGreaterThanOrEqual(LESSON_FILTER === null ? 7 : 1);
    expect(graded_.status, graded_.stdout + graded_.stderr).toBe(0);
    // No lesson's verdict is undecidable (its draws always told a constant answer from the solution).
    expect(graded_.stdout).not.toContain("NOT GRADED");
  });

  for (const nb of graded) {
    const lesson = path.basename(nb, ".ipynb");
    it(`${lesson}: released without solutions; the teacher's notebook scores full marks, the untouched release and the cheater zero`, () => {
      const released = readFileSync(path.join(course, "release", lesson, `${lesson}.ipynb`), "utf8");
      const secrets = solutionLines(JSON.parse(readFileSync(path.join(ROOT, nb), "utf8")).cells);
      expect(secrets.length).toBeGreaterThan(0);
      for (const line of secrets) expect(released, `solution line in the release: ${line}`).not.toContain(line);
      expect(released).not.toMatch(/BEGIN SOLUTION|BEGIN HIDDEN TESTS/);
      const s = scores(lesson);
      expect(s.teacher!.max).toBeGreaterThan(0);
      expect(s.teacher!.total, graded_.stdout).toBe(s.teacher!.max);
      expect(s.blank!.total, graded_.stdout).toBe(0);
      expect(s.cheater!.total, graded_.stdout).toBe(0);
      // Every graded test cell declares a verdict: the teacher passed the inputs drawn at grading
      // time, and the cheater's cells, whose fake checkers "passed" in its kernel, did not.
      const tests = (student: string) => (JSON.parse(readFileSync(path.join(course, "autograded", student, lesson, `${lesson}.ipynb`), "utf8")).cells as (Cell & { outputs?: { output_type: string; text?: string | string[]; evalue?: string }[] })[])
        .filter((c) => c.cell_type === "code" && c.metadata.nbgrader?.grade && !c.metadata.nbgrader?.solution);
      expect(tests("teacher").length).toBeGreaterThan(0);
      for (const cell of tests("teacher")) expect(([] as string[]).concat(cell.outputs![0]!.text ?? "").join("")).toBe("✓ Passed, including inputs drawn at grading time.\n");
      for (const cell of tests("cheater")) {
        expect(cell.outputs!.find((o) => o.output_type === "error")?.evalue).toMatch(/^Wrong answer: on inputs drawn at grading time, \w+\(/);
      }
    });
  }
});
