/**
 * The demos of notebook 02's story, each a small run of the real simulator: the same two writes
 * with isolation (and a guest aiming at another VM's host frame), and one guest page followed
 * through the guest table, the hypervisor's map and the shadow table.
 */
import { hex } from "../../core/format";
import type { MemoryVirtualizationMode } from "../../hypervisor/machine";
import type { VmExitCause } from "../../hypervisor/vm-exit";
import { machineWithVm } from "../../experiments/machines";
import { demoMachine, RECORD_ADDRESS, twoVmStory, type MemoryDemoRow } from "../shared/two-vm-demo";

const MiB = 2 ** 20;

/** One attempt by a guest to reach another VM's host frame, in one mode. */
export interface IsolationAttempt {
  mode: MemoryVirtualizationMode;
  /** The host frame holding the Records Office's data, which Traffic Control aims at. */
  targetHostFrame: number;
  /** "isolation-fault" when the hypervisor refused. */
  event: string;
  /** VM exits the attempt caused, by cause. */
  vmExits: Partial<Record<VmExitCause, number>>;
  /** What the Records Office reads back afterwards. */
  recordsReadsBack: string;
}

function attack(mode: MemoryVirtualizationMode): IsolationAttempt {
  const { machine, records, traffic } = demoMachine(mode, true);
  machine.writeString(records, 1, RECORD_ADDRESS, "PAYROLL");
  const target = machine.access(records, 1, RECORD_ADDRESS).hostFrame;
  // A buggy or malicious guest kernel points one of its pages at "physical frame <target>",
  // hoping guest-physical means host-physical. It does not: that guest frame is not the VM's.
  traffic.kernel.mapPage(traffic.kernel.process(1), 0x500, { frame: target });
  const r = machine.access(traffic, 1, 0x500000, { write: true, value: 0x58 });
  return { mode, targetHostFrame: target, event: r.event, vmExits: r.vmExits, recordsReadsBack: machine.readString(records, 1, RECORD_ADDRESS, 7) };
}

/** The same two writes with isolation, plus a cross-VM attempt in shadow and in nested mode. */
export function isolationDemo(): { rows: MemoryDemoRow[]; summary: string; attempts: IsolationAttempt[]; sameHostAddress: boolean } {
  const story = twoVmStory(true);
  const attempts = (["shadow", "nested"] as const).map(attack);
  const rows = [...story.rows];
  for (const at of attempts) {
    const exits = Object.entries(at.vmExits).map(([c, n]) => `${n} × ${c}`).join(", ") || "none";
    rows.push({
      step: rows.length + 1,
      VM: "Traffic Control",
      action: `${at.mode} paging: points a page at frame ${hex(at.targetHostFrame)} (the payroll's host frame), writes "X"`,
      "guest-virtual": hex(0x500000),
      "guest-physical": hex(at.targetHostFrame * 4096),
      "host-physical": at.event === "isolation-fault" ? `refused (modeled fault; VM exit ${exits})` : "reached!",
      "Records Office reads back": JSON.stringify(at.recordsReadsBack),
    });
  }
  const refused = attempts.filter((a) => a.event === "isolation-fault").length;
  const summary =
    story.summary +
    ` Then Traffic Control's kernel tried to reach host frame ${hex(attempts[0]!.targetHostFrame)} directly: **${refused} of ${attempts.length}** attempts (shadow and nested paging) were refused as modeled faults, and the Records Office still reads back **${JSON.stringify(attempts[attempts.length - 1]!.recordsReadsBack)}**.`;
  return { rows, summary, attempts, sameHostAddress: story.sameHostAddress };
}

/** One guest page seen through the three tables under shadow paging, and the exits it took. */
export function shadowSheetDemo(): { rows: Record<string, string>[]; summary: string; exits: Partial<Record<VmExitCause, number>>; guestFrame: number; hostFrame: number; shadowFrame: number } {
  const { machine, vm } = machineWithVm("shadow", { hostMemoryBytes: 64 * MiB, hypervisorPoolBytes: 8 * MiB }, { name: "Library", memoryBytes: 8 * MiB });
  vm.kernel.createProcess(1);
  machine.writeString(vm, 1, RECORD_ADDRESS, "BOOKS");
  const vpn = RECORD_ADDRESS / 4096;
  const guest = vm.kernel.process(1).table.lookup(vpn);
  const hostFrame = vm.hostFrameOf(guest.frame);
  const shadow = vm.shadow!.tableFor(1).lookup(vpn);
  const exits = machine.totals().vmExitsByCause;
  const rows = [
    { table: "guest page table", "kept by": "guest OS (Library VM)", maps: "guest-virtual page → guest-physical frame", entry: `page ${hex(vpn)} → guest frame ${hex(guest.frame)}` },
    { table: "memory map (p2m)", "kept by": "hypervisor", maps: "guest-physical frame → host frame", entry: `guest frame ${hex(guest.frame)} → host frame ${hex(hostFrame)}` },
    { table: "shadow page table", "kept by": "hypervisor (CR3 points here)", maps: "guest-virtual page → host frame", entry: `page ${hex(vpn)} → host frame ${hex(shadow.frame)}` },
  ];
  const exitText = Object.entries(exits).map(([c, n]) => `**${n}** × \`${c}\``).join(", ");
  const summary =
    `The shadow entry (${hex(vpn)} → ${hex(shadow.frame)}) is the guest's entry (${hex(vpn)} → ${hex(guest.frame)}) followed through the hypervisor's map (${hex(guest.frame)} → ${hex(hostFrame)})` +
    `${shadow.frame === hostFrame ? ": the two maps composed into one" : " (mismatch!)"}. ` +
    `Creating the process and writing one record took these VM exits: ${exitText}.`;
  return { rows, summary, exits, guestFrame: guest.frame, hostFrame, shadowFrame: shadow.frame };
}
