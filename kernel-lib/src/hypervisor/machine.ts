/**
 * The machine: host memory, the MMU, a hypervisor and its VMs, and the simulation loop.
 *
 * One machine runs in one memory-virtualization mode:
 * - `native`: no hypervisor; one OS on bare metal. The baseline.
 * - `shadow`: the hypervisor keeps shadow tables (GVA -> HPA) and the hardware walks those.
 *   TLB misses cost native-length walks; guest PTE writes, CR3 loads and hidden page faults
 *   cost VM exits (figures B3, B5, B6).
 * - `nested`: hardware-assisted paging (Intel EPT, AMD NPT/RVI), today's default. The guest
 *   manages its own tables with no exits; every TLB miss does a 2D walk (figures A1–A8, B1, B2).
 * Neither wins everywhere (B4): shadow wins when TLB misses dominate and tables rarely
 * change; nested wins when processes are created, switched and torn down often.
 *
 * The loop ({@link Machine.run}) is allocation-free per access: a TLB lookup, on a miss a walk
 * over typed arrays, and software only for the rare events (faults, exits, OS operations).
 * Cycles are computed from the counters afterwards with the cost model.
 */
import { cpuMicros } from "../core/cpu-time";
import { ConfigError, requireInt } from "../core/errors";
import { MEMORY_COST_PRESETS, exitCycles, memoryCostModel, type MemoryCostModel, type MemoryCostOverrides, type MemoryExitCause } from "../costs/memory";
import { FrameAllocator } from "../memory/frame-allocator";
import { X86_64_4LEVEL, type AddressLayout } from "../memory/layout";
import { PageTable } from "../memory/page-table";
import { PhysicalMemory } from "../memory/physical-memory";
import { MMU_NATIVE, MMU_NESTED, MMU_SHADOW, Mmu } from "../mmu/mmu";
import { WasmLoop, wasmCoreModule, wasmCoreProblem } from "../mmu/wasm-loop";
import { OP_EXEC, OP_EXIT, OP_FORK, OP_MAP, OP_SWITCH, OP_UNMAP, OP_WRITE, checkTracePages, type MemoryTrace } from "../workloads/trace";
import { DIRTY_LOG_METHODS, DirtyLog, type DirtyLogMethod } from "./dirty-log";
import { MEMORY_VIRTUALIZATION_MODES, type CreateVmOptions, type MachineAccessResult, type MachineConfig, type MachineEngine, type MachineRunOptions, type MemoryRunStats, type MemoryVirtualizationMode } from "./machine-types";
import { MachineMonitor } from "./monitor";
import { OsKernel } from "./os-kernel";
import { ZERO_COUNTERS, runStats, type MachineCounters } from "./run-stats";
import { ShadowPager } from "./shadow";
import { checkShadowPagingModel, type ShadowPagingModel } from "./shadow-sync";
import { GuestPhysicalMemory, VirtualMachine, type VmMonitor } from "./virtual-machine";
import { VmExitTally } from "./vm-exit";

export * from "./machine-types";
export type { ShadowPagingModel } from "./shadow-sync";
export { runStats, type MachineCounters } from "./run-stats";

/** What the hypervisor asks an overcommitted host's memory manager (overcommit/overcommit-host.ts). */
export interface OvercommitHooks {
  /** An EPT violation at guest frame `guestFrame`: make room, restore a swapped page, return the host frame to map. */
  onBack(vm: VirtualMachine, guestFrame: number): number;
  /** True if the guest frame is mapped read-only to a page shared with others. */
  isShared(vm: VirtualMachine, guestFrame: number): boolean;
  /** A write reached a shared page: give the VM its own writable copy (copy-on-write). */
  breakSharing(vm: VirtualMachine, guestFrame: number): void;
  /** The host frame with the guest frame's contents (a swapped page is read back first). */
  frameForRead(vm: VirtualMachine, guestFrame: number): number;
}

