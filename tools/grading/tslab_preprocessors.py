"""nbgrader preprocessors for tslab (TypeScript) notebooks; wired in by nbgrader_config.py.
(Execution is sandboxed_execute.py's SandboxedExecute.)

- TslabOverwriteCells: nbgrader's OverwriteCells; a test cell a student deleted is put back
  with a `//` comment (nbgrader writes `#`, which is a syntax error in TypeScript).
- RemoveTeacherCells: drops cells tagged `teacher` from the student version.
"""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells


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
