"""The course's routes: the same lessons taught in one period (50 minutes), in 90 minutes, or whole.

    python tools/routes.py [--out DIR] [--executed DIR] [--check] [--markdown]
    (npm run routes: the route notebooks, teacher and student editions, into build/routes/)

A timed route takes the cells of the lesson notebooks tagged for it (tools/cells.py ROUTE_TAGS:
a `route-50` cell is in both timed routes, a `route-90` cell in the 90-minute one), in lesson
order, and nothing else: the notebooks stay the one source of the text. This file holds what a tag
cannot say: where each part of a route starts, its minutes, what to cut when running late, and
what students need beforehand. A route edition is a notebook (a heading per part added, the
lessons' own headings one level down) that `npm run handouts` and `npm run slides` render like any
lesson, from the lessons they executed anyway.

Minutes are checked against the material, not guessed. A part's estimate is
    the words students see (markdown cells and text outputs) / READING_WPM
  + the measured run time of its cells (nbclient's timings in an executed notebook)
  + OUTPUT_MINUTES for each chart, table or playground the class looks at together
  + the minutes the part gives to talk (pauses, the debate, the activity), stated per part,
and `--check` fails unless a route's parts add up to its length and the estimate fits it.
"""
from __future__ import annotations

import argparse
import copy
import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))
from cells import REVEAL, ROUTE_TAGS, TEACHER, is_navigation, tags_of  # noqa: E402
from student_edition import student_cell  # noqa: E402

# A teacher presenting the text with the class: about 150 words a minute, the usual figure for
# speech and presentations (silent reading of non-fiction is faster, about 238: Brysbaert 2019,
# J. Memory and Language 109). The slower rate, since the room goes at the pace it is read out.
READING_WPM = 150
# Looking at one chart, table or playground together: half a minute (an assumption of this kit).
OUTPUT_MINUTES = 0.5
# How far a route's estimate may fall below its stated length (the rest is slack for questions):
# the estimate must lie between FIT_LOW x and 1 x the stated minutes.
FIT_LOW = 0.8

CHART_MIMES = ("application/vnd.plotly.v1+json", "application/vnd.computropolis.playground+json")


class RouteError(Exception):
    """A route that does not match the notebooks (a part's first cell missing or untagged)."""


@dataclass(frozen=True)
class Part:
    title: str
    minutes: int
    lesson: str      # lesson number, "01"
    start: str       # id of the part's first cell in that lesson (tidy keeps cell ids)
    talk: int        # minutes of talk the words do not measure: pauses, a debate, the activity
    plan: str        # the item(s) of the lesson plan (lesson-source.md) the part covers
    cut: str = ""    # what to drop when running late ("" = keep it whole)


@dataclass(frozen=True)
class Route:
    key: str         # "50"
    title: str
    minutes: int
    beforehand: str  # what students need before the class
    parts: tuple[Part, ...]

    @property
    def stem(self) -> str:
        return f"route-{self.key}"

    @property
    def tags(self) -> tuple[str, ...]:
        return ROUTE_TAGS[self.key]


BEFOREHAND_50 = ("Nothing to install or read: the room follows the slides or the route's student handout "
                 "(print it, or share the file: it works offline). For part 7 each student needs the printed page "
                 "or a screen, and paper and pencil. Students who know what a page table is will keep up; "
                 "the hook and the introduction give the rest the words.")
BEFOREHAND_90 = ("As for the one-period route, plus: for the debate, split the room in two at the start of part 3. "
                 "Optionally, students read the story cells of lessons 02 and 04 beforehand (about 10 minutes).")

# Both routes stop at the same eight places of the lessons (lesson, id of the part's first cell);
# they differ in titles, minutes, talk, the plan items they name and what to cut.
STOPS = (("01", "de4263c1-0"), ("01", "06512e61-0"), ("02", "ba677cf8-0"), ("03", "9681746b-0"),
         ("04", "f547c3cc-0"), ("05", "b6466144-0"), ("06", "85776b8f-0"), ("06", "b746d896-0"))


