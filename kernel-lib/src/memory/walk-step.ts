/**
 * One step of a page walk: which table was read, at which index, and what entry came back.
 * Shared by the software page table and the hardware walker so a notebook draws both the same.
 */

/** Which translation a step belongs to. */
export type WalkDimension =
  /** A walk of an ordinary (native) page table. */
  | "native"
  /** A read of a guest page-table entry (nested paging: the guest dimension). */
  | "guest"
  /** A read of a host (EPT/NPT) entry, translating a guest-physical address. */
  | "host"
  /** A read of a shadow page-table entry (shadow paging). */
  | "shadow";

/** One memory reference made by a walk. */
export interface WalkStep {
  /** The dimension of the table read. */
  dimension: WalkDimension;
  /** Level of the table (root = number of levels, last table = 1). */
  level: number;
  /** Frame holding the table (a host frame for every hardware read). */
  tableFrame: number;
  /** Physical address of the table's start. */
  tableAddress: number;
  /** Index of the entry within the table. */
  index: number;
  /** Physical address of the entry that was read. */
  entryAddress: number;
  /** The entry's value (exact: x86 entries use bits below 2^52). */
  entryValue: number;
  /** The entry in hex, e.g. "0x3000027". */
  entryHex: string;
  /** Present/valid bit of the entry. */
  present: boolean;
  /** True if the entry is a leaf (maps a page rather than pointing at a table). */
  leaf: boolean;
  /** For nested walks: which guest level this host walk serves (0 = the final data page). */
  forGuestLevel?: number;
}

/** Formats an entry value as hex. */
export function entryHex(lo: number, hi: number): string {
  if (hi === 0) return "0x" + (lo >>> 0).toString(16);
  return "0x" + (hi >>> 0).toString(16) + (lo >>> 0).toString(16).padStart(8, "0");
}
