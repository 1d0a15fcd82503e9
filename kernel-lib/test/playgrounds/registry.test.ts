import { describe, expect, it } from "vitest";
import {
  definePlayground, getPlayground, playgroundCatalog, playgroundNames, resolvePlaygroundParams, runPlayground,
} from "../../src/playgrounds";
import { pageWalkReads } from "../../src/experiments/walk-reads";
import { playgroundBundle, PLAYGROUND_MIME } from "../../src/display/playground";
import { PLOTLY_MIME } from "../../src/charts/figure";
import { ConfigError } from "../../src/core/errors";

describe("playground registry", () => {
  it("every playground has specs whose defaults run, with a titled figure, deterministically", () => {
    expect(playgroundNames().length).toBeGreaterThan(0);
    for (const name of playgroundNames()) {
      const p = getPlayground(name);
      expect(Object.keys(p.params).length, name).toBeGreaterThan(0);
      const a = runPlayground(name);
      const b = runPlayground(name);
      expect(a.data.length, name).toBeGreaterThan(0);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(JSON.stringify(a.layout.title)).not.toBe('""');
    }
  });

  it("the catalog is plain JSON with every parameter's label, unit and range", () => {
    const catalog = JSON.parse(JSON.stringify(playgroundCatalog()));
    for (const name of playgroundNames()) {
      for (const spec of Object.values(catalog[name].params) as { label: string; min: number; max: number; default: number }[]) {
        expect(spec.label).toBeTruthy();
        expect(spec.min).toBeLessThanOrEqual(spec.default);
        expect(spec.default).toBeLessThanOrEqual(spec.max);
      }
    }
  });

  it("names an unknown playground, an unknown parameter and a value out of range", () => {
    expect(() => getPlayground("nope")).toThrowError(/playground: got "nope"; allowed: one of "page-walk"/);
    expect(() => resolvePlaygroundParams("page-walk", { levels: 4 })).toThrowError(/page-walk.levels: got 4; allowed: a parameter of "page-walk": guestLevels/);
    expect(() => runPlayground("page-walk", { guestLevels: 6 })).toThrowError(/page-walk.guestLevels: got 6; allowed: a number from 4 to 5/);
    expect(() => runPlayground("page-walk", { hostPageKiB: 8 })).toThrowError(/one of 4, 2048, 1048576 KiB/);
  });

  it("rejects a duplicate name and a default outside its range", () => {
    const run = () => ({ data: [], layout: {} });
    expect(() => definePlayground({ name: "page-walk", title: "t", description: "d", params: {}, run })).toThrow(ConfigError);
    expect(() =>
      definePlayground({ name: "bad-default", title: "t", description: "d", run,
        params: { x: { label: "x", unit: "", min: 0, max: 10, step: 2, default: 3 } } }),
    ).toThrowError(/bad-default.params.x.default: got 3; allowed: a number from 0 to 10 in steps of 2/);
  });
});

describe("page-walk playground (the machine's hardware walker)", () => {
  it("draws the reads of experiments' pageWalkReads (their counts are proved in test/mmu/ and test/experiments/)", () => {
    const p = { guestLevels: 5, hostLevels: 4, guestPageKiB: 2048, hostPageKiB: 4 };
    const r = pageWalkReads(p.guestLevels, p.hostLevels, p.guestPageKiB, p.hostPageKiB);
    const [entries, host] = runPlayground("page-walk", p).data;
    expect(entries!.y).toEqual([r.native, r.shadow, r.nestedGuest]);
    expect(host!.y).toEqual([0, 0, r.nestedHost]);
  });

  it("the figure changes with the parameters", () => {
    const y = (params: object) => JSON.stringify(runPlayground("page-walk", params).data.map((t) => t.y));
    expect(y({ guestLevels: 5 })).not.toBe(y({ guestLevels: 4 }));
  });
});

describe("playgroundBundle", () => {
  it("is a chart bundle marked with the playground name and resolved parameters", () => {
    const b = playgroundBundle("page-walk", { hostLevels: 5 });
    expect(b[PLAYGROUND_MIME]).toEqual({ name: "page-walk", params: { guestLevels: 4, hostLevels: 5, guestPageKiB: 4, hostPageKiB: 4 } });
    expect(b[PLOTLY_MIME]).toEqual(runPlayground("page-walk", { hostLevels: 5 }));
    expect(String(b["text/html"])).toMatch(/^<div class="kl-chart kl-playground" data-playground="page-walk" data-playground-params="\{&quot;guestLevels&quot;:4/);
  });
});
