// `npm run handouts`: every lesson executed on the real kernel and exported as offline HTML, in a
// student and a teacher edition, then opened in real headless Chromium: no network request, no
// console error, every chart drawn, TOC links resolve, playground sliders re-run the simulator,
// print to PDF works. Plus the tag filtering (fixture with every tag) and a failing export.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { runPlayground } from "../kernel-lib/src/playgrounds";
import { ARTIFACTS, browserEnv, CHROMIUM, CHROMIUM_ARGS, LESSON_FILTER, ROOT, selectedLessonNotebooks, runInEnv, type CommandResult } from "./helpers/project";
import { chartLabelProblems } from "./helpers/chart-labels";
import { seriousViolations } from "./helpers/axe";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const PLAYGROUND_MIME = "application/vnd.computropolis.playground+json";
const EDITIONS = ["student", "teacher"] as const;
type Edition = (typeof EDITIONS)[number];
const MAX_BYTES = 4 * 1024 * 1024;

interface Cell { cell_type: string; source: string | string[]; metadata: { tags?: string[] }; outputs?: { output_type: string; data?: Record<string, unknown> }[] }
const src = (c: Cell) => ([] as string[]).concat(c.source).join("");
const tagsOf = (c: Cell) => c.metadata.tags ?? [];
const readNotebook = (p: string) => JSON.parse(readFileSync(p, "utf8")) as { cells: Cell[] };

const LESSONS = selectedLessonNotebooks(); // notebooks/NN-title.ipynb
const stem = (nb: string) => path.basename(nb, ".ipynb");
const OUT = mkdtempSync(path.join(tmpdir(), "handouts-"));
const SHOTS = path.join(ARTIFACTS, "handouts");

let build: CommandResult;
let buildSeconds = 0;
let browser: Browser;

beforeAll(async () => {
  const t0 = Date.now();
  // What `npm run handouts -- --out DIR` runs (only the lessons of COMPUTROPOLIS_LESSONS when it is set).
  build = runInEnv(["bash", "scripts/task.sh", "handouts", "--out", OUT, ...(LESSON_FILTER === null ? [] : LESSONS)]);
  buildSeconds = (Date.now() - t0) / 1000;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: browserEnv() });
});

afterAll(async () => {
  await browser?.close();
  rmSync(OUT, { recursive: true, force: true });
});

/** Text a reader sees in the page's content (no scripts, styles or tags). */
function visibleText(html: string, tagSeparator = ""): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, tagSeparator)
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, "&");
}

/** Solution lines worth searching for: inside a solution region, distinctive (not in the rest of the notebook). */
function solutionLines(cells: Cell[]): string[] {
  const inside: string[] = [];
  const outside = new Set<string>();
  for (const c of cells) {
    let on = false;
    for (const line of src(c).split("\n")) {
      if (/BEGIN SOLUTION/.test(line)) on = true;
      else if (/END SOLUTION/.test(line)) on = false;
      else if (on) inside.push(line.trim());
      else outside.add(line.trim());
    }
  }
  return inside.filter((l) => l.length >= 12 && !outside.has(l));
}

/** Words only: markdown and HTML punctuation differ between a source line and the rendered text. */
const words = (s: string) => s.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[^\p{L}\p{N}]+/gu, " ").trim();

/** Lines of teacher-only cells worth searching for (as words). */
function teacherLines(cells: Cell[]): string[] {
  const other = new Set(cells.filter((c) => !tagsOf(c).includes("teacher")).flatMap((c) => src(c).split("\n").map(words)));
  return cells
    .filter((c) => tagsOf(c).includes("teacher"))
    .flatMap((c) => src(c).split("\n"))
    .map((l) => words(l.replace(/^\s*(?:>\s*)*(?:\d+[.)]|[-*+])\s+/, ""))) // list numbers and bullets are not text
    .map((l) => (l.length > 80 ? l.slice(0, 80).replace(/\s\S*$/, "") : l)) // whole words only
    .filter((l) => l.length >= 20 && l.split(" ").length >= 4 && ![...other].some((o) => o.includes(l)));
}

/** Chart outputs an edition shows: all of them in the teacher edition; the student one drops teacher cells and solution/test/uses-solution outputs. */
function expectedCharts(cells: Cell[], edition: Edition): { charts: number; playgrounds: number } {
  let charts = 0;
  let playgrounds = 0;
  for (const c of cells) {
    const t = tagsOf(c);
    if (edition === "student" && ["teacher", "solution", "tests", "uses-solution"].some((tag) => t.includes(tag))) continue;
    for (const o of c.outputs ?? []) {
      if (o.data?.[PLOTLY_MIME]) charts++;
      if (o.data?.[PLAYGROUND_MIME]) playgrounds++;
    }
  }
  return { charts, playgrounds };
}

interface Opened { page: Page; blocked: string[]; errors: string[] }

