/**
 * The completion process, on each VM's vCPU: an interrupt arrives (delivered with exits or
 * posted, the path model's `interruptEntry`), the guest's handler reclaims every completed
 * request (`reclaim`), finishes the interrupt (`interruptExit`: EOI, unmasking) and re-arms.
 * Completions that came in while it ran are polled at once, without a new interrupt: NAPI-style
 * coalescing, which is why interrupts per request fall as load rises.
 */
import { REQUEST_COMPLETED, stepDurationNs, type IoRunState, type IoVmState } from "./run-state";
import { IO_PRIORITY_INTERRUPT } from "./server";

/** The device (or the back end, via the used ring) interrupts `vm`. */
export function raiseInterrupt(s: IoRunState, vm: IoVmState): void {
  // A virtual interrupt already pending in the (virtual) APIC is not queued twice.
  if (vm.interruptPending) return;
  vm.interruptPending = true;
  s.interrupts++;
  runHandler(s, vm, true);
}

/** An interrupt handler (`viaInterrupt`) or a repeated poll: reclaim completions, then re-arm. */
function runHandler(s: IoRunState, vm: IoVmState, viaInterrupt: boolean): void {
  const cfg = s.cfg;
  let reclaimed: number[] = [];
  vm.vcpu.submit(
    IO_PRIORITY_INTERRUPT,
    () => {
      if (viaInterrupt) {
        vm.interruptPending = false;
        s.model.interruptEntry(s.meter, cfg);
      } else {
        vm.pollPending = false;
      }
      if (vm.ring !== null) {
        vm.ring.disableInterrupts();
        reclaimed = vm.ring.reclaimUsed();
      } else {
        reclaimed = vm.completedAtDevice.splice(0, vm.completedAtDevice.length);
      }
      s.model.reclaim(s.meter, reclaimed.length, cfg);
      if (viaInterrupt) s.model.interruptExit(s.meter, cfg);
      return stepDurationNs(s);
    },
    () => {
      recordCompletions(s, reclaimed);
      vm.inFlight -= reclaimed.length;
      if (rearm(s, vm) && !vm.pollPending) {
        vm.pollPending = true;
        runHandler(s, vm, false);
      }
      s.wakeDriver(vm);
    },
  );
}

function recordCompletions(s: IoRunState, reclaimed: readonly number[]): void {
  const now = s.sim.nowNs;
  for (const id of reclaimed) {
    s.requestState[id] = REQUEST_COMPLETED;
    s.completionNs[id] = now;
    s.latenciesUs.push((now - s.arrivalNs[id]!) / 1000);
    s.completed++;
  }
}

/** Re-enables interrupts; true if completions arrived while handling (poll again, no new interrupt). */
function rearm(s: IoRunState, vm: IoVmState): boolean {
  if (vm.ring !== null) return vm.ring.enableInterrupts(s.cfg.notificationSuppression === "event-idx");
  vm.deviceInterruptEnabled = true;
  const more = vm.completedAtDevice.length > 0;
  if (more) vm.deviceInterruptEnabled = false;
  return more;
}
