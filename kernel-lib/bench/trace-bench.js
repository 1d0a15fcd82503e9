/**
 * The trace part of `npm run bench`: the CLI end to end on a generated trace file, and the
 * simulation loop against a plain C implementation of the same model (tlb-model.c).
 *
 * 1. Writes a matmul trace of `records` records (trace-gen.js) to a temporary folder, as
 *    lackey text and as raw64, streaming; runs the CLI (`dist/cli/sim.js --json`, one process
 *    per run, as a user would) on each format in native and nested mode with 4 KiB and 2 MiB
 *    pages; reports end-to-end lines/s (reading, both passes, simulating), the loop's
 *    accesses/s (the CLI's "seconds") and the child's peak RSS; each rate also per CPU-second
 *    of the child (all its threads), the steadier number when other jobs share the machine.
 * 2. On `compareRecords`-record raw64 traces (2 M by default; the matmul trace, whose regular
 *    pattern suits C's branch predictor, and a uniform random one), compiles tlb-model.c with
 *    `cc -O2` twice (the simulator's model: tagged TLB entries with permissions, accessed and
 *    dirty bits, entry decoding and bounds checks; and with -DMINIMAL_MODEL=1, a bare TLB over
 *    present bits and frame numbers, the reference of earlier stops) and runs them and the CLI
 *    back to back, `repeats` times, native and nested (16 × 4 TLB, 4-level, no walk cache);
 *    checks that all count the same accesses, hits, misses and walk references, and reports the
 *    median loop time (wall and CPU) of each, the ratios and accesses per CPU-second. The CLI runs its default engine (the WebAssembly core,
 *    assembly/mmu-core.ts) and, for comparison, --engine js (the TypeScript loop); the same
 *    model ported to plain JavaScript (tlb-model.js, 32-bit integers, one loop per mode) shows
 *    what hand-written JavaScript reaches in one run.
 *    Skipped, saying so, when there is no C compiler.
 * Every generated file is deleted at the end.
 */
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const { mkdtempSync, rmSync, statSync } = require("node:fs");
const { tmpdir } = require("node:os");
const path = require("node:path");
const { writeMatmulTrace, writeUniformTrace } = require("./trace-gen");

const CLI = path.join(__dirname, "..", "dist", "cli", "sim.js");

