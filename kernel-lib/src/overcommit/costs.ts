/**
 * Cycle costs of overcommit's mechanisms, each with its source (rows O1–O8 of
 * docs/virtualization-figures.md). Disk and memory latencies are in nanoseconds in their
 * sources; they become cycles at the clock of the CPU the VM-exit cost (figure B7) was measured
 * on, 2.93 GHz (Xeon X5570), so that every cycle in a run belongs to one machine. Values marked
 * ASSUMPTION are not from a measurement: change them per experiment (`overcommitCostModel`).
 */
import { ConfigError, requireNumber } from "../core/errors";

/** Cycle costs of overcommit (see the row ids in docs/virtualization-figures.md). */
export interface OvercommitCostModel {
  /** Name of the preset ("ssd" or "hdd"). */
  name: string;
  /** Clock used to turn nanoseconds into cycles: 2.93 GHz, the Xeon X5570 of figure B7. */
  clockGHz: number;
  /**
   * Reading one 4 KiB page from the swap device (host swap-in, guest page-in). "ssd": 150 µs,
   * a random 4 KB SSD read; "hdd": 10 ms, a disk seek (figure O6, "latency numbers every
   * programmer should know").
   */
  swapReadNs: number;
  /** Writing one page to the swap device. ASSUMPTION: the same as a read (O6 gives reads only). */
  swapWriteNs: number;
  /**
   * Copying one 4 KiB page in memory (a copy-on-write break, a merge): 1 µs, from "read 1 MB
   * sequentially from memory: 250 µs" (O6) scaled to 4 KiB [D].
   */
  pageCopyNs: number;
  /**
   * Hashing one page in the sharing scanner; the same for a full byte compare. ASSUMPTION: one
   * pass over the page, priced as a copy (pageCopyNs). Waldspurger (O1) sets the scan rate so
   * sharing costs "negligible CPU overhead"; no per-page figure is given.
   */
  pageHashNs: number;
  /**
   * Guest work to hand one page to the balloon (allocate and pin it): ASSUMPTION priced as one
   * native guest page fault, 1,093 cycles (figure B5).
   */
  balloonPageCycles: number;
  /**
   * Pages reported to the hypervisor per balloon message: 256, the PFN array of Linux's
   * virtio-balloon (VIRTIO_BALLOON_ARRAY_PFNS_MAX, figure O7). One VM exit per message.
   */
  balloonPagesPerExit: number;
  /** One VM exit's world switch, 2,000 cycles (figure B7): the balloon's messages. */
  exitRoundTripCycles: number;
}

/** Presets: swap on an SSD (default) or a hard disk. */
export const OVERCOMMIT_COST_PRESETS: Readonly<Record<"ssd" | "hdd", OvercommitCostModel>> = Object.freeze({
  ssd: Object.freeze({ name: "ssd", clockGHz: 2.93, swapReadNs: 150_000, swapWriteNs: 150_000, pageCopyNs: 1_000, pageHashNs: 1_000, balloonPageCycles: 1_093, balloonPagesPerExit: 256, exitRoundTripCycles: 2_000 }),
  hdd: Object.freeze({ name: "hdd", clockGHz: 2.93, swapReadNs: 10_000_000, swapWriteNs: 10_000_000, pageCopyNs: 1_000, pageHashNs: 1_000, balloonPageCycles: 1_093, balloonPagesPerExit: 256, exitRoundTripCycles: 2_000 }),
});

/** A cost model: a preset with overrides, checked. */
export function overcommitCostModel(overrides: Partial<OvercommitCostModel> = {}, preset: "ssd" | "hdd" = "ssd"): OvercommitCostModel {
  const base = OVERCOMMIT_COST_PRESETS[preset];
  if (!base) throw new ConfigError("preset", preset, `"ssd" or "hdd"`);
  if (overrides === null || typeof overrides !== "object") throw new ConfigError("costs", overrides, "an object of overcommit cost overrides");
  const m: OvercommitCostModel = { ...base, ...overrides, name: base.name };
  for (const key of ["clockGHz", "swapReadNs", "swapWriteNs", "pageCopyNs", "pageHashNs", "balloonPageCycles", "balloonPagesPerExit", "exitRoundTripCycles"] as const) {
    requireNumber(`costs.${key}`, m[key], key === "clockGHz" || key === "balloonPagesPerExit" ? 1e-9 : 0, 1e12);
  }
  return m;
}

/** Nanoseconds to cycles at the model's clock. */
export function nsToCycles(c: OvercommitCostModel, ns: number): number {
  return Math.round(ns * c.clockGHz);
}
