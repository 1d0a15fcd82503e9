/**
 * The trace CLI: simulate a memory trace in one memory-virtualization mode.
 *
 *   npm run --silent sim -- --trace FILE [--format raw64|lackey] [--data-only] --mode native|shadow|nested
 *     [--guest-levels 4|5] [--host-levels 4|5] [--tlb-sets N] [--tlb-ways N] [--json]
 *
 * Like the OSTEP simulators it echoes its parameters and ends with one line of statistics;
 * with --json it prints exactly one JSON object instead. Bad arguments, a malformed or empty
 * trace and an address outside the layout print an error (naming the flag, or the line and
 * the address) and exit with code 2. The trace is streamed (trace-stream.ts: a scan, then the
 * simulation), never held in memory beyond 4 M records, so a file of any length runs in
 * constant memory.
 */
import { setFlagsFromString } from "node:v8";
import { ConfigError, KernelLibError, ParseError, requireInt } from "../core/errors";
import { MEMORY_COST_PRESETS, memoryCostModel } from "../costs/memory";
import { Machine, MEMORY_VIRTUALIZATION_MODES, type MemoryVirtualizationMode } from "../hypervisor/machine";
import type { MachineEngine } from "../hypervisor/machine-types";
import { x86Layout } from "../memory/layout";
import { TRACE_FORMATS } from "../workloads/trace-parse";
import { traceFileSource } from "../workloads/trace-file";
import { scanTrace, simulateTrace } from "../workloads/trace-stream";

/** Text of --help. */
export const SIM_HELP = `Usage: npm run --silent sim -- --trace FILE --mode native|shadow|nested [options]

Simulates every access of a memory trace through a TLB and the page walker of one
memory-virtualization mode, and prints the counts and modeled cycles.

Options:
  --trace FILE          trace file (required)
  --format raw64|lackey raw64: little-endian 64-bit addresses, 8 bytes each (default);
                        lackey: output of valgrind --tool=lackey --trace-mem=yes
                        (I = instruction fetch, L = load, S = store, M = modify,
                        counted as one write; ==pid== lines are skipped)
  --data-only           lackey: leave out instruction fetches (I lines), so only the
                        program's loads and stores go through the TLB (there is one,
                        unified TLB; with I lines a loop's code pages share it)
  --mode MODE           native | shadow | nested (required)
  --guest-levels N      page-table levels of the process (guest) table: 4 or 5 (default 4)
  --host-levels N       levels of the host (EPT/NPT) table in nested mode: 4 or 5 (default 4)
  --tlb-sets N          TLB sets, a power of two from 1 to 65536 (default 16)
  --tlb-ways N          TLB ways, 1 to 64 (default 4)
  --guest-page-size S   page size the guest maps data with: 4k, 2m or 1g (default 4k)
  --host-page-size S    host pages backing guest memory (EPT leaves): 4k, 2m or 1g (default 4k)
  --walk-cache N        page-walk cache entries per level, 0 to 4096 (default 0 = off)
  --costs PRESET        cost model: default, first-gen-vtx or textbook (default "default")
  --engine E            what runs the loop: wasm (the WebAssembly core, the default) or
                        js (the TypeScript model it follows); the counts are the same
  --json                print one JSON object instead of text
  --help                this text

Defaults worth knowing: every page the trace touches is mapped before the loop (so the
loop has no page faults; in shadow mode the shadow table still fills lazily, one hidden
page fault per page); no page-walk cache is used (walks have their architectural length);
4 KiB pages on both sides; the default cost model (costs/memory.ts). "seconds" is the time
of the simulation loop alone, not of reading the trace ("loopCpuSeconds": its CPU time,
steadier on a busy machine); "endToEndSeconds" is all of it. "engine" says what ran the
loop, and "engineProblem" why it was not the WebAssembly core when that was asked for.

Traces of any length: the file is read in 1 MiB pieces, once to find the pages it touches
and check every line, and (beyond 4 M records, which are kept) once more to simulate; a
long trace is never held in memory.

Errors (exit code 2, nothing on stdout): a bad flag names the flag and what is allowed; a
malformed lackey line gives FILE:LINE and the line's text; an address at or above 2^48
(4-level) or 2^57 (5-level) gives the line (raw64: the record and byte offset) and the
address in hex; an empty trace, or one whose records --data-only all drops, is an error;
a text file read as raw64 suggests --format lackey.
`;

/** Parsed CLI options. */
export interface SimOptions {
  /** --trace: the trace file. */
  trace: string;
  /** --format: "raw64" or "lackey". */
  format: string;
  /** --mode. */
  mode: MemoryVirtualizationMode;
  /** --guest-levels: 4 or 5. */
  guestLevels: number;
  /** --host-levels: 4 or 5. */
  hostLevels: number;
  /** --tlb-sets. */
  tlbSets: number;
  /** --tlb-ways. */
  tlbWays: number;
  /** --guest-page-size, in bytes. */
  guestPageSizeBytes: number;
  /** --host-page-size, in bytes. */
  hostPageSizeBytes: number;
  /** --walk-cache entries per level (0 = off). */
  walkCacheEntries: number;
  /** --costs preset name. */
  costs: string;
  /** --engine: "wasm" or "js". */
  engine: MachineEngine;
  /** --data-only: drop instruction fetches (lackey I lines). */
  dataOnly: boolean;
  /** --json. */
  json: boolean;
  /** --help. */
  help: boolean;
}

