import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Machine,
  PageSet,
  ParseError,
  bytesSource,
  encodeRaw64Trace,
  parseLackeyTrace,
  parseRaw64Trace,
  scanTrace,
  simulateTrace,
  streamTrace,
  type MemoryTrace,
  type TraceByteSource,
} from "../../src";
import { legacyParseLackeyTrace, legacyParseRaw64Trace } from "./legacy-trace-readers";

/** Every record of a streamed trace, copied out of the reused chunks. */
function streamAll(bytes: Uint8Array, format: string, chunkBytes: number, options: { includeInstructions?: boolean; chunkRecords?: number } = {}) {
  const arg: number[] = [];
  const offset: number[] = [];
  const ops: number[] = [];
  streamTrace(bytesSource("t", bytes, chunkBytes), format, (c) => {
    for (let i = 0; i < c.length; i++) {
      arg.push(c.arg[i]!);
      offset.push(c.offset[i]!);
      ops.push(c.ops[i]!);
    }
  }, options);
  return { arg, offset, ops };
}

function records(t: MemoryTrace) {
  return { arg: Array.from(t.arg.subarray(0, t.length)), offset: Array.from(t.offset ?? new Uint32Array(t.length)), ops: Array.from(t.ops.subarray(0, t.length)) };
}

const space = fc.constantFrom(" ", "  ", "\t", " \t", "\r");
const hex = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })).map((v) => v.toString(16));
const lackeyLine = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom("I", "L", "S", "M"), fc.constantFrom("", " ", "\t"), space, hex, fc.integer({ min: 0, max: 64 }), fc.constantFrom("", " ", "\r")).map(([k, lead, sp, h, size, trail]) => `${lead}${k}${sp}${h},${size}${trail}`) },
  { weight: 1, arbitrary: fc.constantFrom("==12== Lackey, an example Valgrind tool", "==12== ", "", "   ", "\r") },
);
const lackeyText = fc.tuple(fc.array(lackeyLine, { maxLength: 60 }), fc.boolean()).map(([lines, finalNewline]) => lines.join("\n") + (finalNewline && lines.length ? "\n" : ""));

