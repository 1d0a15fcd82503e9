/**
 * Notebook 05, part 1 (compare with real machines): which shadow-paging model the lessons use.
 * The lessons run the textbook scheme, `shadowPaging: "trap-all"` (every guest page-table page is
 * write-protected from allocation): an upper bound on the exits. KVM's shadow MMU traps less
 * (`"kvm"`: last-level tables go unsync and are resynced at CR3 load and INVLPG, a child's tables
 * trap only once it runs). Both are run here on the forkwait pattern of figure B6 and set against
 * the paper's ratios.
 */
import { formatNumber as f } from "../../core/format";
import { memoryCostModel } from "../../costs/memory";
import type { ShadowPagingModel } from "../../hypervisor/machine";
import { measureMemory } from "../../experiments/measure";
import { churnTrace } from "../../playgrounds";
import { warmUpTrace } from "../../playgrounds";

/** Figure B6 (Adams & Agesen, ASPLOS 2006, [V2] secondary summary): 40,000 fork/wait iterations. */
export const B6_FORKWAIT_SECONDS = Object.freeze({ native: 6.0, softwareVmm: 36.9, hardwareVmm: 106.4 });

/** One row: a shadow model under a cost model, its forkwait time relative to native, and B6's. */
export type ShadowPresetRow = {
  /** The simulator's shadow-paging model. */
  shadowPaging: ShadowPagingModel;
  /** The cost model: "default" (today's exit costs) or "first-gen-vtx" (2006 VT-x exits, B5). */
  costs: "default" | "first-gen-vtx";
  /** Shadow paging's cycles ÷ native cycles on the forkwait run. */
  slowdown: number;
  /** VM exits per 1,000 accesses. */
  vmExitsPerThousand: number;
  /** B6's measured ratio for the hardware VMM of 2006, beside the first-gen VT-x cost model (null beside today's costs: B6 measured no such machine). */
  b6Slowdown: number | null;
};

/** Working set and churn of the forkwait run (the page-table-churn playground's pattern). */
const FORKWAIT = { workingSetPages: 256, forkExecPer10k: 5 };

/** Shadow paging under both models and both cost models on the forkwait run, with B6's ratios. */
export function shadowPresets(): ShadowPresetRow[] {
  const warmUp = warmUpTrace(FORKWAIT.workingSetPages);
  const trace = churnTrace(FORKWAIT.workingSetPages, FORKWAIT.forkExecPer10k);
  return (["default", "first-gen-vtx"] as const).flatMap((costs) => {
    const model = costs === "default" ? memoryCostModel() : memoryCostModel({}, costs);
    const native = measureMemory(trace, "native", { machine: { costs: model }, warmUp });
    const b6 = costs === "default" ? null : B6_FORKWAIT_SECONDS.hardwareVmm / B6_FORKWAIT_SECONDS.native;
    return (["trap-all", "kvm"] as const).map((shadowPaging) => {
      const s = measureMemory(trace, "shadow", { machine: { costs: model, shadowPaging }, warmUp });
      return { shadowPaging, costs, slowdown: s.cycles / native.cycles, vmExitsPerThousand: (1000 * s.vmExits) / s.accesses, b6Slowdown: b6 };
    });
  });
}

/** "What to notice" for the presets table, from its rows. */
export function shadowPresetsNotice(rows: readonly ShadowPresetRow[]): string {
  const row = (model: ShadowPagingModel, costs: ShadowPresetRow["costs"]) => rows.find((r) => r.shadowPaging === model && r.costs === costs)!;
  const [trapHw, kvmHw, trapSw, kvmSw] = [row("trap-all", "first-gen-vtx"), row("kvm", "first-gen-vtx"), row("trap-all", "default"), row("kvm", "default")];
  return (
    `**What to notice:** the lessons use the textbook scheme (\`trap-all\`: every guest page-table page is write-protected ` +
    `from the moment it is allocated), an upper bound on the exits. With 2006 VT-x exit costs it makes forkwait ${f(trapHw.slowdown)}× ` +
    `native where B6 measured ${f(trapHw.b6Slowdown!)}× for that hardware VMM; KVM's relaxed scheme (\`kvm\`: leaf tables go unsync, ` +
    `a child's tables trap only once it runs) gives ${f(kvmHw.slowdown)}×, near the measurement. With today's exit costs (the ` +
    `lessons' default): ${f(trapSw.slowdown)}× and ${f(kvmSw.slowdown)}×. The model is not fitted to B6: the gap says how much of a ` +
    `real hypervisor's work is avoiding traps, and shadow paging's numbers in these lessons are an upper bound.`
  );
}
