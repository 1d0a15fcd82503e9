/**
 * The page-walk cache (Intel's paging-structure caches, AMD's page walk cache): remembers,
 * per dimension and depth, which table a prefix of the page number leads to, so a walk can
 * start below the root (figures A9, A10, A17). Off by default (0 entries), which gives the
 * architectural reference counts. Direct-mapped per (dimension, depth); keyed by the root too.
 */
import { requireInt } from "../core/errors";
import type { AddressLayout } from "../memory/layout";

/** A page-walk cache of `entries` entries per depth and dimension. */
export class PageWalkCache {
  /** Entries per depth and dimension (0 = off). */
  readonly entries: number;
  /** Result of {@link deepest}: the cached table frame. */
  table = 0;
  private readonly key: Float64Array;
  private readonly root: Float64Array;
  private readonly frame: Float64Array;

  constructor(entries: number) {
    this.entries = requireInt("walkCacheEntries", entries, 0, 4096);
    // Layout: [dimension 0..3][depth 0..7][entry] flattened.
    const n = Math.max(1, 4 * 8 * this.entries);
    this.key = new Float64Array(n).fill(-1);
    this.root = new Float64Array(n).fill(-1);
    this.frame = new Float64Array(n);
  }

  private slot(dim: number, depth: number, prefix: number): number {
    const e = this.entries;
    return (dim * 8 + depth) * e + ((prefix - Math.floor(prefix / e) * e) | 0);
  }

  /**
   * The deepest depth (at least 1) whose table for `vpn` is cached for walks from `rootFrame`,
   * with the table in {@link table}; 0 when none is (the walk starts at the root).
   */
  deepest(L: AddressLayout, dim: number, rootFrame: number, vpn: number): number {
    for (let d = L.levels - 1; d >= 1; d--) {
      const prefix = Math.floor(vpn / L.pagesPerEntryAtDepth[d - 1]!);
      const k = this.slot(dim, d, prefix);
      if (this.key[k] === prefix && this.root[k] === rootFrame) {
        this.table = this.frame[k]!;
        return d;
      }
    }
    return 0;
  }

  /** Remembers that the entry read at `depth` for `vpn` points at table `next` (the table of depth + 1). */
  store(L: AddressLayout, dim: number, rootFrame: number, vpn: number, depth: number, next: number): void {
    const prefix = Math.floor(vpn / L.pagesPerEntryAtDepth[depth]!);
    const k = this.slot(dim, depth + 1, prefix);
    this.key[k] = prefix;
    this.root[k] = rootFrame;
    this.frame[k] = next;
  }

  /** Drops every entry (after any page-table change). */
  flush(): void {
    this.key.fill(-1);
  }
}
