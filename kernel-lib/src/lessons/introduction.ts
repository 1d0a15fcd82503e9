/**
 * Lesson support for notebook 01 (introduction and hook): the numbers of the cloud-provider
 * scenario, computed by the simulator so the notebook's prose never types them by hand.
 */
import { barChart } from "../charts/builders";
import type { Figure } from "../charts/figure";
import { sweepIo } from "../io/sweep";
import type { IoPath } from "../io/config";
import { pageWalkReads } from "../playgrounds/page-walk";
import type { Machine } from "../hypervisor/machine";
import type { VirtualMachine } from "../hypervisor/virtual-machine";
import { hex } from "../exercises/lesson-check";

/** Display names of the I/O paths in lessons 01 and 04. */
export const IO_PATH_LABELS: Readonly<Record<IoPath, string>> = {
  emulated: "emulated device (e1000)",
  virtio: "paravirtual (virtio)",
  vhost: "virtio + vhost",
  passthrough: "passthrough (IOMMU)",
  "bare-metal": "bare metal",
};

/** Payload bytes per request in the hook's I/O run (an Ethernet frame). */
export const CLOUD_HOOK_REQUEST_BYTES = 1500;

/** Requests the hook's VM has waiting (a backlog: it sends as fast as each path allows). */
export const CLOUD_HOOK_REQUESTS = 600;

/** The hook's numbers: what one TLB miss and one I/O request cost on a virtualized server. */
export interface CloudHookNumbers {
  /** Page-table reads of one TLB miss, 4-level tables, 4 KiB pages. */
  walkReads: { native: number; shadow: number; nested: number };
  /** One row per I/O path: throughput and exits of a backlogged single-VM run. */
  io: { path: IoPath; label: string; throughputRps: number; exitsPerRequest: number; p50LatencyUs: number }[];
  /** The I/O run: a saturated backlog of `requests` requests of `requestBytes` bytes from one VM. */
  run: { requests: number; requestBytes: number; seed: number };
}

/** Runs the hook's two small experiments (a page walk of each kind; one I/O run per path). */
export function cloudHookNumbers(seed = 1): CloudHookNumbers {
  const w = pageWalkReads(4, 4, 4, 4);
  const paths: IoPath[] = ["emulated", "virtio", "passthrough", "bare-metal"];
  const base = { seed, requestsPerVm: CLOUD_HOOK_REQUESTS, requestBytes: CLOUD_HOOK_REQUEST_BYTES, arrivals: "backlog" as const };
  const rows = sweepIo({ parameter: "vmCount", values: [1], paths, base });
  return {
    walkReads: { native: w.native, shadow: w.shadow, nested: w.nestedGuest + w.nestedHost },
    io: rows.map((r) => ({
      path: r.path,
      label: IO_PATH_LABELS[r.path],
      throughputRps: r.throughputRps,
      exitsPerRequest: r.exitsPerRequest,
      p50LatencyUs: r.p50LatencyUs,
    })),
    run: { requests: CLOUD_HOOK_REQUESTS, requestBytes: CLOUD_HOOK_REQUEST_BYTES, seed },
  };
}

/** The hook's numbers as markdown (what the notebook prints under "What the simulator measured"). */
export function cloudHookSummary(numbers: CloudHookNumbers): string {
  const by = Object.fromEntries(numbers.io.map((r) => [r.path, r]));
  const rps = (path: IoPath) => Math.round(by[path]?.throughputRps ?? 0).toLocaleString("en-US");
  const exits = (path: IoPath) => (by[path]?.exitsPerRequest ?? 0).toFixed(2);
  return [
    "**What the simulator measured.**",
    `- One TLB miss reads **${numbers.walkReads.native}** page-table entries on bare metal, but **${numbers.walkReads.nested}** inside a VM whose MMU uses hardware nested paging (4-level tables, 4 KiB pages, no walk caches).`,
    `- One VM with a backlog of ${numbers.run.requests.toLocaleString("en-US")} requests of ${numbers.run.requestBytes.toLocaleString("en-US")} bytes, sent as fast as each path allows (a *saturated* run):`,
    `  - VM exits per request: **emulated** network card **${exits("emulated")}**, **virtio** ${exits("virtio")}, **passthrough** ${exits("passthrough")}. ` +
      `With requests always waiting, virtio's notification suppression skips most kicks and one interrupt completes many requests, so these counts belong to this run. ` +
      `Notebook 04 also measures a steady stream of requests arriving one by one, where the counts are different.`,
    `  - Throughput: emulated **${rps("emulated")}** requests/s, virtio ${rps("virtio")}, passthrough ${rps("passthrough")}, bare metal **${rps("bare-metal")}** requests/s.`,
  ].join("\n");
}

