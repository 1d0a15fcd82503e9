/**
 * Playground "io-paths": request size, offered load and VMs sharing the device → throughput,
 * latency and VM exits of each I/O path (lesson 04).
 *
 * Each bar is one run of the I/O discrete-event simulation (io/run.ts, costs in costs/io.ts with
 * their sources): emulated device, virtio, vhost, passthrough and bare metal, the same seeded
 * Poisson arrivals for all. What the reader can explore: with small requests the per-request
 * exits weigh most, with large ones the wire does; past a path's capacity its latency climbs.
 * (The lesson prints what the chart shows from the same rows, never a fixed ordering.)
 */
import { PALETTE } from "../charts/palette";
import type { Figure } from "../charts/figure";
import { IO_PATHS } from "../io/config";
import { runIo } from "../io/run";
import { definePlayground } from "./registry";
import { memoize } from "../experiments/result-cache";

/** Requests each VM sends per run: enough for a stable mean, quick enough to redraw while dragging. */
const REQUESTS_PER_VM = 400;
const SEED = 1;
// One colour per path, from the colour-blind-safe palette (emulated … bare metal).
const COLORS = [PALETTE.vermillion, PALETTE.orange, PALETTE.skyBlue, PALETTE.bluishGreen, PALETTE.blue];

export interface IoPathsParams {
  requestBytes: number;
  offeredLoadKrps: number;
  vmCount: number;
}

/** One bar pair of the chart: a path's throughput, mean latency and exits per request. */
export type IoPathsRow = { path: string; throughputGbps: number; meanLatencyUs: number; exitsPerRequest: number };

/** One run per path for the parameters (seeded, cached: experiments/result-cache.ts). */
export const ioPathsRows: (p: IoPathsParams) => readonly IoPathsRow[] = memoize(
  "playground io-paths",
  (p: IoPathsParams) => [p.requestBytes, p.offeredLoadKrps, p.vmCount],
  (p: IoPathsParams) =>
    IO_PATHS.map((path) => {
      const r = runIo({ path, seed: SEED, requestsPerVm: REQUESTS_PER_VM, requestBytes: p.requestBytes, offeredLoadRps: p.offeredLoadKrps * 1000, vmCount: p.vmCount });
      return { path, throughputGbps: r.throughputGbps, meanLatencyUs: r.latency.meanUs, exitsPerRequest: r.exitsPerRequest };
    }),
);

export function ioPathsFigure(p: IoPathsParams): Figure {
  const rows = ioPathsRows(p);
  // Exits per request go in the category labels: bar-top text this narrow would be shrunk unreadable.
  const x = rows.map((r) => `${r.path}<br>${r.exitsPerRequest.toFixed(1)} exits/req`);
  const maxGbps = Math.max(...rows.map((r) => r.throughputGbps));
  return {
    data: [
      {
        type: "bar", name: "throughput", x, y: rows.map((r) => Number(r.throughputGbps.toFixed(3))),
        text: rows.map((r) => r.throughputGbps.toFixed(2)), textposition: "outside", cliponaxis: false,
        marker: { color: COLORS }, xaxis: "x", yaxis: "y", hovertemplate: "%{x}: %{y} Gbit/s<extra></extra>",
      },
      {
        type: "bar", name: "mean latency", x, y: rows.map((r) => Number(r.meanLatencyUs.toFixed(2))),
        text: rows.map((r) => r.meanLatencyUs.toFixed(r.meanLatencyUs < 100 ? 1 : 0)), textposition: "outside", cliponaxis: false,
        marker: { color: COLORS }, xaxis: "x2", yaxis: "y2", hovertemplate: "%{x}: %{y} µs<extra></extra>",
      },
    ],
    layout: {
      title: { text: `${p.requestBytes.toLocaleString("en-US")}-byte requests, ${p.offeredLoadKrps}k requests/s offered per VM, ${p.vmCount} VM${p.vmCount > 1 ? "s" : ""}` },
      grid: { rows: 1, columns: 2, pattern: "independent" },
      xaxis: { title: { text: "I/O path (and its VM exits per request)" }, domain: [0, 0.46], tickangle: -40, tickfont: { size: 10 }, automargin: true },
      yaxis: { title: { text: "throughput (Gbit/s, all VMs)" }, range: [0, maxGbps * 1.2] },
      xaxis2: { title: { text: "I/O path (and its VM exits per request)" }, domain: [0.56, 1], tickangle: -40, tickfont: { size: 10 }, anchor: "y2", automargin: true },
      yaxis2: { title: { text: "mean latency (µs, log scale)" }, type: "log", anchor: "x2", dtick: 1 },
      showlegend: false,
      margin: { t: 60, r: 20, b: 140 },
    },
  };
}

definePlayground({
  name: "io-paths",
  title: "I/O paths under load: throughput, latency and exits",
  description:
    "Change the request size and the offered load: do small or large requests separate the paths more? Push the load past a path's capacity and watch what its latency does.",
  params: {
    requestBytes: { label: "request size", unit: "bytes", min: 64, max: 65536, step: 1, default: 1500, values: [64, 512, 1500, 4096, 9000, 16384, 65536], help: "payload per request: 1500 is an Ethernet frame, 9000 a jumbo frame, 65536 a large block write" },
    offeredLoadKrps: { label: "offered load per VM", unit: "k requests/s", min: 10, max: 400, step: 1, default: 100, values: [10, 25, 50, 100, 200, 400], help: "Poisson arrivals, the same seed on every path" },
    vmCount: { label: "VMs sharing the device", unit: "VM(s)", min: 1, max: 8, step: 1, default: 1, values: [1, 2, 4, 8], help: "each VM has its own vCPU and its own back end (a QEMU I/O thread or vhost worker); the wire and the IOMMU are shared" },
  },
  run: (p) => ioPathsFigure(p as unknown as IoPathsParams),
});