/** Host, hypervisor, VMs and MMU in one mode. */
export class Machine implements VmMonitor {
  /** Memory-virtualization mode. */
  readonly mode: MemoryVirtualizationMode;
  /** Layout of process (guest) page tables. */
  readonly guestLayout: AddressLayout;
  /** Layout of the host (EPT/NPT) table. */
  readonly hostLayout: AddressLayout;
  /** Host physical memory. */
  readonly hostMemory: PhysicalMemory;
  /** The MMU (TLB + walker). */
  readonly mmu: Mmu;
  /** The cost model. */
  readonly costs: MemoryCostModel;
  /** VM exits by cause, with cycles. */
  readonly exits = new VmExitTally();
  /** VMs created so far. */
  readonly vms: VirtualMachine[] = [];
  /** False in the no-isolation demo. */
  readonly isolation: boolean;
  /** Host page size backing guest memory. */
  readonly hostPageSizeBytes: number;
  /** The shadow-paging model (shadow mode; see {@link MachineConfig.shadowPaging}). */
  readonly shadowPaging: ShadowPagingModel;
  /** Accesses stopped by isolation. */
  isolationFaults = 0;
  /** Writes stopped because the page is read-only and not copy-on-write. */
  protectionFaults = 0;
  /** Data accesses so far. */
  accesses = 0;
  /** CPU seconds of the last {@link run}'s loop (the span its `seconds` times), NaN outside Node. */
  lastLoopCpuSeconds = NaN;
  /** The VM on the CPU. */
  running: VirtualMachine | null = null;
  /**
   * The overcommit layer when this host gives its VMs more memory than it has
   * (overcommit/overcommit-host.ts); null otherwise. It decides which host frame backs a guest
   * frame on an EPT violation and breaks shared pages on write.
   */
  overcommit: OvercommitHooks | null = null;
  /** Mode code of the MMU (MMU_NATIVE, MMU_SHADOW, MMU_NESTED). */
  readonly modeCode: number;
  /** Base pages per host page backing guest memory. */
  readonly hostPages: number;
  /** Level of the host pages' leaves in the host (EPT/NPT) layout. */
  readonly hostLeafLevelInHost: number;
  private readonly monitor = new MachineMonitor(this);
  /** The WebAssembly loop, or null (engine "js", or no core or Wasm memory to be had). */
  private readonly wasmLoop: WasmLoop | null = null;
  private readonly engineWanted: MachineEngine;
  private readonly hostFrames: FrameAllocator;
  private readonly pool: FrameAllocator;
  private readonly hostLeafLevelInGuest: number;
  private readonly sharedFirstFrame: number;

