/**
 * Notebook 04, section 2b (virtio): the split virtqueue's layout, and how batching and
 * notification suppression cut the exits of a saturated sender.
 */
import { ConfigError } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import { virtqueueLayout, VIRTQUEUE_SUPPRESSION_MODES } from "../../io/virtqueue";
import { measureIo } from "../../experiments/io-runs";

/** Byte sizes of a split virtqueue for each queue size (C8). */
export function virtqueueLayouts(queueSizes: readonly number[] = [16, 256, 1024]): Record<string, number>[] {
  return queueSizes.map((q) => {
    const l = virtqueueLayout(q);
    return {
      "queue size Q": l.queueSize,
      "descriptor table (16·Q B)": l.descriptorTableBytes,
      "available ring (6+2·Q B)": l.availableRingBytes,
      "used ring (6+8·Q B)": l.usedRingBytes,
      "total (B)": l.totalBytes,
    };
  });
}

/** One point of the batching chart. */
export type BatchRow = {
  /** Most requests posted per kick. */
  batchSize: number;
  /** Notification suppression: "none", "flags" or "event-idx". */
  suppression: string;
  /** VM exits per request. */
  exitsPerRequest: number;
  /** Kicks per request. */
  kicksPerRequest: number;
  /** Interrupts taken per request. */
  interruptsPerRequest: number;
  /** Payload Gbit/s. */
  throughputGbps: number;
};

/**
 * virtio with a saturating sender: exits per request as the batch size grows, for each
 * notification-suppression mode. "none" shows pure batching; "flags" and "event-idx" show the
 * host telling the guest not to kick while it is already busy.
 */
export function batchingSweep(options: { batchSizes?: readonly number[]; seed?: number; path?: "virtio" | "vhost" } = {}): BatchRow[] {
  const batchSizes = options.batchSizes ?? [1, 4, 16, 64];
  const rows: BatchRow[] = [];
  for (const suppression of VIRTQUEUE_SUPPRESSION_MODES) {
    for (const batchSize of batchSizes) {
      const r = measureIo({
        path: options.path ?? "virtio",
        seed: options.seed ?? 1,
        arrivals: "backlog",
        requestsPerVm: 1000,
        batchSize,
        notificationSuppression: suppression,
      });
      rows.push({ batchSize, suppression, exitsPerRequest: r.exitsPerRequest, kicksPerRequest: r.doorbellsPerRequest, interruptsPerRequest: r.interruptsPerRequest, throughputGbps: r.throughputGbps });
    }
  }
  return rows;
}

/** "What to notice" for the batching chart, from its rows (a saturated sender). */
export function batchingNotice(rows: readonly BatchRow[]): string {
  const series = (mode: string) => rows.filter((r) => r.suppression === mode).sort((a, b) => a.batchSize - b.batchSize);
  const none = series("none"), flags = series("flags"), idx = series("event-idx");
  if (none.length === 0 || idx.length === 0) throw new ConfigError("rows", rows.length, "rows from batchingSweep with the modes none and event-idx");
  const [first, last] = [none[0]!, none[none.length - 1]!];
  const span = (s: readonly BatchRow[]) => {
    const lo = Math.min(...s.map((r) => r.exitsPerRequest)), hi = Math.max(...s.map((r) => r.exitsPerRequest));
    return f(lo) === f(hi) ? `${f(lo)} exits per request at every batch size` : `${f(s[0]!.exitsPerRequest)} to ${f(s[s.length - 1]!.exitsPerRequest)} exits per request`;
  };
  return (
    `**What to notice** (a saturated sender: the guest always has requests waiting): without suppression, batches of ` +
    `${first.batchSize} cost ${f(first.exitsPerRequest)} exits per request (per request: ${f(first.kicksPerRequest)} kick, ` +
    `${f(first.interruptsPerRequest)} interrupt, each interrupt followed by an EOI exit); batches of ` +
    `${last.batchSize} bring it to ${f(last.exitsPerRequest)}. ` +
    (flags.length ? `With \`flags\` the busy host turns kicks off: ${span(flags)}. ` : "") +
    `With \`event-idx\` it asks only for the kick it needs: ${span(idx)}.`
  );
}
