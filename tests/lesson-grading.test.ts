// The real lessons through real nbgrader: every lesson with graded exercises is released with
// `npm run assign` (no solution line survives), and `npm run autograde` gives the teacher's own
// notebook full marks (so every test cell, hidden tests included, passes with the solution)
// and the untouched release zero (so no test cell passes without an answer).
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

const graded = selectedLessonNotebooks().filter((nb) => {
  const cells: Cell[] = JSON.parse(readFileSync(path.join(ROOT, nb), "utf8")).cells;
  return cells.some((c) => c.metadata.nbgrader?.grade);
});

// One course, every graded lesson released into it, one autograde run over two students per
// lesson: "teacher" hands in the lesson notebook itself, "blank" the release as it came.
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
      for (const [student, content] of [["teacher", readFileSync(path.join(ROOT, nb), "utf8")], ["blank", released]] as const) {
        mkdirSync(path.join(submissions, student), { recursive: true });
        writeFileSync(path.join(submissions, student, `${lesson}.ipynb`), content);
      }
    }
    graded_ = runInEnv(["python", "tools/grading/autograde.py", submissions], env);
    console.log(graded_.stdout);
  });

  it("finds the graded lessons and grades them all", () => {
    expect(graded.length).toBeGreaterThanOrEqual(LESSON_FILTER === null ? 7 : 1);
    expect(graded_.status, graded_.stdout + graded_.stderr).toBe(0);
  });

  for (const nb of graded) {
    const lesson = path.basename(nb, ".ipynb");
    it(`${lesson}: released without solutions; the teacher's notebook scores full marks, the untouched release zero`, () => {
      const released = readFileSync(path.join(course, "release", lesson, `${lesson}.ipynb`), "utf8");
      const secrets = solutionLines(JSON.parse(readFileSync(path.join(ROOT, nb), "utf8")).cells);
      expect(secrets.length).toBeGreaterThan(0);
      for (const line of secrets) expect(released, `solution line in the release: ${line}`).not.toContain(line);
      expect(released).not.toMatch(/BEGIN SOLUTION|BEGIN HIDDEN TESTS/);
      const s = scores(lesson);
      expect(s.teacher!.max).toBeGreaterThan(0);
      expect(s.teacher!.total, graded_.stdout).toBe(s.teacher!.max);
      expect(s.blank!.total, graded_.stdout).toBe(0);
    });
  }
});
