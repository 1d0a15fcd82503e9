/**
 * The one explicit state of an I/O run, shared by its processes (SimPy style: small actors
 * over one environment, see DESIGN.md):
 *
 *   guest-driver.ts   arrivals, posting and the doorbell, on each VM's vCPU
 *   backend.ts        each VM's host back-end thread on the software paths
 *   device.ts         the physical device: DMA (through the IOMMU on passthrough) and the link
 *   completion.ts     interrupts and the guest's completion handler, on each VM's vCPU
 *   rogue-dma.ts      the isolation probe: DMA aimed at another VM's memory
 *
 * Each process reads and writes only this object and schedules its next step on `sim`; none
 * keeps state of its own, so what a run is at any instant can be read here in one place.
 */
import { Random } from "../core/random";
import type { IoResolvedConfig } from "./config";
import { Iommu, IOMMU_PAGE_BYTES, type IoDmaOutcome, type IoHostMemoryLayout } from "./iommu";
import { IoCostMeter } from "./meter";
import type { IoPathModel } from "./path-model";
import { IoServer } from "./server";
import { IoSimulation } from "./simulation";
import { Virtqueue } from "./virtqueue";

/** Where a request is, in `IoRunState.requestState` (see IoRequestState in metrics.ts). */
export const REQUEST_NOT_ARRIVED = 0;
/** Arrived, waiting in the guest for the driver to post it. */
export const REQUEST_QUEUED_IN_GUEST = 1;
/** Posted to the device side, not yet reclaimed. */
export const REQUEST_IN_FLIGHT = 2;
/** Reclaimed by the guest's completion handler. */
export const REQUEST_COMPLETED = 3;

/** One VM: its vCPU, its queues and the flags its driver and handler keep. */
export interface IoVmState {
  readonly index: number;
  readonly vcpu: IoServer;
  /** This VM's arrival draws (a fork of the run's seed, so VMs do not disturb each other). */
  readonly random: Random;
  /** Requests waiting in the guest (a FIFO with a moving head). */
  readonly guestQueue: number[];
  guestQueueHead: number;
  /** The virtqueue (virtio paths), else null. */
  readonly ring: Virtqueue | null;
  /** Non-virtio software path: requests handed to the back end by the device model. */
  readonly handoff: number[];
  handoffHead: number;
  /** Non-virtio: completed at the device, not yet reclaimed. */
  readonly completedAtDevice: number[];
  /** Requests posted and not yet reclaimed. */
  inFlight: number;
  /** A posting job is queued or running on the vCPU. */
  submitPending: boolean;
  /** A virtual interrupt is pending in the (virtual) APIC. */
  interruptPending: boolean;
  /** Non-virtio: the device may raise an interrupt (not masked by a running handler). */
  deviceInterruptEnabled: boolean;
  /** Non-virtio: when the device last interrupted (ns), for its interrupt moderation. */
  lastDeviceInterruptNs: number;
  /** Non-virtio: an interrupt held back by moderation is scheduled. */
  moderationTimerArmed: boolean;
  /** A re-poll of the completion handler is queued. */
  pollPending: boolean;
  /** The VM waits in its back end's work list. */
  inBackendQueue: boolean;
  /**
   * This VM's host back end (software paths), else null. One per VM, as hypervisors run them:
   * a vhost worker per vhost device (C15), a QEMU I/O thread per VM.
   */
  readonly backend: IoBackendState | null;
  /** How many of this VM's requests have been scheduled to arrive. */
  nextArrival: number;
}

/** A host back-end thread and its round-robin work list of the VMs (queues) it serves. */
export interface IoBackendState {
  readonly server: IoServer;
  readonly work: IoVmState[];
  workHead: number;
  /** A batch is being taken or processed. */
  running: boolean;
  /** No VM had work when the last batch ended: the next batch pays a wake-up. */
  asleep: boolean;
}

