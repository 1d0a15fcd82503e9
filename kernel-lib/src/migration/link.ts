/**
 * The network link a migration sends memory over: a bandwidth and a round-trip time.
 *
 * Pages go one after another at the link's rate (no compression, no zero-page elision: Clark et
 * al. send every page in full, and so does this model). A post-copy remote fault pays one round
 * trip for the request and the page's own transfer time (Hines & Gopalan, VEE 2009, §3).
 * Defaults: 1 Gbit/s, the gigabit Ethernet of both papers' testbeds; the 100 µs round trip is an
 * assumption (docs/virtualization-figures.md, M7).
 */
import { ConfigError, requireNumber } from "../core/errors";

/** A link between the source and the destination host. */
export interface MigrationLink {
  /** Usable bandwidth in bits per second (default 1e9). */
  bandwidthBitsPerSecond: number;
  /** Round-trip time in seconds (default 100 µs, an assumption: M7). */
  rttSeconds: number;
}

/** Options for {@link link}. */
export interface MigrationLinkOptions {
  /** Bits per second, from 1 Mbit/s to 400 Gbit/s. Default 1e9. */
  bandwidthBitsPerSecond?: number;
  /** Megabits per second (an alternative to bandwidthBitsPerSecond). */
  bandwidthMbitPerSecond?: number;
  /** Round trip in seconds, from 0 to 1. Default 1e-4. */
  rttSeconds?: number;
}

/** The default round trip: 100 µs within one data-centre rack (assumption, M7). */
export const DEFAULT_RTT_SECONDS = 1e-4;

/** A checked link. */
export function migrationLink(options: MigrationLinkOptions = {}): MigrationLink {
  if (options.bandwidthBitsPerSecond !== undefined && options.bandwidthMbitPerSecond !== undefined) {
    throw new ConfigError("link.bandwidthMbitPerSecond", options.bandwidthMbitPerSecond, "left out when bandwidthBitsPerSecond is given (one bandwidth, in either unit)");
  }
  const bits = options.bandwidthMbitPerSecond !== undefined
    ? requireNumber("link.bandwidthMbitPerSecond", options.bandwidthMbitPerSecond, 1, 400_000) * 1e6
    : requireNumber("link.bandwidthBitsPerSecond", options.bandwidthBitsPerSecond ?? 1e9, 1e6, 4e11);
  return { bandwidthBitsPerSecond: bits, rttSeconds: requireNumber("link.rttSeconds", options.rttSeconds ?? DEFAULT_RTT_SECONDS, 0, 1) };
}

/** Seconds to send `bytes` over the link. */
export function linkTransferSeconds(l: MigrationLink, bytes: number): number {
  return (bytes * 8) / l.bandwidthBitsPerSecond;
}

/** Pages of `pageSizeBytes` the link carries per second. */
export function linkPagesPerSecond(l: MigrationLink, pageSizeBytes: number): number {
  return l.bandwidthBitsPerSecond / (8 * pageSizeBytes);
}
