/**
 * Notebook 03's what-if for the cloud CTO: a light app with process churn and a gaming server
 * with a large static working set, on bare metal and under shadow and nested paging, each with
 * 4 KiB and with 2 MiB pages.
 */
import { barChart } from "../../charts/builders";
import { labelBars } from "../../charts/bar-labels";
import { Random } from "../../core/random";
import type { MemoryVirtualizationMode } from "../../hypervisor/machine";
import { TraceBuilder } from "../../workloads/trace";
import { cyclesPerAccess, measureMemory } from "../../experiments/measure";
import { forkServerTrace } from "../shared/traces";

const MiB = 2 ** 20;

/** One bar of the CTO's what-if: a setup and whether it uses 2 MiB pages. */
const CTO_SETUPS: { label: string; mode: MemoryVirtualizationMode; large: boolean }[] = [
  { label: "bare metal", mode: "native", large: false },
  { label: "bare metal + 2 MiB pages", mode: "native", large: true },
  { label: "shadow paging", mode: "shadow", large: false },
  { label: "shadow + 2 MiB pages", mode: "shadow", large: true },
  { label: "nested paging (EPT/NPT)", mode: "nested", large: false },
  { label: "nested + 2 MiB pages", mode: "nested", large: true },
];

/**
 * The CTO's what-if: a light app with process churn and a gaming server with a large static
 * working set, each on bare metal, under shadow paging and under nested paging, every one of the
 * three with 4 KiB and with 2 MiB pages, so that each virtualized bar has a bare-metal bar with
 * the same pages to be compared with. "2 MiB pages" means: the host backs guest memory with
 * 2 MiB pages (nested: EPT/NPT leaves; shadow: the cap on shadow page size), and the game's OS
 * maps its state with 2 MiB pages (on bare metal that is all there is); the light apps'
 * short-lived request processes keep 4 KiB pages in every setup.
 */
export function ctoWhatIf(options: { seed?: number; accesses?: number } = {}) {
  const seed = options.seed ?? 1;
  const accesses = options.accesses ?? 20000;
  const light = forkServerTrace(seed, accesses, 32, 300);
  const gamingPages = 4096; // 16 MiB of game state touched at random
  const rng = new Random(seed);
  const b = new TraceBuilder(4096, accesses);
  b.premapRange(0, 0x40000, gamingPages);
  for (let i = 0; i < accesses; i++) b.read(0x40000 + rng.int(gamingPages));
  const gaming = b.build("gaming server", seed);
  const rows: { workload: string; setup: string; "cycles per access": number; "TLB hit rate (%)": number; "VM exits": number }[] = [];
  const exact = new Map<string, number>(); // unrounded cycles per access, for the ratios
  for (const [name, trace, guestLarge] of [["light apps (a process per request)", light, false], ["gaming server (16 MiB static state)", gaming, true]] as const) {
    for (const c of CTO_SETUPS) {
      const s = measureMemory(trace, c.mode, {
        machine: { hostMemoryBytes: 2 ** 30, hypervisorPoolBytes: 64 * MiB, hostPageSizeBytes: c.large ? 2 * MiB : 4096 },
        vm: { memoryBytes: 256 * MiB, guestPageSizeBytes: c.large && guestLarge ? 2 * MiB : 4096 },
        warmUp: "repeat",
      });
      exact.set(`${name}|${c.label}`, cyclesPerAccess(s));
      rows.push({ workload: name, setup: c.label, "cycles per access": Math.round(100 * cyclesPerAccess(s)) / 100, "TLB hit rate (%)": Math.round(1000 * s.tlbHitRate) / 10, "VM exits": s.vmExits });
    }
  }
  const figure = barChart(rows, {
    x: "workload",
    y: "cycles per access",
    color: "setup",
    title: "The CTO's choice: cost per memory access, with 4 KiB and with 2 MiB pages",
    xTitle: "workload",
    yTitle: "cycles per memory access (log scale)",
    logY: true,
  });
  labelBars(figure);
  // Each 2 MiB bar in a lighter shade of its 4 KiB bar: bare metal grey, shadow orange, nested blue.
  const colors: Record<string, string> = {
    "bare metal": "#555555", "bare metal + 2 MiB pages": "#aaaaaa",
    "shadow paging": "#e6550d", "shadow + 2 MiB pages": "#fdae6b",
    "nested paging (EPT/NPT)": "#3182bd", "nested + 2 MiB pages": "#9ecae1",
  };
  for (const t of figure.data) t.marker = { color: colors[t.name ?? ""] ?? "#888888" };
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const of = (w: string, label: string) => rows.find((r) => r.workload === w && r.setup === label)!;
  // Each virtualized setup against bare metal with the same pages.
  const baselineOf = (label: string) => (CTO_SETUPS.find((c) => c.label === label)!.large ? "bare metal + 2 MiB pages" : "bare metal");
  const ratio = (w: string, label: string) => exact.get(`${w}|${label}`)! / exact.get(`${w}|${baselineOf(label)}`)!;
  const x = (v: number) => `${v.toFixed(1)}×`;
  const lines = workloads.map((w) => {
    const c = (label: string) => of(w, label)["cycles per access"];
    return (
      `- **${w}**. With 4 KiB pages: bare metal ${c("bare metal")} cycles per access, shadow ${c("shadow paging")} (${of(w, "shadow paging")["VM exits"]} VM exits), nested ${c("nested paging (EPT/NPT)")} (TLB hit rate ${of(w, "nested paging (EPT/NPT)")["TLB hit rate (%)"]}%). ` +
      `With 2 MiB pages: bare metal ${c("bare metal + 2 MiB pages")}, shadow ${c("shadow + 2 MiB pages")} (${of(w, "shadow + 2 MiB pages")["VM exits"]} VM exits), nested ${c("nested + 2 MiB pages")} (TLB hit rate ${of(w, "nested + 2 MiB pages")["TLB hit rate (%)"]}%). ` +
      `Against bare metal with the same pages (4 KiB / 2 MiB): shadow **${x(ratio(w, "shadow paging"))}** / **${x(ratio(w, "shadow + 2 MiB pages"))}**, nested **${x(ratio(w, "nested paging (EPT/NPT)"))}** / **${x(ratio(w, "nested + 2 MiB pages"))}**.`
    );
  });
  const worst = CTO_SETUPS.filter((c) => c.mode !== "native").map((c) => ({ setup: c.label, worst: Math.max(...workloads.map((w) => ratio(w, c.label))) }));
  worst.sort((a, b) => a.worst - b.worst);
  lines.push(
    `- Worst case over both workloads, against bare metal with the same pages: ${worst.map((r) => `${r.setup} ${x(r.worst)}`).join(", ")}. ` +
    `The setup closest to bare metal on both: **${worst[0]!.setup}**.`,
  );
  return { rows, figure, summary: lines.join("\n") };
}
