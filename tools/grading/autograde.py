"""npm run autograde -- <submissions> [--course DIR] [--timeout S] [--force] [--unsandboxed] [--trust-kernel-lib]
   npm run autograde -- --exchange [<lesson>] [--exchange-root DIR] [options as above]

Grade every submission with nbgrader on the real tslab kernel, each in its own sandbox
(bubblewrap: no network, read-only files, nothing of the course visible, every process killed
at the end, CPU/memory/process/output caps), then write, for each lesson:
  <course>/grades/<lesson>/scores.csv               one row per student, one column per exercise
  <course>/grades/<lesson>/feedback/<student>.html  the graded notebook with scores, offline

<submissions> holds one folder per student with the notebook(s) they handed in, named as
released:  <submissions>/<student>/<lesson>.ipynb  (e.g. submissions/ada/02-memory.ipynb).
A test cell that errors, is aborted, times out (--timeout, default 30 s), writes to stderr or
whose function gives wrong results on inputs drawn at grading time scores zero (an exercise whose
drawn inputs cannot tell a constant answer from a solution scores zero for everyone, and the
summary says so); graded cells a student copied, renamed, retyped, edited or deleted are put back
as released first. A notebook
that still cannot be graded gets an ERROR row saying why, and everyone else is graded.

On a JupyterHub (--exchange, or when nbgrader's exchange folder exists and no submissions folder is
given) the submissions come from the exchange instead: `nbgrader collect` for <lesson> (or every
released lesson), the same grading, then `nbgrader release_feedback`, so each student fetches their
own feedback in the Assignments tab (exchange.py).
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
import exchange  # noqa: E402
import integrity  # noqa: E402
import verdict  # noqa: E402
from course import Course, GradingError, exit_on_error, user_path  # noqa: E402
from feedback import make_offline  # noqa: E402
from normalise import normalise  # noqa: E402
from sandbox import Sandbox  # noqa: E402

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


def score_rows(course: Course, assignment: str, errors: dict[str, str]):
    """Header and rows of scores.csv, from the gradebook (so manual Formgrader grades count too).

    A student whose notebook could not be graded gets an ERROR row, and the table a `note`
    column with the reason."""
    from nbgrader.api import Gradebook

    source = course.root / "source" / assignment / f"{assignment}.ipynb"
    order = [c.metadata.nbgrader["grade_id"] for c in nbformat.read(source, as_version=4).cells
             if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    rows = {}
    with Gradebook(course.db_url) as gb:
        a = gb.find_assignment(assignment)
        max_score = a.max_score
        for sub in a.submissions:
            scores = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
            rows[sub.student.id] = ([sub.student.id] + [f"{scores.get(gid, 0):g}" for gid in order]
                                    + [f"{sub.score:g}", f"{max_score:g}"])
    for student, why in errors.items():
        rows[student] = [student] + ["ERROR"] * len(order) + ["ERROR", f"{max_score:g}", why]
    header = ["student"] + order + ["total", "max"]
    if errors:
        header.append("note")
        rows = {k: r + [""] * (len(header) - len(r)) for k, r in rows.items()}
    return header, [rows[k] for k in sorted(rows)]


def kernel_lib_hash(course: Course, trust: bool) -> str:
    """kernel-lib's content hash, checked against the one recorded in the course folder."""
    record = course.root / ".grading" / "kernel-lib.json"
    now = integrity.digests()
    if record.exists() and not trust:
        before = json.loads(record.read_text())
        changed = integrity.differences(before, now)
        if changed:
            raise GradingError(
                "kernel-lib is not the one this course graded with before; nothing was graded:\n  "
                + "\n  ".join(changed[:10]) + ("\n  ..." if len(changed) > 10 else "")
                + "\nA submission graded without the sandbox, or a rebuild, changed it. Restore it (`git status "
                "kernel-lib`, then `rm -rf kernel-lib/dist && npm run build`); if the change is yours and "
                "trusted, run again with --trust-kernel-lib to record the new one.")
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(now, indent=1, sort_keys=True))
    return integrity.summary(now)