def _parts(rows: tuple[tuple, ...]) -> tuple[Part, ...]:
    """One Part per stop, from (title, minutes, talk, plan[, cut]) rows in STOPS order."""
    if len(rows) != len(STOPS):
        raise RouteError(f"a route has {len(rows)} parts; allowed: one per stop, {len(STOPS)}")
    return tuple(Part(title, minutes, lesson, start, talk, plan, *cut)
                 for (lesson, start), (title, minutes, talk, plan, *cut) in zip(STOPS, rows))


ROUTES: dict[str, Route] = {r.key: r for r in (
    Route("50", "One period: the whole lesson plan in 50 minutes", 50, BEFOREHAND_50, _parts((
        ("Hook: a Monday morning at a cloud provider", 5, 1, "Introduction (hook)",
         "the pause: ask its question and take one answer"),
        ("What virtualization is, and a first hypervisor", 3, 0, "Introduction to virtualization",
         "the address table: read one row of it aloud"),
        ("Memory virtualization: Alex and Computropolis", 9, 2, "Memory virtualization",
         "the second pause: ask its question, take one answer"),
        ("The MMU, and virtualizing it", 7, 1, "Role of the MMU", "the walk table: show its chart only"),
        ("I/O virtualization: Ava and Virtuopolis", 9, 2, "I/O virtualization",
         "the register table under Device emulation: say \"every access traps\" and move on"),
        ("Impact on performance", 6, 0, "Impact on system performance",
         "the workload and large-page tables: go to the summary chart"),
        ("Key activity: be the MMU", 8, 5, "Key activity (simulate MMU operations)",
         "translate two addresses instead of all, then reveal"),
        ("Conclusion: back in Computropolis and Virtuopolis", 3, 0, "Conclusion and synthesis"),
    ))),
    Route("90", "Two periods: the lesson plan in 90 minutes, with a debate and the discussion", 90, BEFOREHAND_90, _parts((
        ("Hook: a Monday morning at a cloud provider", 6, 2, "Introduction (hook)",
         "the pause: ask its question and take one answer"),
        ("What virtualization is, and a first hypervisor", 6, 2, "Introduction to virtualization",
         "the pause after the two VMs"),
        ("Memory virtualization, with its debate", 22, 11, "Memory virtualization; its debate",
         "the debate (5 minutes: one speaker per side)"),
        ("The MMU, the TLB and the 2D walk", 11, 2, "Role of the MMU",
         "the OSTEP TLB example: say 'the TLB saves the walk' and move on"),
        ("I/O virtualization: Ava and Virtuopolis", 17, 2, "I/O virtualization",
         "the rogue DMA run in the problem (the IOMMU run under Passthrough says it)"),
        ("Impact on performance", 8, 1, "Impact on system performance",
         "the crossover chart: keep only the summary chart"),
        ("Key activity: be the MMU, then discuss what we measured", 16, 10, "Key activity and group discussion",
         "the group discussion: one question, not all"),
        ("Conclusion: back in Computropolis and Virtuopolis", 4, 1, "Conclusion and synthesis"),
    ))),
)}

# The full course: every lesson whole, exercises in class or as homework. Minutes as the lessons'
# own teacher notes plan them (exercises extra); lessons after 06 that exist are optional extensions.
FULL_COURSE = {"00": 5, "01": 45, "02": 50, "03": 55, "04": 50, "05": 45, "06": 75}
FULL_COURSE_NOTE = ("Every lesson whole, in order, one or two per session; the graded exercises in class or as "
                    "homework (not in the minutes). Students need the kit running (npm run lab -- --student, "
                    "Binder or the class hub) from lesson 00 on.")


# ---------------------------------------------------------------- the lessons

def lesson_files(folder: Path) -> dict[str, Path]:
    """Lesson number -> notebook file in `folder` ("01" -> 01-introduction.ipynb)."""
    return {p.name[:2]: p for p in sorted(folder.glob("[0-9][0-9]-*.ipynb"))}


def _demote(source: str) -> str:
    """A lesson's headings one level down, under the route's part headings (## -> ###)."""
    out, fenced = [], False
    for line in source.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"^#{1,5} ", line):
            # The lesson's own numbering ("## 2. ...", "## Part A. ...") would clash with the route's parts.
            line = "#" + re.sub(r"^(#+ )(?:Part [A-Z]\. |\d+[a-z]?\. )", r"\1", line)
        out.append(line)
    return "\n".join(out)


