/**
 * The little of the WebAssembly JavaScript API the simulator uses, typed here because
 * kernel-lib compiles without the DOM library (and so without its WebAssembly types).
 * Null where the engine has no WebAssembly.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `pages` pages of 64 KiB (replacing `buffer`); throws a RangeError past the limit. */
  grow(pages: number): number;
}
/** A compiled module. */
export type WasmModule = object;
/** What the simulator needs of the WebAssembly namespace. */
export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown };
}

const api = (globalThis as { WebAssembly?: unknown }).WebAssembly;
/** The engine's WebAssembly namespace, or null. */
export const wasmApi: WasmApi | null = typeof api === "object" && api !== null ? (api as WasmApi) : null;