def autograde_students(course: Course, assignment: str, group: list[str], timeout: int, env: dict[str, str]):
    """nbgrader autograde for these students only: (the ones it failed on, its reason if one failed alone)."""
    log = course.root / "nbgrader.log"
    start = log.stat().st_size if log.exists() else 0
    others = sorted(p.name for p in (course.root / "submitted").iterdir() if p.name not in group)
    only = [f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []
    ok = course.nbgrader("autograde", assignment, f"--SandboxedExecute.timeout={timeout}", "--force", *only,
                         env=env, check=False)
    integrity.check(env["COMPUTROPOLIS_KERNEL_LIB_HASH"])  # loud, and for everyone: not one student's fault
    tail = log.read_bytes()[start:].decode("utf-8", errors="replace") if log.exists() else ""
    failed = {s for s in group if f"for student '{s}'" in tail}
    if not ok and not failed:
        failed = set(group)  # nbgrader stopped before naming anyone
    return failed, nbgrader_failure(tail) if failed else ""


def nbgrader_failure(log_tail: str) -> str:
    """The reason nbgrader gave for one student, in one line, from its run's part of nbgrader.log."""
    lines = [l.strip() for l in log_tail.splitlines() if l.strip() and "There was an error processing" not in l
             and "Please see the" not in l]
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception)\b", line) or line.startswith("[AutogradeApp | ERROR]"):
            return "nbgrader could not grade this notebook: " + line.split("] ", 1)[-1][:200]
    return "nbgrader could not grade this notebook (see nbgrader.log)"


