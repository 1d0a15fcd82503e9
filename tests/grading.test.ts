// A round trip through real nbgrader and the real tslab kernel: a teacher releases the fixture
// lesson (tests/fixtures/grading/paging-exercises.ipynb: exercises worth 2, 1 and 3 points),
// students hand in copies of the released notebook (made here by filling in its stubs), and
// `autograde` must score every kind of failure as zero, exactly, and still finish.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { adversarialClass, EXERCISES, fill, POINTS, RIGHT, STUB, type Notebook as AdversaryNotebook } from "./fixtures/grading/adversarial-class";
import { ARTIFACTS, browserEnv, CHROMIUM, CHROMIUM_ARGS, freePort, ROOT, runInEnv, startInEnv } from "./helpers/project";

const SOURCE = path.join(ROOT, "tests/fixtures/grading/paging-exercises.ipynb");
const LESSON = "paging-exercises";
const TIMEOUT_S = 10; // a cell may run this long before it scores zero (the infinite loop)

type Cell = { cell_type: string; source: string | string[]; metadata: { nbgrader?: { grade_id?: string } }; outputs?: Output[] };
type Output = { output_type: string; ename?: string; evalue?: string; text?: string | string[]; traceback?: string[] };
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

// ---- Students: answers replace the stub `// YOUR CODE HERE` + `throw new Error("not implemented");`
// (fill() and the right answers are shared with the adversarial class).
const submission = (released: Notebook, answers: Record<string, string>, edit?: (nb: Notebook) => void): Notebook =>
  fill(released as AdversaryNotebook, answers, edit as ((nb: AdversaryNotebook) => void) | undefined) as Notebook;

