"""npm run slides [-- NOTEBOOK...] [--out DIR] [--no-execute]

Each lesson as an offline reveal.js slideshow for the projector: build/slides/NN-title.html, plus
an index.html. One self-contained file per lesson (reveal.js, plotly.js, the playground runtime
and the styles inlined): it makes no network request, from a USB stick as from a laptop.

What the room sees is the student edition (solutions stubbed, hidden tests removed, reveals
folded); `teacher` cells become the speaker notes of the slide they follow (press S).

Slides follow each cell's `slideshow.slide_type`, the metadata JupyterLab's property inspector
edits and the RISE extension (live slideshow in JupyterLab) reads too; `npm run tidy` sets it from
the notebook's structure where a teacher has not: a `#`/`##` heading starts a slide, a `###`
heading or any other cell a sub-slide (down arrow), a code cell right after a short instruction
stays on its slide, teacher notes are notes and the navigation lines are skipped.

The lessons are executed on the TypeScript kernel first (like `npm run handouts`), unless
--no-execute renders the outputs stored in the given notebooks (e.g. build/handouts/executed/).
"""
from __future__ import annotations

import html
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tools" / "handouts"))
sys.path.insert(0, str(ROOT / "tools"))
import build as handouts  # noqa: E402  (the handouts' renderer: one way to draw a cell)
from cells import TEACHER, slide_types, tags_of  # noqa: E402
from nbexec import run_notebook  # noqa: E402
import routes  # noqa: E402  (the timed routes, decks of their own)

REVEAL = ROOT / "node_modules" / "reveal.js" / "dist"


class Slide:
    def __init__(self, vertical: bool):
        self.vertical = vertical  # a sub-slide: below the previous slide
        self.parts: list[str] = []
        self.notes: list[str] = []

    def html(self) -> str:
        notes = f'<aside class="notes">{"".join(self.notes)}</aside>' if self.notes else ""
        # Focusable: a slide taller than the screen scrolls, and a keyboard user must be able to scroll it (WCAG 2.1.1).
        return f'<section tabindex="0">{"".join(self.parts)}{notes}</section>'


def as_div(part: str) -> str:
    """A rendered cell is a <section> in a handout; in reveal.js a <section> is a slide, so a div."""
    if part.startswith("<section ") and part.endswith("</section>"):
        return "<div " + part[len("<section "):-len("</section>")] + "</div>"
    return part


def render(cells, page, catalog: dict, notebook: str, notebook_dir: Path, edition: str) -> list[str]:
    return [as_div(p) for p in handouts.render_cells(cells, page, catalog, notebook, notebook_dir, edition)]


def slides_of(nb, notebook: str, page, catalog: dict, notebook_dir: Path) -> list[Slide]:
    """The lesson as slides: the student edition on screen, teacher cells as speaker notes."""
    student = {c.metadata["handout_index"]: c for c in handouts.edition_cells(nb, "student", notebook)}
    slides: list[Slide] = []
    for index, (cell, kind) in enumerate(zip(nb.cells, slide_types(nb.cells))):
        if TEACHER in tags_of(cell) or kind == "notes":
            shown = handouts.edition_cells(nbformat.v4.new_notebook(cells=[cell]), "teacher", notebook)
            target = slides[-1] if slides else None
            if target is None:
                slides.append(target := Slide(vertical=False))
            target.notes += render(shown, page, catalog, notebook, notebook_dir, "teacher")
            continue
        if kind == "skip" or index not in student:
            continue
        shown = student[index]
        shown.metadata["handout_index"] = index
        parts = render([shown], page, catalog, notebook, notebook_dir, "student")
        if not parts:
            continue
        if not slides or kind in ("slide", "subslide"):
            slides.append(Slide(vertical=kind == "subslide" and bool(slides)))
        if kind == "fragment":
            parts = [f'<div class="fragment">{p}</div>' for p in parts]
        slides[-1].parts += parts
    return slides


def deck_html(slides: list[Slide]) -> str:
    """reveal.js sections: a horizontal slide with its sub-slides stacked below it."""
    groups: list[list[Slide]] = []
    for s in slides:
        if s.vertical and groups:
            groups[-1].append(s)
        else:
            groups.append([s])
    out = []
    for group in groups:
        out.append(group[0].html() if len(group) == 1 else "<section>" + "".join(s.html() for s in group) + "</section>")
    return "\n".join(out)