@exit_on_error
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="npm run autograde --", description=__doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("submissions", nargs="?", help="folder with one sub-folder per student; with the exchange, "
                    "the lesson to collect (default: every lesson released into it)")
    ap.add_argument("--course", help="course folder (default: build/grading, or $COMPUTROPOLIS_COURSE)")
    ap.add_argument("--timeout", type=int, default=30, help="seconds one cell may run (default 30)")
    ap.add_argument("--force", action="store_true", help="re-grade students who already have grades")
    ap.add_argument("--unsandboxed", action="store_true",
                    help="grade even where bubblewrap does not work (only rlimits and a process group then)")
    ap.add_argument("--trust-kernel-lib", action="store_true",
                    help="accept kernel-lib as it is now, though it differs from the one recorded in the course")
    ap.add_argument("--exchange", action="store_true", help="collect from nbgrader's exchange and release feedback "
                    "into it (a hub); the default when the exchange folder exists and no submissions folder is given")
    ap.add_argument("--no-exchange", action="store_true", help="never use the exchange")
    ap.add_argument("--exchange-root", help=f"the exchange folder (default $COMPUTROPOLIS_EXCHANGE or {exchange.DEFAULT_ROOT})")
    args = ap.parse_args(argv)
    if args.timeout <= 0:
        raise GradingError(f"--timeout must be a positive number of seconds, got {args.timeout}")

    started = time.monotonic()
    course = Course(args.course)
    folder_given = bool(args.submissions) and user_path(args.submissions).is_dir() and not args.exchange
    from_exchange = None if folder_given else exchange.choose(args.exchange, args.no_exchange, args.exchange_root)
    if from_exchange:
        course.prepare()
        submissions = exchange.collect(course, exchange.lessons(from_exchange, args.submissions), from_exchange)
    elif not args.submissions:
        raise GradingError(f"give the submissions folder (<folder>/<student>/<lesson>.ipynb), or --exchange on a hub "
                           f"(no exchange at {exchange.root_from(args.exchange_root)})")
    else:
        submissions = user_path(args.submissions)
    if not submissions.is_dir():
        raise GradingError(f"no such submissions folder: {submissions} (expected <folder>/<student>/<lesson>.ipynb)")
    found = collect(submissions, released_notebooks(course))

    again = [f"{s} ({a})" for a, by in found.items() for s in by if (course.root / "autograded" / s / a).exists()]
    if again and not args.force:
        raise GradingError(f"already graded in {course.root}: {', '.join(again)}. Grading again replaces those "
                           f"grades (and any manual grading in the Formgrader); run again with --force to do so.")
    course.prepare()
    sandbox = Sandbox.detect()
    if sandbox.mode == "none" and not args.unsandboxed:
        raise GradingError(sandbox.protection() + " Nothing was graded; to grade anyway, run again with --unsandboxed.")
    print(sandbox.protection())
    env = {"COMPUTROPOLIS_KERNEL_LIB_HASH": kernel_lib_hash(course, args.trust_kernel_lib),
           "COMPUTROPOLIS_HIDE": str(submissions), "COMPUTROPOLIS_SANDBOX_ANNOUNCED": "1",
           **({"COMPUTROPOLIS_UNSANDBOXED": "1"} if args.unsandboxed else {})}

    for assignment, by_student in found.items():
        started = time.monotonic()  # per lesson: the line below says how long this one took
        released = nbformat.read(course.root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        state = course.root / ".grading" / assignment
        state.mkdir(parents=True, exist_ok=True)
        for old in state.glob("*.verdicts.json"):  # a fresh seed for this run's inputs
            old.unlink()
        errors_file = state / "errors.json"
        errors: dict[str, str] = json.loads(errors_file.read_text()) if errors_file.exists() else {}
        for student, path in by_student.items():
            dest = course.root / "submitted" / student / assignment
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            nb = nbformat.read(path, as_version=4)
            for change in normalise(nb, released):
                course.log(f"{student}/{assignment}: {change}")
            nbformat.write(nb, dest / f"{assignment}.ipynb")
            if from_exchange:
                exchange.keep_sidecars(course, student, assignment, dest)
        # One nbgrader run for everyone (it carries on past a notebook it cannot grade), then each
        # student it failed on alone, for the reason: one notebook never stops the class.
        students = sorted(by_student)
        failed, _ = autograde_students(course, assignment, students, args.timeout, env)
        for student in sorted(failed):
            still, reason = autograde_students(course, assignment, [student], args.timeout, env)
            if still:
                errors[student] = reason
            else:
                failed.discard(student)
        graded = [s for s in students if s not in failed]
        for student in graded:
            errors.pop(student, None)
        errors_file.write_text(json.dumps(errors, indent=1, sort_keys=True))
        others = sorted(p.name for p in (course.root / "submitted").iterdir() if p.name not in graded)
        only = [f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []
        if graded:
            course.nbgrader("generate_feedback", assignment, "--force", *only)

        out = course.root / "grades" / assignment
        (out / "feedback").mkdir(parents=True, exist_ok=True)
        for student in by_student:
            page = out / "feedback" / f"{student}.html"
            if student not in graded:
                page.unlink(missing_ok=True)
                continue
            html = course.root / "feedback" / student / assignment / f"{assignment}.html"
            if not html.exists():
                raise GradingError(f"nbgrader wrote no feedback for {student} ({html}); see {course.root / 'nbgrader.log'}")
            make_offline(html)
            shutil.copyfile(html, page)
        header, rows = score_rows(course, assignment, {s: e for s, e in errors.items()})
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([header] + rows)
        tmp = out / "scores.csv.tmp"
        tmp.write_text(text.getvalue())
        tmp.replace(out / "scores.csv")

        took = time.monotonic() - started
        print(f"Graded {len(by_student)} submission(s) of '{assignment}' in {took:.1f} s "
              f"({took / len(by_student):.1f} s each, sandbox: {sandbox.short()}).")
        width = max(len(h) for h in header)
        print("  " + "  ".join(h.rjust(min(width, max(len(h), 7))) for h in header if h != "note"))
        for row in rows:
            cells = [v.rjust(min(width, max(len(h), 7))) for h, v in zip(header, row) if h != "note"]
            note = row[header.index("note")] if "note" in header else ""
            print("  " + "  ".join(cells) + (f"  {note}" if note else ""))
        for gid, why in verdict.undecided(course.root, assignment).items():
            print(f"  NOT GRADED {gid} (0 points for everyone): {why}.")
        print(f"  scores:   {out / 'scores.csv'}")
        if from_exchange and graded:
            exchange.release_feedback(course, assignment, from_exchange, graded)
            print(f"  feedback: released into the exchange {from_exchange}; each student fetches their own "
                  f"(Assignments tab, or `nbgrader fetch_feedback {assignment} --course computropolis`)")
        else:
            print(f"  feedback: {out / 'feedback'}/<student>.html (give each student theirs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
