"""npm run autograde -- <submissions> [--course DIR] [--timeout S] [--force]

Grade every submission with nbgrader on the real tslab kernel, then write, for each lesson:
  <course>/grades/<lesson>/scores.csv               one row per student, one column per exercise
  <course>/grades/<lesson>/feedback/<student>.html  the graded notebook with scores, offline

<submissions> holds one folder per student with the notebook(s) they handed in, named as
released:  <submissions>/<student>/<lesson>.ipynb  (e.g. submissions/ada/02-memory.ipynb).
A test cell that errors, is aborted, times out (--timeout, default 30 s) or writes to stderr
scores zero; test cells a student edited or deleted are restored from the gradebook first.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course import Course, GradingError, exit_on_error, user_path  # noqa: E402
from feedback import make_offline  # noqa: E402

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


def released_notebooks(course: Course) -> dict[str, str]:
    """notebook name -> assignment id, for everything released in this course."""
    from nbgrader.api import Gradebook

    if not course.gradebook.exists():
        raise GradingError(f"nothing has been released in the course folder {course.root} "
                           f"(no gradebook.db): run `npm run assign -- <lesson>` first, with the same --course")
    with Gradebook(course.db_url) as gb:
        return {nb.name: a.name for a in gb.assignments for nb in a.notebooks}


def collect(submissions: Path, released: dict[str, str]) -> dict[str, dict[str, Path]]:
    """assignment -> student -> submitted notebook; every problem is reported at once."""
    problems: list[str] = []
    found: dict[str, dict[str, Path]] = defaultdict(dict)
    names = ", ".join(f"{n}.ipynb" for n in sorted(released)) or "(none)"
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            problems.append(f"{entry}: a file directly in the submissions folder; expected "
                            f"{submissions}/<student>/<lesson>.ipynb")
            continue
        if not STUDENT_ID.match(entry.name):
            problems.append(f"{entry}: '{entry.name}' is not usable as a student id (allowed: letters, digits, "
                            f"'.', '_', '-', '@', starting with a letter or digit)")
            continue
        notebooks = sorted(p for p in entry.iterdir() if not p.name.startswith("."))
        if not notebooks:
            print(f"warning: {entry} is empty: no submission from {entry.name}", file=sys.stderr)
        for path in notebooks:
            if path.suffix != ".ipynb" or not path.is_file():
                problems.append(f"{path}: not a notebook; each student folder holds only <lesson>.ipynb files")
            elif path.stem not in released:
                problems.append(f"{path}: no lesson named {path.name} was released; released: {names}")
            else:
                try:
                    nb = nbformat.read(path, as_version=4)
                    nbformat.validate(nb)
                except (json.JSONDecodeError, nbformat.reader.NotJSONError) as e:
                    problems.append(f"{path}: not a notebook (invalid JSON: {e})")
                except Exception as e:  # nbformat's ValidationError and friends
                    problems.append(f"{path}: not a valid notebook ({type(e).__name__}: {str(e).splitlines()[0]})")
                else:
                    found[released[path.stem]][entry.name] = path
    if problems:
        raise GradingError("nothing was graded; fix these submissions first:\n  " + "\n  ".join(problems))
    if not found:
        raise GradingError(f"no submissions in {submissions}: expected {submissions}/<student>/<lesson>.ipynb "
                           f"(one folder per student); released lessons: {names}")
    return found


def score_rows(course: Course, assignment: str):
    """Header and rows of scores.csv, from the gradebook (so manual Formgrader grades count too)."""
    from nbgrader.api import Gradebook

    source = course.root / "source" / assignment / f"{assignment}.ipynb"
    order = [c.metadata.nbgrader["grade_id"] for c in nbformat.read(source, as_version=4).cells
             if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    rows = []
    with Gradebook(course.db_url) as gb:
        a = gb.find_assignment(assignment)
        max_score = a.max_score
        for sub in sorted(a.submissions, key=lambda s: s.student.id):
            scores = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
            rows.append([sub.student.id] + [f"{scores.get(gid, 0):g}" for gid in order]
                        + [f"{sub.score:g}", f"{max_score:g}"])
    return ["student"] + order + ["total", "max"], rows


@exit_on_error
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="npm run autograde --", description=__doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("submissions", help="folder with one sub-folder per student")
    ap.add_argument("--course", help="course folder (default: build/grading, or $COMPUTROPOLIS_COURSE)")
    ap.add_argument("--timeout", type=int, default=30, help="seconds one cell may run (default 30)")
    ap.add_argument("--force", action="store_true", help="re-grade students who already have grades")
    args = ap.parse_args(argv)
    if args.timeout <= 0:
        raise GradingError(f"--timeout must be a positive number of seconds, got {args.timeout}")

    started = time.monotonic()
    course = Course(args.course)
    submissions = user_path(args.submissions)
    if not submissions.is_dir():
        raise GradingError(f"no such submissions folder: {submissions} (expected <folder>/<student>/<lesson>.ipynb)")
    found = collect(submissions, released_notebooks(course))

    again = [f"{s} ({a})" for a, by in found.items() for s in by if (course.root / "autograded" / s / a).exists()]
    if again and not args.force:
        raise GradingError(f"already graded in {course.root}: {', '.join(again)}. Grading again replaces those "
                           f"grades (and any manual grading in the Formgrader); run again with --force to do so.")
    course.prepare()

    for assignment, by_student in found.items():
        for student, path in by_student.items():
            dest = course.root / "submitted" / student / assignment
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            shutil.copyfile(path, dest / f"{assignment}.ipynb")
        # Only this run's students: others graded before keep their grades untouched.
        others = sorted(p.name for p in (course.root / "submitted").iterdir() if p.name not in by_student)
        only = [f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []
        course.nbgrader("autograde", assignment, f"--TslabExecute.timeout={args.timeout}", "--force", *only)
        course.nbgrader("generate_feedback", assignment, "--force", *only)

        out = course.root / "grades" / assignment
        (out / "feedback").mkdir(parents=True, exist_ok=True)
        for student in by_student:
            html = course.root / "feedback" / student / assignment / f"{assignment}.html"
            if not html.exists():
                raise GradingError(f"nbgrader wrote no feedback for {student} ({html}); see {course.root / 'nbgrader.log'}")
            make_offline(html)
            shutil.copyfile(html, out / "feedback" / f"{student}.html")
        header, rows = score_rows(course, assignment)
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([header] + rows)
        tmp = out / "scores.csv.tmp"
        tmp.write_text(text.getvalue())
        tmp.replace(out / "scores.csv")

        print(f"Graded {len(by_student)} submission(s) of '{assignment}' in {time.monotonic() - started:.1f} s.")
        width = max(len(h) for h in header)
        print("  " + "  ".join(h.rjust(min(width, max(len(h), 7))) for h in header))
        for row in rows:
            print("  " + "  ".join(v.rjust(min(width, max(len(h), 7))) for h, v in zip(header, row)))
        print(f"  scores:   {out / 'scores.csv'}")
        print(f"  feedback: {out / 'feedback'}/<student>.html (give each student theirs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