def route_cells(route: Route, notebooks: dict[str, "nbformat.NotebookNode"]) -> list[tuple[int, str, int, "nbformat.NotebookNode"]]:
    """The route's cells in order: (part index, lesson number, cell index in the lesson, cell)."""
    missing = sorted({p.lesson for p in route.parts} - set(notebooks))
    if missing:
        raise RouteError(f"route {route.key}: lesson(s) {', '.join(missing)} not found")
    starts = {}
    for i, part in enumerate(route.parts):
        cells = notebooks[part.lesson].cells
        found = [j for j, c in enumerate(cells) if c.get("id") == part.start]
        if not found:
            raise RouteError(f"route {route.key}, part {i + 1} ({part.title}): no cell with id {part.start!r} in lesson {part.lesson}")
        if not set(tags_of(cells[found[0]])) & set(route.tags):
            raise RouteError(f"route {route.key}, part {i + 1} ({part.title}): its first cell {part.start!r} in lesson "
                             f"{part.lesson} is not tagged {' or '.join(route.tags)}")
        starts[(part.lesson, found[0])] = i
    order = sorted(starts)
    if [starts[k] for k in order] != list(range(len(route.parts))):
        raise RouteError(f"route {route.key}: parts are not in lesson order")
    out, part = [], -1
    for lesson in sorted(notebooks):
        for j, cell in enumerate(notebooks[lesson].cells):
            if (lesson, j) in starts:
                part = starts[(lesson, j)]
            if part < 0 or is_navigation(cell) or not set(tags_of(cell)) & set(route.tags):
                continue
            if lesson not in {p.lesson for p in route.parts}:
                raise RouteError(f"route {route.key}: lesson {lesson} cell {j + 1} is tagged for it, but no part of the route is in that lesson")
            out.append((part, lesson, j, cell))
    return out


def _part_heading(route: Route, i: int) -> str:
    p = route.parts[i]
    return f"## {i + 1}. {p.title} <span class=\"route-minutes\">({p.minutes} min)</span>"


def _part_note(route: Route, i: int) -> str:
    p = route.parts[i]
    late = f" **Running late:** cut {p.cut}." if p.cut else ""
    return (f"**Part {i + 1} of {len(route.parts)}: {p.minutes} minutes** ({p.talk} of them for talk: pauses, "
            f"questions{', the activity' if p.talk >= 5 else ''}). Lesson plan: {p.plan}; from lesson {p.lesson}.{late}")


def route_notebook(route: Route, notebooks: dict[str, "nbformat.NotebookNode"]):
    """The route edition: its title and sequence, then per part a heading, a teacher note (minutes,
    what to cut) and the lessons' tagged cells, outputs kept (executed lessons give an executed route)."""
    cells = route_cells(route, notebooks)
    first = notebooks[route.parts[0].lesson]
    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(first.metadata))
    nb.metadata.pop("nbexec", None)
    sequence = "\n".join(f"{i + 1}. {p.title}: {p.minutes} min" for i, p in enumerate(route.parts))
    nb.cells.append(nbformat.v4.new_markdown_cell(
        f"# {route.title}\n\nComputropolis, the {route.minutes}-minute route: the lessons' own cells, chosen for one "
        f"sitting.\n\n{sequence}", id=f"{route.stem}-title"))
    beforehand = nbformat.v4.new_markdown_cell(
        f"**Beforehand:** {route.beforehand} Each part's note gives its minutes and what to cut when running late "
        f"(the handout index shows how the minutes were checked).", id=f"{route.stem}-beforehand")
    beforehand.metadata["tags"] = [TEACHER]
    nb.cells.append(beforehand)
    part = -1
    for index, lesson, j, cell in cells:
        if index != part:
            part = index
            nb.cells.append(nbformat.v4.new_markdown_cell(_part_heading(route, part), id=f"{route.stem}-part-{part + 1}"))
            note = nbformat.v4.new_markdown_cell(_part_note(route, part), id=f"{route.stem}-part-{part + 1}-note")
            note.metadata["tags"] = [TEACHER]
            nb.cells.append(note)
        cell = copy.deepcopy(cell)
        cell.id = f"l{lesson}-{cell.get('id', j)}"
        if cell.cell_type == "markdown":
            cell.source = _demote(cell.source)
        cell.metadata["route"] = {"lesson": lesson, "cell": j + 1}
        nb.cells.append(cell)
    return nb


