/**
 * Sweeps: run several paths over several values of one parameter and return tidy rows (one
 * flat object per run) ready for lineChart/barChart: x = value, y = a metric, color = path.
 */
import { ConfigError, requireOneOf } from "../core/errors";
import { IO_PATHS, type IoPath, type IoRunConfig } from "./config";
import type { IoRunResult } from "./metrics";
import { runIo } from "./run";

/**
 * Parameters a sweep can vary. "loadFraction" sets each path's offered load to that fraction
 * of the path's own capacity (measured by a backlogged run), so paths of very different speed
 * can be compared on one "how close to saturation" axis.
 */
export type IoSweepParameter = "offeredLoadRps" | "loadFraction" | "requestBytes" | "batchSize" | "vmCount" | "ringSize";

/** All sweepable parameters. */
export const IO_SWEEP_PARAMETERS: readonly IoSweepParameter[] = [
  "offeredLoadRps",
  "loadFraction",
  "requestBytes",
  "batchSize",
  "vmCount",
  "ringSize",
];

/** One run of a sweep as a flat row. Latencies in µs, throughput per second of simulated time. */
export interface IoSweepRow {
  /** The path. */
  readonly path: IoPath;
  /** The parameter swept. */
  readonly parameter: IoSweepParameter;
  /** Its value in this run. */
  readonly value: number;
  /** Offered load per VM actually used, requests/s (0 for a backlogged run). */
  readonly offeredLoadRps: number;
  /** Payload bytes per request. */
  readonly requestBytes: number;
  /** Batch size limit. */
  readonly batchSize: number;
  /** VMs sharing the device. */
  readonly vmCount: number;
  /** Completed requests per second. */
  readonly throughputRps: number;
  /** Payload Gbit/s. */
  readonly throughputGbps: number;
  /** Mean latency, µs. */
  readonly meanLatencyUs: number;
  /** Median latency, µs. */
  readonly p50LatencyUs: number;
  /** 99th percentile latency, µs. */
  readonly p99LatencyUs: number;
  /** 99.9th percentile latency, µs. */
  readonly p999LatencyUs: number;
  /** VM exits per request. */
  readonly exitsPerRequest: number;
  /** Interrupts per request. */
  readonly interruptsPerRequest: number;
  /** Doorbells/kicks per request. */
  readonly doorbellsPerRequest: number;
  /** CPU cycles per request, all categories. */
  readonly cyclesPerRequest: number;
  /** Guest cycles per request. */
  readonly guestCyclesPerRequest: number;
  /** World-switch cycles per request. */
  readonly exitCyclesPerRequest: number;
  /** Hypervisor/host cycles per request. */
  readonly deviceModelCyclesPerRequest: number;
  /** Copy cycles per request. */
  readonly copyCyclesPerRequest: number;
  /** Requests completed. */
  readonly completed: number;
}

/** What to sweep. */
export interface IoSweepOptions {
  /** Settings shared by every run (everything but path). Default: the run defaults. */
  readonly base?: Omit<IoRunConfig, "path">;
  /** Paths to run. Default: all five, slowest first. */
  readonly paths?: readonly IoPath[];
  /** The parameter to vary. */
  readonly parameter: IoSweepParameter;
  /** Its values. */
  readonly values: readonly number[];
}

/** Flattens one run into a sweep row. */
export function ioSweepRow(result: IoRunResult, parameter: IoSweepParameter, value: number): IoSweepRow {
  const c = result.config;
  return {
    path: result.path,
    parameter,
    value,
    offeredLoadRps: c.arrivals === "backlog" ? 0 : c.offeredLoadRps,
    requestBytes: c.requestBytes,
    batchSize: c.batchSize,
    vmCount: c.vmCount,
    throughputRps: result.throughputRps,
    throughputGbps: result.throughputGbps,
    meanLatencyUs: result.latency.meanUs,
    p50LatencyUs: result.latency.p50Us,
    p99LatencyUs: result.latency.p99Us,
    p999LatencyUs: result.latency.p999Us,
    exitsPerRequest: result.exitsPerRequest,
    interruptsPerRequest: result.interruptsPerRequest,
    doorbellsPerRequest: result.doorbellsPerRequest,
    cyclesPerRequest: result.cyclesPerRequest.total,
    guestCyclesPerRequest: result.cyclesPerRequest.guest,
    exitCyclesPerRequest: result.cyclesPerRequest.exit,
    deviceModelCyclesPerRequest: result.cyclesPerRequest.deviceModel,
    copyCyclesPerRequest: result.cyclesPerRequest.copy,
    completed: result.requestsCompleted,
  };
}

/**
 * The most requests/s a path sustains with `base` settings: all requests queued at once
 * (a saturating sender), throughput measured. Total over all VMs.
 */
export function ioCapacityRps(config: IoRunConfig): number {
  return runIo({ ...config, arrivals: "backlog", maxTimeNs: undefined }).throughputRps;
}

/**
 * Runs every path at every value of one parameter; returns one row per run, path-major.
 *
 * @example
 *   const rows = sweepIo({ parameter: "offeredLoadRps", values: [50e3, 100e3, 200e3, 400e3] });
 *   lineChart(rows, { x: "value", y: "p99LatencyUs", color: "path", ... })
 */
export function sweepIo(options: IoSweepOptions): IoSweepRow[] {
  const parameter = requireOneOf("parameter", options.parameter, IO_SWEEP_PARAMETERS);
  const paths = options.paths ?? IO_PATHS;
  for (const path of paths) requireOneOf("paths", path, IO_PATHS);
  if (!Array.isArray(options.values) || options.values.length === 0) {
    throw new ConfigError("values", options.values, "a non-empty array of numbers");
  }
  const base = options.base ?? {};
  const rows: IoSweepRow[] = [];
  for (const path of paths) {
    let capacityPerVm = 0;
    if (parameter === "loadFraction") {
      capacityPerVm = ioCapacityRps({ ...base, path }) / (base.vmCount ?? 1);
    }
    for (const value of options.values) {
      let config: IoRunConfig;
      if (parameter === "loadFraction") {
        if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
          throw new ConfigError("values", value, "load fractions above 0 (1 = the path's capacity)");
        }
        config = { ...base, path, arrivals: "poisson", offeredLoadRps: value * capacityPerVm };
      } else if (parameter === "offeredLoadRps") {
        config = { ...base, path, arrivals: "poisson", offeredLoadRps: value };
      } else {
        config = { ...base, path, [parameter]: value };
      }
      rows.push(ioSweepRow(runIo(config), parameter, value));
    }
  }
  return rows;
}