/** Everything a run knows. Created once by `createIoRunState`, read by `ioRunResult`. */
export interface IoRunState {
  readonly cfg: IoResolvedConfig;
  readonly model: IoPathModel;
  readonly sim: IoSimulation;
  readonly meter: IoCostMeter;
  readonly nsPerCycle: number;
  /** Requests in the run: vmCount · requestsPerVm; VM v's k-th is v · requestsPerVm + k. */
  readonly total: number;
  readonly requestState: Uint8Array;
  readonly arrivalNs: Float64Array;
  readonly completionNs: Float64Array;
  /** Latency of each completed request in µs, in completion order. */
  readonly latenciesUs: number[];
  completed: number;
  interrupts: number;
  doorbells: number;
  readonly vms: readonly IoVmState[];
  /** The physical link (shared by every VM). */
  readonly link: IoServer;
  /** Requests one VM may have outstanding. */
  readonly inFlightLimit: number;
  /** Most requests posted per doorbell. */
  readonly batchLimit: number;
  /** Time one request occupies the link, ns. */
  readonly wireNs: number;
  /** Host memory split among the VMs (passthrough DMA addresses). */
  readonly memoryLayout: IoHostMemoryLayout;
  /** Distance between two DMA buffers of a VM, whole IOMMU pages. */
  readonly bufferStrideBytes: number;
  /** The IOMMU (passthrough with the IOMMU on), else null. */
  readonly iommu: Iommu | null;
  isolationViolations: number;
  crossVmBlocked: number;
  firstAttempt: IoDmaOutcome | null;
  /** Lets the completion handler wake the driver without importing it (the loop closes here). */
  readonly wakeDriver: (vm: IoVmState) => void;
}

/** Builds the state of a run of `cfg` on `model`: servers, rings, IOMMU domains, empty queues. */
export function createIoRunState(cfg: IoResolvedConfig, model: IoPathModel, wakeDriver: (vm: IoVmState) => void): IoRunState {
  const costs = cfg.costs;
  const sim = new IoSimulation();
  const random = new Random(cfg.seed);
  const total = cfg.vmCount * cfg.requestsPerVm;
  const link = new IoServer(sim, "physical link");
  const inFlightLimit = model.inFlightLimit(cfg);

  // Passthrough: each VM owns a virtual function whose IOMMU domain maps that VM's memory only,
  // a whole number of large IOMMU pages so that the domain can use them (C14).
  const bufferStrideBytes = roundUp(cfg.requestBytes, IOMMU_PAGE_BYTES);
  const memoryLayout: IoHostMemoryLayout = {
    baseAddress: 0x1_0000_0000,
    bytesPerVm: roundUp(Math.max(64 * 1024 * 1024, inFlightLimit * bufferStrideBytes), costs.iommuPageBytes),
    vmCount: cfg.vmCount,
  };
  const iommu = model.usesIommu && cfg.iommu ? new Iommu(costs) : null;
  if (iommu !== null) {
    for (let v = 0; v < cfg.vmCount; v++) {
      iommu.attach(`vf${v}`, v);
      iommu.map(`vf${v}`, 0, memoryLayout.baseAddress + v * memoryLayout.bytesPerVm, memoryLayout.bytesPerVm);
    }
  }

  const vms: IoVmState[] = [];
  for (let v = 0; v < cfg.vmCount; v++) {
    vms.push({
      index: v,
      vcpu: new IoServer(sim, `vCPU of VM ${v}`),
      random: random.fork(),
      guestQueue: [],
      guestQueueHead: 0,
      ring: model.usesVirtqueue ? new Virtqueue(cfg.ringSize, cfg.notificationSuppression) : null,
      handoff: [],
      handoffHead: 0,
      completedAtDevice: [],
      inFlight: 0,
      submitPending: false,
      interruptPending: false,
      deviceInterruptEnabled: true,
      lastDeviceInterruptNs: -Infinity,
      moderationTimerArmed: false,
      pollPending: false,
      inBackendQueue: false,
      backend:
        model.backendName === null
          ? null
          : { server: new IoServer(sim, `${model.backendName} of VM ${v}`), work: [], workHead: 0, running: false, asleep: true },
      nextArrival: 0,
    });
  }

  return {
    cfg,
    model,
    sim,
    meter: new IoCostMeter(),
    nsPerCycle: 1 / costs.cpuClockGhz,
    total,
    requestState: new Uint8Array(total),
    arrivalNs: new Float64Array(total),
    completionNs: new Float64Array(total).fill(-1),
    latenciesUs: [],
    completed: 0,
    interrupts: 0,
    doorbells: 0,
    vms,
    link,
    inFlightLimit,
    batchLimit: model.batchLimit(cfg),
    wireNs: ((cfg.requestBytes + costs.wireOverheadBytes) * 8) / costs.linkGbps,
    memoryLayout,
    bufferStrideBytes,
    iommu,
    isolationViolations: 0,
    crossVmBlocked: 0,
    firstAttempt: null,
    wakeDriver,
  };
}

/** The cycles the path model just charged, as the duration of the step that charged them (ns). */
export function stepDurationNs(s: IoRunState): number {
  return s.meter.takeStepCycles() * s.nsPerCycle;
}

/** Drops the consumed head of a FIFO array once it is most of the array (long runs stay small). */
export function compactFifo(queue: unknown[], head: number, threshold: number): number {
  if (head > threshold && head * 2 > queue.length) {
    queue.splice(0, head);
    return 0;
  }
  return head;
}

function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
}
