/**
 * Notebook 07's seeded problem (predict, then reveal): pre-copy rounds on paper.
 *
 * The textbook model of pre-copy (Clark et al. §3): a guest that dirties d distinct pages per
 * second, a link of P pages per second, a VM of N pages. Round 1 sends N pages in N/P seconds,
 * during which the guest dirties N·d/P pages; each round sends what the previous one let the
 * guest dirty, so round k sends N·(d/P)^(k−1): a geometric series with ratio d/P. The student
 * predicts rounds 2 and 3 and the downtime of stopping after round 3. The real runs of the
 * lesson differ where the writable working set caps the dirty pages (the model ignores it).
 */
import { requireInt } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import { Random } from "../../core/random";
import type { SeededProblem } from "../shared/lesson-check";

const VMS = ["VM A", "VM B", "VM C", "VM D", "VM E"];

/** A seeded pre-copy problem with `count` VMs (default 3). */
export function roundsProblem(seed = 1, options: { count?: number } = {}): SeededProblem {
  const count = requireInt("count", options.count ?? 3, 1, VMS.length);
  const rng = new Random(seed);
  const questions: Record<string, string | number>[] = [];
  const answers: Record<string, string | number>[] = [];
  let ratios = 0;
  for (let i = 0; i < count; i++) {
    const mib = [256, 512, 1024, 2048][rng.int(4)]!;
    const mbit = [1000, 10_000][rng.int(2)]!;
    const linkPages = Math.floor((mbit * 1e6) / 8 / 4096);
    const ratio = (1 + rng.int(9)) / 20; // 5 % to 45 % of the link's page rate
    const dirtyPerSecond = Math.round((ratio * linkPages) / 100) * 100;
    const n = mib * 256;
    const r = dirtyPerSecond / linkPages;
    ratios += r;
    const q = { VM: VMS[i]!, "memory (MiB)": mib, "pages (4 KiB)": n, "link (pages/s)": linkPages, "guest dirties (pages/s)": dirtyPerSecond };
    questions.push({ ...q, "round 2 (pages)": "?", "round 3 (pages)": "?", "downtime if stopped after round 3 (ms)": "?" });
    answers.push({
      ...q,
      "round 2 (pages)": Math.round(n * r),
      "round 3 (pages)": Math.round(n * r * r),
      "downtime if stopped after round 3 (ms)": Number(((n * r ** 3) / linkPages * 1000).toFixed(1)),
    });
  }
  return {
    seed,
    parameters: `ARG seed ${seed} · ${count} VMs · 4 KiB pages · every dirtied page distinct (no writable working set)`,
    prompt:
      "Each VM is migrated by pre-copy. Round 1 sends all its pages; every later round sends the pages the guest dirtied during the " +
      "round before. Predict the pages sent in rounds 2 and 3, and the downtime if the VM is paused after round 3 (the stop-and-copy " +
      "sends what round 3 let the guest dirty). Round to whole pages.",
    questions,
    answers,
    stats: `FINALSTATS vms ${count} meanRatio ${f(ratios / count)} (pages dirtied per page sent; each round is this fraction of the one before)`,
  };
}
