/**
 * Reads of one TLB miss, from real walks: a guest process touches one page (the guest kernel
 * maps it, the hypervisor backs it), then the same address is translated again with the TLB
 * bypassed, and the hardware walker (mmu/walker.ts) reports the entries it read and in which
 * dimension. The nested count is the two-dimensional walk, (n+1)(m+1)−1 reads for n guest and
 * m host levels (DESIGN.md model facts, figure A4); large leaves shorten it (A8).
 */
import type { MemoryVirtualizationMode } from "../hypervisor/machine";
import { x86Layout } from "../memory/layout";
import { machineWithVm } from "./machines";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Entries read by one uncached walk, in all and by dimension. */
export interface WalkReads {
  total: number;
  /** Guest page-table entries (nested paging; 0 otherwise). */
  guest: number;
  /** Host (EPT/NPT) entries (nested paging; 0 otherwise). */
  host: number;
}

/**
 * Entries read by one TLB miss in `mode` for x86 tables of the given levels and page sizes (KiB),
 * on a machine just large enough for the pages (1 GiB pages need 1 GiB-aligned guest memory).
 */
export function walkReads(mode: MemoryVirtualizationMode, guestLevels: number, hostLevels: number, guestPageKiB: number, hostPageKiB: number): WalkReads {
  const huge = guestPageKiB >= 1048576 || hostPageKiB >= 1048576;
  const { machine, vm } = machineWithVm(
    mode,
    {
      guestLayout: x86Layout(guestLevels, "guestLevels"),
      hostLayout: x86Layout(hostLevels, "hostLevels"),
      hostPageSizeBytes: hostPageKiB * 1024,
      hostMemoryBytes: huge ? 4 * GiB : 64 * MiB,
      hypervisorPoolBytes: huge ? GiB : 8 * MiB,
    },
    { memoryBytes: huge ? 2 * GiB : 8 * MiB, guestPageSizeBytes: guestPageKiB * 1024 },
  );
  vm.kernel.createProcess(1);
  machine.access(vm, 1, 0); // first touch: the guest maps the page and the hypervisor backs it
  const walk = machine.access(vm, 1, 0, { bypassTlb: true });
  const guest = walk.steps.filter((st) => st.dimension === "guest").length;
  const host = walk.steps.filter((st) => st.dimension === "host").length;
  return { total: walk.walkRefs, guest, host };
}

/** Memory reads of one uncached walk in each mode. */
export interface PageWalkReads {
  native: number;
  shadow: number;
  /** Nested: reads of guest entries, and of host (EPT/NPT) entries. */
  nestedGuest: number;
  nestedHost: number;
}

/** The reads of one TLB miss natively, under shadow paging and under nested paging (page sizes in KiB). */
export function pageWalkReads(guestLevels: number, hostLevels: number, guestPageKiB: number, hostPageKiB: number): PageWalkReads {
  const nested = walkReads("nested", guestLevels, hostLevels, guestPageKiB, hostPageKiB);
  return {
    native: walkReads("native", guestLevels, hostLevels, guestPageKiB, hostPageKiB).total,
    shadow: walkReads("shadow", guestLevels, hostLevels, guestPageKiB, hostPageKiB).total,
    nestedGuest: nested.guest,
    nestedHost: nested.host,
  };
}