# ---------------------------------------------------------------- the minutes, checked

def _words(text: str) -> int:
    text = re.sub(r"<[^>]+>", " ", text)
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.,%×-]*", text))


def _run_seconds(cell) -> float:
    from datetime import datetime
    t = cell.get("metadata", {}).get("execution", {})
    try:
        a, b = (datetime.fromisoformat(t[k].replace("Z", "+00:00")) for k in ("iopub.status.busy", "iopub.status.idle"))
    except (KeyError, ValueError):
        return 0.0
    return max(0.0, (b - a).total_seconds())


def _looked_at(output) -> bool:
    data = output.get("data", {})
    page = "".join(data.get("text/html", "")) if isinstance(data.get("text/html"), (str, list)) else ""
    return any(m in data for m in CHART_MIMES) or "<table" in page


@dataclass
class Estimate:
    words: int = 0
    run_seconds: float = 0.0
    outputs: int = 0
    talk: int = 0
    executed: bool = True

    @property
    def minutes(self) -> float:
        return self.words / READING_WPM + self.run_seconds / 60 + self.outputs * OUTPUT_MINUTES + self.talk

    def add_cell(self, cell, where: str) -> None:
        """Count what a student sees of one cell (the student edition: no teacher notes, no answers)."""
        shown = student_cell(cell, where)
        if shown is None:
            return
        if shown.cell_type == "markdown":
            self.words += _words(shown.source)
            return
        if shown.cell_type != "code" or not shown.source.strip():
            return
        if "execution" not in cell.get("metadata", {}):
            self.executed = False
        self.run_seconds += _run_seconds(cell)
        for o in shown.get("outputs", []):
            if _looked_at(o):
                self.outputs += 1
            elif "text/markdown" in o.get("data", {}):
                self.words += _words("".join(o["data"]["text/markdown"]))


def estimates(route: Route, notebooks) -> list[Estimate]:
    """Each part's estimate from the (executed) lessons."""
    out = [Estimate(talk=p.talk) for p in route.parts]
    for part, lesson, j, cell in route_cells(route, notebooks):
        out[part].add_cell(cell, f"lesson {lesson}: cell {j + 1}")
    for i, p in enumerate(route.parts):
        out[i].words += _words(_part_heading(route, i))
    return out


def lesson_estimate(nb) -> Estimate:
    """A whole lesson's reading and running by the same rule (the full course). Its pauses, debates,
    activities and exercises come on top: their length is the teacher's call, so no talk is added."""
    e = Estimate()
    for j, cell in enumerate(nb.cells):
        if not is_navigation(cell):
            e.add_cell(cell, f"cell {j + 1}")
    return e


def check(notebooks) -> list[str]:
    """Problems with the routes' minutes (empty if none): parts that do not add up to the route, or
    an estimate from the material that does not fit the stated length."""
    problems = []
    for route in ROUTES.values():
        total = sum(p.minutes for p in route.parts)
        if total != route.minutes:
            problems.append(f"route {route.key}: parts add up to {total} min, not {route.minutes}")
        try:
            est = estimates(route, notebooks)
        except RouteError as e:
            problems.append(str(e))
            continue
        if not all(e.executed for e in est):
            problems.append(f"route {route.key}: the lessons given are not executed (no run times to measure)")
        minutes = sum(e.minutes for e in est)
        if not FIT_LOW * route.minutes <= minutes <= route.minutes:
            problems.append(f"route {route.key}: the material needs {minutes:.1f} min by the estimate; the route states "
                            f"{route.minutes} (must lie between {FIT_LOW:.0%} and 100% of it)")
        for i, (p, e) in enumerate(zip(route.parts, est)):
            if e.minutes > p.minutes + 1:
                problems.append(f"route {route.key}, part {i + 1} ({p.title}): the estimate is {e.minutes:.1f} min, "
                                f"the part states {p.minutes}")
    return problems


