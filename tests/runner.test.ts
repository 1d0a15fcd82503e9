// The notebook runner must fail on every kind of tslab failure, naming notebook and cell.
// tests/fixtures/broken.ipynb: 1 type error, 2 fine, 3 throws, 4 writes to stderr, 5 fine.
import { describe, expect, it } from "vitest";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runInEnv } from "./helpers/project";

const BROKEN = "tests/fixtures/broken.ipynb";

describe("tools/nbexec.py on a deliberately broken notebook", () => {
  it("stops at the first failing cell and names notebook, cell and message", () => {
    const r = runInEnv(["python", "tools/nbexec.py", BROKEN]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`FAIL ${BROKEN}: cell 1 (code cell 1): error: 1:7 - Type 'string' is not assignable to type 'number'.`);
    expect(r.stdout.match(/^FAIL/gm)).toHaveLength(1);
  });

  it("with --keep-going runs every cell and reports each failure with a real error output", () => {
    const out = mkdtempSync(path.join(tmpdir(), "nbexec-"));
    const r = runInEnv(["python", "tools/nbexec.py", "--keep-going", "--output", out, BROKEN]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${BROKEN}: cell 3 (code cell 3): error: Error: boom`);
    expect(r.stdout).toContain(`${BROKEN}: cell 4 (code cell 4): stderr: warn`);
    const cells = JSON.parse(readFileSync(path.join(out, "broken.ipynb"), "utf8")).cells;
    const errorOf = (i: number) => cells[i].outputs.find((o: { output_type: string }) => o.output_type === "error");
    expect(errorOf(0)).toMatchObject({ ename: "TypeScriptError" });
    expect(errorOf(2)).toMatchObject({ ename: "Error", evalue: "Error: boom" });
    // The cells after each error really ran (tslab would have aborted them if sent at once).
    const text = (o: { text: string | string[] }) => ([] as string[]).concat(o.text).join("");
    expect(text(cells[1].outputs[0])).toBe("second\n");
    expect(text(cells[4].outputs[0])).toBe("last\n");
  });

  it("reports a cell that tslab aborts as a failure, not a pass", () => {
    // Without waiting out tslab's 200 ms abort window, the cell after an error is aborted.
    const r = runInEnv(["python", "tools/nbexec.py", "--keep-going", BROKEN], { NBEXEC_ABORT_WINDOW_S: "0" });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${BROKEN}: cell 2 (code cell 2): aborted`);
  });

  it("rejects a missing notebook with a clear message", () => {
    const r = runInEnv(["python", "tools/nbexec.py", "notebooks/nope.ipynb"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no such notebook: notebooks/nope.ipynb");
  });
});
