"""kernel-lib as graded against: a content hash of its built files, checked before every submission.

The sandbox mounts kernel-lib read-only, so a submission graded there cannot change it. This
check catches what the mount cannot: a kernel-lib changed before grading (by a submission graded
without the sandbox, by an earlier version of this tool, by hand), which `tsc -b` would not
repair because the sources did not change. autograde records the hash in the course folder
(.grading/kernel-lib.json) and refuses to grade against a different one unless the teacher says
the new one is trusted.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
KERNEL_LIB = ROOT / "kernel-lib"


def files() -> list[Path]:
    """Every file the kernel loads from kernel-lib: its package file and its built output."""
    dist = KERNEL_LIB / "dist"
    found = [KERNEL_LIB / "package.json"] + sorted(p for p in dist.rglob("*") if p.is_file())
    return [p for p in found if p.exists()]


def digests() -> dict[str, str]:
    """kernel-lib-relative path -> sha256 of its content (plus where node_modules/kernel-lib points)."""
    out = {str(p.relative_to(KERNEL_LIB)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files()}
    out["(node_modules/kernel-lib ->)"] = str((ROOT / "node_modules" / "kernel-lib").resolve())
    return out


def summary(d: dict[str, str]) -> str:
    """One hash for all of them (what a run passes to its nbgrader processes)."""
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()


def differences(recorded: dict[str, str], now: dict[str, str]) -> list[str]:
    changed = [f"changed: {p}" for p in sorted(recorded) if p in now and now[p] != recorded[p]]
    gone = [f"removed: {p}" for p in sorted(recorded) if p not in now]
    new = [f"added: {p}" for p in sorted(now) if p not in recorded]
    return changed + gone + new


class IntegrityError(Exception):
    """kernel-lib is not the one grading started with."""


def check(expected_summary: str) -> None:
    """Fail loudly if kernel-lib's files are not the ones whose summary() is expected_summary."""
    now = summary(digests())
    if now != expected_summary:
        raise IntegrityError(f"kernel-lib changed while grading (its content hash is {now[:12]}, grading started "
                             f"with {expected_summary[:12]}): stop, restore it (`rm -rf kernel-lib/dist && npm run "
                             f"build`) and grade again")
