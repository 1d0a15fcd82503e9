// The student edition (tools/student_edition.py) reaches students by every path that can run
// here, and carries no answer: no line of a solution (between BEGIN/END SOLUTION in the teacher's
// notebooks), no hidden test line and no sentence of a `teacher` cell appears in any file the
// student receives. Paths: the `npm run lab -- --student` folder, the branch that
// `npm run publish-student` writes (read through a clone, history included), and
// `npm run assign`'s release, which must also have the same cells as the student edition.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { freePort, lessonNotebooks, ROOT, runInEnv, startInEnv } from "./helpers/project";

interface Cell { cell_type: string; id?: string; source: string | string[]; metadata: { tags?: string[]; nbgrader?: Record<string, unknown> }; outputs?: unknown[]; execution_count?: number | null }
interface Notebook { cells: Cell[] }
const src = (c: Cell) => ([] as string[]).concat(c.source).join("");
const tagsOf = (c: Cell) => c.metadata.tags ?? [];
const read = (p: string) => JSON.parse(readFileSync(p, "utf8")) as Notebook;
const LESSONS = lessonNotebooks().map((p) => path.join(ROOT, p));
const name = (p: string) => path.basename(p);
const TMP = mkdtempSync(path.join(tmpdir(), "student-edition-"));

/** Lines inside `what` regions of a cell's source. */
function regionLines(source: string, what: "SOLUTION" | "HIDDEN TESTS"): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of source.split("\n")) {
    if (new RegExp(`^\\s*(//|#+)\\s*BEGIN ${what}\\b`).test(line)) inside = true;
    else if (new RegExp(`^\\s*(//|#+)\\s*END ${what}\\b`).test(line)) inside = false;
    else if (inside) out.push(line.trim());
  }
  return out;
}

/** What must not reach a student, from the teacher's notebooks: distinctive lines of solutions and
 *  hidden tests, and sentences of teacher cells (each only if the student-visible text lacks it). */
