"""Build the HTML handouts: every lesson notebook, executed, as one self-contained page per edition.

    python tools/handouts/build.py [--out DIR] [--no-execute] [--timeout S] [NOTEBOOK...]
    (npm run handouts runs this with the defaults: notebooks/NN-*.ipynb into build/handouts/)

Writes DIR/student/NN-title.html, DIR/teacher/NN-title.html, an index.html in each, and the
executed notebooks in DIR/executed/. Exit status 0 if every handout was built, 1 if any lesson
failed (each failure names the notebook and the cell; that lesson's previous handouts are kept),
2 for bad arguments.

Why HTML is generated here rather than by an nbconvert template: the page needs things no
exporter does (a table of contents, callouts from cell tags, two editions from one execution,
slider forms from the playground catalog, one inlined plotly.js), and nbconvert's stock page
templates pull require.js, MathJax and mermaid from CDNs. Writing the page ourselves keeps every
byte of it in view: markdown by mistune (nbconvert's own markdown engine), code by pygments
(inline CSS), assets inlined; a handout makes no network request at all. Lessons use plain
markdown (no LaTeX), so no math renderer is shipped.

Editions (cell tags, see README "Cell tags"; defined once in tools/student_edition.py):
  teacher  everything; `teacher` cells styled as "Teacher notes"
  student  the student edition (teacher cells removed, solutions stubbed, hidden tests removed,
           outputs of solution, tests and uses-solution cells dropped); `uses-solution` cells get
           a note saying to run them after the exercise, `reveal` outputs are folded.
"""
from __future__ import annotations

import argparse
import base64
import datetime as _dt
import html
import json
import mimetypes
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import mistune
import nbformat
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TypeScriptLexer, get_lexer_by_name
from pygments.util import ClassNotFound

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from nbexec import run_notebook  # noqa: E402  (the one execution layer)
# The tag vocabulary and answer markers: the project's one set of cell conventions.
from cells import CALLOUTS, OPTIONAL, REVEAL, USES_SOLUTION, is_navigation  # noqa: E402
from student_edition import EDITIONS, NotebookError, edition_cells  # noqa: E402  (the one definition of each edition)
import routes  # noqa: E402  (the timed routes: cells of the lessons, tagged route-50 / route-90)

PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLAYGROUND_MIME = "application/vnd.computropolis.playground+json"
PLOTLY_JS = ROOT / "node_modules" / "plotly.js-basic-dist-min" / "plotly-basic.min.js"
MAX_HANDOUT_BYTES = 4 * 1024 * 1024

USES_SOLUTION_NOTE = {
    "student": "Output not shown: this cell uses your exercise code. Run it in JupyterLab once your solution passes its tests.",
    "teacher": "Output computed with the solution: the student handout shows this cell without it.",
}


# Edition and rendering problems alike name the notebook and the cell: one error type.
HandoutError = NotebookError


# ---------------------------------------------------------------- editions
# What each edition shows is defined once, in tools/student_edition.py (also used by
# `npm run lab -- --student` and `npm run publish-student`); tests/handouts.test.ts, fixture 01-tags.

def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


# ---------------------------------------------------------------- markdown and code

def slugify(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", html.unescape(text)).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_-]+", "-", text).strip("-") or "section"


