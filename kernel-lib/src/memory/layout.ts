/**
 * The address layouts a lesson names: x86-64 4-level and 5-level paging and OSTEP's toy
 * machines, built from {@link AddressLayout} (address-layout.ts, re-exported here with its
 * types so that "memory/layout" stays the one import for layouts).
 */
import { ConfigError } from "../core/errors";
import { AddressLayout, type PteFormatSpec } from "./address-layout";

export * from "./address-layout";

/** The x86-64 8-byte PTE: P=0, R/W=1, U/S=2, A=5, D=6, PS=7, frame in bits 12..51 (Intel SDM Vol. 3A §4.5). */
export const X86_64_PTE: PteFormatSpec = {
  sizeBytes: 8,
  presentBit: 0,
  writableBit: 1,
  userBit: 2,
  accessedBit: 5,
  dirtyBit: 6,
  largePageBit: 7,
  frameShift: 12,
  frameBits: 40,
};

/** x86-64 4-level paging: 48-bit VA, 4 KiB pages, 9 bits per level, 2 MiB and 1 GiB leaves (figure A1). */
export const X86_64_4LEVEL = new AddressLayout({
  name: "x86-64 4-level",
  pageSizeBytes: 4096,
  indexBits: [9, 9, 9, 9],
  virtualAddressBits: 48,
  physicalAddressBits: 52,
  pte: X86_64_PTE,
  largePageLevels: [2, 3],
});

/** x86-64 5-level paging (LA57): 57-bit VA, five 9-bit levels, 2 MiB and 1 GiB leaves (figure A7). */
export const X86_64_5LEVEL = new AddressLayout({
  name: "x86-64 5-level",
  pageSizeBytes: 4096,
  indexBits: [9, 9, 9, 9, 9],
  virtualAddressBits: 57,
  physicalAddressBits: 52,
  pte: X86_64_PTE,
  largePageLevels: [2, 3],
});

/**
 * OSTEP's multi-level toy machine (figure D10, `paging-multilevel-translate.py`): 32-byte
 * pages, 15-bit VA = 5-bit directory index + 5-bit table index + 5-bit offset, 128 physical
 * pages (12-bit PA), 1-byte entries of a valid bit (bit 7) and a 7-bit PFN.
 */
export const OSTEP_TWO_LEVEL = new AddressLayout({
  name: "OSTEP 2-level (32-byte pages)",
  pageSizeBytes: 32,
  indexBits: [5, 5],
  virtualAddressBits: 15,
  physicalAddressBits: 12,
  pte: { sizeBytes: 1, presentBit: 7, frameShift: 0, frameBits: 7 },
});

/**
 * OSTEP's linear-table default (figure D9, `paging-linear-translate.py`): 16 KiB address
 * space, 4 KiB pages, one 4-entry table; each 4-byte PTE is a valid bit (bit 31) plus the PFN.
 * Physical memory 64 KiB (16-bit PA).
 */
export const OSTEP_LINEAR = new AddressLayout({
  name: "OSTEP linear (16 KiB space, 4 KiB pages)",
  pageSizeBytes: 4096,
  indexBits: [2],
  virtualAddressBits: 14,
  physicalAddressBits: 16,
  pte: { sizeBytes: 4, presentBit: 31, frameShift: 0, frameBits: 31 },
});

/** The layout presets by short name, for CLIs and notebook pickers. */
export const ADDRESS_LAYOUTS: Readonly<Record<string, AddressLayout>> = {
  "x86-64-4level": X86_64_4LEVEL,
  "x86-64-5level": X86_64_5LEVEL,
  "ostep-2level": OSTEP_TWO_LEVEL,
  "ostep-linear": OSTEP_LINEAR,
};

/** The x86-64 layout with `levels` (4 or 5) levels. */
export function x86Layout(levels: number, field = "levels"): AddressLayout {
  if (levels === 4) return X86_64_4LEVEL;
  if (levels === 5) return X86_64_5LEVEL;
  throw new ConfigError(field, levels, "4 or 5");
}
