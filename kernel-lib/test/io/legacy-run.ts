// TEMPORARY: the monolithic runIo as it was before the process rewrite (issue 11), kept only
// so that the equivalence property test can compare the two. Deleted once the test passes.
/**
 * One run of the I/O simulation: VMs send requests through one path to one shared device.
 *
 * A request's journey (each arrow a step that costs time on some resource):
 *
 *   arrival ──► guest queue ──► [vCPU] post (+ doorbell/kick) ──► [host back-end thread]*
 *      ──► device latency ──► [physical link] (+ IOMMU translation†) ──► completion
 *      ──► [vCPU] interrupt handler reclaims it ── latency = reclaim time − arrival
 *
 *   * software paths only (emulated, virtio, vhost): one thread shared by every VM
 *   † passthrough only
 *
 * Each VM has its own vCPU; the back-end thread, the link and the IOMMU are shared. The path
 * models (emulated.ts, virtio.ts, passthrough.ts, bare-metal.ts) say what each step costs.
 */
import { Random } from "../../src/core/random";
import { resolveIoConfig, type IoPath, type IoRunConfig } from "../../src/io/config";
import { bareMetalPathModel } from "../../src/io/bare-metal";
import { emulatedPathModel } from "../../src/io/emulated";
import { Iommu, ioAssignedDeviceDma, IOMMU_PAGE_BYTES, type IoDmaOutcome, type IoHostMemoryLayout } from "../../src/io/iommu";
import { IoCostMeter } from "../../src/io/meter";
import {
  ioLatencySummary,
  type IoIsolationReport,
  type IoRequestRecord,
  type IoRequestState,
  type IoResourceUse,
  type IoRunResult,
} from "../../src/io/metrics";
import { passthroughPathModel } from "../../src/io/passthrough";
import type { IoPathModel } from "../../src/io/path-model";
import { IO_PRIORITY_INTERRUPT, IO_PRIORITY_NORMAL, IO_PRIORITY_URGENT, IoServer } from "../../src/io/server";
import { IoSimulation } from "../../src/io/simulation";
import { vhostPathModel, virtioPathModel } from "../../src/io/virtio";
import { Virtqueue, virtqueueLayout, type VirtqueueStats } from "../../src/io/virtqueue";

const MODELS: Readonly<Record<IoPath, IoPathModel>> = {
  emulated: emulatedPathModel,
  virtio: virtioPathModel,
  vhost: vhostPathModel,
  passthrough: passthroughPathModel,
  "bare-metal": bareMetalPathModel,
};

// Request states in the run's state array.
const NOT_ARRIVED = 0;
const QUEUED_IN_GUEST = 1;
const IN_FLIGHT = 2;
const COMPLETED = 3;

/** The most requests a back-end thread takes from one VM before serving the next (vhost's quota, NAPI's weight). */
const BACKEND_BUDGET = 64;

interface VmState {
  readonly index: number;
  readonly vcpu: IoServer;
  readonly random: Random;
  /** Requests waiting in the guest (a FIFO with a moving head). */
  readonly guestQueue: number[];
  guestQueueHead: number;
  readonly ring: Virtqueue | null;
  /** Non-virtio: requests handed to the back end by the device model. */
  readonly handoff: number[];
  handoffHead: number;
  /** Non-virtio: completed at the device, not yet reclaimed. */
  readonly completedAtDevice: number[];
  inFlight: number;
  submitPending: boolean;
  interruptPending: boolean;
  /** Non-virtio: the device may raise an interrupt (not masked by a running handler). */
  deviceInterruptEnabled: boolean;
  pollPending: boolean;
  inBackendQueue: boolean;
  nextArrival: number;
}

/**
 * Runs one configuration and returns its metrics. Deterministic: the same configuration
 * (seed included) gives the same result, byte for byte.
 *
 * @example
 *   const r = runIo({ path: "virtio", offeredLoadRps: 200_000, seed: 7 });
 *   r.throughputGbps; r.latency.p99Us; r.exitsPerRequest; r.cyclesPerRequest.exit
 */
