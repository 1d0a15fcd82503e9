// The real thing a teacher does: JupyterLab on a free localhost port, the welcome notebook opened
// in headless Chromium, Run All, and the Plotly chart found drawn in the page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { ARTIFACTS, browserEnv, CHROMIUM, CHROMIUM_ARGS, freePort, ROOT, startInEnv } from "./helpers/project";

let port = 0;
let lab: ReturnType<typeof startInEnv> | undefined;
let browser: Browser | undefined;
let labLog = "";

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
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1400 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/lab/tree/00-welcome.ipynb?reset`);
    // The notebook opens on the tslab kernel (named in its metadata) and the kernel becomes idle.
    await page.waitForSelector(".jp-Notebook .jp-Cell", { timeout: 60_000 });
    await page.waitForFunction(() => {
      const app = (window as unknown as { jupyterapp?: { shell: { currentWidget: unknown } } }).jupyterapp;
      const w = app?.shell.currentWidget as { sessionContext?: { session?: { kernel?: { name: string; status: string } } } } | undefined;
      const k = w?.sessionContext?.session?.kernel;
      return k?.name === "tslab" && k.status === "idle";
    }, undefined, { timeout: 60_000 });
    await page.evaluate(() =>
      (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }).jupyterapp.commands.execute(
        "notebook:run-all-cells",
      ),
    );
    // The chart is drawn by JupyterLab's Plotly renderer (the plotly pip package's extension).
    await page.waitForSelector(".jp-OutputArea-output svg.main-svg", { timeout: 60_000 });
    // The first chart (the welcome notebook's later playground chart is checked by tests/handouts.test.ts).
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
  });
});
