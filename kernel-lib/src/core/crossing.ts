/**
 * Where two sampled curves cross: the lessons' crossovers (shadow vs nested paging as churn
 * grows) are read between samples by linear interpolation, never reported as the next sample
 * point (which can be far past the real crossing).
 */

/**
 * The first x where curve `a` goes from at most `b` to above it, interpolated linearly between
 * the two samples around it, with the curves' common y there; null if `a` never rises above `b`.
 * `xs` ascending; `a`, `b` sampled at `xs`.
 */
export function firstCrossing(xs: readonly number[], a: readonly number[], b: readonly number[]): { x: number; y: number } | null {
  for (let i = 1; i < xs.length; i++) {
    const d0 = a[i - 1]! - b[i - 1]!;
    const d1 = a[i]! - b[i]!;
    if (d0 <= 0 && d1 > 0) {
      const t = -d0 / (d1 - d0);
      return { x: xs[i - 1]! + t * (xs[i]! - xs[i - 1]!), y: b[i - 1]! + t * (b[i]! - b[i - 1]!) };
    }
  }
  return null;
}
