/**
 * Bench traces, written streaming to a file (constant memory at any length).
 *
 * "matmul": the accesses of a naive C = A × B over 512 × 512 doubles (2 MiB per matrix), as
 * valgrind lackey would print them: per inner iteration seven instruction fetches from a small
 * loop body (78% of the records, as in a real lackey trace of a matrix multiply), a load of
 * A[i][k] (sequential) and a load of B[k][j] (a new 4 KiB page every time: the TLB-missing
 * column walk); a store (lackey "M" on C[i][j] += ...) after each k loop. The same records can
 * be written as raw64 (every address a read, instruction fetches included).
 */
"use strict";
const { closeSync, openSync, writeSync } = require("node:fs");

const N = 512;
const CODE = 0x401000;
const A = 0x10000000;
const B = 0x10400000;
const C = 0x10800000;

/** Calls visit(kind, address) for the first `records` records of the matmul trace. kind: "I", "L", "M". */
function forEachMatmulRecord(records, visit) {
  let n = 0;
  for (;;) {
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        for (let k = 0; k < N; k++) {
          for (let f = 0; f < 7; f++) {
            visit("I", CODE + 0x20 + f * 4);
            if (++n === records) return;
          }
          visit("L", A + (i * N + k) * 8);
          if (++n === records) return;
          visit("L", B + (k * N + j) * 8);
          if (++n === records) return;
        }
        visit("M", C + (i * N + j) * 8);
        if (++n === records) return;
      }
    }
  }
}

/** Writes `records` matmul records to `path` as "lackey" or "raw64"; returns bytes written. */
function writeMatmulTrace(path, format, records) {
  const fd = openSync(path, "w");
  const buf = Buffer.allocUnsafe(1 << 20);
  let at = 0;
  let bytes = 0;
  const room = (n) => {
    if (at + n > buf.length) {
      writeSync(fd, buf, 0, at);
      bytes += at;
      at = 0;
    }
  };
  try {
    if (format === "lackey") {
      room(64);
      at += buf.write("==4242== Lackey, an example Valgrind tool\n", at, "latin1");
      forEachMatmulRecord(records, (kind, address) => {
        room(32);
        const line = kind === "I" ? `I  ${address.toString(16).padStart(8, "0")},4\n` : ` ${kind} ${address.toString(16).padStart(8, "0")},8\n`;
        at += buf.write(line, at, "latin1");
      });
    } else {
      forEachMatmulRecord(records, (_kind, address) => {
        room(8);
        buf.writeUInt32LE(address >>> 0, at);
        buf.writeUInt32LE(Math.floor(address / 4294967296), at + 4);
        at += 8;
      });
    }
    writeSync(fd, buf, 0, at);
    bytes += at;
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/**
 * Writes `records` raw64 reads of pages drawn uniformly from `pages` pages (from 1 GiB up), with
 * a seeded xorshift32: a TLB-missing trace with no pattern to predict, the other end from matmul.
 */
function writeUniformTrace(path, records, pages, seed = 1) {
  const fd = openSync(path, "w");
  const buf = Buffer.allocUnsafe(1 << 20);
  let x = seed >>> 0 || 1;
  let at = 0;
  try {
    for (let i = 0; i < records; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      const address = 2 ** 30 + (x % pages) * 4096;
      if (at + 8 > buf.length) {
        writeSync(fd, buf, 0, at);
        at = 0;
      }
      buf.writeUInt32LE(address >>> 0, at);
      buf.writeUInt32LE(Math.floor(address / 4294967296), at + 4);
      at += 8;
    }
    writeSync(fd, buf, 0, at);
  } finally {
    closeSync(fd);
  }
}

module.exports = { forEachMatmulRecord, writeMatmulTrace, writeUniformTrace };