/** One CLI run with --json; throws with its stderr if it fails. */
function runCli(args) {
  const r = spawnSync(process.execPath, [CLI, ...args, "--json"], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`sim ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function findCompiler() {
  for (const cc of ["cc", "gcc", "clang"]) {
    const r = spawnSync(cc, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return cc;
  }
  return null;
}

/** Runs the trace benchmarks; returns rows for --json. `log` prints a line. */
function traceBench({ records, compareRecords, repeats, log }) {
  const dir = mkdtempSync(path.join(tmpdir(), "computropolis-bench-"));
  const out = { records, endToEnd: [], compare: null };
  try {
    // 1. End to end on the big trace.
    log(`\nTrace files: ${fmtCount(records)} records of a 512 × 512 matrix multiply (78% instruction fetches), in ${dir}`);
    const files = {};
    for (const format of ["lackey", "raw64"]) {
      const file = path.join(dir, `matmul.${format}`);
      const t0 = performance.now();
      writeMatmulTrace(file, format, records);
      files[format] = file;
      log(`  generated ${format}: ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    log(`${pad("format", 7)} ${pad("mode", 7)} ${pad("page", 5)} ${lpad("records", 11)} ${lpad("TLB hit", 8)} ${lpad("end-to-end s", 12)} ${lpad("M lines/s", 9)} ${lpad("(CPU)", 6)} ${lpad("loop s", 7)} ${lpad("M acc/s", 8)} ${lpad("(CPU)", 6)} ${lpad("peak RSS", 9)}`);
    for (const format of ["lackey", "raw64"]) {
      for (const [mode, page] of [["native", "4k"], ["nested", "4k"], ["native", "2m"], ["nested", "2m"]]) {
        const o = runCli(["--trace", files[format], "--format", format, "--mode", mode, "--guest-page-size", page, "--host-page-size", page]);
        const lines = o.accesses; // every generated record is one line (lackey) or 8 bytes (raw64); the banner aside
        const row = { format, mode, page, records: o.accesses, tlbHitRate: o.tlbHitRate, endToEndSeconds: o.endToEndSeconds, linesPerSecond: lines / o.endToEndSeconds, linesPerCpuSecond: lines / o.endToEndCpuSeconds, loopSeconds: o.seconds, loopAccessesPerSecond: o.accesses / o.seconds, loopAccessesPerCpuSecond: o.accesses / o.loopCpuSeconds, peakRssMiB: o.peakRssMiB };
        out.endToEnd.push(row);
        log(
          `${pad(format, 7)} ${pad(mode, 7)} ${pad(page, 5)} ${lpad(o.accesses, 11)} ${lpad((100 * o.tlbHitRate).toFixed(1) + "%", 8)} ${lpad(o.endToEndSeconds.toFixed(2), 12)} ${lpad((row.linesPerSecond / 1e6).toFixed(1), 9)} ${lpad((row.linesPerCpuSecond / 1e6).toFixed(1), 6)} ${lpad(o.seconds.toFixed(2), 7)} ${lpad((row.loopAccessesPerSecond / 1e6).toFixed(1), 8)} ${lpad((row.loopAccessesPerCpuSecond / 1e6).toFixed(1), 6)} ${lpad(o.peakRssMiB + " MiB", 9)}`,
        );
      }
      rmSync(files[format]);
    }

    // 2. The loop against C.
    const cc = findCompiler();
    if (!cc) {
      log("\nC comparison skipped: no C compiler (cc, gcc or clang) found on PATH.");
      return out;
    }
    const exe = path.join(dir, "tlb-model");
    const exeMinimal = path.join(dir, "tlb-model-minimal");
    execFileSync(cc, ["-O2", "-o", exe, path.join(__dirname, "tlb-model.c")], { stdio: "pipe" });
    execFileSync(cc, ["-O2", "-DMINIMAL_MODEL=1", "-o", exeMinimal, path.join(__dirname, "tlb-model.c")], { stdio: "pipe" });
    const compareTraces = [
      ["matmul", path.join(dir, "compare-matmul.raw64")],
      ["uniform", path.join(dir, "compare-uniform.raw64")],
    ];
    writeMatmulTrace(compareTraces[0][1], "raw64", compareRecords);
    writeUniformTrace(compareTraces[1][1], compareRecords, 16384, 1);
    log(`\nLoop vs plain C (${cc} -O2, tlb-model.c): ${fmtCount(compareRecords)} accesses (raw64: matmul; uniform over 16384 pages), 16 × 4 TLB, 4-level, no walk cache; median of ${repeats} single CLI runs (each run: C, minimal C, then the CLI)`);
    log(`${pad("trace", 8)} ${pad("mode", 7)} ${lpad("hits", 9)} ${lpad("misses", 8)} ${lpad("walk refs", 9)} ${lpad("C ms", 7)} ${lpad("sim ms", 7)} ${lpad("sim / C", 7)} ${lpad("C cpu ms", 9)} ${lpad("sim cpu ms", 10)} ${lpad("sim / C", 7)} ${lpad("C M acc/s", 10)} ${lpad("sim M acc/s", 11)} ${lpad("min. C cpu ms", 13)} ${lpad("sim / min.", 10)} ${lpad("--engine js cpu ms", 18)} ${lpad("/ C", 6)} ${lpad("JS port cpu ms", 14)} ${lpad("/ min.", 6)}`);
    out.compare = [];
    for (const [traceName, small] of compareTraces) for (const mode of ["native", "nested"]) {
      const runs = { c: [], ts: [], cCpu: [], cMinimalCpu: [], tsCpu: [], engineJsCpu: [], jsCpu: [] };
      let engine = "";
      let counts = null;
      for (let r = 0; r < repeats; r++) {
        const c = JSON.parse(execFileSync(exe, [small, mode, "16", "4"], { encoding: "utf8" }));
        const cMin = JSON.parse(execFileSync(exeMinimal, [small, mode, "16", "4"], { encoding: "utf8" }));
        for (const key of ["accesses", "tlbHits", "tlbMisses", "tlbEvictions", "walkRefs", "checksum"]) {
          if (c[key] !== cMin[key]) throw new Error(`tlb-model.c's two models disagree on ${key} in ${mode} mode: ${c[key]} and ${cMin[key]} (minimal)`);
        }
        const t = runCli(["--trace", small, "--mode", mode, "--tlb-sets", "16", "--tlb-ways", "4"]);
        const tj = runCli(["--trace", small, "--mode", mode, "--tlb-sets", "16", "--tlb-ways", "4", "--engine", "js"]);
        engine = t.engine + (t.engineProblem ? ` (${t.engineProblem})` : "");
        // The same work: the same trace through the same model must give the same counts.
        for (const [name, o] of [["the simulator", t], ["the simulator's --engine js", tj]]) {
          for (const key of ["accesses", "tlbHits", "tlbMisses", "walkRefs"]) {
            if (c[key] !== o[key]) throw new Error(`C and ${name} disagree on ${key} in ${mode} mode: C ${c[key]}, simulator ${o[key]}`);
          }
        }
        // The minimal C model ported to one JavaScript loop (tlb-model.js): V8's floor for that model.
        const j = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, "tlb-model.js"), small, mode, "16", "4"], { encoding: "utf8" }));
        for (const key of ["accesses", "tlbHits", "tlbMisses", "walkRefs", "checksum"]) {
          if (c[key] !== j[key]) throw new Error(`tlb-model.c and tlb-model.js disagree on ${key} in ${mode} mode: C ${c[key]}, JS ${j[key]}`);
        }
        counts = c;
        runs.jsCpu.push(j.cpuSeconds);
        runs.c.push(c.seconds);
        runs.ts.push(t.seconds);
        runs.cCpu.push(c.cpuSeconds);
        runs.cMinimalCpu.push(cMin.cpuSeconds);
        runs.tsCpu.push(t.loopCpuSeconds);
        runs.engineJsCpu.push(tj.loopCpuSeconds);
      }
      const m = { c: median(runs.c), ts: median(runs.ts), cCpu: median(runs.cCpu), cMinimalCpu: median(runs.cMinimalCpu), tsCpu: median(runs.tsCpu), engineJsCpu: median(runs.engineJsCpu), jsCpu: median(runs.jsCpu) };
      const row = { trace: traceName, mode, engine, tlbHits: counts.tlbHits, tlbMisses: counts.tlbMisses, walkRefs: counts.walkRefs, runs, cSeconds: m.c, tsLoopSeconds: m.ts, ratio: m.ts / m.c, cCpuSeconds: m.cCpu, tsLoopCpuSeconds: m.tsCpu, cpuRatio: m.tsCpu / m.cCpu, cAccessesPerCpuSecond: counts.accesses / m.cCpu, tsAccessesPerCpuSecond: counts.accesses / m.tsCpu, cMinimalCpuSeconds: m.cMinimalCpu, cpuRatioMinimal: m.tsCpu / m.cMinimalCpu, engineJsCpuSeconds: m.engineJsCpu, engineJsCpuRatio: m.engineJsCpu / m.cCpu, jsPortCpuSeconds: m.jsCpu, jsPortCpuRatio: m.jsCpu / m.cMinimalCpu };
      out.compare.push(row);
      log(`${pad(traceName, 8)} ${pad(mode, 7)} ${lpad(counts.tlbHits, 9)} ${lpad(counts.tlbMisses, 8)} ${lpad(counts.walkRefs, 9)} ${lpad((m.c * 1e3).toFixed(1), 7)} ${lpad((m.ts * 1e3).toFixed(1), 7)} ${lpad(row.ratio.toFixed(2) + "×", 7)} ${lpad((m.cCpu * 1e3).toFixed(1), 9)} ${lpad((m.tsCpu * 1e3).toFixed(1), 10)} ${lpad(row.cpuRatio.toFixed(2) + "×", 7)} ${lpad((row.cAccessesPerCpuSecond / 1e6).toFixed(0), 10)} ${lpad((row.tsAccessesPerCpuSecond / 1e6).toFixed(0), 11)} ${lpad((m.cMinimalCpu * 1e3).toFixed(1), 13)} ${lpad(row.cpuRatioMinimal.toFixed(2) + "×", 10)} ${lpad((m.engineJsCpu * 1e3).toFixed(1), 18)} ${lpad(row.engineJsCpuRatio.toFixed(2) + "×", 6)} ${lpad((m.jsCpu * 1e3).toFixed(1), 14)} ${lpad(row.jsPortCpuRatio.toFixed(2) + "×", 6)}`);
    }
    log(`(engine: ${out.compare[0].engine}. Accesses, hits, misses and walk references checked equal. sim ms: the CLI's loop time (its`);
    log(" \"seconds\"), warm-up included, as one run of the CLI pays it; cpu ms: CPU time of each process over the same span (sim:");
    log(" all threads, the compiler's too), steadier when the machine is shared; M acc/s: accesses per CPU-second of the loop;");
    log(" min. C: tlb-model.c built with -DMINIMAL_MODEL=1 (no tags, permissions, A/D bits or checks: a lower bound, not the");
    log(" simulator's model); --engine js: the same CLI run on the TypeScript loop; JS port: the minimal C model ported to");
    log(" JavaScript (tlb-model.js, 32-bit integers, counts and checksum checked equal to C), its ratio to the minimal C)");
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function fmtCount(n) {
  return n >= 1e6 ? `${+(n / 1e6).toFixed(1)} M` : String(n);
}
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

module.exports = { traceBench };
