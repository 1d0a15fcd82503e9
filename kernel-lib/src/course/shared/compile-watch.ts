/**
 * Stale definitions: a test cell must not grade the version of a student's function from before
 * an edit that did not compile.
 *
 * When a cell fails to compile, tslab prints its TypeScript diagnostics and runs nothing, so the
 * names the cell defines keep their previous values: a test cell run next would check the old
 * `splitAddress` and say nothing about the error. The kernel cannot see cell sources, but it can
 * see the two facts that matter: tslab printed a diagnostic (console.error with its own format),
 * and the function handed to a checker is the very object that was defined when that happened
 * (the solution cell has not been run successfully since). A checker then says so instead of
 * grading ({@link staleDefinition}). This runs in the kernel, so it works the same in JupyterLab,
 * under nbconvert and under nbgrader. Re-running the solution cell defines a new function object
 * and clears it.
 */

/** A diagnostic line as tslab prints it (tslab/dist/executor.js, printDiagnostics: "%s%d:%d - %s"). */
const TSLAB_DIAGNOSTIC = /^(?:\S+ )?(\d+:\d+ - .*)$/m;

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

interface CompileFailure {
  /** The execution it happened in: tslab gives each execution its own process.stderr.write. */
  execution: Write;
  /** The first diagnostic, e.g. "3:5 - Cannot find name 'offst'." */
  diagnostic: string;
  /** What each top-level name of the notebook held at that moment (tslab's exports object). */
  names: Map<string, unknown>;
}

interface WatchState {
  /** The stderr writer of the execution under way (the one tslab last set). */
  current: Write;
  last?: CompileFailure;
}

const STATE_KEY = Symbol.for("computropolis.compileWatch");

/** tslab's exports object, which holds every top-level name cells have defined (absent outside tslab). */
function notebookNames(): Record<string, unknown> | undefined {
  const tslab = (globalThis as { __tslab__?: { exports?: Record<string, unknown> } }).__tslab__;
  return tslab?.exports;
}

/**
 * Starts noticing cells that fail to compile (once per process). tslab prints diagnostics with a
 * console.error it captured at start-up, to process.stderr, whose `write` it replaces at every
 * execution; so `write` becomes an accessor here: tslab's assignment is kept as the real writer,
 * and what is read (by Node's console) is a wrapper that notes a diagnostic and passes every chunk on.
 * Outside tslab nothing prints a diagnostic and the wrapper only passes chunks on.
 */
export function watchCompileFailures(): WatchState {
  const holder = globalThis as unknown as Record<symbol, WatchState | undefined>;
  const existing = holder[STATE_KEY];
  if (existing) return existing;
  const stderr = process.stderr as unknown as { write: Write };
  const state: WatchState = { current: stderr.write };
  holder[STATE_KEY] = state;
  const wrapped: Write = (chunk, ...rest) => {
    if (typeof chunk === "string") {
      const m = TSLAB_DIAGNOSTIC.exec(chunk);
      if (m && state.last?.execution !== state.current) {
        state.last = { execution: state.current, diagnostic: m[1]!.trim(), names: new Map(Object.entries(notebookNames() ?? {})) };
      }
    }
    return state.current.call(process.stderr, chunk, ...rest);
  };
  Object.defineProperty(process.stderr, "write", {
    configurable: true,
    enumerable: true,
    get: () => wrapped,
    set: (write: Write) => {
      if (write !== wrapped) state.current = write; // putting back what was read must not make a loop
    },
  });
  return state;
}

/**
 * If `fn`, handed to the checker of `exercise`, is still the definition that existed when a later
 * cell failed to compile, the feedback saying so; else undefined.
 */
export function staleDefinition(exercise: string, fn: unknown): { wrong: string; hint: string } | undefined {
  const last = watchCompileFailures().last;
  const state = watchCompileFailures();
  if (!last || typeof fn !== "function" || last.execution === state.current) return undefined;
  const now = notebookNames();
  if (!last.names.has(exercise) || last.names.get(exercise) !== fn || now?.[exercise] !== fn) return undefined;
  return {
    wrong: `a cell you ran after defining ${exercise} did not compile (${last.diagnostic.replace(/\.$/, "")}), so ${exercise} is still the version from before that edit; it was not checked`,
    hint: `fix the solution cell (the error is shown under it), run it until it shows no error, then run this cell again`,
  };
}
