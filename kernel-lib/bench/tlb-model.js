#!/usr/bin/env node
/**
 * tlb-model.c ported line by line to JavaScript, for `npm run bench` only: the same model,
 * hand-inlined into one loop over typed arrays (no classes, no memo, no A/D bits, no tags, no
 * large pages), as fast as V8 runs this loop in a single process. It measures the floor for
 * the simulator's loop on V8: the gap between it and the C build is the language's, the gap
 * between it and the simulator's loop (the CLI's "seconds") is the simulator's own.
 *
 *   node tlb-model.js TRACE.raw64 native|nested [sets] [ways]
 *
 * Prints the same JSON object as tlb-model.c (counts and checksum that must equal it, loop
 * seconds and CPU seconds, JIT warm-up included as a single run pays it). Page numbers are
 * doubles, as in the simulator (a 48-bit address's page number does not fit in 32 bits).
 */
"use strict";
const { readFileSync } = require("node:fs");

function main(argv) {
  if (argv.length < 2) {
    process.stderr.write("usage: tlb-model.js TRACE.raw64 native|nested [sets] [ways]\n");
    return 2;
  }
  const nested = argv[1] === "nested";
  const sets = argv.length > 2 ? Number(argv[2]) : 16;
  const ways = argv.length > 3 ? Number(argv[3]) : 4;
  const bytes = readFileSync(argv[0]);
  const n = bytes.length >>> 3;
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * 8);
  const vpn = new Float64Array(n);
  for (let i = 0; i < n; i++) vpn[i] = Math.floor((view.getUint32(8 * i + 4, true) * 4294967296 + view.getUint32(8 * i, true)) / 4096);

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
    if (seen.has(vpn[i])) continue;
    seen.add(vpn[i]);
    if (nested) mapPage(root, vpn[i], newGfn(false), newGuestTable, guestStorage);
    else mapPage(root, vpn[i], newHfn(false), newHostTable, identity);
  }
  const counts = loop(vpn, n, nested, root, eptRoot, mem, slotOf, sets, ways);
  process.stdout.write(JSON.stringify({ mode: nested ? "nested" : "native", accesses: n, ...counts }) + "\n");
  return 0;
}

/** The timed loop: TLB lookup, and on a miss a real walk (1D or 2D) and an LRU fill. */
function loop(vpn, n, nested, root, eptRoot, mem, slotOf, sets, ways) {
  const entries = sets * ways;
  const tvpn = new Float64Array(entries);
  const tframe = new Float64Array(entries);
  const stamp = new Float64Array(entries);
  const valid = new Uint8Array(entries);
  const setMask = sets - 1;
  let clock = 0;
  let hits = 0;
  let misses = 0;
  let refs = 0;
  let sum = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const v = vpn[i];
    const base = ((v >>> 0) & setMask) * ways; // v >>> 0: the page number mod 2^32
    let hit = -1;
    for (let w = base; w < base + ways; w++) {
      if (valid[w] === 1 && tvpn[w] === v) {
        hit = w;
        break;
      }
    }
    if (hit >= 0) {
      stamp[hit] = ++clock;
      hits++;
      sum += tframe[hit];
      continue;
    }
    misses++;
    // The walk: walk1 of the host table, or the 2D walk (each guest table frame and the data frame through the EPT).
    // Table indices from the page number's two 32-bit halves (it may pass 2^32), as the simulator does.
    const hi = Math.floor(v / 4294967296);
    const lo = v >>> 0;
    let fr = -1;
    if (nested) {
      let g = root;
      for (let lvl = 3; lvl >= -1; lvl--) {
        let h = eptRoot; // walk1(eptRoot, g): guest frames are below 2^30
        for (let hl = 3; hl >= 0; hl--) {
          const e = mem[slotOf[h] * 512 + ((g >>> (9 * hl)) & 511)];
          refs++;
          if ((e & 1) === 0) {
            h = -1;
            break;
          }
          h = e >> 1;
        }
        if (h < 0 || lvl < 0) {
          fr = h;
          break;
        }
        const s = 9 * lvl;
        const e = mem[slotOf[h] * 512 + ((s === 27 ? (lo >>> 27) | (hi << 5) : lo >>> s) & 511)];
        refs++;
        if ((e & 1) === 0) break;
        g = e >> 1;
      }
    } else {
      let t = root;
      for (let lvl = 3; lvl >= 0; lvl--) {
        const s = 9 * lvl;
        const e = mem[slotOf[t] * 512 + ((s === 27 ? (lo >>> 27) | (hi << 5) : lo >>> s) & 511)];
        refs++;
        if ((e & 1) === 0) {
          t = -1;
          break;
        }
        t = e >> 1;
      }
      fr = t;
    }
    let victim = base;
    let oldest = Infinity;
    for (let w = base; w < base + ways; w++) {
      if (valid[w] === 0) {
        victim = w;
        break;
      }
      if (stamp[w] < oldest) {
        oldest = stamp[w];
        victim = w;
      }
    }
    valid[victim] = 1;
    tvpn[victim] = v;
    tframe[victim] = fr;
    stamp[victim] = ++clock;
    sum += fr;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { tlbHits: hits, tlbMisses: misses, walkRefs: refs, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, checksum: sum };
}

process.exitCode = main(process.argv.slice(2));
