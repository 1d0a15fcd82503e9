"""The student edition: the one definition of what a student receives from a lesson notebook.

    python tools/student_edition.py --out DIR [--force] [NOTEBOOK...]
    (default: every notebooks/NN-title.ipynb; `npm run lab -- --student` and
    `npm run publish-student` call this, handouts and slides use `edition_cells`)

The notebooks in notebooks/ are the teacher's edition and the only source (DESIGN.md, "Two
audiences, one source"). Every student path is built from them by the functions below, so a
cell that leaves one student edition leaves all of them:

  teacher        cells removed (delivery tips, answers to pauses, debates and what-ifs)
  solution       each region between `// BEGIN SOLUTION` and `// END SOLUTION` replaced by
                 `// YOUR CODE HERE` + `throw new Error("not implemented");` (a solution cell
                 without markers is replaced whole), as nbgrader's ClearSolutions does
  tests          hidden tests (`// BEGIN HIDDEN TESTS` ... `// END HIDDEN TESTS`) removed
  uses-solution  outputs dropped (computed with the teacher's answer)

Two forms:
  edition_cells(nb, edition, name)   the cells a handout or slide shows (outputs of other cells
                                     kept, navigation left to the handout, `handout_index` set)
  student_notebook(nb, name)         a whole notebook for JupyterLab: the same cells, plus ALL
                                     outputs and execution counts cleared, generated navigation
                                     kept, nbgrader metadata kept on exercise cells (so
                                     nbgrader's Validate works for students). `npm run assign`
                                     gives the same cell sources (tests/student-edition.test.ts).
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))
from cells import (HIDDEN_BEGIN, HIDDEN_END, SOLUTION, SOLUTION_BEGIN, SOLUTION_END, TEACHER, TESTS,  # noqa: E402
                   USES_SOLUTION, is_navigation, tags_of)

EDITIONS = ("student", "teacher")
CODE_STUB = ("// YOUR CODE HERE", 'throw new Error("not implemented");')
TEXT_STUB = "YOUR ANSWER HERE"
MANIFEST = ".student-edition.json"  # what the last build wrote, to notice a student's edits


class NotebookError(Exception):
    """A problem in one notebook, named by notebook and cell."""


def _replace_regions(source: str, begin: re.Pattern, end: re.Pattern, stub, where: str, what: str) -> str:
    out: list[str] = []
    inside = False
    for line in source.splitlines():
        if not inside and begin.match(line):
            inside = True
            out.extend(stub(begin.match(line)))
        elif inside and end.match(line):
            inside = False
        elif not inside:
            if end.match(line):
                raise NotebookError(f"{where}: `{line.strip()}` without a matching BEGIN {what}")
            out.append(line)
    if inside:
        raise NotebookError(f"{where}: BEGIN {what} without a matching `// END {what}`")
    return "\n".join(out)


def strip_solution(source: str, where: str, markdown: bool = False) -> str:
    """The student's starting code: each solution region replaced by a stub."""
    def stub(m):
        return [TEXT_STUB] if markdown else [m["indent"] + line for line in CODE_STUB]
    if not any(SOLUTION_BEGIN.match(l) for l in source.splitlines()):
        # nbgrader replaces an unmarked solution cell entirely.
        return TEXT_STUB if markdown else "\n".join(CODE_STUB)
    return _replace_regions(source, SOLUTION_BEGIN, SOLUTION_END, stub, where, "SOLUTION")


def strip_hidden_tests(source: str, where: str) -> str:
    return _replace_regions(source, HIDDEN_BEGIN, HIDDEN_END, lambda m: [], where, "HIDDEN TESTS")


def _markers(cell) -> tuple[bool, bool]:
    """(has a solution region, has a hidden-test region). Markers count in code cells (tagged or
    not: an untagged answer must not leak) and in tagged markdown; a markdown cell that merely
    shows the convention is left alone."""
    tags, lines = tags_of(cell), cell.source.splitlines()
    code = cell.cell_type == "code"
    return ((code or SOLUTION in tags) and any(SOLUTION_BEGIN.match(l) for l in lines),
            (code or TESTS in tags) and any(HIDDEN_BEGIN.match(l) for l in lines))


def student_cell(cell, where: str):
    """One cell as the student edition has it (a copy), or None if the cell is teacher-only."""
    tags = tags_of(cell)
    if TEACHER in tags:
        return None
    cell = copy.deepcopy(cell)
    has_solution, has_hidden = _markers(cell)
    code = cell.cell_type == "code"
    if SOLUTION in tags or has_solution:
        cell.source = strip_solution(cell.source, where, markdown=not code)
        if code:
            cell.outputs, cell.execution_count = [], None
    if TESTS in tags or has_hidden:
        cell.source = strip_hidden_tests(cell.source, where)
        if code:
            cell.outputs = []
    if USES_SOLUTION in tags and code:
        # Its outputs are the teacher's answer at work (numbers, charts): a student's stub
        # cannot produce them, and they would give the answer away.
        cell.outputs, cell.execution_count = [], None
    return cell


