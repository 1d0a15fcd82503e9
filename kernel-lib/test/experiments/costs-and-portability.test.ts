import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { MEMORY_COSTS_DEFAULT, MEMORY_COSTS_TEXTBOOK, Machine, exitCycles, memoryCostModel, uniformWorkload } from "../../src";

const src = resolve(__dirname, "../../src");

describe("memory cost model", () => {
  it("every constant is cited with a figure id from virtualization-figures.md", () => {
    const text = readFileSync(resolve(src, "costs/memory.ts"), "utf8");
    const iface = text.slice(text.indexOf("export interface MemoryCostModel"), text.indexOf("export const MEMORY_COSTS_DEFAULT"));
    for (const field of ["accessCycles", "tlbHitCycles", "walkRefCycles", "pteWriteCycles", "pageFaultCycles", "vmExitRoundTripCycles"]) {
      const doc = iface.slice(0, iface.indexOf(`${field}:`)).split("/**").pop()!;
      expect(doc, field).toMatch(/\b[ABD]\d{1,2}\b/);
    }
    const handlers = text.slice(text.indexOf("exitHandlerCycles: Object.freeze({"), text.indexOf("}),", text.indexOf("exitHandlerCycles: Object.freeze({")));
    for (const cause of Object.keys(MEMORY_COSTS_DEFAULT.exitHandlerCycles)) {
      const before = handlers.slice(0, handlers.search(new RegExp(`"?${cause}"?:`)));
      expect(before.split("\n").slice(-3).join("\n"), cause).toMatch(/B\d+/);
    }
  });

  it("presets carry the published numbers and can be overridden", () => {
    expect(MEMORY_COSTS_DEFAULT.vmExitRoundTripCycles).toBe(2000); // B7
    expect(MEMORY_COSTS_TEXTBOOK.walkRefCycles * 24).toBeCloseTo(200, 10); // B13
    const c = memoryCostModel({ walkRefCycles: 30, exitHandlerCycles: { "cr3-load": 0 } });
    expect(c.walkRefCycles).toBe(30);
    expect(exitCycles(c, "cr3-load")).toBe(2000);
    expect(exitCycles(c, "guest-pt-write")).toBe(2391);
    const m = new Machine({ mode: "nested", costs: { walkRefCycles: 0, tlbHitCycles: 0, accessCycles: 0 } });
    expect(m.run(uniformWorkload({ pages: 100, accesses: 1000 }), m.createVm()).cycles).toBe(0);
  });

  it("rejects bad cost values naming the field", () => {
    expect(() => memoryCostModel({ walkRefCycles: -1 })).toThrow(/costs.walkRefCycles/);
    expect(() => memoryCostModel({ exitHandlerCycles: { "cr3-load": Number.NaN } })).toThrow(/costs.exitHandlerCycles.cr3-load/);
    expect(() => memoryCostModel({}, "fast")).toThrow(/costs.preset.*"default"/);
    // A misspelt name is an error, not a silently kept default.
    expect(() => memoryCostModel({ walkRefCycle: 30 } as never)).toThrow(/costs.walkRefCycle: .*walkRefCycles/);
    expect(() => new Machine({ mode: "nested", costs: { walkRefCycle: 30 } as never })).toThrow(/costs.walkRefCycle/);
  });

  it("every figure id cited by the cost models is a row of docs/virtualization-figures.md", () => {
    const figures = readFileSync(resolve(src, "../../docs/virtualization-figures.md"), "utf8");
    const rows = new Set([...figures.matchAll(/^\| ([A-E]\d{1,2}) \|/gm)].map((m) => m[1]));
    expect(rows.size).toBeGreaterThan(30);
    for (const file of ["costs/memory.ts", "costs/io.ts"]) {
      const cited = [...readFileSync(resolve(src, file), "utf8").matchAll(/\[([A-E]\d{1,2})\]|\(([A-E]\d{1,2})\)|figure ([A-E]\d{1,2})/g)].map((m) => m[1] ?? m[2] ?? m[3]);
      expect(cited.length, file).toBeGreaterThan(5);
      for (const id of cited) expect(rows.has(id!), `${file} cites ${id}`).toBe(true);
    }
  });
});

describe("browser portability", () => {
  it("the simulation core bundles for the browser with no Node built-ins", async () => {
    const entry = ["memory", "mmu", "hypervisor", "workloads", "experiments", "costs/memory"].map((d) => `export * from ${JSON.stringify(resolve(src, d))};`).join("\n");
    const r = await build({ stdin: { contents: entry, resolveDir: src, loader: "ts" }, bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent" });
    const code = r.outputFiles[0]!.text;
    expect(code).not.toMatch(/require\(["'](node:)?(fs|path|os|child_process)["']\)/);
    expect(code).not.toMatch(/from ["']node:/);
  });
});
