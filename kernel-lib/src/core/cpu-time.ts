/**
 * CPU time of this process, for benchmarks: steadier than the wall clock when other jobs
 * share the machine. Browser-safe: NaN where there is no process.cpuUsage.
 */

/** CPU time (user + system, all threads) of this process in microseconds, or NaN outside Node. */
export function cpuMicros(): number {
  const p = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  if (!p?.cpuUsage) return NaN;
  const u = p.cpuUsage();
  return u.user + u.system;
}
