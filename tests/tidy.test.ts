// The notebooks are the source of every lesson: tools/tidy.py keeps them canonical (no outputs,
// stable ids, navigation generated from the lesson sequence, checked cell conventions) and never
// loses an edit a teacher made in JupyterLab.
import { describe, expect, it } from "vitest";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, runInEnv } from "./helpers/project";

interface Cell {
  cell_type: string;
  id?: string;
  metadata: Record<string, any>;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
}

const text = (c: Cell) => ([] as string[]).concat(c.source).join("");
const read = (file: string): Notebook => JSON.parse(readFileSync(file, "utf8"));
const write = (file: string, nb: Notebook) => writeFileSync(file, JSON.stringify(nb, null, 2));
const tidy = (args: string[]) => runInEnv(["python", "tools/tidy.py", ...args]);

/** A lessons folder holding copies of three real lessons. */
function lessonsCopy(): { dir: string; files: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), "tidy-"));
  const files = ["00-welcome.ipynb", "01-introduction.ipynb", "02-memory-virtualization.ipynb"].map((name) => {
    copyFileSync(path.join(ROOT, "notebooks", name), path.join(dir, name));
    return path.join(dir, name);
  });
  return { dir, files };
}

describe("npm run tidy", () => {
  it("finds every committed notebook canonical", () => {
    const r = tidy(["--check"]);
    expect(r.stderr + r.stdout).not.toContain("not canonical");
    expect(r.status).toBe(0);
  });

  it("makes a notebook saved from JupyterLab canonical and keeps the teacher's edits", () => {
    const { dir, files } = lessonsCopy();
    const nb = read(files[1]);
    const firstCode = nb.cells.findIndex((c) => c.cell_type === "code");
    const oldIds = nb.cells.map((c) => c.id);
    // What a run and a save in JupyterLab leave behind, plus a teacher's own edits:
    nb.cells[firstCode].outputs = [{ output_type: "stream", name: "stdout", text: ["ran\n"] }];
    nb.cells[firstCode].execution_count = 7;
    nb.cells[firstCode].metadata.execution = { "iopub.status.busy": "2026-12-05T10:00:00Z" };
    nb.cells[2].source = text(nb.cells[2]) + "\n\nA sentence the teacher added in JupyterLab.";
    nb.cells.splice(3, 0, { cell_type: "markdown", metadata: {}, source: "A new cell from JupyterLab, no id yet." });
    nb.cells.splice(4, 0, { ...nb.cells[5], source: "A pasted copy of a cell, same id." });
    nb.cells.push({
      cell_type: "code", metadata: { nbgrader: { grade: true, grade_id: "teacher_extra", locked: true, points: 1, schema_version: 3, solution: false, task: false } },
      source: "// marked Autograder tests in Create Assignment, no tag", outputs: [], execution_count: null,
    });
    write(files[1], nb);

    const r = tidy(["--lessons-dir", dir, ...files]);
    expect(r.status, r.stderr).toBe(0);
    const out = read(files[1]);
    expect(out.cells.every((c) => c.cell_type !== "code" || (c.outputs!.length === 0 && c.execution_count === null))).toBe(true);
    expect(out.cells.some((c) => "execution" in c.metadata)).toBe(false);
    const ids = out.cells.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of oldIds) expect(ids).toContain(id); // existing ids are stable
    const all = out.cells.map(text).join("\n");
    expect(all).toContain("A sentence the teacher added in JupyterLab.");
    expect(all).toContain("A new cell from JupyterLab, no id yet.");
    expect(all).toContain("A pasted copy of a cell, same id.");
    expect(out.cells.find((c) => c.metadata.nbgrader?.grade_id === "teacher_extra")!.metadata.tags).toEqual(["tests"]);
    // Written as JupyterLab writes (sorted keys, one-space indent), so a later save changes nothing.
    expect(readFileSync(files[1], "utf8")).toMatch(/^\{\n "cells": \[\n  \{\n   "cell_type"/);
    expect(tidy(["--check", "--lessons-dir", dir, ...files]).status).toBe(0);
  });

  it("generates navigation and contents from the lesson sequence", () => {
    const { dir, files } = lessonsCopy();
    // A new lesson appended to the sequence: the previous last lesson links to it.
    const added = path.join(dir, "03-added-lesson.ipynb");
    const nb = read(files[2]);
    nb.cells = [{ cell_type: "markdown", metadata: {}, source: "# 03 — An added lesson: with a subtitle" }];
    write(added, nb);
    const r = tidy(["--lessons-dir", dir, ...files, added]);
    expect(r.status, r.stderr).toBe(0);
    const nav = (file: string) => read(file).cells.filter((c) => text(c).startsWith("<!--NAVIGATION-->")).map(text);
    for (const file of [...files, added]) {
      const lines = nav(file);
      expect(lines).toHaveLength(2); // under the title and at the foot
      expect(read(file).cells[1].id).toBe("navigation-top");
      expect(lines[0]).toBe(lines[1]);
    }
    expect(nav(files[2])[0]).toContain("[03 — An added lesson →](03-added-lesson.ipynb)");
    expect(nav(files[2])[0]).toContain("(01-introduction.ipynb)");
    expect(nav(added)[0]).not.toContain("→");
    const contents = read(files[0]).cells.find((c) => text(c).startsWith("<!--CONTENTS-->"))!;
    expect(text(contents)).toContain("[03 — An added lesson: with a subtitle](03-added-lesson.ipynb)");
    expect(text(contents).match(/^1\. /gm)).toHaveLength(3);
  });

  it("refuses what only the author can fix, naming notebook and cell, and writes nothing", () => {
    const cases: [string, (nb: Notebook) => void, RegExp][] = [
      ["unknown tag", (nb) => { nb.cells[2].metadata.tags = ["remove-input"]; }, /cell 3 .*unknown tag 'remove-input'/],
      ["BEGIN without END", (nb) => {
        const c = nb.cells.find((x) => x.metadata.tags?.includes("solution"))!;
        c.source = text(c).replace(/\/\/ END SOLUTION/, "");
      }, /BEGIN SOLUTION` without a matching/],
      ["answer in an untagged cell", (nb) => {
        nb.cells.push({ cell_type: "code", metadata: {}, source: "// BEGIN SOLUTION\nconst a = 1;\n// END SOLUTION", outputs: [], execution_count: null });
      }, /markers in a cell not tagged 'solution'/],
      ["points not a number", (nb) => {
        nb.cells.find((x) => x.metadata.tags?.includes("tests"))!.metadata.nbgrader.points = "lots";
      }, /positive number of points \(got 'lots'\)/],
      ["two exercises, one grade_id", (nb) => {
        const t = nb.cells.find((x) => x.metadata.tags?.includes("tests"))!;
        nb.cells.push(JSON.parse(JSON.stringify({ ...t, id: "copy-of-tests" })));
      }, /grade_id '.*' is also used by cell/],
    ];
    for (const [name, spoil, message] of cases) {
      const { dir, files } = lessonsCopy();
      const nb = read(files[1]);
      spoil(nb);
      write(files[1], nb);
      const before = readFileSync(files[1], "utf8");
      const r = tidy(["--lessons-dir", dir, files[1]]);
      expect(r.status, name).toBe(2);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr, name).toContain("01-introduction.ipynb");
      expect(readFileSync(files[1], "utf8"), name).toBe(before);
    }
  });
});
