#!/usr/bin/env node
/**
 * tlb-model.c's minimal model (-DMINIMAL_MODEL=1) ported to JavaScript, for `npm run bench`
 * only, hand-inlined into one loop per mode over typed arrays (no classes, no memo, no A/D
 * bits, no tags, no permissions, no large pages), as fast as we could make V8 run it in a
 * single process. It measures a floor for loops on V8: the gap between it and the minimal C
 * build is the language's.
 *
 *   node tlb-model.js TRACE.raw64 native|nested [16] [4]
 *
 * Prints the JSON object tlb-model.c prints (counts and checksum that must equal it, loop
 * seconds and CPU seconds, JIT warm-up included as a single run pays it).
 *
 * Two choices make it V8's fastest version of the model, not a slower transcription:
 * - 32-bit integers only in the loop. A 48-bit address's page number (36 bits) does not fit in
 *   32, so the trace's page numbers are split before the timed loop (as tlb-model.c shifts its
 *   trace before timing) into low and high 32-bit halves; the set index is the low half's low
 *   4 bits, the tag the page number without them (32 bits: it fits an Int32Array),
 *   and every table index is a 9-bit field cut from the halves. (Doubles cost about 10%.)
 * - True LRU kept as order, not stamps: each set's ways are kept most recent first, so a hit on
 *   the most recent way (most hits on a regular trace) writes nothing, and a miss evicts the
 *   last way. It picks the same victims as C's stamps, so the counts and checksum are equal; in
 *   V8 it is ~15% faster, in C ~25% slower (measured 2026-12-06), so each side keeps its own.
 */
"use strict";
const { readFileSync } = require("node:fs");

// The TLB's shape as constants: V8 then compiles set × ways to a shift and the set and tag to
// fixed masks and shifts (~15% faster than the same loop with sizes as arguments, measured).
const SETS = 16;
const WAYS = 4;

function main(argv) {
  if (argv.length < 2) {
    process.stderr.write("usage: tlb-model.js TRACE.raw64 native|nested [16] [4]\n");
    return 2;
  }
  const nested = argv[1] === "nested";
  const sets = argv.length > 2 ? Number(argv[2]) : SETS;
  const ways = argv.length > 3 ? Number(argv[3]) : WAYS;
  if (sets !== SETS || ways !== WAYS) {
    process.stderr.write(`tlb-model.js models the bench's ${SETS} × ${WAYS} TLB only (its sizes are constants, as V8 compiles them best), not ${sets} × ${ways}\n`);
    return 2;
  }
  const bytes = readFileSync(argv[0]);
  const n = bytes.length >>> 3;
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * 8);
  // Page number = address >> 12, as two 32-bit halves: low = address bits 12..43, high = bits 44..63.
  const vpnLo = new Int32Array(n);
  const vpnHi = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = view.getUint32(8 * i, true);
    const hi = view.getUint32(8 * i + 4, true);
    if (hi >= 65536) throw new Error(`record ${i}: address above 2^48, which 4-level tables cannot map`);
    vpnLo[i] = (lo >>> 12) | (hi << 20);
    vpnHi[i] = hi >>> 12;
  }
  const vpn = (i) => (vpnHi[i] * 4294967296 + (vpnLo[i] >>> 0)); // premapping only (a double is fine there)

  // Host physical memory: frames numbered densely; table frames have 512 entries of storage.
  let mem = new Int32Array(512 * 1024);
  let memSlots = 0;
  let slotOf = new Int32Array(1024);
  let hfnCount = 0;
  const newHfn = (table) => {
    if (hfnCount === slotOf.length) {
      const g = new Int32Array(slotOf.length * 2);
      g.set(slotOf);
      slotOf = g;
    }
    slotOf[hfnCount] = -1;
    if (table) {
      if ((memSlots + 1) * 512 > mem.length) {
        const g = new Int32Array(mem.length * 2);
        g.set(mem);
        mem = g;
      }
      slotOf[hfnCount] = memSlots++;
    }
    return hfnCount++;
  };
  const tableAt = (hfn) => slotOf[hfn] * 512;
  // An entry is frame × 2 + present (frames are numbered densely, far below 2^30).
  const mapPage = (root, page, leaf, newTable, storageOf) => {
    let t = root;
    for (let lvl = 3; lvl >= 1; lvl--) {
      const idx = Math.floor(page / 2 ** (9 * lvl)) % 512;
      let e = mem[tableAt(storageOf(t)) + idx];
      if ((e & 1) === 0) {
        e = newTable() * 2 + 1;
        mem[tableAt(storageOf(t)) + idx] = e;
      }
      t = e >> 1;
    }
    mem[tableAt(storageOf(t)) + (page % 512)] = leaf * 2 + 1;
  };
  const identity = (f) => f;
  const newHostTable = () => newHfn(true);
  let g2h = new Float64Array(1024);
  let gfnCount = 0;
  let eptRoot = 0;
  const newGfn = (table) => {
    if (gfnCount === g2h.length) {
      const g = new Float64Array(g2h.length * 2);
      g.set(g2h);
      g2h = g;
    }
    const h = newHfn(table);
    g2h[gfnCount] = h;
    mapPage(eptRoot, gfnCount, h, newHostTable, identity);
    return gfnCount++;
  };
  const newGuestTable = () => newGfn(true);
  const guestStorage = (gfn) => g2h[gfn];

  newHfn(false); // frame 0 unused: a zero entry never points at a table
  let root;
  if (nested) {
    eptRoot = newHfn(true);
    root = newGfn(true);
  } else root = newHfn(true);
  const seen = new Set();
  for (let i = 0; i < n; i++) {
    const v = vpn(i);
    if (seen.has(v)) continue;
    seen.add(v);
    if (nested) mapPage(root, v, newGfn(false), newGuestTable, guestStorage);
    else mapPage(root, v, newHfn(false), newHostTable, identity);
  }
  const counts = nested ? loopNested(vpnLo, vpnHi, n, root, eptRoot, mem, slotOf) : loopNative(vpnLo, vpnHi, n, root, mem, slotOf);
  process.stdout.write(JSON.stringify({ mode: nested ? "nested" : "native", accesses: n, ...counts }) + "\n");
  return 0;
}

