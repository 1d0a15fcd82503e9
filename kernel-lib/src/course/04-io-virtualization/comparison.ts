/**
 * Notebook 04, section 3 (the paths compared): which run each number comes from, the exits by
 * cause, and the "what to notice" texts of the comparison charts, the playground and the
 * trade-off table. The runs themselves are shared with notebooks 05 and 06 (shared/io-runs.ts).
 */
import { ConfigError } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import { defaultIoCosts } from "../../costs/io";
import { ioPathsRows, type IoPathsParams } from "../../playgrounds";
import { backlogRun, IO_REQUESTS, IO_STEADY_RPS, IO_VARIANTS, runOptions, steadyRun, variantByLabel, type PathRow, type RunOptions } from "../shared/io-runs";

/** "a 4.24 > b 2.63 ≈ c 2.63 …": rows ranked by value; "=" for equal values, "≈" when only the shown digits agree. */
function ranking(entries: readonly { label: string; value: number }[], order: "up" | "down", unit = ""): string {
  const sorted = [...entries].sort((a, b) => (order === "up" ? a.value - b.value : b.value - a.value));
  return sorted
    .map((e, i) => {
      const shown = `${e.label} ${f(e.value)}`;
      if (i === 0) return shown;
      const prev = sorted[i - 1]!.value;
      const sign = e.value === prev ? "=" : f(e.value) === f(prev) ? "≈" : order === "up" ? "<" : ">";
      return `${sign} ${shown}`;
    })
    .join(" ") + unit;
}

function rowOf(rows: readonly PathRow[], label: string): PathRow {
  const r = rows.find((x) => x.path === label);
  if (!r) throw new ConfigError("rows", label, "rows from pathComparison (every variant present)");
  return r;
}

/**
 * The two runs behind section 3, as markdown: which run each number comes from (a saturated
 * backlog for throughput; a steady stream for latency, exits and cycles), with its parameters.
 */
export function runsDescription(options: RunOptions = {}): string {
  const { seed, requestBytes } = runOptions(options);
  const capacity = Math.min(...IO_VARIANTS.map((v) => backlogRun(v, seed, requestBytes).throughputRps));
  return (
    `**Two runs per path** (one VM, one ${f(defaultIoCosts.linkGbps)} Gbit/s NIC, ${f(requestBytes)}-byte requests, seed ${seed}):\n` +
    `- **saturated**: a backlog of ${f(IO_REQUESTS)} requests, sent as fast as the path allows → the *throughput* chart;\n` +
    `- **steady stream**: ${f(IO_REQUESTS)} requests arriving at random (Poisson), ${f(IO_STEADY_RPS)} per second on ` +
    `average (${f((100 * IO_STEADY_RPS) / capacity)} % of the slowest path's capacity), so queues stay short and most ` +
    `requests travel on their own → the *latency*, *VM exits* and *CPU cycles* per request.`
  );
}

/** A caption for the comparison table that names its parameters and runs. */
export function runsCaption(options: RunOptions = {}): string {
  const { requestBytes } = runOptions(options);
  return `One VM, one ${f(defaultIoCosts.linkGbps)} Gbit/s NIC, ${f(requestBytes)}-byte requests (simulated): throughput from the saturated run, the rest from the steady stream`;
}

/** One bar segment of the exits-by-cause chart. */
export type ExitCauseRow = {
  /** Variant label. */
  path: string;
  /** Exit cause: mmio, pio, virtio-notify, interrupt, eoi. */
  cause: string;
  /** Exits of that cause per request on the steady stream. */
  exitsPerRequest: number;
};

const EXIT_CAUSE_ORDER = ["mmio", "pio", "virtio-notify", "interrupt", "eoi"];

/** Exits per request by cause for every variant on the steady stream (causes no path has are left out). */
export function exitCauses(options: RunOptions = {}): ExitCauseRow[] {
  const { seed, requestBytes } = runOptions(options);
  const runs = IO_VARIANTS.map((v) => ({ path: v.label, r: steadyRun(v, seed, {}, requestBytes) }));
  const seen = new Set(runs.flatMap(({ r }) => Object.entries(r.exitsPerRequestByCause).filter(([, n]) => (n ?? 0) > 0).map(([c]) => c)));
  const causes = [...EXIT_CAUSE_ORDER.filter((c) => seen.has(c)), ...[...seen].filter((c) => !EXIT_CAUSE_ORDER.includes(c)).sort()];
  return runs.flatMap(({ path, r }) => causes.map((cause) => ({ path, cause, exitsPerRequest: r.exitsPerRequestByCause[cause as keyof typeof r.exitsPerRequestByCause] ?? 0 })));
}

