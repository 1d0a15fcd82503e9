/**
 * Reading a trace file in Node: the thin edge around the browser-safe readers. Not exported
 * from the workloads barrel (it imports node:fs); import "kernel-lib/dist/workloads/trace-file".
 */
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { ConfigError, requireInt } from "../core/errors";
import type { MemoryTrace } from "./trace";
import { parseTrace, type TraceReaderOptions } from "./trace-readers";
import type { TraceByteSource } from "./trace-stream";

/** Reads and parses a whole trace file ("raw64" or "lackey") into memory: for small files. */
export function readTraceFile(path: string, format: string, options: TraceReaderOptions = {}): MemoryTrace {
  let data: Uint8Array;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new ConfigError("trace", path, `a readable file (${(e as Error).message})`);
  }
  return parseTrace(data, format, { source: path, ...options });
}

/**
 * A trace file as a {@link TraceByteSource}: each pass reads it from the start through one
 * fixed buffer of `chunkBytes`, so memory does not grow with the file.
 */
export function traceFileSource(path: string, chunkBytes = 1 << 20): TraceByteSource {
  requireInt("chunkBytes", chunkBytes, 1, 2 ** 30);
  let buffer: Uint8Array | null = null;
  return {
    name: path,
    forEachChunk(visit) {
      let fd: number;
      try {
        fd = openSync(path, "r");
      } catch (e) {
        throw new ConfigError("trace", path, `a readable file (${(e as Error).message})`);
      }
      try {
        // A plain Uint8Array (not a Buffer) keeps the parsers' byte loads monomorphic.
        buffer ??= new Uint8Array(chunkBytes);
        for (;;) {
          const n = readSync(fd, buffer, 0, buffer.length, null);
          if (n === 0) break;
          visit(n === buffer.length ? buffer : buffer.subarray(0, n));
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}