  constructor(config: MachineConfig) {
    if (config === null || typeof config !== "object") throw new ConfigError("config", config, "a MachineConfig object");
    if (!MEMORY_VIRTUALIZATION_MODES.includes(config.mode)) {
      throw new ConfigError("mode", config.mode, MEMORY_VIRTUALIZATION_MODES.map((m) => JSON.stringify(m)).join(", "));
    }
    this.mode = config.mode;
    this.modeCode = this.mode === "native" ? MMU_NATIVE : this.mode === "shadow" ? MMU_SHADOW : MMU_NESTED;
    this.guestLayout = config.guestLayout ?? X86_64_4LEVEL;
    this.hostLayout = config.hostLayout ?? X86_64_4LEVEL;
    const page = this.guestLayout.pageSizeBytes;
    if (this.hostLayout.pageSizeBytes !== page) {
      throw new ConfigError("hostLayout.pageSizeBytes", this.hostLayout.pageSizeBytes, `${page}, the guest layout's page size`);
    }
    const hostBytes = config.hostMemoryBytes ?? 16 * 2 ** 30;
    requireInt("hostMemoryBytes", hostBytes, page * 64, page * 2 ** 26);
    if (hostBytes % page !== 0) throw new ConfigError("hostMemoryBytes", hostBytes, `a multiple of the page size ${page}`);
    this.engineWanted = config.engine ?? "wasm";
    if (this.engineWanted !== "wasm" && this.engineWanted !== "js") throw new ConfigError("engine", config.engine, '"wasm" or "js"');
    // Host memory in a WebAssembly.Memory only where the core that walks it can be had (not in a browser).
    this.hostMemory = new PhysicalMemory({ pageSizeBytes: page, frameCount: hostBytes / page, name: "host", wasm: this.engineWanted === "wasm" && wasmCoreModule() !== null });
    this.hostPageSizeBytes = config.hostPageSizeBytes ?? page;
    this.hostLeafLevelInHost = this.hostLayout.levelForPageSize(this.hostPageSizeBytes, "hostPageSizeBytes");
    this.hostLeafLevelInGuest = this.guestLayout.levelForPageSize(this.hostPageSizeBytes, "hostPageSizeBytes");
    this.hostPages = this.hostPageSizeBytes / page;
    const poolBytes = config.hypervisorPoolBytes ?? Math.floor(hostBytes / 8 / page) * page;
    requireInt("hypervisorPoolBytes", poolBytes, page * 16, hostBytes - page * 16);
    const poolFrames = Math.floor(poolBytes / page);
    // Frame 0 stays unused so that a zero entry never points at a real table.
    this.pool = new FrameAllocator(1, poolFrames - 1, "hypervisorPoolBytes");
    this.hostFrames = new FrameAllocator(poolFrames, this.hostMemory.frameCount - poolFrames, "hostMemoryBytes");
    this.sharedFirstFrame = Math.ceil(poolFrames / this.hostPages) * this.hostPages;
    this.shadowPaging = checkShadowPagingModel(config.shadowPaging ?? "trap-all");
    this.isolation = config.isolation ?? true;
    if (typeof this.isolation !== "boolean") throw new ConfigError("isolation", config.isolation, "true or false");
    const costs = config.costs ?? {};
    // A full model (e.g. a preset object) is validated on top of its own preset when it names one.
    const named = (costs as Partial<MemoryCostModel>).name;
    const preset = typeof named === "string" && named in MEMORY_COST_PRESETS ? named : "default";
    this.costs = memoryCostModel(costs as MemoryCostOverrides, preset);
    this.mmu = new Mmu(this.hostMemory, this.guestLayout, { tlb: config.tlb ?? {}, walkCacheEntries: config.walkCacheEntries ?? 0, memo: config.memo ?? true });
    this.mmu.modeCode = this.modeCode;
    this.mmu.hostLayout = this.modeCode === MMU_NESTED ? this.hostLayout : null;
    if (this.modeCode === MMU_NESTED) this.mmu.walker.onHostDirty = (g) => this.monitor.onEptDirty(g);
    if (this.engineWanted === "wasm") this.wasmLoop = WasmLoop.create(this.mmu);
  }

  /** What runs the loop now: "wasm" or "js" (see {@link MachineConfig.engine}). */
  get engine(): MachineEngine {
    return this.wasmLoop !== null && this.wasmLoop.usable() ? "wasm" : "js";
  }

  /** Why the loop runs in TypeScript though the WebAssembly core was asked for ("" when it is not). */
  get engineProblem(): string {
    if (this.engineWanted === "js") return "";
    if (this.wasmLoop !== null) return this.wasmLoop.problem();
    return wasmCoreProblem() || "no WebAssembly memory could be had (an address-space limit?)";
  }

