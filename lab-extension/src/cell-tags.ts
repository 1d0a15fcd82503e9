/**
 * Keeps each notebook cell's look in step with its tags: the classes of tags.ts on the cell's node
 * and its label (as a handout wraps a tagged cell in `.callout.callout-<tag>` with a `.cell-label`). Re-applied when the
 * cells, a cell's metadata (the property inspector's Cell Tags) or its text change.
 */
import type { Notebook } from "@jupyterlab/notebook";
import { cellLook, type Look } from "./tags";

type Cell = Notebook["widgets"][number];

const APPLIED = "klAppliedClasses"; // dataset key: the classes we added, to take off again

export function applyLook(cell: Cell, looks: Record<string, Look>): void {
  if (cell.isDisposed || !cell.model) return;
  const tags = (cell.model.getMetadata("tags") as string[] | undefined) ?? [];
  const source = cell.model.type === "markdown" ? cell.model.sharedModel.getSource() : "";
  const look = cellLook(Array.isArray(tags) ? tags : [], source, looks);
  const node = cell.node;
  const before = (node.dataset[APPLIED] ?? "").split(" ").filter(Boolean);
  node.classList.remove(...before.filter((c) => !look.classes.includes(c)));
  node.classList.add(...look.classes);
  node.dataset[APPLIED] = look.classes.join(" ");
  // The label is drawn by CSS (`[data-kl-label]::before`, callouts.css), not a child node: Lumino
  // inserts a cell's own children by index, which would push a foreign first child to the end.
  if (look.label) node.dataset.klLabel = look.label;
  else delete node.dataset.klLabel;
}

const watched = new WeakSet<object>();

/** Styles every cell of `notebook` now and whenever its cells or their tags change. */
export function watchNotebook(notebook: Notebook, looks: Record<string, Look>): void {
  const syncAll = () => {
    for (const cell of notebook.widgets) {
      if (!watched.has(cell)) {
        watched.add(cell);
        const update = () => applyLook(cell, looks);
        cell.model.metadataChanged.connect(update);
        if (cell.model.type === "markdown") cell.model.contentChanged.connect(update);
      }
      applyLook(cell, looks);
    }
  };
  // The notebook makes a cell's widget in its own handler of the same signal: look after it has run.
  const later = () => requestAnimationFrame(syncAll);
  const watchModel = () => {
    const model = notebook.model;
    if (model && !watched.has(model)) {
      watched.add(model);
      model.cells.changed.connect(later);
    }
    later();
  };
  notebook.modelChanged.connect(watchModel);
  watchModel();
}
