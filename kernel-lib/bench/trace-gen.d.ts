// Types of trace-gen.js (plain JS, run by `npm run bench`), for the unit test that pins its counts.
/** Calls visit(kind, address) for the first `records` records of the matmul trace. */
export function forEachMatmulRecord(records: number, visit: (kind: "I" | "L" | "M", address: number) => void): void;
/** Writes `records` matmul records to `path` as "lackey" or "raw64"; returns bytes written. */
export function writeMatmulTrace(path: string, format: "lackey" | "raw64", records: number): number;
/** Writes `records` raw64 reads of pages drawn uniformly (seeded) from `pages` pages. */
export function writeUniformTrace(path: string, records: number, pages: number, seed?: number): void;
