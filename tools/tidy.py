"""Keep the lesson notebooks canonical: they are the source of every lesson, edited in JupyterLab.

    npm run tidy                   rewrite every committed notebook in canonical form
    npm run tidy -- --check        change nothing; exit 1 naming each notebook that is not canonical
    npm run tidy -- FILE.ipynb     only these notebooks

Canonical means what JupyterLab itself writes (nbformat 4.5, keys sorted, one-space indent),
plus:
- no outputs, no execution counts, no run-time cell metadata (`execution`, `ExecuteTime`);
- every cell has an id; existing ids are kept (a duplicate, e.g. from copy and paste, gets a new one);
- the TypeScript (tslab) kernelspec;
- for the lessons in notebooks/: the navigation line under the title and at the foot of each
  lesson, and the contents list in 00-welcome, generated from the sequence of NN-title.ipynb
  files (as the Python Data Science Handbook's add_navigation.py does). Their cells start with
  `<!--NAVIGATION-->` or `<!--CONTENTS-->`: edit titles in the lessons, not there;
- every cell has a slide type (`slideshow.slide_type`, for RISE in JupyterLab and `npm run slides`):
  the author's choice in the property inspector, else one from the structure (tools/cells.py);
- an exercise cell marked in nbgrader's *Create Assignment* panel ("Autograded answer",
  "Autograder tests") gets its tag (`solution`, `tests`) if it lacks it.

Errors that tidy cannot fix are reported with the notebook and the cell, and nothing is written:
an unknown tag, a `BEGIN SOLUTION` without `END SOLUTION` (or hidden tests likewise), answer markers
in a cell without its tag, exercise cells without nbgrader metadata, two exercises with one
grade_id (tools/cells.py holds the conventions). Exit status: 0 canonical (or made so), 1 not
canonical under --check, 2 an error in a notebook or bad arguments.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cells import CONTENTS_MARK, NAV_MARK, SOLUTION, TESTS, cell_problems, slide_types, tags_of  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "notebooks"
LESSON_NAME = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")
NAV_TOP, NAV_BOTTOM, CONTENTS_ID = "navigation-top", "navigation-bottom", "contents"
KERNELSPEC = {"display_name": "TypeScript", "language": "typescript", "name": "tslab"}
LANGUAGE_INFO = {"codemirror_mode": {"mode": "typescript", "name": "javascript", "typescript": True},
                 "file_extension": ".ts", "mimetype": "text/typescript", "name": "typescript", "version": "5.0.4"}
RUNTIME_METADATA = ("execution", "ExecuteTime")  # written by JupyterLab / extensions when a cell runs


class NotebookError(Exception):
    """Something in a notebook that only its author can fix, named by notebook and cell."""


def source_of(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def title_of(nb: dict, path: Path) -> str:
    """A lesson's title: the first H1 of its first markdown cell (the file name if none)."""
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown" and NAV_MARK not in source_of(cell):
            for line in source_of(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
            break
    return path.stem


def short_title(title: str) -> str:
    """The title for navigation: before its subtitle ("03 — The MMU …: the city planner's map")."""
    return title.split(":", 1)[0].strip()


def is_generated(cell) -> bool:
    text = source_of(cell).lstrip()
    return cell.get("cell_type") == "markdown" and (text.startswith(NAV_MARK) or text.startswith(CONTENTS_MARK))


def nav_source(lessons: list[tuple[Path, str]], i: int) -> str:
    parts = []
    if i > 0:
        parts.append(f"[← {short_title(lessons[i - 1][1])}]({lessons[i - 1][0].name})")
    if i != 0:
        parts.append(f"[Contents]({lessons[0][0].name}#Contents)")
    if i + 1 < len(lessons):
        parts.append(f"[{short_title(lessons[i + 1][1])} →]({lessons[i + 1][0].name})")
    return NAV_MARK + "\n" + " · ".join(parts)


def contents_source(lessons: list[tuple[Path, str]]) -> str:
    items = [f"1. [{title}]({path.name})" for path, title in lessons[1:]]
    return CONTENTS_MARK + "\n## Contents\n\n" + "\n".join(items)


def md_cell(cell_id: str, source: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {"slideshow": {"slide_type": "skip"}}, "source": source}


def with_navigation(cells: list[dict], lessons: list[tuple[Path, str]], i: int) -> list[dict]:
    """The lesson's cells with its generated cells (navigation, contents) made anew."""
    body = [c for c in cells if not is_generated(c)]
    if not body:
        return body
    nav = nav_source(lessons, i)
    out = [body[0], md_cell(NAV_TOP, nav), *body[1:]]
    if i == 0 and len(lessons) > 1:
        out.append(md_cell(CONTENTS_ID, contents_source(lessons)))
    out.append(md_cell(NAV_BOTTOM, nav))
    return out


def fresh_id(cell: dict, taken: set[str]) -> str:
    digest = hashlib.sha1(source_of(cell).encode()).hexdigest()[:8]
    n = 0
    while f"{digest}-{n}" in taken:
        n += 1
    return f"{digest}-{n}"


def canonical_cell(cell: dict, taken: set[str]) -> dict:
    cell = copy.deepcopy(cell)
    meta = cell.setdefault("metadata", {})
    for key in RUNTIME_METADATA:
        meta.pop(key, None)
    grader = meta.get("nbgrader") or {}
    tags = tags_of(cell)
    for tag, flag in ((SOLUTION, "solution"), (TESTS, "grade")):
        if grader.get(flag) and grader.get("grade_id") and tag not in tags and cell.get("cell_type") == "code":
            tags.append(tag)
    if tags:
        meta["tags"] = tags
    elif "tags" in meta:
        del meta["tags"]
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    cid = cell.get("id")
    if not isinstance(cid, str) or not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", cid) or cid in taken:
        cell["id"] = fresh_id(cell, taken)
    taken.add(cell["id"])
    return cell


def check_conventions(nb: dict, name: str) -> None:
    problems = []
    grade_ids: dict[str, int] = {}
    for number, cell in enumerate(nb["cells"], 1):
        for problem in cell_problems(cell):
            problems.append(f"{name}: cell {number} ({cell.get('cell_type')}, id {cell.get('id', '?')}): {problem}")
        grade_id = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
        if grade_id:
            if grade_id in grade_ids:
                problems.append(f"{name}: cell {number}: grade_id {grade_id!r} is also used by cell {grade_ids[grade_id]}")
            grade_ids[grade_id] = number
    if problems:
        raise NotebookError("\n".join(problems))


def canonical_text(nb: dict, name: str, lessons: list[tuple[Path, str]] | None, index: int | None) -> str:
    check_conventions(nb, name)  # cell numbers as in the file its author has open
    nb = copy.deepcopy(nb)
    nb["nbformat"], nb["nbformat_minor"] = 4, 5
    nb.setdefault("metadata", {})
    nb["metadata"]["kernelspec"] = KERNELSPEC
    nb["metadata"]["language_info"] = LANGUAGE_INFO
    cells = nb.get("cells", [])
    if lessons is not None and index is not None:
        cells = with_navigation(cells, lessons, index)
    taken = {c["id"] for c in cells if is_generated(c)}
    nb["cells"] = [c if is_generated(c) else canonical_cell(c, taken) for c in cells]
    # Slide types for RISE and `npm run slides`: from the structure, where the author chose none.
    for cell, kind in zip(nb["cells"], slide_types(nb["cells"])):
        cell["metadata"].setdefault("slideshow", {"slide_type": kind})
    node = nbformat.from_dict(nb)
    try:
        nbformat.validate(node)
    except nbformat.ValidationError as e:
        raise NotebookError(f"{name}: not a valid notebook: {e.message}") from None
    text = nbformat.writes(node, version=4)  # exactly what JupyterLab writes when it saves
    return text if text.endswith("\n") else text + "\n"


def read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise NotebookError(f"{path}: cannot read it as a notebook ({e})") from None


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def lesson_sequence(folder: Path) -> list[tuple[Path, str]]:
    paths = sorted(p for p in folder.glob("*.ipynb") if LESSON_NAME.match(p.name))
    return [(p, title_of(read(p), p)) for p in paths]


def tidy(paths: list[Path], check: bool, lessons_dir: Path = LESSONS) -> tuple[list[str], list[str]]:
    """(names of notebooks that were / would be changed, errors). Lessons in `lessons_dir` get navigation."""
    changed, errors = [], []
    sequences: dict[Path, list[tuple[Path, str]]] = {}
    for path in paths:
        name = display(path)
        try:
            nb = read(path)
            lessons = index = None
            if path.parent.resolve() == lessons_dir.resolve() and LESSON_NAME.match(path.name):
                lessons = sequences.setdefault(path.parent, lesson_sequence(path.parent))
                index = [p.name for p, _ in lessons].index(path.name)
            text = canonical_text(nb, name, lessons, index)
        except NotebookError as e:
            errors.append(str(e))
            continue
        if text != path.read_text(encoding="utf-8"):
            changed.append(name)
            if not check:
                tmp = path.with_name(path.name + ".tidy-tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(path)  # never a half-written notebook
    return changed, errors


def committed_notebooks() -> list[Path]:
    return sorted(LESSONS.glob("*.ipynb")) + sorted((ROOT / "tests" / "fixtures").rglob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Keep notebooks canonical (no outputs, stable ids, generated navigation, checked tags).")
    ap.add_argument("notebooks", nargs="*", type=Path, help="notebooks to tidy (default: notebooks/ and tests/fixtures/)")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is not canonical")
    ap.add_argument("--lessons-dir", type=Path, default=LESSONS,
                    help="the folder of NN-title.ipynb lessons that get navigation (default: notebooks/)")
    args = ap.parse_args(argv)
    paths = args.notebooks or committed_notebooks()
    missing = [str(p) for p in paths if not p.is_file() or p.suffix != ".ipynb"]
    if missing:
        ap.error(f"not a notebook file: {', '.join(missing)}")
    changed, errors = tidy(paths, args.check, args.lessons_dir)
    for error in errors:
        print(f"ERROR {error}", file=sys.stderr)
    for name in changed:
        print(f"{'not canonical' if args.check else 'tidied'}: {name}")
    if errors:
        print(f"{len(errors)} notebook(s) need fixing by hand (nothing was written to them).", file=sys.stderr)
        return 2
    if args.check and changed:
        print("Run `npm run tidy` to make them canonical (outputs are dropped; your edits are kept).", file=sys.stderr)
        return 1
    if not changed:
        print(f"{len(paths)} notebook(s) canonical.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
