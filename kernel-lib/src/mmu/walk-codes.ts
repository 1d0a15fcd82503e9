/**
 * The page walker's result codes and options (walker.ts): how a walk ended and what the
 * translation allows.
 */

/** Walk outcome: translated. */
export const WALK_OK = 0;
/** Walk outcome: an entry on the way was not present. */
export const WALK_NOT_PRESENT = 1;
/** Walk outcome: an address outside the table's range or a frame outside physical memory. */
export const WALK_OUT_OF_RANGE = 2;
/** Walk outcome: the translation exists but forbids the access (a write to a read-only page). */
export const WALK_PROTECTION = 3;

/** Permission bit of a walk result: every level allows writes (R/W = 1 at each level, SDM Vol. 3A §4.6). */
export const PERM_WRITE = 1;
/** Permission bit of a walk result: the leaf's dirty bit is set (or the format has none), so a write needs no walk to set it. */
export const PERM_DIRTY = 2;
/** Both: a cached translation that a write may use as is. */
export const PERM_WRITE_DIRTY = 3;

/** Options of PageWalker (walker.ts). */
export interface PageWalkerOptions {
  /**
   * Entries per level of the page-walk cache (paging-structure cache), per dimension.
   * 0 (the default) disables it, giving the architectural reference counts.
   */
  walkCacheEntries?: number;
  /**
   * The simulator's memos of completed walks (host walks, whole walks): they change no result
   * or count, only speed. Default true; false is for tests that check exactly that.
   */
  memo?: boolean;
}