export function legacyRunIo(config: IoRunConfig): IoRunResult {
  const cfg = resolveIoConfig(config);
  const model = MODELS[cfg.path];
  const costs = cfg.costs;
  const nsPerCycle = 1 / costs.cpuClockGhz;
  const sim = new IoSimulation();
  const meter = new IoCostMeter();
  const random = new Random(cfg.seed);

  const total = cfg.vmCount * cfg.requestsPerVm;
  const state = new Uint8Array(total);
  const arrivalNs = new Float64Array(total);
  const completionNs = new Float64Array(total).fill(-1);
  const latenciesUs: number[] = [];
  let completed = 0;
  let interrupts = 0;
  let doorbells = 0;

  const link = new IoServer(sim, "physical link");
  const backend = model.backendName === null ? null : new IoServer(sim, model.backendName);
  const inFlightLimit = model.inFlightLimit(cfg);
  const batchLimit = model.batchLimit(cfg);
  const wireNs = ((cfg.requestBytes + costs.wireOverheadBytes) * 8) / costs.linkGbps;

  // Passthrough: each VM owns a virtual function whose IOMMU domain maps that VM's memory only.
  const bufferStrideBytes = Math.ceil(cfg.requestBytes / IOMMU_PAGE_BYTES) * IOMMU_PAGE_BYTES;
  const memoryLayout: IoHostMemoryLayout = {
    baseAddress: 0x1_0000_0000,
    bytesPerVm: Math.max(64 * 1024 * 1024, inFlightLimit * bufferStrideBytes),
    vmCount: cfg.vmCount,
  };
  const iommu = model.usesIommu && cfg.iommu ? new Iommu(costs) : null;
  if (iommu !== null) {
    for (let v = 0; v < cfg.vmCount; v++) {
      iommu.attach(`vf${v}`, v);
      iommu.map(`vf${v}`, 0, memoryLayout.baseAddress + v * memoryLayout.bytesPerVm, memoryLayout.bytesPerVm);
    }
  }
  let isolationViolations = 0;
  let crossVmBlocked = 0;
  let firstAttempt: IoDmaOutcome | null = null;

  const vms: VmState[] = [];
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
      pollPending: false,
      inBackendQueue: false,
      nextArrival: 0,
    });
  }

  // ---- guest side: arrivals and posting ------------------------------------------------------

  function arrive(vm: VmState, id: number): void {
    state[id] = QUEUED_IN_GUEST;
    arrivalNs[id] = sim.nowNs;
    vm.guestQueue.push(id);
  }

  function scheduleNextArrival(vm: VmState): void {
    if (vm.nextArrival >= cfg.requestsPerVm) return;
    const id = vm.index * cfg.requestsPerVm + vm.nextArrival++;
    sim.schedule(vm.random.exponential(1e9 / cfg.offeredLoadRps), () => {
      arrive(vm, id);
      trySubmit(vm);
      scheduleNextArrival(vm);
    });
  }

  function canPostMore(vm: VmState): boolean {
    if (vm.inFlight >= inFlightLimit) return false;
    return vm.ring === null || vm.ring.canAdd(cfg.descriptorsPerRequest);
  }

  /** The driver posts what is waiting, up to one batch, if there is room; then rings the doorbell. */
  function trySubmit(vm: VmState): void {
    if (vm.submitPending || vm.guestQueueHead >= vm.guestQueue.length || !canPostMore(vm)) return;
    vm.submitPending = true;
    let batch: number[] = [];
    vm.vcpu.submit(
      IO_PRIORITY_NORMAL,
      () => {
        batch = [];
        while (batch.length < batchLimit && vm.guestQueueHead < vm.guestQueue.length && canPostMore(vm)) {
          const id = vm.guestQueue[vm.guestQueueHead++]!;
          state[id] = IN_FLIGHT;
          vm.inFlight++;
          vm.ring?.add(id, cfg.descriptorsPerRequest);
          batch.push(id);
        }
        compactGuestQueue(vm);
        model.post(meter, batch.length, cfg);
        return meter.takeStepCycles() * nsPerCycle;
      },
      () => {
        vm.submitPending = false;
        const posted = batch;
        // virtio publishes, then asks the ring whether the device wants a kick; the other
        // drivers always write their doorbell register.
        const ring = vm.ring;
        const ringDoorbell = ring === null ? posted.length > 0 : ring.publishAndCheckKick();
        if (ringDoorbell) {
          doorbells++;
          vm.vcpu.submit(
            IO_PRIORITY_URGENT,
            () => {
              model.doorbell(meter, posted.length, cfg);
              return meter.takeStepCycles() * nsPerCycle;
            },
            () => deliverToDevice(vm, posted),
          );
        }
        trySubmit(vm);
      },
    );
  }

  function compactGuestQueue(vm: VmState): void {
    if (vm.guestQueueHead > 4096 && vm.guestQueueHead * 2 > vm.guestQueue.length) {
      vm.guestQueue.splice(0, vm.guestQueueHead);
      vm.guestQueueHead = 0;
    }
  }

  /** After the doorbell: software paths wake the back end, hardware paths start DMA. */
  function deliverToDevice(vm: VmState, posted: readonly number[]): void {
    if (backend !== null) {
      if (vm.ring === null) for (const id of posted) vm.handoff.push(id);
      queueForBackend(vm);
    } else {
      for (const id of posted) startDeviceDma(vm, id);
    }
  }

  // ---- host back end (software paths) ------------------------------------------------------

  const backendWork: VmState[] = [];
  let backendWorkHead = 0;
  let backendRunning = false;
  let backendAsleep = true;

  function queueForBackend(vm: VmState): void {
    if (!vm.inBackendQueue) {
      vm.inBackendQueue = true;
      backendWork.push(vm);
    }
    pumpBackend();
  }

  function hasBackendWork(vm: VmState): boolean {
    return vm.ring !== null ? vm.ring.hasAvailable() : vm.handoffHead < vm.handoff.length;
  }

  function pumpBackend(): void {
    if (backend === null || backendRunning || backendWorkHead >= backendWork.length) return;
    backendRunning = true;
    const vm = backendWork[backendWorkHead++]!;
    if (backendWorkHead > 1024) {
      backendWork.splice(0, backendWorkHead);
      backendWorkHead = 0;
    }
    vm.inBackendQueue = false;
    let taken: number[] = [];
    backend.submit(
      IO_PRIORITY_NORMAL,
      () => {
        taken = [];
        const ring = vm.ring;
        if (ring !== null) {
          // Busy now: the driver need not kick until the ring is found empty again.
          ring.disableNotifications();
          while (taken.length < BACKEND_BUDGET && ring.hasAvailable()) taken.push(ring.popAvailable());
        } else {
          while (taken.length < BACKEND_BUDGET && vm.handoffHead < vm.handoff.length) taken.push(vm.handoff[vm.handoffHead++]!);
          if (vm.handoffHead > 4096 && vm.handoffHead * 2 > vm.handoff.length) {
            vm.handoff.splice(0, vm.handoffHead);
            vm.handoffHead = 0;
          }
        }
        model.backend(meter, taken.length, backendAsleep, cfg);
        backendAsleep = false;
        return meter.takeStepCycles() * nsPerCycle;
      },
      () => {
        for (const id of taken) startDeviceDma(vm, id);
        backendRunning = false;
        // More published meanwhile (kicks were suppressed): keep polling, round-robin. Else
        // re-enable kicks — and re-check, closing the race a real back end closes too.
        if (hasBackendWork(vm) || (vm.ring !== null && vm.ring.enableNotifications())) {
          if (!vm.inBackendQueue) {
            vm.inBackendQueue = true;
            backendWork.push(vm);
          }
        }
        if (backendWorkHead >= backendWork.length) backendAsleep = true;
        pumpBackend();
      },
    );
  }

  // ---- the physical device ------------------------------------------------------------------

  function startDeviceDma(vm: VmState, id: number): void {
    // The device fetches the descriptor and the data over PCIe (a fixed latency), then moves
    // the request onto the link. With an IOMMU each DMA address is translated first, and the
    // device's DMA engine waits for the translation: an IOTLB miss (a walk of the I/O page
    // table) occupies the device, so a small IOTLB costs throughput, not only latency.
    sim.schedule(costs.deviceLatencyNs, () => {
      link.submit(
        IO_PRIORITY_NORMAL,
        () => {
          if (iommu === null) return wireNs;
          const slot = id % inFlightLimit;
          const dma = ioAssignedDeviceDma(iommu, memoryLayout, `vf${vm.index}`, vm.index, slot * bufferStrideBytes, cfg.requestBytes, "read", sim.nowNs);
          return wireNs + dma.costNs;
        },
        () => deviceCompleted(vm, id),
      );
    });
  }

  function deviceCompleted(vm: VmState, id: number): void {
    if (vm.ring !== null) {
      if (vm.ring.pushUsedAndCheckInterrupt(id)) raiseInterrupt(vm);
    } else {
      vm.completedAtDevice.push(id);
      if (vm.deviceInterruptEnabled) {
        // The device masks itself until the handler re-enables it (ICR/IMC on e1000, MSI-X mask).
        vm.deviceInterruptEnabled = false;
        raiseInterrupt(vm);
      }
    }
  }

  // ---- completions: interrupts and polling on the vCPU ---------------------------------------

  function raiseInterrupt(vm: VmState): void {
    // A virtual interrupt already pending in the (virtual) APIC is not queued twice.
    if (vm.interruptPending) return;
    vm.interruptPending = true;
    interrupts++;
    runHandler(vm, true);
  }

  /** An interrupt handler (`viaInterrupt`) or a repeated poll: reclaim completions, then re-arm. */
  function runHandler(vm: VmState, viaInterrupt: boolean): void {
    let reclaimed: number[] = [];
    vm.vcpu.submit(
      IO_PRIORITY_INTERRUPT,
      () => {
        if (viaInterrupt) {
          vm.interruptPending = false;
          model.interruptEntry(meter, cfg);
        } else {
          vm.pollPending = false;
        }
        if (vm.ring !== null) {
          vm.ring.disableInterrupts();
          reclaimed = vm.ring.reclaimUsed();
        } else {
          reclaimed = vm.completedAtDevice.splice(0, vm.completedAtDevice.length);
        }
        model.reclaim(meter, reclaimed.length, cfg);
        if (viaInterrupt) model.interruptExit(meter, cfg);
        return meter.takeStepCycles() * nsPerCycle;
      },
      () => {
        const now = sim.nowNs;
        for (const id of reclaimed) {
          state[id] = COMPLETED;
          completionNs[id] = now;
          latenciesUs.push((now - arrivalNs[id]!) / 1000);
          completed++;
        }
        vm.inFlight -= reclaimed.length;
        // Re-arm: if completions arrived while handling, poll again without a new interrupt.
        let more: boolean;
        if (vm.ring !== null) {
          more = vm.ring.enableInterrupts(cfg.notificationSuppression === "event-idx");
        } else {
          vm.deviceInterruptEnabled = true;
          more = vm.completedAtDevice.length > 0;
          if (more) vm.deviceInterruptEnabled = false;
        }
        if (more && !vm.pollPending) {
          vm.pollPending = true;
          runHandler(vm, false);
        }
        trySubmit(vm);
      },
    );
  }

  // ---- rogue DMA (isolation demonstration) ----------------------------------------------------

  if (cfg.crossVmDmaAttempts > 0) {
    const spacingNs = 10_000;
    const victimAddress = memoryLayout.baseAddress + memoryLayout.bytesPerVm + 0x2000;
    for (let i = 0; i < cfg.crossVmDmaAttempts; i++) {
      sim.schedule(i * spacingNs, () => {
        // VM 0's driver programs its device with an address of VM 1's memory.
        const outcome = ioAssignedDeviceDma(iommu, memoryLayout, "vf0", 0, victimAddress, cfg.requestBytes, "write", sim.nowNs);
        if (outcome.blocked) crossVmBlocked++;
        if (outcome.isolationViolated) isolationViolations++;
        if (firstAttempt === null) {
          const { costNs: _c, ...rest } = outcome;
          firstAttempt = rest;
        }
      });
    }
  }

  // ---- run -----------------------------------------------------------------------------------

  for (const vm of vms) {
    if (cfg.arrivals === "backlog") {
      for (let k = 0; k < cfg.requestsPerVm; k++) arrive(vm, vm.index * cfg.requestsPerVm + k);
      vm.nextArrival = cfg.requestsPerVm;
      trySubmit(vm);
    } else {
      scheduleNextArrival(vm);
    }
  }
  const endNs = sim.run(cfg.maxTimeNs ?? Infinity);

  return buildResult();

  function buildResult(): IoRunResult {
    let submitted = 0;
    let queuedInGuest = 0;
    let inFlight = 0;
    for (let i = 0; i < total; i++) {
      const s = state[i]!;
      if (s !== NOT_ARRIVED) submitted++;
      if (s === QUEUED_IN_GUEST) queuedInGuest++;
      else if (s === IN_FLIGHT) inFlight++;
    }
    const perRequest = (x: number) => (completed === 0 ? 0 : x / completed);
    const durationNs = endNs;
    const throughputRps = durationNs > 0 ? (completed * 1e9) / durationNs : 0;
    const exitsPerRequestByCause: Record<string, number> = {};
    for (const [cause, count] of Object.entries(meter.exits.byCause())) exitsPerRequestByCause[cause] = perRequest(count ?? 0);
    const cyclesPerRequest = {
      guest: perRequest(meter.guestCycles),
      exit: perRequest(meter.exitCycles),
      deviceModel: perRequest(meter.deviceModelCycles),
      copy: perRequest(meter.copyCycles),
      total: perRequest(meter.guestCycles + meter.exitCycles + meter.deviceModelCycles + meter.copyCycles),
    };

    const resources: IoResourceUse[] = [];
    const utilization = (server: IoServer) => (durationNs > 0 ? server.busyNs / durationNs : 0);
    for (const vm of vms) resources.push({ resource: vm.vcpu.name, kind: "cpu", usedByVms: 1, shared: false, utilization: utilization(vm.vcpu) });
    if (backend !== null) {
      resources.push({ resource: backend.name, kind: "cpu", usedByVms: cfg.vmCount, shared: cfg.vmCount > 1, utilization: utilization(backend) });
    }
    resources.push({ resource: link.name, kind: "device", usedByVms: cfg.vmCount, shared: cfg.vmCount > 1, utilization: utilization(link) });
    if (iommu !== null) {
      resources.push({ resource: "IOMMU", kind: "iommu", usedByVms: cfg.vmCount, shared: cfg.vmCount > 1, utilization: perRequest(iommu.stats.translations) });
    }

    let virtqueue: IoRunResult["virtqueue"] = null;
    if (model.usesVirtqueue) {
      const stats: VirtqueueStats = { added: 0, used: 0, kicksSent: 0, kicksSuppressed: 0, interruptsSent: 0, interruptsSuppressed: 0 };
      for (const vm of vms) {
        const s = vm.ring!.stats;
        for (const key of Object.keys(stats) as (keyof VirtqueueStats)[]) stats[key] += s[key];
      }
      virtqueue = { layout: virtqueueLayout(cfg.ringSize), stats };
    }

    let isolation: IoIsolationReport | null = null;
    if (cfg.path === "passthrough") {
      isolation = {
        iommuEnabled: cfg.iommu,
        crossVmDmaAttempts: cfg.crossVmDmaAttempts,
        blocked: crossVmBlocked,
        isolationViolations,
        faults: iommu === null ? [] : iommu.faults.slice(),
        firstAttempt,
      };
    }

    let requestLog: IoRequestRecord[] | null = null;
    if (cfg.traceRequests) {
      const names: IoRequestState[] = ["not-arrived", "queued-in-guest", "in-flight", "completed"];
      requestLog = [];
      for (let i = 0; i < total; i++) {
        const s = state[i]!;
        requestLog.push({
          id: i,
          vm: Math.floor(i / cfg.requestsPerVm),
          arrivalNs: s === NOT_ARRIVED ? null : arrivalNs[i]!,
          completionNs: s === COMPLETED ? completionNs[i]! : null,
          state: names[s]!,
        });
      }
    }

    const latency = ioLatencySummary(latenciesUs);
    const exitsPerRequest = perRequest(meter.exits.total);
    const throughputGbps = (throughputRps * cfg.requestBytes * 8) / 1e9;
    const summary =
      `${cfg.path}: ${completed}/${submitted} requests of ${cfg.requestBytes} B, ` +
      `${fmt(throughputRps / 1000)}k req/s (${fmt(throughputGbps)} Gbit/s), ` +
      `latency p50 ${fmt(latency.p50Us)} µs p99 ${fmt(latency.p99Us)} µs, ` +
      `${fmt(exitsPerRequest)} exits/request, ${fmt(cyclesPerRequest.total)} cycles/request`;

    return {
      config: cfg,
      path: cfg.path,
      requestsSubmitted: submitted,
      requestsCompleted: completed,
      requestsQueuedInGuest: queuedInGuest,
      requestsInFlight: inFlight,
      durationNs,
      throughputRps,
      throughputGbps,
      latency,
      latenciesUs,
      exitsTotal: meter.exits.total,
      exitsPerRequest,
      exitsPerRequestByCause,
      exitTally: meter.exits,
      cyclesPerRequest,
      interruptsPerRequest: perRequest(interrupts),
      doorbellsPerRequest: perRequest(doorbells),
      virtqueue,
      iommu: iommu === null ? null : { ...iommu.stats },
      isolation,
      resources,
      sharedResources: resources.filter((r) => r.shared).map((r) => r.resource),
      requestLog,
      summary,
    };
  }
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
