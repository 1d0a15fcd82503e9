import { describe, expect, it } from "vitest";
import {
  OP_WRITE,
  ParseError,
  contextSwitchWorkload,
  encodeRaw64Trace,
  forkExecWorkload,
  hotColdWorkload,
  mmapChurnWorkload,
  parseLackeyTrace,
  parseRaw64Trace,
  parseTrace,
  sequentialWorkload,
  stridedWorkload,
  uniformWorkload,
} from "../../src";

describe("trace readers", () => {
  it("raw64: little-endian 64-bit addresses, including above 2^53", () => {
    const big = (1n << 56n) + (0xabcdn << 12n) + 0x7n;
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, 0x7fff1234n, true);
    view.setBigUint64(8, big, true);
    const t = parseRaw64Trace(bytes);
    expect(t.length).toBe(2);
    expect(t.arg[0]).toBe(0x7fff1);
    expect(t.offset![0]).toBe(0x234);
    expect(BigInt(t.arg[1]!)).toBe(big >> 12n);
    expect(t.offset![1]).toBe(7);
    expect(t.premap[0]!.vpns.length).toBe(2);
    const round = parseRaw64Trace(encodeRaw64Trace(t.arg, 4096, t.offset!));
    expect(Array.from(round.arg)).toEqual(Array.from(t.arg));
  });

  it("raw64: a cut-short record is a ParseError", () => {
    expect(() => parseRaw64Trace(new Uint8Array(12), { source: "x.bin" })).toThrow(ParseError);
    expect(() => parseRaw64Trace(new Uint8Array(12), { source: "x.bin" })).toThrow(/x.bin:2: .*multiple of 8/);
  });

  it("lackey: I/L/S/M lines, banner skipped, M and S are writes", () => {
    const text = ["==123== Lackey, an example Valgrind tool", "I  04016b0,3", " L 7ff000398,8", " S 7ff000390,8", " M 0421a5c,4", ""].join("\n");
    const t = parseLackeyTrace(text);
    expect(t.length).toBe(4);
    expect(Array.from(t.arg)).toEqual([0x401, 0x7ff000, 0x7ff000, 0x421]);
    expect(Array.from(t.ops).map((o) => o === OP_WRITE)).toEqual([false, false, true, true]);
    expect(parseLackeyTrace(text, { includeInstructions: false }).length).toBe(3);
    expect(parseTrace(new TextEncoder().encode(text), "lackey").length).toBe(4);
  });

  it("lackey: a malformed line is a ParseError naming the line", () => {
    expect(() => parseLackeyTrace("I  0400,4\nX zz,1\n", { source: "prog.trace" })).toThrow(/prog.trace:2: expected/);
    expect(() => parseTrace(new Uint8Array(0), "csv")).toThrow(/format.*"raw64", "lackey"/);
  });
});

describe("generators", () => {
  it("are deterministic per seed", () => {
    const a = uniformWorkload({ pages: 100, accesses: 1000, seed: 9 });
    const b = uniformWorkload({ pages: 100, accesses: 1000, seed: 9 });
    const c = uniformWorkload({ pages: 100, accesses: 1000, seed: 10 });
    expect(Array.from(a.arg)).toEqual(Array.from(b.arg));
    expect(Array.from(a.arg)).not.toEqual(Array.from(c.arg));
  });

  it("produce the access patterns they name", () => {
    const s = sequentialWorkload({ pages: 4, accesses: 8, accessesPerPage: 2, firstVpn: 0 });
    expect(Array.from(s.arg)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    const st = stridedWorkload({ pages: 4, accesses: 5, strideBytes: 8192, firstVpn: 0 });
    expect(Array.from(st.arg)).toEqual([0, 2, 0, 2, 0]);
    const hc = hotColdWorkload({ hotPages: 10, coldPages: 1000, hotFraction: 0.9, accesses: 10000, firstVpn: 0 });
    const hot = Array.from(hc.arg).filter((v) => v < 10).length;
    expect(hot / 10000).toBeGreaterThan(0.85);
    const cs = contextSwitchWorkload({ processes: 3, pagesPerProcess: 10, quantum: 100, accesses: 1000 });
    expect(cs.premap.map((p) => p.process)).toEqual([0, 1, 2]);
    expect(cs.length).toBe(1000 + 9);
    const fe = forkExecWorkload({ cycles: 2, accessesPerChild: 10, parentAccesses: 5 });
    expect(fe.accesses).toBe(30);
    const mm = mmapChurnWorkload({ cycles: 2, regionPages: 4, accessesPerCycle: 10 });
    expect(mm.length).toBe(2 * (4 + 10 + 4));
  });

  it("reject bad options naming the field", () => {
    expect(() => uniformWorkload({ pages: 0, accesses: 10 })).toThrow(/pages/);
    expect(() => uniformWorkload({ pages: 10, accesses: -1 })).toThrow(/accesses/);
    expect(() => hotColdWorkload({ hotPages: 1, coldPages: 1, hotFraction: 2, accesses: 1 })).toThrow(/hotFraction/);
  });
});
