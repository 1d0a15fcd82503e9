/**
 * Exercises of notebooks 01 and 02: the hypervisor's two maps.
 *
 * - `hostAddressOf` (notebook 01): a VM's guest-physical memory is a list of host frames the
 *   hypervisor gave it (the "physical-to-machine" map, what EPT/NPT hold in hardware). A
 *   guest-physical address is translated page by page; an address beyond the VM's memory is
 *   refused. That refusal is isolation: the landlord only has keys to the VM's own rooms.
 * - `shadowEntry` (notebook 02): a shadow page table maps guest-virtual pages straight to host
 *   frames, the composition of the guest's own table (guest-virtual → guest-physical) and the
 *   hypervisor's map (guest-physical → host). That is Alex's "quick reference sheet".
 */
import { requireInt } from "../core/errors";
import { Random } from "../core/random";
import { callStudent, ExerciseCheckError, hex, passed, type ExerciseCheckReport, type SeededProblem } from "./lesson-check";

/** The reference: host address of `guestPhysicalAddress` under `p2m`, or null if outside the VM. */
export function hostAddressIn(guestPhysicalAddress: number, p2m: readonly number[], pageSizeBytes: number): number | null {
  const guestFrame = Math.floor(guestPhysicalAddress / pageSizeBytes);
  if (guestPhysicalAddress < 0 || guestFrame >= p2m.length) return null;
  return p2m[guestFrame]! * pageSizeBytes + (guestPhysicalAddress % pageSizeBytes);
}

/** Draws `count` distinct host frames from [0, hostFrames), in random order. */
function distinctFrames(rng: Random, hostFrames: number, count: number, taken: Set<number>): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const f = rng.int(hostFrames);
    if (taken.has(f)) continue;
    taken.add(f);
    out.push(f);
  }
  return out;
}

/**
 * A seeded problem: two VMs share a small host; each owns `framesPerVm` host frames (default 4)
 * listed in its p2m map. For `count` (VM, guest-physical address) pairs, find the host address,
 * or say the access is refused.
 */
export function hostAddressProblem(seed = 1, options: { framesPerVm?: number; count?: number; pageSizeBytes?: number } = {}): SeededProblem & { p2m: Record<string, number[]>; pageSizeBytes: number } {
  const framesPerVm = requireInt("framesPerVm", options.framesPerVm ?? 4, 1, 16);
  const count = requireInt("count", options.count ?? 5, 1, 20);
  const pageSizeBytes = options.pageSizeBytes ?? 4096;
  const hostFrames = 4 * framesPerVm;
  const rng = new Random(seed);
  const taken = new Set<number>();
  const p2m: Record<string, number[]> = { A: distinctFrames(rng, hostFrames, framesPerVm, taken), B: distinctFrames(rng, hostFrames, framesPerVm, taken) };
  const questions = [];
  const answers = [];
  // Mostly inside the VM's memory; one question (at least) one or two pages past its end.
  const outside = rng.int(count);
  for (let i = 0; i < count; i++) {
    const vm = rng.pick(["A", "B"]);
    const frame = i !== outside && rng.next() < 0.85 ? rng.int(framesPerVm) : framesPerVm + rng.int(2);
    const gpa = frame * pageSizeBytes + rng.int(pageSizeBytes);
    const hpa = hostAddressIn(gpa, p2m[vm]!, pageSizeBytes);
    questions.push({ "#": i + 1, VM: vm, "guest-physical address": hex(gpa) });
    answers.push({ "#": i + 1, VM: vm, "guest-physical address": hex(gpa), "guest frame": frame, "host address": hpa === null ? `refused: VM ${vm} has only ${framesPerVm} frames` : hex(hpa) });
  }
  const refused = answers.filter((a) => String(a["host address"]).startsWith("refused")).length;
  return {
    seed,
    p2m,
    pageSizeBytes,
    parameters: `seed ${seed} · page size ${pageSizeBytes} bytes · host of ${hostFrames} frames · VM A host frames [${p2m.A!.join(", ")}] · VM B host frames [${p2m.B!.join(", ")}]`,
    prompt: `Guest frame *i* of a VM lives in the *i*-th host frame of its list. For each access: guest frame = address ÷ ${pageSizeBytes}, offset = the remainder, host address = host frame × ${pageSizeBytes} + offset. An address past the VM's last frame is refused.`,
    questions,
    answers,
    stats: `${count} accesses · ${count - refused} translated · ${refused} refused (isolation at work)`,
  };
}

/** The signature students implement in notebook 01. */
export type HostAddressOfFn = (guestPhysicalAddress: number, p2m: number[], pageSizeBytes: number) => number | null;

/** Checks a student's `hostAddressOf` on seeded VMs and addresses, inside and outside each VM. */
export function checkHostAddressOf(hostAddressOf: HostAddressOfFn, seed = 7): ExerciseCheckReport {
  const exercise = "hostAddressOf";
  const rng = new Random(seed);
  let cases = 0;
  for (const pageSizeBytes of [16, 4096]) {
    for (let vm = 0; vm < 10; vm++) {
      const frames = 1 + rng.int(8);
      const p2m = distinctFrames(rng, 64, frames, new Set());
      for (let k = 0; k < 8; k++) {
        const frame = k < 6 ? rng.int(frames) : frames + rng.int(3);
        const gpa = frame * pageSizeBytes + rng.int(pageSizeBytes);
        const want = hostAddressIn(gpa, p2m, pageSizeBytes);
        const args = `guest-physical address ${hex(gpa)} with p2m [${p2m.join(", ")}] and ${pageSizeBytes}-byte pages`;
        const got = callStudent(exercise, hostAddressOf, [gpa, p2m.slice(), pageSizeBytes], args);
        if (got === want) {
          cases++;
          continue;
        }
        let why: string;
        if (want === null) why = "this address lies past the VM's last frame: return null (refusing it is what isolates VMs from each other)";
        else if (got === null) why = "this address is inside the VM's memory, so it must translate (return a number, not null)";
        else if (got === gpa) why = "you returned the guest-physical address unchanged: that is the no-isolation mode where every VM scribbles on the same host frames; look the frame up in p2m";
        else if (typeof got !== "number" || !Number.isInteger(got)) why = `return a host byte address (a whole number) or null; got ${JSON.stringify(got)}`;
        else if (got % pageSizeBytes !== gpa % pageSizeBytes) why = "the byte offset within the page must stay the same: only the frame number changes";
        else if (p2m.includes(Math.floor(got / pageSizeBytes))) why = "right kind of frame, wrong one: guest frame i lives in p2m[i] (the guest frame is the address divided by the page size)";
        else why = "the host frame must be one of the VM's own frames in p2m, multiplied by the page size, plus the offset";
        throw new ExerciseCheckError(exercise, `wrong result for ${args} (got ${got === null ? "null" : typeof got === "number" ? hex(got) : JSON.stringify(got)}): ${why}`);
      }
    }
  }
  return passed(exercise, cases);
}

/** The reference shadow entry: host frame of guest-virtual page `gvpn`, or null (no shadow entry). */
export function shadowEntryOf(gvpn: number, guestTable: Readonly<Record<number, number>>, p2m: readonly number[]): number | null {
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
      throw new ExerciseCheckError(exercise, `wrong result for ${args} (got ${JSON.stringify(got)}): ${why}`);
    }
  }
  return passed(exercise, cases);
}