class Page:
    """Per-page state while rendering: heading ids and the table of contents."""

    def __init__(self, lesson_files: dict[str, str]):
        self.ids: set[str] = {"top", "toc", "content"}
        self.toc: list[tuple[int, str, str]] = []  # (level, id, html text)
        self.title: str | None = None
        self.title_part: int | None = None  # index of the rendered cell holding the H1
        self.current_part = 0
        self.lesson_files = lesson_files  # "01-introduction.ipynb" -> "01-introduction.html"

    def unique_id(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.ids:
            candidate, n = f"{base}-{n}", n + 1
        self.ids.add(candidate)
        return candidate


class HandoutRenderer(mistune.HTMLRenderer):
    def __init__(self, page: Page, attachments: dict, notebook_dir: Path):
        super().__init__(escape=False)
        self.page = page
        self.attachments = attachments
        self.notebook_dir = notebook_dir

    def heading(self, text: str, level: int, **attrs) -> str:
        hid = self.page.unique_id(slugify(text))
        if level == 1 and self.page.title is None:
            self.page.title = re.sub(r"<[^>]+>", "", text).strip()
            self.page.title_part = self.page.current_part
        elif level in (2, 3):
            self.page.toc.append((level, hid, text))
        anchor = f'<a class="anchor" href="#{hid}" aria-label="link to this section">#</a>' if level > 1 else ""
        return f'<h{level} id="{hid}">{text}{anchor}</h{level}>\n'

    def link(self, text: str, url: str, title=None) -> str:
        m = re.match(r"^(?:\./)?([^/#?]+\.ipynb)(#.*)?$", url)
        if m:  # a link to another lesson notebook: point at its handout in the same edition
            target = self.page.lesson_files.get(m[1], m[1][: -len(".ipynb")] + ".html")
            url = target + (m[2] or "")
        out = super().link(text, url, title)
        if re.sub(r"<[^>]+>", "", text).strip() in (url, html.escape(url), re.sub(r"^(?:https?://|mailto:)", "", url)):
            # The text is the address already: print it once (handout.css prints other addresses after the link).
            out = out.replace("<a ", '<a class="bare-url" ', 1)
        return out

    def image(self, text: str, url: str, title=None) -> str:
        src = url
        if url.startswith("attachment:"):
            name = url[len("attachment:"):]
            data = self.attachments.get(name, {})
            if data:
                mime, payload = next(iter(data.items()))
                src = f"data:{mime};base64,{payload if isinstance(payload, str) else ''.join(payload)}"
        elif re.match(r"^[a-z]+://", url):
            # A remote image would make the page fetch it: show a link instead (handouts are offline).
            return f'<a href="{html.escape(url)}">{html.escape(text or url)}</a>'
        elif not url.startswith("data:"):
            path = (self.notebook_dir / url).resolve()
            if path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                src = f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"
        return super().image(text, src, title)

    def block_code(self, code: str, info=None) -> str:
        lang = (info or "").split()[0] if info else ""
        return highlight_code(code, lang or "text")


# xcode: the Pygments style whose every token colour keeps 4.5:1 contrast on the code background (WCAG AA).
_FORMATTER = HtmlFormatter(cssclass="highlight", style="xcode")


def highlight_code(code: str, language: str = "typescript") -> str:
    try:
        lexer = TypeScriptLexer() if language in ("typescript", "ts") else get_lexer_by_name(language)
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    return highlight(code.rstrip("\n") + "\n", lexer, _FORMATTER)


def render_markdown(source: str, page: Page, attachments: dict, notebook_dir: Path) -> str:
    md = mistune.create_markdown(renderer=HandoutRenderer(page, attachments, notebook_dir),
                                 plugins=["strikethrough", "table", "url", "task_lists"])
    return md(source)


# ---------------------------------------------------------------- outputs

def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def playground_html(marker: dict, output_html: str, catalog: dict, where: str) -> str:
    name = marker.get("name")
    info = catalog.get(name)
    if info is None:
        raise HandoutError(f"{where}: playground {name!r} is not in kernel-lib's registry; allowed: {', '.join(sorted(catalog))}")
    params = marker.get("params", {})
    controls = []
    for key, spec in info["params"].items():
        value = params.get(key, spec["default"])
        values = spec.get("values")
        if values:
            if value not in values:
                raise HandoutError(f"{where}: playground {name!r} parameter {key}: got {value!r}; allowed: one of {values}")
            position = values.index(value)
            labels = spec.get("valueLabels") or [f"{v} {spec['unit']}".strip() for v in values]
            attrs = (f'min="0" max="{len(values) - 1}" step="1" value="{position}" '
                     f'data-values="{html.escape(json.dumps(values))}" data-labels="{html.escape(json.dumps(labels))}"')
            shown = labels[position]
        else:
            attrs = f'min="{spec["min"]}" max="{spec["max"]}" step="{spec["step"]}" value="{value}"'
            shown = f"{value:,}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
            shown += f" {spec['unit']}" if spec["unit"] else ""
        hint = f' title="{html.escape(spec["help"])}"' if spec.get("help") else ""
        controls.append(
            f'<label class="kl-param"{hint}><span class="kl-param-label">{html.escape(spec["label"])}</span>'
            f'<input type="range" name="{html.escape(key)}" data-param="{html.escape(key)}" data-unit="{html.escape(spec["unit"])}" {attrs}>'
            f'<output data-for="{html.escape(key)}">{html.escape(shown)}</output></label>'
        )
    return (
        f'<figure class="kl-playground-box" data-playground="{html.escape(name)}">'
        f'<figcaption><span class="kl-badge">Live playground</span> <strong>{html.escape(info["title"])}</strong>'
        f'<span class="kl-playground-desc">{html.escape(info["description"])}</span></figcaption>'
        f'<form class="kl-playground-controls" data-playground="{html.escape(name)}">{"".join(controls)}'
        f'<button type="reset">Reset</button></form>'
        f'{output_html}'
        f'<p class="kl-playground-status">Move a slider: the simulation re-runs in your browser (kernel-lib, no server).</p>'
        f'</figure>'
    )


def fallback_text(title: str) -> str:
    """What a reader sees where a chart would be if the page's scripts do not run (e.g. a mail preview)."""
    return (f'<p class="kl-chart-fallback">Chart: {html.escape(title)} (drawn by the page itself: '
            f'open the file in a web browser)</p>')


def chart_html(figure: dict) -> str:
    title = figure.get("layout", {}).get("title", "")
    title = title.get("text", "") if isinstance(title, dict) else str(title)
    data = json.dumps(figure).replace("<", "\\u003c")
    return (f'<div class="kl-chart" data-title="{html.escape(title)}"><script type="{PLOTLY_MIME}">{data}</script>'
            f'{fallback_text(title)}</div>')


def _axis_title(layout: dict, axis: str) -> str:
    t = (layout.get(axis) or {}).get("title", "")
    return re.sub(r"<[^>]+>", " ", t.get("text", "") if isinstance(t, dict) else str(t)).strip()


def _cell_text(v) -> str:
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 1000 else f"{round(v):,}"
    if isinstance(v, int):
        return f"{v:,}"
    return re.sub(r"<[^>]+>", " ", str(v)).strip()


def _numeric(values) -> bool:
    return any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def chart_alt(figure: dict) -> str:
    """The chart's text alternative, from its data: one sentence (what it plots, its highest and
    lowest values) and the data as a table, for screen readers (visually hidden: the chart shows it).
    Horizontal bars are read with their axes swapped; a chart of labels only (a walk diagram) gets
    its points listed."""
    layout = figure.get("layout", {}) or {}
    traces = [t for t in figure.get("data", []) if isinstance(t.get("x"), list) and isinstance(t.get("y"), list)]
    if not traces:
        return ""
    title = _axis_title({"t": {"title": layout.get("title", "")}}, "t") or "the chart"
    # The value axis: y, unless only x holds numbers (horizontal bars).
    swap = not any(_numeric(t["y"]) for t in traces) and any(_numeric(t["x"]) for t in traces)
    cat_key, val_key = ("y", "x") if swap else ("x", "y")
    cat_title = _axis_title(layout, "yaxis" if swap else "xaxis") or "item"
    val_title = _axis_title(layout, "xaxis" if swap else "yaxis") or "value"
    names = [t.get("name") or "" for t in traces]
    points = [(n, c, v) for n, t in zip(names, traces) for c, v in zip(t[cat_key], t[val_key])]
    numeric = [p for p in points if isinstance(p[2], (int, float)) and not isinstance(p[2], bool)]
    kinds = {t.get("type", "scatter") for t in traces}
    kind = "Bar chart" if kinds == {"bar"} else "Line chart" if kinds == {"scatter"} and numeric else "Chart"
    series = f", {len(traces)} series: {', '.join(n for n in names if n)}" if len(traces) > 1 else ""
    if numeric:
        def point(p):
            where = f"{p[0]}, {_cell_text(p[1])}" if p[0] and len(traces) > 1 else _cell_text(p[1])
            return f"{_cell_text(p[2])} ({where})"
        hi, lo = max(numeric, key=lambda p: p[2]), min(numeric, key=lambda p: p[2])
        sentence = f"{kind} of {val_title} by {cat_title}{series}. Highest {point(hi)}; lowest {point(lo)}."
    else:
        sentence = f"{kind} of {title}{series}. {len(points)} points, listed in the table."
    cats: list = []
    for _, c, _v in points:
        if c not in cats:
            cats.append(c)
    columns = [n or val_title for n in names] if len(traces) > 1 else [val_title]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in [cat_title] + columns)
    def cell(t, c):
        return _cell_text(t[val_key][t[cat_key].index(c)]) if c in t[cat_key] else ""
    rows = "".join("<tr>" + f"<th>{html.escape(_cell_text(c))}</th>" + "".join(f"<td>{html.escape(cell(t, c))}</td>" for t in traces) + "</tr>" for c in cats)
    return (f'<div class="kl-chart-alt"><p>{html.escape(sentence)}</p>'
            f'<table><caption>Data of the chart</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>')


