/**
 * One run of the I/O simulation: VMs send requests through one path to one shared device.
 *
 * A request's journey (each arrow a step that costs time on some resource):
 *
 *   arrival ──► guest queue ──► [vCPU] post (+ doorbell/kick) ──► [host back-end thread]*
 *      ──► device latency ──► [physical link] (+ IOMMU translation†) ──► completion
 *      ──► [vCPU] interrupt handler reclaims it ── latency = reclaim time − arrival
 *
 *   * software paths only (emulated, virtio, vhost): one thread per VM (QEMU I/O thread, vhost worker)
 *   † passthrough only
 *
 * Each step is one process over the run's state (run-state.ts): guest-driver.ts, backend.ts,
 * device.ts, completion.ts, and rogue-dma.ts for the isolation probe. The path models
 * (emulated.ts, virtio.ts, passthrough.ts, bare-metal.ts) say what each step costs.
 */
import { resolveIoConfig, type IoPath, type IoRunConfig } from "./config";
import { bareMetalPathModel } from "./bare-metal";
import { emulatedPathModel } from "./emulated";
import { arriveAllAtOnce, scheduleNextArrival, trySubmit } from "./guest-driver";
import type { IoRunResult } from "./metrics";
import { passthroughPathModel } from "./passthrough";
import type { IoPathModel } from "./path-model";
import { scheduleRogueDma } from "./rogue-dma";
import { ioRunResult } from "./run-result";
import { createIoRunState } from "./run-state";
import { vhostPathModel, virtioPathModel } from "./virtio";

const MODELS: Readonly<Record<IoPath, IoPathModel>> = {
  emulated: emulatedPathModel,
  virtio: virtioPathModel,
  vhost: vhostPathModel,
  passthrough: passthroughPathModel,
  "bare-metal": bareMetalPathModel,
};

/** The mechanism model of a path (what each step costs), e.g. to list its steps in a notebook. */
export function ioPathModel(path: IoPath): IoPathModel {
  return MODELS[path];
}

/**
 * Runs one configuration and returns its metrics. Deterministic: the same configuration
 * (seed included) gives the same result, byte for byte.
 *
 * @example
 *   const r = runIo({ path: "virtio", offeredLoadRps: 200_000, seed: 7 });
 *   r.throughputGbps; r.latency.p99Us; r.exitsPerRequest; r.cyclesPerRequest.exit
 */
export function runIo(config: IoRunConfig): IoRunResult {
  const cfg = resolveIoConfig(config);
  const s = createIoRunState(cfg, MODELS[cfg.path], (vm) => trySubmit(s, vm));
  scheduleRogueDma(s);
  for (const vm of s.vms) {
    if (cfg.arrivals === "backlog") arriveAllAtOnce(s, vm);
    else scheduleNextArrival(s, vm);
  }
  const endNs = s.sim.run(cfg.maxTimeNs ?? Infinity);
  return ioRunResult(s, endNs);
}
