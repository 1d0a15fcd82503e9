// Shared by the integration suites: run project commands in the same environment the npm
// scripts use (scripts/env.sh: the project venv, project-local Jupyter dirs).
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
export const ARTIFACTS = path.join(ROOT, "artifacts");

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function quote(args: string[]): string {
  return args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
}

/** Runs a command inside the project environment (synchronously), from the project root. */
export function runInEnv(args: string[], env: Record<string, string> = {}, timeoutMs = 600_000): CommandResult {
  const r = spawnSync("bash", ["-c", `source scripts/env.sh && exec ${quote(args)}`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Starts a long-running command in the project environment; returns the child process. */
export function startInEnv(args: string[], env: Record<string, string> = {}) {
  return spawn("bash", ["-c", `source scripts/env.sh && exec ${quote(args)}`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
}

/** The lesson notebooks, in teaching order. */
export function lessonNotebooks(): string[] {
  return readdirSync(path.join(ROOT, "notebooks"))
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .sort()
    .map((f) => path.join("notebooks", f));
}

/**
 * The lessons a per-lesson suite (notebooks, handouts, lesson grading) runs: every lesson, or only
 * the numbers in `COMPUTROPOLIS_LESSONS` (`07`, `05,07`), to check one lesson without executing them all.
 */
export function selectedLessonNotebooks(): string[] {
  return lessonNotebooks().filter((nb) => LESSON_FILTER === null || LESSON_FILTER.includes(path.basename(nb).slice(0, 2)));
}

/** The lesson numbers of COMPUTROPOLIS_LESSONS, or null to run every lesson. */
export const LESSON_FILTER: string[] | null = (() => {
  const v = process.env.COMPUTROPOLIS_LESSONS;
  if (v === undefined || v.trim() === "") return null;
  const numbers = v.split(",").map((n) => n.trim());
  for (const n of numbers) {
    if (!/^\d\d$/.test(n)) throw new Error(`COMPUTROPOLIS_LESSONS: got ${JSON.stringify(v)}; allowed: two-digit lesson numbers separated by commas, e.g. 07 or 05,07`);
  }
  return numbers;
})();

/** A free TCP port on localhost. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Chromium flags for this machine (no sandbox as root, no background network traffic). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-crash-reporter",
  "--disable-quic",
];

/** Environment for a browser process: HOME and XDG dirs in a temp folder, not the user's home. */
export function browserEnv(): Record<string, string> {
  const home = mkdtempSync(path.join(tmpdir(), "computropolis-chromium-"));
  return { HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_CACHE_HOME: path.join(home, ".cache") };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