  /**
   * Creates a VM with its guest kernel. In native mode this is the one OS on bare metal
   * (VM id 0; its frames are host frames).
   */
  createVm(options: CreateVmOptions = {}): VirtualMachine {
    const page = this.guestLayout.pageSizeBytes;
    const memoryBytes = options.memoryBytes ?? 2 ** 30;
    requireInt("memoryBytes", memoryBytes, this.hostPageSizeBytes, this.hostMemory.sizeBytes);
    if (memoryBytes % this.hostPageSizeBytes !== 0) {
      throw new ConfigError("memoryBytes", memoryBytes, `a multiple of the host page size ${this.hostPageSizeBytes}`);
    }
    const frames = memoryBytes / page;
    const native = this.mode === "native";
    if (native && this.vms.length > 0) throw new ConfigError("createVm", this.vms.length + 1, "one OS in native mode (there is no hypervisor to run more)");
    const id = native ? 0 : this.vms.length + 1;
    const name = options.name ?? (native ? "bare metal" : `vm${id}`);
    const identity = native || !this.isolation;
    let first = 0;
    if (native || this.isolation) first = this.hostFrames.allocateContiguous(frames, this.hostPages);
    else first = this.sharedFirstFrame;
    if (!native && !this.isolation && first + frames > this.hostMemory.frameCount) {
      throw new ConfigError("memoryBytes", memoryBytes, `at most ${(this.hostMemory.frameCount - first) * page} bytes`);
    }
    const vm = new VirtualMachine(id, name, frames, first, identity, this.hostPages, this.hostMemory.frameCount);
    const hooks = this.monitor.kernelHooks(vm);
    if (native) {
      vm.kernel = new OsKernel({
        memory: this.hostMemory,
        layout: this.guestLayout,
        frames: new FrameAllocator(first, frames, "memoryBytes"),
        pageSizeBytes: options.guestPageSizeBytes,
        hooks,
      });
    } else {
      const guestFrames = identity ? new FrameAllocator(first, frames, `${name}.memoryBytes`) : new FrameAllocator(0, frames, `${name}.memoryBytes`);
      vm.kernel = new OsKernel({
        memory: new GuestPhysicalMemory(vm, this.hostMemory, this),
        layout: this.guestLayout,
        frames: guestFrames,
        pageSizeBytes: options.guestPageSizeBytes,
        hooks,
      });
      if (this.mode === "shadow") vm.shadow = new ShadowPager(vm, this.hostMemory, this.guestLayout, this.pool, this.hostLeafLevelInGuest, this.shadowPaging);
      if (this.mode === "nested" && !identity) {
        vm.hostTable = PageTable.create(this.hostMemory, this.hostLayout, this.pool);
        vm.hostTable.dimension = "host";
      }
    }
    this.vms.push(vm);
    return vm;
  }

  /** Counts one VM exit of `cause` with its modeled cycles. */
  exit(cause: MemoryExitCause): void {
    this.exits.record(cause, exitCycles(this.costs, cause));
  }

  /** VmMonitor: a guest entry write (under shadow paging a write to a table page traps; see monitor.ts). */
  onGuestEntryWrite(vm: VirtualMachine, guestFrame: number, byteOffset: number, changed = true): void {
    this.monitor.onGuestEntryWrite(vm, guestFrame, byteOffset, changed);
  }

  /** VmMonitor: the guest stores to a guest frame (backed on an EPT violation, logged while dirty logging; see monitor.ts). */
  backGuestFrame(vm: VirtualMachine, guestFrame: number): void {
    this.monitor.backGuestFrame(vm, guestFrame);
  }

  /**
   * Starts logging which pages of `vm` are written (the service live migration builds on):
   * by write-protecting every page (shadow or nested), or with Intel PML (nested only).
   * Pages written from now on are returned by {@link collectDirtyLog}.
   */
  startDirtyLog(vm: VirtualMachine, method: DirtyLogMethod = "write-protect"): void {
    if (!this.vms.includes(vm)) throw new ConfigError("vm", vm?.name, `a VM of this machine: ${this.vms.map((v) => v.name).join(", ")}`);
    if (!DIRTY_LOG_METHODS.includes(method)) throw new ConfigError("method", method, DIRTY_LOG_METHODS.map((m) => JSON.stringify(m)).join(", "));
    if (this.mode === "native" || vm.identity) throw new ConfigError("mode", this.mode, "shadow or nested with isolation (dirty logging is the hypervisor's)");
    if (method === "pml" && this.mode !== "nested") throw new ConfigError("method", method, `"write-protect" under shadow paging (PML needs EPT A/D bits)`);
    vm.dirtyLog = new DirtyLog(method, this.hostPages);
    this.monitor.armDirtyLog(vm);
  }

  /** The guest frames of `vm` written since logging started or since the last call, ascending; re-arms the log. */
  collectDirtyLog(vm: VirtualMachine): number[] {
    const log = vm.dirtyLog;
    if (!log) throw new ConfigError("vm", vm?.name, "a VM with dirty logging started (Machine.startDirtyLog)");
    const dirty = log.collect();
    this.monitor.armDirtyLog(vm);
    return dirty;
  }

  /** Stops dirty logging of `vm` (pages stay as they are; nothing is logged any more). */
  stopDirtyLog(vm: VirtualMachine): void {
    vm.dirtyLog = null;
  }