def with_alt(chart: str) -> str:
    """A chart's HTML with its text alternative inside it (from the figure JSON it carries)."""
    m = re.search(r'<script type="' + re.escape(PLOTLY_MIME) + r'">(.*?)</script>', chart, re.S)
    if not m or 'class="kl-chart-alt"' in chart:
        return chart
    try:
        figure = json.loads(m[1])
    except json.JSONDecodeError:
        return chart
    alt = chart_alt(figure)
    end = chart.rfind("</div>")
    return chart[:end] + alt + chart[end:] if alt and end >= 0 else chart


def neutral_fallback(chart: str) -> str:
    """The notebook's chart HTML with the handout's fallback line (kernel-lib's says "open in JupyterLab or the handout")."""
    m = re.search(r'data-title="([^"]*)"', chart)
    title = html.unescape(m[1]) if m else ""
    return re.sub(r'<p class="kl-chart-fallback">.*?</p>', lambda _: fallback_text(title), chart, count=1, flags=re.S)


def render_output(output, page: Page, catalog: dict, where: str, notebook_dir: Path) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        cls = "stream stderr" if output.get("name") == "stderr" else "stream"
        return text_block(_text(output.get("text", "")), cls)
    if kind == "error":
        return f'<pre class="error">{html.escape(output.get("ename", "Error"))}: {html.escape(output.get("evalue", ""))}</pre>'
    data = output.get("data", {})
    if PLOTLY_MIME in data or "text/html" in data and 'class="kl-chart' in _text(data["text/html"]):
        inner = with_alt(neutral_fallback(_text(data["text/html"])) if "text/html" in data else chart_html(data[PLOTLY_MIME]))
        if PLAYGROUND_MIME in data:
            return playground_html(data[PLAYGROUND_MIME], inner, catalog, where)
        return inner
    if "text/html" in data:
        return f'<div class="output-html">{_text(data["text/html"])}</div>'
    if "image/svg+xml" in data:
        return f'<div class="output-image">{_text(data["image/svg+xml"])}</div>'
    for mime in ("image/png", "image/jpeg", "image/gif"):
        if mime in data:
            return f'<div class="output-image"><img alt="output" src="data:{mime};base64,{_text(data[mime]).strip()}"></div>'
    if "text/markdown" in data:
        return f'<div class="output-markdown">{render_markdown(_text(data["text/markdown"]), page, {}, notebook_dir)}</div>'
    if "text/plain" in data:
        return text_block(_text(data["text/plain"]), "output-text")
    return ""


