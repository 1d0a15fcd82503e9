/**
 * The VM being migrated: a real {@link Machine} (nested or shadow paging) whose guest keeps
 * writing while its memory is copied, so that every dirty page a pre-copy round resends was
 * found by the hypervisor's own dirty logging (hypervisor/dirty-log.ts: write protection, or a
 * PML-style log), not by the migration code peeking at the workload.
 *
 * The workload is Clark et al.'s **writable working set** (NSDI 2005, §3): the guest's writes
 * fall on a set of pages it rewrites over and over (here `writableWorkingSetPages`, uniformly at
 * random), at `writesPerSecond` stores per second; the rest of its memory is written once and
 * then only read. Each store puts a seeded byte at a seeded offset, through the MMU: the host
 * frame the store lands on is the one the simulated translation returned.
 */
import { ConfigError, requireInt, requireNumber, requireOneOf } from "../core/errors";
import { Random } from "../core/random";
import { Machine } from "../hypervisor/machine";
import type { VirtualMachine } from "../hypervisor/virtual-machine";
import { DIRTY_LOG_METHODS, type DirtyLogMethod } from "../hypervisor/dirty-log";
import type { VmExitCause } from "../hypervisor/vm-exit";
import { TraceBuilder } from "../workloads/trace";

/** What the migrating guest does. */
export interface WriteWorkloadOptions {
  /** Guest memory in MiB (1 to 16384). Default 256. */
  vmMemoryMiB?: number;
  /** Pages the guest keeps rewriting: its writable working set (Clark et al. §3). Default 2048 (8 MiB). */
  writableWorkingSetPages?: number;
  /** Page-sized stores per second, each to a random page of the writable working set (0 to 10^7). Default 20,000. */
  writesPerSecond?: number;
  /** Seed of the write stream (pages, offsets, bytes). Default 1. */
  seed?: number;
}

/** How the hypervisor runs and watches the guest. */
export interface SourceVmOptions {
  /** Memory virtualization of the source host: "nested" (default) or "shadow". */
  mode?: "nested" | "shadow";
  /** How dirty pages are found: "write-protect" (default; Clark et al.'s page protection) or "pml" (nested only). */
  dirtyLog?: DirtyLogMethod;
}

/** A workload with every default filled in. */
export type WriteWorkload = Required<WriteWorkloadOptions>;

/** Checks a workload and fills in its defaults. */
export function writeWorkload(options: WriteWorkloadOptions = {}): WriteWorkload {
  if (options === null || typeof options !== "object") throw new ConfigError("workload", options, "an object such as { writesPerSecond: 20000 }");
  const known = ["vmMemoryMiB", "writableWorkingSetPages", "writesPerSecond", "seed"];
  for (const key of Object.keys(options)) if (!known.includes(key)) throw new ConfigError(`workload.${key}`, (options as Record<string, unknown>)[key], `a workload field: ${known.join(", ")}`);
  const vmMemoryMiB = requireInt("workload.vmMemoryMiB", options.vmMemoryMiB ?? 256, 1, 16384);
  const vmPages = vmMemoryMiB * 256;
  return {
    vmMemoryMiB,
    writableWorkingSetPages: requireInt("workload.writableWorkingSetPages", options.writableWorkingSetPages ?? Math.min(2048, vmPages / 2), 1, vmPages / 2),
    writesPerSecond: requireNumber("workload.writesPerSecond", options.writesPerSecond ?? 20_000, 0, 1e7),
    seed: requireInt("workload.seed", options.seed ?? 1, 0, 2 ** 32 - 1),
  };
}

/** First virtual page of the writable working set in the guest process. */
const FIRST_VPN = 0x10000;
const PAGE = 4096;
const MiB = 2 ** 20;

/** A running guest on the source host, with dirty logging available. */
export class SourceVm {
  /** The source host. */
  readonly machine: Machine;
  /** The guest being migrated. */
  readonly vm: VirtualMachine;
  /** The workload, defaults filled in. */
  readonly workload: WriteWorkload;
  /** Guest-physical pages (the VM's memory size in pages). */
  readonly pages: number;
  /** Page size in bytes. */
  readonly pageSizeBytes = PAGE;
  /** How dirty pages are found. */
  readonly dirtyLog: DirtyLogMethod;
  /** Stores done so far. */
  writes = 0;
  private readonly rng: Random;
  /** Fraction of a store carried to the next run (rates times seconds are rarely whole). */
  private carry = 0;

