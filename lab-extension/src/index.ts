/**
 * The JupyterLab plugin of the Computropolis extension: cells tagged with the project's vocabulary
 * (tools/cells.py: story, pause, analogy, debate, what-if, objectives, summary, teacher, the exercise
 * tags) look as they do in the handouts; cells run out of order or against an edited solution get a
 * line of advice (run-advice.ts). The playground renderer is the mime extension (mime.ts).
 */
import type { JupyterFrontEndPlugin } from "@jupyterlab/application";
import { INotebookTracker } from "@jupyterlab/notebook";
import { watchNotebook } from "./cell-tags";
import { forgetOnRestart, watchRuns } from "./run-advice";
import { looksFor, type Vocabulary } from "./tags";

/** tools/cells.py's vocabulary, put here by build.mjs. */
declare const CELL_TAGS: Vocabulary;

const plugin: JupyterFrontEndPlugin<void> = {
  id: "computropolis-lab:callouts",
  description: "Styles notebook cells by their tags (tools/cells.py) like the handouts' callouts.",
  autoStart: true,
  requires: [INotebookTracker],
  activate: (app, tracker: INotebookTracker) => {
    const looks = looksFor(CELL_TAGS);
    tracker.forEach((panel) => {
      watchNotebook(panel.content, looks);
      forgetOnRestart(panel);
    });
    tracker.widgetAdded.connect((_, panel) => {
      watchNotebook(panel.content, looks);
      forgetOnRestart(panel);
    });
    // Advice under cells run out of order, skipped, or checking an edited solution (run-advice.ts).
    watchRuns((notebook) => tracker.find((panel) => panel.content === notebook), app.commands);
  },
};

export default plugin;
