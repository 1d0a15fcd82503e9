/**
 * Exercises of notebook 04 (I/O virtualization).
 *
 * - `exitsProblem(seed)`: OSTEP-style predict-then-reveal. A few I/O path configurations;
 *   requests arrive one at a time (light load, nothing batches or coalesces); the student
 *   predicts the VM exits per request, the reveal runs the simulator on the same configurations.
 * - `checkNeedKick(fn)`: the graded exercise. The student writes virtio's `vring_need_event`
 *   (should the driver kick, given the host's event index?) and the checker compares it with
 *   kernel-lib's `vringNeedEvent` on ordinary, boundary and wrap-around cases.
 */
import { Random } from "../../core/random";
import type { IoRunConfig } from "../../io/config";
import { IO_EMULATED_DEVICE_MODELS } from "../../io/emulated";
import { vringNeedEvent } from "../../io/virtqueue";
import { measureIo } from "../../experiments/io-runs";
import { callStudent, ExerciseCheckError, passed, type ExerciseCheckReport, type SeededProblem } from "../shared/lesson-check";

/** One configuration a student can reason about by hand. */
interface ExitsCase {
  readonly label: string;
  readonly config: Omit<IoRunConfig, "seed">;
}

const EXIT_CASES: readonly ExitsCase[] = [
  { label: "emulated e1000 NIC (MMIO registers)", config: { path: "emulated", emulatedDevice: "e1000" } },
  { label: "emulated IDE disk (port I/O)", config: { path: "emulated", emulatedDevice: "ide" } },
  { label: "emulated Lance NIC (port I/O)", config: { path: "emulated", emulatedDevice: "lance" } },
  { label: "virtio (QEMU back end)", config: { path: "virtio" } },
  { label: "vhost (in-kernel back end)", config: { path: "vhost" } },
  { label: "virtio with posted interrupts", config: { path: "virtio", interrupts: "posted" } },
  { label: "passthrough (SR-IOV VF), exiting interrupts", config: { path: "passthrough" } },
  { label: "passthrough (SR-IOV VF), posted interrupts", config: { path: "passthrough", interrupts: "posted" } },
];

/** Light load: a request every 5 ms on average, so each one is alone in the system. */
const LIGHT_LOAD_RPS = 200;
const LIGHT_LOAD_REQUESTS = 200;

/**
 * A seeded problem: `count` I/O configurations (default 3); requests arrive one at a time.
 * Predict the VM exits per request. The answers come from running the simulator.
 */
export function exitsProblem(seed = 1, options: { count?: number } = {}): SeededProblem {
  const count = Math.max(1, Math.min(EXIT_CASES.length, Math.floor(options.count ?? 3)));
  const rng = new Random(seed);
  const pool = [...EXIT_CASES];
  const chosen: ExitsCase[] = [];
  while (chosen.length < count) chosen.push(pool.splice(rng.int(pool.length), 1)[0]!);
  const answers = chosen.map((c, i) => {
    const r = measureIo({ ...c.config, seed: seed + i, offeredLoadRps: LIGHT_LOAD_RPS, requestsPerVm: LIGHT_LOAD_REQUESTS });
    const byCause = Object.entries(r.exitsPerRequestByCause)
      .map(([cause, n]) => `${cause} ${Number((n ?? 0).toFixed(2))}`)
      .join(", ");
    return {
      question: i + 1,
      configuration: c.label,
      "exits per request (simulated)": Number(r.exitsPerRequest.toFixed(2)),
      "by cause": byCause || "none",
      "mean latency (µs)": Number(r.latency.meanUs.toFixed(2)),
    };
  });
  const registers = Object.values(IO_EMULATED_DEVICE_MODELS)
    .map((m) => `${m.device}: ${m.perRequest.length} register access(es) per request, ${m.perInterrupt.length} per interrupt`)
    .join("; ");
  const most = answers.reduce((a, b) => (b["exits per request (simulated)"] > a["exits per request (simulated)"] ? b : a));
  return {
    seed,
    parameters: `seed ${seed} · ${count} configurations · one VM · requests arrive one at a time (${LIGHT_LOAD_RPS} per second on average, ${LIGHT_LOAD_REQUESTS} requests) · interrupts exit unless "posted"`,
    prompt:
      `For each configuration, predict the **VM exits per request**. Each request is alone: its doorbell or kick, ` +
      `its completion interrupt (an exit unless posted), the handler's register accesses (emulated devices) and its EOI ` +
      `(an exit unless posted). Register lists — ${registers}.`,
    questions: chosen.map((c, i) => ({ question: i + 1, configuration: c.label, "your prediction": "?" })),
    answers,
    stats: `most exits: ${most.configuration} with ${most["exits per request (simulated)"]} per request · simulator runs: ${count} × ${LIGHT_LOAD_REQUESTS} requests`,
  };
}