function students(released: Notebook): Record<string, Notebook> {
  return {
    ada: submission(released, RIGHT), // all correct
    ben: submission(released, { ...RIGHT, "page-number": "return address / pageSize;" }), // wrong answer
    cy: submission(released, { ...RIGHT, "offset-in-page": 'throw new RangeError("page size must be a power of two");' }),
    // A type error: the solution cell fails, so tslab would abort the test cell right after it.
    dee: submission(released, { ...RIGHT, "nested-walk": 'return (guestLevels + 1) * (hostLevels + 1) - "1";' }),
    // Never returns; and its import cell warns on stderr, which must not keep the imports out of
    // the replay after the timeout's restart.
    eve: submission(released, { ...RIGHT, "offset-in-page": "while (true) {}" }, (nb) => {
      const imports = nb.cells.find((c) => c.cell_type === "code" && text(c).includes('import * as assert'))!;
      imports.source = text(imports) + '\nconsole.error("(a warning while importing)");';
    }),
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

describe("verdict comparison (tools/grading/verdict.py)", () => {
  it("matches floats within 1e-9, a throw with a throw, never true with 1; draws lookups and refuses a bad spec", () => {
    const r = runInEnv(["python", "-c", [
      "import sys, json, nbformat; sys.path.insert(0, 'tools/grading'); import verdict as v",
      "ex = v.Exercise('t', 'f', [[1, 2]])",
      "print(json.dumps([v.judge(ex, [{'value': 0.1 + 0.2}], [{'value': 0.3}]),",
      "  v.judge(ex, [{'value': 0.3001}], [{'value': 0.3}]),",
      "  v.judge(ex, [{'threw': 'RangeError'}], [{'threw': 'Error'}]),",
      "  v.judge(ex, [{'value': True}], [{'value': 1}]),",
      "  v.judge(ex, [{'value': {'indices': [1, 2.0], 'offset': 3}}], [{'value': {'indices': [1, 2], 'offset': 3}}])]))",
      "nb = {'cells': [{'metadata': {'nbgrader': {'grade': True, 'grade_id': 't'}, 'computropolis': {'verdict': {'call': 'walk', 'args': [{'lookup': {'list': [5, [0, 9]]}}, [0, 4]]}}}}]}",
      "got = v.exercises(nbformat.from_dict(nb), 7)[0].inputs[0]; print(json.dumps([len(got[0]['$lookup']), 0 <= got[1] <= 4]))",
      "nb['cells'][0]['metadata']['computropolis']['verdict']['args'] = [{'list': [0, [1, 2]]}]",
      "try: v.exercises(nbformat.from_dict(nb), 7)",
      "except v.VerdictSpecError as e: print(e)",
    ].join("\n")]);
    expect(r.stderr).toBe("");
    const [judged, drawn, refusal] = r.stdout.trim().split("\n");
    const [close, far, bothThrew, boolVsInt, sameSplit] = JSON.parse(judged!);
    expect([close, bothThrew, sameSplit]).toEqual([null, null, null]);
    expect(far).toBe("on inputs drawn at grading time, f(1, 2) returned 0.3001; expected: 0.3");
    expect(boolVsInt).toMatch(/returned true; expected: 1$/);
    expect(JSON.parse(drawn!)).toEqual([5, true]);
    expect(refusal).toMatch(/verdict of test cell 't': argument spec \{"list": \[0, \[1, 2\]\]\} is not one of .*\{"list": \[n \(1 to 100000\), spec\]\}/);
  });
});

describe("draws that cannot tell a constant answer from a solution (tools/grading/verdict.py)", () => {
  it("redraws a degenerate draw, deterministically from the seed; reports an undecidable one instead of judging it", () => {
    const r = runInEnv(["python", "tests/fixtures/grading/degenerate_draws.py"]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    const d = out.degenerate;
    // isZero's first draw was all false: alone it would have let `return false` through...
    expect([d.first_draw_answers, d.const_false_on_first_draw]).toEqual([1, null]);
    // ...so it was drawn again (one more reference run, with every further attempt in it), and the
    // draw chosen holds both answers: both constants fail it, the real solution passes.
    expect(d.attempt).toBeGreaterThan(0);
    expect(d.chosen_answers).toBe(2);
    expect(d.runs).toEqual([[["page-tests", 0], ["zero-tests", 0]], [1, 2, 3, 4, 5, 6, 7, 8].map((k) => ["zero-tests", k])]);
    expect(d.const_false).toMatch(/^on inputs drawn at grading time, isZero\(0\) returned false; expected: true$/);
    expect(d.const_true).toMatch(/^on inputs drawn at grading time, isZero\([123]\) returned true; expected: false$/);
    expect(d.solution).toBeNull();
    expect([d.same_again, d.from_attempts, d.page_untouched, d.undecidable]).toEqual([true, true, true, {}]);
    // A function with one answer for every input: not judged (no points for anyone), and the
    // teacher is told why and what to change; the other exercise is judged as usual.
    expect(out.undecidable.graded).toEqual(["page-tests"]);
    expect(out.undecidable.why).toBe("in 9 draws of 10 cases each, your solution's results never held 2 " +
      "different answers (the first draw: all returned 5), so a function returning a constant could not be told from a solution. " +
      "Widen the ranges in its verdict's 'args' or raise 'cases' (cell metadata computropolis.verdict), then grade again with --force");
    expect([out.undecidable.runs, out.undecidable.tries_in_second_run]).toEqual([2, 8]);
    expect(out.distinct_3_of_boolean).toEqual(["zero-tests"]);
    expect(out.missing).toEqual(["page-tests"]);
    const [one, five, bool, typo] = out.refusals;
    expect(one).toBe("verdict of test cell 'zero-tests': 'distinct' (different reference results a draw must hold) must be an integer " +
      "from 2 to 'cases' (4), got 1 (with fewer than 2 a constant answer could take the points)");
    expect(five).toMatch(/got 5 \(/);
    expect(bool).toMatch(/got True \(/);
    expect(typo).toBe("verdict of test cell 'zero-tests': unknown key(s) 'distict'; allowed: call, args, cases, distinct");
  });
});

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
    // The summary names the sandbox as it is: as root, each submission a uid of its own (not nobody).
    const sandbox = process.getuid?.() === 0 ? "bubblewrap, a uid of its own per submission" : "bubblewrap as your user";
    expect(first.stdout).toMatch(new RegExp(`^Graded 8 submission\\(s\\) of '${LESSON}' in [\\d.]+ s \\([\\d.]+ s each, sandbox: ${sandbox}\\)\\.$`, "m"));
    expect(seconds).toBeLessThan(240); // 8 sandboxes, a reference run and a 10 s timeout, on 2 busy cores
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
    // The deleted test cell is back with its hidden tests, and fails on fay's wrong answer.
    expect(text(cellOf(fay, "nested-walk-tests")!)).toContain("assert.strictEqual(nestedWalkReads(5, 5), 35);");
    expect(errorsOf(fay, "nested-walk-tests")).toMatchObject([{ ename: "AssertionError" }]);
  });

  it("writes one offline feedback page per student that shows the score", async () => {
    const page = path.join(course, "grades", LESSON, "feedback", "eve.html");
    for (const s of ["ada", "ben", "cy", "dee", "eve", "fay", "gus", "hal"]) {
      const feedback = path.join(course, "grades", LESSON, "feedback", `${s}.html`);
      expect(existsSync(feedback), s).toBe(true);
      // The graded copy has the teacher's hidden tests back; the page a student gets does not.
      const html = readFileSync(feedback, "utf8");
      expect(html, `${s}'s feedback shows hidden tests`).not.toMatch(/BEGIN HIDDEN TESTS|nestedWalkReads\(5, 5\)|0x12345/);
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
    // it must still score zero (nbexec turns the abort into an error), not full marks, and say
    // that the solution did not compile (the real cause), not that the cell was skipped.
    const r = runInEnv(["python", "tools/grading/autograde.py", again, "--force"], { ...env, NBEXEC_ABORT_WINDOW_S: "0" });
    expect(r.status).toBe(0);
    expect(errorsOf(autograded("dee"), "nested-walk-tests")).toMatchObject([
      { ename: "CompileError", evalue: expect.stringMatching(/^Not graded: your solution cell \(nested-walk\) did not compile: The right-hand side/) },
    ]);
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

// ---- Draws that cannot tell a constant answer from a solution, through real nbgrader and tslab:
// is-zero's draws (6 cases from 0..3) are all "false" about a sixth of the time, so without the
// rule `return false` would take its point that often; page-size's reference is always 4096.
describe("npm run autograde on verdicts whose draws cannot tell answers apart", () => {
  const DEGENERATE = "degenerate-draws";
  const dCourse = path.join(work, "degenerate-course");
  const dSubmissions = path.join(work, "degenerate-submissions");
  const dEnv = { COMPUTROPOLIS_COURSE: dCourse, INIT_CWD: ROOT };
  const dGraded = (student: string): Notebook =>
    JSON.parse(readFileSync(path.join(dCourse, "autograded", student, DEGENERATE, `${DEGENERATE}.ipynb`), "utf8"));
  let run = { status: null as number | null, stdout: "", stderr: "" };

  beforeAll(() => {
    const a = runInEnv(["python", "tools/grading/assign.py", path.join(ROOT, "tests/fixtures/grading", `${DEGENERATE}.ipynb`)], dEnv);
    expect(a.status, a.stderr).toBe(0);
    const released = JSON.parse(readFileSync(path.join(dCourse, "release", DEGENERATE, `${DEGENERATE}.ipynb`), "utf8"));
    for (const [student, answers] of Object.entries({
      honest: { "is-zero": "return x === 0;", "page-size": "return 4096;" },
      constant: { "is-zero": "return false;", "page-size": "return 4096;" }, // passes both visible tests
    })) {
      mkdirSync(path.join(dSubmissions, student), { recursive: true });
      writeFileSync(path.join(dSubmissions, student, `${DEGENERATE}.ipynb`), JSON.stringify(fill(released, answers), null, 1));
    }
    run = runInEnv(["python", "tools/grading/autograde.py", dSubmissions, "--timeout", String(TIMEOUT_S)], dEnv);
    console.log(run.stdout);
  });

  it("gives the constant no point, the solution its point, and nobody the undecidable exercise's; tells the teacher why", () => {
    expect(run.stderr).toBe("");
    expect(run.status, run.stdout).toBe(0);
    expect(readFileSync(path.join(dCourse, "grades", DEGENERATE, "scores.csv"), "utf8")).toBe(
      "student,is-zero-tests,page-size-tests,total,max\nconstant,0,0,0,2\nhonest,1,0,1,2\n");
    expect(errorsOf(dGraded("constant"), "is-zero-tests")).toMatchObject([
      { ename: "WrongAnswer", evalue: "Wrong answer: on inputs drawn at grading time, isZero(0) returned false; expected: true." },
    ]);
    expect(([] as string[]).concat(cellOf(dGraded("honest"), "is-zero-tests")!.outputs![0]!.text ?? "").join(""))
      .toBe("✓ Passed, including inputs drawn at grading time.\n");
    // The student reads that it was not graded, and nothing of why (that would tell the answer)...
    for (const student of ["honest", "constant"]) {
      expect(errorsOf(dGraded(student), "page-size-tests")).toMatchObject([{
        ename: "NotGraded",
        evalue: "Not graded in this run, for anyone (the grader's fault, not your answer's); your teacher has been told.",
      }]);
      expect(readFileSync(path.join(dCourse, "grades", DEGENERATE, "feedback", `${student}.html`), "utf8")).not.toMatch(/returned 4096|draws of|computropolis\.verdict/);
    }
    // ...the teacher reads why, and what to change.
    expect(run.stdout).toContain("  NOT GRADED page-size-tests (0 points for everyone): in 9 draws of 6 cases each, your solution's " +
      "results never held 2 different answers (the first draw: all returned 4096), so a function returning a constant could not " +
      "be told from a solution. Widen the ranges in its verdict's 'args' or raise 'cases' (cell metadata computropolis.verdict), " +
      "then grade again with --force.\n");
    expect(run.stdout).not.toContain("NOT GRADED is-zero-tests");
    // The draw judged by is kept with the seed (never in a sandbox): is-zero's holds a zero.
    const kept = JSON.parse(readFileSync(path.join(dCourse, ".grading", DEGENERATE, `${DEGENERATE}.verdicts.json`), "utf8"));
    expect(Object.keys(kept.undecidable)).toEqual(["page-size-tests"]);
    expect(kept.reference["is-zero-tests"]).toContainEqual({ value: true });
    expect(kept.reference["is-zero-tests"]).toContainEqual({ value: false });
  });

  it("verdict_odds.py tells the teacher before grading which verdict draws too often fall short", () => {
    const r = runInEnv(["python", "tools/grading/verdict_odds.py", "--draws", "20", `tests/fixtures/grading/${DEGENERATE}.ipynb`]);
    expect(r.stderr).toBe("");
    expect(r.status, r.stdout).toBe(1);
    const [zero, size] = r.stdout.trim().split("\n");
    expect(zero).toMatch(/^(ok|TOO OFTEN) +degenerate-draws\.ipynb is-zero-tests \(isZero, 6 cases, distinct 2\): \d+\/20 draws fell short; most common answer \d+\.\d% of cases; /);
    expect(size).toBe("TOO OFTEN degenerate-draws.ipynb page-size-tests (pageSize, 6 cases, distinct 2): 20/20 draws fell short; " +
      "most common answer 100.0% of cases; a draw falls short ~1, undecidable ~1 per grading run");
    const bad = runInEnv(["python", "tools/grading/verdict_odds.py", "--draws", "5", `tests/fixtures/grading/${DEGENERATE}.ipynb`]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--draws must be at least 10, got 5");
  });
});

// ---- The adversarial class: every attack of issue 12, graded in one run between honest students.
const kernelLibHash = () => {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else hash.update(p).update(readFileSync(p));
    }
  };
  walk(path.join(ROOT, "kernel-lib", "dist"));
  return hash.update(readFileSync(path.join(ROOT, "kernel-lib", "package.json"))).digest("hex");
};

/** Processes that outlived grading: anything running as a sandbox's uid (tools/grading/sandbox.py
 * SANDBOX_UIDS, one per sandbox) or as nobody, or the cheaters' markers. */
function leftovers(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      // Another checkout grading at the same time (another engineer, another CI job) is not ours.
      const runner = /(\S+)\/(?:tools\/nbexec\.py|node_modules\/tslab\/)/.exec(cmd);
      if (runner && path.resolve(runner[1]!) !== ROOT) continue;
      if (uid === 65534 || (uid >= 1_000_000 && uid < 1_000_000 + 2 ** 20) || cmd.includes("sleep 86399") || cmd.includes("d-leaves-a-process")) found.push(`${pid}: ${cmd}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

/** The honest students' grades in a gradebook: student, cell, auto and manual score. */
function gradebookRows(courseDir: string, who: string[]): string {
  const r = runInEnv(["python", "-c", [
    "import sqlite3, sys, json",
    "db = sqlite3.connect(sys.argv[1])",
    "rows = db.execute('select s.student_id, c.name, g.auto_score, g.manual_score, g.extra_credit from grade g join base_cell c on g.cell_id = c.id join submitted_notebook n on g.notebook_id = n.id join submitted_assignment s on n.assignment_id = s.id order by 1, 2').fetchall()",
    "print(json.dumps([r for r in rows if r[0] in sys.argv[2].split(',')]))",
  ].join("\n"), path.join(courseDir, "gradebook.db"), who.join(",")]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe("npm run autograde on a class with cheaters", () => {
  const advCourse = path.join(work, "adversarial-course");
  const advSubmissions = path.join(work, "adversarial-submissions");
  const advEnv = { COMPUTROPOLIS_COURSE: advCourse, INIT_CWD: ROOT };
  const advScores = path.join(advCourse, "grades", LESSON, "scores.csv");
  const HONEST = ["ada", "ben", "cy", "gus", "hal"]; // sorted around the cheaters (d-...): graded before and after
  let run = { status: null as number | null, stdout: "", stderr: "" };
  let adversaries: ReturnType<typeof adversarialClass> = {};
  let libBefore = "";
  let scoresAtEnd = "";
  const advGraded = (student: string): Notebook =>
    JSON.parse(readFileSync(path.join(advCourse, "autograded", student, LESSON, `${LESSON}.ipynb`), "utf8"));

  beforeAll(() => {
    libBefore = kernelLibHash();
    const a = runInEnv(["python", "tools/grading/assign.py", SOURCE], advEnv);
    expect(a.status, a.stderr).toBe(0);
    const released = JSON.parse(readFileSync(path.join(advCourse, "release", LESSON, `${LESSON}.ipynb`), "utf8"));
    const honest = Object.fromEntries(Object.entries(students(released)).filter(([s]) => HONEST.includes(s)));
    adversaries = adversarialClass(released, { course: advCourse, scores: advScores });
    writeSubmissions(advSubmissions, { ...honest, ...Object.fromEntries(Object.entries(adversaries).map(([s, a]) => [s, a.nb as Notebook])) });
    const started = Date.now();
    run = runInEnv(["python", "tools/grading/autograde.py", advSubmissions, "--timeout", String(TIMEOUT_S)], advEnv, 1_500_000);
    console.log(`graded ${HONEST.length + Object.keys(adversaries).length} submissions in ${((Date.now() - started) / 1000).toFixed(1)} s\n${run.stdout}`);
    scoresAtEnd = existsSync(advScores) ? readFileSync(advScores, "utf8") : "";
  }, 1_500_000);

  it("scores every cheat 0 for what it cheated on, and every honest student exactly as in the honest class", () => {
    expect(run.stderr).toBe("");
    expect(run.status, run.stdout).toBe(0);
    const honestRows = EXPECTED_CSV.trim().split("\n").filter((l) => HONEST.includes(l.split(",")[0]!));
    const cheaterRows = Object.entries(adversaries).map(([s, a]) =>
      [s, ...a.expected, a.expected.reduce((x, y) => x + y, 0), 6].join(","));
    const expected = [EXPECTED_CSV.split("\n")[0], ...[...honestRows, ...cheaterRows].sort()].join("\n") + "\n";
    expect(scoresAtEnd).toBe(expected);
    // Byte for byte the honest class's rows (graded without any cheater, above).
    const base = readFileSync(path.join(course, "grades", LESSON, "scores.csv"), "utf8").split("\n");
    for (const row of honestRows) expect(base).toContain(row);
    expect(EXERCISES.length).toBe(POINTS.length);
  });

  it("leaves kernel-lib, the gradebook and scores.csv as grading wrote them, and no process behind", async () => {
    expect(kernelLibHash()).toBe(libBefore);
    expect(gradebookRows(advCourse, HONEST)).toBe(gradebookRows(course, HONEST));
    const cheater: [string, string, number, number | null][] = JSON.parse(gradebookRows(advCourse, ["d-writes-gradebook"]));
    expect(cheater.map((r) => [r[2], r[3]])).toEqual([[0, null], [0, null], [0, null]]); // no manual_score from the cell
    await new Promise((r) => setTimeout(r, 5000)); // longer than the detached writer waits
    expect(readFileSync(advScores, "utf8")).toBe(scoresAtEnd);
    expect(leftovers()).toEqual([]);
  });

  it("says in one sentence why each test cell failed, without stack traces or paths of this machine", () => {
    const verdicts = (student: string) =>
      Object.fromEntries(EXERCISES.map((id) => [id, errorsOf(advGraded(student), id).map((o) => o.evalue).join(" ")]));
    const gus = verdicts("gus")["page-number-tests"]!;
    expect(gus).toMatch(/wrote to stderr .*a test cell earns points only if it runs without writing to stderr \(console\.error/);
    // 50 MB per call: the output cap (1 MB) or, first, the memory cap stops it; either is named.
    expect(verdicts("d-prints-50mb")["page-number-tests"]).toMatch(/exceeded the output cap: .* more than 1000000 bytes|went past the memory cap of \d+ MB/);
    // These cheats pass their test cells inside the kernel; the results drawn at grading time do not.
    for (const student of ["d-wraps-tslab-handler", "d-patches-the-checker", "d-redeclares-imports"]) {
      expect(verdicts(student)["page-number-tests"], student).toMatch(/^Wrong answer: on inputs drawn at grading time, pageNumber\(/);
    }
    expect(verdicts("cy")["offset-in-page-tests"]).toBe("Failed: your code threw RangeError: page size must be a power of two.");
    expect(verdicts("hal")["page-number-tests"]).toBe('Not answered: the solution above still throws "not implemented" (the stub it came with).');
    expect(verdicts("ben")["page-number-tests"]).toBe("Wrong answer: Expected values to be strictly equal: got 0.999755859375, expected 0.");
    for (const student of [...HONEST, ...Object.keys(adversaries)]) {
      expect(existsSync(path.join(advCourse, "grades", LESSON, "feedback", `${student}.html`)), student).toBe(true);
      // What the feedback shows besides the student's own code: every output of every cell.
      const shown = JSON.stringify(advGraded(student).cells.map((c) => c.outputs ?? []));
      expect(shown, student).not.toContain(advCourse);
      expect(shown, student).not.toContain(ROOT);
      expect(shown, student).not.toContain("/tmp/grading");
      expect(shown, student).not.toMatch(/\bat .*(tslab|kernel-lib|node:internal)/);
      for (const [id, sentence] of Object.entries(verdicts(student))) {
        if (sentence) expect(sentence.split(/\. (?=[A-Z])/).length, `${student} ${id}: ${sentence}`).toBe(1);
      }
    }
  });
});
