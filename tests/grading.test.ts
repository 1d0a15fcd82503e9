// A round trip through real nbgrader and the real tslab kernel: a teacher releases the fixture
// lesson (tests/fixtures/grading/paging-exercises.ipynb: exercises worth 2, 1 and 3 points),
// students hand in copies of the released notebook (made here by filling in its stubs), and
// `autograde` must score every kind of failure as zero, exactly, and still finish.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { ARTIFACTS, browserEnv, CHROMIUM, CHROMIUM_ARGS, freePort, ROOT, runInEnv, startInEnv } from "./helpers/project";

const SOURCE = path.join(ROOT, "tests/fixtures/grading/paging-exercises.ipynb");
const LESSON = "paging-exercises";
const TIMEOUT_S = 10; // a cell may run this long before it scores zero (the infinite loop)

type Cell = { cell_type: string; source: string | string[]; metadata: { nbgrader?: { grade_id?: string } }; outputs?: Output[] };
type Output = { output_type: string; ename?: string; evalue?: string };
type Notebook = { cells: Cell[] };

const text = (c: Cell) => ([] as string[]).concat(c.source).join("");
const gradeId = (c: Cell) => c.metadata.nbgrader?.grade_id;
const cellOf = (nb: Notebook, id: string) => nb.cells.find((c) => gradeId(c) === id);

// The course folder is outside the project on purpose: a teacher may choose any folder.
const work = mkdtempSync(path.join(tmpdir(), "computropolis-grading-"));
const course = path.join(work, "course");
const submissions = path.join(work, "submissions");
const env = { COMPUTROPOLIS_COURSE: course, INIT_CWD: ROOT };
const release = path.join(course, "release", LESSON, `${LESSON}.ipynb`);

const assign = (...args: string[]) => runInEnv(["python", "tools/grading/assign.py", ...args], env);
const autograde = (...args: string[]) => runInEnv(["python", "tools/grading/autograde.py", ...args], env);

// ---- Students: answers replace the stub `// YOUR CODE HERE` + `throw new Error("not implemented");`.
const STUB = /\/\/ YOUR CODE HERE\n( *)throw new Error\("not implemented"\);/;
const RIGHT = {
  "page-number": "return Math.floor(address / pageSize);",
  "offset-in-page": "return address % pageSize;",
  "nested-walk": "return (guestLevels + 1) * (hostLevels + 1) - 1;",
};

function submission(released: Notebook, answers: Record<string, string>, edit?: (nb: Notebook) => void): Notebook {
  const nb: Notebook = structuredClone(released);
  for (const cell of nb.cells) {
    const answer = answers[gradeId(cell) ?? ""];
    if (answer === undefined) continue;
    expect(text(cell)).toMatch(STUB);
    cell.source = text(cell).replace(STUB, (_m, indent: string) => answer.split("\n").join(`\n${indent}`));
  }
  edit?.(nb);
  return nb;
}

function students(released: Notebook): Record<string, Notebook> {
  return {
    ada: submission(released, RIGHT), // all correct
    ben: submission(released, { ...RIGHT, "page-number": "return address / pageSize;" }), // wrong answer
    cy: submission(released, { ...RIGHT, "offset-in-page": 'throw new RangeError("page size must be a power of two");' }),
    // A type error: the solution cell fails, so tslab would abort the test cell right after it.
    dee: submission(released, { ...RIGHT, "nested-walk": 'return (guestLevels + 1) * (hostLevels + 1) - "1";' }),
    eve: submission(released, { ...RIGHT, "offset-in-page": "while (true) {}" }), // never returns
    // Edits one test cell to pass anything and deletes another; both answers are wrong.
    fay: submission(released, { ...RIGHT, "page-number": "return 0;", "nested-walk": "return 1;" }, (nb) => {
      cellOf(nb, "page-number-tests")!.source = "// looks fine to me";
      nb.cells = nb.cells.filter((c) => gradeId(c) !== "nested-walk-tests");
    }),
    // The right answer, but it writes to stderr while the tests run.
    gus: submission(released, { ...RIGHT, "page-number": 'console.error("debugging", address);\nreturn Math.floor(address / pageSize);' }),
    hal: submission(released, {}), // handed in the release untouched
  };
}

const EXPECTED_CSV = `student,page-number-tests,offset-in-page-tests,nested-walk-tests,total,max
ada,2,1,3,6,6
ben,0,1,3,4,6
cy,2,0,3,5,6
dee,2,1,0,3,6
eve,2,0,3,5,6
fay,0,1,0,1,6
gus,0,1,3,4,6
hal,0,0,0,0,6
`;

function writeSubmissions(folder: string, nbs: Record<string, Notebook>) {
  for (const [student, nb] of Object.entries(nbs)) {
    mkdirSync(path.join(folder, student), { recursive: true });
    writeFileSync(path.join(folder, student, `${LESSON}.ipynb`), JSON.stringify(nb, null, 1));
  }
}

