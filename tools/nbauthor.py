"""Small helpers to write lesson notebooks from Python (authoring aid; the .ipynb is the source).

    from nbauthor import md, code, write
    write("notebooks/00-welcome.ipynb", [md("# Title"), code("1 + 1", tags=["solution"])])

Notebooks are written without outputs, with the tslab kernelspec, and with stable cell ids so
re-authoring gives small diffs.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

KERNELSPEC = {"display_name": "TypeScript", "language": "typescript", "name": "tslab"}
LANGUAGE_INFO = {"codemirror_mode": {"mode": "typescript", "name": "javascript", "typescript": True},
                 "file_extension": ".ts", "mimetype": "text/typescript", "name": "typescript", "version": "5.0.4"}


def _cell(kind: str, source: str, tags=None, **extra) -> dict:
    source = source.strip("\n")
    cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
    if tags:
        cell["metadata"]["tags"] = list(tags)
    cell["metadata"].update(extra.pop("metadata", {}))
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    cell.update(extra)
    return cell


def md(source: str, tags=None, **extra) -> dict:
    return _cell("markdown", source, tags, **extra)


def code(source: str, tags=None, **extra) -> dict:
    return _cell("code", source, tags, **extra)


def write(path: str | Path, cells: list[dict], title: str | None = None) -> None:
    seen: dict[str, int] = {}
    for cell in cells:
        digest = hashlib.sha1("".join(cell["source"]).encode()).hexdigest()[:8]
        n = seen.get(digest, 0)
        seen[digest] = n + 1
        cell["id"] = f"{digest}-{n}"
    nb = {"cells": cells, "metadata": {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO},
          "nbformat": 4, "nbformat_minor": 5}
    if title:
        nb["metadata"]["title"] = title
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


# ---- The project's cell conventions (documented in README "Cell tags"); handouts and grading rely on them.
#
# tag          meaning                                         student handout / assignment
# teacher      delivery tips, answers to pauses, timing         removed
# solution     exercise solution: code between                  the solution region is replaced by
#              `// BEGIN SOLUTION` and `// END SOLUTION`        `// YOUR CODE HERE` + a thrown "not implemented"
# tests        autograded tests of an exercise (may hold        kept (hidden tests removed)
#              `// BEGIN HIDDEN TESTS` ... `// END HIDDEN TESTS`)
# uses-solution  code that uses an exercise's answer (its output   code kept, outputs dropped (a note says to
#              would show the solution's results)               run it after the exercise)
# pause        a pacing pause with its question (callout)       kept
# analogy, debate, what-if, story, objectives, summary           kept, styled as callouts

def _nbgrader(grade_id: str, *, solution: bool, grade: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def solution(source: str, grade_id: str) -> dict:
    """An exercise cell; the part between // BEGIN SOLUTION and // END SOLUTION is the answer."""
    assert "// BEGIN SOLUTION" in source and "// END SOLUTION" in source, grade_id
    return code(source, tags=["solution"], metadata=_nbgrader(grade_id, solution=True, grade=False, locked=False))


def tests(source: str, grade_id: str, points: float) -> dict:
    """The autograded tests of an exercise (read-only for students)."""
    return code(source, tags=["tests"], metadata=_nbgrader(grade_id, solution=False, grade=True, locked=True, points=points))


def uses_solution(source: str) -> dict:
    """A code cell that runs an exercise's answer (e.g. charts what the student's function does).
    Its outputs, computed with the teacher's solution, are left out of the student handout."""
    return code(source, tags=["uses-solution"])


def teacher(source: str) -> dict:
    """Teacher-only markdown (delivery tips, answers, timing): dropped from student versions."""
    return md(source, tags=["teacher"])


def callout(kind: str, source: str) -> dict:
    """A student-facing callout: kind is one of pause, analogy, debate, what-if, story, objectives, summary."""
    assert kind in {"pause", "analogy", "debate", "what-if", "story", "objectives", "summary"}, kind
    return md(source, tags=[kind])
