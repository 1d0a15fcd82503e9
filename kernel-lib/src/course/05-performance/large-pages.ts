/**
 * Notebook 05, part 3: TLB reach and large pages (random reads over a working set far beyond the
 * TLB, with 4 KiB and 2 MiB pages in the guest and the host), and the tlb-size playground's notice.
 */
import { ConfigError, requireInt } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import type { MemoryVirtualizationMode } from "../../hypervisor/machine";
import { uniformWorkload } from "../../workloads/generators";
import { measureMemoryOn } from "../../experiments/measure";
import { tlbSizeRows, type TlbSizeParams } from "../../playgrounds";
import { LESSON_HOST_MEMORY_BYTES } from "../shared/memory-runs";

/** One configuration of the large-page comparison. */
export type PageSizeRow = {
  /** Label, e.g. "nested, guest 4 KiB / host 2 MiB". */
  configuration: string;
  /** "native" or "nested". */
  mode: string;
  /** Page size the TLB entries cover, KiB. */
  tlbPageKiB: number;
  /** TLB reach: entries × page size, KiB. */
  tlbReachKiB: number;
  /** TLB hit rate, %. */
  tlbHitPercent: number;
  /** Page-table entries read per walk (measured). */
  walkReferences: number;
  /** Modeled cycles per access. */
  cyclesPerAccess: number;
};

/**
 * Random reads over `pages` 4 KiB pages (default 4096 = 16 MiB, far beyond a 64-entry TLB's
 * 256 KiB reach) with 4 KiB and 2 MiB pages in the guest and the host.
 */
export function largePages(options: { seed?: number; pages?: number } = {}): PageSizeRow[] {
  const pages = requireInt("pages", options.pages ?? 4096, 1, 1 << 20);
  const trace = uniformWorkload({ accesses: 10_000, pages, seed: options.seed ?? 1 });
  const MiB2 = 2 * 1024 * 1024;
  const configs: { configuration: string; mode: MemoryVirtualizationMode; guest?: number; host?: number }[] = [
    { configuration: "native, 4 KiB pages", mode: "native" },
    { configuration: "native, 2 MiB pages", mode: "native", guest: MiB2 },
    { configuration: "nested, guest 4 KiB / host 4 KiB", mode: "nested" },
    { configuration: "nested, guest 4 KiB / host 2 MiB", mode: "nested", host: MiB2 },
    { configuration: "nested, guest 2 MiB / host 2 MiB", mode: "nested", guest: MiB2, host: MiB2 },
  ];
  return configs.map((c) => {
    const { stats: s, machine } = measureMemoryOn(trace, c.mode, {
      machine: { hostMemoryBytes: LESSON_HOST_MEMORY_BYTES, ...(c.host ? { hostPageSizeBytes: c.host } : {}) },
      vm: c.guest ? { guestPageSizeBytes: c.guest } : {},
    });
    const tlbPageKiB = (c.guest ?? 4096) / 1024;
    return {
      configuration: c.configuration,
      mode: c.mode,
      tlbPageKiB,
      tlbReachKiB: machine.mmu.tlb.entries * tlbPageKiB,
      tlbHitPercent: 100 * s.tlbHitRate,
      walkReferences: s.walks === 0 ? 0 : s.walkRefs / s.walks,
      cyclesPerAccess: s.cycles / s.accesses,
    };
  });
}

function pageRow(rows: readonly PageSizeRow[], configuration: string): PageSizeRow {
  const r = rows.find((x) => x.configuration === configuration);
  if (!r) throw new ConfigError("rows", configuration, "rows from largePages");
  return r;
}

/**
 * TLB reach from the large-page rows: entries (the same for every page size in this model),
 * reach with 4 KiB and 2 MiB pages, and the working set of `pages` 4 KiB pages for comparison.
 */
export function tlbReachNotice(rows: readonly PageSizeRow[], pages: number): string {
  const small = pageRow(rows, "nested, guest 4 KiB / host 4 KiB"), big = pageRow(rows, "nested, guest 2 MiB / host 2 MiB");
  const entries = small.tlbReachKiB / small.tlbPageKiB;
  const bigEntries = big.tlbReachKiB / big.tlbPageKiB;
  const ws = pages * 4;
  return (
    `**TLB reach in this run:** the simulated TLB holds ${f(entries)} entries` +
    (bigEntries === entries ? ` for 4 KiB and 2 MiB pages alike` : ` for 4 KiB pages and ${f(bigEntries)} for 2 MiB pages`) +
    `. With 4 KiB pages it reaches ${f(small.tlbReachKiB)} KiB; with 2 MiB pages ${f(big.tlbReachKiB)} KiB, ` +
    `${f(big.tlbReachKiB / small.tlbReachKiB)}× more. The program's working set is ${f(ws)} KiB ` +
    `(${f(pages)} pages of 4 KiB): ${small.tlbReachKiB >= ws ? "it fits even with small pages" : big.tlbReachKiB >= ws ? "it fits only with 2 MiB pages" : "it fits with neither"}.`
  );
}

/** "What to notice" for the large-page chart, from its rows. */
export function largePagesNotice(rows: readonly PageSizeRow[]): string {
  const n44 = pageRow(rows, "nested, guest 4 KiB / host 4 KiB"), n42 = pageRow(rows, "nested, guest 4 KiB / host 2 MiB");
  const n22 = pageRow(rows, "nested, guest 2 MiB / host 2 MiB"), nat = pageRow(rows, "native, 4 KiB pages");
  return (
    `**What to notice:** host 2 MiB pages shorten each nested walk from ${f(n44.walkReferences)} to ${f(n42.walkReferences)} memory reads, ` +
    `but the TLB hit rate stays at ${f(n42.tlbHitPercent)} % (the guest still maps 4 KiB pages), so the cost only falls from ` +
    `${f(n44.cyclesPerAccess)} to ${f(n42.cyclesPerAccess)} cycles per access. With 2 MiB pages in the guest as well, ${f(n22.tlbHitPercent)} % ` +
    `of accesses hit, the rare walk reads ${f(n22.walkReferences)} entries, and an access costs ${f(n22.cyclesPerAccess)} cycles ` +
    `(native with 4 KiB pages: ${f(nat.cyclesPerAccess)}).`
  );
}

/** "What to notice" under the tlb-size playground, from the playground's own rows for the same parameters. */
export function tlbPlaygroundNotice(params: TlbSizeParams): string {
  const rows = tlbSizeRows(params);
  const by = (mode: string) => rows.find((r) => r.mode === mode)!;
  const [nat, sh, ne] = [by("native"), by("shadow"), by("nested")];
  const pct = (x: number) => `${f(100 * x)} %`;
  return (
    `**What to notice** (${f(params.tlbEntries)} entries for ${f(params.workingSetPages)} pages): the TLB hits ${pct(nat.tlbHitRate)} of ` +
    `accesses natively, ${pct(sh.tlbHitRate)} under shadow paging and ${pct(ne.tlbHitRate)} under nested paging. A miss reads ` +
    `${f(sh.walkRefsPerAccess / Math.max(1e-9, 1 - sh.tlbHitRate))} entries under shadow paging and ${f(ne.walkRefsPerAccess / Math.max(1e-9, 1 - ne.tlbHitRate))} ` +
    `under nested paging, so an access costs ${f(nat.cyclesPerAccess)} cycles natively, ${f(sh.cyclesPerAccess)} with shadow and ` +
    `${f(ne.cyclesPerAccess)} with nested paging. Grow the TLB past the working set: what happens to the gap?`
  );
}