/** The student's `vring_need_event`. */
export type NeedKickFn = (eventIdx: number, newIdx: number, oldIdx: number) => boolean;

interface KickCase {
  eventIdx: number;
  newIdx: number;
  oldIdx: number;
  kind: "ordinary" | "first-added" | "just-after" | "wrap" | "nothing-added";
}

function kickCases(seed: number): KickCase[] {
  const rng = new Random(seed);
  const cases: KickCase[] = [];
  const u16 = (n: number) => ((n % 65536) + 65536) % 65536;
  for (let i = 0; i < 40; i++) {
    const oldIdx = rng.int(60000);
    const added = 1 + rng.int(64);
    const newIdx = oldIdx + added;
    cases.push({ eventIdx: oldIdx + rng.int(added + 40) - 20, newIdx, oldIdx, kind: "ordinary" });
    cases.push({ eventIdx: oldIdx, newIdx, oldIdx, kind: "first-added" });
    cases.push({ eventIdx: newIdx, newIdx, oldIdx, kind: "just-after" });
  }
  for (let i = 0; i < 40; i++) {
    const oldIdx = 65536 - 1 - rng.int(32);
    const added = 2 + rng.int(64);
    const newIdx = u16(oldIdx + added);
    const eventIdx = u16(oldIdx + rng.int(added + 8) - 4);
    cases.push({ eventIdx, newIdx, oldIdx, kind: "wrap" });
  }
  for (let i = 0; i < 5; i++) {
    const idx = rng.int(65536);
    cases.push({ eventIdx: u16(idx + rng.int(8) - 4), newIdx: idx, oldIdx: idx, kind: "nothing-added" });
  }
  return cases.map((c) => ({ ...c, eventIdx: u16(c.eventIdx) }));
}

const KICK_HINTS: Record<KickCase["kind"], string> = {
  ordinary: "the event index lies inside (or outside) the range of entries just added; kick only when the host asked to hear about one of them",
  "first-added": "eventIdx equals oldIdx: the host asked to be told about the very first entry you just added — is that inside the range oldIdx ≤ eventIdx < newIdx?",
  "just-after": "eventIdx equals newIdx: the host wants to hear about the entry AFTER the ones you added — the upper end of the range is exclusive (and if you subtract indices, a negative difference must wrap to 16 bits with & 0xffff)",
  wrap: "the indices wrapped around (newIdx is numerically smaller than oldIdx because they are 16-bit counters: 65535 is followed by 0); compare distances modulo 65536, e.g. (a - b) & 0xffff",
  "nothing-added": "newIdx equals oldIdx: you added nothing, so there is nothing to tell the host about",
};

/**
 * Checks a student's `needKick(eventIdx, newIdx, oldIdx)` against kernel-lib's
 * `vringNeedEvent` on `cases` seeded cases (ordinary, boundaries, wrap-around, nothing added).
 * Throws ExerciseCheckError with a hint about the KIND of case that failed.
 */
export function checkNeedKick(needKick: NeedKickFn, seed = 16): ExerciseCheckReport {
  const exercise = "needKick";
  const cases = kickCases(seed);
  for (const c of cases) {
    const args = `needKick(eventIdx = ${c.eventIdx}, newIdx = ${c.newIdx}, oldIdx = ${c.oldIdx})`;
    const got = callStudent(exercise, needKick, [c.eventIdx, c.newIdx, c.oldIdx], args);
    if (typeof got !== "boolean") {
      throw new ExerciseCheckError(exercise, { wrong: `returned ${JSON.stringify(got)}`, hint: "return true (kick) or false (stay quiet)", input: args });
    }
    const expected = vringNeedEvent(c.eventIdx, c.newIdx, c.oldIdx);
    if (got !== expected) {
      throw new ExerciseCheckError(exercise, { wrong: `you returned ${got}`, hint: KICK_HINTS[c.kind], input: args });
    }
  }
  return passed(exercise, cases.length);
}