const VALUE_FLAGS = ["--trace", "--format", "--mode", "--guest-levels", "--host-levels", "--tlb-sets", "--tlb-ways", "--guest-page-size", "--host-page-size", "--walk-cache", "--costs", "--engine"];
const PAGE_SIZES: Record<string, number> = { "4k": 4096, "4096": 4096, "2m": 2 ** 21, "2097152": 2 ** 21, "1g": 2 ** 30, "1073741824": 2 ** 30 };

/** Parses argv (without node and script). Throws ConfigError naming the flag. */
export function parseSimArgs(argv: readonly string[]): SimOptions {
  const raw = new Map<string, string>();
  let json = false;
  let help = false;
  let dataOnly = false;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let value: string | undefined;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (a === "--json") json = true;
    else if (a === "--data-only") dataOnly = true;
    else if (a === "--help" || a === "-h") help = true;
    else if (VALUE_FLAGS.includes(a)) {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined || value.startsWith("--")) throw new ConfigError(a, value ?? null, "a value after the flag");
      }
      raw.set(a, value);
    } else throw new ConfigError("argument", a, `one of ${[...VALUE_FLAGS, "--data-only", "--json", "--help"].join(", ")}`);
  }
  if (help) {
    return { trace: "", format: "raw64", mode: "native", guestLevels: 4, hostLevels: 4, tlbSets: 16, tlbWays: 4, guestPageSizeBytes: 4096, hostPageSizeBytes: 4096, walkCacheEntries: 0, costs: "default", engine: "wasm", dataOnly, json, help };
  }
  const pageSize = (flag: string): number => {
    const v = (raw.get(flag) ?? "4k").toLowerCase();
    const n = PAGE_SIZES[v];
    if (n === undefined) throw new ConfigError(flag, raw.get(flag), "4k, 2m or 1g");
    return n;
  };
  const int = (flag: string, def: number, min: number, max: number): number => {
    const v = raw.get(flag);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v)) throw new ConfigError(flag, v, `an integer from ${min} to ${max}`);
    return requireInt(flag, Number(v), min, max);
  };
  const trace = raw.get("--trace");
  if (!trace) throw new ConfigError("--trace", null, "a trace file path");
  const format = raw.get("--format") ?? "raw64";
  if (!(TRACE_FORMATS as readonly string[]).includes(format)) throw new ConfigError("--format", format, TRACE_FORMATS.join(" | "));
  if (dataOnly && format !== "lackey") throw new ConfigError("--data-only", format, "lackey traces only (a raw64 trace has no instruction fetches to leave out)");
  const mode = raw.get("--mode");
  if (!mode || !(MEMORY_VIRTUALIZATION_MODES as readonly string[]).includes(mode)) throw new ConfigError("--mode", mode ?? null, MEMORY_VIRTUALIZATION_MODES.join(" | "));
  const levels = (flag: string) => {
    const v = raw.get(flag) ?? "4";
    if (v !== "4" && v !== "5") throw new ConfigError(flag, v, "4 or 5");
    return Number(v);
  };
  const engine = raw.get("--engine") ?? "wasm";
  if (engine !== "wasm" && engine !== "js") throw new ConfigError("--engine", engine, "wasm | js");
  const tlbSets = int("--tlb-sets", 16, 1, 65536);
  if ((tlbSets & (tlbSets - 1)) !== 0) throw new ConfigError("--tlb-sets", tlbSets, "a power of two from 1 to 65536");
  return {
    trace,
    format,
    mode: mode as MemoryVirtualizationMode,
    guestLevels: levels("--guest-levels"),
    hostLevels: levels("--host-levels"),
    tlbSets,
    tlbWays: int("--tlb-ways", 4, 1, 64),
    guestPageSizeBytes: pageSize("--guest-page-size"),
    hostPageSizeBytes: pageSize("--host-page-size"),
    walkCacheEntries: int("--walk-cache", 0, 0, 4096),
    costs: costsPreset(raw.get("--costs") ?? "default"),
    engine,
    dataOnly,
    json,
    help,
  };
}

function costsPreset(name: string): string {
  if (!(name in MEMORY_COST_PRESETS)) throw new ConfigError("--costs", name, Object.keys(MEMORY_COST_PRESETS).join(" | "));
  return name;
}

