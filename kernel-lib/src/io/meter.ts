/**
 * Where the CPU cycles go: every mechanism of a path charges its cycles to one of four
 * categories, and every VM exit is recorded in the shared VmExitTally by cause.
 *
 *   guest        work the guest (or bare-metal OS) does anyway: stack, driver, interrupt handler
 *   exit         world switches: VM exit + entry, and the extra trip out to a user-space process
 *   deviceModel  hypervisor/host work on the guest's behalf: exit handling, device emulation,
 *                back-end threads, host network stack, interrupt injection
 *   copy         moving payload bytes between guest and host buffers with the CPU
 */
import { VmExitTally, type VmExitCause } from "../hypervisor/vm-exit";

/** The four categories CPU cycles are split into. */
export type IoCycleCategory = "guest" | "exit" | "deviceModel" | "copy";

/** Accumulates cycles by category and exits by cause; also measures the current step. */
export class IoCostMeter {
  /** Cycles of guest (or bare-metal OS) work. */
  guestCycles = 0;
  /** Cycles of world switches (VM exit + entry, user-space switches). */
  exitCycles = 0;
  /** Cycles of hypervisor/host work on the guest's behalf. */
  deviceModelCycles = 0;
  /** Cycles spent copying payload. */
  copyCycles = 0;
  /** Exits by cause; an exit's cycles there include its handling (switch + handling). */
  readonly exits = new VmExitTally();
  private stepCycles = 0;

  /** Charges guest work. */
  guest(cycles: number): void {
    this.guestCycles += cycles;
    this.stepCycles += cycles;
  }

  /** Charges hypervisor/host work. */
  deviceModel(cycles: number): void {
    this.deviceModelCycles += cycles;
    this.stepCycles += cycles;
  }

  /** Charges a CPU copy. */
  copy(cycles: number): void {
    this.copyCycles += cycles;
    this.stepCycles += cycles;
  }

  /**
   * Records one VM exit: `switchCycles` (world switch, user-space trip) go to "exit",
   * `handlingCycles` (the hypervisor's work on it) to "deviceModel".
   */
  exit(cause: VmExitCause, switchCycles: number, handlingCycles: number): void {
    this.exits.record(cause, switchCycles + handlingCycles);
    this.exitCycles += switchCycles;
    this.deviceModelCycles += handlingCycles;
    this.stepCycles += switchCycles + handlingCycles;
  }

  /** Cycles charged since the last call (the length of the step that just ran), and restarts the count. */
  takeStepCycles(): number {
    const cycles = this.stepCycles;
    this.stepCycles = 0;
    return cycles;
  }
}
