/**
 * Notebook 04, section 2a (emulation): the registers an emulated device's driver touches, each
 * access a trap; the exits per request by cause; and what one trap costs in the cost model.
 */
import { formatNumber as f } from "../../core/format";
import { defaultIoCosts } from "../../costs/io";
import { IO_EMULATED_DEVICES, type IoEmulatedDevice } from "../../io/config";
import { IO_EMULATED_DEVICE_MODELS } from "../../io/emulated";
import { steadyRun } from "../shared/io-runs";

/** Per emulated device: the registers its driver touches, each access a trap. */
export function registerAccesses(): Record<string, string | number>[] {
  return IO_EMULATED_DEVICES.map((device) => {
    const m = IO_EMULATED_DEVICE_MODELS[device];
    const kind = m.perRequest[0]!.cause === "mmio" ? "MMIO" : "port I/O";
    return {
      device,
      registers: kind,
      "accesses per request": m.perRequest.length,
      "per request": m.perRequest.map((a) => a.register).join(", "),
      "accesses per interrupt": m.perInterrupt.length,
      "per interrupt": m.perInterrupt.map((a) => a.register).join(", "),
      "requests at once": m.queueDepth ?? "ring",
    };
  });
}

/** One bar of the exit breakdown: exits per request of one cause on one device. */
export type ExitRow = {
  /** Emulated device (or path label). */
  device: string;
  /** Exit cause: mmio, pio, interrupt, eoi, virtio-notify. */
  cause: string;
  /** Exits of that cause per completed request. */
  exitsPerRequest: number;
};

/** Exits per request by cause for each emulated device on the steady stream. */
export function exitBreakdown(options: { seed?: number; devices?: readonly IoEmulatedDevice[] } = {}): ExitRow[] {
  const rows: ExitRow[] = [];
  for (const device of options.devices ?? IO_EMULATED_DEVICES) {
    const r = steadyRun({ label: device, config: { path: "emulated", emulatedDevice: device } }, options.seed ?? 1);
    for (const cause of ["mmio", "pio", "interrupt", "eoi"] as const) {
      rows.push({ device, cause, exitsPerRequest: r.exitsPerRequestByCause[cause] ?? 0 });
    }
  }
  return rows;
}

/**
 * What one VM exit costs in the I/O cost model (costs/io.ts, every constant cited there), as
 * markdown: the world switch, the extra switch to a user-space device model, a register access
 * handled by QEMU in all, and a register write on real hardware for comparison.
 */
export function exitCostNotice(): string {
  const c = defaultIoCosts;
  const us = (cycles: number) => f(cycles / (c.cpuClockGhz * 1000));
  const toUser = c.vmExitCycles + c.userSpaceSwitchCycles + c.kernelExitHandlingCycles + c.deviceModelRegisterCycles;
  return (
    `**What one trap costs in the simulator's model** (at ${f(c.cpuClockGhz)} GHz; sources in section 3): leaving the guest and ` +
    `entering it again costs ${f(c.vmExitCycles)} cycles (${us(c.vmExitCycles)} µs). A register access that QEMU's device model ` +
    `handles in user space adds a switch to user space (${f(c.userSpaceSwitchCycles)} cycles), KVM's own handling ` +
    `(${f(c.kernelExitHandlingCycles)}) and the device model's work (${f(c.deviceModelRegisterCycles)}): ${f(toUser)} cycles ` +
    `(${us(toUser)} µs) in all. On real hardware the same register write costs about ${f(c.doorbellWriteCycles)} cycles ` +
    `(the model's assumption for an uncached write to a PCIe device).`
  );
}

/**
 * "What to notice" for the emulated-device exit chart: per device, the exits of register
 * accesses (trapped, most of them handed to the user-space device model) and of the interrupt
 * and its EOI (handled by KVM's in-kernel APIC, never reaching QEMU), from the chart's rows and
 * the devices' register lists.
 */
export function emulatedExitsNotice(rows: readonly ExitRow[]): string {
  const devices = [...new Set(rows.map((r) => r.device))];
  const parts = devices.map((device) => {
    const of = (cause: string) => rows.find((r) => r.device === device && r.cause === cause)?.exitsPerRequest ?? 0;
    const registers = of("mmio") + of("pio");
    const irq = of("interrupt") + of("eoi");
    const m = IO_EMULATED_DEVICE_MODELS[device as IoEmulatedDevice];
    // Interrupts exit once each in these runs, so the "interrupt" rate is the interrupts per request.
    const inKernel = m ? m.perRequest.filter((a) => a.handledIn === "kernel").length + of("interrupt") * m.perInterrupt.filter((a) => a.handledIn === "kernel").length : 0;
    const kind = m ? (m.perRequest[0]!.cause === "mmio" ? "MMIO" : "port I/O") : "register";
    return { device, total: registers + irq, registers, irq, inKernel, kind };
  });
  const list = parts.map((p) => `${p.device} ${f(p.total)}`).join(", ");
  const regs = parts.map((p) => `${p.device} ${f(p.registers)} (${p.kind})`).join(", ");
  const irqs = parts.map((p) => `${p.device} ${f(p.irq)}`).join(", ");
  const kernelOnly = parts.filter((p) => p.inKernel > 0).map((p) => `${p.device}'s ${f(p.inKernel)}`);
  return (
    `**What to notice:** on the steady stream the emulated devices cost ${list} exits per request. They are not all alike. ` +
    `The **register accesses** (${regs}) trap into KVM, which hands them to QEMU's device model in user space: a world switch ` +
    `into the hypervisor and out to a user-space process and back` +
    (kernelOnly.length ? `, except ${kernelOnly.join(", ")} address-port accesses, which the hypervisor's kernel part answers itself (C1)` : "") +
    `. The **interrupt and its EOI** (${irqs}) are exits too, but KVM's in-kernel APIC handles them without ever reaching QEMU.`
  );
}