  /** VmMonitor: where guest frame `guestFrame`'s contents are now (the overcommit layer may have moved them). */
  frameForRead(vm: VirtualMachine, guestFrame: number): number {
    if (vm.hostFrameOf(guestFrame) < 0) return -1;
    return this.overcommit ? this.overcommit.frameForRead(vm, guestFrame) : vm.hostFrameOf(guestFrame);
  }

  /** VmMonitor: the guest touched memory it was not given. */
  onIsolationFault(_vm: VirtualMachine, _guestFrame: number): void {
    this.isolationFaults++;
  }

  /** Puts `vm` on the CPU (loads its CR3, EPT pointer and TLB tag). */
  enter(vm: VirtualMachine): void {
    if (!this.vms.includes(vm)) throw new ConfigError("vm", vm?.name, `a VM of this machine: ${this.vms.map((v) => v.name).join(", ")}`);
    this.running = vm;
    this.loadContext(vm);
  }

  /** Loads `vm`'s running process into the MMU (CR3 or shadow root, EPT pointer, TLB tag). */
  loadContext(vm: VirtualMachine): void {
    const mmu = this.mmu;
    const p = vm.kernel.current;
    const pid = p ? p.pid : 0;
    mmu.setContext(vm.id, pid);
    mmu.hostIdentity = vm.identity;
    mmu.eptRoot = vm.hostTable ? vm.hostTable.rootFrame : 0;
    if (!p) {
      mmu.cr3 = 0;
      return;
    }
    if (this.modeCode === MMU_SHADOW) mmu.cr3 = vm.shadow!.tableFor(pid).rootFrame;
    else mmu.cr3 = p.table.rootFrame;
  }

  private event(vm: VirtualMachine, op: number, arg: number): void {
    const k = vm.kernel;
    const cur = k.current;
    if (op === OP_SWITCH) {
      k.switchTo(arg);
      return;
    }
    if (!cur) throw new ConfigError("trace", op, "operations only while a process runs");
    if (op === OP_MAP) k.mapPage(cur, arg);
    else if (op === OP_UNMAP) k.unmapPage(cur, arg);
    else if (op === OP_FORK) k.fork(cur, arg);
    else if (op === OP_EXEC) k.exec(cur);
    else if (op === OP_EXIT) {
      k.exit(arg);
      if (k.current === null) {
        const next = Math.min(...k.processes.keys());
        if (Number.isFinite(next)) k.switchTo(next);
      }
    }
  }

  /** The machine's raw counters now: two snapshots give a span's statistics (hypervisor/run-stats.ts runStats). */
  counters(): MachineCounters {
    let pageFaults = 0;
    let pteWrites = 0;
    let cowFaults = 0;
    for (const vm of this.vms) {
      pageFaults += vm.kernel.pageFaults;
      pteWrites += vm.kernel.pteWrites;
      cowFaults += vm.kernel.cowFaults;
    }
    return {
      accesses: this.accesses,
      tlbHits: this.mmu.tlb.hits,
      tlbMisses: this.mmu.tlb.misses,
      walks: this.mmu.walker.walks,
      walkRefs: this.mmu.walker.totalRefs,
      pageFaults,
      pteWrites,
      exits: this.exits.byCause(),
      exitTotal: this.exits.total,
      exitCycles: this.exits.totalCycles,
      isolationFaults: this.isolationFaults,
      protectionFaults: this.protectionFaults,
      cowFaults,
    };
  }

  /** What was counted since snapshot `before` ({@link counters}), as run statistics (seconds = 0). */
  runStatsSince(before: MachineCounters): MemoryRunStats {
    return runStats(this.mode, this.costs, before, this.counters(), 0);
  }

  /** Everything counted since the machine was built, as run statistics (seconds = 0). */
  totals(): MemoryRunStats {
    return runStats(this.mode, this.costs, ZERO_COUNTERS, this.counters(), 0);
  }

