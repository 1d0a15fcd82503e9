/**
 * I/O runs through the result cache: the same configuration (seed included) always gives the
 * same result, so lessons, playgrounds and exercises share runs instead of repeating them.
 */
import type { IoRunConfig } from "../io/config";
import type { IoRunResult } from "../io/metrics";
import { runIo } from "../io/run";
import { memoize } from "./result-cache";

/** {@link runIo}, cached: a frozen result. */
export const measureIo: (config: IoRunConfig) => IoRunResult = memoize("io", (config: IoRunConfig) => config, runIo);
