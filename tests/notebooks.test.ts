// Every lesson notebook, executed top to bottom by the real tslab kernel through nbclient
// (tools/nbexec.py). A cell that errors, is aborted or writes to stderr fails the run.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, runInEnv, selectedLessonNotebooks } from "./helpers/project";

const EXECUTED = path.join(ROOT, "build", "executed");

describe("lesson notebooks run clean on the tslab kernel", () => {
  const notebooks = selectedLessonNotebooks();
  it("finds the notebooks", () => expect(notebooks.length).toBeGreaterThan(0));

  for (const nb of notebooks) {
    it(nb, () => {
      const r = runInEnv(["python", "tools/nbexec.py", "--output", EXECUTED, nb]);
      expect(r.stdout + r.stderr, `${nb} failed:\n${r.stdout}\n${r.stderr}`).toMatch(/^ok /m);
      expect(r.status).toBe(0);
      const executed = JSON.parse(readFileSync(path.join(EXECUTED, path.basename(nb)), "utf8"));
      for (const cell of executed.cells.filter((c: { cell_type: string }) => c.cell_type === "code")) {
        expect(cell.execution_count, "execution counts copied from the replies").toBeTypeOf("number");
        expect(cell.outputs.filter((o: { output_type: string }) => o.output_type === "error")).toEqual([]);
      }
      // Committed notebooks carry no outputs (outputs are build products).
      const source = JSON.parse(readFileSync(path.join(ROOT, nb), "utf8"));
      for (const cell of source.cells) if (cell.cell_type === "code") expect(cell.outputs).toEqual([]);
    });
  }
});
