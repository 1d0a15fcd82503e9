// Accessibility audit with axe-core in a real page: WCAG 2.1 A and AA rules, serious and critical
// violations only (what the handouts, slides and lessons must never have).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { ROOT } from "./project";

const AXE = readFileSync(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

interface AxeResult { violations: { id: string; impact: string | null; nodes: { target: unknown[]; failureSummary?: string }[] }[] }

/** One line per serious or critical violation: rule, count, first element and why. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<AxeResult> } }).axe;
    return axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}: ${String(v.nodes[0]?.target)} — ${(v.nodes[0]?.failureSummary ?? "").replace(/\s+/g, " ").slice(0, 200)}`);
}