/** Runs the CLI; returns the exit code. Output goes through `out` and `err`. */
export function runSimCli(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  let o: SimOptions;
  try {
    o = parseSimArgs(argv);
  } catch (e) {
    err(`sim: ${(e as Error).message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (o.help) {
    out(SIM_HELP);
    return 0;
  }
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const guestLayout = x86Layout(o.guestLevels, "--guest-levels");
    const source = traceFileSource(o.trace);
    const parse = { includeInstructions: !o.dataOnly, virtualAddressBits: guestLayout.virtualAddressBits };
    const scan = scanTrace(source, o.format, parse);
    if (scan.records === 0) {
      const why = o.dataOnly && scan.instructionRecords > 0 ? `all ${scan.instructionRecords} of its records are instruction fetches, which --data-only leaves out` : `it has no ${o.format === "lackey" ? "I/L/S/M lines" : "records"}`;
      throw new ParseError(o.trace, 1, `nothing to simulate: ${why}`);
    }
    const machine = new Machine({
      mode: o.mode,
      guestLayout,
      hostLayout: x86Layout(o.hostLevels, "--host-levels"),
      tlb: { sets: o.tlbSets, ways: o.tlbWays },
      hostPageSizeBytes: o.hostPageSizeBytes,
      walkCacheEntries: o.walkCacheEntries,
      costs: memoryCostModel({}, o.costs),
      engine: o.engine,
    });
    // Guest memory large enough for every touched page plus its tables, in 1 GiB steps.
    const touched = scan.touched.length;
    const big = Math.max(o.guestPageSizeBytes, o.hostPageSizeBytes);
    const perPage = Math.max(4096, o.guestPageSizeBytes);
    const needBytes = Math.max(big >= 2 ** 30 ? 4 * 2 ** 30 : 2 ** 30, Math.ceil(((touched * 1.25 + 4096) * perPage) / 2 ** 30) * 2 ** 30);
    const vm = machine.createVm({ memoryBytes: Math.min(needBytes, 8 * 2 ** 30), guestPageSizeBytes: o.guestPageSizeBytes });
    const run = simulateTrace(machine, vm, source, o.format, { ...parse, scan });
    const s = run.stats;
    const endToEndSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const result = {
      trace: o.trace,
      format: o.format,
      dataOnly: o.dataOnly,
      instructionFetches: scan.instructionRecords,
      mode: o.mode,
      guestLevels: o.guestLevels,
      hostLevels: o.hostLevels,
      tlbSets: o.tlbSets,
      tlbWays: o.tlbWays,
      guestPageSizeBytes: o.guestPageSizeBytes,
      hostPageSizeBytes: o.hostPageSizeBytes,
      walkCacheEntries: o.walkCacheEntries,
      costs: o.costs,
      engine: machine.engine,
      engineProblem: machine.engineProblem,
      accesses: s.accesses,
      tlbHits: s.tlbHits,
      tlbMisses: s.tlbMisses,
      tlbHitRate: s.tlbHitRate,
      walks: s.walks,
      walkRefs: s.walkRefs,
      pageFaults: s.pageFaults,
      vmExits: s.vmExits,
      vmExitsByCause: s.vmExitsByCause,
      cycles: s.cycles,
      seconds: s.seconds,
      loopCpuSeconds: run.loopCpuSeconds,
      endToEndSeconds,
      endToEndCpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    if (o.json) out(JSON.stringify(result) + "\n");
    else {
      out(
        `ARG trace ${o.trace} (${o.format}${o.dataOnly ? `, data only: ${scan.instructionRecords} instruction fetches left out` : ""}), mode ${o.mode}, guest levels ${o.guestLevels}, host levels ${o.hostLevels}, ` +
          `guest page ${o.guestPageSizeBytes} B, host page ${o.hostPageSizeBytes} B, TLB ${o.tlbSets} sets x ${o.tlbWays} ways, ` +
          `walk cache ${o.walkCacheEntries || "off"}, costs ${o.costs}, engine ${machine.engine}${machine.engineProblem ? ` (${machine.engineProblem})` : ""}\n`,
      );
      out(
        `FINALSTATS accesses ${s.accesses} tlbHits ${s.tlbHits} tlbMisses ${s.tlbMisses} hitRate ${(100 * s.tlbHitRate).toFixed(2)}% ` +
          `walkRefs ${s.walkRefs} pageFaults ${s.pageFaults} vmExits ${s.vmExits} cycles ${Math.round(s.cycles)} seconds ${s.seconds.toFixed(3)} endToEndSeconds ${endToEndSeconds.toFixed(3)}\n`,
      );
      const causes = Object.entries(s.vmExitsByCause).filter(([, n]) => n > 0);
      if (causes.length) out(`EXITS ${causes.map(([cause, n]) => `${cause} ${n}`).join(" ")}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof KernelLibError) {
      err(`sim: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  // One CLI run is one long loop, so JIT warm-up is a large part of its time (issue 15): V8
  // compiles the hot loop (on-stack replacement) on a background thread by default, while the
  // main thread keeps running it in the interpreter, and on a busy machine that thread waits
  // for a core while hundreds of thousands of accesses run at interpreter speed. Compiling the
  // loop on the main thread instead blocks for the same compile work but switches to optimized
  // code at once. Only the OSR flag takes effect when set here (V8 reads
  // --concurrent-recompilation at start-up: other functions still compile in the background,
  // seen with --trace-opt); the library leaves V8's defaults alone.
  setFlagsFromString("--no-concurrent-osr");
  const code = runSimCli(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
  process.exitCode = code;
}
