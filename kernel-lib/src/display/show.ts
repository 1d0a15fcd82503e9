/**
 * Showing results in a tslab notebook. Node-only (it talks to the running tslab kernel), so the
 * browser bundle of the simulator leaves this module out.
 *
 * tslab's public `display` API sends one MIME type per output; a chart needs two (the Plotly
 * JSON for JupyterLab, HTML that survives export), so we send a whole bundle through the
 * display hook tslab itself uses.
 */
import type { Figure } from "../charts/figure";
import type { Row } from "../charts/builders";
import { figureBundle, markdownBundle, tableBundle, type MimeBundle } from "./bundle";

type WriteDisplayData = (msg: { data: MimeBundle; metadata: object; transient: object }, update: boolean) => void;

function kernelWriter(): WriteDisplayData | null {
  try {
    // Resolves to the same module instance the running tslab kernel loaded.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: WriteDisplayData | null };
    return jupyter.lastWriteDisplayData;
  } catch {
    return null;
  }
}

/** Whether code is running inside a tslab kernel cell. */
export function inNotebook(): boolean {
  return kernelWriter() !== null;
}

/** Sends a MIME bundle as one display output; outside a notebook prints its text/plain form. */
export function display(bundle: MimeBundle): void {
  const write = kernelWriter();
  if (write) write({ data: bundle, metadata: {}, transient: {} }, false);
  else console.log(String(bundle["text/plain"] ?? ""));
}

/** Shows a Plotly figure as one output (renders in JupyterLab, survives HTML export). */
export function showChart(figure: Figure): void {
  display(figureBundle(figure));
}

/** Shows tidy rows as a table. */
export function showTable(rows: readonly Row[], options?: { digits?: number; caption?: string }): void {
  display(tableBundle(rows, options));
}

/** Shows markdown, typically prose with numbers the simulator just produced. */
export function showMarkdown(markdown: string): void {
  display(markdownBundle(markdown));
}