const autograded = (student: string): Notebook =>
  JSON.parse(readFileSync(path.join(course, "autograded", student, LESSON, `${LESSON}.ipynb`), "utf8"));
const errorsOf = (nb: Notebook, id: string) => (cellOf(nb, id)?.outputs ?? []).filter((o) => o.output_type === "error");

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm run assign", () => {
  beforeAll(() => {
    const r = assign(SOURCE);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`student version: ${release}`);
    expect(r.stdout).toContain("3 graded exercises, 6 points");
  });

  it("releases a student version with stubs and visible tests but no solution, hidden test or teacher note", () => {
    const raw = readFileSync(release, "utf8");
    for (const secret of [
      "Math.floor(address / pageSize)", "address % pageSize", "(guestLevels + 1) * (hostLevels + 1) - 1",
      "0x12345", "nestedWalkReads(5, 5)", "BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "TEACHER-ONLY-NOTE",
    ]) {
      expect(raw, secret).not.toContain(secret);
    }
    const nb: Notebook = JSON.parse(raw);
    for (const id of Object.keys(RIGHT)) expect(text(cellOf(nb, id)!)).toMatch(STUB);
    expect(text(cellOf(nb, "page-number-tests")!)).toContain("assert.strictEqual(pageNumber(8192, 4096), 2);");
    expect(nb.cells.every((c) => (c.outputs ?? []).length === 0)).toBe(true);
  });

  it("refuses to replace a release without --force, and says how", () => {
    const r = assign(SOURCE);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`'${LESSON}' was already released to ${path.dirname(release)}`);
    expect(r.stderr).toContain("--force");
  });

  it("names what was wrong with a lesson that does not exist or has no exercises", () => {
    const missing = runInEnv(["bash", "scripts/task.sh", "assign", "97"], env); // through the npm script's path
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/error: no lesson matches '97'\. Give a lesson number .* lessons in notebooks\/: 00-welcome/);
    const noExercises = assign("notebooks/00-welcome.ipynb");
    expect(noExercises.status).toBe(2);
    expect(noExercises.stderr).toContain("00-welcome.ipynb has no graded exercises");
  });
});