describe("streaming trace parsers", () => {
  it("lackey: the same records as the old whole-file reader, wherever the chunk boundaries fall", () => {
    fc.assert(
      fc.property(lackeyText, fc.integer({ min: 1, max: 40 }), fc.boolean(), fc.integer({ min: 1, max: 7 }), (text, chunkBytes, includeInstructions, chunkRecords) => {
        const bytes = new TextEncoder().encode(text);
        const old = records(legacyParseLackeyTrace(bytes, { includeInstructions }));
        expect(streamAll(bytes, "lackey", chunkBytes, { includeInstructions, chunkRecords })).toEqual(old);
        expect(records(parseLackeyTrace(text, { includeInstructions }))).toEqual(old);
      }),
      { numRuns: 300 },
    );
  });

  it("lackey: a malformed line is reported at the same line as the old reader, with its text", () => {
    fc.assert(
      fc.property(fc.array(lackeyLine, { maxLength: 20 }), fc.nat(), fc.constantFrom("X 12,4", "L 12", "L ,4", "L 12,", "L12,4", "L 12,4 x", "  == 1", "L 0x12,4", "L 11112222333344445,8"), fc.integer({ min: 1, max: 16 }), (lines, at, bad, chunkBytes) => {
        const all = [...lines];
        all.splice(at % (lines.length + 1), 0, bad);
        const bytes = new TextEncoder().encode(all.join("\n"));
        let expected = "";
        try {
          legacyParseLackeyTrace(bytes, { source: "p.trace" });
        } catch (e) {
          expected = (e as Error).message;
        }
        expect(expected).toMatch(/^p.trace:\d+: expected/);
        expect(() => streamAll(bytes, "lackey", chunkBytes)).toThrow(ParseError);
        expect(() => parseLackeyTrace(bytes, { source: "p.trace" })).toThrow(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("raw64: the same records as the old reader, records cut anywhere by chunk boundaries", () => {
    const vpn = fc.oneof(fc.integer({ min: 0, max: 2 ** 20 }), fc.integer({ min: 0, max: 2 ** 52 - 1 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(vpn, fc.integer({ min: 0, max: 4095 })), { maxLength: 50 }), fc.integer({ min: 1, max: 21 }), fc.integer({ min: 1, max: 5 }), (recs, chunkBytes, chunkRecords) => {
        const bytes = encodeRaw64Trace(recs.map((r) => r[0]), 4096, recs.map((r) => r[1]));
        const old = records(legacyParseRaw64Trace(bytes));
        expect(streamAll(bytes, "raw64", chunkBytes, { chunkRecords })).toEqual(old);
        expect(records(parseRaw64Trace(bytes))).toEqual(old);
      }),
      { numRuns: 300 },
    );
    expect(() => streamAll(new Uint8Array(20), "raw64", 3)).toThrow(/t:3: raw64 trace length 20 is not a multiple of 8/);
  });

  it("a UTF-8 byte-order mark before the first lackey line is skipped", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("I  0400,4\n L 2000,8")]);
    for (const chunk of [1, 2, 3, 5, 100]) expect(streamAll(bytes, "lackey", chunk).arg).toEqual([0, 2]);
  });

  it("an address beyond the layout's virtual address width names the line (raw64: the record) and the address in hex", () => {
    const text = "I  0400,4\n\n L 1000000000000,8\n";
    expect(() => parseLackeyTrace(text, { source: "a.lackey", virtualAddressBits: 48 })).toThrow("a.lackey:3: address 0x1000000000000 is beyond the 48-bit virtual address space (highest 0xffffffffffff)");
    expect(parseLackeyTrace(text, { virtualAddressBits: 57 }).length).toBe(2);
    const raw = encodeRaw64Trace([1, 2 ** 36 + 5], 4096, [0, 0x10]);
    expect(() => parseRaw64Trace(raw, { source: "a.raw", virtualAddressBits: 48 })).toThrow("a.raw:2: record 2 (byte offset 8): address 0x1000000005010 is beyond the 48-bit virtual address space");
  });

  it("text read as raw64 suggests the lackey format", () => {
    for (const text of ["I  04016b0,3\n L 7ff000398,8\n S 7ff000390,8\n M 0421a5c,4\n I  04016b4,3\n L 7ff000398,8\n", "I  0400,4\n", "==1== Lackey\n"]) {
      expect(() => parseRaw64Trace(new TextEncoder().encode(text), { source: "x" })).toThrow(/x:1: this looks like text.*--format lackey/);
      expect(() => streamAll(new TextEncoder().encode(text), "raw64", 3)).toThrow(/looks like text.*--format lackey/);
    }
  });

  it("PageSet keeps the distinct pages in first-touch order", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 2 ** 53 - 1 })), { maxLength: 3000 }), (vpns) => {
        const s = new PageSet(4);
        for (const v of vpns) s.add(v);
        expect(Array.from(s.toArray())).toEqual([...new Set(vpns)]);
        expect(s.size).toBe(new Set(vpns).size);
      }),
      { numRuns: 100 },
    );
  });
});

