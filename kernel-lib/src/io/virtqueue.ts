/**
 * A split virtqueue (virtio 1.x §2.7) as the driver and the device see it: a descriptor table,
 * an available ring the driver writes and a used ring the device writes, all in guest memory.
 *
 * The model keeps the real 16-bit ring indices and the real suppression rules, so a notebook
 * can watch why a kick or an interrupt was (not) sent:
 *   - flags: the device sets VIRTQ_USED_F_NO_NOTIFY while it is busy (the driver skips kicks);
 *     the driver sets VIRTQ_AVAIL_F_NO_INTERRUPT while it polls (the device skips interrupts).
 *   - EVENT_IDX: the device writes avail_event ("kick me when you pass this index") and the
 *     driver writes used_event; both sides use vring_need_event() to decide.
 * Payload bytes are not stored: the simulation needs which request sits where, not its data.
 */
import { ConfigError, requireInt, requireOneOf } from "../core/errors";

/** How kicks (driver → device) and interrupts (device → driver) are suppressed. */
export type VirtqueueSuppression = "none" | "flags" | "event-idx";

/** All suppression modes, for validation and sweeps. */
export const VIRTQUEUE_SUPPRESSION_MODES: readonly VirtqueueSuppression[] = ["none", "flags", "event-idx"];

/** Largest queue size the split ring allows (virtio 1.x: a power of two up to 32768). */
export const VIRTQUEUE_MAX_SIZE = 32768;

/** Byte sizes of the three parts of a split virtqueue of a given size (C8). */
export interface VirtqueueLayout {
  /** Queue size Q: number of descriptors (a power of two, 1..32768). */
  readonly queueSize: number;
  /** Descriptor table: Q descriptors of 16 bytes (addr 8, len 4, flags 2, next 2). */
  readonly descriptorTableBytes: number;
  /** Available ring: flags 2 + idx 2 + ring 2·Q + used_event 2 = 6 + 2·Q. */
  readonly availableRingBytes: number;
  /** Used ring: flags 2 + idx 2 + ring 8·Q (id 4, len 4) + avail_event 2 = 6 + 8·Q. */
  readonly usedRingBytes: number;
  /** Sum of the three parts (alignment padding between them not included). */
  readonly totalBytes: number;
}

/**
 * Checks a queue size: a power of two from 1 to 32768 (virtio 1.x split ring). Every bad value
 * — 0, 3, 65536, 1.5, "256" — gets the same message, naming `field` and the allowed sizes.
 */
export function requireVirtqueueSize(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > VIRTQUEUE_MAX_SIZE || (value & (value - 1)) !== 0) {
    throw new ConfigError(field, value, `a power of two from 1 to ${VIRTQUEUE_MAX_SIZE} (1, 2, 4, …, 256, …)`);
  }
  return value;
}

/** The memory layout of a split virtqueue with `queueSize` descriptors (C8 formulas). */
export function virtqueueLayout(queueSize: number): VirtqueueLayout {
  const q = requireVirtqueueSize("ringSize", queueSize);
  const descriptorTableBytes = 16 * q;
  const availableRingBytes = 6 + 2 * q;
  const usedRingBytes = 6 + 8 * q;
  return {
    queueSize: q,
    descriptorTableBytes,
    availableRingBytes,
    usedRingBytes,
    totalBytes: descriptorTableBytes + availableRingBytes + usedRingBytes,
  };
}

/**
 * virtio's vring_need_event(): should the other side be told, given that it asked to be told
 * once index `eventIdx` is passed and the index just moved from `oldIdx` to `newIdx`?
 * All arithmetic is modulo 2^16, exactly as in the spec, so wrap-around is handled.
 */
