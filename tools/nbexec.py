"""Execute notebooks on the real tslab kernel, and treat every kind of tslab failure as failure.

This is the one execution layer the project uses: the notebook tests, the handout builder and
grading all run notebooks through it. It exists because tslab differs from ipykernel in ways
that make stock tools pass a broken notebook (measured; see DESIGN.md):

- A failing cell gets an execute_reply with status "error" but no ename/evalue/traceback, and
  no `error` output: the message only arrives as stderr text.
- After an error tslab aborts whatever request arrives in the next 200 ms (status "abort"), so
  a client that sends the next cell at once sees it skipped without running.

So, per cell: an error reply, an aborted cell, a timeout and any stderr output all count as
failure; a proper `error` output (ename/evalue/traceback) is added to the cell so nbconvert,
nbgrader and a reader all see it; and after an error we wait out tslab's abort window before
sending the next cell, so a later cell (a test cell, when grading) really runs.

Usage:  python tools/nbexec.py [--output DIR] [--timeout S] [--keep-going] NOTEBOOK...
        python tools/nbexec.py --grading [--timeout S] [--max-output-bytes N] [--log FILE] NOTEBOOK
Exit status 0 if every notebook ran clean, 1 if any cell failed, 2 for bad arguments.

--grading is how tools/grading runs one submission inside its sandbox: every cell runs (keep
going), a cell's outputs beyond --max-output-bytes are dropped and the cell fails, and the
executed notebook (with the problems in its metadata, `nbexec.problems`) is written as JSON to
the stdout this process started with, and nowhere else: the kernel's own stdout and stderr go
to --log, so code in a cell cannot print into the result, and this process makes itself
undumpable so the kernel (same user) cannot read its file descriptors or memory either.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_hook, run_sync

# tslab resets its queue for 200 ms after an error (tslab/dist/jupyter.js, issue yunabe/tslab#19).
TSLAB_ABORT_WINDOW_S = float(os.environ.get("NBEXEC_ABORT_WINDOW_S", "0.35"))  # tests set 0 to show the abort
# tslab is ready about 2 s after it starts; one that has not answered in 20 s lost its startup race.
KERNEL_READY_S = 20
KERNEL_START_ATTEMPTS = 3


@dataclass
class CellProblem:
    """Why one cell failed."""

    cell_index: int  # index among all cells (0-based)
    code_cell_number: int  # 1-based number among code cells, as a teacher counts them
    kind: str  # "error", "aborted", "stderr", "timeout", "dead-kernel", "broken-kernel", "output-cap"
    message: str

    def describe(self, notebook: str) -> str:
        first = self.message.strip().splitlines()[0] if self.message.strip() else "(no message)"
        return f"{notebook}: cell {self.cell_index + 1} (code cell {self.code_cell_number}): {self.kind}: {first}"


@dataclass
class RunResult:
    notebook: str
    problems: list[CellProblem] = field(default_factory=list)
    seconds: float = 0.0
    nb: nbformat.NotebookNode | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _stderr_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr")


_ERROR_LINE = re.compile(r"^(?P<name>(?:[A-Za-z_$][\w$]*)?(?:Error|Exception))(?: \[[A-Z0-9_]+\])?(?::\s*(?P<value>.*))?$")  # Node adds " [ERR_CODE]"
_TS_DIAGNOSTIC = re.compile(r"^\d+:\d+ - ")


# The block kernel-lib's ExerciseCheckError prints (course/shared/lesson-check.ts): a first line
# "✗ EXERCISE is not right yet", then indented "Input:", "What was wrong:", "Hint:" lines.
CHECK_BLOCK = re.compile(r"^✗ (?P<exercise>\S+) (?:is not right yet|was not checked)$(?P<body>(?:\n  .*)*)", re.M)


def check_failure(stderr: str) -> str | None:
    """A failed exercise check's feedback in one line ("splitAddress: What was wrong: …; Hint: …"), else None."""
    m = CHECK_BLOCK.search(stderr)
    if not m:
        return None
    parts = [l.strip() for l in m["body"].splitlines() if l.strip() and not l.strip().startswith("Fix your solution")]
    return f"{m['exercise']}: " + "; ".join(parts)


def _name_and_message(stderr: str) -> tuple[str, str]:
    """The error's name and message from tslab's stderr (its reply carries neither)."""
    check = check_failure(stderr)
    if check:
        return "ExerciseCheckError", check
    lines = [l for l in stderr.splitlines() if l.strip()]
    for line in lines:
        m = _ERROR_LINE.match(line.strip())
        if m:
            return m["name"], line.strip()
    for line in lines:
        if _TS_DIAGNOSTIC.match(line):  # a type error: tslab prints "line:col - message"
            return "TypeScriptError", line.strip()
    return "Error", (lines[0].strip() if lines else "the cell failed (tslab gave no message)")


