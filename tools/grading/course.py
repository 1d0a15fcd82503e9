"""The nbgrader course folder that `npm run assign` and `npm run autograde` work in.

Layout (nbgrader's own, so its Formgrader and CLI work on it too):

    <course>/nbgrader_config.py          loads tools/grading/nbgrader_config.py (written once)
    <course>/gradebook.db                every release and every grade
    <course>/source/<lesson>/<lesson>.ipynb      the teacher's version (copied from notebooks/)
    <course>/release/<lesson>/<lesson>.ipynb     the student version: hand this out
    <course>/submitted/<student>/<lesson>/...    what students handed in (copied by autograde)
    <course>/autograded/<student>/<lesson>/...   executed and scored
    <course>/feedback/<student>/<lesson>/...     nbgrader's feedback HTML
    <course>/grades/<lesson>/scores.csv          scores per student and exercise
    <course>/grades/<lesson>/feedback/<student>.html   one feedback page per student, offline

<course> is build/grading/ unless --course or COMPUTROPOLIS_COURSE names another folder.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

GRADING = Path(__file__).resolve().parent
ROOT = GRADING.parent.parent
PROJECT_CONFIG = GRADING / "nbgrader_config.py"

COURSE_CONFIG = f'''# Written by Computropolis's `npm run assign`: this course folder uses the project's nbgrader
# setup for TypeScript (tslab) notebooks. Course-specific settings go below the load line.
import os
c = get_config()
load_subconfig({str(PROJECT_CONFIG)!r})
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
'''


class GradingError(Exception):
    """A problem the teacher can fix; the message says what was wrong and what is expected."""


def user_path(arg: str) -> Path:
    """A path the teacher typed: relative to where they ran npm (npm itself runs in the project root)."""
    base = Path(os.environ.get("INIT_CWD") or os.getcwd())
    return (base / arg).resolve()


class Course:
    def __init__(self, folder: str | None):
        chosen = folder or os.environ.get("COMPUTROPOLIS_COURSE")
        self.root = user_path(chosen) if chosen else ROOT / "build" / "grading"

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    def prepare(self) -> None:
        """Create the course folder with its nbgrader_config.py; never replace a teacher's config."""
        self.root.mkdir(parents=True, exist_ok=True)
        config = self.root / "nbgrader_config.py"
        if not config.exists():
            config.write_text(COURSE_CONFIG)
        elif str(PROJECT_CONFIG) not in config.read_text():
            print(f"warning: {config} does not load {PROJECT_CONFIG}; TypeScript grading needs it "
                  f"(add: load_subconfig({str(PROJECT_CONFIG)!r}))", file=sys.stderr)
        # tslab resolves @types/node and kernel-lib through node_modules above the notebook:
        # a course folder outside the project borrows the project's.
        try:
            self.root.relative_to(ROOT)
        except ValueError:
            link = self.root / "node_modules"
            if not link.exists() and not link.is_symlink():
                link.symlink_to(ROOT / "node_modules", target_is_directory=True)

    def log(self, line: str) -> None:
        """Add a line to <course>/nbgrader.log (what grading changed or decided, for the teacher)."""
        with (self.root / "nbgrader.log").open("a") as out:
            out.write(f"[computropolis] {line}\n")

    def nbgrader(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> bool:
        """Run one nbgrader command in the course folder; its log goes to <course>/nbgrader.log.

        With check (the default) a failure raises GradingError; without, it returns False."""
        log = self.root / "nbgrader.log"
        with log.open("a") as out:
            out.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} nbgrader {' '.join(args)}\n")
            out.flush()
            result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=self.root, stdout=out,
                                    stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        if result.returncode != 0 and check:
            tail = "".join(log.read_text().splitlines(keepends=True)[-25:])
            raise GradingError(f"nbgrader {args[0]} failed (exit {result.returncode}); the end of {log}:\n{tail}")
        return result.returncode == 0


def exit_on_error(main):
    """Run a command's main(); a GradingError becomes a one-paragraph message and exit status 2."""
    def run(argv=None) -> int:
        import integrity

        try:
            return main(argv)
        except (GradingError, integrity.IntegrityError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    return run
