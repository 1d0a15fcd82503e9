"""The project's cell conventions, in one place: the tag vocabulary, the answer markers and the
nbgrader metadata an exercise cell carries. `tools/tidy.py` checks every notebook against them;
the handout builder and grading read the same definitions (README, "Cell tags"); what a student
edition does with each tag is tools/student_edition.py.

    tag            cell       student edition (notebooks, handouts, slides, assignments)
    teacher        markdown   removed (teacher notes: delivery tips, timing, every answer to a question)
    solution       code       answer between `// BEGIN SOLUTION` and `// END SOLUTION` replaced by a stub
    tests          code       autograded checks; `// BEGIN HIDDEN TESTS` ... `// END HIDDEN TESTS` removed
    uses-solution  code       outputs dropped (they were computed with the teacher's answer)
    reveal         code       outputs (the answers to a seeded problem above) folded behind "Show answer",
                              printed as a blank answer line; open in the teacher edition
    objectives, story, pause, analogy, debate, what-if, summary    markdown callouts, kept
    optional       any        an optional extension (a debate or what-if beyond the one per module the
                              source has): kept, labelled "Optional extension"
    route-50       any        in the one-period route (50 minutes) and so in the 90-minute route too
    route-90       any        in the 90-minute route only (tools/routes.py: the routes, their parts and minutes)
"""
from __future__ import annotations

import re

CALLOUTS = {
    "objectives": "Learning objectives",
    "story": "Story",
    "pause": "Pause and think",
    "analogy": "Analogy",
    "debate": "Debate",
    "what-if": "What if?",
    "summary": "Summary",
}
TEACHER, SOLUTION, TESTS, USES_SOLUTION, REVEAL = "teacher", "solution", "tests", "uses-solution", "reveal"
OPTIONAL = "optional"
# Route tags: which cells a timed route takes from the lessons (tools/routes.py builds the route
# editions from them). A route takes the cells carrying any of its tags, in lesson order.
ROUTE_TAGS = {"50": ("route-50",), "90": ("route-50", "route-90")}
TAGS = {
    TEACHER: "teacher notes (markdown), removed from every student edition",
    SOLUTION: "an exercise's answer (code between // BEGIN SOLUTION and // END SOLUTION)",
    TESTS: "an exercise's autograded checks (hidden part between // BEGIN HIDDEN TESTS and // END HIDDEN TESTS)",
    USES_SOLUTION: "code that runs an exercise's answer; its outputs are left out of the student edition",
    REVEAL: "code that reveals the answers to a problem above it; folded in the student edition",
    OPTIONAL: "an optional extension (beyond the one debate and one what-if per module): labelled so",
    "route-50": "in the one-period route (50 minutes) and the 90-minute route (tools/routes.py)",
    "route-90": "in the 90-minute route (tools/routes.py)",
    **{tag: f"callout: {label}" for tag, label in CALLOUTS.items()},
}

SOLUTION_BEGIN = re.compile(r"^(?P<indent>[ \t]*)(//|#+)\s*BEGIN SOLUTION\b.*$")
SOLUTION_END = re.compile(r"^[ \t]*(//|#+)\s*END SOLUTION\b.*$")
HIDDEN_BEGIN = re.compile(r"^[ \t]*(//|#+)\s*BEGIN HIDDEN TESTS\b.*$")
HIDDEN_END = re.compile(r"^[ \t]*(//|#+)\s*END HIDDEN TESTS\b.*$")
MARKERS = {"SOLUTION": (SOLUTION_BEGIN, SOLUTION_END), "HIDDEN TESTS": (HIDDEN_BEGIN, HIDDEN_END)}

# Cells that tools/tidy.py generates from the sequence of lessons (never edited by hand).
NAV_MARK, CONTENTS_MARK = "<!--NAVIGATION-->", "<!--CONTENTS-->"