def load_assets() -> dict[str, str]:
    missing = [p for p in (REVEAL / "reveal.js", REVEAL / "reveal.css", REVEAL / "plugin" / "notes.js") if not p.is_file()]
    if missing:
        raise handouts.HandoutError(f"reveal.js is not installed ({missing[0]} missing): run `npm run setup`")
    assets = handouts.load_assets()
    return {
        "css": (REVEAL / "reveal.css").read_text(encoding="utf-8") + "\n" + assets.css + "\n" + (HERE / "slides.css").read_text(encoding="utf-8"),
        "scripts": "".join(handouts._inline_script(js) for js in (
            (REVEAL / "reveal.js").read_text(encoding="utf-8"),
            (REVEAL / "plugin" / "notes.js").read_text(encoding="utf-8"),
            assets.plotly, assets.runtime,
            # Hash navigation off: a file opened from disk keeps its address; speaker notes on S.
            "Reveal.initialize({hash:false,history:false,slideNumber:'c/t',width:1100,height:760,margin:0.04,"
            "transition:'none',plugins:[RevealNotes]});")),
        "catalog": assets.catalog,
    }


def page_html(title: str, deck: str, assets: dict[str, str]) -> str:
    return handouts.html_head(f"{title} · slides", "Computropolis slides (tools/slides/build.py)", assets["css"]) + f"""<body class="edition-student slides">
<div class="reveal"><div class="slides">
{deck}
</div></div>
{assets["scripts"]}
</body>
</html>
"""


def index_html(lessons: list, assets_css: str) -> str:
    items = "".join(f'<li><a href="{l.stem}.html">{html.escape(l.title)}</a></li>' for l in lessons)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Computropolis slides</title>'
            f'<style>body{{font:18px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}</style></head>'
            f'<body><main><h1>Computropolis: slides</h1><p>One slideshow per lesson. Arrows move between slides '
            f'(down for a section\'s details), <kbd>S</kbd> opens the speaker notes, <kbd>F</kbd> full screen, '
            f'<kbd>Esc</kbd> the overview. Works offline.</p><ol>{items}</ol></main></body></html>\n')


def build(paths: list[Path], out: Path, execute: bool, timeout: int) -> int:
    started = time.monotonic()
    assets = load_assets()
    lessons = handouts.find_lessons(paths)
    failed = 0
    executed: dict = {}  # lesson number -> executed notebook, for the routes
    for lesson in lessons:
        rel = str(lesson.notebook.relative_to(ROOT)) if lesson.notebook.is_relative_to(ROOT) else str(lesson.notebook)
        nb = nbformat.read(lesson.notebook, as_version=4)
        if execute:
            result = run_notebook(lesson.notebook, timeout=timeout)
            if not result.ok:
                failed += 1
                for p in result.problems:
                    print(f"FAIL {p.describe(rel)}", file=sys.stderr)
                continue
            nb = result.nb
        lesson.title, _ = handouts.lesson_meta(nb, lesson.stem)
        if execute or any(c.get("metadata", {}).get("execution") for c in nb.cells):
            executed[lesson.number] = nb
        try:
            page = handouts.Page({l.notebook.name: f"{l.stem}.html" for l in lessons})
            slides = slides_of(nb, rel, page, assets["catalog"], lesson.notebook.parent)
        except handouts.HandoutError as e:
            failed += 1
            print(f"FAIL {e}", file=sys.stderr)
            continue
        handouts.write_atomic(out / f"{lesson.stem}.html", page_html(lesson.title, deck_html(slides), assets))
        print(f"ok   {rel} -> {lesson.stem}.html ({len(slides)} slides)")
    # The timed routes (tools/routes.py), from the same executed lessons: a deck each.
    for route in routes.ROUTES.values():
        if any(p.lesson not in executed for p in route.parts):
            print(f"     route {route.key}: not built (needs lessons {', '.join(sorted({p.lesson for p in route.parts}))}, executed)", file=sys.stderr)
            continue
        nb = routes.route_notebook(route, executed)
        lesson = handouts.Lesson(notebook=ROOT / "notebooks" / f"{route.stem}.ipynb", stem=route.stem, number=route.key, title=route.title)
        page = handouts.Page({})
        slides = slides_of(nb, f"{route.stem} (tools/routes.py)", page, assets["catalog"], ROOT / "notebooks")
        handouts.write_atomic(out / f"{route.stem}.html", page_html(route.title, deck_html(slides), assets))
        lessons.append(lesson)
        print(f"ok   route {route.key} ({route.minutes} min) -> {route.stem}.html ({len(slides)} slides)")
    handouts.write_atomic(out / "index.html", index_html([l for l in lessons if (out / f"{l.stem}.html").exists()], ""))
    print(f"{len(lessons) - failed} of {len(lessons)} slideshows built into {out} in {time.monotonic() - started:.1f} s")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args, paths = handouts.lesson_arguments("Write each lesson as an offline reveal.js slideshow (teacher notes as speaker notes).",
                                            ROOT / "build" / "slides", argv)
    try:
        return build(paths, args.out.resolve(), execute=not args.no_execute, timeout=args.timeout)
    except handouts.HandoutError as e:
        print(f"FAIL {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
