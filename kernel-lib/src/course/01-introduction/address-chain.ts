/**
 * Notebook 01's first hypervisor: one address followed from guest-virtual through the guest's
 * page table (guest-physical) and the hypervisor's map (host-physical) in each VM.
 */
import { hex } from "../../core/format";
import type { Machine } from "../../hypervisor/machine";
import type { VirtualMachine } from "../../hypervisor/virtual-machine";

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
