// Lesson helpers of notebook 06: the discussion and synthesis quote the measurements, and the
// hypervisor map points at files that exist in kernel-lib.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectQuotes } from "../helpers";
import { existsSync, readFileSync } from "node:fs";
import { formatNumber } from "../../../src/display/bundle";
import { debateEvidence, discussionPrompts, measurements, modeMix, modeMixNotice, overheadFigure, overheadRows, synthesisTable, walkCostNotice, yourMmuPrompt } from "../../../src/course/06-activity-and-conclusion";

describe("notebook 06 lesson helpers", () => {
  const m = measurements({ seed: 3 });

  it("measures the directions the lesson teaches", () => {
    expect(m.staticProgram.shadow).toBeLessThan(m.staticProgram.nested);
    expect(m.forkExec.nested).toBeLessThan(m.forkExec.shadow);
    expect(m.crossoverPteWritesPerThousand).not.toBeNull();
    expect(m.io.emulated.meanLatencyUs).toBeGreaterThan(m.io.vhost.meanLatencyUs);
    expect(m.io.vhost.meanLatencyUs).toBeGreaterThan(m.io["passthrough + posted"].meanLatencyUs);
    expect(m.dma).toEqual({ attempts: 50, landedWithoutIommu: 50, landedWithIommu: 0 });
  });

  it("prompts and synthesis quote the measured numbers", () => {
    const prompts = discussionPrompts(m, { addresses: 10, pageTableReads: 17, walksSavedByTlb: 6, tlbEntries: 8 });
    expectQuotes(prompts, m.forkExec.shadow, m.staticProgram.nested, m.io.emulated.meanLatencyUs, m.dma.landedWithoutIommu, "**17**", "**6**");
    expect(prompts.split("\n\n")).toHaveLength(5);
    expect(discussionPrompts(m).split("\n\n")).toHaveLength(4);
    // The student's own prompt, in a cell of its own, continues the numbering.
    const own = yourMmuPrompt(m, { addresses: 10, pageTableReads: 17, walksSavedByTlb: 6, tlbEntries: 8 });
    expect(own.startsWith("5. ")).toBe(true);
    expectQuotes(own, "**17**", "**6**");
    expect(prompts.split("\n\n")[4]).toBe(own);
    const table = synthesisTable(m);
    expect(table.map((r) => r.mechanism)).toHaveLength(4);
    expectQuotes(table[2]!["overhead measured"]!, m.io.emulated.meanLatencyUs, m.io.vhost.meanLatencyUs, m.io["bare-metal"].meanLatencyUs);
    const rows = overheadRows(m);
    expect(rows.find((r) => r.measurement === "shadow, static program")!.times).toBeCloseTo(m.staticProgram.shadow / m.staticProgram.native, 9);
  });

  it("the hypervisor map (markdown in notebook 06) names kernel-lib files that exist", () => {
    const src = path.resolve(__dirname, "../../../src");
    const nb = JSON.parse(readFileSync(path.resolve(__dirname, "../../../../notebooks/06-activity-and-conclusion.ipynb"), "utf8")) as { cells: { id: string; source: string[] }[] };
    const map = nb.cells.find((c) => c.id === "4d90860a-0")!.source.join("");
    const files = [...map.matchAll(/kernel-lib: (.*?) · Linux/g)].flatMap((m) => [...m[1]!.matchAll(/`([^`]+)`/g)].map((f) => f[1]!));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) expect(existsSync(path.join(src, file)), file).toBe(true);
  });

  it("debate evidence sorts the class's bars by what they cost", () => {
    const text = debateEvidence(m);
    for (const r of overheadRows(m)) expect(text).toContain(`*${r.measurement}* ${formatNumber(r.times)}×`);
    const cheapLine = text.split("\n").find((l) => l.startsWith("- within 10 %"))!;
    for (const r of overheadRows(m).filter((x) => x.times > 1.1)) expect(cheapLine).not.toContain(r.measurement);
    expectQuotes(text, `${formatNumber(m.dma.landedWithoutIommu)} of ${formatNumber(m.dma.attempts)}`);
  });

  it("what-if: one mode for a mixed host; the break-even share is where the weighted costs meet", () => {
    const mix = modeMix(m, [0, 50, 100]);
    expect(mix.rows[0]!["shadow (cycles / access)"]).toBeCloseTo(m.staticProgram.shadow, 9);
    expect(mix.rows[2]!["nested (cycles / access)"]).toBeCloseTo(m.forkExec.nested, 9);
    expect(mix.rows[0]!.cheaper).toBe("shadow");
    expect(mix.rows[2]!.cheaper).toBe("nested");
    const x = mix.breakEvenPercent! / 100;
    const cost = (mode: "shadow" | "nested") => (1 - x) * m.staticProgram[mode] + x * m.forkExec[mode];
    expect(cost("shadow")).toBeCloseTo(cost("nested"), 6);
    expectQuotes(modeMixNotice(mix), mix.breakEvenPercent!, mix.rows[0]!.cheaper, mix.rows[2]!.cheaper);
    const oneSided = { ...m, forkExec: { ...m.forkExec, shadow: m.forkExec.nested / 2 } };
    const none = modeMix(oneSided);
    expect(none.breakEvenPercent).toBeNull();
    expect(none.rows.every((r) => r.cheaper === "shadow")).toBe(true);
    expectQuotes(modeMixNotice(none), "shadow");
  });

  it("the overhead chart has both axis titles; the walk notice quotes the student's walk", () => {
    const fig = overheadFigure(m);
    expect(fig.layout.yaxis!.title).toEqual({ text: "measurement" });
    expect(fig.layout.xaxis!.title).toBeTruthy();
    const text = walkCostNotice({ addresses: 10, pageTableReads: 17, walksSavedByTlb: 6, tlbEntries: 8 });
    expectQuotes(text, 17, 10, 6, 8);
  });
});
