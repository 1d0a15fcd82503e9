"""SandboxedExecute: nbgrader's execute step, with the notebook run inside the sandbox.

nbgrader's autograde pipeline stays as it is (sanitize, execute, save grades); only the execute
step changes. In the grader process, for one submission:

1. check kernel-lib's content hash (integrity.py);
2. write the sanitized notebook, plus one harvest cell per declared verdict (verdict.py), to a
   fresh scratch folder;
3. run tools/nbexec.py --grading on it inside the sandbox (sandbox.py): every cell runs,
   timeouts restart the kernel and replay, and the executed notebook comes back on a pipe;
4. once the sandbox has ended (so every process of the submission is gone), copy the outputs
   into nbgrader's cells, judge the harvested results against the reference (the same harvest
   on the teacher's source notebook, run once per grading run before any student's, plus once
   more if a draw cannot tell answers apart: verdict.settle), and give every test cell one
   sentence saying pass or fail and why (explain.py); an undecidable exercise's test cell says
   only that it was not graded.

nbgrader then saves the grades; the gradebook is written only by this process, after step 4.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import nbformat
from traitlets import Bool, Integer

from nbgrader.preprocessors import NbGraderPreprocessor

sys.path.insert(0, str(Path(__file__).resolve().parent))
import explain  # noqa: E402
import integrity  # noqa: E402
import verdict  # noqa: E402
from sandbox import ROOT, Limits, Sandbox  # noqa: E402

RUNNER = ROOT / "tools" / "nbexec.py"
# No hint of why (that would say something of the answers): the teacher reads it in the summary.
UNDECIDABLE_SENTENCE = "Not graded in this run, for anyone (the grader's fault, not your answer's); your teacher has been told."
_announced = False


def course_root(resources) -> Path:
    url = resources["nbgrader"]["db_url"]
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise RuntimeError(f"SandboxedExecute needs a SQLite gradebook in the course folder, got {url}")
    return Path(url[len(prefix):]).resolve().parent


def graded_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


class SandboxedExecute(NbGraderPreprocessor):
    """Execute a submission in the sandbox and decide its test cells' verdicts; see the module docstring."""

    timeout = Integer(30, help="Seconds one cell may run before it scores zero and the kernel is restarted.").tag(config=True)
    allow_unsandboxed = Bool(False, help="Grade even where bubblewrap does not work (only rlimits and a process "
                                         "group protect the grader then).").tag(config=True)
    cpu_seconds = Integer(Limits.cpu_seconds, help="CPU seconds per process in the sandbox.").tag(config=True)
    memory_mb = Integer(Limits.memory_mb, help="Address space (MB) per process in the sandbox.").tag(config=True)
    processes = Integer(Limits.processes, help="Processes the sandbox may run at once.").tag(config=True)
    output_bytes = Integer(Limits.output_bytes, help="Bytes of output one notebook may produce.").tag(config=True)

    def limits(self) -> Limits:
        return Limits(cpu_seconds=self.cpu_seconds, memory_mb=self.memory_mb, processes=self.processes,
                      output_bytes=self.output_bytes)

    def sandbox(self) -> Sandbox:
        global _announced
        box = Sandbox.detect(self.limits())
        if box.mode == "none" and not (self.allow_unsandboxed or os.environ.get("COMPUTROPOLIS_UNSANDBOXED") == "1"):
            raise RuntimeError("refusing to grade without a sandbox: " + box.protection()
                               + " To grade anyway, run autograde with --unsandboxed.")
        if not _announced and not os.environ.get("COMPUTROPOLIS_SANDBOX_ANNOUNCED"):
            self.log.warning("%s", box.protection())
            _announced = True
        return box

    # ---- running a notebook in the sandbox
    def run(self, box: Sandbox, nb, hide: list[Path], exercises: list[verdict.Exercise]):
        """Run nb plus one harvest cell per exercise in a fresh scratch folder.

        Returns (executed notebook or None, scratch folder, reason if None); the caller removes scratch.
        """
        scratch = box.scratch()
        inside = box.inside(scratch)
        nb = nbformat.reads(nbformat.writes(nb), as_version=4)  # a copy, sources as strings
        nb.cells += [verdict.harvest_cell(ex, inside) for ex in exercises]
        nbformat.write(nb, scratch / "submission.ipynb")
        code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
        wall = self.timeout * (code_cells + 2) + 60
        argv = [sys.executable, str(RUNNER), "--grading", "--timeout", str(self.timeout),
                "--max-output-bytes", str(self.output_bytes), "--log", str(inside / "kernel.log"),
                str(inside / "submission.ipynb")]
        outcome = box.run(argv, scratch, hide, wall)
        self.log.info("sandboxed run: %.1f s, exit %s", outcome.seconds, outcome.returncode)
        executed = None
        reason = ""
        if outcome.wall_limit_hit:
            reason = f"the whole notebook ran past the grading limit of {wall} s and was stopped"
        try:
            executed = nbformat.reads(outcome.stdout.decode("utf-8"), as_version=4) if outcome.stdout else None
        except Exception:
            executed = None
        if executed is None and not reason:
            reason = f"the grading run ended without a result (exit status {outcome.returncode})"
        if executed is not None and [c.source for c in executed.cells] != [c.source for c in nb.cells]:
            executed, reason = None, "the grading run returned a different notebook"
        return executed, scratch, reason

    def reference(self, box: Sandbox, course: Path, assignment: str, notebook: str) -> verdict.Settled:
        """The draws this run judges by, their reference results and the undecidable exercises:
        drawn and computed once per grading run (verdict.settle), before any student's notebook
        runs, and kept in the course folder."""
        source_path = course / "source" / assignment / f"{notebook}.ipynb"
        if not source_path.exists():
            return verdict.Settled([], {}, {}, {})
        source = nbformat.read(source_path, as_version=4)
        digest = hashlib.sha256(source_path.read_bytes()).hexdigest()
        store = verdict.store_path(course, assignment, notebook)
        if store.exists():
            kept = json.loads(store.read_text())
            if kept.get("source") == digest and "attempts" in kept:
                undecidable = kept.get("undecidable", {})
                chosen = [ex for ex in verdict.exercises(source, kept["seed"], kept["attempts"])
                          if ex.grade_id not in undecidable]
                return verdict.Settled(chosen, kept["reference"], kept["attempts"], undecidable)
        seed = verdict.new_seed()
        if not verdict.specs(source):
            return verdict.Settled([], {}, {}, {})
        reasons = []

        def run(drawn: list[verdict.Exercise]):
            executed, scratch, reason = self.run(box, source, [course], drawn)
            reasons.append(reason)
            try:
                return {(ex.grade_id, ex.attempt): verdict.read_answers(scratch, ex) for ex in drawn}
            finally:
                Sandbox.remove(scratch)

        try:
            settled = verdict.settle(source, seed, run)
        except verdict.MissingReference as e:
            raise verdict.VerdictSpecError(
                f"the teacher's notebook {source_path} gave no reference results for {', '.join(e.grade_ids)}: its "
                f"solution must define the function its verdict calls and run clean ({reasons[-1] or 'see nbgrader.log'})")
        for gid, why in settled.undecidable.items():
            self.log.warning("verdict of %s undecidable: %s", gid, why)
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps({"source": digest, "seed": seed, "attempts": settled.attempts,
                                     "reference": settled.reference, "undecidable": settled.undecidable}))
        return settled

    # ---- nbgrader's entry point
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        course = course_root(resources)
        expected = os.environ.get("COMPUTROPOLIS_KERNEL_LIB_HASH")
        if expected:
            integrity.check(expected)
        box = self.sandbox()
        hide = [course] + [Path(p) for p in os.environ.get("COMPUTROPOLIS_HIDE", "").split(os.pathsep) if p]
        settled = self.reference(box, course, info["assignment"], info["notebook"])
        exercises, reference = settled.exercises, settled.reference

        executed, scratch, reason = self.run(box, nb, hide, exercises)
        try:
            answers = {ex.grade_id: verdict.read_answers(scratch, ex) for ex in exercises}
            log = (scratch / "kernel.log").read_text(errors="replace")[-4000:] if (scratch / "kernel.log").is_file() else ""
        finally:
            Sandbox.remove(scratch)
        if expected:
            integrity.check(expected)
        self.judge(nb, executed, reason, exercises, answers, reference, log, str(scratch) + "/", settled.undecidable)
        return nb, resources

    def judge(self, nb, executed, reason, exercises, answers, reference, kernel_log, scratch,
              undecidable: dict[str, str] | None = None) -> None:
        limits = self.limits()
        problems = {}
        if executed is not None:
            for p in executed.metadata.get("nbexec", {}).get("problems", []):
                problems.setdefault(p["cell_index"], p)
            for cell, ran in zip(nb.cells, executed.cells):
                if cell.cell_type == "code":
                    cell.outputs = ran.get("outputs", [])
                    cell.execution_count = ran.get("execution_count")
        by_gid = {ex.grade_id: ex for ex in exercises}
        solution = None  # (grade_id, diagnostic) of the latest solution cell that did not compile
        for i, cell in enumerate(nb.cells):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type != "code":
                continue
            if meta.get("solution"):
                diag = explain.compile_error(cell) if i in problems else None
                solution = (meta.get("grade_id"), explain.scrub(diag, scratch)) if diag else None
            if not graded_test(cell):
                explain.scrub_outputs(cell, scratch)
                continue
            gid = meta.get("grade_id")
            if gid in (undecidable or {}):
                # The reason (the reference's answers) is for the teacher (autograde's summary), not here.
                explain.set_verdict(cell, False, "NotGraded", UNDECIDABLE_SENTENCE)
            elif executed is None:
                explain.set_verdict(cell, False, "NotRun", f"Not graded: {reason}.")
            elif i in problems or -1 in problems:
                p = problems.get(i) or problems[-1]
                ename, sentence = explain.failure(p["kind"], p["message"], cell, timeout=self.timeout, limits=limits,
                                                  solution=solution, kernel_log=kernel_log)
                explain.set_verdict(cell, False, ename, explain.scrub(sentence, scratch))
            elif gid in by_gid:
                wrong = verdict.judge(by_gid[gid], answers.get(gid), reference.get(gid))
                if wrong:
                    explain.set_verdict(cell, False, "WrongAnswer", f"Wrong answer: {wrong}.")
                else:
                    explain.set_verdict(cell, True, "", "Passed, including inputs drawn at grading time.")
            else:
                explain.set_verdict(cell, True, "", "Passed.")
