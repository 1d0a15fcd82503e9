// The real thing a teacher does: JupyterLab on a free localhost port, the welcome notebook opened
// in headless Chromium, Run All, and the Plotly chart found drawn in the page; then the project's
// extension (lab-extension/): the playground's sliders re-run kernel-lib in the page, and tagged
// cells look like the handouts' callouts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { chartLabelProblems } from "./helpers/chart-labels";
import { ARTIFACTS, browserEnv, CHROMIUM, CHROMIUM_ARGS, freePort, ROOT, startInEnv } from "./helpers/project";

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
  // The notebook opens on the tslab kernel (named in its metadata) and the kernel becomes idle.
  await page.waitForSelector(".jp-Notebook .jp-Cell", { timeout: 60_000 });
  await page.waitForFunction(() => {
    const app = (window as unknown as Partial<LabWindow>).jupyterapp;
    const w = app?.shell.currentWidget as { sessionContext?: { session?: { kernel?: { name: string; status: string } } } } | undefined;
    const k = w?.sessionContext?.session?.kernel;
    return k?.name === "tslab" && k.status === "idle";
  }, undefined, { timeout: 60_000 });
  return page;
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
  port = await freePort();
  lab = startInEnv([
    "jupyter", "lab", "--no-browser", "--allow-root", `--port=${port}`, "--ServerApp.ip=127.0.0.1",
    "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
    "--LabApp.expose_app_in_browser=True", `--ServerApp.root_dir=${path.join(ROOT, "notebooks")}`,
  ]);
  lab.stdout!.on("data", (d) => (labLog += d));
  lab.stderr!.on("data", (d) => (labLog += d));
  await waitForLab(`http://127.0.0.1:${port}`, 60_000);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: browserEnv() });
});

afterAll(async () => {
  await browser?.close();
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
    const page = await openNotebook("00-welcome.ipynb", pageErrors);
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
    await page.close();
  });

  it("fits every chart of the performance lesson to Lab's width: no label cut off or drawn over another", async () => {
    const pageErrors: string[] = [];
    const page = await openNotebook("05-performance.ipynb", pageErrors);
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
    const page = await openNotebook("01-introduction.ipynb", pageErrors);
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
    expect(look.label).toBe('"Story" uppercase');
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
