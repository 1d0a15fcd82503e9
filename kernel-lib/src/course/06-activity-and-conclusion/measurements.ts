/**
 * Notebook 06's measurements: a compact version of the experiments of notebooks 02–05, so the
 * group discussion and the synthesis quote numbers the class just produced. The runs are the
 * ones lessons 04 and 05 share (shared/io-runs.ts, shared/memory-runs.ts).
 */
import { directAccessChaos, saturatedThroughputGbps, steadyRunOf } from "../shared/io-runs";
import { churnSweep, crossover, workloadComparison } from "../shared/memory-runs";

/** The numbers the discussion and the synthesis use. All from the simulator. */
export interface Measurements {
  /** Seed of every run. */
  seed: number;
  /** Cycles per access on a static, TLB-miss-heavy program: native, shadow, nested. */
  staticProgram: { native: number; shadow: number; nested: number };
  /** Cycles per access on fork/exec churn: native, shadow, nested. */
  forkExec: { native: number; shadow: number; nested: number; shadowExitsPerThousand: number };
  /** Guest PTE writes per 1000 accesses at which nested starts to win (null: no crossover found). */
  crossoverPteWritesPerThousand: number | null;
  /** Per path: mean latency (µs) and exits per request on the steady stream; throughput (% of bare metal) in the saturated run. */
  io: Record<"emulated" | "vhost" | "passthrough + posted" | "bare-metal", { meanLatencyUs: number; exitsPerRequest: number; percentOfBareMetal: number }>;
  /** Rogue DMA writes that reached another VM without and with an IOMMU. */
  dma: { attempts: number; landedWithoutIommu: number; landedWithIommu: number };
}

/** Runs the compact measurement set (about half a second). */
export function measurements(options: { seed?: number } = {}): Measurements {
  const seed = options.seed ?? 1;
  const w = workloadComparison({ seed, workloads: ["random 1024 pages", "fork/exec"] });
  const cpa = (workload: string, mode: string) => w.find((r) => r.workload === workload && r.mode === mode)!;
  // Shadow's cost grows about linearly with the churn, so two levels place the crossover well.
  const churn = churnSweep({ seed, periods: [0, 50] });
  const bareCapacity = saturatedThroughputGbps("bare-metal", seed);
  const ioOf = (path: string) => {
    const r = steadyRunOf(path, seed);
    return { meanLatencyUs: r.latency.meanUs, exitsPerRequest: r.exitsPerRequest, percentOfBareMetal: (100 * saturatedThroughputGbps(path, seed)) / bareCapacity };
  };
  const [off, on] = directAccessChaos({ seed, rogueWrites: 50 });
  return {
    seed,
    staticProgram: {
      native: cpa("random 1024 pages", "native").cyclesPerAccess,
      shadow: cpa("random 1024 pages", "shadow").cyclesPerAccess,
      nested: cpa("random 1024 pages", "nested").cyclesPerAccess,
    },
    forkExec: {
      native: cpa("fork/exec", "native").cyclesPerAccess,
      shadow: cpa("fork/exec", "shadow").cyclesPerAccess,
      nested: cpa("fork/exec", "nested").cyclesPerAccess,
      shadowExitsPerThousand: cpa("fork/exec", "shadow").vmExitsPerThousand,
    },
    crossoverPteWritesPerThousand: crossover(churn)?.pteWritesPerThousand ?? null,
    io: { emulated: ioOf("emulated"), vhost: ioOf("vhost"), "passthrough + posted": ioOf("passthrough + posted"), "bare-metal": ioOf("bare-metal") },
    dma: { attempts: off!.rogueWrites, landedWithoutIommu: off!.landedInOtherVm, landedWithIommu: on!.landedInOtherVm },
  };
}
