/**
 * The host back-end process of the software paths (emulated device model's host side, QEMU's
 * virtio back end, a vhost worker): it takes up to `costs.backendBudgetRequests` (a poll budget,
 * Linux's NAPI weight, C13) requests from one VM's
 * ring or hand-off queue, copies them and pushes them through the host stack (the path model's
 * `backend`), starts the device, then serves the next VM with work, round-robin.
 *
 * While it works it keeps the ring's kicks disabled (the driver need not notify a back end
 * that is already polling); when a VM's ring is found empty it re-enables them and checks
 * once more, closing the race a real back end closes too.
 */
import { startDeviceDma } from "./device";
import { compactFifo, stepDurationNs, type IoBackendState, type IoRunState, type IoVmState } from "./run-state";
import { IO_PRIORITY_NORMAL } from "./server";

/** A VM has work for the back end: it joins the work list (once) and the back end is woken. */
export function queueForBackend(s: IoRunState, backend: IoBackendState, vm: IoVmState): void {
  if (!vm.inBackendQueue) {
    vm.inBackendQueue = true;
    backend.work.push(vm);
  }
  pumpBackend(s, backend);
}

function hasBackendWork(vm: IoVmState): boolean {
  return vm.ring !== null ? vm.ring.hasAvailable() : vm.handoffHead < vm.handoff.length;
}

/** Takes the next VM of the work list, if the back end is idle, and serves one batch of it. */
function pumpBackend(s: IoRunState, backend: IoBackendState): void {
  if (backend.running || backend.workHead >= backend.work.length) return;
  backend.running = true;
  const vm = backend.work[backend.workHead++]!;
  if (backend.workHead > 1024) {
    backend.work.splice(0, backend.workHead);
    backend.workHead = 0;
  }
  vm.inBackendQueue = false;
  let taken: number[] = [];
  backend.server.submit(
    IO_PRIORITY_NORMAL,
    () => {
      taken = takeBatch(vm, s.cfg.costs.backendBudgetRequests);
      s.model.backend(s.meter, taken.length, backend.asleep, s.cfg);
      backend.asleep = false;
      return stepDurationNs(s);
    },
    () => {
      for (const id of taken) startDeviceDma(s, vm, id);
      backend.running = false;
      // More published meanwhile (kicks were suppressed): keep polling, round-robin. Else
      // re-enable kicks — and re-check, closing the race a real back end closes too.
      if (hasBackendWork(vm) || (vm.ring !== null && vm.ring.enableNotifications())) {
        if (!vm.inBackendQueue) {
          vm.inBackendQueue = true;
          backend.work.push(vm);
        }
      }
      if (backend.workHead >= backend.work.length) backend.asleep = true;
      pumpBackend(s, backend);
    },
  );
}

/** Up to one budget of requests from the VM's ring (kicks off while busy) or hand-off queue. */
function takeBatch(vm: IoVmState, budget: number): number[] {
  const taken: number[] = [];
  const ring = vm.ring;
  if (ring !== null) {
    // Busy now: the driver need not kick until the ring is found empty again.
    ring.disableNotifications();
    while (taken.length < budget && ring.hasAvailable()) taken.push(ring.popAvailable());
  } else {
    while (taken.length < budget && vm.handoffHead < vm.handoff.length) taken.push(vm.handoff[vm.handoffHead++]!);
    vm.handoffHead = compactFifo(vm.handoff, vm.handoffHead, 4096);
  }
  return taken;
}
