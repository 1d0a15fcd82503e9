// kernel-lib is built by the project's TypeScript (5.9, strict) but notebooks compile against its
// .d.ts with tslab's bundled TypeScript 5.0: every public declaration must be readable there.
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./helpers/project";

const requireFromRoot = createRequire(path.join(ROOT, "package.json"));
type TS = typeof import("typescript");
const ts50 = requireFromRoot("@tslab/typescript-for-tslab") as TS;

describe("kernel-lib declarations under tslab's TypeScript", () => {
  it("tslab bundles TypeScript 5.0", () => expect(ts50.version).toMatch(/^5\.0\./));

  it("type-checks a notebook-like program against every kernel-lib declaration, the lessons' namespaces included, with no errors", () => {
    mkdirSync(path.join(ROOT, "build"), { recursive: true });
    const dir = mkdtempSync(path.join(ROOT, "build", ".decl-")); // inside the project: resolves node_modules
    const file = path.join(dir, "cell.ts");
    writeFileSync(
      file,
      `import * as kl from "kernel-lib";\n` +
        `import { lesson03 as lesson, lesson06 } from "kernel-lib/course";\n` +
        `const fig: kl.Figure = kl.barChart([{ a: 1, b: 2 }], { x: "a", y: "b", title: "t", xTitle: "x", yTitle: "y" });\n` +
        `const r = new kl.Random(1).int(10);\nconsole.log(fig.data.length, r);\n` +
        `const walk = lesson.nativeWalkDemo();\nlet cost: lesson06.WalkCostReport | undefined;\nconsole.log(walk.walkRefs, cost);\n`,
    );
    const program = ts50.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: false, // check kernel-lib's .d.ts files themselves
      module: ts50.ModuleKind.CommonJS,
      moduleResolution: ts50.ModuleResolutionKind.NodeJs,
      target: ts50.ScriptTarget.ES2020,
      types: ["node"],
      typeRoots: [path.join(ROOT, "node_modules/@types")],
    });
    const diagnostics = ts50
      .getPreEmitDiagnostics(program)
      .filter((d) => !d.file || d.file.fileName.includes("kernel-lib") || d.file.fileName === file)
      .map((d) => `${d.file?.fileName ?? ""}: ${ts50.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    rmSync(dir, { recursive: true, force: true });
    expect(diagnostics).toEqual([]);
    // It really read the declarations (not a silently-unresolved import).
    expect(program.getSourceFiles().some((f) => f.fileName.endsWith("kernel-lib/dist/index.d.ts"))).toBe(true);
    // The lessons' namespace entry (kernel-lib/course/package.json) resolves under node10 resolution.
    expect(program.getSourceFiles().some((f) => f.fileName.endsWith("kernel-lib/dist/course/index.d.ts"))).toBe(true);
  });
});
