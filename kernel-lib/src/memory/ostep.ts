/**
 * OSTEP's "memory dump + page-directory base" problems (figure D10,
 * `paging-multilevel-translate.py` in remzi-arpacidusseau/ostep-homework, vm-smalltables).
 *
 * The homework prints the PDBR and a hex dump of physical memory, one line per page, then asks
 * what each virtual address translates to. These helpers load such a dump into
 * {@link PhysicalMemory} and translate with the same {@link PageTable} the simulator uses, so a
 * student can check hand work against the library.
 */
import { ConfigError, ParseError } from "../core/errors";
import { OSTEP_TWO_LEVEL, type AddressLayout } from "./layout";
import { PageTable } from "./page-table";
import { PhysicalMemory } from "./physical-memory";
import type { WalkStep } from "./walk-step";

/** A parsed memory dump. */
export interface OstepMemoryImage {
  /** Memory with every dumped page loaded. */
  memory: PhysicalMemory;
  /** The page-directory base register (a frame number), if the text had a "PDBR:" line. */
  pdbr: number | undefined;
}

/**
 * Parses an OSTEP memory dump: lines `page N: <hex bytes>` (with or without spaces between
 * bytes) and an optional `PDBR: N` line. Other lines are ignored. Each page must have exactly
 * one page of bytes. Throws a ParseError naming the line otherwise.
 */
export function parseOstepMemoryDump(text: string, layout: AddressLayout = OSTEP_TWO_LEVEL, source = "memory dump"): OstepMemoryImage {
  const frameCount = layout.physicalFrames;
  const memory = new PhysicalMemory({ pageSizeBytes: layout.pageSizeBytes, frameCount, name: source });
  let pdbr: number | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const pd = /^PDBR:\s*(\d+)/i.exec(line);
    if (pd) {
      pdbr = Number(pd[1]);
      if (pdbr >= frameCount) throw new ParseError(source, i + 1, `PDBR ${pdbr} is not a frame (0..${frameCount - 1})`);
      return;
    }
    const m = /^page\s+(\d+)\s*:(.*)$/i.exec(line);
    if (!m) return;
    const frame = Number(m[1]);
    if (frame >= frameCount) throw new ParseError(source, i + 1, `page ${frame} is beyond physical memory (0..${frameCount - 1})`);
    const hex = m[2]!.replace(/\s+/g, "");
    if (!/^[0-9a-f]*$/i.test(hex)) throw new ParseError(source, i + 1, "page contents must be hex digits");
    if (hex.length !== layout.pageSizeBytes * 2) {
      throw new ParseError(source, i + 1, `page ${frame} has ${hex.length / 2} bytes; expected ${layout.pageSizeBytes}`);
    }
    const bytes = new Array<number>(layout.pageSizeBytes);
    for (let b = 0; b < layout.pageSizeBytes; b++) bytes[b] = parseInt(hex.slice(2 * b, 2 * b + 2), 16);
    memory.loadFrame(frame, bytes);
  });
  return { memory, pdbr };
}

/** The answer to one OSTEP translation question. */
export interface OstepAnswer {
  /** True if the address translates. */
  ok: boolean;
  /** Physical address (when ok). */
  physicalAddress: number;
  /** The byte stored there (when ok). */
  value: number;
  /** OSTEP's wording: "Translates to Physical Address 0x6bc --> Value: 08" or a Fault line. */
  answer: string;
  /** The entries read, directory first. */
  steps: WalkStep[];
}

/** Translates `virtualAddress` in an OSTEP-style machine and phrases the answer as OSTEP does. */
export function solveOstepTranslation(memory: PhysicalMemory, pdbr: number, virtualAddress: number, layout: AddressLayout = OSTEP_TWO_LEVEL): OstepAnswer {
  if (memory.pageSizeBytes !== layout.pageSizeBytes) throw new ConfigError("memory.pageSizeBytes", memory.pageSizeBytes, `${layout.pageSizeBytes}`);
  const table = new PageTable(memory, layout, pdbr);
  const t = table.translate(virtualAddress);
  if (!t.ok) {
    const which = t.level === layout.levels ? "page directory entry" : "page table entry";
    return { ok: false, physicalAddress: -1, value: -1, answer: `Fault (${which} not valid)`, steps: t.steps };
  }
  const value = memory.readByte(t.physicalAddress);
  const hex2 = value.toString(16).padStart(2, "0");
  return {
    ok: true,
    physicalAddress: t.physicalAddress,
    value,
    answer: `Translates to Physical Address 0x${t.physicalAddress.toString(16)} --> Value: ${hex2}`,
    steps: t.steps,
  };
}
