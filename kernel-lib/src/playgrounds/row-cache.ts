/**
 * Remembers a playground's last few results by parameters. A notebook draws the chart and then
 * prints what it shows from the same rows; the runs are seeded and deterministic, so the second
 * call costs nothing. Callers get copies, so a cell that edits its rows cannot change the cache.
 */
export function cachedRows<P, R extends object>(keyOf: (p: P) => unknown[], compute: (p: P) => R[], size = 16): (p: P) => R[] {
  const cache = new Map<string, readonly R[]>();
  return (p: P) => {
    const key = JSON.stringify(keyOf(p));
    let rows = cache.get(key);
    if (rows === undefined) {
      rows = compute(p);
      if (cache.size >= size) cache.delete(cache.keys().next().value!);
      cache.set(key, rows);
    }
    return rows.map((r) => ({ ...r }));
  };
}