def text_block(text: str, cls: str) -> str:
    """Plain text output, kept in its columns (a memory dump, a table): the page's CSS scrolls it on
    screen and, on paper, sets it small enough that its widest line fits (`--cols`)."""
    cols = max((len(line) for line in text.rstrip("\n").split("\n")), default=0)
    # Focusable, so a keyboard user can scroll what does not fit (WCAG 2.1.1).
    return f'<pre class="{cls}" tabindex="0" style="--cols: {max(cols, 1)}">{html.escape(text)}</pre>'


# ---------------------------------------------------------------- page

@dataclass
class Lesson:
    notebook: Path
    stem: str  # "00-welcome"
    number: str  # "00"
    title: str = ""
    summary: str = ""
    sizes: dict[str, int] = field(default_factory=dict)


def render_cells(cells, page: Page, catalog: dict, notebook: str, notebook_dir: Path, edition: str) -> list[str]:
    """One HTML string per shown cell."""
    parts: list[str] = []
    for cell in cells:
        page.current_part = len(parts)
        index = cell.metadata.get("handout_index", 0)
        where = f"{notebook}: cell {index + 1}"
        tags = _tags(cell)
        if cell.cell_type == "markdown":
            body = render_markdown(cell.source, page, cell.get("attachments", {}), notebook_dir)
        elif cell.cell_type == "code":
            if not cell.source.strip() and not cell.outputs:
                continue
            code_html = f'<div class="source">{highlight_code(cell.source)}</div>' if cell.source.strip() else ""
            outputs = "".join(render_output(o, page, catalog, f"{where} (output {i + 1})", notebook_dir) for i, o in enumerate(cell.outputs))
            if USES_SOLUTION in tags:
                outputs = f'<p class="uses-solution-note">{html.escape(USES_SOLUTION_NOTE[edition])}</p>' + outputs
            if outputs and REVEAL in tags:
                outputs = reveal_html(outputs, edition)
            body = code_html + (f'<div class="outputs">{outputs}</div>' if outputs else "")
        else:  # raw cells are not for readers
            continue
        classes = ["cell", cell.cell_type]
        label = ""
        if "teacher" in tags:
            classes += ["callout", "teacher-notes"]
            label = "Teacher notes"
        elif "solution" in tags:
            classes += ["exercise"]
            label = "Exercise: your code" if edition == "student" else "Exercise with solution"
        elif "tests" in tags:
            classes += ["tests"]
            label = "Tests (autograded)"
        else:
            kind = next((t for t in tags if t in CALLOUTS), None)
            if kind:
                classes += ["callout", f"callout-{kind}"]
                label = CALLOUTS[kind]
        if USES_SOLUTION in tags:
            classes += ["uses-solution"]
        if "callout" in classes and len(re.sub(r"<[^>]+>", "", body)) <= SHORT_CALLOUT_CHARS:
            classes += ["short"]  # printed whole; a longer callout may continue on the next page
        aria = ""
        if label and "callout" in classes and "teacher" not in tags and lead_in_says(body, kind):
            # The cell opens with its own bold lead-in ("**Pause and think (2 minutes).**"): the
            # label would say it twice. Screen readers still get it.
            aria = f' aria-label="{html.escape(label)}"'
            label = ""
        if OPTIONAL in tags:
            # Beyond the one debate and one what-if per module of the lesson plan: skip it when short of time.
            classes += ["optional"]
            lead = re.match(r"\s*<p>\s*<strong>(.*?)</strong>", body, re.S)
            if not (lead and "optional extension" in lead[1].lower()):  # said once, by the cell or the label
                label = f"Optional extension · {label}" if label else "Optional extension"
        head = f'<div class="cell-label">{html.escape(label)}</div>' if label else ""
        tag = "aside" if "callout" in classes else "section"
        parts.append(f'<{tag} class="{" ".join(classes)}" data-cell="{index + 1}"{aria}>{head}{body}</{tag}>')
    return parts