/**
 * "What to notice" for the exits chart: the steady stream's exits by kind, then the same paths in
 * the saturated run, where queued requests share kicks and interrupts, and whether the two runs
 * rank the paths the same way. A ranking of exits per request means something only with its run.
 */
export function exitRunsNotice(rows: readonly ExitCauseRow[], options: RunOptions = {}): string {
  const { seed, requestBytes } = runOptions(options);
  const paths = [...new Set(rows.map((r) => r.path))];
  const steady = paths.map((path) => ({ label: path, value: rows.filter((r) => r.path === path).reduce((s, r) => s + r.exitsPerRequest, 0) }));
  const irqOf = (path: string) => rows.filter((r) => r.path === path && (r.cause === "interrupt" || r.cause === "eoi")).reduce((s, r) => s + r.exitsPerRequest, 0);
  const sat = paths.map((path) => ({ label: path, value: backlogRun(variantByLabel(path), seed, requestBytes).exitsPerRequest }));
  const vio = backlogRun(variantByLabel("virtio"), seed, requestBytes);
  const order = (xs: typeof steady) => [...xs].sort((a, b) => b.value - a.value).map((x) => x.label).join();
  const withIrq = steady.filter((s) => s.value > 0 && irqOf(s.label) > 0).map((s) => `${f(irqOf(s.label))} of ${s.label}'s ${f(s.value)}`);
  const listed = withIrq.length > 1 ? `${withIrq.slice(0, -1).join(", ")} and ${withIrq[withIrq.length - 1]}` : withIrq.join("");
  return (
    `**What to notice:** these exits come from the **steady stream**. On it, interrupts and their EOIs make up ${listed || "none"} ` +
    `exits per request. The **saturated** run of the throughput chart counts differently: with a backlog, ` +
    `virtio kicks ${f(vio.doorbellsPerRequest)} times and takes ${f(vio.interruptsPerRequest)} interrupts per request, because queued ` +
    `requests share them. Ranked by exits per request, most first:\n` +
    `- steady stream: ${ranking(steady, "down")};\n` +
    `- saturated run: ${ranking(sat, "down")}.\n\n` +
    (order(steady) === order(sat) ? `The two runs rank the paths the same way, with different counts.` : `The two runs rank the paths **differently**.`) +
    ` So "which path exits most" needs its run named: notebook 01's hook measured a saturated run.`
  );
}

/** "What to notice" for the comparison charts, with the numbers from `rows`; says which run each number comes from. */
export function pathSummary(rows: readonly PathRow[]): string {
  const emu = rowOf(rows, "emulated"), pt = rowOf(rows, "passthrough"), posted = rowOf(rows, "passthrough + posted"), bare = rowOf(rows, "bare-metal");
  const sameThroughput = Math.abs(posted.throughputGbps - pt.throughputGbps) <= 0.02 * posted.throughputGbps;
  const over = 100 * (posted.meanLatencyUs / bare.meanLatencyUs - 1);
  return (
    `**What to notice.** *Throughput* (saturated run), lowest first: ${ranking(rows.map((r) => ({ label: r.path, value: r.throughputGbps })), "up", " Gbit/s")}; ` +
    `the emulated e1000 gets ${f(emu.percentOfBareMetal)} % of bare metal, passthrough ${f(pt.percentOfBareMetal)} %. ` +
    `*Steady stream*: the emulated e1000 costs ${f(emu.exitsPerRequest)} exits and ${f(emu.cyclesPerRequest)} CPU cycles per request, and its mean ` +
    `latency is ${f(emu.meanLatencyUs / bare.meanLatencyUs)}× bare metal's (${f(emu.meanLatencyUs)} µs vs ${f(bare.meanLatencyUs)} µs). ` +
    `Passthrough answers in ${f(pt.meanLatencyUs)} µs with exiting interrupts and ${f(posted.meanLatencyUs)} µs with posted (exit-less) ones, ` +
    `${f(Math.abs(over))} % ${over >= 0 ? "above" : "below"} bare metal. ` +
    (sameThroughput
      ? `Posted interrupts barely change passthrough's throughput here (${f(pt.throughputGbps)} vs ${f(posted.throughputGbps)} Gbit/s): the vCPU ` +
        `has time to spare, so the interrupt exits cost latency and CPU cycles (${f(pt.cyclesPerRequest)} vs ${f(posted.cyclesPerRequest)} per request) instead.`
      : `Posted interrupts take passthrough's throughput from ${f(pt.throughputGbps)} to ${f(posted.throughputGbps)} Gbit/s and its CPU cost from ` +
        `${f(pt.cyclesPerRequest)} to ${f(posted.cyclesPerRequest)} cycles per request.`)
  );
}