# ---------------------------------------------------------------- the course page

def _fmt(m: float) -> str:
    return f"{m:.1f}"


def course_markdown() -> str:
    """The README's course section: each route's sequence with minutes, what to cut, what students need."""
    out = []
    for route in ROUTES.values():
        out.append(f"**{route.title}** ({route.minutes} min; `route-{route.key}` cells; "
                   f"`build/handouts/*/route-{route.key}.html`, `build/slides/route-{route.key}.html`)\n")
        out.append("| # | part | from lesson | min | of it talk | running late: cut |")
        out.append("|---|---|---|---|---|---|")
        for i, p in enumerate(route.parts):
            out.append(f"| {i + 1} | {p.title} | {p.lesson} | {p.minutes} | {p.talk} | {p.cut or '—'} |")
        out.append(f"| | **total** | | **{sum(p.minutes for p in route.parts)}** | | |\n")
        out.append(f"Beforehand: {route.beforehand}\n")
    lessons = ", ".join(f"{k} ({m} min)" for k, m in FULL_COURSE.items())
    out.append(f"**The full course, the deep version** ({sum(FULL_COURSE.values())} min): lessons {lessons}. "
               f"{FULL_COURSE_NOTE} Optional extensions after 05/06 (lesson 07 and later, where the kit has them) "
               f"are listed on the handout index.\n")
    return "\n".join(out)


def course_html(notebooks: dict[str, object], titles: dict[str, str], executed: bool) -> str:
    """The handout index's course section: each route with minutes per part (and, from executed
    lessons, the estimate behind them), what to cut, what students need; the full course; optional lessons."""
    parts = ['<section class="course" aria-labelledby="routes"><h2 id="routes">Routes: what to teach in the time you have</h2>',
             f'<p>Each route is the lessons\' own cells, in their order. Minutes are checked against the material: '
             f'words students see at {READING_WPM} a minute (a presenter\'s pace), the measured run time of the cells, '
             f'{OUTPUT_MINUTES} min per chart, table or playground looked at together, and the talk each part plans '
             f'(pauses, debate, activity).</p>']
    for route in ROUTES.values():
        try:
            est = estimates(route, notebooks) if executed else None
        except RouteError:
            est = None
        link = (f' <a href="{route.stem}.html">handout</a> · <a href="{route.stem}.html?reader">reader\'s edition</a>'
                if all(p.lesson in notebooks for p in route.parts) else "")
        rows = []
        for i, p in enumerate(route.parts):
            e = est[i] if est else None
            why = (f"{e.words:,} words, {e.run_seconds:.1f} s of cells, {e.outputs} charts/tables, {p.talk} min talk → {_fmt(e.minutes)}"
                   if e else f"{p.talk} min talk")
            rows.append(f"<tr><td>{i + 1}</td><td>{html.escape(p.title)}</td><td>{p.lesson}</td><td>{p.minutes}</td>"
                        f"<td>{html.escape(why)}</td><td>{html.escape(p.cut or '—')}</td></tr>")
        total = f" (estimate {_fmt(sum(e.minutes for e in est))} min)" if est else ""
        parts.append(f'<h3 id="{route.stem}">{html.escape(route.title)}</h3><p>{route.minutes} minutes{total}.{link}</p>'
                     f'<table class="short"><caption>{html.escape(route.title)}: the sequence</caption><thead><tr><th>#</th><th>part</th>'
                     f'<th>lesson</th><th>min</th><th>estimate from the material</th><th>running late: cut</th></tr></thead>'
                     f'<tbody>{"".join(rows)}</tbody></table><p><strong>Beforehand:</strong> {html.escape(route.beforehand)}</p>')
    rows = []
    def reading(k):
        if not executed or k not in notebooks:
            return "—"
        e = lesson_estimate(notebooks[k])
        return f"{_fmt(e.minutes)} ({e.words:,} words, {e.run_seconds:.1f} s of cells, {e.outputs} charts/tables)"
    for k, m in FULL_COURSE.items():
        if k in titles:
            rows.append(f'<tr><td><a href="{titles[k][0]}.html">{html.escape(titles[k][1])}</a></td><td>{m}</td><td>{html.escape(reading(k))}</td></tr>')
    # Lessons after the timed sequence (07 and later, where the kit has them): optional extensions.
    for k in sorted(k for k in titles if k not in FULL_COURSE and k > max(FULL_COURSE)):
        rows.append(f'<tr><td><a href="{titles[k][0]}.html">{html.escape(titles[k][1])}</a> '
                    f'(<strong>optional extension</strong>, after 05/06)</td><td>—</td><td>{html.escape(reading(k))}</td></tr>')
    parts.append(f'<h3 id="full-course">The full course: the deep version</h3><p>{sum(FULL_COURSE.values())} minutes over several sessions, '
                 f'as the lessons\' teacher notes plan them. {html.escape(FULL_COURSE_NOTE)} The last column is reading and running '
                 f'alone by the rule above; the rest of each lesson\'s time is its pauses, debate, what-if, activities and exercises.</p>'
                 f'<table class="short"><caption>The full course</caption><thead><tr><th>lesson</th><th>min</th><th>reading and running (estimate)</th></tr></thead>'
                 f'<tbody>{"".join(rows)}</tbody></table></section>')
    return "".join(parts)


