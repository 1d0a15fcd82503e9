import { describe, expect, it } from "vitest";
import { AddressLayout, ConfigError, OSTEP_TWO_LEVEL, X86_64_4LEVEL, X86_64_5LEVEL, X86_64_PTE } from "../../src";

describe("address layouts", () => {
  it("x86-64 presets add up", () => {
    expect(X86_64_4LEVEL.levels).toBe(4);
    expect(X86_64_4LEVEL.vpnBits).toBe(36);
    expect(X86_64_5LEVEL.vpnBits).toBe(45);
    expect(X86_64_4LEVEL.pageBytesAtLevel(2)).toBe(2 * 2 ** 20);
    expect(X86_64_4LEVEL.pageBytesAtLevel(3)).toBe(2 ** 30);
    expect(OSTEP_TWO_LEVEL.offsetBits).toBe(5);
    expect(OSTEP_TWO_LEVEL.physicalFrames).toBe(128);
  });

  it("splits 57-bit addresses above 2^53 exactly (bigint or hex in, numbers out)", () => {
    const va = (1n << 56n) + (0x1234n << 12n) + 0xabcn;
    const { vpn, offset } = X86_64_5LEVEL.splitVirtualAddress(va);
    expect(offset).toBe(0xabc);
    expect(BigInt(vpn)).toBe(va >> 12n);
    expect(X86_64_5LEVEL.joinAddress(vpn, offset)).toBe(va);
    expect(X86_64_5LEVEL.splitVirtualAddress("0x" + va.toString(16)).vpn).toBe(vpn);
    expect(X86_64_5LEVEL.indexAt(vpn, 5)).toBe(256);
  });

  it("encodes and decodes PTEs, including 40-bit frames", () => {
    const e = X86_64_4LEVEL.encodeEntry({ present: true, writable: true, user: false, frame: 2 ** 39 + 5 });
    const d = X86_64_4LEVEL.decodeEntry(e.lo, e.hi);
    expect(d).toMatchObject({ present: true, writable: true, user: false, frame: 2 ** 39 + 5 });
    const o = OSTEP_TWO_LEVEL.encodeEntry({ present: true, frame: 0x21 });
    expect(o.lo).toBe(0xa1);
  });

  it("rejects layouts that do not add up, naming the field", () => {
    const base = { name: "x", pageSizeBytes: 4096, indexBits: [9, 9, 9, 9], virtualAddressBits: 48, physicalAddressBits: 52, pte: X86_64_PTE };
    const err = (spec: object, field: string) => {
      try {
        new AddressLayout(spec as never);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).field).toBe(field);
        expect((e as Error).message).toContain("allowed");
        return;
      }
      throw new Error(`no error for ${field}`);
    };
    err({ ...base, virtualAddressBits: 47 }, "layout.virtualAddressBits");
    err({ ...base, indexBits: [9, 9, 9, 8], virtualAddressBits: 47 }, "layout.indexBits[3]");
    err({ ...base, pageSizeBytes: 3000 }, "layout.pageSizeBytes");
    err({ ...base, physicalAddressBits: 60 }, "layout.physicalAddressBits");
    err({ ...base, pte: { ...X86_64_PTE, presentBit: 12 } }, "layout.pte.presentBit");
    err({ ...base, pte: { ...X86_64_PTE, sizeBytes: 3 } }, "layout.pte.sizeBytes");
    err({ ...base, largePageLevels: [4] }, "layout.largePageLevels[0]");
  });

  it("rejects out-of-range addresses and page numbers", () => {
    expect(() => X86_64_4LEVEL.splitVirtualAddress(2 ** 48)).toThrow(ConfigError);
    expect(() => X86_64_4LEVEL.splitVirtualAddress(-1)).toThrow(/virtualAddress/);
    // A kernel's upper-half (canonical) address is named as such, with what to do about it.
    expect(() => X86_64_4LEVEL.splitVirtualAddress("0xffff800000001000")).toThrow(/upper-half canonical address.*low 48 bits/);
    expect(() => X86_64_4LEVEL.splitVirtualAddress(2 ** 48)).not.toThrow(/canonical/);
    expect(() => X86_64_4LEVEL.checkVpn("vpn", 2 ** 36)).toThrow(/vpn.*allowed/);
    expect(() => X86_64_4LEVEL.levelForPageSize(8192)).toThrow(/pageSizeBytes/);
  });
});
