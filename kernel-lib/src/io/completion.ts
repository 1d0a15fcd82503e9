/**
 * The completion process, on each VM's vCPU: an interrupt arrives (delivered with exits or
 * posted, the path model's `interruptEntry`), the guest's handler reclaims every completed
 * request (`reclaim`), finishes the interrupt (`interruptExit`: EOI, unmasking) and re-arms.
 * Completions that came in while it ran are handled two ways, as the drivers do:
 *   virtio  the driver re-enables callbacks, sees more used buffers and polls again at once,
 *           without a new interrupt (virtnet_poll), and EVENT_IDX delays the next interrupt;
 *   others  a NIC-like device (e1000, a passthrough VF, bare metal) interrupts again as soon as
 *           the handler unmasks it with completions pending, no sooner than its interrupt
 *           moderation allows (ITR: `costs.deviceInterruptIntervalNs`). Under load this gives
 *           the steady interrupt rate an I/O-intensive guest's core sees (C3: over 150K/s).
 */
import { REQUEST_COMPLETED, stepDurationNs, type IoRunState, type IoVmState } from "./run-state";
import { IO_PRIORITY_INTERRUPT } from "./server";

/**
 * A NIC-like (non-virtio) device has completions for `vm`: it interrupts unless a running handler
 * has it masked, waiting out its moderation interval since the last interrupt if needed.
 */
export function deviceInterrupt(s: IoRunState, vm: IoVmState): void {
  if (!vm.deviceInterruptEnabled || vm.moderationTimerArmed) return;
  const earliestNs = vm.lastDeviceInterruptNs + s.cfg.costs.deviceInterruptIntervalNs;
  if (s.sim.nowNs >= earliestNs) {
    fireDeviceInterrupt(s, vm);
    return;
  }
  vm.moderationTimerArmed = true;
  s.sim.schedule(earliestNs - s.sim.nowNs, () => {
    vm.moderationTimerArmed = false;
    if (vm.deviceInterruptEnabled && vm.completedAtDevice.length > 0) fireDeviceInterrupt(s, vm);
  });
}

function fireDeviceInterrupt(s: IoRunState, vm: IoVmState): void {
  // The device masks itself until the handler re-enables it (ICR/IMC on e1000, MSI-X mask).
  vm.deviceInterruptEnabled = false;
  vm.lastDeviceInterruptNs = s.sim.nowNs;
  raiseInterrupt(s, vm);
}

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

/**
 * Re-enables interrupts. virtio: true if used buffers arrived while handling (poll again, no
 * new interrupt). Other devices: unmasked, they interrupt again for pending completions.
 */
function rearm(s: IoRunState, vm: IoVmState): boolean {
  if (vm.ring !== null) return vm.ring.enableInterrupts(s.cfg.notificationSuppression === "event-idx");
  vm.deviceInterruptEnabled = true;
  if (vm.completedAtDevice.length > 0) deviceInterrupt(s, vm);
  return false;
}