  /** Maps the trace's premap pages in `vm` (creating processes) and puts process 0 on the CPU. */
  prepare(trace: MemoryTrace, vm: VirtualMachine): void {
    const k = vm.kernel;
    for (const region of trace.premap) {
      const p = k.processes.get(region.process) ?? k.createProcess(region.process);
      const vpns = region.vpns;
      for (let i = 0; i < vpns.length; i++) k.mapPage(p, this.guestLayout.checkVpn(`trace.premap[${region.process}]`, vpns[i]!));
    }
    if (!k.current) k.switchTo(k.processes.has(0) ? 0 : (k.processes.size > 0 ? Math.min(...k.processes.keys()) : 0));
  }

  /**
   * Runs `trace` on `vm`'s vCPU and returns what this run counted. By default the trace's
   * premap pages are mapped first (outside the counted loop). `seconds` times the loop alone.
   */
  run(trace: MemoryTrace, vm: VirtualMachine = this.vms[0] ?? this.createVm(), options: MachineRunOptions = {}): MemoryRunStats {
    if (trace.pageSizeBytes !== this.guestLayout.pageSizeBytes) {
      throw new ConfigError("trace.pageSizeBytes", trace.pageSizeBytes, `${this.guestLayout.pageSizeBytes}, the page size of layout "${this.guestLayout.name}"`);
    }
    checkTracePages(trace, this.guestLayout.virtualPages);
    const out = options.hostFramesOut ?? null;
    if (out && out.length < trace.length) throw new ConfigError("hostFramesOut.length", out.length, `at least the trace length ${trace.length}`);
    if (options.premap ?? true) this.prepare(trace, vm);
    else if (!vm.kernel.current) vm.kernel.switchTo(0);
    this.enter(vm);
    const before = this.counters();
    const c0 = cpuMicros();
    const t0 = performance.now();
    this.accesses += this.loop(vm, trace.ops, trace.arg, trace.length, out);
    const seconds = (performance.now() - t0) / 1000;
    this.lastLoopCpuSeconds = (cpuMicros() - c0) / 1e6;
    return runStats(this.mode, this.costs, before, this.counters(), seconds);
  }

  /**
   * The simulation loop over records [0, n); returns the data accesses done. A function of its
   * own, with nothing after the loop but a return: V8 compiles a long-running loop while it
   * runs (on-stack replacement), and code after the loop that has never run made that
   * compiled code deoptimize at the loop's exit, every call (once per chunk of a streamed
   * trace), so each chunk warmed up again. Small, it is also quicker to compile.
   */
  private loop(vm: VirtualMachine, ops: Uint8Array, arg: Float64Array, n: number, out: Float64Array | null): number {
    const fast = this.wasmLoop;
    if (fast === null || !fast.usable()) return this.loopJs(vm, ops, arg, 0, n, out);
    // The WebAssembly core runs until a record it leaves to TypeScript (an event, a fault);
    // that record runs here, then the core goes on from the next.
    let accesses = 0;
    fast.begin();
    for (let i = 0; i < n; ) {
      const stop = fast.run(ops, arg, i, n, out);
      accesses += fast.accesses;
      if (stop >= n) break;
      accesses += this.loopJs(vm, ops, arg, stop, stop + 1, out);
      i = stop + 1;
    }
    return accesses;
  }

  /** The loop in TypeScript over records [from, to): the model the WebAssembly core follows. */
  private loopJs(vm: VirtualMachine, ops: Uint8Array, arg: Float64Array, from: number, to: number, out: Float64Array | null): number {
    const mmu = this.mmu;
    let accesses = 0;
    for (let i = from; i < to; i++) {
      const op = ops[i]!;
      if (op <= OP_WRITE) {
        accesses++;
        const vpn = arg[i]!;
        let f = mmu.translateAccess(vpn, op); // OP_READ = 0, OP_WRITE = 1
        if (f < 0) f = this.monitor.resolveFault(vm, vpn, op === OP_WRITE);
        if (out !== null) out[i] = f;
      } else {
        this.event(vm, op, arg[i]!);
        if (out !== null) out[i] = -1;
      }
    }
    return accesses;
  }

  /**
   * One data access by the running process of `vm` to page `vpn`, counted as in {@link run}
   * (no walk steps, no allocation): the host frame reached, or -1 on an isolation or protection
   * fault. For drivers that interleave accesses with hypervisor work (overcommit/).
   */
  accessPage(vm: VirtualMachine, vpn: number, write: boolean): number {
    if (this.running !== vm) this.enter(vm);
    this.accesses++;
    const f = this.mmu.translateAccess(vpn, write ? OP_WRITE : 0);
    return f >= 0 ? f : this.monitor.resolveFault(vm, vpn, write);
  }