/** One table entry read: frame `t`'s entry `idx` (an entry is frame × 2 + present). */
function entry(mem, slotOf, t, idx) {
  return mem[slotOf[t] * 512 + idx];
}

/** walk1(eptRoot, g) for a guest frame g (below 2^27: 4 levels of 9 bits); -1 if not mapped. */
function hostWalk(mem, slotOf, eptRoot, g) {
  let e = entry(mem, slotOf, eptRoot, (g >>> 27) & 511);
  if ((e & 1) === 0) return -1;
  e = entry(mem, slotOf, e >> 1, (g >>> 18) & 511);
  if ((e & 1) === 0) return -1;
  e = entry(mem, slotOf, e >> 1, (g >>> 9) & 511);
  if ((e & 1) === 0) return -1;
  e = entry(mem, slotOf, e >> 1, g & 511);
  return (e & 1) === 0 ? -1 : e >> 1;
}

/**
 * The timed loop, native: TLB lookup, and on a miss a real 4-level walk and an LRU fill.
 * Page number v = vpnHi × 2^32 + vpnLo (unsigned); set = v mod 16; tag = v / 16, which for
 * 36-bit page numbers fits 32 bits.
 * Table indices are v's bits 27..35, 18..26, 9..17 and 0..8, cut from the halves.
 */
function loopNative(vpnLo, vpnHi, n, root, mem, slotOf) {
  const tag = new Int32Array(SETS * WAYS); // way w of set s at s × WAYS + w, most recent first
  const frame = new Int32Array(SETS * WAYS);
  const used = new Int32Array(SETS); // valid ways per set (they are the first `used`)
  // The checksum passes 2^31 on the uniform trace. A plain `sum += f` starts as a small integer
  // in V8's optimized code, overflows, deoptimizes and recompiles the whole loop in the middle of
  // the run (seen with --trace-deopt; a Float64Array slot does the same, "lost precision"), so
  // it is kept as two small integers: sum (below 2^30) and the carries out of it, taken without
  // a branch (a branch first taken after the loop is compiled deoptimizes it too).
  let sum = 0;
  let carries = 0;
  let hits = 0;
  let misses = 0;
  let refs = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const lo = vpnLo[i];
    const hi = vpnHi[i];
    const set = lo & 15; // v mod 16
    const base = set << 2; // set × 4 ways
    const t = (lo >>> 4) | (hi << 28); // v / 16: 32 bits
    const nv = used[set];
    if (nv !== 0 && tag[base] === t) {
      hits++; // the most recent way: already in LRU order, nothing to write
      sum += frame[base];
      carries += sum >>> 30;
      sum &= 0x3fffffff;
      continue;
    }
    let w = 1;
    while (w < nv && tag[base + w] !== t) w++;
    let f = -1;
    if (w < nv) {
      hits++;
      f = frame[base + w];
    } else {
      misses++;
      if (nv < WAYS) used[set] = nv + 1; // fill the first invalid way
      else w = WAYS - 1; // evict the least recent
      let e = entry(mem, slotOf, root, ((lo >>> 27) | (hi << 5)) & 511);
      refs++;
      if ((e & 1) !== 0) {
        e = entry(mem, slotOf, e >> 1, (lo >>> 18) & 511);
        refs++;
        if ((e & 1) !== 0) {
          e = entry(mem, slotOf, e >> 1, (lo >>> 9) & 511);
          refs++;
          if ((e & 1) !== 0) {
            e = entry(mem, slotOf, e >> 1, lo & 511);
            refs++;
            if ((e & 1) !== 0) f = e >> 1;
          }
        }
      }
    }
    // Move to the front: ways 0..w−1 shift down one, the entry goes in way 0.
    for (; w > 0; w--) {
      tag[base + w] = tag[base + w - 1];
      frame[base + w] = frame[base + w - 1];
    }
    tag[base] = t;
    frame[base] = f;
    sum += f;
    carries += sum >>> 30;
    sum &= 0x3fffffff;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { tlbHits: hits, tlbMisses: misses, walkRefs: refs, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, checksum: carries * 0x40000000 + sum };
}