export function vringNeedEvent(eventIdx: number, newIdx: number, oldIdx: number): boolean {
  return ((newIdx - eventIdx - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
}

/** Counters a notebook can show: what the ring did and what it saved. */
export interface VirtqueueStats {
  /** Requests the driver placed in the available ring. */
  added: number;
  /** Requests the device returned through the used ring. */
  used: number;
  /** Kicks the driver sent (each one a VM exit when the notify register traps). */
  kicksSent: number;
  /** Kicks the suppression rules let the driver skip. */
  kicksSuppressed: number;
  /** Interrupts the device raised. */
  interruptsSent: number;
  /** Interrupts the suppression rules let the device skip. */
  interruptsSuppressed: number;
}

const U16 = 0xffff;

/** One split virtqueue shared by a guest driver and a host device (back end). */
export class Virtqueue {
  /** Queue size Q (descriptors). */
  readonly size: number;
  /** Suppression mode in force. */
  readonly suppression: VirtqueueSuppression;
  /** Byte layout in guest memory (C8). */
  readonly layout: VirtqueueLayout;
  /** Counters. */
  readonly stats: VirtqueueStats = { added: 0, used: 0, kicksSent: 0, kicksSuppressed: 0, interruptsSent: 0, interruptsSuppressed: 0 };

  private freeDescriptorCount: number;
  private readonly descriptorsOf = new Map<number, number>();
  private readonly availRing: number[];
  private readonly usedRing: number[];
  /** avail->idx as published to the device. */
  private availIdx = 0;
  /** Entries written into the available ring but not yet published (idx not yet bumped). */
  private availShadowIdx = 0;
  /** Device's next available entry to consume. */
  private lastAvailIdx = 0;
  /** used->idx as published to the driver. */
  private usedIdx = 0;
  /** Driver's next used entry to reclaim. */
  private lastUsedIdx = 0;
  /** VIRTQ_USED_F_NO_NOTIFY, set by the device. */
  private usedFlagNoNotify = false;
  private availFlagNoInterrupt = false;
  private availEvent = 0;
  private usedEvent = 0;

  constructor(size: number, suppression: VirtqueueSuppression = "event-idx") {
    this.layout = virtqueueLayout(size);
    this.size = this.layout.queueSize;
    this.suppression = requireOneOf("notificationSuppression", suppression, VIRTQUEUE_SUPPRESSION_MODES);
    this.freeDescriptorCount = this.size;
    this.availRing = new Array<number>(this.size).fill(-1);
    this.usedRing = new Array<number>(this.size).fill(-1);
  }

  /** Free descriptors in the table. */
  get freeDescriptors(): number {
    return this.freeDescriptorCount;
  }

  /** Requests the driver has added and not yet reclaimed (in the rings or at the device). */
  get outstanding(): number {
    return (this.availShadowIdx - this.lastUsedIdx) & U16;
  }

  // ---- driver side -------------------------------------------------------------------------

  /** Can the driver add a request needing `descriptors` descriptors (a chain) now? */
  canAdd(descriptors: number): boolean {
    return this.freeDescriptorCount >= descriptors;
  }

  /** Driver: write a descriptor chain for `requestId` and its head into the available ring (not yet published). */
  add(requestId: number, descriptors: number): void {
    requireInt("descriptorsPerRequest", descriptors, 1, this.size);
    if (this.freeDescriptorCount < descriptors) {
      throw new ConfigError("virtqueue", this.freeDescriptorCount, `${descriptors} free descriptors to add a request`);
    }
    this.freeDescriptorCount -= descriptors;
    this.descriptorsOf.set(requestId, descriptors);
    this.availRing[this.availShadowIdx % this.size] = requestId;
    this.availShadowIdx = (this.availShadowIdx + 1) & U16;
    this.stats.added++;
  }

  /**
   * Driver: publish what was added (bump avail->idx) and decide whether to kick the device,
   * as virtqueue_kick_prepare() does. Returns true when a notification must be sent.
   */
  publishAndCheckKick(): boolean {
    const oldIdx = this.availIdx;
    const newIdx = this.availShadowIdx;
    this.availIdx = newIdx;
    if (oldIdx === newIdx) return false;
    let kick: boolean;
    if (this.suppression === "none") kick = true;
    else if (this.suppression === "flags") kick = !this.usedFlagNoNotify;
    else kick = vringNeedEvent(this.availEvent, newIdx, oldIdx);
    if (kick) this.stats.kicksSent++;
    else this.stats.kicksSuppressed++;
    return kick;
  }

  /** Driver: is there a used entry it has not reclaimed? */
  hasUsed(): boolean {
    return this.lastUsedIdx !== this.usedIdx;
  }

  /** Driver: take every used entry (returns the request ids in ring order) and free their descriptors. */
  reclaimUsed(): number[] {
    const ids: number[] = [];
    while (this.lastUsedIdx !== this.usedIdx) {
      const id = this.usedRing[this.lastUsedIdx % this.size]!;
      ids.push(id);
      this.freeDescriptorCount += this.descriptorsOf.get(id) ?? 1;
      this.descriptorsOf.delete(id);
      this.lastUsedIdx = (this.lastUsedIdx + 1) & U16;
    }
    return ids;
  }

  /** Driver: ask the device not to interrupt (NAPI polling has begun). */
  disableInterrupts(): void {
    // Without EVENT_IDX this is VIRTQ_AVAIL_F_NO_INTERRUPT. With EVENT_IDX the spec has the
    // device ignore the flag; a polling driver then keeps used_event out of reach, which this
    // model represents by the same boolean.
    this.availFlagNoInterrupt = true;
  }

  /**
   * Driver: ask for interrupts again. With EVENT_IDX and `delayed`, ask only after three
   * quarters of the outstanding requests complete (Linux virtqueue_enable_cb_delayed), which is
   * safe because those requests are already at the device. Returns true if used entries
   * arrived meanwhile (the driver must poll again rather than wait: the race real drivers close).
   */
  enableInterrupts(delayed: boolean): boolean {
    this.availFlagNoInterrupt = false;
    const pendingAtDevice = (this.availIdx - this.usedIdx) & U16;
    const wait = delayed ? Math.floor((pendingAtDevice * 3) / 4) : 0;
    this.usedEvent = (this.lastUsedIdx + wait) & U16;
    return this.hasUsed();
  }

  // ---- device side -------------------------------------------------------------------------

  /** Device: is there a published request it has not taken? */
  hasAvailable(): boolean {
    return this.lastAvailIdx !== this.availIdx;
  }

  /** Device: published requests not yet taken. */
  get availableCount(): number {
    return (this.availIdx - this.lastAvailIdx) & U16;
  }

  /** Device: take the next published request id. */
  popAvailable(): number {
    if (!this.hasAvailable()) throw new ConfigError("virtqueue", "empty", "an available entry to pop");
    const id = this.availRing[this.lastAvailIdx % this.size]!;
    this.lastAvailIdx = (this.lastAvailIdx + 1) & U16;
    return id;
  }

  /** Device: stop asking for kicks (it is busy and will poll the ring). */
  disableNotifications(): void {
    // With EVENT_IDX not moving avail_event is what suppresses; the flag is the non-EVENT_IDX way.
    this.usedFlagNoNotify = true;
  }

  /**
   * Device: ask for kicks again (going idle). Returns true if requests were published
   * meanwhile, in which case the device must keep processing instead of sleeping.
   */
  enableNotifications(): boolean {
    this.usedFlagNoNotify = false;
    this.availEvent = this.lastAvailIdx;
    return this.hasAvailable();
  }

  /**
   * Device: return a finished request through the used ring and decide whether to interrupt
   * the driver. Returns true when an interrupt must be sent.
   */
  pushUsedAndCheckInterrupt(requestId: number): boolean {
    const oldIdx = this.usedIdx;
    this.usedRing[oldIdx % this.size] = requestId;
    const newIdx = (oldIdx + 1) & U16;
    this.usedIdx = newIdx;
    this.stats.used++;
    let interrupt: boolean;
    if (this.suppression === "none") interrupt = true;
    else if (this.suppression === "flags") interrupt = !this.availFlagNoInterrupt;
    else interrupt = !this.availFlagNoInterrupt && vringNeedEvent(this.usedEvent, newIdx, oldIdx);
    if (interrupt) this.stats.interruptsSent++;
    else this.stats.interruptsSuppressed++;
    return interrupt;
  }
}
