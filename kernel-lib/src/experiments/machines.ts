/**
 * Where machines are built: every run and demo gets a fresh simulated machine from here, so the
 * defaults a lesson relies on (host memory, the hypervisor's pool) are set in one place.
 */
import { Machine, type CreateVmOptions, type MachineConfig, type MemoryVirtualizationMode } from "../hypervisor/machine";
import type { VirtualMachine } from "../hypervisor/virtual-machine";

/** Settings of a machine without its mode. */
export type MachineSettings = Omit<MachineConfig, "mode">;

/** A fresh machine in `mode`. */
export function newMachine(mode: MemoryVirtualizationMode, settings: MachineSettings = {}): Machine {
  return new Machine({ ...settings, mode });
}

/** A fresh machine in `mode` with one VM (or, natively, one OS). */
export function machineWithVm(mode: MemoryVirtualizationMode, settings: MachineSettings = {}, vm: CreateVmOptions = {}): { machine: Machine; vm: VirtualMachine } {
  const machine = newMachine(mode, settings);
  return { machine, vm: machine.createVm(vm) };
}

/**
 * TLB geometry of `entries` entries in 4-way sets (fewer ways when there are fewer entries),
 * as the lessons' and playgrounds' TLB-size knobs mean it.
 */
export function fourWayTlb(entries: number): { sets: number; ways: number } {
  return { sets: Math.max(1, entries / 4), ways: Math.min(4, entries) };
}