/**
 * The story's "slight latency", checked: mean latency of every path over bare metal's (steady
 * stream), and which paths stay within 10 % of it, which are twice it or more.
 */
export function slightLatencyVerdict(rows: readonly PathRow[]): string {
  const bare = rowOf(rows, "bare-metal").meanLatencyUs;
  const ratios = rows.filter((r) => r.path !== "bare-metal").map((r) => ({ path: r.path, x: r.meanLatencyUs / bare }));
  const group = (test: (x: number) => boolean) => ratios.filter((r) => test(r.x)).map((r) => r.path);
  const slight = group((x) => x <= 1.1), between = group((x) => x > 1.1 && x < 2), far = group((x) => x >= 2);
  const say = (names: string[], what: string) => (names.length ? `${what}: ${names.join(", ")}. ` : "");
  return (
    `**"Slight latency", measured.** Mean latency on the steady stream, × bare metal: ` +
    `${ratios.map((r) => `${r.path} ${f(r.x)}×`).join(", ")}. ` +
    (slight.length ? say(slight, "Within 10 % of bare metal, *slight* by any standard") : "No virtualized path stays within 10 % of bare metal here. ") +
    say(between, "Between 1.1× and 2×") +
    say(far, "Twice bare metal or more, not slight at all")
  ).trim();
}

/**
 * "What to notice" under the io-paths playground, from the same (cached) rows it draws: whether
 * every path keeps up with the offered load, and the spread of latency and exits.
 */
export function playgroundNotice(params: IoPathsParams): string {
  const rows = ioPathsRows(params);
  const offered = (params.offeredLoadKrps * 1000 * params.requestBytes * 8 * params.vmCount) / 1e9;
  // The paths that keep up all carry the same (random) arrivals; a path carrying clearly less has fallen behind.
  const best = Math.max(...rows.map((r) => r.throughputGbps));
  const behind = rows.filter((r) => r.throughputGbps < 0.95 * best);
  const byLatency = [...rows].sort((a, b) => a.meanLatencyUs - b.meanLatencyUs);
  const byExits = [...rows].sort((a, b) => a.exitsPerRequest - b.exitsPerRequest);
  const lo = byLatency[0]!, hi = byLatency[byLatency.length - 1]!;
  return (
    `**What to notice** (${f(params.requestBytes)}-byte requests, ${f(params.offeredLoadKrps)}k requests/s offered per VM, ` +
    `${params.vmCount} VM${params.vmCount > 1 ? "s" : ""}: ${f(offered)} Gbit/s offered in all): ` +
    (behind.length === 0
      ? `every path carries the same ${f(best)} Gbit/s, so throughput does not separate the paths at this load; latency and exits do. `
      : `${behind.map((r) => `${r.path} carries only ${f(r.throughputGbps)} Gbit/s`).join(", ")} (the others ${f(best)}): past its capacity ` +
        `a path falls behind, requests queue and its latency climbs. `) +
    `Mean latency runs from ${f(lo.meanLatencyUs)} µs (${lo.path}) to ${f(hi.meanLatencyUs)} µs (${hi.path}); exits per request from ` +
    `${f(byExits[0]!.exitsPerRequest)} (${byExits[0]!.path}) to ${f(byExits[byExits.length - 1]!.exitsPerRequest)} (${byExits[byExits.length - 1]!.path}). ` +
    `Arrivals here are random (Poisson) at the offered load, as in the steady stream above, not a backlog.`
  );
}

/** The trade-off table: what each path gives up and keeps, with its measured latency and exits. */
export function tradeoffTable(rows: readonly PathRow[]): Record<string, string | number>[] {
  const qualities: Record<string, [string, string, string]> = {
    emulated: ["any OS, unmodified driver", "yes (all state in software)", "every access trapped and checked"],
    virtio: ["a virtio driver (built into Linux and FreeBSD; Windows installs virtio-win)", "yes", "hypervisor checks every ring entry"],
    vhost: ["a virtio driver", "yes", "host kernel checks every ring entry"],
    passthrough: ["the real device's driver", "hard (device state in hardware)", "IOMMU checks every DMA"],
    "passthrough + posted": ["the real device's driver", "hard", "IOMMU + interrupt remapping"],
    "bare-metal": ["the real device's driver", "no VM to move", "none between programs and device"],
  };
  return rows.map((r) => {
    const [driver, migration, isolation] = qualities[r.path] ?? ["?", "?", "?"];
    return {
      path: r.path,
      "guest needs": driver,
      "live migration": migration,
      "isolation by": isolation,
      "mean latency (µs, steady)": r.meanLatencyUs,
      "exits / request (steady)": r.exitsPerRequest,
    };
  });
}
