/**
 * Reading a trace file in Node: the thin edge around the browser-safe readers. Not exported
 * from the workloads barrel (it imports node:fs); import "kernel-lib/dist/workloads/trace-file".
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../core/errors";
import type { MemoryTrace } from "./trace";
import { parseTrace, type TraceReaderOptions } from "./trace-readers";

/** Reads and parses a trace file ("raw64" or "lackey"). */
export function readTraceFile(path: string, format: string, options: TraceReaderOptions = {}): MemoryTrace {
  let data: Uint8Array;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new ConfigError("trace", path, `a readable file (${(e as Error).message})`);
  }
  return parseTrace(data, format, { source: path, ...options });
}