def _add_error_output(cell, ename: str, message: str) -> None:
    """Give the cell a standard `error` output, as ipykernel would have."""
    if any(o.get("output_type") == "error" for o in cell.outputs):
        return
    lines = message.strip().splitlines() or [ename]
    cell.outputs.append(nbformat.v4.new_output("error", ename=ename, evalue=lines[0], traceback=lines))


class TslabExecutionMixin:
    """The per-cell judgement of tslab results, for any nbclient NotebookClient subclass.

    Mixed into TslabNotebookClient below (tests, handouts) and into the nbgrader Execute
    preprocessor used for grading (tools/grading/tslab_preprocessors.py), so both judge a cell the
    same way. Put it first in the bases: it overrides async_execute_cell and on_cell_executed.

    With keep_going=False it stops at the first failing cell; with keep_going=True (grading)
    it runs every cell, so one broken cell cannot skip later ones. After a timeout or a dead
    kernel the kernel is restarted; with keep_going, the cells that had run before (status ok,
    with or without stderr) are then replayed silently (replay_after_restart), so the later cells see the definitions and
    imports they would have seen: one runaway exercise costs only that exercise.
    """

    keep_going: bool = False
    replay_after_restart: bool = True
    max_output_bytes: int | None = None  # per notebook; None: unlimited (see output())

    def reset_execution_trackers(self) -> None:
        super().reset_execution_trackers()
        self.problems: list[CellProblem] = []
        self._output_bytes = 0
        self._capped_cells: set[int] = set()
        self._failed_grade_ids: set[str] = set()
        self._replies: dict[int, dict] = {}
        self._code_cells_seen = 0
        self._clean_sources: list[str] = []  # code cells whose definitions tslab kept (status ok), in order
        self._output_readers: set[asyncio.Task] = set()

    def on_cell_executed(self, cell=None, cell_index=None, execute_reply=None, **_):
        # nbclient's hook; replaces nbgrader's Execute.on_cell_executed, which reads the
        # missing ename of tslab's error replies and crashes.
        self._replies[cell_index] = execute_reply

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self.problems and not self.keep_going:
            return cell  # stop at the first failure: later cells stay unexecuted
        # A cell that only makes sense if an earlier graded cell passed (grading's harvest cells)
        # is skipped when that cell failed: its exercise scores zero anyway.
        after = cell.get("metadata", {}).get("nbexec", {}).get("run_if_passed")
        if after is not None and after in self._failed_grade_ids:
            return cell
        if after is not None and self.problems and self.problems[-1].code_cell_number == self._code_cells_seen:
            await asyncio.sleep(0.35)  # such a cell must run: always wait out tslab's abort window before it
        self._code_cells_seen += 1
        number = self._code_cells_seen
        problem = None
        try:
            await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except CellTimeoutError:
            problem = CellProblem(cell_index, number, "timeout", f"cell did not finish within {self.timeout} s")
            _add_error_output(cell, "Timeout", problem.message)
            await self._restart_after_timeout()
        except DeadKernelError as e:
            problem = CellProblem(cell_index, number, "dead-kernel", f"the kernel died{self._kernel_exit()}: {e}")
            _add_error_output(cell, "DeadKernel", problem.message)
            await self._restart_after_timeout()
        except Exception as e:  # noqa: BLE001 (the kernel's messages stopped parsing, e.g. JSON.stringify replaced)
            problem = CellProblem(cell_index, number, "broken-kernel",
                                  f"the kernel's messages became unreadable ({type(e).__name__}: {e})")
            _add_error_output(cell, "BrokenKernel", problem.message)
            await self._restart_after_timeout(fresh_client=True)
        else:
            reply = (self._replies.get(cell_index) or {}).get("content", {})
            status = reply.get("status")
            if reply.get("execution_count") is not None:
                cell.execution_count = reply["execution_count"]  # tslab sends no execute_input
            stderr = _stderr_text(cell)
            if status == "error":
                ename, msg = (reply["ename"], reply.get("evalue", "")) if reply.get("ename") else _name_and_message(stderr)
                problem = CellProblem(cell_index, number, "error", msg)
                _add_error_output(cell, ename, msg + ("\n" + stderr if stderr else ""))
                await asyncio.sleep(TSLAB_ABORT_WINDOW_S)
            elif status in ("abort", "aborted"):
                problem = CellProblem(cell_index, number, "aborted", "the kernel aborted this cell without running it")
                _add_error_output(cell, "Aborted", problem.message)
                await asyncio.sleep(TSLAB_ABORT_WINDOW_S)
            else:
                # tslab kept this cell's declarations (status ok), stderr or not: a replay must
                # re-run it, or the cells after a restart lose what it defined (an import that
                # printed a warning, say, and every later cell says "Cannot find name").
                self._clean_sources.append(cell.source)
                if stderr:
                    problem = CellProblem(cell_index, number, "stderr", stderr)
                    _add_error_output(cell, "Stderr", stderr)
        if cell_index in self._capped_cells and (problem is None or problem.kind == "stderr"):
            self._clean_sources.pop()  # replaying it would flood the kernel's output again
            problem = CellProblem(cell_index, number, "output-cap",
                                  f"the cell's output went past the cap of {self.max_output_bytes} bytes; the rest was dropped")
            _add_error_output(cell, "OutputCap", problem.message)
        if problem:
            self.problems.append(problem)
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id is not None:
                self._failed_grade_ids.add(grade_id)
        return cell

    def output(self, outs, msg, display_id, cell_index):
        """nbclient's output handler, with a byte budget for the whole notebook (max_output_bytes)."""
        if self.max_output_bytes is not None:
            size = len(json.dumps(msg.get("content", {}), ensure_ascii=False).encode())
            if cell_index in self._capped_cells or self._output_bytes + size > self.max_output_bytes:
                self._capped_cells.add(cell_index)
                return None
            self._output_bytes += size
        return super().output(outs, msg, display_id, cell_index)

    def _kernel_exit(self) -> str:
        """' (killed by SIGKILL)' or ' (exit status 1)' for a kernel process that has ended; '' if unknown."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            return ""
        if code < 0:
            try:
                return f" (killed by {signal.Signals(-code).name})"
            except ValueError:
                return f" (killed by signal {-code})"
        return f" (exit status {code})"

    # nbclient binds execute_cell to its own async_execute_cell; nbconvert's ExecutePreprocessor
    # (and so nbgrader) calls execute_cell, so point it at the judging version above.
    execute_cell = run_sync(async_execute_cell)

    async def async_start_new_kernel_client(self):
        """Connect to a new kernel, restarting it if it never gets ready (see _until_ready)."""
        assert self.km is not None
        try:
            self.kc = self.km.client()
            await ensure_async(self.kc.start_channels())
            await self._until_ready()
        except Exception as e:
            self.log.error("the kernel did not start: %s", e)
            await self._async_cleanup_kernel()
            raise
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)  # as for execute_cell

    async def _until_ready(self):
        """Wait for the kernel to answer; restart it (up to KERNEL_START_ATTEMPTS) if it never does.

        tslab starts its socket loops before binding the sockets; on a busy machine a request
        can arrive mid-bind, the shell loop dies with EBUSY ("Socket is blocked by a bind or
        unbind operation") and the kernel never answers again. A fresh start fixes it.
        """
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                await ensure_async(self.kc.wait_for_ready(timeout=min(self.startup_timeout, KERNEL_READY_S)))
                return
            except RuntimeError as e:
                if attempt == KERNEL_START_ATTEMPTS:
                    raise RuntimeError(f"the kernel did not answer after {attempt} starts: {e}") from e
                self.log.warning("the kernel did not answer within %s s; restarting it", KERNEL_READY_S)
                await ensure_async(self.km.restart_kernel(now=True))

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        # nbclient leaves this iopub reader running when a cell times out; remember it to stop it.
        task = asyncio.current_task()
        self._output_readers.add(task)
        try:
            return await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        finally:
            self._output_readers.discard(task)

    async def _restart_after_timeout(self, fresh_client: bool = False):
        """A runaway cell: restart the kernel so later cells (and other students) can run.

        fresh_client: also reconnect, dropping whatever unreadable messages the old kernel left
        queued on the client's sockets."""
        # A leftover iopub reader would steal later cells' messages (and wait_for_ready's), so
        # later cells would time out waiting for output, or hang outright.
        for task in list(self._output_readers):
            task.cancel()
        self._output_readers.clear()
        if self.km is not None:
            await ensure_async(self.km.restart_kernel(now=True))
            if fresh_client:
                self.kc.stop_channels()
                self.kc = self.km.client()
                await ensure_async(self.kc.start_channels())
            await self._until_ready()
            if self.keep_going and self.replay_after_restart:
                await self._replay_clean_cells()

    async def _replay_clean_cells(self):
        """Re-run, without recording outputs, the cells whose definitions the kernel had kept before the restart."""
        try:
            for source in self._clean_sources:
                msg_id = await ensure_async(self.kc.execute(source, store_history=False, stop_on_error=False))
                reply = await asyncio.wait_for(self._reply_to(msg_id), timeout=self.timeout)
                if reply["content"].get("status") != "ok":
                    await asyncio.sleep(TSLAB_ABORT_WINDOW_S)  # the next cell is judged as it runs
        except Exception as e:  # a replayed cell hung this time: give up replaying, start clean
            self.log.warning("replaying the cells before a restart failed (%s); later cells run on a fresh kernel", e)
            await ensure_async(self.km.restart_kernel(now=True))
            await self._until_ready()

    async def _reply_to(self, msg_id: str) -> dict:
        while True:
            msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg


class TslabNotebookClient(TslabExecutionMixin, NotebookClient):
    """An nbclient NotebookClient that understands tslab's failure modes (see TslabExecutionMixin)."""

    def __init__(self, nb, keep_going: bool = False, **kw):
        kw.setdefault("kernel_name", "tslab")
        kw.setdefault("timeout", 120)
        # We judge errors ourselves (tslab's replies lack ename); never let nbclient stop early.
        super().__init__(nb, allow_errors=True, **kw)
        self.keep_going = keep_going


def run_notebook(path: Path, *, keep_going: bool = False, timeout: int = 120, kernel_name: str = "tslab") -> RunResult:
    """Execute one notebook in its own folder; return the executed notebook and any problems."""
    started = time.monotonic()
    nb = nbformat.read(path, as_version=4)
    client = TslabNotebookClient(nb, keep_going=keep_going, timeout=timeout, kernel_name=kernel_name,
                                 resources={"metadata": {"path": str(path.parent.resolve())}})
    result = RunResult(str(path), nb=nb)
    try:
        client.execute()
    except Exception as e:  # kernel failed to start, etc.: report, don't crash the caller
        result.problems.append(CellProblem(-1, 0, "kernel", f"{type(e).__name__}: {e}"))
    result.problems.extend(client.problems)
    result.seconds = time.monotonic() - started
    return result


def _undumpable() -> None:
    """Forbid same-user processes (the kernel) to ptrace this one or open its /proc fds."""
    import ctypes

    PR_SET_DUMPABLE = 4
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the sandbox (if any) is all the protection


def grade_one(path: Path, timeout: int, max_output_bytes: int, log: Path) -> int:
    """--grading: run every cell, then write the executed notebook to the original stdout only."""
    _undumpable()
    result_fd = os.dup(1)  # not inheritable (PEP 446): the kernel never gets it
    log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    nb = nbformat.read(path, as_version=4)
    client = TslabNotebookClient(nb, keep_going=True, timeout=timeout,
                                 resources={"metadata": {"path": str(path.parent.resolve())}})
    client.max_output_bytes = max_output_bytes
    problems: list[CellProblem] = []
    try:
        client.execute()
    except Exception as e:  # kernel failed to start, etc.: the cells not run have no outputs
        problems.append(CellProblem(-1, 0, "kernel", f"{type(e).__name__}: {e}"))
    problems.extend(getattr(client, "problems", []))
    nb.metadata["nbexec"] = {"problems": [vars(p) for p in problems]}
    with os.fdopen(result_fd, "w", encoding="utf-8") as out:
        out.write(nbformat.writes(nb))
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Execute tslab notebooks; fail on any cell error, abort or stderr.")
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--output", type=Path, help="folder for the executed copies (default: not written)")
    ap.add_argument("--timeout", type=int, default=120, help="seconds a cell may run (default 120)")
    ap.add_argument("--keep-going", action="store_true", help="run every cell even after a failure")
    ap.add_argument("--grading", action="store_true",
                    help="grade one notebook: keep going, cap output, executed notebook as JSON on stdout")
    ap.add_argument("--max-output-bytes", type=int, default=1_000_000,
                    help="with --grading: output bytes the whole notebook may produce (default 1000000)")
    ap.add_argument("--log", type=Path, default=Path(os.devnull),
                    help="with --grading: where the kernel's own stdout/stderr go (default: discarded)")
    args = ap.parse_args(argv)
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        ap.error(f"no such notebook: {', '.join(missing)}")
    if args.grading:
        if len(args.notebooks) != 1 or args.output:
            ap.error("--grading runs exactly one notebook and writes it to stdout (no --output)")
        if args.max_output_bytes <= 0:
            ap.error(f"--max-output-bytes must be a positive number of bytes, got {args.max_output_bytes}")
        return grade_one(args.notebooks[0], args.timeout, args.max_output_bytes, args.log)
    failed = False
    for path in args.notebooks:
        result = run_notebook(path, keep_going=args.keep_going, timeout=args.timeout)
        if args.output and result.nb is not None:
            args.output.mkdir(parents=True, exist_ok=True)
            out = args.output / path.name
            tmp = out.with_suffix(".ipynb.tmp")
            nbformat.write(result.nb, tmp)
            tmp.replace(out)  # never leave a half-written file in place of a good one
        if result.ok:
            print(f"ok   {path} ({result.seconds:.1f} s)")
        else:
            failed = True
            for p in result.problems:
                print(f"FAIL {p.describe(str(path))}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
