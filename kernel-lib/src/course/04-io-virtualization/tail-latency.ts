/**
 * Notebook 04's what-if (the trading firm): latency percentiles of every path on the steady stream.
 */
import { ConfigError } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import { IO_VARIANTS, steadyRun, variantByLabel } from "../shared/io-runs";

/** One bar of the percentile chart. */
export type PercentileRow = {
  /** Variant label. */
  path: string;
  /** "p50", "p99", "p99.9". */
  percentile: string;
  /** Latency at that percentile, µs. */
  latencyUs: number;
};

/** Latency percentiles of every variant on the steady stream. */
export function latencyPercentiles(options: { seed?: number; percentiles?: readonly number[]; variants?: readonly string[] } = {}): PercentileRow[] {
  const percentiles = options.percentiles ?? [50, 99, 99.9];
  const rows: PercentileRow[] = [];
  for (const label of options.variants ?? IO_VARIANTS.map((v) => v.label)) {
    const r = steadyRun(variantByLabel(label), options.seed ?? 1);
    const sorted = Float64Array.from(r.latenciesUs).sort();
    for (const p of percentiles) {
      if (!(p > 0 && p <= 100)) throw new ConfigError("percentiles", p, "numbers above 0 and at most 100");
      rows.push({ path: label, percentile: `p${p}`, latencyUs: sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]! });
    }
  }
  return rows;
}

/** "What to notice" for the percentile chart. */
export function tailSummary(rows: readonly PercentileRow[]): string {
  const at = (path: string, p: string) => {
    const r = rows.find((x) => x.path === path && x.percentile === p);
    if (!r) throw new ConfigError("rows", `${path} ${p}`, "rows from latencyPercentiles with that path and percentile");
    return r.latencyUs;
  };
  const tail = rows.some((r) => r.percentile === "p99.9") ? "p99.9" : "p99";
  const hasMedian = rows.some((r) => r.percentile === "p50");
  const gap = (path: string) => at(path, tail) - at(path, "p50");
  return (
    `**What to notice** (steady stream): at the ${tail} tail an emulated NIC takes ${f(at("emulated", tail))} µs, virtio ${f(at("virtio", tail))} µs, ` +
    `vhost ${f(at("vhost", tail))} µs, passthrough with posted interrupts ${f(at("passthrough + posted", tail))} µs and bare metal ` +
    `${f(at("bare-metal", tail))} µs. ` +
    (hasMedian
      ? `From the median to the tail, latency grows by ${f(gap("emulated"))} µs on the emulated NIC, ${f(gap("vhost"))} µs on vhost and ` +
        `${f(gap("bare-metal"))} µs on bare metal: requests that arrive close together queue behind each other's exits and the shared back end. `
      : "") +
    `For a trading system that difference, on every request all day, is the whole business.`
  );
}
