/**
 * The guest driver process, on each VM's vCPU: requests arrive (Poisson, or all at once for a
 * saturating sender), wait in the guest's queue, and the driver posts up to one batch of them
 * (stack, descriptors: the path model's `post`), then rings the doorbell (`doorbell`: a trap
 * on emulated and virtio paths, a plain MMIO write on passthrough and bare metal).
 *
 * After the doorbell a software path hands the batch to the VM's host back end (backend.ts); a
 * hardware path starts the device's DMA directly (device.ts).
 */
import { queueForBackend } from "./backend";
import { startDeviceDma } from "./device";
import {
  compactFifo,
  REQUEST_IN_FLIGHT,
  REQUEST_QUEUED_IN_GUEST,
  stepDurationNs,
  type IoRunState,
  type IoVmState,
} from "./run-state";
import { IO_PRIORITY_NORMAL, IO_PRIORITY_URGENT } from "./server";

/** A request arrives in the guest's queue. */
export function arrive(s: IoRunState, vm: IoVmState, id: number): void {
  s.requestState[id] = REQUEST_QUEUED_IN_GUEST;
  s.arrivalNs[id] = s.sim.nowNs;
  vm.guestQueue.push(id);
}

/** The arrival process of one VM: a Poisson stream, one scheduled arrival at a time. */
export function scheduleNextArrival(s: IoRunState, vm: IoVmState): void {
  const cfg = s.cfg;
  if (vm.nextArrival >= cfg.requestsPerVm) return;
  const id = vm.index * cfg.requestsPerVm + vm.nextArrival++;
  s.sim.schedule(vm.random.exponential(1e9 / cfg.offeredLoadRps), () => {
    arrive(s, vm, id);
    trySubmit(s, vm);
    scheduleNextArrival(s, vm);
  });
}

/** A saturating sender: every request of the VM is queued at time 0. */
export function arriveAllAtOnce(s: IoRunState, vm: IoVmState): void {
  const perVm = s.cfg.requestsPerVm;
  for (let k = 0; k < perVm; k++) arrive(s, vm, vm.index * perVm + k);
  vm.nextArrival = perVm;
  trySubmit(s, vm);
}

function canPostMore(s: IoRunState, vm: IoVmState): boolean {
  if (vm.inFlight >= s.inFlightLimit) return false;
  return vm.ring === null || vm.ring.canAdd(s.cfg.descriptorsPerRequest);
}

/**
 * The driver posts what is waiting, up to one batch, if there is room; then rings the
 * doorbell. At most one posting job per VM is queued at a time: the batch is formed when the
 * job starts, so it grows with the backlog found then.
 */
export function trySubmit(s: IoRunState, vm: IoVmState): void {
  if (vm.submitPending || vm.guestQueueHead >= vm.guestQueue.length || !canPostMore(s, vm)) return;
  vm.submitPending = true;
  const cfg = s.cfg;
  let batch: number[] = [];
  vm.vcpu.submit(
    IO_PRIORITY_NORMAL,
    () => {
      batch = [];
      while (batch.length < s.batchLimit && vm.guestQueueHead < vm.guestQueue.length && canPostMore(s, vm)) {
        const id = vm.guestQueue[vm.guestQueueHead++]!;
        s.requestState[id] = REQUEST_IN_FLIGHT;
        vm.inFlight++;
        vm.ring?.add(id, cfg.descriptorsPerRequest);
        batch.push(id);
      }
      vm.guestQueueHead = compactFifo(vm.guestQueue, vm.guestQueueHead, 4096);
      s.model.post(s.meter, batch.length, cfg);
      return stepDurationNs(s);
    },
    () => {
      vm.submitPending = false;
      const posted = batch;
      // virtio publishes, then asks the ring whether the device wants a kick; the other
      // drivers always write their doorbell register.
      const ring = vm.ring;
      const ringDoorbell = ring === null ? posted.length > 0 : ring.publishAndCheckKick();
      if (ringDoorbell) {
        s.doorbells++;
        vm.vcpu.submit(
          IO_PRIORITY_URGENT,
          () => {
            s.model.doorbell(s.meter, posted.length, cfg);
            return stepDurationNs(s);
          },
          () => deliverToDevice(s, vm, posted),
        );
      }
      trySubmit(s, vm);
    },
  );
}

/** After the doorbell: software paths wake the back end, hardware paths start DMA. */
function deliverToDevice(s: IoRunState, vm: IoVmState, posted: readonly number[]): void {
  if (vm.backend !== null) {
    if (vm.ring === null) for (const id of posted) vm.handoff.push(id);
    queueForBackend(s, vm.backend, vm);
  } else {
    for (const id of posted) startDeviceDma(s, vm, id);
  }
}