function secrets() {
  const found = { solution: new Set<string>(), hidden: new Set<string>(), teacher: new Set<string>() };
  for (const file of LESSONS) {
    const cells = read(file).cells;
    const visible = cells.filter((c) => !tagsOf(c).includes("teacher"))
      .map((c) => src(c).split("\n").filter((l) => !/(BEGIN|END) (SOLUTION|HIDDEN TESTS)/.test(l)))
      .map((lines) => lines.join("\n"));
    // Text outside the regions (a visible line repeated inside a solution is no secret).
    const open = cells.filter((c) => !tagsOf(c).includes("teacher")).map((c) => {
      const s = src(c);
      const hidden = new Set([...regionLines(s, "SOLUTION"), ...regionLines(s, "HIDDEN TESTS")]);
      return s.split("\n").filter((l) => !hidden.has(l.trim())).join("\n");
    }).join("\n");
    for (const c of cells) {
      const s = src(c);
      for (const l of regionLines(s, "SOLUTION")) if (l.length >= 12 && !open.includes(l)) found.solution.add(l);
      for (const l of regionLines(s, "HIDDEN TESTS")) if (l.length >= 12 && !open.includes(l)) found.hidden.add(l);
      if (tagsOf(c).includes("teacher")) {
        for (const sentence of s.replace(/[*_`>#]/g, "").split(/(?<=[.!?:])\s+|\n+/)) {
          const t = sentence.trim();
          if (t.length >= 30 && !visible.some((v) => v.replace(/[*_`>#]/g, "").includes(t))) found.teacher.add(t);
        }
      }
    }
  }
  return found;
}
const SECRETS = secrets();

/** What a student can read in a file: a notebook's cell sources and outputs, any other file as text. */
function readable(file: string): string {
  const raw = readFileSync(file);
  if (raw.includes(0)) return ""; // binary
  const text = raw.toString("utf8");
  if (!file.endsWith(".ipynb")) return text;
  const nb = JSON.parse(text) as Notebook;
  return nb.cells.map((c) => src(c) + "\n" + JSON.stringify(c.outputs ?? [])).join("\n");
}

function files(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    const rel = path.relative(dir, full);
    if (entry === ".git" || skip(rel)) continue;
    if (statSync(full).isDirectory()) out.push(...files(full).map((f) => f)); else out.push(full);
  }
  return out;
}

/** Every secret found in `texts` (file -> readable text), as "file: kind: text". */
function leaks(texts: Map<string, string>, solutionsAllowed: (file: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const [file, text] of texts) {
    for (const [kind, set] of Object.entries(SECRETS)) {
      if (kind === "solution" && solutionsAllowed(file)) continue;
      for (const s of set) if (text.includes(s)) out.push(`${file}: ${kind}: ${s}`);
    }
  }
  return out;
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} in ${cwd}: ${r.stderr}`);
  return r.stdout;
}

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("what must stay with the teacher", () => {
  it("the teacher's notebooks have solution lines, hidden test lines and teacher sentences to look for", () => {
    expect(SECRETS.solution.size).toBeGreaterThan(10);
    expect(SECRETS.hidden.size).toBeGreaterThan(0);
    expect(SECRETS.teacher.size).toBeGreaterThan(20);
  });

  it("the search finds them in the teacher's own notebooks (so an empty result below means something)", () => {
    const texts = new Map(LESSONS.map((f) => [name(f), readable(f)]));
    const found = leaks(texts).map((l) => l.split(": ")[1]);
    for (const kind of ["solution", "hidden", "teacher"]) expect(found, kind).toContain(kind);
  });
});

/** What a JupyterLab started by `launcher` shows of nbgrader: the Formgrader page's HTTP status and Lab's disabled plugins. */
async function nbgraderSeenBy(launcher: string[]): Promise<{ formgrader: number; disabled: string[] }> {
  const port = await freePort();
  const lab = startInEnv([...launcher, "jupyter", "lab", "--no-browser", "--allow-root", `--port=${port}`, "--ServerApp.ip=127.0.0.1",
    "--IdentityProvider.token=", "--ServerApp.password=", `--ServerApp.root_dir=${TMP}`]);
  let log = "";
  lab.stdout!.on("data", (d) => (log += d));
  lab.stderr!.on("data", (d) => (log += d));
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let until = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 300))) {
      if (Date.now() > until) throw new Error(`JupyterLab did not start within 60 s. Log:\n${log}`);
      if (await fetch(`${url}/api/status`).then((r) => r.ok, () => false)) break;
    }
    const formgrader = (await fetch(`${url}/formgrader`, { redirect: "manual" })).status;
    const page = await (await fetch(`${url}/lab`)).text();
    const config = JSON.parse(/<script id="jupyter-config-data" type="application\/json">([\s\S]*?)<\/script>/.exec(page)![1]!) as { disabledExtensions?: string[] };
    return { formgrader, disabled: (config.disabledExtensions ?? []).filter((id) => id.startsWith("@jupyter/nbgrader")).sort() };
  } finally {
    process.kill(-lab.pid!, "SIGTERM");
  }
}

describe("npm run lab -- --student: nbgrader's teacher tools are off", () => {
  it("serves no Formgrader and turns off Formgrader, Create Assignment and Courses in Lab, keeping the assignment list and Validate; the teacher's Lab has them all", async () => {
    const student = await nbgraderSeenBy(["bash", "scripts/student-jupyter.sh"]); // what scripts/task.sh runs with --student
    expect(student.formgrader).toBe(404);
    expect(student.disabled).toEqual(["@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader"]);
    const teacher = await nbgraderSeenBy([]);
    expect(teacher.formgrader).toBe(200);
    expect(teacher.disabled).toEqual([]);
  }, 180_000);
});

describe("npm run lab -- --student: the student edition folder", () => {
  const out = path.join(TMP, "lab");
  let r: ReturnType<typeof runInEnv>;
  beforeAll(() => { r = runInEnv(["python", "tools/student_edition.py", "--out", out]); }); // what scripts/task.sh runs

  it("holds every lesson, and nothing a student must not see", () => {
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith(".ipynb")).sort()).toEqual(LESSONS.map(name));
    expect(leaks(new Map(files(out).map((f) => [path.relative(out, f), readable(f)])))).toEqual([]);
  });

  it("is the whole lesson for JupyterLab: no outputs or counts, navigation kept, exercise cells keep nbgrader metadata", () => {
    for (const file of LESSONS) {
      const teacher = read(file).cells;
      const student = read(path.join(out, name(file))).cells;
      expect(student.length, name(file)).toBe(teacher.filter((c) => !tagsOf(c).includes("teacher")).length);
      for (const c of student) {
        if (c.cell_type !== "code") continue;
        expect(c.outputs, `${name(file)} ${c.id}`).toEqual([]);
        expect(c.execution_count).toBeNull();
      }
      expect(student.filter((c) => src(c).includes("<!--NAVIGATION-->")).length).toBe(teacher.filter((c) => src(c).includes("<!--NAVIGATION-->")).length);
      const graded = (cells: Cell[]) => cells.filter((c) => c.metadata.nbgrader).map((c) => [c.id, c.metadata.nbgrader]);
      expect(graded(student)).toEqual(graded(teacher));
      for (const c of student.filter((c) => tagsOf(c).includes("solution"))) expect(src(c)).toContain("// YOUR CODE HERE");
    }
  });

  it("keeps a student's work: a notebook changed since the last build stops the rebuild unless --force", () => {
    const file = path.join(out, name(LESSONS[1]));
    writeFileSync(file, readFileSync(file, "utf8").replace("// YOUR CODE HERE", "// my answer"));
    const again = runInEnv(["python", "tools/student_edition.py", "--out", out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(name(LESSONS[1]));
    expect(again.stderr).toContain("--force");
    expect(readFileSync(file, "utf8")).toContain("// my answer");
    expect(runInEnv(["python", "tools/student_edition.py", "--out", out, "--force"]).status).toBe(0);
    expect(readFileSync(file, "utf8")).not.toContain("// my answer");
  });

  it("refuses to write over the teacher's notebooks", () => {
    for (const bad of ["notebooks", "."]) {
      const r = runInEnv(["python", "tools/student_edition.py", "--out", bad]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("teacher's notebooks");
    }
  });
});

describe("npm run publish-student: the branch Binder and hubs pull", () => {
  // Published from a clone of the committed project, so this repository's branches are untouched.
  const teacher = path.join(TMP, "teacher");
  const student = path.join(TMP, "student");
  let first: ReturnType<typeof runInEnv>;
  beforeAll(() => {
    git(TMP, "clone", "-q", ROOT, teacher);
    first = runInEnv(["python", path.join(teacher, "tools/publish_student.py")]);
    // --no-local: what a remote clone gets (a local clone would copy every object of the teacher's repository).
    git(TMP, "clone", "-q", "--no-local", "--branch", "student-edition", "--single-branch", teacher, student);
  });

  it("holds the project with the student edition of every lesson, no test suites, and no answer in any file", () => {
    expect(first.status, first.stderr).toBe(0);
    expect(readdirSync(path.join(student, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort()).toEqual(LESSONS.map(name));
    for (const gone of ["tests", "kernel-lib/test"]) expect(() => statSync(path.join(student, gone)), gone).toThrow();
    for (const kept of ["binder/postBuild", "scripts/setup.sh", "kernel-lib/src/index.ts", "package.json", "STUDENT-EDITION.md"]) {
      expect(statSync(path.join(student, kept)).isFile(), kept).toBe(true);
    }
    // kernel-lib/src is the simulator the lessons run; its exercise checkers compute the right
    // answers in the student's kernel (a reference virtqueue, address split, ...): not lesson text.
    const texts = new Map(files(student).map((f) => [path.relative(student, f), readable(f)]));
    expect(leaks(texts, (f) => f.startsWith("kernel-lib/src/"))).toEqual([]);
    for (const lesson of LESSONS) {
      expect(readFileSync(path.join(student, "notebooks", name(lesson)), "utf8"))
        .toBe(readFileSync(path.join(TMP, "lab", name(lesson)), "utf8"));
    }
  });

  it("its history carries no teacher commit: every object a clone gets is free of answers", () => {
    expect(git(student, "rev-list", "--all").trim().split("\n")).toHaveLength(1);
    const blobs = git(student, "cat-file", "--batch-all-objects", "--batch");
    const notebooks = blobs.split(/\n(?=[0-9a-f]{40} blob )/).filter((b) => b.includes('"nbformat"'));
    const texts = new Map(notebooks.map((b, i) => [`object ${i}`, b.replace(/\\"/g, '"').replace(/\\n/g, "\n")]));
    expect(leaks(texts)).toEqual([]);
  });

  it("publishing again fast-forwards; a branch it did not make needs --force; a checked-out branch is refused", () => {
    const again = runInEnv(["python", path.join(teacher, "tools/publish_student.py")]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain("nothing to publish");
    git(teacher, "branch", "mine");
    const mine = runInEnv(["python", path.join(teacher, "tools/publish_student.py"), "--branch", "mine"]);
    expect(mine.status).toBe(2);
    expect(mine.stderr).toContain("--force");
    const current = git(teacher, "branch", "--show-current").trim();
    const here = runInEnv(["python", path.join(teacher, "tools/publish_student.py"), "--branch", current, "--force"]);
    expect(here.status).toBe(2);
    expect(here.stderr).toContain("checked out");
  });
});

describe("npm run assign: the release is the student edition", () => {
  const course = path.join(TMP, "course");
  const graded = LESSONS.filter((f) => read(f).cells.some((c) => c.metadata.nbgrader?.grade));
  const release = (f: string) => path.join(course, "release", path.basename(f, ".ipynb"), name(f));
  beforeAll(() => {
    for (const f of graded) {
      const r = runInEnv(["python", "tools/grading/assign.py", f, "--course", course]);
      if (r.status !== 0) throw new Error(`assign ${name(f)}: ${r.stderr}`);
    }
  });

  it("gives, cell by cell, the sources of the student edition", () => {
    expect(graded.length).toBeGreaterThan(4);
    for (const f of graded) {
      const released = read(release(f)).cells.map((c) => [c.id, c.cell_type, src(c)]);
      const edition = read(path.join(TMP, "lab", name(f))).cells.map((c) => [c.id, c.cell_type, src(c)]);
      expect(released, name(f)).toEqual(edition);
    }
  });

  it("holds nothing a student must not see", () => {
    const texts = new Map(files(path.join(course, "release")).map((f) => [path.relative(course, f), readable(f)]));
    expect(texts.size).toBe(graded.length);
    expect(leaks(texts)).toEqual([]);
  });
});
