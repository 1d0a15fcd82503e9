/**
 * Notebook 01's hook: the numbers of the cloud-provider scenario (one TLB miss, one I/O request
 * on a virtualized server), computed by the simulator so the notebook's prose never types them.
 */
import { barChart } from "../../charts/builders";
import { labelBars } from "../../charts/bar-labels";
import type { Figure } from "../../charts/figure";
import type { IoPath } from "../../io/config";
import { measureIo } from "../../experiments/io-runs";
import { pageWalkReads } from "../../experiments/walk-reads";
import { IO_STEADY_RPS } from "../shared/io-runs";

/** Display names of the I/O paths in lessons 01 and 04. */
export const IO_PATH_LABELS: Readonly<Record<IoPath, string>> = {
  emulated: "emulated device (e1000)",
  virtio: "paravirtual (virtio)",
  vhost: "virtio + vhost",
  passthrough: "passthrough (IOMMU)",
  "bare-metal": "bare metal",
};

/** Payload bytes per request in the hook's I/O run (an Ethernet frame). */
export const HOOK_REQUEST_BYTES = 1500;

/** Requests the hook's VM has waiting (a backlog: it sends as fast as each path allows). */
export const HOOK_REQUESTS = 600;

/** The hook's numbers: what one TLB miss and one I/O request cost on a virtualized server. */
export interface HookNumbers {
  /** Page-table reads of one TLB miss, 4-level tables, 4 KiB pages. */
  walkReads: { native: number; shadow: number; nested: number };
  /**
   * One row per I/O path: throughput of a backlogged single-VM run (the VM sends as fast as the
   * path allows), and VM exits per request of a steady stream (requests arriving one at a time,
   * where each request's own exits show; a backlog hides them behind batching).
   */
  io: { path: IoPath; label: string; throughputRps: number; exitsPerRequest: number; p50LatencyUs: number }[];
  /** The I/O runs: a saturated backlog of `requests` requests of `requestBytes` bytes from one VM; a steady stream at `steadyRps`. */
  run: { requests: number; requestBytes: number; seed: number; steadyRps: number };
}

/** Runs the hook's two small experiments (a page walk of each kind; one I/O run per path). */
export function hookNumbers(seed = 1): HookNumbers {
  const w = pageWalkReads(4, 4, 4, 4);
  const paths: IoPath[] = ["emulated", "virtio", "passthrough", "bare-metal"];
  const base = { seed, requestsPerVm: HOOK_REQUESTS, requestBytes: HOOK_REQUEST_BYTES, arrivals: "backlog" as const };
  return {
    walkReads: { native: w.native, shadow: w.shadow, nested: w.nestedGuest + w.nestedHost },
    io: paths.map((path) => {
      const saturated = measureIo({ ...base, path, vmCount: 1 });
      const steady = measureIo({ ...base, arrivals: "poisson", offeredLoadRps: IO_STEADY_RPS, path, vmCount: 1 });
      return { path, label: IO_PATH_LABELS[path], throughputRps: saturated.throughputRps, exitsPerRequest: steady.exitsPerRequest, p50LatencyUs: steady.latency.p50Us };
    }),
    run: { requests: HOOK_REQUESTS, requestBytes: HOOK_REQUEST_BYTES, seed, steadyRps: IO_STEADY_RPS },
  };
}

/** The hook's numbers as markdown (what the notebook prints under "What the simulator measured"). */
export function hookSummary(numbers: HookNumbers): string {
  const by = Object.fromEntries(numbers.io.map((r) => [r.path, r]));
  const rps = (path: IoPath) => Math.round(by[path]?.throughputRps ?? 0).toLocaleString("en-US");
  const exits = (path: IoPath) => (by[path]?.exitsPerRequest ?? 0).toFixed(2);
  return [
    "**What the simulator measured.**",
    `- One TLB miss reads **${numbers.walkReads.native}** page-table entries on bare metal, but **${numbers.walkReads.nested}** inside a VM whose MMU uses hardware nested paging (4-level tables, 4 KiB pages, no walk caches).`,
    `- VM exits per request, each a trip from the VM into the hypervisor and back (fewer is better), when requests arrive one at a time ` +
      `(a steady stream of ${numbers.run.steadyRps.toLocaleString("en-US")} requests/s of ${numbers.run.requestBytes.toLocaleString("en-US")} bytes): ` +
      `**emulated** network card **${exits("emulated")}**, **virtio** ${exits("virtio")}, **passthrough** ${exits("passthrough")}, bare metal ${exits("bare-metal")}.`,
    `- Throughput when the VM has ${numbers.run.requests.toLocaleString("en-US")} requests waiting and sends as fast as each path allows (a *saturated* run): ` +
      `emulated **${rps("emulated")}** requests/s, virtio ${rps("virtio")}, passthrough ${rps("passthrough")}, bare metal **${rps("bare-metal")}** requests/s. ` +
      `(With requests waiting, virtio batches them and skips most notifications: notebook 04 shows both runs.)`,
  ].join("\n");
}

/** "What to notice" under the hook's page-walk playground (4-level tables, 4 KiB pages), from the hook's counts. */
export function hookWalkNotice(numbers: HookNumbers): string {
  const w = numbers.walkReads;
  const same = w.shadow === w.native;
  return (
    `**What to notice:** the shadow bar (${w.shadow} reads) is ${same ? "as short as" : `${w.shadow > w.native ? "taller" : "shorter"} than`} ` +
    `the native one (${w.native}); the nested bar is ${w.nested} reads, ${(w.nested / w.native).toFixed(0)}× the native walk.`
  );
}

/** The hook's I/O chart: requests per second through each path, as a share of bare metal. */
export function hookIoFigure(numbers: HookNumbers): Figure {
  const bare = numbers.io.find((r) => r.path === "bare-metal")?.throughputRps ?? 1;
  const rows = numbers.io.map((r) => ({ path: r.label, "% of bare metal": Math.round((1000 * r.throughputRps) / bare) / 10 }));
  const fig = barChart(rows, {
    x: "path",
    y: "% of bare metal",
    title: `One VM sending ${numbers.run.requestBytes.toLocaleString("en-US")}-byte requests as fast as it can (saturated run)`,
    xTitle: "how the VM reaches the network card",
    yTitle: "throughput (% of bare metal)",
  });
  labelBars(fig, { suffix: "%" });
  fig.layout.yaxis = { ...fig.layout.yaxis, range: [0, 115] };
  return fig;
}