  constructor(workload: WriteWorkloadOptions = {}, options: SourceVmOptions = {}) {
    this.workload = writeWorkload(workload);
    const mode = requireOneOf("mode", options.mode ?? "nested", ["nested", "shadow"] as const);
    this.dirtyLog = requireOneOf("dirtyLog", options.dirtyLog ?? "write-protect", DIRTY_LOG_METHODS);
    const vmBytes = this.workload.vmMemoryMiB * MiB;
    // The host holds the guest, the hypervisor's pool (an eighth) and some slack.
    const hostBytes = Math.ceil((vmBytes * 1.25 + 64 * MiB) / (2 * MiB)) * 2 * MiB;
    this.machine = new Machine({ mode, hostMemoryBytes: hostBytes });
    this.vm = this.machine.createVm({ memoryBytes: vmBytes, name: "migrating" });
    this.pages = vmBytes / PAGE;
    this.rng = new Random(this.workload.seed);
    // Boot: map the working set and write every page of it once (so it holds data worth copying).
    const boot = new TraceBuilder(PAGE, this.workload.writableWorkingSetPages);
    boot.premapRange(0, FIRST_VPN, this.workload.writableWorkingSetPages);
    for (let i = 0; i < this.workload.writableWorkingSetPages; i++) boot.write(FIRST_VPN + i);
    this.store(boot, true);
  }

  /** Starts the hypervisor's dirty logging (the migration's first step). */
  startDirtyLog(): void {
    this.machine.startDirtyLog(this.vm, this.dirtyLog);
  }

  /** Guest frames written since the last call (the end of a pre-copy round), ascending. */
  collectDirty(): number[] {
    return this.machine.collectDirtyLog(this.vm);
  }

  /**
   * Lets the guest run for `seconds` of simulated time: writesPerSecond × seconds stores (the
   * fraction carried over). Returns the stores done and the VM exits they caused, by cause.
   */
  run(seconds: number): { writes: number; exits: number; exitsByCause: Partial<Record<VmExitCause, number>> } {
    requireNumber("seconds", seconds, 0);
    const due = this.workload.writesPerSecond * seconds + this.carry;
    const n = Math.floor(due);
    this.carry = due - n;
    if (n === 0) return { writes: 0, exits: 0, exitsByCause: {} };
    const t = new TraceBuilder(PAGE, n);
    for (let i = 0; i < n; i++) t.write(FIRST_VPN + this.rng.int(this.workload.writableWorkingSetPages));
    const s = this.store(t, false);
    return { writes: n, exits: s.vmExits, exitsByCause: s.vmExitsByCause };
  }

  /**
   * Runs given stores (page of the writable working set, byte offset, byte value) through the
   * MMU, in order: a script instead of the seeded stream (tests drive the guest with it).
   */
  applyWrites(writes: readonly { page: number; offset: number; value: number }[]): void {
    const t = new TraceBuilder(PAGE, writes.length);
    const bytes: [number, number][] = [];
    for (const [i, w] of writes.entries()) {
      requireInt(`writes[${i}].page`, w.page, 0, this.workload.writableWorkingSetPages - 1);
      bytes.push([requireInt(`writes[${i}].offset`, w.offset, 0, PAGE - 1), requireInt(`writes[${i}].value`, w.value, 0, 255)]);
      t.write(FIRST_VPN + w.page);
    }
    this.store(t, false, (i) => bytes[i]!);
  }

  /** Runs the stores through the MMU and puts a byte where each one landed (seeded unless `byteOf` says). */
  private store(t: TraceBuilder, premap: boolean, byteOf?: (i: number) => [number, number]) {
    const trace = t.build("writable working set", this.workload.seed);
    const frames = new Float64Array(trace.length);
    const s = this.machine.run(trace, this.vm, { hostFramesOut: frames, premap });
    const mem = this.machine.hostMemory;
    for (let i = 0; i < trace.length; i++) {
      const f = frames[i]!;
      if (f < 0) continue;
      const [offset, value] = byteOf ? byteOf(i) : [this.rng.int(PAGE), 1 + this.rng.int(255)];
      mem.writeByte(f * PAGE + offset, value);
      this.writes++;
    }
    return s;
  }

  /** A copy of guest frame `g`'s bytes, or null when it reads as zeros (never written). */
  frameContent(g: number): Uint8Array | null {
    const h = this.vm.hostFrameOf(g);
    if (h < 0 || !this.machine.hostMemory.isBacked(h)) return null;
    return this.machine.hostMemory.frameBytes(h);
  }
}
