/**
 * The isolation probe of a passthrough run: VM 0's driver, buggy or malicious, programs its
 * device with an address in VM 1's memory, `crossVmDmaAttempts` times during the run. With the
 * IOMMU each write is blocked and logged as a fault; without it each lands in VM 1's memory.
 */
import { ioAssignedDeviceDma } from "./iommu";
import type { IoRunState } from "./run-state";

/** Time between two rogue DMA attempts, ns. */
const ATTEMPT_SPACING_NS = 10_000;

/** Schedules the run's cross-VM DMA attempts (none unless configured). */
export function scheduleRogueDma(s: IoRunState): void {
  const attempts = s.cfg.crossVmDmaAttempts;
  if (attempts === 0) return;
  const layout = s.memoryLayout;
  const victimAddress = layout.baseAddress + layout.bytesPerVm + 0x2000;
  for (let i = 0; i < attempts; i++) {
    s.sim.schedule(i * ATTEMPT_SPACING_NS, () => {
      const outcome = ioAssignedDeviceDma(s.iommu, layout, "vf0", 0, victimAddress, s.cfg.requestBytes, "write", s.sim.nowNs);
      if (outcome.blocked) s.crossVmBlocked++;
      if (outcome.isolationViolated) s.isolationViolations++;
      if (s.firstAttempt === null) {
        const { costNs: _cost, walks: _walks, ...rest } = outcome;
        s.firstAttempt = rest;
      }
    });
  }
}
