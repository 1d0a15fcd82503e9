/**
 * Advice under a cell when what the kernel says would leave a student stuck (issue 13):
 *
 * - "Cannot find name 'kl'" (or any name a cell above defines): the kernel was restarted, or the
 *   cells above have not run in this session; a line says which cell defines it and to run the
 *   cells above first (Run ▸ Run All Above Selected Cell), with a button that does it.
 * - A cell that ran without any output and failed: tslab skips requests for a moment after an
 *   error (a quick second Shift+Enter), so the cell did not run at all; a line says so.
 * - A test cell run while the solution cell above was edited since it last ran: the kernel would
 *   grade the old definition, so the verdict is replaced by a line saying it was not checked and
 *   what to run. (A solution cell that did not compile is the kernel's own business:
 *   kernel-lib/src/course/shared/compile-watch.ts says so in nbconvert and nbgrader too.)
 *
 * The advice is an ordinary stderr stream output, so it is saved with the notebook and read like
 * the kernel's own messages; the advice lines start with "→" and are recognised as ours.
 */
import { NotebookActions, type Notebook, type NotebookPanel } from "@jupyterlab/notebook";
import type { CodeCell, Cell } from "@jupyterlab/cells";
import type { CommandRegistry } from "@lumino/commands";

/** tslab's compile diagnostic: "line:col - message". */
const DIAGNOSTIC = /^\d+:\d+ - /m;
const NOT_FOUND = /^\d+:\d+ - Cannot find name '([A-Za-z_$][\w$]*)'\./gm;
/** The class of the "Run cells above" button, for tests and CSS. */
export const RUN_ABOVE_CLASS = "kl-run-above";

interface LastRun {
  source: string;
  compileError: boolean;
}

const runs = new WeakMap<Notebook, Map<string, LastRun>>();
/** The last cell of each notebook that ran and failed (what a skipped cell's advice names). */
const lastFailure = new WeakMap<Notebook, Cell>();

function tagsOf(cell: Cell): string[] {
  const tags = cell.model.getMetadata("tags");
  return Array.isArray(tags) ? (tags as string[]) : [];
}

function nbgraderOf(cell: Cell): { solution?: boolean; grade?: boolean } {
  return (cell.model.getMetadata("nbgrader") as { solution?: boolean; grade?: boolean } | undefined) ?? {};
}

const isSolution = (cell: Cell) => cell.model.type === "code" && (tagsOf(cell).includes("solution") || nbgraderOf(cell).solution === true);
const isTest = (cell: Cell) => cell.model.type === "code" && !isSolution(cell) && (tagsOf(cell).includes("tests") || nbgraderOf(cell).grade === true);

function outputsOf(cell: Cell): Array<{ output_type: string; name?: string; text?: string | string[] }> {
  if (cell.model.type !== "code") return [];
  return (cell as CodeCell).model.outputs.toJSON() as Array<{ output_type: string; name?: string; text?: string | string[] }>;
}

function stderrOf(cell: Cell): string {
  return outputsOf(cell)
    .filter((o) => o.output_type === "stream" && o.name === "stderr")
    .map((o) => ([] as string[]).concat(o.text ?? []).join(""))
    .join("");
}

function addAdvice(cell: Cell, lines: string[], replace = false): void {
  const outputs = (cell as CodeCell).model.outputs;
  if (replace) outputs.clear();
  outputs.add({ output_type: "stream", name: "stderr", text: lines.map((l) => `→ ${l}\n`).join("") });
}

/** A cell as a student can find it: its first line ("the cell that begins `import * as kl …`"). */
function firstLine(cell: Cell): string {
  const line = cell.model.sharedModel.getSource().split("\n").find((l) => l.trim()) ?? "";
  return line.length > 80 ? `${line.trim().slice(0, 79)}…` : line.trim();
}

/** Where `name` is defined above `index`: the cell's index and whether it imports it. */
function definitionAbove(notebook: Notebook, index: number, name: string): { index: number; imports: boolean } | undefined {
  const escaped = name.replace(/\$/g, "\\$");
  const declares = new RegExp(`(^|\\n)\\s*(export\\s+)?(function\\*?|const|let|var|class|interface|type|enum)\\s+${escaped}\\b`);
  const imports = new RegExp(`(^|\\n)\\s*import\\b[^;\\n]*\\b${escaped}\\b[^;\\n]*\\bfrom\\b`);
  for (let i = index - 1; i >= 0; i--) {
    const cell = notebook.widgets[i]!;
    if (cell.model.type !== "code") continue;
    const source = cell.model.sharedModel.getSource();
    if (imports.test(source)) return { index: i, imports: true };
    if (declares.test(source)) return { index: i, imports: false };
  }
  return undefined;
}

