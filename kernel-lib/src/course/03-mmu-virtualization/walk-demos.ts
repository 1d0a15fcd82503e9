/**
 * Notebook 03's walks, drawn step by step from real walks of tables in simulated memory: one TLB
 * miss on bare metal (which bits index which table, what each entry says), and the same miss
 * under nested paging, every guest and host read in hardware order.
 */
import { hex } from "../../core/format";
import { x86LevelName } from "../../charts/labels";
import { nestedGridFigure, walkPathFigure } from "../../charts/walk-figures";
import type { MemoryVirtualizationMode } from "../../hypervisor/machine";
import type { AddressLayout } from "../../memory/layout";
import type { WalkStep } from "../../memory/walk-step";
import { machineWithVm } from "../../experiments/machines";

const MiB = 2 ** 20;

/** The example address of notebook 03: every level's index is different and non-zero. */
export const WALK_EXAMPLE_ADDRESS = 0x7f3a1c2d5e6f;

/** A machine in `mode` with one VM (or bare-metal OS) whose process 1 has written at `address`. */
function oneProcessMachine(mode: MemoryVirtualizationMode, address: number) {
  const { machine, vm } = machineWithVm(mode, { hostMemoryBytes: 64 * MiB, hypervisorPoolBytes: 8 * MiB }, { name: mode === "native" ? "bare metal" : "guest", memoryBytes: 8 * MiB });
  vm.kernel.createProcess(1);
  machine.writeString(vm, 1, address, "Hi");
  return { machine, vm };
}

/** One row of the drawn native walk. */
export type WalkStepRow = {
  step: number;
  table: string;
  "address bits": string;
  index: number;
  "table at": string;
  "entry read at": string;
  "entry value": string;
  meaning: string;
};

/** Frame number held in an x86 entry value (bits 12..51). */
/** The address bits that index the table of `level`, high..low (e.g. "47..39" for an x86 PML4). */
function indexBitRange(layout: AddressLayout, level: number): string {
  const depth = layout.depthOfLevel(level);
  const low = layout.offsetBits + layout.indexBits.slice(depth + 1).reduce((a, b) => a + b, 0);
  return `${low + layout.indexBits[depth]! - 1}..${low}`;
}

/** Physical address of the page or table an entry points at. */
function entryTarget(layout: AddressLayout, step: WalkStep): number {
  return layout.decodeFrame(step.entryValue % 2 ** 32, Math.floor(step.entryValue / 2 ** 32)) * layout.pageSizeBytes;
}

/**
 * One TLB miss on bare metal, step by step: which table is read, with which bits of the address
 * as the index, what entry comes back and what it means. The final row gives the physical address.
 */
export function nativeWalkDemo(address = WALK_EXAMPLE_ADDRESS) {
  const { machine, vm } = oneProcessMachine("native", address);
  const r = machine.access(vm, 1, address, { bypassTlb: true });
  const layout = machine.guestLayout;
  const rows: WalkStepRow[] = r.steps.map((s, i) => {
    const target = entryTarget(layout, s);
    return {
      step: i + 1,
      table: `${x86LevelName(s.level)} (level ${s.level})`,
      "address bits": indexBitRange(layout, s.level),
      index: s.index,
      "table at": hex(s.tableAddress),
      "entry read at": hex(s.entryAddress),
      "entry value": s.entryHex,
      meaning: s.leaf ? `maps the page at ${hex(target)}` : `next table at ${hex(target)}`,
    };
  });
  const offset = address % layout.pageSizeBytes;
  const summary =
    `Translating ${hex(address)} read **${r.walkRefs}** page-table entries, one per level. The page offset (bits ${layout.offsetBits - 1}..0) is ${hex(offset)}, ` +
    `so the physical address is ${hex(r.hostFrame * machine.hostLayout.pageSizeBytes)} + ${hex(offset)} = **${hex(r.hostPhysicalAddress)}**, where the process wrote "Hi" (the byte there is ${hex(r.value)} = "${String.fromCharCode(r.value)}").`;
  const figure = walkPathFigure(r.steps, address);
  return { rows, summary, walkRefs: r.walkRefs, physicalAddress: r.hostPhysicalAddress, steps: r.steps, figure };
}

/** The native walk as a chart: one marker per table read, labelled with the index used. */
/** The nested walk of one address: the 24 (for 4+4 levels) references in order, as rows and a grid chart. */
export function nestedWalkDemo(address = WALK_EXAMPLE_ADDRESS) {
  const { machine, vm } = oneProcessMachine("nested", address);
  const r = machine.access(vm, 1, address, { bypassTlb: true });
  const gLevels = machine.guestLayout.levels;
  // Column = which guest-physical address is being resolved: the guest table of level L (L = n..1), then the data page (0).
  const columnOf = (s: WalkStep) => (s.dimension === "host" ? s.forGuestLevel ?? 0 : s.level);
  const columnName = (c: number) => (c === 0 ? "data page" : `guest ${x86LevelName(c)}`);
  const rows = r.steps.map((s, i) => ({
    "#": i + 1,
    reads: s.dimension === "host" ? `host (EPT/NPT) ${x86LevelName(s.level)}` : `guest ${x86LevelName(s.level)}`,
    "to resolve": s.dimension === "host" ? `guest-physical address of the ${columnName(columnOf(s))}` : `guest-virtual bits ${indexBitRange(machine.guestLayout, s.level)}`,
    index: s.index,
    "entry read at (host)": hex(s.entryAddress),
    "entry value": s.entryHex,
  }));
  const hostReads = r.steps.filter((s) => s.dimension === "host").length;
  const guestReads = r.steps.length - hostReads;
  const figure = nestedGridFigure(r.steps, gLevels, machine.hostLayout.levels);
  const summary =
    `One TLB miss under nested paging read **${r.walkRefs}** entries: **${guestReads}** guest entries and **${hostReads}** host (EPT/NPT) entries, ` +
    `because each of the ${guestReads + 1} guest-physical addresses on the way (${guestReads} guest tables and the data page) needed its own ${machine.hostLayout.levels}-level host walk. ` +
    `It reached the same byte: host-physical ${hex(r.hostPhysicalAddress)} holds "${String.fromCharCode(r.value)}".`;
  return { rows, figure, summary, walkRefs: r.walkRefs, guestReads, hostReads, steps: r.steps };
}