def tags_of(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def is_navigation(cell) -> bool:
    """A generated navigation line (handouts draw their own navigation instead)."""
    source = cell.get("source", "")
    return cell.get("cell_type") == "markdown" and "".join(source).lstrip().startswith(NAV_MARK)


def unbalanced_marker(source: str, what: str) -> str | None:
    """Why the `what` markers ("SOLUTION" or "HIDDEN TESTS") of `source` do not pair up, or None."""
    begin, end = MARKERS[what]
    inside = False
    for number, line in enumerate(source.splitlines(), 1):
        if begin.match(line):
            if inside:
                return f"line {number}: a second `BEGIN {what}` before `END {what}`"
            inside = True
        elif end.match(line):
            if not inside:
                return f"line {number}: `{line.strip()}` without a matching `BEGIN {what}`"
            inside = False
    return f"`BEGIN {what}` without a matching `// END {what}`" if inside else None


def has_marker(source: str, what: str) -> bool:
    begin, end = MARKERS[what]
    return any(begin.match(line) or end.match(line) for line in source.splitlines())


def cell_problems(cell) -> list[str]:
    """What breaks the conventions in one cell (empty if nothing): unknown tags, markers that do
    not pair up or sit in a cell without their tag, exercise cells without nbgrader metadata."""
    problems = []
    tags = tags_of(cell)
    for tag in tags:
        if tag not in TAGS:
            problems.append(f"unknown tag {tag!r} (allowed: {', '.join(sorted(TAGS))})")
    source = "".join(cell.get("source", ""))
    kind = cell.get("cell_type")
    for what, tag in (("SOLUTION", SOLUTION), ("HIDDEN TESTS", TESTS)):
        if not has_marker(source, what):
            continue
        if kind == "code" and tag not in tags:
            problems.append(f"`BEGIN/END {what}` markers in a cell not tagged {tag!r}: a student edition would keep the answer")
        why = unbalanced_marker(source, what) if (kind == "code" or tag in tags) else None
        if why:
            problems.append(why)
    grader = cell.get("metadata", {}).get("nbgrader", {})
    if SOLUTION in tags and not (grader.get("solution") and grader.get("grade_id")):
        problems.append("a `solution` cell needs nbgrader metadata: in JupyterLab open *Create Assignment* "
                        "(Nbgrader menu or the right sidebar), choose \"Autograded answer\" and give it an ID")
    if TESTS in tags:
        if not (grader.get("grade") and grader.get("grade_id")):
            problems.append("a `tests` cell needs nbgrader metadata: in *Create Assignment* choose \"Autograder tests\", "
                            "give it an ID and points")
        elif isinstance(grader.get("points"), bool) or not isinstance(grader.get("points"), (int, float)) or grader["points"] <= 0:
            problems.append(f"a `tests` cell needs a positive number of points (got {grader.get('points')!r})")
    if TEACHER in tags and kind != "markdown":
        problems.append("the `teacher` tag is for markdown cells (teacher notes)")
    for tag in (TESTS, USES_SOLUTION, REVEAL):  # (a `solution` may be markdown: a written answer)
        if tag in tags and kind != "code":
            problems.append(f"the {tag!r} tag is for code cells")
    return problems


# ---- Slides: reveal.js via `npm run slides`, and RISE live in JupyterLab, read `slideshow.slide_type`.
SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
SHORT_INSTRUCTION_CHARS = 300  # "Run the cell below…": the code that follows shares its slide


def _heading_level(cell) -> int:
    if cell.get("cell_type") != "markdown":
        return 0
    first = next((line for line in "".join(cell.get("source", "")).splitlines() if line.strip()), "")
    level = len(first) - len(first.lstrip("#"))
    return level if 0 < level <= 6 and first[level:level + 1] == " " else 0


def structural_slide_type(cell, previous) -> str:
    """A cell's slide type from the notebook's structure: a `#`/`##` heading starts a slide; teacher
    notes are speaker notes; generated navigation is skipped; a code cell right after a short
    instruction stays on its slide; anything else is a sub-slide (one screen per cell)."""
    if TEACHER in tags_of(cell):
        return "notes"
    if is_navigation(cell) or "".join(cell.get("source", "")).lstrip().startswith(CONTENTS_MARK):
        return "skip"
    level = _heading_level(cell)
    if level in (1, 2):
        return "slide"
    if (cell.get("cell_type") == "code" and previous is not None and previous.get("cell_type") == "markdown"
            and TEACHER not in tags_of(previous) and len("".join(previous.get("source", ""))) <= SHORT_INSTRUCTION_CHARS):
        return "-"
    return "subslide"


def slide_types(cells) -> list[str]:
    """Each cell's slide type: its own `slideshow.slide_type` where set (a teacher's choice in the
    property inspector), otherwise the structural one."""
    out, previous = [], None
    for cell in cells:
        chosen = (cell.get("metadata", {}).get("slideshow") or {}).get("slide_type")
        out.append(chosen if chosen in SLIDE_TYPES else structural_slide_type(cell, previous))
        if TEACHER not in tags_of(cell):
            previous = cell
    return out