def reveal_html(outputs: str, edition: str) -> str:
    """A seeded problem's answers: folded behind "Show answer" for students (on paper a blank line to
    write the answer on), open in the teacher edition."""
    if edition == "teacher":
        return f'<details class="reveal" open><summary>Answer</summary>{outputs}</details>'
    return ('<details class="reveal"><summary>Show answer</summary>' + outputs + '</details>'
            '<p class="answer-line">Your answer:</p>')


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", html.unescape(re.sub(r"<[^>]+>", " ", text)).lower())


def lead_in_says(body: str, kind: str | None) -> bool:
    """Does the rendered cell open with a bold lead-in naming its callout kind within its first
    three words ("Learning objectives.", "Pause again.", "Quick debate", "What if…")?"""
    m = re.match(r"\s*<p>\s*<strong>(.*?)</strong>", body, re.S)
    if not m or not kind:
        return False
    key, lead = kind.split("-"), _words(m[1])[:3]
    return any(lead[i:i + len(key)] == key for i in range(len(lead)))


def toc_html(page: Page, printed: bool = False) -> str:
    """The table of contents: a sticky sidebar on screen; a copy after the title on paper."""
    if not page.toc:
        return ""
    items = []
    for level, hid, text in page.toc:
        plain = re.sub(r"</?a\b[^>]*>", "", text)  # a heading's own links cannot nest in the TOC link
        items.append(f'<li class="toc-{level}"><a href="#{hid}">{plain}</a></li>')
    attrs = 'class="toc toc-print" aria-hidden="true"' if printed else 'id="toc" class="toc toc-screen" aria-label="Contents"'
    return f'<nav {attrs}><div class="toc-title">Contents</div><ol>{"".join(items)}</ol></nav>'