/** "What to notice" under the hook's page-walk playground (4-level tables, 4 KiB pages), from the hook's counts. */
export function cloudHookWalkNotice(numbers: CloudHookNumbers): string {
  const w = numbers.walkReads;
  const same = w.shadow === w.native;
  return (
    `**What to notice:** the shadow bar (${w.shadow} reads) is ${same ? "as short as" : `${w.shadow > w.native ? "taller" : "shorter"} than`} ` +
    `the native one (${w.native}); the nested bar is ${w.nested} reads, ${(w.nested / w.native).toFixed(0)}× the native walk. ` +
    `Yet, as notebooks 02 and 03 show, nested paging is what most clouds use today, because shadow paging pays elsewhere.`
  );
}

/** The hook's I/O chart: requests per second through each path, as a share of bare metal. */
export function cloudHookIoFigure(numbers: CloudHookNumbers): Figure {
  const bare = numbers.io.find((r) => r.path === "bare-metal")?.throughputRps ?? 1;
  const rows = numbers.io.map((r) => ({ path: r.label, "% of bare metal": Math.round((1000 * r.throughputRps) / bare) / 10 }));
  const fig = barChart(rows, {
    x: "path",
    y: "% of bare metal",
    title: `One VM sending ${numbers.run.requestBytes.toLocaleString("en-US")}-byte requests as fast as it can (saturated run)`,
    xTitle: "how the VM reaches the network card",
    yTitle: "throughput (% of bare metal)",
  });
  for (const t of fig.data) {
    t.text = (t.y ?? []).map((v) => `${v}%`);
    t.textposition = "outside";
  }
  fig.layout.yaxis = { ...fig.layout.yaxis, range: [0, 115] };
  return fig;
}

/** One VM's view of one address: guest-virtual → guest-physical → host-physical, and the bytes there. */
export type AddressChainRow = {
  VM: string;
  "guest-virtual": string;
  "guest-physical": string;
  "host-physical": string;
  "bytes there": string;
};

/**
 * For each VM, follows `address` of process `pid` through the guest's page table (guest-virtual →
 * guest-physical) and the hypervisor's map (→ host-physical), and reads `length` bytes there.
 */
export function addressChainRows(machine: Machine, vms: readonly VirtualMachine[], pid: number, address: number, length = 8): AddressChainRow[] {
  return vms.map((vm) => {
    const t = vm.kernel.process(pid).table.translate(address);
    const hostFrame = t.ok ? vm.hostFrameOf(t.frame) : -1;
    const hpa = hostFrame < 0 ? -1 : hostFrame * machine.hostMemory.pageSizeBytes + t.offset;
    return {
      VM: vm.name,
      "guest-virtual": hex(address),
      "guest-physical": t.ok ? hex(t.physicalAddress) : "not mapped",
      "host-physical": hpa < 0 ? "—" : hex(hpa),
      "bytes there": JSON.stringify(machine.readString(vm, pid, address, length).replace(/\0+$/, "")),
    };
  });
}

/** Markdown that states what the address-chain rows show (same GVA/GPA, different host frames?). */
export function addressChainSummary(rows: readonly AddressChainRow[]): string {
  const gpas = new Set(rows.map((r) => r["guest-physical"]));
  const hpas = new Set(rows.map((r) => r["host-physical"]));
  const list = rows.map((r) => `**${r.VM}** → host ${r["host-physical"]} (reads ${r["bytes there"]})`).join("; ");
  return (
    `${rows.length} VMs used guest-virtual address ${rows[0]!["guest-virtual"]}, which their guest kernels mapped to ` +
    (gpas.size === 1 ? `the **same** guest-physical address ${[...gpas][0]}. ` : `guest-physical addresses ${[...gpas].join(", ")}. `) +
    `The hypervisor backed them with ${hpas.size === rows.length ? "**different**" : "**the same**"} host addresses: ${list}.`
  );
}
