// Lesson helpers of notebook 06: the discussion and synthesis quote the measurements, and the
// hypervisor map points at files that exist in kernel-lib.
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import path from "node:path";
import {
  activityDiscussionPrompts, activityHypervisorMap, activityMeasurements, activityOverheadRows, activitySynthesisTable, HYPERVISOR_SOURCE_MAP,
} from "../../src/lessons/activity-and-conclusion";
import { formatNumber } from "../../src/display/bundle";

describe("notebook 06 lesson helpers", () => {
  const m = activityMeasurements({ seed: 3 });

  it("measures the directions the lesson teaches", () => {
    expect(m.staticProgram.shadow).toBeLessThan(m.staticProgram.nested);
    expect(m.forkExec.nested).toBeLessThan(m.forkExec.shadow);
    expect(m.crossoverPteWritesPerThousand).not.toBeNull();
    expect(m.io.emulated.meanLatencyUs).toBeGreaterThan(m.io.vhost.meanLatencyUs);
    expect(m.io.vhost.meanLatencyUs).toBeGreaterThan(m.io["passthrough + posted"].meanLatencyUs);
    expect(m.dma).toEqual({ attempts: 50, landedWithoutIommu: 50, landedWithIommu: 0 });
  });

  it("prompts and synthesis quote the measured numbers", () => {
    const prompts = activityDiscussionPrompts(m, { addresses: 10, pageTableReads: 17, walksSavedByTlb: 6, tlbEntries: 8 });
    expect(prompts).toContain(formatNumber(m.forkExec.shadow));
    expect(prompts).toContain("**17**");
    expect(prompts.split("\n\n")).toHaveLength(5);
    expect(activityDiscussionPrompts(m).split("\n\n")).toHaveLength(4);
    const table = activitySynthesisTable(m);
    expect(table.map((r) => r.mechanism)).toHaveLength(4);
    expect(table[2]!["overhead measured"]).toContain(formatNumber(m.io.emulated.meanLatencyUs));
    const rows = activityOverheadRows(m);
    expect(rows.find((r) => r.measurement === "shadow, static program")!.times).toBeCloseTo(m.staticProgram.shadow / m.staticProgram.native, 9);
  });

  it("the hypervisor map's kernel-lib files exist", () => {
    const src = path.resolve(__dirname, "../../src");
    for (const row of HYPERVISOR_SOURCE_MAP) {
      for (const file of row.simulator.split(/,\s*/).map((s) => s.replace(/\s*\(.*$/, ""))) {
        expect(existsSync(path.join(src, file)), `${row.concept}: ${file}`).toBe(true);
      }
    }
    expect(activityHypervisorMap()[0]).toHaveProperty("Linux / KVM");
  });
});
