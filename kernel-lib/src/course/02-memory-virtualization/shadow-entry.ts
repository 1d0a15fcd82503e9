/**
 * Exercise of notebook 02: a shadow page table maps guest-virtual pages straight to host frames,
 * the composition of the guest's own table (guest-virtual → guest-physical) and the hypervisor's
 * map (guest-physical → host). That is Alex's "quick reference sheet".
 */
import { requireInt } from "../../core/errors";
import { Random } from "../../core/random";
import { callStudent, ExerciseCheckError, passed, type ExerciseCheckReport, type SeededProblem } from "../shared/lesson-check";
import { distinctFrames } from "../shared/problems";

/** The reference shadow entry: host frame of guest-virtual page `gvpn`, or null (no shadow entry). Not exported: it answers the graded exercise, and nothing a student imports may (issue 12). */
function shadowEntryOf(gvpn: number, guestTable: Readonly<Record<number, number>>, p2m: readonly number[]): number | null {
  const gpfn = guestTable[gvpn];
  if (gpfn === undefined) return null; // the guest itself has no mapping: a true guest page fault
  if (gpfn < 0 || gpfn >= p2m.length) return null; // the guest points outside its memory: refused
  return p2m[gpfn]!;
}

/**
 * A seeded problem: a guest page table (guest-virtual page → guest-physical frame) and the
 * VM's p2m map (guest-physical frame → host frame); fill in the shadow table (guest-virtual
 * page → host frame), then say what the hypervisor must do when the guest changes one entry.
 */
export function shadowTableProblem(seed = 1, options: { pages?: number; guestFrames?: number } = {}): SeededProblem & { guestTable: Record<number, number>; p2m: number[]; change: { gvpn: number; newGuestFrame: number } } {
  const pages = requireInt("pages", options.pages ?? 6, 2, 16);
  const guestFrames = requireInt("guestFrames", options.guestFrames ?? 6, 2, 16);
  const rng = new Random(seed);
  const p2m = distinctFrames(rng, 64, guestFrames, new Set());
  const guestTable: Record<number, number> = {};
  const questions = [];
  const answers = [];
  const unmapped = rng.int(pages); // at least one page the guest has not mapped
  for (let gvpn = 0; gvpn < pages; gvpn++) {
    const mapped = gvpn !== unmapped && rng.next() < 0.85;
    if (mapped) guestTable[gvpn] = rng.int(guestFrames);
    const hf = shadowEntryOf(gvpn, guestTable, p2m);
    questions.push({ "guest-virtual page": gvpn, "guest table says (guest frame)": mapped ? guestTable[gvpn]! : "not present" });
    answers.push({ "guest-virtual page": gvpn, "guest table says (guest frame)": mapped ? guestTable[gvpn]! : "not present", "shadow entry (host frame)": hf === null ? "none (guest page fault)" : hf });
  }
  let gvpn = rng.int(pages);
  if (guestTable[gvpn] === undefined) gvpn = Number(Object.keys(guestTable)[0] ?? 0);
  let newGuestFrame = rng.int(guestFrames);
  if (newGuestFrame === guestTable[gvpn]) newGuestFrame = (newGuestFrame + 1) % guestFrames;
  const newHost = p2m[newGuestFrame]!;
  answers.push({
    "guest-virtual page": gvpn,
    "guest table says (guest frame)": `changed to ${newGuestFrame}`,
    "shadow entry (host frame)": `${newHost} after 1 VM exit (guest page-table write, shadow paging); 0 exits under nested paging`,
  });
  const present = Object.keys(guestTable).length;
  return {
    seed,
    guestTable,
    p2m,
    change: { gvpn, newGuestFrame },
    parameters: `seed ${seed} · ${pages} guest-virtual pages · ${guestFrames} guest-physical frames · p2m (guest frame → host frame): [${p2m.join(", ")}]`,
    prompt:
      `Fill in the shadow table: for each guest-virtual page, the host frame = p2m[guest frame]. ` +
      `Then the guest rewrites its entry for page ${gvpn} to point at guest frame ${newGuestFrame}: what is the new shadow entry, and how many VM exits does that one write cost under shadow paging and under nested paging?`,
    questions,
    answers,
    stats: `${present} shadow entries · ${pages - present} pages the guest has not mapped · 1 write-protect exit per guest PTE write under shadow paging`,
  };
}

/** The signature students implement in notebook 02. */
export type ShadowEntryFn = (gvpn: number, guestTable: Record<number, number>, p2m: number[]) => number | null;

/** Checks a student's `shadowEntry` on seeded guest tables and p2m maps. */
export function checkShadowEntry(shadowEntry: ShadowEntryFn, seed = 11): ExerciseCheckReport {
  const exercise = "shadowEntry";
  const rng = new Random(seed);
  let cases = 0;
  for (let t = 0; t < 20; t++) {
    const guestFrames = 2 + rng.int(8);
    const p2m = distinctFrames(rng, 256, guestFrames, new Set());
    const guestTable: Record<number, number> = {};
    for (let v = 0; v < 12; v++) {
      const r = rng.next();
      if (r < 0.7) guestTable[v] = rng.int(guestFrames);
      else if (r < 0.8) guestTable[v] = guestFrames + rng.int(4); // a buggy or malicious guest
    }
    for (let gvpn = 0; gvpn < 12; gvpn++) {
      const want = shadowEntryOf(gvpn, guestTable, p2m);
      const args = `guest-virtual page ${gvpn} with guestTable ${JSON.stringify(guestTable)} and p2m [${p2m.join(", ")}]`;
      const got = callStudent(exercise, shadowEntry, [gvpn, { ...guestTable }, p2m.slice()], args);
      if (got === want) {
        cases++;
        continue;
      }
      const gpfn = guestTable[gvpn];
      let why: string;
      if (gpfn === undefined) why = "the guest has no mapping for this page, so there is no shadow entry: return null (the hypervisor reflects the fault to the guest)";
      else if (want === null) why = "the guest's entry points past the VM's memory: the hypervisor must refuse it (return null), or this guest could reach another VM's frames";
      else if (got === gpfn) why = "you returned the guest-physical frame: the hardware would then use a guest frame number as a host frame. Translate it once more through p2m";
      else if (got === null) why = "the guest maps this page to one of its own frames, so the shadow entry exists (return a host frame)";
      else why = "a shadow entry composes both maps: guest-virtual page → guest frame (guestTable), then guest frame → host frame (p2m)";
      throw new ExerciseCheckError(exercise, { wrong: `you returned ${JSON.stringify(got)}`, hint: why, input: args });
    }
  }
  return passed(exercise, cases);
}
