import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeRaw64Trace } from "../../src";

const root = resolve(__dirname, "../../..");
const cli = join(root, "kernel-lib/dist/cli/sim.js");
let dir = "";

beforeAll(() => {
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", "kernel-lib"], { cwd: root, stdio: "pipe" });
  dir = mkdtempSync(join(tmpdir(), "sim-"));
  writeFileSync(join(dir, "tiny.raw"), encodeRaw64Trace([0x10000, 0x10001, 0x10000, 0x20000, 0x10001]));
  writeFileSync(join(dir, "tiny.lackey"), "==1== Lackey\nI  04016b0,3\n L 7ff000398,8\n S 7ff000390,8\n");
  writeFileSync(join(dir, "bad.lackey"), "I  04016b0,3\nnot a line\n");
  writeFileSync(join(dir, "empty.raw"), new Uint8Array(0));
  writeFileSync(join(dir, "banner.lackey"), "==1== Lackey, an example Valgrind tool\n\n");
  writeFileSync(join(dir, "code.lackey"), "I  04016b0,3\nI  04016b4,3\n");
  writeFileSync(join(dir, "mixed.lackey"), "==1== Lackey\nI  04016b0,3\n L 7ff000398,8\nI  04016b4,3\n S 7ff001390,8\nI  04016b8,3\n M 0601040,4\n");
  writeFileSync(join(dir, "far.lackey"), "I  04016b0,3\n L 7ff000398,8\n\n S ffff80000000a000,8\n");
  writeFileSync(join(dir, "far.raw"), encodeRaw64Trace([0x10000, 2 ** 45 + 1]));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sim(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });
}