def check_markers(cell, where: str) -> None:
    """Raise NotebookError if the cell's markers do not pair up (the teacher edition checks too)."""
    has_solution, has_hidden = _markers(cell)
    if has_solution:
        strip_solution(cell.source, where, markdown=cell.cell_type == "markdown")
    if has_hidden:
        strip_hidden_tests(cell.source, where)


def edition_cells(nb, edition: str, notebook: str) -> list:
    """The cells of `nb` as a handout or slide of `edition` shows them (copies; `nb` is not
    changed). Navigation cells are left out (a handout draws its own); each cell's index in the
    notebook is kept in metadata `handout_index`."""
    if edition not in EDITIONS:
        raise NotebookError(f"edition: got {edition!r}; allowed: {', '.join(EDITIONS)}")
    cells = []
    for index, cell in enumerate(nb.cells):
        if is_navigation(cell):
            continue
        where = f"{notebook}: cell {index + 1}"
        if edition == "student":
            cell = student_cell(cell, where)
            if cell is None:
                continue
        else:
            check_markers(cell, where)
            cell = copy.deepcopy(cell)
        cell.metadata["handout_index"] = index
        cells.append(cell)
    return cells


def student_notebook(nb, notebook: str):
    """The whole student notebook (a copy): what a student opens in JupyterLab."""
    out = copy.deepcopy(nb)
    cells = []
    for index, cell in enumerate(nb.cells):
        cell = student_cell(cell, f"{notebook}: cell {index + 1}")
        if cell is None:
            continue
        if cell.cell_type == "code":
            # Outputs of any cell can carry an answer (a reveal's table, a chart of the solution).
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    out.cells = cells
    return out


# ---------------------------------------------------------------- a folder of student notebooks

def lesson_notebooks(folder: Path = ROOT / "notebooks") -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]-*.ipynb"))


def student_text(path: Path) -> str:
    """The student edition of one notebook file, as the JSON text to write."""
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as e:
        raise NotebookError(f"{name} is not a notebook (invalid JSON: {e})") from None
    return nbformat.writes(student_notebook(nb, name)) + "\n"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def changed_since_build(out: Path) -> list[str]:
    """Files in `out` that differ from what the last build wrote there (a student's work), or that
    the last build did not write. An empty or missing folder has none."""
    if not out.exists():
        return []
    manifest = out / MANIFEST
    written = json.loads(manifest.read_text()) if manifest.is_file() else {}
    changed = []
    for f in sorted(p for p in out.rglob("*") if p.is_file() and p != manifest):
        rel = str(f.relative_to(out))
        if ".ipynb_checkpoints" in f.parts:
            continue
        if written.get(rel) != _digest(f):
            changed.append(rel)
    return changed


def build_folder(notebooks: list[Path], out: Path, force: bool = False) -> list[Path]:
    """Write the student edition of `notebooks` into `out`, replacing what a previous build wrote.
    Anything else in `out` (a notebook a student edited or added) stops the build unless `force`."""
    changed = changed_since_build(out)
    if changed and not force:
        raise NotebookError(f"{out} holds files changed since the last student-edition build (someone's work?): "
                            f"{', '.join(changed[:5])}{' …' if len(changed) > 5 else ''}. Copy them elsewhere, "
                            f"or run again with --force to replace the folder.")
    texts = {p.name: student_text(p) for p in notebooks}  # every notebook checked before anything is removed
    # Files the lessons use beside them (notebooks/rise.css, images): not answers, copied as they are.
    assets = {f.name: f.read_text(encoding="utf-8") for folder in {p.parent for p in notebooks} for f in sorted(folder.iterdir())
              if f.is_file() and f.suffix != ".ipynb" and not f.name.startswith(".")}
    texts = {**assets, **texts}
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = {}
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")
        written[name] = _digest(out / name)
    (out / MANIFEST).write_text(json.dumps(written, indent=1, sort_keys=True) + "\n")
    return [out / p.name for p in notebooks]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python tools/student_edition.py",
                                 description="Write the student edition of the lesson notebooks into a folder.")
    ap.add_argument("notebooks", nargs="*", type=Path, help="lesson notebooks (default: notebooks/NN-title.ipynb)")
    ap.add_argument("--out", type=Path, required=True, help="folder to write (replaced; see --force)")
    ap.add_argument("--force", action="store_true", help="replace the folder even if files in it changed since the last build")
    args = ap.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or lesson_notebooks()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        ap.error(f"no such notebook: {', '.join(missing)}")
    out = args.out.resolve()
    if any(p.is_relative_to(out) for p in paths) or (ROOT / "notebooks").is_relative_to(out):
        # The folder is replaced whole: never one that holds the teacher's notebooks.
        ap.error(f"--out {args.out}: that folder holds the teacher's notebooks; choose another (e.g. build/student-edition)")
    try:
        written = build_folder(paths, out, force=args.force)
    except NotebookError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"student edition of {len(written)} notebooks written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