describe("npm run autograde", () => {
  let seconds = 0;
  let first = { status: null as number | null, stdout: "", stderr: "" };

  beforeAll(() => {
    writeSubmissions(submissions, students(JSON.parse(readFileSync(release, "utf8"))));
    const started = Date.now();
    first = autograde(submissions, "--timeout", String(TIMEOUT_S));
    seconds = (Date.now() - started) / 1000;
    console.log(`graded 8 submissions in ${seconds.toFixed(1)} s\n${first.stdout}`);
  });

  it("scores every student and exercise exactly, and finishes despite the infinite loop", () => {
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(readFileSync(path.join(course, "grades", LESSON, "scores.csv"), "utf8")).toBe(EXPECTED_CSV);
    expect(seconds).toBeLessThan(150);
  });

  it("gives the timed-out test cell a Timeout error, then runs the later cells on a restarted kernel", () => {
    const eve = autograded("eve");
    expect(errorsOf(eve, "offset-in-page-tests")).toMatchObject([{ ename: "Timeout" }]);
    // The restart replayed the cells that ran before it (the imports, earlier answers), so the
    // next exercise's tests pass instead of failing on a missing `assert`.
    expect(errorsOf(eve, "nested-walk-tests")).toEqual([]);
  });

  it("restores the test cells a student edited or deleted, and runs the originals", () => {
    const fay = autograded("fay");
    expect(text(cellOf(fay, "page-number-tests")!)).toContain("assert.strictEqual(pageNumber(8192, 4096), 2);");
    expect(text(cellOf(fay, "nested-walk-tests")!)).toMatch(/^\/\/ This cell \(id:nested-walk-tests\) was missing/);
    expect(errorsOf(fay, "nested-walk-tests")).toMatchObject([{ ename: "AssertionError" }]);
  });

  it("writes one offline feedback page per student that shows the score", async () => {
    const page = path.join(course, "grades", LESSON, "feedback", "eve.html");
    for (const s of ["ada", "ben", "cy", "dee", "eve", "fay", "gus", "hal"]) {
      expect(existsSync(path.join(course, "grades", LESSON, "feedback", `${s}.html`)), s).toBe(true);
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: browserEnv() });
    try {
      const tab = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
      const requests: string[] = [];
      tab.on("request", (r) => requests.push(r.url()));
      await tab.goto(`file://${page}`, { waitUntil: "load" });
      expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
      expect(await tab.textContent("h4")).toContain(`${LESSON} (Score: 5.0 / 6.0)`);
      expect(await tab.textContent("body")).toContain("cell did not finish within 10 s");
      mkdirSync(path.join(ARTIFACTS, "grading"), { recursive: true });
      await tab.screenshot({ path: path.join(ARTIFACTS, "grading", "feedback-eve.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it("refuses to grade a student again without --force; with a test cell really aborted the score stays zero", () => {
    const again = path.join(work, "again");
    writeSubmissions(again, { dee: students(JSON.parse(readFileSync(release, "utf8"))).dee });
    const refused = autograde(again);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("already graded in");
    expect(refused.stderr).toContain("dee (paging-exercises)");
    // Without waiting out tslab's abort window the test cell after dee's failing answer is aborted:
    // it must still score zero (nbexec turns the abort into an error), not full marks.
    const r = runInEnv(["python", "tools/grading/autograde.py", again, "--force"], { ...env, NBEXEC_ABORT_WINDOW_S: "0" });
    expect(r.status).toBe(0);
    expect(errorsOf(autograded("dee"), "nested-walk-tests")).toMatchObject([{ ename: "Aborted" }]);
    expect(readFileSync(path.join(course, "grades", LESSON, "scores.csv"), "utf8")).toBe(EXPECTED_CSV);
  });

  it("serves the course in nbgrader's Formgrader, whose autograde also runs through nbexec", async () => {
    // As README says: JupyterLab on a folder holding the course, with CourseDirectory.root set.
    const port = await freePort();
    const lab = startInEnv([
      "jupyter", "lab", "--no-browser", "--allow-root", `--port=${port}`, "--ServerApp.ip=127.0.0.1",
      "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
      `--ServerApp.root_dir=${work}`, `--CourseDirectory.root=${course}`,
    ], env);
    let log = "";
    lab.stdout!.on("data", (d) => (log += d));
    lab.stderr!.on("data", (d) => (log += d));
    const api = `http://127.0.0.1:${port}/formgrader/api`;
    try {
      let assignments: { name: string; num_submissions: number }[] | undefined;
      for (const until = Date.now() + 60_000; !assignments && Date.now() < until; ) {
        try {
          const r = await fetch(`${api}/assignments`);
          if (r.ok) assignments = await r.json();
        } catch {
          await new Promise((r) => setTimeout(r, 300)); // not up yet
        }
      }
      expect(assignments, log).toMatchObject([{ name: LESSON, num_submissions: 8 }]);
      // Stock nbgrader crashes on tslab's error replies (no ename); through the course config it
      // grades dee's failing answer as zero.
      const r = await (await fetch(`${api}/submission/${LESSON}/dee/autograde`, { method: "POST" })).json();
      expect(r.success, r.log).toBe(true);
      const notebooks: { id: string; student: string }[] = await (await fetch(`${api}/submitted_notebooks/${LESSON}/${LESSON}`)).json();
      const dee = notebooks.find((n) => n.student === "dee")!;
      const grades: { name: string; auto_score: number }[] = await (await fetch(`${api}/grades?submission_id=${dee.id}`)).json();
      expect(Object.fromEntries(grades.map((g) => [g.name, g.auto_score]))).toEqual({ "page-number-tests": 2, "offset-in-page-tests": 1, "nested-walk-tests": 0 });
    } finally {
      try {
        process.kill(-lab.pid!, "SIGTERM"); // the server and its kernels
      } catch {
        /* already gone */
      }
    }
  });

  it("names the problem with an empty folder, a stray file, a wrong name and a broken notebook", () => {
    const empty = path.join(work, "empty");
    mkdirSync(empty);
    const none = autograde(empty);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(`no submissions in ${empty}: expected ${empty}/<student>/<lesson>.ipynb`);

    const nowhere = autograde(path.join(work, "nowhere"));
    expect(nowhere.status).toBe(2);
    expect(nowhere.stderr).toContain(`no such submissions folder: ${path.join(work, "nowhere")}`);

    const bad = path.join(work, "bad");
    mkdirSync(path.join(bad, "ivy"), { recursive: true });
    mkdirSync(path.join(bad, "jo"), { recursive: true });
    writeFileSync(path.join(bad, "loose.ipynb"), "{}");
    writeFileSync(path.join(bad, "ivy", "paging-exercise.ipynb"), "{}");
    writeFileSync(path.join(bad, "jo", `${LESSON}.ipynb`), '{"cells": [');
    const r = autograde(bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("nothing was graded; fix these submissions first:");
    expect(r.stderr).toContain(`${bad}/loose.ipynb: a file directly in the submissions folder`);
    expect(r.stderr).toContain(`${bad}/ivy/paging-exercise.ipynb: no lesson named paging-exercise.ipynb was released; released: ${LESSON}.ipynb`);
    expect(r.stderr).toContain(`${bad}/jo/${LESSON}.ipynb: not a notebook (invalid JSON`);
  });
});
