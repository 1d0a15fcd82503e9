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
  it("matches the nested-walk law (n+1)(m+1)-1 and the native walk length", () => {
    for (const n of [4, 5]) for (const m of [4, 5]) {
      const r = pageWalkReads(n, m, 4, 4);
      expect(r.native).toBe(n);
      expect(r.shadow).toBe(n);
      expect(r.nestedGuest + r.nestedHost).toBe((n + 1) * (m + 1) - 1);
    }
    expect(pageWalkReads(4, 4, 4, 4).nestedGuest + pageWalkReads(4, 4, 4, 4).nestedHost).toBe(24);
  });

  it("a 2 MiB leaf removes one level on its side, a 1 GiB leaf two; shadow needs both sides large", () => {
    expect(pageWalkReads(4, 4, 2048, 4)).toMatchObject({ native: 3, shadow: 4, nestedGuest: 3, nestedHost: 4 * 4 });
    expect(pageWalkReads(4, 4, 4, 2048)).toMatchObject({ native: 4, shadow: 4, nestedHost: 5 * 3 });
    expect(pageWalkReads(4, 4, 1048576, 1048576)).toMatchObject({ native: 2, shadow: 2, nestedHost: 3 * 2 });
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