# ---------------------------------------------------------------- command line

def _read(folder: Path) -> dict:
    return {k: nbformat.read(p, as_version=4) for k, p in lesson_files(folder).items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python tools/routes.py", description="The course's timed routes, built from the lessons' tagged cells.")
    ap.add_argument("--lessons", type=Path, default=ROOT / "notebooks", help="folder of the lesson notebooks (default notebooks/)")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "routes", help="where the route notebooks go (default build/routes/)")
    ap.add_argument("--executed", type=Path, help="executed lessons (e.g. build/handouts/executed) to measure the minutes with")
    ap.add_argument("--check", action="store_true", help="check each route's minutes against the executed lessons (needs --executed)")
    ap.add_argument("--markdown", action="store_true", help="print the README's course section and exit")
    args = ap.parse_args(argv)
    if args.markdown:
        print(course_markdown(), end="")
        return 0
    try:
        if args.check:
            if not args.executed:
                ap.error("--check needs --executed DIR (the executed lessons: npm run handouts writes build/handouts/executed)")
            notebooks = _read(args.executed)
            for route in ROUTES.values():
                est = estimates(route, notebooks)
                for i, (p, e) in enumerate(zip(route.parts, est)):
                    print(f"route {route.key} part {i + 1}: {p.minutes:3d} min stated, estimate {_fmt(e.minutes):>5} "
                          f"({e.words} words, {e.run_seconds:.1f} s run, {e.outputs} outputs, {p.talk} talk)  {p.title}")
                print(f"route {route.key}: {sum(p.minutes for p in route.parts)} min stated, estimate {_fmt(sum(e.minutes for e in est))}")
            for k, nb in sorted(notebooks.items()):
                print(f"lesson {k}: {FULL_COURSE.get(k, '—')} min planned, reading and running {_fmt(lesson_estimate(nb).minutes)}")
            problems = check(notebooks)
            for p in problems:
                print(f"FAIL {p}", file=sys.stderr)
            return 1 if problems else 0
        from student_edition import student_notebook
        notebooks = _read(args.lessons)
        for route in ROUTES.values():
            nb = route_notebook(route, notebooks)
            for edition, book in (("teacher", nb), ("student", student_notebook(nb, route.stem))):
                if edition == "teacher":
                    book = copy.deepcopy(book)
                    for c in book.cells:
                        if c.cell_type == "code":
                            c.outputs, c.execution_count = [], None
                        c.metadata.pop("execution", None)
                path = args.out / edition / f"{route.stem}.ipynb"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(nbformat.writes(book) + "\n", encoding="utf-8")
                print(f"ok   {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    except RouteError as e:
        print(f"FAIL {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
