/**
 * A boot image's pages (kernel, libraries) as a guest reads them into its page cache: a seeded
 * mix of zero pages and data pages, identical for every VM booted from the same image and seed.
 * The workload page sharing feeds on (overcommit/page-sharing.ts).
 */
import { requireInt, requireNumber } from "../core/errors";
import { Random } from "../core/random";

/** `pages` pages of an image (null = a page of zeros), `zeroFraction` of them zero. Default seed 7. */
export function bootImage(pages: number, options: { seed?: number; zeroFraction?: number; pageSizeBytes?: number } = {}): (Uint8Array | null)[] {
  requireInt("pages", pages, 0, 2 ** 20);
  const zero = requireNumber("zeroFraction", options.zeroFraction ?? 0.25, 0, 1);
  const size = requireInt("pageSizeBytes", options.pageSizeBytes ?? 4096, 16, 2 ** 21);
  const rng = new Random(options.seed ?? 7);
  const out: (Uint8Array | null)[] = [];
  for (let i = 0; i < pages; i++) {
    if (rng.next() < zero) {
      out.push(null);
      continue;
    }
    const b = new Uint8Array(size);
    for (let j = 0; j < size; j += 16) b[j] = rng.int(256);
    b[1] = i & 255; // the page's index, so no two data pages of one image are alike
    b[2] = (i >>> 8) & 255;
    out.push(b);
  }
  return out;
}
