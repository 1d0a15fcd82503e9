"""nbgrader's exchange, for `npm run assign` and `npm run autograde` on a JupyterHub.

On a hub, students do not e-mail notebooks: the teacher releases into nbgrader's exchange (a
course-wide folder every user can reach, /srv/nbgrader/exchange by default), students fetch and
submit with nbgrader (the Assignments tab, or `nbgrader fetch_assignment` / `submit`), and the
teacher collects, grades and releases feedback from it. This module wraps those nbgrader
commands; the grading itself stays `npm run autograde`'s (normalising, the sandbox, verdicts).

    <exchange>/<course_id>/outbound/<lesson>/     released: students fetch this
    <exchange>/<course_id>/inbound/               submissions (writable, not readable, by students)
    <exchange>/<course_id>/feedback/<hash>.html   feedback; each student finds only their own
    <course>/collected/<student>/<lesson>/        what `collect` brought in, as submitted (with
                                                  nbgrader's timestamp.txt and submission_secret.txt)

The exchange is used when --exchange is given, or detected: the exchange folder exists (the hub's
admin created it, as nbgrader's documentation says). --no-exchange keeps the folder-per-student
way on such a machine. COMPUTROPOLIS_EXCHANGE or --exchange-root names another folder.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from course import Course, GradingError

DEFAULT_ROOT = "/srv/nbgrader/exchange"  # nbgrader's own default (Exchange.root)
COLLECTED = "collected"
# nbgrader's own files beside a submitted notebook: release_feedback needs both to name the feedback
# file the student's fetch_feedback looks for.
SIDECARS = ("timestamp.txt", "submission_secret.txt")


def root_from(option: str | None) -> Path:
    return Path(option or os.environ.get("COMPUTROPOLIS_EXCHANGE") or DEFAULT_ROOT)


def choose(explicit: bool, refused: bool, option: str | None) -> Path | None:
    """The exchange to use, or None for the folder-per-student way."""
    if explicit and refused:
        raise GradingError("--exchange and --no-exchange contradict each other; give one of them")
    root = root_from(option)
    if refused:
        return None
    if explicit or option:
        if not root.is_dir():
            raise GradingError(f"no nbgrader exchange at {root}. On a hub the admin creates it once: "
                               f"`sudo mkdir -p {root} && sudo chmod ugo+rw {root}` (nbgrader's documentation); "
                               f"or name another with --exchange-root DIR or COMPUTROPOLIS_EXCHANGE")
        return root
    return root if root.is_dir() else None


def flags(root: Path) -> list[str]:
    return [f"--Exchange.root={root}"]


def release(course: Course, assignment: str, root: Path, force: bool) -> Path:
    course.nbgrader("release_assignment", assignment, *flags(root), *(["--force"] if force else []))
    return root / "computropolis" / "outbound" / assignment


def released_in(root: Path) -> list[str]:
    outbound = root / "computropolis" / "outbound"
    return sorted(p.name for p in outbound.iterdir()) if outbound.is_dir() else []


def lessons(root: Path, wanted: str | None) -> list[str]:
    """The released lessons `wanted` names (02, 02-memory, the full name; all when None)."""
    released = released_in(root)
    if not released:
        raise GradingError(f"nothing has been released into the exchange {root}: run `npm run assign -- <lesson> "
                           f"--exchange` first")
    if wanted is None:
        return released
    matches = [a for a in released if a == wanted or a.startswith(f"{int(wanted):02d}-" if wanted.isdigit() else wanted)]
    if len(matches) != 1:
        raise GradingError(f"'{wanted}' names {'no' if not matches else 'more than one'} lesson released into the "
                           f"exchange {root}; released: {', '.join(released)}")
    return matches


def collect(course: Course, assignments: list[str], root: Path) -> Path:
    """Everyone's latest submission of each assignment, collected into <course>/collected/, and a folder
    <course>/.grading/from-exchange/<student>/<assignment>.ipynb of copies for autograde to read."""
    view = course.root / ".grading" / "from-exchange"
    if view.exists():
        shutil.rmtree(view)
    view.mkdir(parents=True)
    collected = course.root / COLLECTED
    for assignment in assignments:
        course.nbgrader("collect", assignment, *flags(root), f"--CourseDirectory.submitted_directory={COLLECTED}",
                        "--update")
        for student in sorted(collected.iterdir()) if collected.is_dir() else []:
            notebook = student / assignment / f"{assignment}.ipynb"
            if notebook.is_file():
                (view / student.name).mkdir(exist_ok=True)
                shutil.copyfile(notebook, view / student.name / f"{assignment}.ipynb")
    if not any(view.iterdir()):
        raise GradingError(f"no submission of {', '.join(assignments)} in the exchange {root} yet "
                           f"(students submit in the Assignments tab, or with `nbgrader submit <lesson>`)")
    return view


def keep_sidecars(course: Course, student: str, assignment: str, dest: Path) -> None:
    """Put nbgrader's timestamp and submission secret beside the notebook autograde grades, so the
    feedback nbgrader writes carries them to release_feedback."""
    for name in SIDECARS:
        src = course.root / COLLECTED / student / assignment / name
        if src.is_file():
            shutil.copyfile(src, dest / name)


def release_feedback(course: Course, assignment: str, root: Path, students: list[str]) -> None:
    others = sorted(p.name for p in (course.root / "feedback").iterdir() if p.name not in students)
    only = [f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []
    course.nbgrader("release_feedback", assignment, *flags(root), *only)