describe("simulating a streamed trace", () => {
  it("gives the counts of running the whole trace at once (old reader), in every mode and both formats, read once or twice", () => {
    const page = fc.oneof(fc.integer({ min: 0x400, max: 0x440 }), fc.integer({ min: 0x7ff000, max: 0x7ff400 }), fc.integer({ min: 0, max: 2 ** 36 - 1 }));
    const rec = fc.tuple(fc.constantFrom("I", "L", "S", "M"), page, fc.integer({ min: 0, max: 4095 }));
    fc.assert(
      fc.property(fc.array(rec, { minLength: 1, maxLength: 150 }), fc.constantFrom("native", "shadow", "nested"), fc.constantFrom("lackey", "raw64"), fc.integer({ min: 1, max: 64 }), fc.boolean(), fc.constantFrom(0, 40, 4_000_000), (recs, mode, format, chunkBytes, dataOnly, keepRecords) => {
        const includeInstructions = !(dataOnly && format === "lackey");
        const bytes =
          format === "lackey"
            ? new TextEncoder().encode(recs.map(([k, p, o]) => `${k === "I" ? "I " : " " + k} ${(p * 4096 + o).toString(16)},4`).join("\n"))
            : encodeRaw64Trace(recs.map((r) => r[1]), 4096, recs.map((r) => r[2]));
        const old = format === "lackey" ? legacyParseLackeyTrace(bytes, { includeInstructions }) : legacyParseRaw64Trace(bytes);
        const tlb = { sets: 2, ways: 2 };
        const m1 = new Machine({ mode, tlb });
        const want = m1.run(old, m1.createVm());
        const m2 = new Machine({ mode, tlb });
        const got = simulateTrace(m2, m2.createVm(), bytesSource("t", bytes, chunkBytes), format, { includeInstructions, chunkRecords: 7, keepRecords });
        // Kept by the first pass (run from memory) or read again: the same counts either way.
        expect(got.scan.kept === null).toBe(old.length > keepRecords || old.length === 0);
        const strip = ({ seconds: _s, ...rest }: typeof want) => rest;
        expect(strip(got.stats)).toEqual(strip(want));
        expect(got.scan.records).toBe(old.length);
      }),
      { numRuns: 80 },
    );
  });

  it("runs a trace far longer than it keeps in constant memory: one reused chunk of at most chunkRecords records, no records kept (issue 15: 32 M lines took 4.3 GB)", () => {
    // The bytes are made piece by piece as they are read (a 4 KiB buffer), never held whole.
    const records = 120_000;
    const pageOf = (i: number) => 0x400 + ((i * 7919) % 5000);
    const generated = (format: string): TraceByteSource => ({
      name: `generated.${format}`,
      forEachChunk(visit) {
        const enc = new TextEncoder();
        for (let at = 0; at < records; at += 256) {
          const n = Math.min(256, records - at);
          if (format === "raw64") {
            const b = new Uint8Array(8 * n);
            const v = new DataView(b.buffer);
            for (let i = 0; i < n; i++) v.setBigUint64(8 * i, BigInt(pageOf(at + i) * 4096 + 8), true);
            visit(b);
          } else {
            let text = "";
            for (let i = 0; i < n; i++) text += ` L ${(pageOf(at + i) * 4096 + 8).toString(16)},8\n`;
            visit(enc.encode(text));
          }
        }
      },
    });
    for (const format of ["raw64", "lackey"]) {
      const m = new Machine({ mode: "native" });
      const buffers = new Set<ArrayBufferLike>();
      let longest = 0;
      const run = m.run.bind(m);
      m.run = (trace, vm, options) => {
        buffers.add(trace.ops.buffer);
        buffers.add(trace.arg.buffer);
        longest = Math.max(longest, trace.length);
        return run(trace, vm, options);
      };
      const got = simulateTrace(m, m.createVm(), generated(format), format, { chunkRecords: 1000, keepRecords: 10_000 });
      expect(got.scan.kept, format).toBeNull();
      expect(got.stats.accesses, format).toBe(records);
      expect(got.scan.touched.length, format).toBe(5000);
      expect(longest, format).toBeLessThanOrEqual(1000);
      expect(buffers.size, format).toBe(2); // the chunk's ops and arg, the same arrays for all 120 chunks
    }
  });

  it("loopCpuSeconds is the CPU time of the loops alone (Machine.lastLoopCpuSeconds per chunk), not of checking or parsing", () => {
    // 3,000 records read twice in 8-record chunks: many runs, each timing its loop only.
    const bytes = encodeRaw64Trace(Array.from({ length: 3000 }, (_, i) => 0x400 + (i % 37)), 4096);
    const m = new Machine({ mode: "nested" });
    const chunkCpu: number[] = [];
    const run = m.run.bind(m);
    m.run = (trace, vm, options) => {
      const s = run(trace, vm, options);
      chunkCpu.push(m.lastLoopCpuSeconds);
      return s;
    };
    const cpu0 = process.cpuUsage();
    const got = simulateTrace(m, m.createVm(), bytesSource("t", bytes, 64), "raw64", { chunkRecords: 8, keepRecords: 0 });
    const whole = process.cpuUsage(cpu0);
    expect(chunkCpu.length).toBeGreaterThan(300);
    expect(chunkCpu.every((c) => Number.isFinite(c) && c >= 0)).toBe(true);
    expect(got.loopCpuSeconds).toBeCloseTo(chunkCpu.reduce((a, b) => a + b, 0), 9);
    expect(got.loopCpuSeconds!).toBeLessThanOrEqual((whole.user + whole.system) / 1e6);
  });

  it("scanTrace counts instruction fetches whether or not they are kept", () => {
    const bytes = new TextEncoder().encode("I  0400,4\n L 2000,8\nI  0404,4\n S 3000,8\n M 3008,8\n");
    const all = scanTrace(bytesSource("t", bytes, 4), "lackey");
    const data = scanTrace(bytesSource("t", bytes, 4), "lackey", { includeInstructions: false });
    expect([all.records, all.instructionRecords, Array.from(all.touched)]).toEqual([5, 2, [0, 2, 3]]);
    expect([data.records, data.instructionRecords, Array.from(data.touched)]).toEqual([3, 2, [2, 3]]);
  });
});
