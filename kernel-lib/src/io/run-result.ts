/**
 * What a finished run reports (IoRunResult, metrics.ts), read from the run's state: counts by
 * request state, per-request rates, cycles by category, resources and who shared them, the
 * virtqueue and IOMMU counters, the isolation report, the optional request log and a summary.
 */
import {
  ioLatencySummary,
  type IoIsolationReport,
  type IoRequestRecord,
  type IoRequestState,
  type IoResourceUse,
  type IoRunResult,
} from "./metrics";
import { REQUEST_COMPLETED, REQUEST_IN_FLIGHT, REQUEST_NOT_ARRIVED, REQUEST_QUEUED_IN_GUEST, type IoRunState } from "./run-state";
import type { IoServer } from "./server";
import { virtqueueLayout, type VirtqueueStats } from "./virtqueue";

/** The result of the run whose state is `s`, which ended at `endNs`. */
export function ioRunResult(s: IoRunState, endNs: number): IoRunResult {
  const { cfg, meter } = s;
  let submitted = 0;
  let queuedInGuest = 0;
  let inFlight = 0;
  for (let i = 0; i < s.total; i++) {
    const state = s.requestState[i]!;
    if (state !== REQUEST_NOT_ARRIVED) submitted++;
    if (state === REQUEST_QUEUED_IN_GUEST) queuedInGuest++;
    else if (state === REQUEST_IN_FLIGHT) inFlight++;
  }
  const completed = s.completed;
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
  const resources = resourceUse(s, durationNs, perRequest);
  const latency = ioLatencySummary(s.latenciesUs);
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
    latenciesUs: s.latenciesUs,
    exitsTotal: meter.exits.total,
    exitsPerRequest,
    exitsPerRequestByCause,
    exitTally: meter.exits,
    cyclesPerRequest,
    interruptsPerRequest: perRequest(s.interrupts),
    doorbellsPerRequest: perRequest(s.doorbells),
    virtqueue: virtqueueReport(s),
    iommu: s.iommu === null ? null : { ...s.iommu.stats },
    isolation: isolationReport(s),
    resources,
    sharedResources: resources.filter((r) => r.shared).map((r) => r.resource),
    requestLog: s.cfg.traceRequests ? requestLog(s) : null,
    summary,
  };
}

function resourceUse(s: IoRunState, durationNs: number, perRequest: (x: number) => number): IoResourceUse[] {
  const vmCount = s.cfg.vmCount;
  const resources: IoResourceUse[] = [];
  const utilization = (server: IoServer) => (durationNs > 0 ? server.busyNs / durationNs : 0);
  for (const vm of s.vms) resources.push({ resource: vm.vcpu.name, kind: "cpu", usedByVms: 1, shared: false, utilization: utilization(vm.vcpu) });
  for (const vm of s.vms) {
    if (vm.backend !== null) resources.push({ resource: vm.backend.server.name, kind: "cpu", usedByVms: 1, shared: false, utilization: utilization(vm.backend.server) });
  }
  resources.push({ resource: s.link.name, kind: "device", usedByVms: vmCount, shared: vmCount > 1, utilization: utilization(s.link) });
  if (s.iommu !== null) {
    resources.push({ resource: "IOMMU", kind: "iommu", usedByVms: vmCount, shared: vmCount > 1, utilization: perRequest(s.iommu.stats.translations) });
  }
  return resources;
}

function virtqueueReport(s: IoRunState): IoRunResult["virtqueue"] {
  if (!s.model.usesVirtqueue) return null;
  const stats: VirtqueueStats = { added: 0, used: 0, kicksSent: 0, kicksSuppressed: 0, interruptsSent: 0, interruptsSuppressed: 0 };
  for (const vm of s.vms) {
    const vmStats = vm.ring!.stats;
    for (const key of Object.keys(stats) as (keyof VirtqueueStats)[]) stats[key] += vmStats[key];
  }
  return { layout: virtqueueLayout(s.cfg.ringSize), stats };
}

function isolationReport(s: IoRunState): IoIsolationReport | null {
  if (s.cfg.path !== "passthrough") return null;
  return {
    iommuEnabled: s.cfg.iommu,
    crossVmDmaAttempts: s.cfg.crossVmDmaAttempts,
    blocked: s.crossVmBlocked,
    isolationViolations: s.isolationViolations,
    faults: s.iommu === null ? [] : s.iommu.faults.slice(),
    firstAttempt: s.firstAttempt,
  };
}

const STATE_NAMES: readonly IoRequestState[] = ["not-arrived", "queued-in-guest", "in-flight", "completed"];

function requestLog(s: IoRunState): IoRequestRecord[] {
  const log: IoRequestRecord[] = [];
  for (let i = 0; i < s.total; i++) {
    const state = s.requestState[i]!;
    log.push({
      id: i,
      vm: Math.floor(i / s.cfg.requestsPerVm),
      arrivalNs: state === REQUEST_NOT_ARRIVED ? null : s.arrivalNs[i]!,
      completionNs: state === REQUEST_COMPLETED ? s.completionNs[i]! : null,
      state: STATE_NAMES[state]!,
    });
  }
  return log;
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
