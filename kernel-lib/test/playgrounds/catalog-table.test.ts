// kl.playgroundCatalog() as a notebook cell's last value: tslab prints it with console.log, which
// must show a readable table (names, parameters, allowed values, defaults), not `[Object]`, while
// the value stays the registry's plain JSON data (the handouts' bundle.mjs serializes it).
import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { playgroundCatalog } from "../../src/display/playground";
import { playgroundCatalog as registryCatalog } from "../../src/playgrounds";

describe("playgroundCatalog() in a notebook", () => {
  it("prints as a table of every playground and parameter, with allowed values and defaults", () => {
    const text = inspect(playgroundCatalog());
    expect(text).not.toContain("[Object]");
    for (const [name, info] of Object.entries(registryCatalog())) {
      expect(text).toContain(name);
      const lines = text.split("\n");
      for (const [key, spec] of Object.entries(info.params)) {
        expect(lines.some((l) => l.startsWith(`  ${key} `) && l.includes(` ${spec.label} `)), `${name}.${key}`).toBe(true);
      }
    }
    expect(text).toMatch(/\n {2}guestPageKiB +guest page size +4 KiB, 2 MiB, 1 GiB +4 KiB\n/);
    expect(text).toMatch(/\n {2}guestLevels +guest page-table levels +4 to 5 levels, step 1 +4 levels\n/);
  });

  it("is still the registry's data", () => {
    expect(JSON.parse(JSON.stringify(playgroundCatalog()))).toEqual(JSON.parse(JSON.stringify(registryCatalog())));
  });
});
