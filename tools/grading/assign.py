"""npm run assign -- <lesson> [--course DIR] [--force] [--exchange | --no-exchange] [--exchange-root DIR]

Make the student version of a lesson with nbgrader: solutions replaced by
`// YOUR CODE HERE` + `throw new Error("not implemented");`, hidden tests and teacher-only cells
removed, outputs cleared, checksums of the test cells recorded in the gradebook. <lesson> is a
lesson number (`02`), a lesson name (`02-memory`) or a notebook path. The student version is
written to <course>/release/<lesson>/<lesson>.ipynb (see course.py for the folder layout). On a
JupyterHub it is also released into nbgrader's exchange, where students fetch it (exchange.py):
with --exchange, or when the exchange folder exists (--no-exchange: only the folder, for e-mail).
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from cells import cell_problems  # noqa: E402  (the project's cell conventions)
from course import ROOT, Course, GradingError, exit_on_error, user_path  # noqa: E402
import exchange  # noqa: E402

LEAKS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def lesson_names() -> list[str]:
    return sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def find_lesson(arg: str) -> Path:
    """The lesson notebook a teacher means by `02`, `02-memory` or a path."""
    if arg.endswith(".ipynb") or "/" in arg:
        path = user_path(arg)
        if not path.is_file():
            raise GradingError(f"no such notebook: {arg} (looked for {path})")
        return path
    if re.fullmatch(r"\d{1,2}", arg):
        matches = sorted((ROOT / "notebooks").glob(f"{int(arg):02d}-*.ipynb"))
    else:
        matches = sorted((ROOT / "notebooks").glob(f"{arg}*.ipynb"))
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(lesson_names()) or "(none yet)"
    if not matches:
        raise GradingError(f"no lesson matches '{arg}'. Give a lesson number (e.g. 02), a lesson name or a "
                           f"notebook path; lessons in notebooks/: {known}")
    raise GradingError(f"'{arg}' matches several lessons ({', '.join(m.stem for m in matches)}); give the full name")


def graded_cells(nb) -> list[tuple[str, float]]:
    """(grade_id, points) of the autograded test cells, in notebook order."""
    return [(c.metadata.nbgrader["grade_id"], float(c.metadata.nbgrader.get("points", 0)))
            for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def read_lesson(path: Path):
    try:
        nb = nbformat.read(path, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as e:
        raise GradingError(f"{path} is not a notebook (invalid JSON: {e})") from None
    language = nb.metadata.get("kernelspec", {}).get("language")
    if language != "typescript":
        raise GradingError(f"{path} is not a TypeScript notebook (kernelspec language {language!r}, expected 'typescript')")
    problems = [f"cell {i}: {p}" for i, cell in enumerate(nb.cells, 1) for p in cell_problems(cell)]
    if problems:
        raise GradingError(f"{path} breaks the cell conventions (README, \"Cell tags\"); nothing was released:\n  "
                           + "\n  ".join(problems))
    if not graded_cells(nb):
        raise GradingError(f"{path} has no graded exercises: no test cell with nbgrader points "
                           f"(README, \"Adding an exercise\")")
    return nb


def check_release(path: Path) -> None:
    """Safety net: the student version must not contain any answer or teacher-only cell."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells, 1):
        leaked = [m for m in LEAKS if m in cell.source]
        if leaked or "teacher" in cell.get("metadata", {}).get("tags", []):
            path.unlink()
            raise GradingError(f"the student version still held {'a teacher-only cell' if not leaked else leaked[0]} "
                               f"in cell {i}; it was deleted. Check the markers in the lesson (// BEGIN SOLUTION ...).")


@exit_on_error
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="npm run assign --", description=__doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lesson", help="lesson number (02), lesson name (02-memory) or notebook path")
    ap.add_argument("--course", help="course folder (default: build/grading, or $COMPUTROPOLIS_COURSE)")
    ap.add_argument("--force", action="store_true", help="replace a student version released before")
    ap.add_argument("--exchange", action="store_true", help="release into nbgrader's exchange too (a hub); "
                    "the default when the exchange folder exists")
    ap.add_argument("--no-exchange", action="store_true", help="only the release folder, even on a hub")
    ap.add_argument("--exchange-root", help=f"the exchange folder (default $COMPUTROPOLIS_EXCHANGE or {exchange.DEFAULT_ROOT})")
    args = ap.parse_args(argv)

    lesson = find_lesson(args.lesson)
    to_exchange = exchange.choose(args.exchange, args.no_exchange, args.exchange_root)
    nb = read_lesson(lesson)
    assignment = lesson.stem
    course = Course(args.course)
    release = course.root / "release" / assignment
    if release.exists() and not args.force:
        raise GradingError(f"'{assignment}' was already released to {release} (students may have that copy). "
                           f"To make it again from {lesson}, run again with --force.")
    course.prepare()
    source = course.root / "source" / assignment
    source.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(lesson, source / f"{assignment}.ipynb")
    course.nbgrader("generate_assignment", assignment, *(["--force"] if args.force else []))
    student_version = release / f"{assignment}.ipynb"
    check_release(student_version)

    cells = graded_cells(nb)
    print(f"Released {lesson.relative_to(ROOT) if lesson.is_relative_to(ROOT) else lesson} as '{assignment}'.")
    print(f"  student version: {student_version}")
    print(f"  {len(cells)} graded exercises, {sum(p for _, p in cells):g} points: "
          + ", ".join(f"{g} ({p:g})" for g, p in cells))
    if to_exchange:
        outbound = exchange.release(course, assignment, to_exchange, args.force)
        print(f"  released into the exchange: {outbound}")
        print(f"Students fetch it in JupyterLab's Assignments tab (course computropolis) or with "
              f"`nbgrader fetch_assignment {assignment} --course computropolis`, and submit there. "
              f"Then `npm run autograde -- --exchange {assignment}` collects, grades and returns feedback.")
    else:
        print(f"Collect each student's copy as <submissions>/<student>/{assignment}.ipynb, then run "
              f"`npm run autograde -- <submissions>`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
