/**
 * The emulated device path: the guest runs an ordinary driver for a well-known device (an
 * Intel e1000 NIC, an IDE disk controller, an AMD Lance NIC) and the hypervisor pretends to be
 * that device. The device's registers are not real: every access the driver makes traps (a VM
 * exit) into the hypervisor's device model, which may hand it on to a user-space device
 * process (QEMU) — paying the user-space switch (B11: 6,732 vs 2,565 cycles). Completions come
 * back as injected virtual interrupts; the handler reads and writes more registers (more exits)
 * and its EOI traps again.
 *
 * Which registers each driver touches (no authoritative per-packet count exists, C11; these
 * lists follow the devices' programming models and C1's Lance structure):
 *   e1000  transmit: one TDT (tail) write per request — the classic e1000 driver rang the
 *          doorbell per packet; interrupt: read ICR, write IMC (mask), write IMS (unmask). MMIO.
 *   ide    per request: sector count, LBA low/mid/high, drive, command, bus-master start (7 OUTs);
 *          interrupt: read status, stop bus master. Port I/O; one command at a time (depth 1).
 *   lance  per request: three (address port, data port) pairs; address-port accesses are handled
 *          inside the hypervisor's kernel part, data-port accesses go to the user-level device
 *          process (C1); interrupt: read CSR0 and acknowledge it (two more pairs). Port I/O.
 */
import type { VmExitCause } from "../hypervisor/vm-exit";
import type { IoEmulatedDevice, IoResolvedConfig } from "./config";
import type { IoCostMeter } from "./meter";
import {
  chargeGuestPost,
  chargeGuestReclaim,
  chargeVirtualEoi,
  chargeVirtualInterruptDelivery,
  type IoPathModel,
} from "./path-model";

/** One guest access to an emulated device register. */
export interface IoRegisterAccess {
  /** Register name, e.g. "TDT" or "ICR". */
  readonly register: string;
  /** "mmio" (memory-mapped register) or "pio" (IN/OUT port): the exit cause it produces. */
  readonly cause: Extract<VmExitCause, "mmio" | "pio">;
  /** "kernel": always handled inside the hypervisor (Lance address port, C1); "device-model": wherever the device model runs. */
  readonly handledIn: "kernel" | "device-model";
}

/** The register accesses an emulated device's driver makes. */
export interface IoEmulatedDeviceModel {
  /** Device name. */
  readonly device: IoEmulatedDevice;
  /** Accesses per request posted. */
  readonly perRequest: readonly IoRegisterAccess[];
  /** Accesses per interrupt handled. */
  readonly perInterrupt: readonly IoRegisterAccess[];
  /** Requests the device accepts at once (null: the configured ring size). */
  readonly queueDepth: number | null;
}

const mmio = (register: string): IoRegisterAccess => ({ register, cause: "mmio", handledIn: "device-model" });
const pio = (register: string, handledIn: IoRegisterAccess["handledIn"] = "device-model"): IoRegisterAccess => ({
  register,
  cause: "pio",
  handledIn,
});

/** The register-access lists of the emulated devices (see the file comment). */
export const IO_EMULATED_DEVICE_MODELS: Readonly<Record<IoEmulatedDevice, IoEmulatedDeviceModel>> = {
  e1000: {
    device: "e1000",
    perRequest: [mmio("TDT")],
    perInterrupt: [mmio("ICR"), mmio("IMC"), mmio("IMS")],
    queueDepth: null,
  },
  ide: {
    device: "ide",
    perRequest: [
      pio("sector count"),
      pio("LBA low"),
      pio("LBA mid"),
      pio("LBA high"),
      pio("drive/head"),
      pio("command"),
      pio("bus-master start"),
    ],
    perInterrupt: [pio("status"), pio("bus-master stop")],
    queueDepth: 1,
  },
  lance: {
    device: "lance",
    perRequest: [
      pio("RAP (descriptor)", "kernel"),
      pio("RDP (descriptor)"),
      pio("RAP (CSR0)", "kernel"),
      pio("RDP (buffer)"),
      pio("RAP (CSR0)", "kernel"),
      pio("RDP (transmit demand)"),
    ],
    perInterrupt: [pio("RAP (CSR0)", "kernel"), pio("RDP (read CSR0)"), pio("RAP (CSR0)", "kernel"), pio("RDP (ack)")],
    queueDepth: null,
  },
};

function chargeAccesses(meter: IoCostMeter, accesses: readonly IoRegisterAccess[], config: IoResolvedConfig): void {
  const c = config.costs;
  for (const access of accesses) {
    const toUser = access.handledIn === "device-model" && config.deviceModelIn === "user";
    meter.exit(
      access.cause,
      c.vmExitCycles + (toUser ? c.userSpaceSwitchCycles : 0),
      c.kernelExitHandlingCycles + c.deviceModelRegisterCycles,
    );
  }
}

/** The emulated-device path. */
export const emulatedPathModel: IoPathModel = {
  path: "emulated",
  backendName: "QEMU device-model thread (host user space)",
  usesVirtqueue: false,
  usesIommu: false,
  inFlightLimit: (config) => IO_EMULATED_DEVICE_MODELS[config.emulatedDevice].queueDepth ?? config.ringSize,
  // The emulated drivers ring the doorbell per request: batching is what virtio adds.
  batchLimit: () => 1,
  post: chargeGuestPost,
  doorbell(meter, n, config) {
    // The register writes trap; the device model then emulates the transmit synchronously,
    // on the vCPU's time (the vCPU waits in the exit until the device model returns).
    const device = IO_EMULATED_DEVICE_MODELS[config.emulatedDevice];
    for (let i = 0; i < n; i++) chargeAccesses(meter, device.perRequest, config);
    meter.deviceModel(n * config.costs.emulatedTransmitCycles);
  },
  backend(meter, n, woke, config) {
    const c = config.costs;
    if (woke) meter.deviceModel(c.kernelBackendWakeCycles);
    // The device model copied the payload out of guest memory and writes it to the host (one syscall).
    meter.copy(n * config.requestBytes * c.copyCyclesPerByte);
    meter.deviceModel(n * (c.syscallCycles + c.hostStackCyclesPerRequest));
  },
  interruptEntry(meter, config) {
    chargeVirtualInterruptDelivery(meter, config, false);
    chargeAccesses(meter, IO_EMULATED_DEVICE_MODELS[config.emulatedDevice].perInterrupt, config);
  },
  reclaim: chargeGuestReclaim,
  interruptExit: chargeVirtualEoi,
};
