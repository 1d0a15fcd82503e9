/**
 * Exercise of notebook 01: the hypervisor's map. A VM's guest-physical memory is a list of host
 * frames the hypervisor gave it (the "physical-to-machine" map, what EPT/NPT hold in hardware).
 * A guest-physical address is translated page by page; an address beyond the VM's memory is
 * refused. That refusal is isolation: the landlord only has keys to the VM's own rooms.
 */
import { requireInt } from "../../core/errors";
import { Random } from "../../core/random";
import { hex } from "../../core/format";
import { callStudent, ExerciseCheckError, passed, type ExerciseCheckReport, type SeededProblem } from "../shared/lesson-check";
import { distinctFrames } from "../shared/problems";

/** The reference: host address of `guestPhysicalAddress` under `p2m`, or null if outside the VM. Not exported: it answers the graded exercise, and nothing a student imports may (issue 12). */
function hostAddressIn(guestPhysicalAddress: number, p2m: readonly number[], pageSizeBytes: number): number | null {
  const guestFrame = Math.floor(guestPhysicalAddress / pageSizeBytes);
  if (guestPhysicalAddress < 0 || guestFrame >= p2m.length) return null;
  return p2m[guestFrame]! * pageSizeBytes + (guestPhysicalAddress % pageSizeBytes);
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
        throw new ExerciseCheckError(exercise, { wrong: `you returned ${got === null ? "null" : typeof got === "number" ? hex(got) : JSON.stringify(got)}`, hint: why, input: args });
      }
    }
  }
  return passed(exercise, cases);
}
