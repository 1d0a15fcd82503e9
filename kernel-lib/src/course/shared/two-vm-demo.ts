/**
 * The two-VM story of notebooks 02 and 03: the Records Office and Traffic Control each write a
 * record at the same guest-virtual address, with and without isolation. Without it both records
 * land in the same host frame (the chaos); with it, in frames of their own.
 */
import { hex } from "../../core/format";
import type { Machine, MemoryVirtualizationMode } from "../../hypervisor/machine";
import type { VirtualMachine } from "../../hypervisor/virtual-machine";
import { newMachine } from "../../experiments/machines";

const MiB = 2 ** 20;
/** The virtual address each demo process writes its record at (page 0x400). */
export const RECORD_ADDRESS = 0x400000;

export function demoMachine(mode: MemoryVirtualizationMode, isolation: boolean): { machine: Machine; records: VirtualMachine; traffic: VirtualMachine } {
  const machine = newMachine(mode, { isolation, hostMemoryBytes: 64 * MiB, hypervisorPoolBytes: 8 * MiB });
  const records = machine.createVm({ name: "Records Office", memoryBytes: 8 * MiB });
  const traffic = machine.createVm({ name: "Traffic Control", memoryBytes: 8 * MiB });
  records.kernel.createProcess(1);
  traffic.kernel.createProcess(1);
  return { machine, records, traffic };
}

/** Guest-physical address of `address` in process `pid` of `vm` (from the guest's own table). */
export function guestPhysical(vm: VirtualMachine, pid: number, address: number): number {
  const t = vm.kernel.process(pid).table.translate(address);
  return t.ok ? t.physicalAddress : -1;
}

/** One row of a demo table. */
export type MemoryDemoRow = {
  step: number;
  VM: string;
  action: string;
  "guest-virtual": string;
  "guest-physical": string;
  "host-physical": string;
  "Records Office reads back": string;
};

/** The no-isolation chaos: both VMs' records end up in the same host frame. */
export function chaosDemo(): { rows: MemoryDemoRow[]; summary: string; sameHostAddress: boolean; recordsReadsBack: string } {
  return twoVmStory(false);
}

export function twoVmStory(isolation: boolean) {
  const { machine, records, traffic } = demoMachine("nested", isolation);
  const rows: MemoryDemoRow[] = [];
  const row = (vm: VirtualMachine, action: string, hpa: number) =>
    rows.push({
      step: rows.length + 1,
      VM: vm.name,
      action,
      "guest-virtual": hex(RECORD_ADDRESS),
      "guest-physical": hex(guestPhysical(vm, 1, RECORD_ADDRESS)),
      "host-physical": hpa < 0 ? "refused" : hex(hpa),
      "Records Office reads back": JSON.stringify(machine.readString(records, 1, RECORD_ADDRESS, 7)),
    });
  machine.writeString(records, 1, RECORD_ADDRESS, "PAYROLL");
  const a = machine.access(records, 1, RECORD_ADDRESS);
  row(records, 'writes "PAYROLL"', a.hostPhysicalAddress);
  machine.writeString(traffic, 1, RECORD_ADDRESS, "SIGNALS");
  const b = machine.access(traffic, 1, RECORD_ADDRESS);
  row(traffic, 'writes "SIGNALS"', b.hostPhysicalAddress);
  const recordsReadsBack = machine.readString(records, 1, RECORD_ADDRESS, 7);
  const same = a.hostPhysicalAddress === b.hostPhysicalAddress;
  const summary = isolation
    ? `With isolation, the hypervisor backed the Records Office's guest-physical ${hex(guestPhysical(records, 1, RECORD_ADDRESS))} with host address **${hex(a.hostPhysicalAddress)}** and Traffic Control's (the same guest-physical address, ${hex(guestPhysical(traffic, 1, RECORD_ADDRESS))}) with **${hex(b.hostPhysicalAddress)}**. The Records Office reads back **${JSON.stringify(recordsReadsBack)}**: its data is safe.`
    : `The Records Office wrote "PAYROLL" at host address **${hex(a.hostPhysicalAddress)}**. Traffic Control, in a different VM, wrote "SIGNALS" at its guest-physical ${hex(guestPhysical(traffic, 1, RECORD_ADDRESS))}, which without isolation *is* host address **${hex(b.hostPhysicalAddress)}**${same ? ", the very same bytes" : ""}. The Records Office now reads back **${JSON.stringify(recordsReadsBack)}**: its payroll is gone, and Traffic Control could just as well have read it.`;
  return { rows, summary, sameHostAddress: same, recordsReadsBack, machine, records, traffic };
}

