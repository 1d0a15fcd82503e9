"""nbgrader preprocessors for tslab (TypeScript) notebooks; wired in by nbgrader_config.py.

- TslabExecute: nbgrader's Execute, judging every cell through tools/nbexec.py's
  TslabExecutionMixin, the same code that runs notebooks for the tests. A cell whose reply is an
  error (tslab sends no ename), that tslab aborts, that times out or that writes to stderr gets
  a standard `error` output, which nbgrader's determine_grade scores as zero. Every cell runs
  (keep_going): tslab's post-error abort window is waited out, and after a timeout the kernel
  is restarted and the cells that ran clean are replayed, so one runaway exercise costs only
  itself.
- TslabOverwriteCells: nbgrader's OverwriteCells; a test cell a student deleted is put back
  with a `//` comment (nbgrader writes `#`, which is a syntax error in TypeScript).
- RemoveTeacherCells: drops cells tagged `teacher` from the student version.
"""
from __future__ import annotations

import sys
from pathlib import Path

from traitlets import Bool, Integer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tools/, for nbexec

from nbexec import TslabExecutionMixin  # noqa: E402
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells  # noqa: E402


class TslabExecute(TslabExecutionMixin, Execute):
    """Execute a submission on tslab for autograding; see the module docstring."""

    keep_going = True

    timeout = Integer(30, allow_none=True, help="Seconds one cell may run before it scores zero and the kernel is restarted.").tag(config=True)

    # nbgrader interrupts a cell that times out and carries on with the same kernel; a tslab
    # kernel stuck in a loop ignores the interrupt, so every later cell would time out too.
    # nbexec restarts the kernel instead (and replays the clean cells).
    interrupt_on_timeout = Bool(False, help="Leave False: nbexec restarts the kernel after a timeout.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        nb, resources = super().preprocess(nb, resources, km)
        where = (resources or {}).get("nbgrader", {})
        label = f"{where.get('student', '?')}/{where.get('notebook', '?')}"
        for problem in self.problems:
            self.log.info("%s", problem.describe(label))
        return nb, resources


class TslabOverwriteCells(OverwriteCells):
    """OverwriteCells that restores a deleted TypeScript test cell with a `//` notice."""

    def missing_cell_transform(self, source_cell, max_score, is_solution=False, is_task=False):
        cell = super().missing_cell_transform(source_cell, max_score, is_solution=is_solution, is_task=is_task)
        if cell.cell_type == "code" and cell.source.startswith("# "):
            notice, _, rest = cell.source[2:].partition("\n\n")
            cell.source = "// " + notice + "\n" + rest
        return cell


class RemoveTeacherCells(NbGraderPreprocessor):
    """Remove teacher-only cells (tag `teacher`: delivery tips, answers) from the student version."""

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if "teacher" not in c.get("metadata", {}).get("tags", [])]
        return nb, resources
