// The real thing a teacher and a student do: one JupyterLab on a free localhost port, serving the
// project (the teacher's notebooks/ and a student edition built by tools/student_edition.py), opened
// in headless Chromium. The welcome notebook (student edition): Run All, the Plotly chart drawn, the
// playground's sliders re-running kernel-lib in the page, and, saved and reloaded, the chart live
// again without a kernel. Tagged cells of the student edition look like the handouts' callouts. The
// student's exercise flow on 03: Run All with nothing filled in fails with the clean feedback block,
// a wrong answer gets the hint for its mistake, an edited but unrun solution is not checked, a right
// one passes, nbgrader's Validate button reports the wrong one as a failure; after a kernel restart a
// middle cell says to run the cells above, and its button does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { chartLabelProblems } from "./helpers/chart-labels";
import { ARTIFACTS, browserEnv, CHROMIUM, CHROMIUM_ARGS, freePort, ROOT, runInEnv, startInEnv } from "./helpers/project";
import { LEAF_FIRST, ROOT_FIRST } from "./helpers/student-answers";

/** The student edition this suite opens (its own folder: `npm run lab -- --student` uses build/student-edition). */
const STUDENT = "build/lab-test-student-edition";

let port = 0;
let lab: ReturnType<typeof startInEnv> | undefined;
let browser: Browser | undefined;
let labLog = "";
/** The welcome notebook after Run All (the first test), kept open for the playground test. */
let welcome: Page | undefined;

type LabWindow = { jupyterapp: { shell: { currentWidget: unknown }; commands: { execute(id: string): Promise<unknown> } } };

/** Opens `notebook` in a fresh tab and waits until its tslab kernel is idle. */
async function openNotebook(notebook: string, pageErrors: string[]): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 1400 } });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(`http://127.0.0.1:${port}/lab/tree/${notebook}?reset`);
  await untilKernelIdle(page);
  return page;
}

/** Waits until the open notebook's tslab kernel is idle. */
async function untilKernelIdle(page: Page): Promise<void> {
  // The notebook opens on the tslab kernel (named in its metadata) and the kernel becomes idle.
  await page.waitForSelector(".jp-Notebook .jp-Cell", { timeout: 60_000 });
  await page.waitForFunction(() => {
    const app = (window as unknown as Partial<LabWindow>).jupyterapp;
    const w = app?.shell.currentWidget as { sessionContext?: { session?: { kernel?: { name: string; status: string } } } } | undefined;
    const k = w?.sessionContext?.session?.kernel;
    return k?.name === "tslab" && k.status === "idle";
  }, undefined, { timeout: 60_000 });
}

async function waitForLab(url: string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/api/status`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`JupyterLab did not start within ${ms} ms. Log:\n${labLog}`);
}

beforeAll(async () => {
  rmSync(path.join(ROOT, STUDENT), { recursive: true, force: true });
  const built = runInEnv(["python", "tools/student_edition.py", "--out", STUDENT, "--force"]);
  if (built.status !== 0) throw new Error(`building the student edition failed:\n${built.stderr}`);
  port = await freePort();
  lab = startInEnv([
    "jupyter", "lab", "--no-browser", "--allow-root", `--port=${port}`, "--ServerApp.ip=127.0.0.1",
    "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
    "--LabApp.expose_app_in_browser=True", `--ServerApp.root_dir=${ROOT}`,
  ]);
  lab.stdout!.on("data", (d) => (labLog += d));
  lab.stderr!.on("data", (d) => (labLog += d));
  await waitForLab(`http://127.0.0.1:${port}`, 60_000);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: browserEnv() });
});

afterAll(async () => {
  await browser?.close();
  rmSync(path.join(ROOT, STUDENT), { recursive: true, force: true });
  if (lab?.pid) {
    try {
      process.kill(-lab.pid, "SIGTERM"); // the whole process group: server and kernels
    } catch {
      /* already gone */
    }
  }
});

