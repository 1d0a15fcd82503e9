"""nbgrader preprocessors for tslab (TypeScript) notebooks; wired in by nbgrader_config.py.
(Execution is sandboxed_execute.py's SandboxedExecute.)

- TslabOverwriteCells: nbgrader's OverwriteCells; a test cell a student deleted is put back
  with a `//` comment (nbgrader writes `#`, which is a syntax error in TypeScript).
- RemoveTeacherCells: drops cells tagged `teacher` from the student version.
- TslabValidateExecute: execution for `nbgrader validate` and JupyterLab's Validate button.
  tslab's error replies carry no ename/evalue/traceback and its cells no `error` output (the
  message is stderr text), and nbgrader's Execute reads reply["content"]["ename"]: Validate
  ended in a Python traceback, KeyError: 'ename'. This one judges each cell as tools/nbexec.py
  does (an error, abort or stderr fails it) and gives a failed cell a standard error output,
  so Validate reports pass/fail per test cell with the cell's own message (the feedback block
  of a failed exercise check). configure_validate(c) wires it in; scripts/setup.sh writes an
  nbgrader_config.py that calls it into the environment's etc/jupyter, where nbgrader looks
  for every notebook (npm run lab, Binder, a hub's shared prefix).
"""
from __future__ import annotations

import sys
from pathlib import Path

from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute, NbGraderPreprocessor, OverwriteCells

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tools/, for nbexec
from nbclient.util import run_sync  # noqa: E402
from nbexec import TslabExecutionMixin  # noqa: E402


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


class TslabValidateExecute(TslabExecutionMixin, Execute):
    """nbgrader's Execute judging tslab cells as nbexec does; every cell runs (keep_going)."""

    keep_going = True

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        # Validate prints every error traceback and every stderr text of a failed cell: keep the
        # cell's own text (tslab's stderr: the feedback block, a compile error) once, as the error.
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        stderr = [o for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        if errors and stderr:
            errors[0]["traceback"] = "".join(o.get("text", "") for o in stderr).rstrip("\n").splitlines()
            cell.outputs = [o for o in cell.outputs if o not in stderr]
        return cell

    execute_cell = run_sync(async_execute_cell)


def configure_validate(c=None) -> None:
    """Point nbgrader's Validator (CLI and Lab's Validate button) at TslabValidateExecute.

    Validator.preprocessors is not a configurable trait in nbgrader 0.9 (a config entry is
    ignored with "not recognized"), so its default list is replaced; a config file runs in the
    process that validates (the CLI, or the Jupyter server for the button), which is all it needs.
    `c` is accepted for symmetry with other config helpers and unused.
    """
    from nbgrader.validator import Validator
    Validator.class_traits()["preprocessors"].default_value = [CheckCellMetadata, ClearOutput, TslabValidateExecute]
