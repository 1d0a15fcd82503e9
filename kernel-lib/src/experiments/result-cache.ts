/**
 * The one result cache. Runs are seeded and deterministic, and a notebook often draws a chart
 * and then prints what it shows from the same runs (and a playground re-runs while a slider is
 * dragged), so the last results are kept. They are handed out frozen, deeply: a cell that edits
 * its rows gets an error instead of silently changing what the next cell reads.
 */

/** Entries kept, all memoized functions together (least recently computed dropped first). */
const CACHE_SIZE = 128;
const cache = new Map<string, unknown>();

/** Freezes `value` and every object and array inside it (typed arrays cannot be frozen and are left alone). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/**
 * `compute`, remembered by `name` and the JSON of `keyOf(input)`: the same input gives the same
 * frozen result without running again.
 */
export function memoize<P, R>(name: string, keyOf: (input: P) => unknown, compute: (input: P) => R): (input: P) => R {
  return (input: P) => {
    const key = `${name}:${JSON.stringify(keyOf(input))}`;
    if (cache.has(key)) return cache.get(key) as R;
    const result = deepFreeze(compute(input));
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, result);
    return result;
  };
}