/**
 * The timed loop, nested: loopNative's TLB with the 2D walk on a miss, each guest table frame and
 * then the data frame through the host table (4 references each; every page is premapped, so no
 * host walk stops part way). Two copies of the loop rather than one with a mode test or a walk
 * passed in: each compiles to less code, and measured faster (by 10–20%, in a noisy machine).
 */
function loopNested(vpnLo, vpnHi, n, root, eptRoot, mem, slotOf) {
  const tag = new Int32Array(SETS * WAYS); // way w of set s at s × WAYS + w, most recent first
  const frame = new Int32Array(SETS * WAYS);
  const used = new Int32Array(SETS); // valid ways per set (they are the first `used`)
  // The checksum passes 2^31 on the uniform trace. A plain `sum += f` starts as a small integer
  // in V8's optimized code, overflows, deoptimizes and recompiles the whole loop in the middle of
  // the run (seen with --trace-deopt; a Float64Array slot does the same, "lost precision"), so
  // it is kept as two small integers: sum (below 2^30) and the carries out of it, taken without
  // a branch (a branch first taken after the loop is compiled deoptimizes it too).
  let sum = 0;
  let carries = 0;
  let hits = 0;
  let misses = 0;
  let refs = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const lo = vpnLo[i];
    const hi = vpnHi[i];
    const set = lo & 15; // v mod 16
    const base = set << 2; // set × 4 ways
    const t = (lo >>> 4) | (hi << 28); // v / 16: 32 bits
    const nv = used[set];
    if (nv !== 0 && tag[base] === t) {
      hits++; // the most recent way: already in LRU order, nothing to write
      sum += frame[base];
      carries += sum >>> 30;
      sum &= 0x3fffffff;
      continue;
    }
    let w = 1;
    while (w < nv && tag[base + w] !== t) w++;
    let f = -1;
    if (w < nv) {
      hits++;
      f = frame[base + w];
    } else {
      misses++;
      if (nv < WAYS) used[set] = nv + 1; // fill the first invalid way
      else w = WAYS - 1; // evict the least recent
      let h = hostWalk(mem, slotOf, eptRoot, root);
      let e = entry(mem, slotOf, h, ((lo >>> 27) | (hi << 5)) & 511);
      refs += 5;
      if ((e & 1) !== 0) {
        h = hostWalk(mem, slotOf, eptRoot, e >> 1);
        e = entry(mem, slotOf, h, (lo >>> 18) & 511);
        refs += 5;
        if ((e & 1) !== 0) {
          h = hostWalk(mem, slotOf, eptRoot, e >> 1);
          e = entry(mem, slotOf, h, (lo >>> 9) & 511);
          refs += 5;
          if ((e & 1) !== 0) {
            h = hostWalk(mem, slotOf, eptRoot, e >> 1);
            e = entry(mem, slotOf, h, lo & 511);
            refs += 5;
            if ((e & 1) !== 0) {
              f = hostWalk(mem, slotOf, eptRoot, e >> 1);
              refs += 4;
            }
          }
        }
      }
    }
    // Move to the front: ways 0..w−1 shift down one, the entry goes in way 0.
    for (; w > 0; w--) {
      tag[base + w] = tag[base + w - 1];
      frame[base + w] = frame[base + w - 1];
    }
    tag[base] = t;
    frame[base] = f;
    sum += f;
    carries += sum >>> 30;
    sum &= 0x3fffffff;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { tlbHits: hits, tlbMisses: misses, walkRefs: refs, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, checksum: carries * 0x40000000 + sum };
}

process.exitCode = main(process.argv.slice(2));
