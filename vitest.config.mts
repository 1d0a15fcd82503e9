import { defineConfig } from "vitest/config";

// Two projects: fast unit suites of kernel-lib, and integration suites that drive the real
// tslab kernel, Jupyter and Chromium (run one file at a time: they are heavy on 2 cores).
export default defineConfig({
  test: {
    reporters: ["default", "./tests/helpers/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["kernel-lib/test/**/*.test.ts"],
          testTimeout: 30_000,
          // The simulator's modules are loaded once per worker, not once per file: its tests share
          // no mutable state but the deterministic, frozen result cache (experiments/result-cache.ts).
          isolate: false,
        },
      },
      {
        test: {
          name: "integration",
          include: ["tests/**/*.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