def _asset(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _inline_script(js: str) -> str:
    return "<script>" + js.replace("</script", "<\\/script") + "</script>"


@dataclass
class Assets:
    css: str
    plotly: str
    runtime: str
    catalog: dict


def load_assets() -> Assets:
    r = subprocess.run(["node", str(HERE / "bundle.mjs")], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise HandoutError(r.stderr.strip() or "bundling the playground runtime failed")
    bundle = json.loads(r.stdout)
    # callouts.css and playground.css are shared with the JupyterLab extension (lab-extension/); they come
    # first so that handout.css (its print rules above all) has the last word.
    css = "\n".join(_asset(HERE / f) for f in ("callouts.css", "playground.css", "handout.css")) + "\n" + _FORMATTER.get_style_defs(".highlight")
    return Assets(css=css, plotly=_asset(PLOTLY_JS), runtime=bundle["runtime"], catalog=bundle["catalog"])


EDITION_NAMES = {"student": "Student handout", "teacher": "Teacher edition"}


# The reader's edition: the same page without code (prose, outputs and charts), for reading and
# printing; a switch in the header, or `NN-title.html?reader` (the lesson index links it).
READER_SWITCH = (
    '<label class="reader-switch"><input type="checkbox" id="reader-switch"> Hide code (reader\'s edition)</label>'
    + _inline_script(
        "(()=>{const root=document.documentElement,box=document.getElementById('reader-switch');"
        "const on=new URLSearchParams(location.search).has('reader');root.classList.toggle('reader',on);box.checked=on;"
        "box.addEventListener('change',()=>{root.classList.toggle('reader',box.checked);"
        "const u=new URL(location.href);box.checked?u.searchParams.set('reader',''):u.searchParams.delete('reader');"
        "history.replaceState(null,'',u.href.replace('reader=','reader'));});})();"))


def html_head(title: str, generator: str, css: str) -> str:
    """The start of every self-contained page (handouts, slides): no request leaves the file."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{html.escape(generator)}">
<title>{html.escape(title)}</title>
<style>{css}</style>
</head>
"""


def page_html(*, title: str, edition: str, body: str, toc: str, nav: str, assets: Assets | None, footer: str, scripts: bool) -> str:
    head_scripts = ""
    if scripts and assets is not None:
        head_scripts = _inline_script(assets.plotly) + _inline_script(assets.runtime)
    css = assets.css if assets else ""
    return html_head(f"{title} · {EDITION_NAMES[edition]}", "Computropolis handouts (tools/handouts/build.py)", css) + f"""<body class="edition-{edition}">
<header class="page-header" id="top">
<div class="header-row"><span class="kit">Computropolis</span><span class="edition-badge edition-{edition}">{EDITION_NAMES[edition]}</span>{READER_SWITCH if scripts else ""}</div>
{nav}
</header>
<div class="page">
{toc}
<main id="content">
{body}
</main>
</div>
<footer class="page-footer">{footer}{nav}</footer>
{head_scripts}
</body>
</html>
"""


def nav_html(lessons: list[Lesson], i: int, edition: str) -> str:
    prev_link = f'<a class="prev" href="{lessons[i - 1].stem}.html" rel="prev">← {html.escape(lessons[i - 1].title)}</a>' if i > 0 else "<span></span>"
    next_link = f'<a class="next" href="{lessons[i + 1].stem}.html" rel="next">{html.escape(lessons[i + 1].title)} →</a>' if i + 1 < len(lessons) else "<span></span>"
    student = f' · <a href="../student/{lessons[i].stem}.html">student version</a>' if edition == "teacher" else ""
    return f'<nav class="lesson-nav">{prev_link}<span class="home"><a href="index.html">All lessons</a>{student}</span>{next_link}</nav>'


def write_atomic(path: Path, text: str) -> None:
    """Writes next to the target, then renames: a reader never sees a half-written handout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def lesson_meta(nb, stem: str) -> tuple[str, str]:
    """Title (first H1, else metadata title, else file name) and first paragraph of a lesson."""
    title, summary = "", ""
    for cell in nb.cells:
        if cell.cell_type != "markdown" or "teacher" in _tags(cell) or is_navigation(cell):
            continue
        for block in re.split(r"\n\s*\n", cell.source):
            block = block.strip()
            if not title and block.startswith("# "):
                title = block[2:].strip()
                rest = block.split("\n", 1)
                if len(rest) > 1 and rest[1].strip():
                    summary = summary or rest[1].strip()
            elif title and not summary and block and not block.startswith("#"):
                summary = block
        if title and summary:
            break
    title = title or nb.metadata.get("title") or stem
    summary = re.sub(r"[*_`]", "", " ".join(summary.split()))
    if len(summary) > 240:
        summary = summary[:240].rsplit(" ", 1)[0] + "…"
    return title, summary


SHORT_TABLE_ROWS = 15
SHORT_CALLOUT_CHARS = 700  # about ten printed lines


WIDE_TABLE_CHARS = 110  # a row with more text than this needs the page's full width on paper


def _add_class(table: str, cls: str) -> str:
    if re.match(r'<table\b[^>]*\bclass="', table):
        return re.sub(r'^(<table\b[^>]*\bclass=")', rf"\1{cls} ", table, count=1)
    return table.replace("<table", f'<table class="{cls}"', 1)


def mark_short_tables(body: str) -> str:
    """Tables of at most SHORT_TABLE_ROWS rows get class `short`: printed whole on one page
    (longer ones break between rows, their header repeated). Tables with six columns or more, or
    rows of long text, get class `wide`: the two-column reader's print spans them across both."""
    def mark(m: re.Match) -> str:
        table = m[0]
        rows = re.findall(r"<tr\b.*?</tr>", table, flags=re.S)
        longest = max((len(re.sub(r"<[^>]+>", "", r)) for r in rows), default=0)
        columns = max((len(re.findall(r"<t[hd]\b", r)) for r in rows), default=0)
        if columns >= 6 or longest > WIDE_TABLE_CHARS:
            table = _add_class(table, "wide")
        if len(rows) > SHORT_TABLE_ROWS + 1:
            return table
        return _add_class(table, "short")
    return re.sub(r"<table\b.*?</table>", mark, body, flags=re.S)


def render_lesson(nb, lesson: Lesson, lessons: list[Lesson], index: int, edition: str, assets: Assets, built_at: str) -> str:
    notebook = str(lesson.notebook.relative_to(ROOT)) if lesson.notebook.is_relative_to(ROOT) else str(lesson.notebook)
    page = Page({l.notebook.name: f"{l.stem}.html" for l in lessons})
    cells = edition_cells(nb, edition, notebook)
    parts = render_cells(cells, page, assets.catalog, notebook, lesson.notebook.parent, edition)
    after_title = (page.title_part + 1) if page.title_part is not None else 0
    body = mark_short_tables("\n".join(parts[:after_title] + [toc_html(page, printed=True)] + parts[after_title:]))
    footer = (f'<p>{EDITION_NAMES[edition]} of <code>{html.escape(notebook)}</code>, executed on the TypeScript kernel '
              f'and exported on {built_at} by <code>npm run handouts</code>. Charts are interactive; playgrounds re-run '
              f'the kernel-lib simulator in your browser. Works offline.</p>')
    return page_html(title=page.title or lesson.title, edition=edition, body=body, toc=toc_html(page),
                     nav=nav_html(lessons, index, edition), assets=assets, footer=footer, scripts=True)


def render_index(lessons: list[Lesson], edition: str, assets: Assets, out: Path,
                 executed: dict | None = None, routes_built: list[str] | None = None) -> str:
    items = []
    for l in lessons:
        if not (out / edition / f"{l.stem}.html").exists():
            continue
        number = "" if re.match(rf"^0*{int(l.number)}\b", l.title) else f'<span class="num">{html.escape(l.number)}</span> '
        minutes = routes.FULL_COURSE.get(l.number)
        when = f"{minutes} min" if minutes else "optional extension" if l.number > max(routes.FULL_COURSE) else ""
        items.append(f'<li><a href="{l.stem}.html">{number}{html.escape(l.title)}</a>'
                     + (f' <span class="minutes">({when})</span>' if when else "") +
                     f'<p>{html.escape(l.summary)}</p>'
                     f'<p class="reader-link"><a href="{l.stem}.html?reader">Reader\'s edition</a> (no code: to read or print)</p></li>')
    other = "" if edition == "student" else '<p class="other-edition">Student handouts (no teacher notes or solutions): <a href="../student/index.html">../student/index.html</a></p>'
    course = routes.course_html(executed or {}, {l.number: (l.stem, l.title) for l in lessons if (out / edition / f"{l.stem}.html").exists()},
                                executed=bool(executed)) if routes_built is not None else ""
    body = (f'<h1 id="lessons">Computropolis: lessons</h1><p>How a hypervisor virtualizes memory, the MMU and I/O. '
            f'One page per lesson; each works offline and prints cleanly.</p>{other}{course}'
            f'<h2 id="all-lessons">All lessons</h2><ol class="lesson-list">{"".join(items)}</ol>')
    return page_html(title="Computropolis lessons", edition=edition, body=body, toc="", nav="", assets=Assets(assets.css, "", "", {}),
                     footer="<p>Built by <code>npm run handouts</code>.</p>", scripts=False)


def find_lessons(paths: list[Path]) -> list[Lesson]:
    lessons = []
    for p in paths:
        m = re.match(r"^(\d\d)-[\w.-]+$", p.stem)
        if not m:
            raise HandoutError(f"{p}: a lesson notebook must be named NN-title.ipynb (two digits, a dash, a title)")
        lessons.append(Lesson(notebook=p.resolve(), stem=p.stem, number=m[1]))
    return sorted(lessons, key=lambda l: l.stem)


def build(paths: list[Path], out: Path, execute: bool, timeout: int) -> int:
    started_all = time.monotonic()
    assets = load_assets()
    lessons = find_lessons(paths)
    notebooks = {}
    for l in lessons:
        nb = nbformat.read(l.notebook, as_version=4)
        l.title, l.summary = lesson_meta(nb, l.stem)
        notebooks[l.stem] = nb
    built_at = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    failed = 0
    executed: dict = {}  # lesson number -> executed notebook, for the routes
    for i, lesson in enumerate(lessons):
        rel = str(lesson.notebook.relative_to(ROOT)) if lesson.notebook.is_relative_to(ROOT) else str(lesson.notebook)
        t0 = time.monotonic()
        nb = notebooks[lesson.stem]
        if execute:
            result = run_notebook(lesson.notebook, timeout=timeout)
            if not result.ok:
                failed += 1
                for p in result.problems:
                    print(f"FAIL {p.describe(rel)}", file=sys.stderr)
                print(f"     {rel}: handouts not written; the previous ones (if any) are kept", file=sys.stderr)
                continue
            nb = result.nb
            write_atomic(out / "executed" / lesson.notebook.name, nbformat.writes(nb))
        if execute or nb.cells and any(c.get("metadata", {}).get("execution") for c in nb.cells):
            executed[lesson.number] = nb
        t_exec = time.monotonic() - t0
        try:
            pages = {edition: render_lesson(nb, lesson, lessons, i, edition, assets, built_at) for edition in EDITIONS}
        except HandoutError as e:
            failed += 1
            print(f"FAIL {e}", file=sys.stderr)
            print(f"     {rel}: handouts not written; the previous ones (if any) are kept", file=sys.stderr)
            continue
        too_big = {e: len(p.encode()) for e, p in pages.items() if len(p.encode()) > MAX_HANDOUT_BYTES}
        if too_big:
            failed += 1
            print(f"FAIL {rel}: handout larger than 4 MB ({too_big}); not written", file=sys.stderr)
            continue
        for edition, text in pages.items():
            write_atomic(out / edition / f"{lesson.stem}.html", text)
            lesson.sizes[edition] = len(text.encode())
        sizes = ", ".join(f"{e} {s / 1e6:.2f} MB" for e, s in lesson.sizes.items())
        run = f"executed in {t_exec:.1f} s" if execute else "stored outputs, not executed"
        print(f"ok   {rel} -> {lesson.stem}.html ({sizes}; {run}, total {time.monotonic() - t0:.1f} s)")
    built = build_routes(executed, out, assets, built_at) if executed else []
    if executed and not built:
        print("     routes not built: they need every lesson they take cells from (01-06), executed", file=sys.stderr)
    for edition in EDITIONS:
        write_atomic(out / edition / "index.html", render_index(lessons, edition, assets, out, executed, built))
    print(f"{len(lessons) - failed} of {len(lessons)} lessons built into {out} in {time.monotonic() - started_all:.1f} s")
    return 1 if failed else 0


def build_routes(executed: dict, out: Path, assets: Assets, built_at: str) -> list[str]:
    """The timed routes' handouts (tools/routes.py), both editions, from the lessons executed for
    their own handouts (no second run): DIR/{student,teacher}/route-NN.html, and the executed route
    notebook in DIR/routes/. A route whose lessons are not all here is left out."""
    built = []
    for route in routes.ROUTES.values():
        if any(p.lesson not in executed for p in route.parts):
            continue
        nb = routes.route_notebook(route, executed)
        path = out / "routes" / f"{route.stem}.ipynb"
        write_atomic(path, nbformat.writes(nb))
        lesson = Lesson(notebook=path, stem=route.stem, number=route.key, title=route.title)
        for edition in EDITIONS:
            write_atomic(out / edition / f"{route.stem}.html", render_lesson(nb, lesson, [lesson], 0, edition, assets, built_at))
        built.append(route.stem)
        print(f"ok   route {route.key} ({route.minutes} min) -> {route.stem}.html")
    return built


def lesson_arguments(description: str, default_out: Path, argv: list[str] | None) -> tuple[argparse.Namespace, list[Path]]:
    """The command line of the lesson builders (handouts, slides): notebooks, --out, --no-execute,
    --timeout; the lessons in notebooks/ when none are named. Bad arguments exit 2 with the reason."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("notebooks", nargs="*", type=Path, help="lesson notebooks (default: notebooks/NN-*.ipynb)")
    ap.add_argument("--out", type=Path, default=default_out, help=f"output folder (default {default_out.relative_to(ROOT)})")
    ap.add_argument("--no-execute", action="store_true", help="render the outputs stored in the notebooks instead of executing them")
    ap.add_argument("--timeout", type=int, default=300, help="seconds a cell may run (default 300)")
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        ap.error(f"no such notebook: {', '.join(missing)}")
    if not paths:
        ap.error("no lesson notebooks found (notebooks/NN-title.ipynb)")
    return args, paths


def main(argv: list[str] | None = None) -> int:
    args, paths = lesson_arguments("Execute the lesson notebooks and write offline HTML handouts (student and teacher editions).",
                                   ROOT / "build" / "handouts", argv)
    try:
        return build(paths, args.out.resolve(), execute=not args.no_execute, timeout=args.timeout)
    except HandoutError as e:
        print(f"FAIL {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
