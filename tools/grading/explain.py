"""Feedback a student can use: each test cell says pass or fail, and why, in one sentence.

nbexec judges each cell (error, aborted, timeout, stderr, dead kernel, output cap) and the
verdict (verdict.py) judges the results drawn at grading time; this module turns those into the
test cell's only error output (which nbgrader scores as zero) or a "Passed" line, without stack
traces through kernel-lib or tslab and without paths of the teacher's machine. A test cell that
fails because the solution cell above it did not compile says that, not "Cannot find name".
"""
from __future__ import annotations

import re
import sys

import nbformat

from sandbox import INSIDE, ROOT, Limits

sys.path.insert(0, str(ROOT / "tools"))
from nbexec import check_failure  # noqa: E402

STACK_LINE = re.compile(r"^\s+at .*$", re.M)
DIAGNOSTIC = re.compile(r"^\d+:\d+ - (.*)$", re.M)


def scrub(text: str, scratch: str | None = None) -> str:
    """Text without stack frames and without absolute paths of the grading machine."""
    text = STACK_LINE.sub("", text)
    for path, name in ((scratch, ""), (str(INSIDE / "work") + "/", ""), (str(INSIDE) + "/", ""),
                       (str(ROOT) + "/", ""), (str(ROOT), "<project>")):
        if path:
            text = text.replace(path, name)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _stderr(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")


def _first_line(text: str, limit: int = 160) -> str:
    line = next((l.strip() for l in text.splitlines() if l.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _assertion(stderr: str) -> str:
    """'Expected values to be strictly equal: 2.0002 !== 2' from Node's AssertionError text."""
    lines = [l.strip() for l in scrub(stderr).splitlines() if l.strip()]
    for i, line in enumerate(lines):
        m = re.match(r"^AssertionError(?: \[[A-Z_]+\])?:\s*(.*)$", line)
        if m and i + 1 < len(lines) and lines[i + 1] == "+ actual - expected":
            got = next((l[2:] for l in lines[i + 2:] if l.startswith("+ ")), "?")
            want = next((l[2:] for l in lines[i + 2:] if l.startswith("- ")), "?")
            return f"{m[1].rstrip(':')}: got {got}, expected {want}"
        if m:
            # Node prints the error's own properties after the message (generatedMessage: true, ...).
            rest = [m[1]] + [l for l in lines[i + 1:] if not DIAGNOSTIC.match(l) and not l.endswith(",")
                             and not l.startswith(("{", "}"))][:3]
            text = " ".join(r for r in rest if r)
            return text if len(text) <= 200 else text[:199] + "…"
    return _first_line(scrub(stderr))


def _threw(stderr: str, fallback: str) -> tuple[str, str]:
    for line in scrub(stderr).splitlines():
        m = re.match(r"^\s*((?:[A-Za-z_$][\w$]*)?(?:Error|Exception))(?: \[[A-Z0-9_]+\])?(?::\s*(.*))?$", line)
        if m:
            return m[1], (m[2] or "").strip()
    return "Error", _first_line(scrub(fallback))


def failure(kind: str, message: str, cell, *, timeout: int, limits: Limits, solution: tuple[str, str] | None,
            kernel_log: str = "") -> tuple[str, str]:
    """(ename, one sentence) for a test cell that nbexec judged failed."""
    stderr = _stderr(cell)
    if solution is not None and kind in ("error", "aborted"):
        gid, diag = solution
        return "CompileError", f"Not graded: your solution cell ({gid}) did not compile: {diag.rstrip('.')}."
    if kind == "timeout":
        return "Timeout", (f"Failed: timed out: the cell did not finish within {timeout} s (the grading limit per "
                           f"cell), so the kernel was restarted.")
    if kind == "output-cap":
        return "OutputCap", (f"Failed: exceeded the output cap: the notebook printed more than "
                             f"{limits.output_bytes} bytes in all; the rest was dropped.")
    if kind == "stderr":
        return "Stderr", (f"Failed: the cell wrote to stderr ({_first_line(scrub(stderr), 80)!r}); a test cell earns "
                          f"points only if it runs without writing to stderr (console.error, console.warn), even "
                          f"when its checks pass.")
    if kind == "aborted":
        return "Aborted", "Failed: the kernel skipped this cell because the cell just before it failed."
    if kind == "dead-kernel":
        sig = re.search(r"killed by (SIG[A-Z0-9]+)", message)
        why = f"the kernel died ({sig[1]})" if sig else "the kernel died"
        if (sig and sig[1] == "SIGXCPU") or "CPU" in kernel_log:
            cap = f": it used more than the CPU cap of {limits.cpu_seconds} s"
        elif "out of memory" in kernel_log or (sig and sig[1] in ("SIGABRT", "SIGSEGV", "SIGTRAP")):
            cap = f": it probably went past the memory cap of {limits.memory_mb} MB"
        else:
            cap = ""
        return "DeadKernel", f"Failed: {why} while this cell ran{cap}."
    if kind == "broken-kernel":
        return "BrokenKernel", ("Failed: the kernel's replies became unreadable while this cell ran (a cell replaced "
                                "something the kernel itself uses, such as JSON.stringify?), so it was restarted.")
    if kind == "kernel":
        return "KernelError", "Failed: the kernel could not run this notebook."
    # kind == "error"
    diag = DIAGNOSTIC.search(stderr)
    if "AssertionError" in stderr:
        return "AssertionError", f"Wrong answer: {_assertion(stderr).rstrip('.')}."
    if diag:
        return "CompileError", f"Failed: this cell did not compile: {diag[1].strip().rstrip('.')}."
    check = check_failure(stderr)
    if check:  # kernel-lib's feedback block: what was wrong, the hint, the input (never the answer)
        return "ExerciseCheckError", f"Wrong answer: {check.rstrip('.')}."
    ename, msg = _threw(stderr, message)
    if ename == "Error" and msg == "not implemented":  # the release's stub (nbgrader_config.py)
        return "NotAnswered", "Not answered: the solution above still throws \"not implemented\" (the stub it came with)."
    return ename, f"Failed: your code threw {ename}{': ' + msg.rstrip('.') if msg else ''}."


def compile_error(cell) -> str | None:
    """The first TypeScript diagnostic of a cell that failed to compile, else None."""
    m = DIAGNOSTIC.search(_stderr(cell))
    return m[1].strip() if m else None


def set_verdict(cell, passed: bool, ename: str, sentence: str) -> None:
    """Make the sentence the test cell's verdict: stdout kept, stderr and old errors dropped."""
    keep = [o for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stdout"]
    if passed:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"✓ {sentence}\n")] + keep
    else:
        cell.outputs = keep + [nbformat.v4.new_output("error", ename=ename, evalue=sentence, traceback=[f"✗ {sentence}"])]


def scrub_outputs(cell, scratch: str | None = None) -> None:
    """Stack frames and machine paths out of a (non-test) cell's outputs."""
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            o["text"] = scrub(o.get("text", ""), scratch) + "\n"
        elif o.get("output_type") == "error":
            o["evalue"] = scrub(o.get("evalue", ""), scratch)
            o["traceback"] = [t for t in (scrub(t, scratch) for t in o.get("traceback", [])) if t]