/** Opens a handout with every request routed: only the file itself may load. */
async function open(file: string, viewport = { width: 1280, height: 1000 }): Promise<Opened> {
  const page = await browser.newPage({ viewport });
  const url = pathToFileURL(file).href;
  const blocked: string[] = [];
  const errors: string[] = [];
  await page.route("**/*", (route) => {
    if (route.request().url() === url) return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => document.body.dataset.chartsDrawn !== undefined, undefined, { timeout: 30_000 });
  return { page, blocked, errors };
}

/** Goes to a deck's first slide that holds a chart and waits until the chart is on screen, drawn. */
async function showFirstChartSlide(page: Page): Promise<void> {
  await page.evaluate(() => {
    const slide = Array.from(document.querySelectorAll(".reveal .slides section")).find((s) => !s.querySelector("section") && s.querySelector(".kl-chart"))!;
    const reveal = (window as unknown as { Reveal: { getIndices(s: Element): { h: number; v: number }; slide(h: number, v: number): void } }).Reveal;
    const at = reveal.getIndices(slide);
    reveal.slide(at.h, at.v);
  });
  await expect.poll(() => page.locator(".reveal section.present .kl-chart svg.main-svg").first().isVisible()).toBe(true);
}

describe("npm run handouts", () => {
  it("builds every lesson in both editions, each under 4 MB, and an index per edition", () => {
    expect(build.status, build.stdout + build.stderr).toBe(0);
    console.log(`handouts built in ${buildSeconds.toFixed(1)} s:\n${build.stdout}`);
    expect(LESSONS.length).toBeGreaterThan(0);
    for (const edition of EDITIONS) {
      const index = readFileSync(path.join(OUT, edition, "index.html"), "utf8");
      for (const nb of LESSONS) {
        const file = path.join(OUT, edition, `${stem(nb)}.html`);
        expect(existsSync(file), file).toBe(true);
        expect(statSync(file).size, file).toBeLessThan(MAX_BYTES);
        const html = readFileSync(file, "utf8");
        expect(html.split("plotly.js (basic - minified)").length - 1, "plotly.js inlined once").toBe(1);
        expect(html, "no script or style loaded from elsewhere").not.toMatch(/<(?:script|link|img)[^>]+(?:src|href)="(?!data:|#)/);
        expect(index).toContain(`href="${stem(nb)}.html"`);
        expect(build.stdout).toContain(`ok   ${nb} -> ${stem(nb)}.html`);
      }
      // No temp file left behind by the atomic writes.
      expect(readdirSync(path.join(OUT, edition)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    }
  });

  it.each(EDITIONS)("%s index: accessible (axe-core), links the reader's edition of every lesson", async (edition) => {
    const page = await browser.newPage();
    try {
      await page.goto(pathToFileURL(path.join(OUT, edition, "index.html")).href);
      for (const nb of LESSONS) expect(await page.locator(`a[href="${stem(nb)}.html?reader"]`).count(), nb).toBe(1);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  describe.each(LESSONS)("%s", (nb) => {
    const executed = () => readNotebook(path.join(OUT, "executed", path.basename(nb))).cells;

    it.each(EDITIONS)("%s edition: offline, no console errors, every chart drawn, TOC resolves, prints to PDF", async (edition) => {
      const file = path.join(OUT, edition, `${stem(nb)}.html`);
      const { page, blocked, errors } = await open(file);
      try {
        const { charts, playgrounds } = expectedCharts(executed(), edition);
        expect(charts, "the lesson has charts to check").toBeGreaterThan(0);
        expect(await page.locator(".kl-chart .js-plotly-plot").count()).toBe(charts);
        expect(await page.locator(".kl-chart .js-plotly-plot svg.main-svg").count()).toBeGreaterThanOrEqual(charts);
        expect(await page.locator(".kl-chart.kl-drawn").count()).toBe(charts);
        expect(await page.locator(".kl-playground-box.kl-live").count()).toBe(playgrounds);
        // Table of contents: every link points at an element id of this page.
        const hrefs = await page.locator("#toc a").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
        expect(hrefs.length).toBeGreaterThan(0);
        for (const href of hrefs) {
          expect(href).toMatch(/^#./);
          expect(await page.evaluate((id) => !!document.getElementById(id), decodeURIComponent(href.slice(1))), href).toBe(true);
        }
        // Every label readable at the handout's fixed chart size: none cut off, none on another.
        expect(await page.evaluate(chartLabelProblems), "chart labels").toEqual([]);
        expect(await seriousViolations(page), "axe-core: serious or critical WCAG 2.1 AA violations").toEqual([]);
        // Every chart carries a text alternative from its data: a sentence and the data table, for
        // screen readers (visually hidden: the chart shows the same).
        const alts = await page.locator(".kl-chart").evaluateAll((charts) => charts.map((c) => {
          const alt = c.querySelector(".kl-chart-alt");
          return { sentence: alt?.querySelector("p")?.textContent ?? "", rows: alt?.querySelectorAll("tbody tr").length ?? 0, width: alt?.getBoundingClientRect().width ?? -1 };
        }));
        expect(alts.length).toBe(charts);
        for (const a of alts) {
          expect(a.sentence).toMatch(/^(Bar |Line )?[Cc]hart of .+\. (Highest .+; lowest .+|\d+ points, listed in the table)\.$/);
          expect(a.rows).toBeGreaterThan(0);
          expect(a.width).toBeLessThanOrEqual(1);
        }
        await page.screenshot({ path: path.join(SHOTS, `${edition}-${stem(nb)}.png`), fullPage: true });
        const pdf = await page.pdf({ format: "A4", printBackground: true });
        expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
        expect(pdf.length).toBeGreaterThan(20_000);
        // Each H2 section starts a new page (after the title page).
        const sections = await page.locator("main h2").evaluateAll((hs) => hs.filter((h) => !h.closest(".callout")).length);
        const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page\b/g) ?? []).length;
        expect(pages, "printed pages").toBeGreaterThan(sections);
        // The print layout at A4's printable width (210 mm − 2 × 15 mm margins = 180 mm ≈ 680 px):
        // every chart and playground fits whole, nothing sticks out on the right.
        await page.emulateMedia({ media: "print" });
        await page.setViewportSize({ width: 680, height: 962 });
        await page.screenshot({ path: path.join(SHOTS, `${edition}-${stem(nb)}-print.png`), fullPage: false });
        const rightmost = await page.locator(".kl-chart .js-plotly-plot, .kl-playground-box").evaluateAll((els) =>
          Math.max(0, ...els.map((e) => e.getBoundingClientRect().right)));
        expect(rightmost, "charts fit the printed page width").toBeLessThanOrEqual(680);
        const printRules = await page.evaluate(() => ({
          h2: Array.from(document.querySelectorAll("main h2")).filter((h) => !h.closest(".callout")).map((h) => getComputedStyle(h).breakBefore),
          charts: Array.from(document.querySelectorAll(".kl-chart")).map((c) => getComputedStyle(c).breakInside),
          links: Array.from(document.querySelectorAll("main a[href]:not([href^='#'])")).map((a) => [a.getAttribute("href"), a.textContent, getComputedStyle(a, "::after").content]),
          badges: Array.from(document.querySelectorAll(".edition-badge, .kl-badge")).map((b) => [b.textContent, getComputedStyle(b).color, getComputedStyle(b).backgroundColor, getComputedStyle(b).borderTopStyle]),
        }));
        expect(new Set(printRules.h2), "page break before every section").toEqual(new Set(["page"]));
        expect(new Set(printRules.charts), "charts never cut").toEqual(new Set(["avoid"]));
        // A web address is printed after its link (unless the link text is the address); links between
        // lessons are not (on paper they lead nowhere).
        for (const [href, text, after] of printRules.links) {
          const web = /^https?:\/\//.test(href!) && text!.trim() !== href && text!.trim() !== href!.replace(/^https?:\/\//, "");
          expect(after, `printed after the link to ${href}`).toBe(web ? `" (${href})"` : "none");
        }
        // Badges read without background graphics (Chrome prints none by default): dark text, an outline.
        expect(printRules.badges.length).toBeGreaterThan(0);
        for (const [text, color, background, border] of printRules.badges) {
          expect([color, background, border], `print badge "${text}"`).toEqual([expect.not.stringMatching(/^rgb\(255, 255, 255\)$/), "rgba(0, 0, 0, 0)", "solid"]);
        }
        expect(await page.locator(".lesson-nav").first().isVisible(), "navigation is not printed").toBe(false);
        // The reader's edition (the header switch): no code, every chart still there, fewer pages.
        await page.emulateMedia({ media: "screen" });
        await page.locator("#reader-switch").check();
        expect(page.url()).toMatch(/\?reader$/);
        expect(await page.locator(".cell.code > .source:visible").count(), "code shown in the reader's edition").toBe(0);
        expect(await page.locator(".kl-chart .js-plotly-plot:visible").count()).toBe(charts);
        await page.emulateMedia({ media: "print" }); // page.pdf() keeps an emulated screen medium
        const readerPdf = await page.pdf({ format: "A4", printBackground: true });
        const readerPages = (readerPdf.toString("latin1").match(/\/Type\s*\/Page\b/g) ?? []).length;
        expect(readerPages, "reader's edition pages").toBeLessThan(pages);
        expect(blocked, "network requests").toEqual([]);
        expect(errors, "console errors").toEqual([]);
      } finally {
        await page.close();
      }
    });

    it("student edition has no solution text and no teacher-only text; the teacher edition has both", () => {
      const source = readNotebook(path.join(ROOT, nb)).cells;
      const student = visibleText(readFileSync(path.join(OUT, "student", `${stem(nb)}.html`), "utf8"));
      const teacher = visibleText(readFileSync(path.join(OUT, "teacher", `${stem(nb)}.html`), "utf8"));
      for (const line of solutionLines(source)) {
        expect(student.includes(line), `solution line in student handout: ${line}`).toBe(false);
        expect(teacher.includes(line), `solution line missing from teacher edition: ${line}`).toBe(true);
      }
      const [studentWords, teacherWords] = ["student", "teacher"].map((e) =>
        words(visibleText(readFileSync(path.join(OUT, e, `${stem(nb)}.html`), "utf8"), " ")));
      const checked = teacherLines(source);
      if (source.some((c) => tagsOf(c).includes("teacher"))) expect(checked.length, "teacher lines to look for").toBeGreaterThan(0);
      for (const line of checked) {
        expect(studentWords.includes(line), `teacher-only text in student handout: ${line}`).toBe(false);
        expect(teacherWords.includes(line), `teacher text missing from teacher edition: ${line}`).toBe(true);
      }
      const solutions = source.filter((c) => tagsOf(c).includes("solution")).length;
      expect(student.split("// YOUR CODE HERE").length - 1).toBeGreaterThanOrEqual(solutions);
    });

    it("student edition folds every reveal (a seeded problem's answers); the teacher edition shows them open", () => {
      const cells = readNotebook(path.join(ROOT, nb)).cells;
      const reveals = cells.flatMap((c, i) => (tagsOf(c).includes("reveal") ? [i + 1] : []));
      if (!nb.includes("00-welcome")) expect(reveals.length, "every lesson's seeded problem has its reveal tagged").toBeGreaterThan(0);
      const [student, teacher] = EDITIONS.map((e) => readFileSync(path.join(OUT, e, `${stem(nb)}.html`), "utf8"));
      const section = (html: string, cell: number) => html.match(new RegExp(`<section class="[^"]*" data-cell="${cell}"[^>]*>[\\s\\S]*?</section>`))?.[0] ?? "";
      for (const cell of reveals) {
        expect(section(student, cell), `student cell ${cell}`).toMatch(/<div class="outputs"><details class="reveal"><summary>Show answer<\/summary>[\s\S]*<\/details><p class="answer-line">/);
        expect(section(teacher, cell), `teacher cell ${cell}`).toMatch(/<details class="reveal" open>/);
      }
      expect(student, "no reveal left open for students").not.toMatch(/<details class="reveal" open>/);
    });

    it("has a live playground: moving a slider re-runs the simulation in the page with new numbers", async () => {
      const { page, errors, blocked } = await open(path.join(OUT, "student", `${stem(nb)}.html`));
      try {
        const box = page.locator(".kl-playground-box.kl-live").first();
        expect(await box.count(), "at least one playground per lesson").toBe(1);
        const plotted = () => box.locator(".js-plotly-plot").evaluate((gd) =>
          JSON.stringify((gd as unknown as { data: { x?: unknown; y?: unknown }[] }).data.map((t) => [t.x, t.y])));
        const before = await plotted();
        // Move the first slider to another position (the next one, or back one at the top end).
        const slider = box.locator("input[type=range]").first();
        const moved = await slider.evaluate((el: HTMLInputElement) => {
          const v = Number(el.value), step = Number(el.step), max = Number(el.max);
          el.value = String(v + step <= max ? v + step : v - step);
          el.dispatchEvent(new Event("input", { bubbles: true }));
          return el.value;
        });
        await page.waitForFunction(() => document.querySelector(".kl-playground-box .kl-chart")?.getAttribute("data-runs") === "1");
        const after = await plotted();
        expect(after).not.toBe(before);
        // The page ran the same simulation Node runs for these parameters (same code, same seeds).
        const name = (await box.getAttribute("data-playground"))!;
        const params = await box.locator("input[data-param]").evaluateAll((els) =>
          Object.fromEntries((els as HTMLInputElement[]).map((el) => [el.dataset.param!, el.dataset.values ? JSON.parse(el.dataset.values)[Number(el.value)] : Number(el.value)])));
        expect(after).toBe(JSON.stringify(runPlayground(name, params).data.map((t) => [t.x, t.y])));
        expect(await box.locator("output").first().textContent()).toContain(
          (await slider.getAttribute("data-labels")) ? JSON.parse((await slider.getAttribute("data-labels"))!)[Number(moved)] : moved,
        );
        // Reset brings back the notebook's parameters and its chart.
        await box.locator("button[type=reset]").click();
        await page.waitForFunction(() => document.querySelector(".kl-playground-box .kl-chart")?.getAttribute("data-runs") === "2");
        expect(await plotted()).toBe(before);
        expect(blocked).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });

  // `npm run slides`, from the same executed notebooks (each lesson runs on the kernel once per suite).
  describe("slides (npm run slides)", () => {
    const SLIDES = path.join(OUT, "slides");
    let slides: CommandResult;
    beforeAll(() => {
      slides = runInEnv(["python", "tools/slides/build.py", "--no-execute", "--out", SLIDES,
        ...LESSONS.map((nb) => path.join(OUT, "executed", path.basename(nb)))]);
    });

    it.each(LESSONS)("%s: offline deck of the student edition, charts drawn, teacher notes as speaker notes", async (nb) => {
      expect(slides.status, slides.stdout + slides.stderr).toBe(0);
      const file = path.join(SLIDES, `${stem(nb)}.html`);
      const cells = readNotebook(path.join(OUT, "executed", path.basename(nb))).cells;
      const { page, blocked, errors } = await open(file, { width: 1280, height: 880 });
      try {
        const { charts } = expectedCharts(cells, "student");
        expect(await page.locator(".kl-chart.kl-drawn").count()).toBe(charts);
        const deck = await page.evaluate(() => {
          const r = (window as unknown as { Reveal: { getTotalSlides(): number; isReady(): boolean } }).Reveal;
          return { total: r.getTotalSlides(), ready: r.isReady(), notes: document.querySelectorAll(".reveal aside.notes").length };
        });
        expect(deck.ready).toBe(true);
        const headings = cells.filter((c) => c.cell_type === "markdown" && /^#{1,2} /.test(src(c).trimStart())).length;
        expect(deck.total, "a slide per section at least").toBeGreaterThanOrEqual(headings);
        if (cells.some((c) => tagsOf(c).includes("teacher"))) expect(deck.notes, "speaker notes").toBeGreaterThan(0);
        expect(await seriousViolations(page), "axe-core: serious or critical WCAG 2.1 AA violations").toEqual([]);
        // Nothing of the teacher's on screen: notes are only in the speaker view; no solution line.
        const shown = visibleText((await page.content()).replace(/<aside class="notes">[\s\S]*?<\/aside>/g, ""));
        for (const line of solutionLines(readNotebook(path.join(ROOT, nb)).cells)) expect(shown.includes(line), line).toBe(false);
        // A chart's slide, shown: the chart is on screen, drawn.
        if (charts > 0) {
          await showFirstChartSlide(page);
          if (nb.includes("04-")) await page.screenshot({ path: path.join(SHOTS, `slides-${stem(nb)}-chart.png`) });
        }
        expect(blocked, "network requests").toEqual([]);
        expect(errors, "console errors").toEqual([]);
      } finally {
        await page.close();
      }
    });
  });

  // The timed routes (tools/routes.py): the lessons' tagged cells, built by the same handout and slide
  // builds from the lessons they executed (no second run of every lesson).
  describe("routes (50 and 90 minutes)", () => {
    const ROUTES = ["route-50", "route-90"];
    const SLIDES = path.join(OUT, "slides");
    beforeAll(() => {
      // The slides describe above builds the decks; build them here when run alone (-t routes).
      if (existsSync(path.join(SLIDES, "route-50.html"))) return;
      const r = runInEnv(["python", "tools/slides/build.py", "--no-execute", "--out", SLIDES,
        ...LESSONS.map((nb) => path.join(OUT, "executed", path.basename(nb)))]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    });

    it("the minutes add up to each route's length, and the estimate from words and measured cells fits it", () => {
      const r = runInEnv(["python", "tools/routes.py", "--check", "--executed", path.join(OUT, "executed")]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      console.log(r.stdout);
      for (const [route, minutes] of [["50", 50], ["90", 90]] as const) {
        const line = r.stdout.match(new RegExp(`^route ${route}: (\\d+) min stated, estimate ([\\d.]+)$`, "m"));
        expect(line, `route ${route} summary line`).not.toBeNull();
        expect(Number(line![1])).toBe(minutes);
        expect(Number(line![2])).toBeLessThanOrEqual(minutes);
        expect(Number(line![2])).toBeGreaterThanOrEqual(0.8 * minutes);
      }
    });

    it("one debate and one what-if per module as the lesson plan has (02 memory, 03 MMU, 04 I/O; the optional lesson 07 its own); the others are optional extensions, marked so", () => {
      const modules = ["02", "03", "04"];
      for (const nb of LESSONS) {
        const number = path.basename(nb).slice(0, 2);
        const cells = readNotebook(path.join(ROOT, nb)).cells;
        for (const kind of ["debate", "what-if"]) {
          const all = cells.filter((c) => tagsOf(c).includes(kind));
          const core = all.filter((c) => !tagsOf(c).includes("optional"));
          // A lesson after 06 is an optional extension as a whole (lesson 07), with its own module's one of each.
          const ownModule = modules.includes(number) || Number(number) > 6;
          expect(core.length, `${nb}: ${kind} cells that are not optional`).toBe(ownModule ? 1 : 0);
          // Marked in the notebook's own text (readable without the Lab extension) and in the handout.
          for (const c of all.filter((c) => tagsOf(c).includes("optional"))) expect(src(c), `${nb}: optional ${kind}`).toMatch(/optional extension/i);
        }
        const html = readFileSync(path.join(OUT, "student", `${stem(nb)}.html`), "utf8");
        const optional = cells.filter((c) => tagsOf(c).includes("optional") && !tagsOf(c).includes("teacher")).length;
        expect((html.match(/<(?:aside|section) class="[^"]*\boptional\b/g) ?? []).length, `${nb}: cells marked optional in the handout`).toBe(optional);
      }
    });

    it("paper: every student reader's edition prints on Letter without a blank page; 04 on fewer than 12 pages", async () => {
      const pdfs = mkdtempSync(path.join(tmpdir(), "reader-pdf-"));
      const report: string[] = [];
      try {
        for (const name of [...LESSONS.map(stem), ...ROUTES]) {
          const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
          try {
            await page.goto(pathToFileURL(path.join(OUT, "student", `${name}.html`)).href + "?reader");
            await page.waitForFunction(() => document.body.dataset.chartsDrawn !== undefined, undefined, { timeout: 30_000 });
            await page.emulateMedia({ media: "print" });
            const file = path.join(pdfs, `${name}.pdf`);
            writeFileSync(file, await page.pdf({ format: "Letter" })); // as Chromium's print dialog: no background graphics
            const info = runInEnv(["pdfinfo", file]);
            expect(info.status, info.stderr).toBe(0);
            const pages = Number(info.stdout.match(/^Pages:\s+(\d+)/m)![1]);
            const words = Array.from({ length: pages }, (_, i) => {
              const t = runInEnv(["pdftotext", "-f", String(i + 1), "-l", String(i + 1), file, "-"]);
              return t.stdout.split(/\s+/).filter(Boolean).length;
            });
            report.push(`${name}: ${pages} Letter pages (words per page ${words.join(" ")})`);
            for (const [i, w] of words.entries()) expect(w, `${name}, page ${i + 1} of ${pages}: nearly blank`).toBeGreaterThanOrEqual(25);
            if (name.startsWith("04-")) expect(pages, "04's reader's edition on Letter").toBeLessThan(12);
          } finally {
            await page.close();
          }
        }
        console.log(report.join("\n"));
      } finally {
        rmSync(pdfs, { recursive: true, force: true });
      }
    });

    it("the README's course section is what tools/routes.py says", () => {
      const r = runInEnv(["python", "tools/routes.py", "--markdown"]);
      expect(r.status, r.stderr).toBe(0);
      const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
      const section = readme.match(/<!-- routes:begin[^>]*-->\n([\s\S]*?)<!-- routes:end -->/);
      expect(section, "README routes section").not.toBeNull();
      expect(section![1]).toBe(r.stdout);
    });

    it("a part whose first cell is not tagged for its route is refused, naming the route, part and cell", () => {
      const r = runInEnv(["python", "-c", [
        "import sys, dataclasses; sys.path.insert(0, 'tools'); import routes, nbformat",
        "nbs = {k: nbformat.read(p, as_version=4) for k, p in routes.lesson_files(routes.ROOT / 'notebooks').items()}",
        "route = routes.ROUTES['50']",
        "bad = dataclasses.replace(route, parts=(dataclasses.replace(route.parts[0], start='navigation-top'),) + route.parts[1:])",
        "try:\n    routes.route_notebook(bad, nbs)\nexcept routes.RouteError as e:\n    print(e)",
      ].join("\n")]);
      expect(r.stdout.trim()).toBe("route 50, part 1 (Hook: a Monday morning at a cloud provider): its first cell 'navigation-top' in lesson 01 is not tagged route-50");
    });

    it("the route notebooks (npm run routes) run top to bottom on the kernel by themselves", () => {
      mkdirSync(path.join(ROOT, "build"), { recursive: true }); // a fresh clone has no build/ yet
      const dir = mkdtempSync(path.join(ROOT, "build", "routes-test-"));
      try {
        const built = runInEnv(["bash", "scripts/task.sh", "routes", "--out", dir]);
        expect(built.status, built.stdout + built.stderr).toBe(0);
        for (const stemName of ROUTES) {
          const student = readNotebook(path.join(dir, "student", `${stemName}.ipynb`)).cells;
          expect(student.some((c) => tagsOf(c).includes("teacher")), "no teacher cell for students").toBe(false);
          const ran = runInEnv(["python", "tools/nbexec.py", path.join(dir, "teacher", `${stemName}.ipynb`), "--out", path.join(dir, "executed")]);
          expect(ran.status, ran.stdout + ran.stderr).toBe(0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it.each(ROUTES.flatMap((r) => EDITIONS.map((e) => [r, e] as const)))("%s %s handout: offline, no console error, charts drawn with text alternatives, accessible, reveals folded for students", async (route, edition) => {
      const file = path.join(OUT, edition, `${route}.html`);
      const executed = readNotebook(path.join(OUT, "routes", `${route}.ipynb`)).cells;
      const { page, blocked, errors } = await open(file);
      try {
        const { charts } = expectedCharts(executed, edition);
        expect(charts, "the route has charts").toBeGreaterThan(0);
        expect(await page.locator(".kl-chart.kl-drawn").count()).toBe(charts);
        expect(await page.locator(".kl-chart .kl-chart-alt tbody tr").count()).toBeGreaterThan(0);
        expect(await seriousViolations(page), "axe-core: serious or critical WCAG 2.1 AA violations").toEqual([]);
        const html = await page.content();
        const parts = await page.locator("main h2").allTextContents();
        expect(parts.length, "a heading per part").toBe(8);
        for (const p of parts) expect(p).toMatch(/^\d\. .+\(\d+ min\)/);
        const reveals = executed.filter((c) => tagsOf(c).includes("reveal") && (c.outputs ?? []).length > 0).length;
        expect(reveals, "the route's activity has its reveal").toBeGreaterThan(0);
        if (edition === "student") {
          expect(html).not.toMatch(/<details class="reveal" open>/);
          expect(await page.locator("details.reveal:not([open])").count()).toBe(reveals);
          expect(await page.locator("details.reveal[open]").count(), "no unfolded reveal").toBe(0);
          expect(html, "no teacher note").not.toMatch(/class="cell markdown callout teacher-notes/);
          if (route === "route-50") {
            const reveal = page.locator("details.reveal").first();
            await reveal.scrollIntoViewIfNeeded();
            await page.screenshot({ path: path.join(SHOTS, "route-50-folded-reveal.png"), clip: await reveal.evaluate((d) => {
              const r = d.closest("section")!.getBoundingClientRect();
              return { x: r.x, y: r.y + window.scrollY, width: r.width, height: Math.min(r.height + 40, 600) };
            }), fullPage: true });
          }
        } else {
          expect(await page.locator("details.reveal[open]").count()).toBe(reveals);
          expect(await page.locator("aside.teacher-notes").count(), "a teacher note per part at least").toBeGreaterThanOrEqual(8);
        }
        expect(blocked, "network requests").toEqual([]);
        expect(errors, "console errors").toEqual([]);
      } finally {
        await page.close();
      }
    });

    it.each(ROUTES)("%s deck: offline, charts drawn, a slide per part, speaker notes, accessible", async (route) => {
      // Built by the slides describe above from the same executed lessons.
      const file = path.join(SLIDES, `${route}.html`);
      expect(existsSync(file), `${file} (npm run slides builds the routes too)`).toBe(true);
      const executed = readNotebook(path.join(OUT, "routes", `${route}.ipynb`)).cells;
      const { page, blocked, errors } = await open(file, { width: 1280, height: 880 });
      try {
        expect(await page.locator(".kl-chart.kl-drawn").count()).toBe(expectedCharts(executed, "student").charts);
        const deck = await page.evaluate(() => {
          const r = (window as unknown as { Reveal: { getTotalSlides(): number; isReady(): boolean } }).Reveal;
          return { total: r.getTotalSlides(), ready: r.isReady(), notes: document.querySelectorAll(".reveal aside.notes").length,
            parts: Array.from(document.querySelectorAll(".reveal .slides h2")).map((h) => h.textContent ?? "") };
        });
        expect(deck.ready).toBe(true);
        expect(deck.parts.filter((t) => /^\d\. .+\(\d+ min\)/.test(t)).length, "a slide per part").toBe(8);
        expect(deck.notes, "each part's minutes and cuts as speaker notes").toBeGreaterThanOrEqual(8);
        expect(await seriousViolations(page), "axe-core: serious or critical WCAG 2.1 AA violations").toEqual([]);
        expect(await page.locator("details.reveal[open]").count(), "reveals folded on the projector").toBe(0);
        if (route === "route-50") {
          // The hook's chart slide, for the record (the chart drawn on the projector).
          await showFirstChartSlide(page);
          await page.screenshot({ path: path.join(SHOTS, "slides-route-50-chart.png") });
        }
        expect(blocked, "network requests").toEqual([]);
        expect(errors, "console errors").toEqual([]);
      } finally {
        await page.close();
      }
    });
  });
});

describe("the handout's browser code", () => {
  it("type-checks strictly against the DOM (esbuild bundles it without checking)", () => {
    const r = runInEnv(["node", "node_modules/typescript/bin/tsc", "--noEmit", "--strict", "--target", "ES2022", "--lib", "ES2022,DOM,DOM.Iterable",
      "--module", "ESNext", "--moduleResolution", "bundler", "--skipLibCheck", "--types", "node", "tools/handouts/runtime.ts"]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe("cell tags: student and teacher editions (fixture with every tag, stored outputs)", () => {
  const fixture = "tests/fixtures/handouts/lessons/01-tags.ipynb";
  const out = mkdtempSync(path.join(tmpdir(), "handouts-tags-"));
  let r: CommandResult;
  const html = (edition: Edition) => readFileSync(path.join(out, edition, "01-tags.html"), "utf8");
  beforeAll(() => {
    // The fixture is committed clean; its executed copy (a build product) is what gets rendered
    // from stored outputs.
    const executed = path.join(out, "executed");
    const ran = runInEnv(["python", "tools/nbexec.py", fixture, "--out", executed]);
    expect(ran.status, ran.stdout + ran.stderr).toBe(0);
    r = runInEnv(["python", "tools/handouts/build.py", "--no-execute", "--out", out, path.join(executed, "01-tags.ipynb")]);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("student: teacher cells gone, solution region stubbed and its output dropped, hidden tests gone", () => {
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const s = visibleText(html("student"));
    for (const secret of ["walrus", "zebraSolutionMarker", "solution-output-pelican", "hidden otter check", "BEGIN HIDDEN TESTS", "visible-test-ran", "answer-at-work-marmot"]) {
      expect(s, secret).not.toContain(secret);
    }
    // Only the markdown cell that shows the convention still has a BEGIN SOLUTION line.
    expect(s.split("// BEGIN SOLUTION").length - 1).toBe(1);
    expect(s).toContain("// BEGIN SOLUTION\nconst conventionExampleCrane = 1;\n// END SOLUTION");
    expect(s).toContain("function double(x: number): number {\n  // YOUR CODE HERE\n  throw new Error(\"not implemented\");\n}");
    expect(s).toContain('console.assert(double(2) === 4, "double(2)");'); // visible tests stay
    expect(s).toContain("plain-output-heron");
    expect(html("student"), "a teacher-notes cell").not.toMatch(/class="cell markdown callout teacher-notes[ "]/);
  });

  it("uses-solution: the student edition shows the code without the output the solution computed; the teacher edition shows both", () => {
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const source = 'console.log(["answer", "at", "work", "marmot"].join("-"), double(21));';
    const [s, t] = (["student", "teacher"] as const).map((e) => visibleText(html(e)));
    expect(s).toContain(source);
    expect(s).not.toContain("answer-at-work-marmot");
    expect(s).toContain("Output not shown: this cell uses your exercise code.");
    expect(t).toContain(source);
    expect(t).toContain("answer-at-work-marmot 42");
    expect(t).toContain("Output computed with the solution");
  });

  it("reveal: a seeded problem's answers are folded for students (a blank line on paper) and open for the teacher", () => {
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const folded = /<details class="reveal"><summary>Show answer<\/summary>(.*?)<\/details><p class="answer-line">/s;
    const student = html("student");
    expect(student).toMatch(folded);
    expect(student.match(folded)![1]).toContain("reveal-answer-kiwi");
    expect(student.split("reveal-answer-kiwi")).toHaveLength(2); // only there, folded
    expect(visibleText(student)).toContain("problem-emu"); // the question itself stays in view
    expect(html("teacher")).toMatch(/<details class="reveal" open><summary>Answer<\/summary>.*?reveal-answer-kiwi.*?<\/details>/s);
    expect(html("teacher")).not.toContain('class="answer-line"');
  });

  it("teacher: everything, teacher notes styled as such", () => {
    const t = visibleText(html("teacher"));
    for (const text of ["walrus", "zebraSolutionMarker", "solution-output-pelican", "hidden otter check", "visible-test-ran", "answer-at-work-marmot"]) expect(t, text).toContain(text);
    expect(html("teacher")).toMatch(/<aside class="cell markdown callout teacher-notes(?: [\w-]+)*" data-cell="6"><div class="cell-label">Teacher notes<\/div>/);
  });

  it("callouts get a class per tag; links to lessons point at their handouts; external links stay", () => {
    const h = html("student");
    for (const kind of ["objectives", "story", "pause", "analogy", "debate", "what-if", "summary"]) {
      expect(h, kind).toMatch(new RegExp(`<aside class="cell markdown callout callout-${kind}(?: [\\w-]+)*"`)); // "short": printed whole
    }
    expect(h).toContain('href="00-welcome.html"');
    expect(h).toContain('href="https://example.org/computropolis"');
    expect(h).toContain('data-playground="page-walk"');
    expect(h).not.toMatch(/In \[\d*\]:/);
  });
});

describe("a failing export", () => {
  it("a BEGIN SOLUTION without its END fails the build, naming notebook and cell", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "handouts-markers-"));
    try {
      const nb = JSON.parse(readFileSync(path.join(ROOT, "tests/fixtures/handouts/lessons/01-tags.ipynb"), "utf8"));
      const cell = nb.cells.findIndex((c: Cell) => tagsOf(c).includes("solution"));
      nb.cells[cell].source = src(nb.cells[cell]).replace(/\s*\/\/ END SOLUTION/, "");
      const file = path.join(dir, "01-tags.ipynb");
      writeFileSync(file, JSON.stringify(nb));
      const r = runInEnv(["python", "tools/handouts/build.py", "--no-execute", "--out", path.join(dir, "out"), file]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`FAIL ${file}: cell ${cell + 1}: BEGIN SOLUTION without a matching \`// END SOLUTION\``);
      expect(existsSync(path.join(dir, "out", "student", "01-tags.html"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });


  it("names the notebook and the cell, and leaves the previous good handout untouched", () => {
    // Under build/ so the notebook resolves kernel-lib and @types/node like the lessons do.
    mkdirSync(path.join(ROOT, "build"), { recursive: true });
    const dir = mkdtempSync(path.join(ROOT, "build", "handouts-fail-"));
    try {
      const nb = path.join(dir, "07-fixture.ipynb");
      const out = path.join(dir, "out");
      copyFileSync(path.join(ROOT, "tests/fixtures/handouts/good.ipynb"), nb);
      const good = runInEnv(["python", "tools/handouts/build.py", "--out", out, nb]);
      expect(good.status, good.stdout + good.stderr).toBe(0);
      const before = EDITIONS.map((e) => readFileSync(path.join(out, e, "07-fixture.html")));
      expect(before[0]!.toString()).toContain("Good chart");

      copyFileSync(path.join(ROOT, "tests/fixtures/handouts/broken.ipynb"), nb);
      const bad = runInEnv(["python", "tools/handouts/build.py", "--out", out, nb]);
      expect(bad.status).toBe(1);
      const rel = path.relative(ROOT, nb);
      expect(bad.stderr).toContain(`FAIL ${rel}: cell 3 (code cell 2): error: Error: fixture failure in code cell two`);
      expect(bad.stderr).toContain(`${rel}: handouts not written; the previous ones (if any) are kept`);
      EDITIONS.forEach((e, i) => expect(readFileSync(path.join(out, e, "07-fixture.html")).equals(before[i]!), e).toBe(true));
      for (const e of EDITIONS) expect(readdirSync(path.join(out, e)).sort()).toEqual(["07-fixture.html", "index.html"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
