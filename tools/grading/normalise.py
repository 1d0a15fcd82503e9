"""Put a submission's graded cells back in the shape of the release, before nbgrader sees it.

nbgrader stops the whole class's run on a duplicated or renamed grade_id, `grade: false` on a
test cell, non-numeric points or a missing graded cell (DESIGN.md, "Known traps"). Students do
all of these by accident (copy/paste a cell, click in the property inspector) or on purpose. So,
against the released notebook:

- the first cell carrying a released grade_id gets that cell's nbgrader metadata and cell type
  back, exactly as released (grade, points, solution, locked, checksum ...);
- a later cell with the same grade_id (a copy) and a cell with a grade_id the release does not
  have (renamed, invented) become plain cells: their nbgrader metadata is removed;
- a released graded cell the submission lacks is put back at its place, as released (a solution
  cell as its stub, so that exercise scores 0; a test cell is then restored from the gradebook
  by nbgrader with its hidden tests).

Every change is reported in a sentence the teacher can read in the log.
"""
from __future__ import annotations

import copy


def _gid(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    if not isinstance(meta, dict):
        return None
    gid = meta.get("grade_id")
    return gid if isinstance(gid, str) else None


def normalise(submitted, released) -> list[str]:
    """Change `submitted` (an nbformat notebook) in place; return what was changed, one sentence each."""
    changes: list[str] = []
    wanted = {(_gid(c)): c for c in released.cells if _gid(c) is not None}
    seen: set[str] = set()
    kept = []
    for i, cell in enumerate(submitted.cells, 1):
        meta = cell.get("metadata", {})
        if "nbgrader" not in meta:
            kept.append(cell)
            continue
        gid = _gid(cell)
        if gid not in wanted or gid in seen:
            why = "a copy of" if gid in seen else "an unknown grade id"
            changes.append(f"cell {i}: {why} {gid!r}: nbgrader metadata removed, the cell runs as a plain cell")
            del meta["nbgrader"]
            kept.append(cell)
            continue
        seen.add(gid)
        original = wanted[gid]
        if meta["nbgrader"] != original.metadata["nbgrader"]:
            changes.append(f"cell {i} ({gid}): nbgrader metadata restored from the release")
        meta["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
        if cell.cell_type != original.cell_type:
            changes.append(f"cell {i} ({gid}): cell type {cell.cell_type} restored to {original.cell_type}")
            restored = copy.deepcopy(original)
            restored.source = cell.source
            restored.metadata = meta
            if "id" in cell:
                restored["id"] = cell["id"]
            cell = restored
        kept.append(cell)
    # Put back what is missing, after the cell that precedes it in the release.
    order = [g for g in (_gid(c) for c in released.cells) if g is not None]
    for n, gid in enumerate(order):
        if gid in seen:
            continue
        before = next((g for g in reversed(order[:n]) if g in seen), None)
        at = 0 if before is None else next(i for i, c in enumerate(kept) if _gid(c) == before) + 1
        cell = copy.deepcopy(wanted[gid])
        cell["id"] = "restored-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in gid)[:55]
        kept.insert(at, cell)
        seen.add(gid)
        changes.append(f"{gid}: missing from the submission, put back as released")
    submitted.cells = kept
    return changes
