"""Small helpers to write lesson notebooks from Python (authoring aid; the .ipynb is the source).

    from nbauthor import md, code, write
    write("notebooks/00-welcome.ipynb", [md("# Title"), code("1 + 1", tags=["solution"])])

Notebooks are written without outputs, with the tslab kernelspec, and with stable cell ids so
re-authoring gives small diffs.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

KERNELSPEC = {"display_name": "TypeScript", "language": "typescript", "name": "tslab"}
LANGUAGE_INFO = {"codemirror_mode": {"mode": "typescript", "name": "javascript", "typescript": True},
                 "file_extension": ".ts", "mimetype": "text/typescript", "name": "typescript", "version": "5.0.4"}


def _cell(kind: str, source: str, tags=None, **extra) -> dict:
    source = source.strip("\n")
    cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
    if tags:
        cell["metadata"]["tags"] = list(tags)
    cell["metadata"].update(extra.pop("metadata", {}))
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    cell.update(extra)
    return cell


def md(source: str, tags=None, **extra) -> dict:
    return _cell("markdown", source, tags, **extra)


def code(source: str, tags=None, **extra) -> dict:
    return _cell("code", source, tags, **extra)


def write(path: str | Path, cells: list[dict], title: str | None = None) -> None:
    seen: dict[str, int] = {}
    for cell in cells:
        digest = hashlib.sha1("".join(cell["source"]).encode()).hexdigest()[:8]
        n = seen.get(digest, 0)
        seen[digest] = n + 1
        cell["id"] = f"{digest}-{n}"
    nb = {"cells": cells, "metadata": {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO},
          "nbformat": 4, "nbformat_minor": 5}
    if title:
        nb["metadata"]["title"] = title
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
