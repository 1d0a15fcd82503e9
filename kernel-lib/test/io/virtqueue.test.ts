import { describe, expect, it } from "vitest";
import { Virtqueue, virtqueueLayout, vringNeedEvent } from "../../src/io/virtqueue";
import { ConfigError } from "../../src/core/errors";
import { runIo } from "../../src/io/run";

describe("virtqueue layout (C8)", () => {
  it("sizes the descriptor table 16·Q, the available ring 6+2·Q and the used ring 6+8·Q", () => {
    for (const q of [1, 2, 64, 256, 1024, 32768]) {
      const l = virtqueueLayout(q);
      expect(l.descriptorTableBytes).toBe(16 * q);
      expect(l.availableRingBytes).toBe(6 + 2 * q);
      expect(l.usedRingBytes).toBe(6 + 8 * q);
      expect(l.totalBytes).toBe(16 * q + 6 + 2 * q + 6 + 8 * q);
    }
    expect(virtqueueLayout(256)).toMatchObject({ descriptorTableBytes: 4096, availableRingBytes: 518, usedRingBytes: 2054 });
    expect(runIo({ path: "virtio", ringSize: 128, requestsPerVm: 10 }).virtqueue!.layout.usedRingBytes).toBe(6 + 8 * 128);
  });

  it("rejects a zero-size, non-power-of-two or too large queue, naming the field and what is allowed", () => {
    for (const bad of [0, 3, 100, 65536, -4, 1.5]) {
      expect(() => virtqueueLayout(bad)).toThrow(ConfigError);
      try {
        new Virtqueue(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).field).toBe("ringSize");
        expect((e as Error).message).toContain("a power of two from 1 to 32768");
      }
    }
  });
});

describe("notification and interrupt suppression", () => {
  it("vring_need_event follows the spec, across 16-bit wrap-around", () => {
    expect(vringNeedEvent(0, 1, 0)).toBe(true); // passed event index 0
    expect(vringNeedEvent(5, 3, 2)).toBe(false); // not yet at 5
    expect(vringNeedEvent(5, 8, 2)).toBe(true); // jumped over 5
    expect(vringNeedEvent(0xffff, 2, 0xfffe)).toBe(true); // wrap
    expect(vringNeedEvent(3, 2, 0xfffe)).toBe(false);
  });

  it("skips kicks while the device polls (flags and EVENT_IDX) but not without suppression", () => {
    for (const mode of ["flags", "event-idx", "none"] as const) {
      const q = new Virtqueue(8, mode);
      q.add(1, 1);
      expect(q.publishAndCheckKick()).toBe(true);
      q.disableNotifications(); // device busy
      expect(q.popAvailable()).toBe(1);
      q.add(2, 1);
      expect(q.publishAndCheckKick()).toBe(mode === "none");
      expect(q.popAvailable()).toBe(2);
      expect(q.enableNotifications()).toBe(false); // idle, nothing new
      q.add(3, 1);
      expect(q.publishAndCheckKick()).toBe(true);
    }
  });

  it("frees descriptors only when the driver reclaims, and refuses to overfill", () => {
    const q = new Virtqueue(4, "flags");
    q.add(10, 2);
    q.add(11, 2);
    expect(q.canAdd(1)).toBe(false);
    q.publishAndCheckKick();
    q.popAvailable();
    expect(q.pushUsedAndCheckInterrupt(10)).toBe(true);
    q.disableInterrupts();
    expect(q.pushUsedAndCheckInterrupt(11)).toBe(false);
    expect(q.reclaimUsed()).toEqual([10, 11]);
    expect(q.freeDescriptors).toBe(4);
    expect(q.stats).toMatchObject({ added: 2, used: 2, interruptsSent: 1, interruptsSuppressed: 1 });
  });
});