describe("sim CLI", () => {
  it("prints one JSON object with the required fields", () => {
    for (const mode of ["native", "shadow", "nested"]) {
      const r = sim(["--trace", join(dir, "tiny.raw"), "--mode", mode, "--json"]);
      expect(r.status).toBe(0);
      const o = JSON.parse(r.stdout);
      for (const key of ["accesses", "tlbHits", "tlbMisses", "walkRefs", "vmExits", "cycles", "seconds"]) expect(o).toHaveProperty(key);
      expect(o.accesses).toBe(5);
      expect(o.tlbMisses).toBeGreaterThanOrEqual(3);
      if (mode === "nested") expect(o.walkRefs).toBe(3 * 24);
      if (mode === "native") expect(o.walkRefs).toBe(3 * 4);
    }
    const l = sim(["--trace", join(dir, "tiny.lackey"), "--format", "lackey", "--mode", "nested", "--guest-levels", "5", "--host-levels", "5", "--tlb-sets", "4", "--tlb-ways", "2", "--json"]);
    expect(l.status).toBe(0);
    expect(JSON.parse(l.stdout).walkRefs).toBe(2 * 35);
    const big = sim(["--trace", join(dir, "tiny.raw"), "--mode", "nested", "--guest-page-size", "2m", "--host-page-size", "2m", "--costs", "textbook", "--json"]);
    expect(big.status).toBe(0);
    expect(JSON.parse(big.stdout)).toMatchObject({ walks: 2, walkRefs: 2 * 15, costs: "textbook" }) // two distinct 2 MiB pages;
  });

  it("--help says what is premapped and that no walk cache is used", () => {
    const r = sim(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/every page the trace touches is mapped before the/);
    expect(r.stdout).toMatch(/no page-walk cache/);
  });

  it("bad arguments name the flag and the allowed values, exit code 2", () => {
    const cases: [string[], RegExp][] = [
      [["--trace", join(dir, "tiny.raw"), "--mode", "turbo"], /--mode: got "turbo"; allowed: native \| shadow \| nested/],
      [["--trace", join(dir, "tiny.raw")], /--mode/],
      [["--mode", "native"], /--trace/],
      [["--trace", join(dir, "tiny.raw"), "--mode", "native", "--format", "csv"], /--format.*raw64 \| lackey/],
      [["--trace", join(dir, "tiny.raw"), "--mode", "native", "--guest-levels", "3"], /--guest-levels.*4 or 5/],
      [["--trace", join(dir, "tiny.raw"), "--mode", "native", "--tlb-sets", "6"], /--tlb-sets.*power of two/],
      [["--trace", join(dir, "tiny.raw"), "--mode", "native", "--tlb-ways", "x"], /--tlb-ways/],
      [["--trace", join(dir, "tiny.raw"), "--mode", "native", "--frobnicate"], /argument.*--frobnicate/],
      [["--trace", join(dir, "missing.raw"), "--mode", "native"], /--trace|trace/],
      [["--trace", join(dir, "tiny.raw"), "--mode", "native", "--host-page-size", "8k"], /--host-page-size.*4k, 2m or 1g/],
      [["--trace", join(dir, "tiny.raw"), "--mode", "native", "--costs", "fast"], /--costs.*default \| first-gen-vtx \| textbook/],
      [["--trace", join(dir, "tiny.raw"), "--mode", "native", "--walk-cache", "99999"], /--walk-cache/],
      [["--trace", join(dir, "bad.lackey"), "--format", "lackey", "--mode", "native"], /bad.lackey:2:/],
    ];
    for (const [args, pattern] of cases) {
      const r = sim(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stdout).toBe("");
    }
  });

  it("an empty trace is an error (exit 2), also when --data-only leaves nothing", () => {
    for (const [file, format, extra, pattern] of [
      ["empty.raw", "raw64", [], /empty.raw:1: nothing to simulate: it has no records/],
      ["banner.lackey", "lackey", [], /banner.lackey:1: nothing to simulate: it has no I\/L\/S\/M lines/],
      ["code.lackey", "lackey", ["--data-only"], /all 2 of its records are instruction fetches, which --data-only leaves out/],
    ] as const) {
      const r = sim(["--trace", join(dir, file), "--format", format, ...extra, "--mode", "native"]);
      expect(r.status, file).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stdout).toBe("");
    }
  });

  it("--data-only leaves out the instruction fetches", () => {
    const all = JSON.parse(sim(["--trace", join(dir, "mixed.lackey"), "--format", "lackey", "--mode", "native", "--json"]).stdout);
    const data = JSON.parse(sim(["--trace", join(dir, "mixed.lackey"), "--format", "lackey", "--data-only", "--mode", "native", "--json"]).stdout);
    expect(all).toMatchObject({ accesses: 6, instructionFetches: 3, dataOnly: false, tlbMisses: 4, walkRefs: 16 });
    expect(data).toMatchObject({ accesses: 3, instructionFetches: 3, dataOnly: true, tlbMisses: 3, walkRefs: 12 });
    const text = sim(["--trace", join(dir, "mixed.lackey"), "--format", "lackey", "--data-only", "--mode", "native"]);
    expect(text.stdout).toMatch(/data only: 3 instruction fetches left out/);
    const raw = sim(["--trace", join(dir, "tiny.raw"), "--data-only", "--mode", "native"]);
    expect(raw.status).toBe(2);
    expect(raw.stderr).toMatch(/--data-only: got "raw64"; allowed: lackey traces only/);
  });

  it("a lackey file read as raw64 suggests --format lackey", () => {
    const r = sim(["--trace", join(dir, "tiny.lackey"), "--mode", "native"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/tiny.lackey:1: this looks like text, not raw64 binary addresses \(it begins "==1== Lackey"\).*use --format lackey/);
  });

  it("errors name the line and the offending text or address (in hex)", () => {
    const bad = sim(["--trace", join(dir, "bad.lackey"), "--format", "lackey", "--mode", "native"]);
    expect(bad.stderr).toMatch(/bad.lackey:2: expected .*; got "not a line"/);
    const far = sim(["--trace", join(dir, "far.lackey"), "--format", "lackey", "--mode", "nested"]);
    expect(far.status).toBe(2);
    expect(far.stderr).toMatch(/far.lackey:4: address 0xffff80000000a000 is beyond the 48-bit virtual address space \(highest 0xffffffffffff\)/);
    expect(sim(["--trace", join(dir, "far.lackey"), "--format", "lackey", "--mode", "nested", "--guest-levels", "5"]).stderr).toMatch(/far.lackey:4: .*57-bit/);
    const raw = sim(["--trace", join(dir, "far.raw"), "--mode", "native"]);
    expect(raw.status).toBe(2);
    expect(raw.stderr).toMatch(/far.raw:2: record 2 \(byte offset 8\): address 0x200000000001000 is beyond the 48-bit/);
    // Page 2^45 + 1 starts at 2^57 + 4096: beyond 5-level paging's 57 bits too.
    expect(sim(["--trace", join(dir, "far.raw"), "--mode", "native", "--guest-levels", "5"]).status).toBe(2);
  });

  it("--help documents streaming, --data-only and the errors", () => {
    const r = sim(["--help"]);
    for (const pattern of [/--data-only/, /never held in memory/, /empty trace/, /--format lackey/, /address in hex/]) expect(r.stdout).toMatch(pattern);
  });
});