describe("JupyterLab in headless Chromium", () => {
  it("runs the welcome notebook on the TypeScript kernel and draws its Plotly chart", async () => {
    const pageErrors: string[] = [];
    const page = await openNotebook(`${STUDENT}/00-welcome.ipynb`, pageErrors);
    await page.evaluate(() =>
      (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }).jupyterapp.commands.execute(
        "notebook:run-all-cells",
      ),
    );
    // The chart is drawn by the project's extension, fitted like a handout's (lab-extension/src/chart-view.ts).
    await page.waitForSelector(".jp-OutputArea-output.kl-lab-chart svg.main-svg", { timeout: 60_000 });
    // The first chart (the welcome notebook's later playground chart is the next test's).
    const firstChart = page.locator(".jp-OutputArea-output").filter({ has: page.locator("svg.main-svg") }).first();
    const bars = await firstChart.locator("svg.main-svg g.point").count();
    expect(bars, "one bar per (walk, levels) row").toBe(4);
    const title = await firstChart.locator("svg.main-svg .gtitle").first().textContent();
    expect(title).toBe("Memory reads for one TLB miss");
    expect(await page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()).toBe(0);
    expect(await page.locator(".jp-Notebook table.kl-table").count()).toBe(1);
    mkdirSync(path.join(ARTIFACTS, "screenshots"), { recursive: true });
    await page.locator(".jp-OutputArea-output svg.main-svg").first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, "screenshots", "lab-00-welcome.png") });
    expect(pageErrors).toEqual([]);
    expect(await page.evaluate(chartLabelProblems), "labels cut off or drawn over each other").toEqual([]);
    // A narrower window (a side panel opened): the chart is fitted again to the room it has left.
    const svgWidth = () => firstChart.locator("svg.main-svg").first().evaluate((svg) => svg.getBoundingClientRect().width);
    const wide = await svgWidth();
    await page.setViewportSize({ width: 900, height: 1400 });
    await expect.poll(svgWidth, { timeout: 10_000 }).toBeLessThan(wide - 100);
    expect(await page.evaluate(chartLabelProblems)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 1400 });
    welcome = page;
  });

  it("draws the welcome notebook's playground with sliders that re-run kernel-lib in the page", async () => {
    const page = welcome!;
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    // kl.showPlayground("page-walk", 4-level guest and host): the extension's renderer, not Plotly's.
    const box = page.locator(".kl-lab-playground .kl-playground-box[data-playground='page-walk']");
    await box.locator(".kl-chart.kl-drawn svg.main-svg").first().waitFor({ timeout: 60_000 });
    expect(await box.locator("input[type=range][data-param]").count(), "one slider per parameter").toBe(4);
    const plot = box.locator(".kl-plot");
    // Reads per mode: [native, shadow, nested], summed over the stacked traces (guest and host entries).
    const reads = () =>
      plot.evaluate((gd) => {
        const data = (gd as unknown as { data: { y: number[] }[] }).data;
        return data[0]!.y.map((_, i) => data.reduce((sum, trace) => sum + trace.y[i]!, 0));
      });
    const walk = (n: number, m: number) => [n, n, (n + 1) * (m + 1) - 1]; // DESIGN.md's model facts
    expect(await reads()).toEqual(walk(4, 4));
    await box.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, "screenshots", "lab-playground-before.png") });
    // Move the guest-levels slider one step with the keyboard: 4 → 5 levels.
    const slider = box.locator("input[data-param='guestLevels']");
    await slider.scrollIntoViewIfNeeded();
    await slider.focus();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => box.locator(".kl-chart").getAttribute("data-runs"), { timeout: 20_000 }).toBe("1");
    expect(await box.locator("output[data-for='guestLevels']").textContent()).toBe("5 levels");
    expect(await reads(), "native and shadow read 5 entries, nested (5+1)(4+1)−1").toEqual(walk(5, 4));
    expect(await box.locator("svg.main-svg .gtitle").first().textContent()).toContain("guest 5-level");
    expect(await box.locator(".kl-playground-status").textContent()).toMatch(/Re-ran the simulation in your browser/);
    // And the host side with input events, as a dragged slider sends them: 4 → 5 host levels.
    await box.locator("input[data-param='hostLevels']").evaluate((input: HTMLInputElement) => {
      input.value = "5";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await expect.poll(() => box.locator(".kl-chart").getAttribute("data-runs"), { timeout: 20_000 }).toBe("2");
    expect(await reads()).toEqual(walk(5, 5));
    await box.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, "screenshots", "lab-playground-after.png") });
    expect(pageErrors).toEqual([]);
  });

  it("keeps the charts live in a saved notebook: reloaded, they are drawn again from the saved output, no kernel run", async () => {
    const page = welcome!;
    await page.evaluate(() => (window as unknown as LabWindow).jupyterapp.commands.execute("docmanager:save"));
    await expect.poll(() => {
      const saved = JSON.parse(readFileSync(path.join(ROOT, STUDENT, "00-welcome.ipynb"), "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
      return saved.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["application/vnd.plotly.v1+json"] && o.data["application/vnd.computropolis.chart+json"]).length;
    }, { timeout: 20_000 }).toBeGreaterThan(0);
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.reload();
    await page.waitForSelector(".jp-Notebook .jp-Cell", { timeout: 60_000 });
    // Drawn by the extension from the saved bundle: an svg plot, and the playground's sliders, live.
    await page.locator(".jp-OutputArea-output.kl-lab-chart svg.main-svg").first().waitFor({ timeout: 60_000 });
    const box = page.locator(".kl-lab-playground .kl-playground-box[data-playground='page-walk']");
    await box.locator(".kl-chart.kl-drawn svg.main-svg").first().waitFor({ timeout: 60_000 });
    await box.locator("input[data-param='guestLevels']").evaluate((input: HTMLInputElement) => {
      input.value = "5";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await expect.poll(() => box.locator(".kl-chart").getAttribute("data-runs"), { timeout: 20_000 }).toBe("1");
    expect(await page.locator(".jp-OutputArea-output img").count(), "no static chart images").toBe(0);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("fits every chart of the performance lesson to Lab's width: no label cut off or drawn over another", async () => {
    const pageErrors: string[] = [];
    const page = await openNotebook("notebooks/05-performance.ipynb", pageErrors);
    await page.evaluate(() => (window as unknown as LabWindow).jupyterapp.commands.execute("notebook:run-all-cells"));
    // Run All is done when the kernel is idle again with the last code cell numbered.
    await page.waitForFunction(() => {
      const w = (window as unknown as LabWindow).jupyterapp.shell.currentWidget as {
        sessionContext: { session?: { kernel?: { status: string } } }; content: { widgets: { model: { type: string; executionCount?: number | null } }[] };
      };
      const code = w.content.widgets.filter((c) => c.model.type === "code");
      return w.sessionContext.session?.kernel?.status === "idle" && code.length > 0 && code.every((c) => c.model.executionCount);
    }, undefined, { timeout: 240_000, polling: 500 });
    const charts = page.locator(".kl-lab-chart .kl-chart.kl-drawn, .kl-lab-playground .kl-chart.kl-drawn");
    await expect.poll(() => charts.count(), { timeout: 30_000 }).toBeGreaterThan(3);
    // Content-visibility keeps far cells undrawn: bring each chart on screen before measuring it.
    for (let i = 0; i < (await charts.count()); i++) await charts.nth(i).scrollIntoViewIfNeeded();
    expect(await page.evaluate(chartLabelProblems)).toEqual([]);
    const large = page.locator(".kl-lab-chart .kl-chart", { hasText: "Large pages" }).first();
    if (await large.count()) {
      await large.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(ARTIFACTS, "screenshots", "lab-05-large-pages.png") });
    }
    expect(await page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("styles a lesson's tagged cells as the handouts' callouts, and follows tag changes", async () => {
    const pageErrors: string[] = [];
    const page = await openNotebook(`${STUDENT}/01-introduction.ipynb`, pageErrors);
    const story = page.locator(".jp-Notebook .jp-Cell.callout.callout-story").first();
    await story.waitFor({ timeout: 30_000 });
    await story.scrollIntoViewIfNeeded();
    // The look itself, not only a class: handout.css's story colour (#7a4fb5) on a 6 px left border,
    // a tinted background, the serif story font and the "Story" label.
    const look = await story.evaluate((cell) => {
      const css = getComputedStyle(cell);
      const text = cell.querySelector(".jp-RenderedMarkdown");
      const label = getComputedStyle(cell, "::before");
      return {
        border: `${css.borderLeftWidth} ${css.borderLeftStyle} ${css.borderLeftColor}`,
        background: css.backgroundColor,
        font: text ? getComputedStyle(text).fontFamily : "",
        label: `${label.content} ${label.textTransform}`,
        labelColor: label.color,
      };
    });
    expect(look.border).toBe("6px solid rgb(122, 79, 181)");
    expect(look.background).not.toBe("rgba(0, 0, 0, 0)");
    expect(look.font).toMatch(/Georgia/);
    // "Story", then the route it belongs to when it is tagged for one (lab-extension/src/tags.ts).
    expect(look.label).toMatch(/^"Story( · [^"]+)?" uppercase$/);
    expect(look.labelColor).toBe("rgb(122, 79, 181)");
    mkdirSync(path.join(ARTIFACTS, "screenshots"), { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "screenshots", "lab-callout-story.png") });
    // Tag an untagged markdown cell `pause` (as the property inspector does), then untag it.
    const setTags = (tags: string[]) =>
      page.evaluate((tags) => {
        type Cell = { node: HTMLElement; model: { type: string; getMetadata(k: string): unknown; setMetadata(k: string, v: unknown): void } };
        const nb = ((window as unknown as LabWindow).jupyterapp.shell.currentWidget as { content: { widgets: Cell[] } }).content;
        const cell = nb.widgets.find((c) => c.node.dataset.klProbe)
          ?? nb.widgets.find((c) => c.model.type === "markdown" && !c.node.classList.contains("callout"))!;
        cell.node.dataset.klProbe = "1";
        cell.model.setMetadata("tags", tags);
      }, tags);
    const probe = page.locator(".jp-Cell[data-kl-probe]");
    await setTags(["pause"]);
    await expect.poll(() => probe.evaluate((c) => c.className)).toMatch(/\bcallout-pause\b/);
    expect(await probe.evaluate((c) => getComputedStyle(c).borderLeftColor)).toBe("rgb(154, 91, 0)");
    await setTags([]);
    await expect.poll(() => probe.evaluate((c) => c.className)).not.toMatch(/\bcallout\b/);
    expect(await probe.evaluate((c) => getComputedStyle(c, "::before").content)).toBe("none");
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});

/** In the open notebook: the index of the cell with this nbgrader grade_id. */
function cellIndex(page: Page, gradeId: string): Promise<number> {
  return page.evaluate((id) => {
    type Cell = { model: { getMetadata(k: string): unknown } };
    const nb = ((window as unknown as LabWindow).jupyterapp.shell.currentWidget as { content: { widgets: Cell[] } }).content;
    return nb.widgets.findIndex((c) => (c.model.getMetadata("nbgrader") as { grade_id?: string } | undefined)?.grade_id === id);
  }, gradeId);
}

type NbCell = { node: HTMLElement; model: { type: string; executionCount?: number | null; sharedModel: { getSource(): string; setSource(s: string): void } } };
type NbPanel = { content: { widgets: NbCell[]; activeCellIndex: number; mode: string }; sessionContext: { session?: { kernel?: { status: string; restart(): Promise<void> } } } };

/** Runs one cell (Run ▸ Run Selected Cell, staying on it) and waits until the kernel is idle, then out
 *  of tslab's abort window (after an error it skips requests for 200 ms; the extension says so under
 *  such a cell, but here each cell must run). */
async function runCell(page: Page, index: number): Promise<void> {
  await page.evaluate(async (i) => {
    const app = (window as unknown as LabWindow).jupyterapp;
    const panel = app.shell.currentWidget as NbPanel;
    panel.content.activeCellIndex = i;
    panel.content.mode = "command";
    await app.commands.execute("notebook:run-cell").catch(() => false);
  }, index);
  await untilKernelIdle(page);
  await page.waitForTimeout(400);
}

/** The text of a cell's outputs. */
function outputText(page: Page, index: number): Promise<string> {
  return page.evaluate((i) => {
    const panel = (window as unknown as LabWindow).jupyterapp.shell.currentWidget as NbPanel;
    return (panel.content.widgets[i]!.node.querySelector(".jp-OutputArea") as HTMLElement | null)?.innerText ?? "";
  }, index);
}

function setSource(page: Page, index: number, source: string): Promise<void> {
  return page.evaluate(([i, s]) => {
    const panel = (window as unknown as LabWindow).jupyterapp.shell.currentWidget as NbPanel;
    panel.content.widgets[i as number]!.model.sharedModel.setSource(s as string);
  }, [index, source] as const);
}


/** What a student must never read under a cell: stack frames and kernel-lib's file paths. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/dist\/|node_modules|kernel-lib\/|\/work\//);
}

describe("the student edition in JupyterLab: an exercise from nothing to passing", () => {
  it("Run All fills in no solution and fails with the feedback block; the wrong answer gets its hint; an edited, unrun solution is not checked; the right one passes; Validate reports the wrong one", async () => {
    const pageErrors: string[] = [];
    const page = await openNotebook(`${STUDENT}/03-mmu-virtualization.ipynb`, pageErrors);
    const solution = await cellIndex(page, "ex03_split_address");
    const test = await cellIndex(page, "test03_split_address");
    expect(solution).toBeGreaterThan(0);
    expect(test).toBe(solution + 1);
    const source = () => page.evaluate((i) => ((window as unknown as LabWindow).jupyterapp.shell.currentWidget as NbPanel).content.widgets[i]!.model.sharedModel.getSource(), solution);
    expect(await source()).toContain("// YOUR CODE HERE");
    expect(await source()).not.toMatch(/BEGIN SOLUTION|indices\.unshift/);

    await page.evaluate(() => (window as unknown as LabWindow).jupyterapp.commands.execute("notebook:run-all-cells").catch(() => false));
    await expect.poll(() => outputText(page, test), { timeout: 180_000 }).toMatch(/✗ splitAddress is not right yet/);
    await untilKernelIdle(page);
    // Run All stopped there: the next code cell was skipped, and says so, naming the failed cell.
    await expect.poll(() => outputText(page, test + 2)).toMatch(/→ This cell did not run: the cell that begins "kl\.showMarkdown\(lesson\.checkSplitAddress\(splitAddress\)\.message\);" failed just before/);
    const untouched = await outputText(page, test);
    expect(untouched).toMatch(/What was wrong: the function still throws "not implemented"/);
    expectNoInternals(untouched);

    // A wrong answer, the indices leaf first: the block names the input and the hint for that mistake.
    // tslab skips whatever it is sent in the 200 ms after a failed cell (its execQueue.reset(200)); a person
    // typing an answer takes longer than that, so the test waits it out before running the next cell.
    await page.waitForTimeout(500);
    await setSource(page, solution, LEAF_FIRST);
    await runCell(page, solution);
    expect(await outputText(page, solution), "the wrong answer compiles and defines splitAddress").toBe("");
    await runCell(page, test);
    const wrong = await outputText(page, test);
    expect(wrong).toMatch(/✗ splitAddress is not right yet\s+Input: address 0x[0-9a-f]+ with indexBits \[/);
    expect(wrong).toMatch(/What was wrong: indices\[0\] \(the root level\) is wrong/);
    expect(wrong).toMatch(/Hint: your indices are in leaf-first order/);
    expectNoInternals(wrong);
    mkdirSync(path.join(ARTIFACTS, "screenshots"), { recursive: true });
    const testCell = page.locator(".jp-Notebook .jp-Cell").nth(test);
    await testCell.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, "screenshots", "lab-student-feedback.png") });

    // nbgrader's Validate button (it saves first): the wrong answer is a failure, with its hint, not a traceback.
    await page.locator(".jp-Toolbar .validate-button").first().click();
    const dialog = page.locator(".jp-Dialog", { hasText: "Validation Results" });
    await dialog.waitFor({ timeout: 180_000 });
    const verdict = await dialog.innerText();
    expect(verdict).toMatch(/failed/i);
    expect(verdict).toMatch(/leaf-first order/);
    expect(verdict).not.toMatch(/Traceback|KeyError|There was an error running the validate command/);
    await page.screenshot({ path: path.join(ARTIFACTS, "screenshots", "lab-student-validate.png") });
    await dialog.locator("button", { hasText: /ok/i }).click();

    // The right answer typed but its cell not run: the test cell says it did not check the old version.
    await setSource(page, solution, ROOT_FIRST);
    await runCell(page, test);
    await expect.poll(() => outputText(page, test)).toMatch(/Not checked: the solution cell above \(the one that begins "function splitAddress\("\) was edited since it last ran/);
    expect(await outputText(page, test)).not.toMatch(/not right yet|checks passed/);

    // Run it, then the test: passes.
    await runCell(page, solution);
    await runCell(page, test);
    await expect.poll(() => outputText(page, test)).toMatch(/✓ splitAddress: all \d+ checks passed\./);
    expect(pageErrors).toEqual([]);

    // A kernel restart, then a middle cell: tslab's "Cannot find name" gets a line saying what to run,
    // and the button runs the cells above, after which the cell runs clean.
    await page.evaluate(() => ((window as unknown as LabWindow).jupyterapp.shell.currentWidget as NbPanel).sessionContext.session!.kernel!.restart());
    await untilKernelIdle(page);
    const middle = await page.evaluate(() => {
      const panel = (window as unknown as LabWindow).jupyterapp.shell.currentWidget as NbPanel;
      const code = panel.content.widgets.map((c, i) => ({ c, i })).filter(({ c }) => c.model.type === "code");
      return code.find(({ c }) => /\bkl\.show/.test(c.model.sharedModel.getSource()) && /\blesson\./.test(c.model.sharedModel.getSource()))!.i;
    });
    await runCell(page, middle);
    const lost = await outputText(page, middle);
    expect(lost).toMatch(/Cannot find name 'kl'/);
    expect(lost).toMatch(/→ ('kl', 'lesson'|'lesson', 'kl') are imported in a cell above \(the one that begins "import \* as kl from "kernel-lib";"\) but not in this kernel session: it was restarted, or that cell has not run since\. Run the cells above first/);
    const button = page.locator(".jp-Notebook .jp-Cell").nth(middle).locator(".kl-run-above");
    await button.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, "screenshots", "lab-student-run-above.png") });
    await button.click();
    await untilKernelIdle(page);
    await runCell(page, middle);
    await expect.poll(() => outputText(page, middle), { timeout: 60_000 }).not.toMatch(/Cannot find name/);
    expect(await page.locator(".jp-Notebook .jp-Cell").nth(middle).locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
