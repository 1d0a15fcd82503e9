/**
 * Notebook 03's TLB run: the hit rate as the working set grows, for several TLB sizes (4-way
 * sets, LRU), on bare metal, each run measured after a warm-up pass.
 */
import { lineChart } from "../../charts/builders";
import { Random } from "../../core/random";
import { TraceBuilder, type MemoryTrace } from "../../workloads/trace";
import { fourWayTlb } from "../../experiments/machines";
import { measureMemory } from "../../experiments/measure";

const MiB = 2 ** 20;

/** A trace of `accesses` uniform random reads over `pages` pages. */
function randomTrace(seed: number, accesses: number, pages: number): MemoryTrace {
  const rng = new Random(seed);
  const b = new TraceBuilder(4096, accesses);
  b.premapRange(0, 0x1000, pages);
  for (let i = 0; i < accesses; i++) b.read(0x1000 + rng.int(pages));
  return b.build(`uniform over ${pages} pages`, seed);
}

/**
 * TLB hit rate as the working set grows, for several TLB sizes (4-way sets, LRU), on bare metal.
 * Each run warms up with one pass and measures the second.
 */
export function tlbHitRateSweep(options: { workingSets?: number[]; tlbEntries?: number[]; accesses?: number; seed?: number } = {}) {
  const workingSets = options.workingSets ?? [8, 16, 32, 64, 128, 256, 512, 1024];
  const sizes = options.tlbEntries ?? [16, 64, 256];
  const accesses = options.accesses ?? 8000;
  const rows: { "TLB entries": string; "working set (pages)": number; "hit rate (%)": number; "walk reads per 1,000 accesses": number }[] = [];
  for (const entries of sizes) {
    for (const ws of workingSets) {
      const trace = randomTrace(options.seed ?? 1, accesses, ws);
      const s = measureMemory(trace, "native", {
        machine: { hostMemoryBytes: 64 * MiB, hypervisorPoolBytes: 4 * MiB, tlb: fourWayTlb(entries) },
        vm: { memoryBytes: 16 * MiB },
        warmUp: "repeat",
      });
      rows.push({
        "TLB entries": `${entries} entries`,
        "working set (pages)": ws,
        "hit rate (%)": Math.round(1000 * s.tlbHitRate) / 10,
        "walk reads per 1,000 accesses": Math.round((1000 * s.walkRefs) / s.accesses),
      });
    }
  }
  const figure = lineChart(rows, {
    x: "working set (pages)",
    y: "hit rate (%)",
    color: "TLB entries",
    title: "TLB hit rate falls once the working set outgrows the TLB",
    xTitle: "working set (4 KiB pages touched at random, log scale)",
    yTitle: "TLB hit rate (%)",
    logX: true,
  });
  figure.layout.xaxis = { ...figure.layout.xaxis, tickvals: workingSets, ticktext: workingSets.map(String) };
  const at = (entries: number, ws: number) => rows.find((r) => r["TLB entries"] === `${entries} entries` && r["working set (pages)"] === ws);
  const mid = sizes[Math.floor(sizes.length / 2)]!;
  const small = at(mid, workingSets.find((w) => w <= mid / 2) ?? workingSets[0]!)!;
  const big = at(mid, workingSets[workingSets.length - 1]!)!;
  const summary =
    `With a ${mid}-entry TLB, a working set of ${small["working set (pages)"]} pages hits **${small["hit rate (%)"]}%** of the time; ` +
    `${big["working set (pages)"]} pages hit only **${big["hit rate (%)"]}%**, and every miss costs a walk (${big["walk reads per 1,000 accesses"]} entry reads per 1,000 accesses).`;
  return { rows, figure, summary };
}
