/**
 * Typed errors for bad input. Every message names the field, the value given and what is
 * allowed, so a student who passes `levels: 0` reads what to change rather than a stack trace.
 *
 * A guest page fault or an unmapped access is NOT an error: it is a modeled event returned by
 * the simulator. These errors are for configurations and inputs that make no sense.
 */
export class KernelLibError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration or argument is outside what the model allows. */
export class ConfigError extends KernelLibError {
  constructor(
    /** Dotted name of the offending field, e.g. `tlb.sets` or `layout.levels`. */
    readonly field: string,
    /** The value that was given. */
    readonly value: unknown,
    /** What is allowed, in words, e.g. "a power of two from 1 to 65536". */
    readonly allowed: string,
  ) {
    super(`${field}: got ${describe(value)}; allowed: ${allowed}`);
  }
}

/** An input file or text (a trace, a memory image) is malformed at a given line. */
export class ParseError extends KernelLibError {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${source}:${line}: ${reason}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" && Number.isFinite(value) && Number.isInteger(value) && Math.abs(value) > 0xffff) {
    return `${value} (0x${value.toString(16)})`;
  }
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s;
  } catch {
    return String(value);
  }
}

/** Throws a ConfigError unless `value` is an integer in [min, max]. */
export function requireInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** Throws a ConfigError unless `value` is a finite number in [min, max]. */
export function requireNumber(field: string, value: unknown, min: number, max = Infinity): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(field, value, `a finite number ${range}`);
  }
  return value;
}

/** Throws a ConfigError unless `value` is a power of two in [min, max]. */
export function requirePowerOfTwo(field: string, value: unknown, min: number, max: number): number {
  const n = requireInt(field, value, min, max);
  if ((n & (n - 1)) !== 0) throw new ConfigError(field, value, `a power of two from ${min} to ${max}`);
  return n;
}

/** Throws a ConfigError unless `value` is one of `choices`. */
export function requireOneOf<T extends string>(field: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw new ConfigError(field, value, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`);
  }
  return value as T;
}
