// Every cost constant says where it comes from one way (costs/source.ts), and every figure it
// cites is a row of docs/virtualization-figures.md whose check tag ([V], [V2], [D], [R]) agrees
// with the copy the code keeps. The doc is read here, so a renamed or retagged row fails.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultIoCosts, IO_COST_TABLE, ioCostSources } from "../../src/costs/io";
import { MEMORY_COSTS_DEFAULT } from "../../src/costs/memory";
import { MEMORY_COST_SOURCES, MEMORY_EXIT_HANDLER_SOURCES } from "../../src/costs/memory-sources";
import { citedFigureIds, CITED_FIGURE_CHECKS, type CostSource } from "../../src/costs/source";
import * as library from "../../src/index";

const DOC = resolve(__dirname, "../../../docs/virtualization-figures.md");

/** Row id → the check tags that appear in its Source cell (the first one leads the cell). */
function docFigureTags(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(DOC, "utf8").split("\n")) {
    const m = /^\| ([A-D]\d+) \|/.exec(line);
    if (m === null) continue;
    const cells = line.split(" | ");
    const source = cells[cells.length - 1]!;
    rows.set(m[1]!, [...source.matchAll(/\[(V2|V|D|R)\]/g)].map((t) => t[1]!));
  }
  return rows;
}

const doc = docFigureTags();
const allSources: [string, CostSource][] = [
  ...Object.entries(IO_COST_TABLE).map(([name, entry]): [string, CostSource] => [`io.${name}`, entry.source]),
  ...Object.entries(MEMORY_COST_SOURCES).map(([name, source]): [string, CostSource] => [`memory.${name}`, source]),
  ...Object.entries(MEMORY_EXIT_HANDLER_SOURCES).map(([cause, source]): [string, CostSource] => [`memory.exit.${cause}`, source]),
];

describe("docs/virtualization-figures.md", () => {
  it("is read: it has the sections' rows with their tags", () => {
    expect(doc.size).toBeGreaterThan(50);
    expect(doc.get("B7")).toEqual(["V"]);
    expect(doc.get("C3")).toEqual(["V", "V2"]);
  });
});

describe("cost constants", () => {
  it("each have a source: figures that exist in the doc, or an assumption with its reason and the lesson text using it", () => {
    for (const [name, source] of allSources) {
      if ("figure" in source) {
        expect(source.figure.length, name).toBeGreaterThan(0);
        for (const id of source.figure) {
          expect(doc.has(id), `${name} cites ${id}`).toBe(true);
          expect(doc.get(id), `${name} cites ${id}, tagged as recalled only`).not.toEqual(["R"]);
        }
        // The text names exactly the figures the structure cites.
        const named = [...source.how.matchAll(/\[([A-D]\d+)\]/g)].map((m) => m[1]);
        expect(new Set(named), name).toEqual(new Set(source.figure));
      } else {
        expect(source.assumption.length, name).toBeGreaterThan(10);
        expect(source.usedBy, name).toMatch(/^\d\d /);
      }
    }
  });

  it("cover every constant of the I/O and memory models", () => {
    expect(Object.keys(IO_COST_TABLE).sort()).toEqual(Object.keys(defaultIoCosts).sort());
    for (const [name, entry] of Object.entries(IO_COST_TABLE)) expect(defaultIoCosts[name as keyof typeof defaultIoCosts]).toBe(entry.value);
    const memoryConstants = Object.keys(MEMORY_COSTS_DEFAULT).filter((k) => k !== "name" && k !== "exitHandlerCycles");
    expect(Object.keys(MEMORY_COST_SOURCES).sort()).toEqual(memoryConstants.sort());
    expect(Object.keys(MEMORY_EXIT_HANDLER_SOURCES).sort()).toEqual(Object.keys(MEMORY_COSTS_DEFAULT.exitHandlerCycles).sort());
  });

  it("give a table line for each I/O constant that names only rows of the doc", () => {
    for (const [name, text] of Object.entries(ioCostSources)) {
      expect(text, name).toMatch(/^(\[[A-D]\d+\]|Assumption: )/);
      for (const m of text.matchAll(/\[([A-D]\d+)\]/g)) expect(doc.has(m[1]!), `${name}: ${m[1]}`).toBe(true);
    }
  });
});

describe("the check tags the code keeps", () => {
  const agree = (copy: Readonly<Record<string, string>>) => {
    for (const [id, tag] of Object.entries(copy)) {
      expect(doc.has(id), `${id} is a row`).toBe(true);
      expect(doc.get(id), `${id} tagged ${tag}`).toContain(tag);
    }
  };

  it("agree with the doc, and cover every figure a cost constant cites", () => {
    agree(CITED_FIGURE_CHECKS);
    for (const [name, source] of allSources) {
      for (const id of citedFigureIds(source)) expect(CITED_FIGURE_CHECKS[id], `${name} cites ${id}`).toBeDefined();
    }
  });

  it("agree with the doc in any other copy the library exports (the lesson's FIGURE_CHECKS)", () => {
    const lessonCopy = (library as Record<string, unknown>).FIGURE_CHECKS as Readonly<Record<string, string>> | undefined;
    if (lessonCopy !== undefined) agree(lessonCopy);
  });
});
