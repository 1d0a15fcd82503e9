/**
 * Exercise (notebook 03): predict the hits and misses of a small TLB.
 *
 * The seeded problem gives a short sequence of virtual addresses and a fully associative TLB
 * of a few entries with LRU replacement; the student marks each access hit or miss (and which
 * page is evicted), then the reveal shows the answers and the hit rate. The worked example is
 * OSTEP ch. 19's array walk (figure D7): ten 4-byte ints from virtual address 100 with 16-byte
 * pages give miss, hit, hit, miss, hit, hit, hit, miss, hit, hit: a 70% hit rate.
 *
 * The replay here is a deliberately tiny reference (an array in LRU order) so a student can
 * read it; the simulator's set-associative TLB in `mmu/` gives the same answers for a single
 * set (a unit test checks that).
 */
import { requireInt, requirePowerOfTwo } from "../../core/errors";
import { Random } from "../../core/random";
import { hex } from "../../core/format";
import type { SeededProblem } from "../shared/lesson-check";

/** One access replayed through the reference TLB. */
export interface TlbReplayStep {
  /** 1-based position in the sequence. */
  access: number;
  /** Virtual address accessed. */
  virtualAddress: number;
  /** Its virtual page number. */
  vpn: number;
  /** True on a TLB hit. */
  hit: boolean;
  /** The VPN evicted to make room on a miss, or null if there was a free entry (or a hit). */
  evictedVpn: number | null;
}

/**
 * Replays virtual addresses through a fully associative LRU TLB of `entries` entries, empty at
 * the start. `pageSizeBytes` must be a power of two.
 */
export function replayLruTlb(addresses: readonly number[], entries: number, pageSizeBytes: number): TlbReplayStep[] {
  requireInt("entries", entries, 1, 4096);
  requirePowerOfTwo("pageSizeBytes", pageSizeBytes, 1, 2 ** 30);
  const lru: number[] = []; // most recently used last
  return addresses.map((virtualAddress, i) => {
    const vpn = Math.floor(virtualAddress / pageSizeBytes);
    const at = lru.indexOf(vpn);
    let evictedVpn: number | null = null;
    if (at >= 0) lru.splice(at, 1);
    else if (lru.length === entries) evictedVpn = lru.shift()!;
    lru.push(vpn);
    return { access: i + 1, virtualAddress, vpn, hit: at >= 0, evictedVpn };
  });
}

/** Hit rate of a replay, from 0 to 1. */
export function replayHitRate(steps: readonly TlbReplayStep[]): number {
  return steps.length === 0 ? 0 : steps.filter((s) => s.hit).length / steps.length;
}

/** OSTEP ch. 19's array example (figure D7): `ints` 4-byte ints from `start`, 16-byte pages. */
export function ostepArrayTlbExample(options: { start?: number; ints?: number; pageSizeBytes?: number; entries?: number; passes?: number } = {}) {
  const start = requireInt("start", options.start ?? 100, 0, 2 ** 20);
  const ints = requireInt("ints", options.ints ?? 10, 1, 1000);
  const pageSizeBytes = options.pageSizeBytes ?? 16;
  const passes = requireInt("passes", options.passes ?? 1, 1, 10);
  const addresses: number[] = [];
  for (let p = 0; p < passes; p++) for (let i = 0; i < ints; i++) addresses.push(start + 4 * i);
  const steps = replayLruTlb(addresses, options.entries ?? 16, pageSizeBytes);
  const firstPass = steps.slice(0, ints);
  return {
    steps,
    rows: steps.map((s) => ({ access: s.access, "a[i]": `a[${(s.access - 1) % ints}]`, "virtual address": s.virtualAddress, VPN: s.vpn, result: s.hit ? "hit" : "miss" })),
    firstPassHitRate: replayHitRate(firstPass),
    hitRate: replayHitRate(steps),
  };
}

/**
 * A seeded TLB problem: `accesses` addresses over `pages` distinct pages (default 12 over 6),
 * a fully associative LRU TLB of `entries` entries (default 4), `pageSizeBytes` pages (default
 * 4096). Accesses revisit recent pages often, so hits and evictions both happen.
 */
export function tlbReplayProblem(seed = 1, options: { accesses?: number; pages?: number; entries?: number; pageSizeBytes?: number } = {}): SeededProblem {
  const accesses = requireInt("accesses", options.accesses ?? 12, 1, 50);
  const pages = requireInt("pages", options.pages ?? 6, 1, 64);
  const entries = requireInt("entries", options.entries ?? 4, 1, 64);
  const pageSizeBytes = requirePowerOfTwo("pageSizeBytes", options.pageSizeBytes ?? 4096, 16, 2 ** 21);
  const rng = new Random(seed);
  const pageSet = new Set<number>();
  while (pageSet.size < pages) pageSet.add(rng.int(64));
  const vpnPool = [...pageSet];
  let addresses: number[] = [];
  // Draw until the sequence touches more pages than the TLB holds (so evictions happen), when it
  // can; the draws stay deterministic for a seed.
  for (let attempt = 0; attempt < 50; attempt++) {
    addresses = [];
    let previous = rng.pick(vpnPool);
    for (let i = 0; i < accesses; i++) {
      // Often stay on the recent page (locality), otherwise jump anywhere in the pool.
      const vpn = rng.next() < 0.4 ? previous : rng.pick(vpnPool);
      previous = vpn;
      addresses.push(vpn * pageSizeBytes + rng.int(pageSizeBytes));
    }
    const distinct = new Set(addresses.map((a) => Math.floor(a / pageSizeBytes))).size;
    if (distinct > entries || distinct === Math.min(pages, accesses)) break;
  }
  const steps = replayLruTlb(addresses, entries, pageSizeBytes);
  const questions = steps.map((s) => ({ access: s.access, "virtual address": hex(s.virtualAddress) }));
  const answers = steps.map((s) => ({
    access: s.access,
    "virtual address": hex(s.virtualAddress),
    VPN: s.vpn,
    result: s.hit ? "hit" : "miss",
    evicts: s.evictedVpn === null ? "" : `VPN ${s.evictedVpn}`,
  }));
  const hits = steps.filter((s) => s.hit).length;
  return {
    seed,
    parameters: `seed ${seed} · ${accesses} accesses · ${pageSizeBytes}-byte pages · TLB: ${entries} entries, fully associative, LRU, empty at start`,
    prompt: `For each access, find the virtual page number (address ÷ ${pageSizeBytes}), then say **hit** or **miss**; on a miss with a full TLB, say which page is evicted (the least recently used).`,
    questions,
    answers,
    stats: `hits ${hits} · misses ${accesses - hits} · hit rate ${Math.round((100 * hits) / accesses)}%`,
  };
}
