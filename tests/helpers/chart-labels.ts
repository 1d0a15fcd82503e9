/**
 * Run in a handout page (`page.evaluate(chartLabelProblems)`): for every drawn chart, the labels a
 * reader could not read. Each problem is one line naming the chart and the labels:
 * - CLIPPED: a label (title, axis title, tick label, legend, bar or point text) sticks out of the chart;
 * - OVERLAP: two labels overlap (slanted tick labels are compared as the slanted boxes they are);
 * - ON PLOT: a subplot's tick labels or axis title, or the chart title, lie on another subplot's plot area.
 * Self-contained (no imports, no outer names): playwright sends its source to the page.
 */
export function chartLabelProblems(): string[] {
  type Pt = [number, number];
  interface Item { group: string; quad: Pt[]; label: string }
  const problems: string[] = [];
  const quadOf = (el: Element): Pt[] => {
    const g = el as SVGGraphicsElement;
    const m = typeof g.getBBox === "function" ? g.getScreenCTM() : null;
    if (m) {
      const b = g.getBBox();
      const corners: Pt[] = [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]];
      return corners.map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
    }
    const r = el.getBoundingClientRect();
    return [[r.left, r.top], [r.right, r.top], [r.right, r.bottom], [r.left, r.bottom]];
  };
  // Separating-axis test of two convex quadrilaterals, touching within `tol` px allowed.
  const overlaps = (a: Pt[], b: Pt[], tol = 1): boolean => {
    for (const quad of [a, b]) {
      for (let i = 0; i < 4; i++) {
        const [x1, y1] = quad[i]!;
        const [x2, y2] = quad[(i + 1) % 4]!;
        const nx = y2 - y1, ny = x1 - x2, len = Math.hypot(nx, ny) || 1;
        const pa = a.map(([x, y]) => (x * nx + y * ny) / len);
        const pb = b.map(([x, y]) => (x * nx + y * ny) / len);
        if (Math.max(...pa) - tol <= Math.min(...pb) || Math.max(...pb) - tol <= Math.min(...pa)) return false;
      }
    }
    return true;
  };
  document.querySelectorAll<HTMLElement>(".kl-chart .js-plotly-plot").forEach((gd, n) => {
    const name = (gd.closest<HTMLElement>(".kl-chart")?.dataset.title ?? "").slice(0, 60) || `chart ${n + 1}`;
    const svg = gd.querySelector("svg.main-svg")?.getBoundingClientRect();
    if (!svg) return;
    const items: Item[] = [];
    const add = (group: string, el: Element, label = el.textContent ?? "") => {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) items.push({ group, quad: quadOf(el), label: label.slice(0, 40) });
    };
    gd.querySelectorAll(".g-gtitle text").forEach((el) => add("title", el));
    gd.querySelectorAll(".legend .bg").forEach((el) => add("legend", el, "legend"));
    gd.querySelectorAll(".infolayer g[class^='g-'][class$='title'] text").forEach((el) => {
      const g = el.closest("g[class^='g-']")!;
      if (!g.classList.contains("g-gtitle")) add(g.getAttribute("class")!.split(" ")[0]!, el);
    });
    gd.querySelectorAll("g[class$='tick'] > text").forEach((el) => add((el.parentElement!.getAttribute("class") ?? "").split(" ")[0]!, el));
    gd.querySelectorAll(".bartext, .textpoint text").forEach((el) => add("data label", el));
    for (const it of items) {
      const xs = it.quad.map((p) => p[0]), ys = it.quad.map((p) => p[1]);
      if (Math.min(...xs) < svg.left - 1 || Math.max(...xs) > svg.right + 1 || Math.min(...ys) < svg.top - 1 || Math.max(...ys) > svg.bottom + 1) {
        problems.push(`${name}: CLIPPED ${it.group} "${it.label}"`);
      }
    }
    for (const g of Array.from(gd.querySelectorAll(".draglayer > g"))) {
      const id = (g.getAttribute("class") ?? "").split(" ")[0]!;
      const m = /^x(\d*)y(\d*)$/.exec(id);
      const area = g.querySelector(".nsewdrag");
      if (!m || !area) continue;
      const own = new RegExp(`^(x${m[1]}|y${m[2]})tick$|^g-(x${m[1]}|y${m[2]})title$`);
      for (const it of items) {
        if (it.group === "legend" || it.group === "data label" || own.test(it.group)) continue;
        if (overlaps(quadOf(area), it.quad, 2)) problems.push(`${name}: ON PLOT ${id}: ${it.group} "${it.label}"`);
      }
    }
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const a = items[i]!, b = items[j]!;
        if ([a.group, b.group].includes("legend") && [a.group, b.group].includes("data label")) continue; // a legend inside the plot
        if (overlaps(a.quad, b.quad)) problems.push(`${name}: OVERLAP ${a.group} "${a.label}" / ${b.group} "${b.label}"`);
      }
    }
  });
  return problems;
}