/** The button that runs every cell above the given one (JupyterLab's own command). */
function addRunAboveButton(cell: Cell, notebook: Notebook, commands: CommandRegistry): void {
  const area = cell.node.querySelector(".jp-Cell-outputArea");
  if (!area || area.querySelector(`.${RUN_ABOVE_CLASS}`)) return;
  const button = document.createElement("button");
  button.className = `${RUN_ABOVE_CLASS} jp-mod-styled jp-mod-accept`;
  button.textContent = "Run cells above";
  button.title = "Run ▸ Run All Above Selected Cell";
  button.addEventListener("click", () => {
    notebook.activeCellIndex = notebook.widgets.indexOf(cell);
    void commands.execute("notebook:run-all-above");
  });
  area.appendChild(button);
}

function advise(panel: NotebookPanel, cell: Cell, success: boolean, commands: CommandRegistry): void {
  const notebook = panel.content;
  const index = notebook.widgets.indexOf(cell);
  if (index < 0 || cell.model.type !== "code") return;
  const stderr = stderrOf(cell);
  const last = runs.get(notebook) ?? new Map<string, LastRun>();
  runs.set(notebook, last);
  if (isSolution(cell)) last.set(cell.model.id, { source: cell.model.sharedModel.getSource(), compileError: DIAGNOSTIC.test(stderr) });

  if (!success && outputsOf(cell).length === 0) {
    const failed = lastFailure.get(notebook);
    const which = failed && !failed.isDisposed && notebook.widgets.includes(failed) ? `the cell that begins "${firstLine(failed)}"` : "a cell";
    addAdvice(cell, [
      `This cell did not run: ${which} failed just before, and the kernel skips what it is sent in that moment ` +
        `(also a quick second Shift+Enter). Run this cell again.`,
    ]);
    return;
  }
  if (!success) lastFailure.set(notebook, cell);
  const missing = [...stderr.matchAll(NOT_FOUND)].map((m) => m[1]!);
  if (missing.length > 0) {
    const found = missing.map((name) => ({ name, where: definitionAbove(notebook, index, name) })).filter((m) => m.where);
    if (found.length > 0) {
      const { where } = found[0]!;
      const names = [...new Set(found.map((f) => `'${f.name}'`))].join(", ");
      addAdvice(cell, [
        `${names} ${found.length > 1 ? "are" : "is"} ${where!.imports ? "imported" : "defined"} in a cell above (the one that begins ` +
          `"${firstLine(notebook.widgets[where!.index]!)}") but not in this kernel session: it was restarted, or that cell has not run ` +
          `since. Run the cells above first (the button below, or Run ▸ Run All Above Selected Cell), then this one.`,
      ]);
      addRunAboveButton(cell, notebook, commands);
      return;
    }
  }
  if (isTest(cell) && !/was not checked/.test(stderr)) {
    for (let i = index - 1; i >= 0; i--) {
      const above = notebook.widgets[i]!;
      if (isTest(above)) break; // only the solution cells of this exercise (since the previous test)
      if (!isSolution(above)) continue;
      const run = last.get(above.model.id);
      if (run && run.source !== above.model.sharedModel.getSource()) {
        addAdvice(cell, [
          `Not checked: the solution cell above (the one that begins "${firstLine(above)}") was edited since it last ran, so this cell would check the old version. ` +
            `Run the solution cell (Shift+Enter), then this cell again.`,
        ], true);
        return;
      }
    }
  }
}

/** Watches every cell run in the notebooks of `tracker`'s panels and adds the advice above. */
export function watchRuns(panelOf: (notebook: Notebook) => NotebookPanel | undefined, commands: CommandRegistry): void {
  NotebookActions.executed.connect((_, { notebook, cell, success }) => {
    const panel = panelOf(notebook);
    if (panel) advise(panel, cell, success, commands);
  });
}

/** Forgets a notebook's solution runs when its kernel restarts or changes (nothing is defined any more). */
export function forgetOnRestart(panel: NotebookPanel): void {
  const forget = () => runs.delete(panel.content);
  panel.sessionContext.kernelChanged.connect(forget);
  panel.sessionContext.statusChanged.connect((_, status) => {
    if (status === "restarting" || status === "autorestarting") forget();
  });
}