  /**
   * Takes `count` contiguous host frames out of the range VMs are given from, for the
   * hypervisor's own use (the page-sharing scanner's shared pages); returns the first.
   */
  reserveHostFrames(count: number): number {
    return this.hostFrames.allocateContiguous(count, 1);
  }

  /**
   * One access by process `pid` of `vm` to virtual address `address`, with its walk steps:
   * for notebooks and demos. With `write` the byte `value` is stored at the host-physical
   * address reached. Faults are handled as in a run; an isolation fault is returned, not thrown.
   */
  access(vm: VirtualMachine, pid: number, address: number | bigint | string, options: { write?: boolean; value?: number; bypassTlb?: boolean } = {}): MachineAccessResult {
    const { vpn, offset } = this.guestLayout.splitVirtualAddress(address, "address");
    this.enter(vm);
    const k = vm.kernel;
    if (!k.current || k.current.pid !== pid) {
      if (!k.processes.has(pid)) {
        const pids = [...k.processes.keys()];
        throw new ConfigError("pid", pid, pids.length ? `a process of VM "${vm.name}": ${pids.join(", ")}` : `a process of VM "${vm.name}", which has none yet (create one with vm.kernel.createProcess(pid) or run a trace first)`);
      }
      k.switchTo(pid);
    }
    const before = this.counters();
    const write = options.write ?? false;
    const traced = this.mmu.translateTraced(vpn, { bypassTlb: options.bypassTlb ?? false, write });
    let f = traced.hostFrame;
    k.lastFault = null;
    if (f < 0) f = this.monitor.resolveFault(vm, vpn, write);
    this.accesses++;
    const after = this.counters();
    const stats = runStats(this.mode, this.costs, before, after, 0);
    // resolveFault may have set it since the reset above (TypeScript's narrowing cannot see that).
    const fault = k.lastFault as OsKernel["lastFault"];
    const errorCode = fault ? fault.errorCode : -1;
    const base = { tlbHit: traced.tlbHit, walkRefs: traced.walkRefs, steps: traced.steps, pageFaults: stats.pageFaults, pageFaultErrorCode: errorCode, vmExits: stats.vmExitsByCause };
    if (f < 0) return { ok: false, event: this.monitor.lastFaultEvent, hostFrame: -1, hostPhysicalAddress: -1, value: -1, ...base };
    const hpa = f * this.hostMemory.pageSizeBytes + offset;
    let value: number;
    if (options.write) {
      value = requireInt("value", options.value ?? 0, 0, 255);
      this.hostMemory.writeByte(hpa, value);
    } else value = this.hostMemory.readByte(hpa);
    return { ok: true, event: "ok", hostFrame: f, hostPhysicalAddress: hpa, value, ...base };
  }

  /** Writes a string (as bytes) at `address` in process `pid` of `vm`; returns the isolation faults hit. */
  writeString(vm: VirtualMachine, pid: number, address: number, text: string): number {
    let faults = 0;
    for (let i = 0; i < text.length; i++) {
      const r = this.access(vm, pid, address + i, { write: true, value: text.charCodeAt(i) & 0xff });
      if (!r.ok) faults++;
    }
    return faults;
  }

  /** Reads `length` bytes at `address` in process `pid` of `vm` as a string (isolation faults read as "?"). */
  readString(vm: VirtualMachine, pid: number, address: number, length: number): string {
    let s = "";
    for (let i = 0; i < length; i++) {
      const r = this.access(vm, pid, address + i);
      s += r.ok ? String.fromCharCode(r.value) : "?";
    }
    return s;
  }

  /** Host frames used by the hypervisor's own tables (EPT/NPT and shadow). */
  hypervisorTableFrames(): number {
    let n = 0;
    for (const vm of this.vms) {
      if (vm.hostTable) n += vm.hostTable.tableFrameCount;
      if (vm.shadow) n += vm.shadow.tableFrames;
    }
    return n;
  }
}
